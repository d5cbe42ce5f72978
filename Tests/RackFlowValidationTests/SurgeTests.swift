import XCTest
import RackFlowTestSupport
import Foundation
@testable import RackFlowModel
import RackFlowPhysics

/// Physics over time (issue 6) on a one-node rack at 3 cm: the idle state, then ignition at
/// 0.5 s. The blower is held constant here so every change comes from the node itself.
final class SurgeTests: XCTestCase {
    static let meshes = Repository.root.appendingPathComponent("Meshes").path

    static func run(_ scenarioBody: String, frames: Int) throws -> SurgeRun {
        let dir = try TemporaryFolder.make("rackflow-surge")
        defer { TemporaryFolder.remove(dir) }
        let path = dir.appendingPathComponent("s.yaml").path
        try ("name: test\nrack: \(meshes)/racks/one-node.yaml\n" + scenarioBody).write(
            toFile: path, atomically: true, encoding: .utf8)
        let r = try SurgeRun(try Scenario.load(path: path))
        try r.solveIdle()
        for _ in 0..<frames { try r.advanceFrame() }
        return r
    }

    static let fans = """
        fans:
          intake: {sensor: load, low: 0.1, high: 0.9, minDuty: 0.35, spinUp: 1.0, spinDown: 6}
          gpu: {sensor: own, low: 35, high: 75, minDuty: 0.30, spinUp: 1.0, spinDown: 4}
        blower: {idle: 1, full: 1}
        solver: {minOuter: 2, maxOuter: 6, tolerance: 1.0e-4}

        """
    static let surge = Result {
        try run("duration: 2.5\nfps: 12\nload: {idle: 0.05, onset: 0.5, ramp: 0.5}\n" + fans, frames: 30)
    }
    static let idle = Result {
        try run("duration: 1\nfps: 12\nload: {idle: 0.05, full: 0.05, onset: 0.5}\n" + fans, frames: 12)
    }

    func testTemperaturesRiseAfterIgnitionWithALag() throws {
        let r = try Self.surge.get()
        XCTAssertTrue(r.idleConverged)
        let f = r.frames
        let gpu = f.map { $0.nodes[0].gpuMaxC }, exhaust = f.map { $0.nodes[0].exhaustC }
        // Nothing moves before ignition (frames 0…6 are t ≤ 0.5 s).
        for i in 1...6 { XCTAssertEqual(gpu[i], gpu[0], accuracy: 0.02, "GPU moved before ignition at frame \(i)") }
        let rise = gpu.last! - gpu[0]
        XCTAssertGreaterThan(rise, 5, "the GPU barely warmed: \(gpu)")
        // The die leads, its heat sink and the air lag: 1/12 s after ignition the GPU has
        // risen less than a fifth of its end rise, and the exhaust less than a tenth of its own.
        XCTAssertLessThan(gpu[7] - gpu[0], 0.2 * rise)
        let exRise = exhaust.last! - exhaust[0]
        XCTAssertGreaterThan(exRise, 0.3, "exhaust \(exhaust)")
        XCTAssertLessThan(exhaust[7] - exhaust[0], 0.1 * exRise)
        // Still rising at the end: the heat sink's time constant is far longer than 2 s.
        XCTAssertGreaterThan(gpu[30] - gpu[29], 0)
        // Rises monotonically after ignition (a first-order lag has no overshoot).
        for i in 8...30 { XCTAssertGreaterThanOrEqual(gpu[i], gpu[i - 1] - 1e-6, "GPU fell at frame \(i)") }
    }

    func testFansReact() throws {
        let r = try Self.surge.get()
        let first = r.frames.first!, last = r.frames.last!
        XCTAssertGreaterThan(last.nodes[0].fanRPM, 2 * first.nodes[0].fanRPM, "intake fans did not ramp")
        let blowers = r.fans.enumerated().filter { $0.element.kind == "gpu" }.map(\.offset)
        for b in blowers { XCTAssertGreaterThan(last.fanRPM[b], first.fanRPM[b], "\(r.fans[b].name) did not spin up") }
        // Faster fans move more air through the GPU ducts, not through the (fixed) rack inlet.
        XCTAssertEqual(
            last.nodes[0].airflowM3PerS, first.nodes[0].airflowM3PerS, accuracy: 1e-3 * first.nodes[0].airflowM3PerS)
    }

    func testEnergyBalanceOverTheRun() throws {
        let e = try Self.surge.get().energy
        // Heat into the air = heat stored in the air + heat carried out, within 1 %.
        XCTAssertLessThan(e.airBalanceError, 0.01, "\(e)")
        // The parts' books close exactly: electrical = stored in parts + released to the air.
        XCTAssertEqual(e.electricalJ, e.storedInPartsJ + e.toAirJ, accuracy: 1e-9 * e.electricalJ)
        XCTAssertGreaterThan(e.storedInPartsJ, 0)
        XCTAssertGreaterThan(e.storedInAirJ, 0)
    }

    func testSmokeFollowsTheAirOfIgnitedNodes() throws {
        let r = try Self.surge.get()
        // Ahead of the front mesh (the door side) the air comes from the plenum: clean, right up
        // to the mesh (smoke is the air that crossed it; pinned cells behind the mesh once leaked
        // ≈ 8 % into the first cells ahead of it by turbulent diffusion).
        let front = r.report.planeFaces[r.layout.nodes[0].frontPlane]!
        let g = r.solver.flow.grid
        func ahead(_ d: Int) -> Double {
            let cells = front.faces.compactMap { f -> Int? in
                let (i, j, k) = (f % g.nx, (f / g.nx) % (g.ny + 1), f / (g.nx * (g.ny + 1)))
                return j - d >= 0 ? i + g.nx * (j - d + g.ny * k) : nil
            }
            return cells.map { r.smoke.p[$0] }.reduce(0, +) / Double(cells.count)
        }
        XCTAssertLessThan(ahead(1), 1e-3, "smoke just ahead of the mesh")
        XCTAssertLessThan(ahead(3), 1e-3, "smoke in the door-side air")
        // Two seconds after ignition the node's air leaves through its rear openings smoky.
        let exits = r.layout.nodes[0].exitPlanes.compactMap { r.report.planeFaces[$0] }
        let cells = exits.flatMap { r.solver.cellsDownstream(axis: $0.axis, faces: $0.faces) }
        let mean = cells.map { r.smoke.p[$0] }.reduce(0, +) / Double(cells.count)
        XCTAssertGreaterThan(mean, 0.5, "smoke behind the node: \(mean)")
    }

    func testAnIdleScenarioStaysAtItsSteadyState() throws {
        let r = try Self.idle.get()
        let f0 = r.frames[0]
        for f in r.frames {
            XCTAssertEqual(f.nodes[0].gpuMaxC, f0.nodes[0].gpuMaxC, accuracy: 0.05, "frame \(f.index)")
            XCTAssertEqual(f.nodes[0].cpuC, f0.nodes[0].cpuC, accuracy: 0.05, "frame \(f.index)")
            XCTAssertEqual(f.nodes[0].exhaustC, f0.nodes[0].exhaustC, accuracy: 0.02, "frame \(f.index)")
            XCTAssertEqual(
                f.nodes[0].airflowM3PerS, f0.nodes[0].airflowM3PerS, accuracy: 2e-3 * f0.nodes[0].airflowM3PerS)
            XCTAssertEqual(f.nodes[0].fanRPM, f0.nodes[0].fanRPM, accuracy: 1e-6 * f0.nodes[0].fanRPM)
        }
    }
}
