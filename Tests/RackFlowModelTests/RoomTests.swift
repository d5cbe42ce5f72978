import XCTest
import RackFlowTestSupport
import Foundation
@testable import RackFlowModel
import RackFlowPhysics
import RackFlowNumerics

/// Room files (issue 7): the bundled rooms load, bad input names file, key and problem; the
/// plenum network conserves mass exactly and starves a blocked rack; the secant coupling
/// converges on a model rack. No flow solves here (the CLI tests in RackFlowExportTests run them).
final class RoomTests: XCTestCase {
    static let rooms = Repository.root
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
        XCTAssertEqual(r.racks[8].originM.1, 1.25 + 1.2, accuracy: 1e-12) // row B beyond the aisle
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
            (
                Self.base.replacingOccurrences(of: "one-node.yaml", with: "no-such-rack.yaml"), "rack",
                "rack file not found"
            ),
            (
                Self.base + "\nracks: [{name: A01, slotBlockage: 0.1}, {name: A01}]", "racks[1].name",
                "duplicate rack name 'A01'"
            ),
            (Self.base + "\nracks: [{name: C07}]", "racks[0].name", "no rack position 'C07'"),
            (
                Self.base.replacingOccurrences(of: "duct: {quadratic: 62.7}", with: "duct: {quadratic: -1}"),
                "plenum.duct.quadratic", "must be ≥ 0"
            ),
            (
                Self.base.replacingOccurrences(of: "pressure: [40, 30, 15, 0]", with: "pressure: [40, 45, 15, 0]"),
                "plenum.blowers[0].curve.pressure[1]", "must not rise with flow"
            ),
            (Self.base + "\nracks: [{name: B02, slotBlockage: 1}]", "racks[0].slotBlockage", "must be ≥ 0 and < 1"),
            (
                Self.base.replacingOccurrences(of: "pitch: 0.65", with: "pitch: 0.5"), "rack",
                "more than the layout's pitch"
            ),
            (
                Self.base + "\ncableTrays: [{name: t, x: [0, 1], y: 0.1, z: 0.3}]", "cableTrays[0].z",
                "above the racks' roofs"
            ),
        ]
        for (yaml, key, problem) in cases {
            XCTAssertThrowsError(try room(yaml), key) { e in
                guard let c = e as? InputError else { return XCTFail("\(key): not an InputError: \(e)") }
                XCTAssertTrue(c.file?.hasSuffix("inline.yaml") == true, "\(c)")
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
            let n = PlenumNetwork(
                blowers: s.blowers, supply: s.supply,
                ducts: try s.racks.indices.map { try s.effectiveDuct($0, densityKgPerM3: 1.2) })
            let sol = try n.solve(lines: Array(repeating: line, count: 4))
            let sum = sol.rackFlowsM3PerS.reduce(0, +)
            XCTAssertEqual(sol.blowerFlowM3PerS, sum)
            XCTAssertLessThan(abs(sol.blowerCurveFlowM3PerS - sum) / sum, 1e-9)
            // Every rack's pressure balance holds at the solution.
            for k in 0..<4 {
                let q = sol.rackFlowsM3PerS[k]
                XCTAssertEqual(sol.plenumPressurePa, n.ducts[k].dropPa(q) + line.pressurePa(q), accuracy: 1e-8)
            }
            XCTAssertEqual(
                sol.blowerRisePa, s.blowers[0].curve.pressureRise(flowM3PerS: sum, rpm: 3000), accuracy: 1e-6)
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
        let net = PlenumNetwork(
            blowers: s.blowers, supply: s.supply,
            ducts: try s.racks.indices.map { try s.effectiveDuct($0, densityKgPerM3: 1.2) })
        func rack(_ q: Double) -> Double { -20 + 3000 * q * q }
        var calls = 0
        let r = try RoomCoupling.run(
            network: net, designFlowsM3PerS: [0.08, 0.08, 0.08, 0.08], slopeFloors: [6.7, 6.7, 6.7, 6.7],
            tolerance: 1e-6, maxIterations: 20
        ) { flows, _ in
            calls += 1
            return flows.map {
                RackSolveResult(
                    inletPressurePa: rack($0), measuredFlowM3PerS: $0, outerIterations: 1, converged: true, seconds: 0)
            }
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

    // MARK: placement and cable-tray probes

    /// Row A's doors face +y (the rack turned half a turn), row B's −y (the rack's own frame);
    /// each rack's inner box sits centred in its footprint.
    func testRackPlacementFollowsTheDoors() throws {
        let r = try room(Self.base)
        let (w, d, h) = r.racks[0].rack.innerSizeM
        // A01: the door (rack y = 0) at the aisle side, y = depth − (depth − d)/2.
        let a = r.roomPoint(rack: 0, SIMD3(0, 0, h))
        XCTAssertEqual(a.y, 1.25 - (1.25 - d) / 2, accuracy: 1e-12)
        XCTAssertEqual(a.x, (0.65 - w) / 2 + w, accuracy: 1e-12)
        XCTAssertEqual(a.z, h)
        XCTAssertEqual(r.rackPlacement(0).rotationDegrees, 180)
        // B02: the door towards −y at the aisle, the rack's own axes.
        let k = r.racks.firstIndex { $0.name == "B02" }!
        let b = r.roomPoint(rack: k, SIMD3(0, 0, 0))
        XCTAssertEqual(b.y, 1.25 + 1.2 + (1.25 - d) / 2, accuracy: 1e-12)
        XCTAssertEqual(b.x, 0.65 + (0.65 - w) / 2, accuracy: 1e-12)
        XCTAssertEqual(r.rackPlacement(k).rotationDegrees, 0)
        // Every rack corner stays inside its footprint.
        for j in r.racks.indices {
            for q in [SIMD3(0.0, 0, 0), SIMD3(w, d, h)] {
                let p = r.roomPoint(rack: j, q), o = r.racks[j].originM
                XCTAssertTrue(
                    p.x >= o.0 && p.x <= o.0 + 0.65 && p.y >= o.1 && p.y <= o.1 + 1.25, "\(r.racks[j].name) \(p)")
            }
        }
    }

    func exhaust(_ name: String, x: Double, y: Double, flow: Double = 0.08, temperatureC: Double) -> TrayProbes.Exhaust
    {
        TrayProbes.Exhaust(
            rack: name, loM: SIMD2(x - 0.3, y - 0.15), hiM: SIMD2(x + 0.3, y + 0.15), roofZM: 0.4,
            flowM3PerS: flow, temperatureC: temperatureC)
    }

    /// The jet model: room temperature far away, the exhaust's own values right above it
    /// within the core, decaying with height and sideways, never beyond the hottest exhaust;
    /// a hotter exhaust gives a warmer probe.
    func testTrayProbeJetModel() {
        let e = exhaust("A01", x: 0.3, y: 0.2, temperatureC: 35)
        let core = TrayProbes.sample(at: SIMD3(0.3, 0.2, 0.45), exhausts: [e], roomC: 20)
        XCTAssertEqual(core.temperatureC, 35, accuracy: 1e-12)
        XCTAssertEqual(core.upwardMPerS, e.velocityMPerS, accuracy: 1e-12)
        var last = core.temperatureC, lastW = core.upwardMPerS
        for z in stride(from: 1.0, through: 6, by: 0.5) {
            let v = TrayProbes.sample(at: SIMD3(0.3, 0.2, z), exhausts: [e], roomC: 20)
            XCTAssertLessThanOrEqual(v.temperatureC, last + 1e-12)
            XCTAssertLessThanOrEqual(v.upwardMPerS, lastW + 1e-12)
            XCTAssertGreaterThan(v.temperatureC, 20)
            last = v.temperatureC
            lastW = v.upwardMPerS
        }
        XCTAssertLessThan(last, 35)
        let side = TrayProbes.sample(at: SIMD3(0.3, 1.5, 0.8), exhausts: [e], roomC: 20)
        XCTAssertEqual(side.temperatureC, 20, accuracy: 1e-3)
        XCTAssertEqual(side.upwardMPerS, 0, accuracy: 1e-3)
        // Two overlapping jets: bounded by the hotter, warmer than the cooler alone.
        let hot = exhaust("B01", x: 0.5, y: 0.2, temperatureC: 45)
        let both = TrayProbes.sample(at: SIMD3(0.4, 0.2, 0.5), exhausts: [e, hot], roomC: 20)
        XCTAssertLessThanOrEqual(both.temperatureC, 45)
        XCTAssertGreaterThan(both.temperatureC, 35)
        XCTAssertLessThanOrEqual(both.upwardMPerS, max(e.velocityMPerS, hot.velocityMPerS) + 1e-12)
        // Monotone in the exhaust temperature.
        let warmer = TrayProbes.sample(
            at: SIMD3(0.3, 0.2, 1.2), exhausts: [exhaust("A01", x: 0.3, y: 0.2, temperatureC: 40)], roomC: 20)
        XCTAssertGreaterThan(
            warmer.temperatureC, TrayProbes.sample(at: SIMD3(0.3, 0.2, 1.2), exhausts: [e], roomC: 20).temperatureC)
    }

    /// Stations span the tray ends; vibration grows with speed squared and vanishes at the supports.
    func testTrayStationsAndVibration() throws {
        let r = try room(Self.base + "\ncableTrays: [{name: t, x: [0, 1.3], y: 0.2, z: 0.8, width: 0.3}]")
        let st = TrayProbes.stations(r.trays[0])
        XCTAssertEqual(st.first!.x, 0)
        XCTAssertEqual(st.last!.x, 1.3, accuracy: 1e-12)
        XCTAssertTrue(zip(st, st.dropFirst()).allSatisfy { $1.x - $0.x <= 0.05 + 1e-12 })
        let slow = TrayProbes.trays(
            r, exhausts: [exhaust("A01", x: 0.3, y: 0.2, flow: 0.05, temperatureC: 30)], roomC: 20,
            densityKgPerM3: 1.2)[0]
        let fast = TrayProbes.trays(
            r, exhausts: [exhaust("A01", x: 0.3, y: 0.2, flow: 0.10, temperatureC: 30)], roomC: 20,
            densityKgPerM3: 1.2)[0]
        XCTAssertEqual(fast.vibrationAmplitudeM / slow.vibrationAmplitudeM, 4, accuracy: 1e-9)
        XCTAssertEqual(fast.samples.first!.modeShape, 0, accuracy: 1e-12)
        XCTAssertEqual(fast.samples.last!.modeShape, 0, accuracy: 1e-12)
        XCTAssertGreaterThan(fast.maxSpeedMPerS, slow.maxSpeedMPerS)
    }
}
