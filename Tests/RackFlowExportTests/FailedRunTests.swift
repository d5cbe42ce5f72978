import XCTest
import RackFlowTestSupport
import Foundation
import RackFlowNumerics
import RackFlowPhysics
@testable import RackFlowModel
import RackFlowExport

/// Divergence provoked on the one-node rack (61,200 cells): the run stops with the iteration,
/// field, cell, position, part and a suggestion, writes `<folder>.failed/`, and leaves an
/// earlier good result alone.
final class FailedRunTests: XCTestCase {
    static let meshes = Repository.root.appendingPathComponent("Meshes")
    var dir: URL!

    override func setUpWithError() throws {
        dir = TemporaryFolder.unique("divergence")
        for sub in ["racks", "nodes", "parts"] {
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            try FileManager.default.copyItem(
                at: Self.meshes.appendingPathComponent(sub), to: dir.appendingPathComponent(sub))
        }
    }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: dir) }

    /// The intake fans' curve scaled to 75 MPa and 50 m³/s (units mistyped in a part file): valid input,
    /// absurd physics. The snapshot goes next to the result folder; the earlier result survives.
    func testHugeFanPressureStopsWithSnapshot() throws {
        let fan = dir.appendingPathComponent("parts/fan-120mm-3000rpm.yaml")
        var text = try String(contentsOf: fan, encoding: .utf8)
        let old = "pressure: [74.8, 58.0, 44.0, 31.0, 16.0, 0.0]"
        XCTAssert(text.contains(old), "the fan part changed; update the test")
        text = text.replacingOccurrences(of: old, with: "pressure: [74.8e6, 58.0e6, 44.0e6, 31.0e6, 16.0e6, 0.0]")
        let oldFlow = "flow:     [0.0, 0.0104, 0.0207, 0.0311, 0.0415, 0.0519]"
        XCTAssert(text.contains(oldFlow), "the fan part changed; update the test")
        text = text.replacingOccurrences(of: oldFlow, with: "flow:     [0.0, 10.4, 20.7, 31.1, 41.5, 51.9]")
        try text.write(to: fan, atomically: true, encoding: .utf8)
        let c = try CaseFile.load(path: dir.appendingPathComponent("racks/one-node.yaml").path)
        var failure: RunDiverged?
        // And an absurd velocity relaxation (50; the file accepts at most 1), so that the run
        // diverges whichever check trips first, not only through the temperature bound. The
        // pseudo-time damping is off: with it, the rewinds absorb even this input (the solve ends
        // undiverged), and this test is about the snapshot a diverged run leaves.
        do {
            _ = try SteadyRun.run(
                c,
                configure: {
                    $0.velocityRelaxation = 50
                    $0.pseudoTransient = false
                })
        } catch let e as RunDiverged {
            failure = e
        }
        let f = try XCTUnwrap(failure, "the solve did not diverge")
        let d = f.divergence
        print(d)
        XCTAssertLessThan(d.iteration, 50)
        XCTAssertEqual(d.cell.count, 3)
        let g = f.solver.flow.grid
        XCTAssertEqual(d.positionM[0], g.x.centres[d.cell[0]], accuracy: 1e-12)
        XCTAssertEqual(d.positionM[2], g.z.centres[d.cell[2]], accuracy: 1e-12)
        for x in ["outer iteration \(d.iteration)", "(i=\(d.cell[0]), j=\(d.cell[1]), k=\(d.cell[2]))", " m", "Try:"] {
            XCTAssert(d.description.contains(x), "'\(x)' not in: \(d)")
        }

        // An earlier good result in the same place.
        let final = dir.appendingPathComponent("Results/one-node")
        try FileManager.default.createDirectory(at: final, withIntermediateDirectories: true)
        try "good".write(to: final.appendingPathComponent("summary.json"), atomically: true, encoding: .utf8)
        let snap = try FailedRunWriter.write(f, resultFolder: final, log: "case one-node\n")
        XCTAssertEqual(snap.lastPathComponent, "one-node.failed")
        XCTAssertEqual(try String(contentsOf: final.appendingPathComponent("summary.json"), encoding: .utf8), "good")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: final.path), ["summary.json"])
        let back = try JSONDecoder().decode(
            Divergence.self, from: Data(contentsOf: snap.appendingPathComponent("failure.json")))
        XCTAssertEqual(back.cell, d.cell)
        XCTAssertEqual(back.field, d.field)
        let csv = try String(contentsOf: snap.appendingPathComponent("residuals.csv"), encoding: .utf8)
        XCTAssertEqual(csv.split(separator: "\n").count, f.solver.history.count + 1)
        // The same columns as a finished run's residuals.csv.
        XCTAssertEqual(csv.split(separator: "\n").first.map(String.init), ResidualsCSV.header)
        let vtr = try VTKDoc(snap.appendingPathComponent("fields.vtr"))
        XCTAssert(vtr.arrays.contains { $0.name == "finite" })
        XCTAssert(vtr.arrays.contains { $0.name == "temperature" })
        // Nothing half-written is left beside them.
        let siblings = try FileManager.default.contentsOfDirectory(atPath: final.deletingLastPathComponent().path)
            .sorted()
        XCTAssertEqual(siblings, ["one-node", "one-node.failed"])
    }

    /// A face-field divergence is located in the cell on the face's low side and in the
    /// smallest named box holding it; transient runs get time-step advice.
    func testLocatesFaceInPart() throws {
        let c = try CaseFile.load(path: dir.appendingPathComponent("racks/one-node.yaml").path)
        let (flow, options, report) = try c.genericCase.compile()
        let solver = try FlowSolver(flow, options: options)
        let gpu = try XCTUnwrap(c.layout?.parts.first { $0.kind == "gpu" })
        let cells = try XCTUnwrap(report.boxCells[gpu.regionBox])
        let cell = cells[cells.count / 2]
        let (i, j, k) = flow.grid.ijk(cell)
        let face = i + (flow.grid.nx + 1) * (j + flow.grid.ny * k)
        let e = FlowSolverError.diverged(
            iteration: 7, field: .u, index: face,
            where_: "face (…) normal to x at (…) m, 9e9 m/s against a speed scale of 3 m/s")
        let d = try XCTUnwrap(Divergence(e, solver: solver, report: report, transient: true))
        XCTAssertEqual(d.cell, [i, j, k])
        let smallest = report.boxCells.filter { $0.value.contains(cell) }.min { $0.value.count < $1.value.count }!.key
        XCTAssertEqual(d.part, smallest)
        XCTAssert(d.part?.hasPrefix("node01/") == true, d.part ?? "nil")
        XCTAssertEqual(d.detail, "9e9 m/s against a speed scale of 3 m/s")
        XCTAssert(d.suggestion.contains("smaller time step"))
        XCTAssertNil(Divergence(InputError("not a divergence"), solver: solver, report: report))
    }
}
