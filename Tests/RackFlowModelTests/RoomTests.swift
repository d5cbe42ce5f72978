import XCTest
import Foundation
@testable import RackFlowModel
import RackFlowPhysics

/// Room files (issue 7): the bundled rooms load, bad input names file, key and problem; the
/// plenum network conserves mass exactly and starves a blocked rack; the secant coupling
/// converges on a model rack. No flow solves here (the CLI tests in RackFlowExportTests run them).
final class RoomTests: XCTestCase {
    static let rooms = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Meshes/rooms")

    /// A room file next to the bundled ones (so `../racks/…` resolves), parsed from text.
    func room(_ body: String) throws -> RoomSpec {
        try RoomSpec.parse(yaml: body, file: Self.rooms.appendingPathComponent("inline.yaml").path)
    }

    static let base = """
    layout: {rows: 2, racksPerRow: 2, pitch: 0.65, depth: 1.25, aisle: 1.2}
    rack: ../racks/one-node.yaml
    plenum:
      blowers: [{name: b, curve: {flow: [0, 0.1, 0.2, 0.3], pressure: [40, 30, 15, 0], rpm: 3000}}]
      supply: {quadratic: 200}
      duct: {quadratic: 62.7}
    """

    func testBundledRoomsLoad() throws {
        let r = try RoomSpec.load(path: Self.rooms.appendingPathComponent("refinery-room.yaml").path)
        XCTAssertEqual(r.racks.count, 16)
        XCTAssertEqual(r.racks.map(\.name).first, "A01")
        XCTAssertEqual(r.racks.map(\.name).last, "B08")
        XCTAssertEqual(r.racks.filter(\.doorFacesPlusY).count, 8)
        XCTAssertEqual(r.racks[8].originM.1, 1.25 + 1.2, accuracy: 1e-12)          // row B beyond the aisle
        XCTAssertEqual(r.racks[7].originM.0, 7 * 0.65, accuracy: 1e-12)
        XCTAssertEqual(r.blowers.map(\.count), [4])
        XCTAssertEqual(r.trays.count, 3)
        XCTAssertEqual(RoomSpec.designFlow(r.racks[0].rack), 0.80)
        XCTAssertEqual(r.racks[0].rack.slots.count, 10)
        let t = try RoomSpec.load(path: Self.rooms.appendingPathComponent("test-room.yaml").path)
        XCTAssertEqual(t.racks.map(\.name), ["A01", "B01"])
    }

    func testBadRoomInputsNameFileKeyAndProblem() throws {
        let cases: [(String, String, String)] = [
            (Self.base + "\nfans: 2", "fans", "unknown key 'fans'"),
            (Self.base.replacingOccurrences(of: "one-node.yaml", with: "no-such-rack.yaml"), "rack", "rack file not found"),
            (Self.base + "\nracks: [{name: A01, slotBlockage: 0.1}, {name: A01}]", "racks[1].name", "duplicate rack name 'A01'"),
            (Self.base + "\nracks: [{name: C07}]", "racks[0].name", "no rack position 'C07'"),
            (Self.base.replacingOccurrences(of: "duct: {quadratic: 62.7}", with: "duct: {quadratic: -1}"), "plenum.duct.quadratic", "must be ≥ 0"),
            (Self.base.replacingOccurrences(of: "pressure: [40, 30, 15, 0]", with: "pressure: [40, 45, 15, 0]"), "plenum.blowers[0].curve.pressure[1]", "must not rise with flow"),
            (Self.base + "\nracks: [{name: B02, slotBlockage: 1}]", "racks[0].slotBlockage", "must be ≥ 0 and < 1"),
            (Self.base.replacingOccurrences(of: "pitch: 0.65", with: "pitch: 0.5"), "rack", "more than the layout's pitch"),
            (Self.base + "\ncableTrays: [{name: t, x: [0, 1], y: 0.1, z: 0.3}]", "cableTrays[0].z", "above the racks' roofs"),
        ]
        for (yaml, key, problem) in cases {
            XCTAssertThrowsError(try room(yaml), key) { e in
                guard let c = e as? ConfigError else { return XCTFail("\(key): not a ConfigError: \(e)") }
                XCTAssertTrue(c.file.hasSuffix("inline.yaml"), "\(c)")
                XCTAssertEqual(c.keyPath, key, "\(c)")
                XCTAssertNotNil(c.line, "\(c)")
                XCTAssertTrue(c.problem.contains(problem), "\(c)")
            }
        }
        // A rack with a partly blocked slot is valid input, and its duct gets the orifice loss.
        let r = try room(Self.base + "\nracks: [{name: B02, slotBlockage: 0.9}]")
        let open = try r.effectiveDuct(0, densityKgPerM3: 1.2), blocked = try r.effectiveDuct(3, densityKgPerM3: 1.2)
        XCTAssertEqual(open.quadraticPaS2PerM6, 62.7)
        // ζ(f = 0.1) over the 0.6 × 0.2 m slot: ζ ρ / (2 A²).
        let zeta = try PerforatedPlate.sharpEdgedZeta(freeArea: 0.1)
        XCTAssertEqual(blocked.quadraticPaS2PerM6, 62.7 + zeta * 1.2 / (2 * 0.12 * 0.12), accuracy: 1e-9)
    }

    /// Four identical racks (the one-node rack's measured response at 3 cm is ≈ −160 + 1,800 Q Pa),
    /// one behind a 90 %-blocked slot: every network solve conserves mass to rounding, the
    /// blocked rack gets less and every other rack more than with all slots open.
    func testNetworkConservesMassAndStarvesABlockedRack() throws {
        let open = try room(Self.base)
        let blocked = try room(Self.base + "\nracks: [{name: B02, slotBlockage: 0.9}]")
        let line = PlenumNetwork.Line(interceptPa: -160, slopePaSPerM3: 1800)
        func solve(_ s: RoomSpec) throws -> PlenumNetwork.Solution {
            let n = PlenumNetwork(blowers: s.blowers, supply: s.supply, ducts: try s.racks.indices.map { try s.effectiveDuct($0, densityKgPerM3: 1.2) })
            let sol = try n.solve(lines: Array(repeating: line, count: 4))
            let sum = sol.rackFlowsM3PerS.reduce(0, +)
            XCTAssertEqual(sol.blowerFlowM3PerS, sum)
            XCTAssertLessThan(abs(sol.blowerCurveFlowM3PerS - sum) / sum, 1e-9)
            // Every rack's pressure balance holds at the solution.
            for k in 0..<4 {
                let q = sol.rackFlowsM3PerS[k]
                XCTAssertEqual(sol.plenumPressurePa, n.ducts[k].dropPa(q) + line.pressurePa(q), accuracy: 1e-8)
            }
            XCTAssertEqual(sol.blowerRisePa, s.blowers[0].curve.pressureRise(flowM3PerS: sum, rpm: 3000), accuracy: 1e-6)
            XCTAssertEqual(n.blowerRise(forFlow: sum), sol.blowerRisePa, accuracy: 1e-6)
            return sol
        }
        let a = try solve(open), b = try solve(blocked)
        XCTAssertEqual(a.rackFlowsM3PerS[0], a.rackFlowsM3PerS[3], accuracy: 1e-15)
        XCTAssertLessThan(b.rackFlowsM3PerS[3], 0.9 * a.rackFlowsM3PerS[3])
        for k in 0..<3 { XCTAssertGreaterThan(b.rackFlowsM3PerS[k], a.rackFlowsM3PerS[k]) }
        XCTAssertLessThan(b.blowerFlowM3PerS, a.blowerFlowM3PerS)
    }

    /// The coupling on a model rack whose response is curved (p = −20 + 3,000 Q²) and unknown to
    /// it: from the first guess (p ∝ Q² tangent at the design flow) the secant iteration reaches
    /// the network's exact operating point with every flow and pressure residual small.
    func testSecantCouplingConvergesOnACurvedRack() throws {
        let s = try room(Self.base + "\nracks: [{name: A02, slotBlockage: 0.5}]")
        let net = PlenumNetwork(blowers: s.blowers, supply: s.supply, ducts: try s.racks.indices.map { try s.effectiveDuct($0, densityKgPerM3: 1.2) })
        func rack(_ q: Double) -> Double { -20 + 3000 * q * q }
        var calls = 0
        let r = try RoomCoupling.run(network: net, designFlowsM3PerS: [0.08, 0.08, 0.08, 0.08], slopeFloors: [6.7, 6.7, 6.7, 6.7],
                                     tolerance: 1e-6, maxIterations: 20) { flows, _ in
            calls += 1
            return flows.map { RackSolveResult(inletPressurePa: rack($0), measuredFlowM3PerS: $0, outerIterations: 1, converged: true, seconds: 0) }
        }
        XCTAssertTrue(r.converged)
        XCTAssertLessThanOrEqual(calls, 10, "\(r.iterations.map(\.flowResidual))")
        XCTAssertLessThan(r.pressureResidualsPa.map(abs).max()!, 1e-3)
        XCTAssertLessThan(r.rackFlowsM3PerS[1], r.rackFlowsM3PerS[0])
        XCTAssertEqual(r.blowerFlowM3PerS, r.rackFlowsM3PerS.reduce(0, +))
        XCTAssertLessThan(abs(r.blowerCurveMismatch), 1e-9)
        // Residuals fall: the last is below the first by orders of magnitude.
        XCTAssertLessThan(r.iterations.last!.flowResidual, 1e-3 * r.iterations.first!.flowResidual)
    }
}
