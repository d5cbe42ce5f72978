import XCTest
import RackFlowTestSupport
import Foundation
@testable import RackFlowModel
import RackFlowPhysics
import RackFlowNumerics

/// The room air as a solved domain (`RoomAir`): on the two-rack test room with a coarse hall
/// (10 cm near the racks), fed by made-up exhausts (no rack solve), the solve conserves mass
/// (exhausts in = returns out to 1e-6) and the racks' heat (0.5 %), and every exhaust patch
/// carries exactly its rack's flow; bad `hall:` keys name file, key and problem.
final class RoomAirTests: XCTestCase {
    static let rooms = Repository.root.appendingPathComponent("Meshes/rooms")

    /// test-room.yaml with a `hall:` block appended (parsed next to the bundled rooms).
    func room(hall: String) throws -> RoomSpec {
        let text = try String(contentsOf: Self.rooms.appendingPathComponent("test-room.yaml"), encoding: .utf8)
        return try RoomSpec.parse(
            yaml: text + "\n" + hall, file: Self.rooms.appendingPathComponent("inline.yaml").path)
    }

    /// Each rack's roof exhaust (from its rack file) carrying the given flow and temperature, the
    /// first rack with a made-up profile if `profiled` (outflow rising along the rack's x, 2 K
    /// warmer per tile along its y).
    func exhausts(
        _ spec: RoomSpec, _ values: [(Double, Double)], profiled: Bool = false
    ) throws
        -> [TrayProbes.Exhaust]
    {
        try spec.racks.indices.map { k in
            let gc = try CaseFile.load(path: spec.racks[k].rackFile).genericCase
            var profile: ExhaustProfile? = nil
            if profiled && k == 0, let roof = gc.roofExhaust {
                var p = ExhaustProfile.uniform(
                    lo: roof.loM, hi: roof.hiM, tileM: ExhaustProfile.defaultTileM, temperatureC: 0)
                for j in 0..<p.tiles[1] {
                    for i in 0..<p.tiles[0] {
                        p.outflowM3PerS[i + p.tiles[0] * j] = Double(1 + i)
                        p.temperatureC[i + p.tiles[0] * j] = values[k].1 + 2 * Double(j)
                    }
                }
                profile = p
            }
            return try TrayProbes.Exhaust(
                spec: spec, rack: k, genericCase: gc, flowM3PerS: values[k].0, temperatureC: values[k].1,
                profile: profile)
        }
    }

    static let coarse = "hall: {spacing: 0.15, maxSpacing: 0.3, ceilingHeight: 1.2, margin: 0.3, maxIterations: 1500}"

    func testRoomAirConservesMassAndHeatAndCarriesTheExhaustFlows() throws {
        let spec = try room(hall: Self.coarse)
        let flows = [(0.080, 34.0), (0.061, 29.5)]
        let air = try RoomAir(spec: spec, exhausts: try exhausts(spec, flows, profiled: true))
        // The first rack's profile goes through sub-ducts (two across at this 15 cm hall), the
        // second's exhaust through one duct.
        XCTAssertEqual(air.ducts.map(\.count), [2, 1])
        // The default model is k–ε.
        guard case .kEpsilon = air.genericCase.turbulence else { return XCTFail("the hall is not k–ε") }
        let t0 = Date()
        let solve = try RoomAirSolve(air)
        try solve.solve()
        let s = solve.summary(
            jet: TrayProbes.trays(spec, exhausts: air.exhausts, roomC: 20, densityKgPerM3: 1.204))
        print(
            String(
                format: "room air: %d cells %@, %d iterations, %.1f s, mass %.1e, heat %.1e", s.cells,
                "\(s.dims)", s.iterations, Date().timeIntervalSince(t0), s.relativeMassImbalance,
                s.relativeHeatError))
        // A steady answer, or a time-averaged one where the hall has none (this coarse hall's plumes
        // keep swaying with k–ε).
        XCTAssertTrue(s.converged || s.timeAveraged)
        let (k, _) = solve.solver.turbulence()
        XCTAssertTrue(k.allSatisfy { $0.isFinite && $0 >= 0 })
        XCTAssertGreaterThan(k.max()!, 0)
        // The exhaust patches carry exactly the racks' flows.
        for (e, f) in zip(s.exhausts, flows) {
            XCTAssertEqual(e.flowM3PerS, f.0)
            XCTAssertEqual(e.solvedFlowM3PerS, f.0, accuracy: 1e-12 * f.0)
            XCTAssertEqual(e.temperatureC, f.1)
        }
        // Each sub-duct carries exactly its share; the profile's outflow rises along the rack's x,
        // so in the room frame its sub-ducts' flows rise along x, or fall for a rack turned half
        // a turn (its door facing +y).
        let sub = ExhaustDucts.values(air.ducts[0], air.exhausts[0])
        for (d, v) in zip(air.ducts[0], sub) {
            XCTAssertEqual(solve.inflow(d.name).flowM3PerS, v.flowM3PerS, accuracy: 1e-12 * v.flowM3PerS)
            XCTAssertEqual(solve.inflow(d.name).temperatureC, v.temperatureC, accuracy: 1e-9)
        }
        let turned = spec.rackPlacement(0).rotationDegrees == 180
        XCTAssertEqual(sub[0].flowM3PerS < sub[1].flowM3PerS, !turned, "\(sub), turned \(turned)")
        XCTAssertGreaterThan(max(sub[0].flowM3PerS, sub[1].flowM3PerS), 1.5 * min(sub[0].flowM3PerS, sub[1].flowM3PerS))
        // Mass: exhausts in, returns out.
        let qIn = s.exhausts.map(\.solvedFlowM3PerS).reduce(0, +), qOut = s.returns.map(\.flowM3PerS).reduce(0, +)
        XCTAssertLessThanOrEqual(abs(qIn - qOut) / qIn, 1e-6)
        // Energy: the racks' heat (above the 20 °C supply) leaves through the returns.
        XCTAssertEqual(s.heatInW, 1.204 * 1006 * (0.080 * 14 + 0.061 * 9.5), accuracy: 1e-6 * s.heatInW)
        XCTAssertLessThanOrEqual(s.relativeHeatError, 0.005)
        // The returns' mixed air lies between the exhausts.
        let tOut = s.returns.reduce(0) { $0 + $1.flowM3PerS * $1.temperatureC } / qOut
        XCTAssertGreaterThan(tOut, 29.5 - 0.05)
        XCTAssertLessThan(tOut, 34.0 + 0.05)
        // Tray probes: sampled in the hall, one per jet station.
        XCTAssertEqual(s.trays.count, 1)
        XCTAssertEqual(s.probes.count, s.trays[0].samples.count)
        XCTAssertTrue(s.probes.allSatisfy { $0.solvedTemperatureC.isFinite })

        // A surge frame with hotter exhausts (k and ε stepped in time with the flow, at the step
        // settings `rackflow room --surge` uses): mass to 1e-6, and the return grilles' backflow
        // follows their mixed cup.
        let frames = try RoomAirFrames(solve, maxOuter: 10, tolerance: 1e-5)
        XCTAssertEqual(
            frames.frames[0].returnBackflowC, (0.080 * 34 + 0.061 * 29.5) / 0.141, accuracy: 1e-12)
        let f = try frames.advance(
            frameS: 0.5, exhausts: try exhausts(spec, [(0.080, 44.0), (0.061, 39.5)], profiled: true))
        // The sub-ducts follow the frame's exhausts.
        XCTAssertEqual(
            air.ducts[0].reduce(0) { $0 + solve.inflow($1.name).flowM3PerS }, 0.080, accuracy: 1e-12 * 0.080)
        let hot = (0.080 * 44 + 0.061 * 39.5) / 0.141
        XCTAssertEqual(f.returnBackflowC, hot, accuracy: 1e-12)
        XCTAssertLessThanOrEqual(solve.solver.balance().relativeMassImbalance, 1e-6)
        let returns = solve.solver.flow.patches.indices.filter {
            if case .pressureOutlet = solve.solver.flow.patches[$0].kind { return true }
            return false
        }
        XCTAssertFalse(returns.isEmpty)
        for r in returns {
            let ts = solve.solver.backflowTemperaturesC(patch: r)
            XCTAssertFalse(ts.isEmpty)
            XCTAssertTrue(ts.allSatisfy { abs($0 - hot) <= 1e-12 * hot }, "\(ts.prefix(3)) against \(hot)")
        }
    }

    /// `hall.turbulence: mixingLength` on the coarse hall: the hall's case carries the mixing
    /// length, converges, conserves mass and the racks' heat, and a surge frame keeps mass to 1e-6.
    func testRoomAirWithTheMixingLength() throws {
        let spec = try room(hall: String(Self.coarse.dropLast()) + ", turbulence: mixingLength}")
        let flows = [(0.080, 34.0), (0.061, 29.5)]
        let air = try RoomAir(spec: spec, exhausts: try exhausts(spec, flows))
        guard case .mixingLength = air.genericCase.turbulence else { return XCTFail("not the mixing length") }
        let solve = try RoomAirSolve(air)
        try solve.solve()
        let s = solve.summary(
            jet: TrayProbes.trays(spec, exhausts: air.exhausts, roomC: 20, densityKgPerM3: 1.204))
        print("room air, mixing length: \(s.iterations) iterations, converged \(s.converged)")
        XCTAssertTrue(s.converged)
        let qIn = s.exhausts.map(\.solvedFlowM3PerS).reduce(0, +), qOut = s.returns.map(\.flowM3PerS).reduce(0, +)
        XCTAssertLessThanOrEqual(abs(qIn - qOut) / qIn, 1e-6)
        XCTAssertLessThanOrEqual(s.relativeHeatError, 0.005)
        let frames = try RoomAirFrames(solve, maxOuter: 10, tolerance: 1e-5)
        _ = try frames.advance(frameS: 0.5, exhausts: try exhausts(spec, [(0.080, 44.0), (0.061, 39.5)]))
        XCTAssertLessThanOrEqual(solve.solver.balance().relativeMassImbalance, 1e-6)
    }

    func testBadHallKeysNameFileKeyAndProblem() throws {
        let cases: [(String, String, String)] = [
            ("hall: {margins: 1}", "hall.margins", "unknown key 'margins'"),
            ("hall: {margin: -1}", "hall.margin", "must be ≥ 0 m"),
            ("hall: {ceilingHeight: 0.7}", "hall.ceilingHeight", "must be above the racks"),
            ("hall: {spacing: 0.3, maxSpacing: 0.1}", "hall.maxSpacing", "must be ≥ spacing"),
            ("hall: {trayFreeArea: 0}", "hall.trayFreeArea", "must be > 0 and ≤ 1"),
            ("hall: {turbulence: kOmega}", "hall.turbulence", "must be one of mixingLength, kEpsilon"),
            ("hall: {trayHeight: 0.9}", "hall.trayHeight", "would reach down to the rack roofs"),
            ("hall: {returns: []}", "hall.returns", "at least one return grille"),
            ("hall: {returns: [{x: [0, 1], y: [2, 1]}]}", "hall.returns[0].y", "from < to"),
            ("hall: {returns: [{x: [0, 9], y: [0, 1]}]}", "hall.returns[0].x", "outside the hall's ceiling"),
            (
                "hall: {returns: [{name: r, x: [0, 1], y: [0, 1]}, {name: r, x: [0, 1], y: [0, 1]}]}",
                "hall.returns[1].name", "duplicate return name 'r'"
            ),
        ]
        for (yaml, key, problem) in cases {
            XCTAssertThrowsError(try room(hall: yaml), key) { e in
                guard let c = e as? InputError else { return XCTFail("\(key): not an InputError: \(e)") }
                XCTAssertTrue(c.file?.hasSuffix("inline.yaml") == true, "\(key): \(c)")
                XCTAssertEqual(c.keyPath, key, "\(c)")
                XCTAssertTrue(c.problem.contains(problem), "\(key): \(c.problem)")
                XCTAssertNotNil(c.line, "\(key): \(c)")
            }
        }
        // Defaults: a room file without `hall:` keeps working, with one return per row.
        let t = try RoomSpec.load(path: Self.rooms.appendingPathComponent("test-room.yaml").path)
        XCTAssertEqual(t.hall.returns.map(\.name), ["return-A", "return-B"])
        XCTAssertEqual(t.hall.marginM, 1.0)
        XCTAssertEqual(t.hall.ceilingHeightM, 3.0)
        // A tray hanging 3 cm over the 0.4 m roofs still loads without `hall:` (a thinner tray).
        let low = try RoomSpec.parse(
            yaml: RoomTests.base + "\ncableTrays: [{name: t, x: [0, 1], y: 0.1, z: 0.43}]",
            file: Self.rooms.appendingPathComponent("inline.yaml").path)
        XCTAssertEqual(low.hall.trayHeightM, 1.8 * 0.03, accuracy: 1e-12)
    }
}
