import XCTest
import RackFlowTestSupport
import Foundation
import RackFlowModel
import RackFlowPhysics

/// Warm restarts (`FlowSolver.solutionState()`, `start(from:)`, `SteadyRun.run(start:)`) on the
/// bundled duct: the same grid is copied exactly, a linear field crosses grids exactly, and a
/// changed input converges from the earlier answer in fewer iterations than from rest.
final class WarmStartTests: XCTestCase {
    static func duct(maxSpacing: Double? = nil) throws -> CaseFile {
        var c = try CaseFile.load(path: CaseTests.casesDir.appendingPathComponent("duct-with-sheet.yaml").path)
        if let maxSpacing { c.setMaxSpacing(maxSpacing) }
        return c
    }

    func testSameGridIsCopiedExactly() throws {
        let run = try SteadyRun.run(try Self.duct())
        let state = run.solver.solutionState()
        let (flow, options, _) = try run.genericCase.compile()
        let fresh = try FlowSolver(flow, options: options)
        XCTAssertTrue(try fresh.start(from: state))
        for (a, b) in zip(
            fresh.velocity + [fresh.pressure, fresh.temperature],
            run.solver.velocity + [run.solver.pressure, run.solver.temperature])
        {
            XCTAssertEqual(a.array, b.array)
        }
    }

    /// Trilinear interpolation reproduces a field linear in x, y and z wherever the target lies
    /// between source points (here the air of a grid twice as fine).
    func testLinearFieldCrossesGridsExactly() throws {
        let coarse = try SteadyRun.run(try Self.duct(), configure: { $0.maxIterations = 1 })
        let g = coarse.solver.flow.grid
        func linear(_ x: Double, _ y: Double, _ z: Double) -> Double { 20 + 3 * x - 7 * y + 11 * z }
        var state = coarse.solver.solutionState()
        var t = [Double](repeating: 0, count: g.cellCount)
        for k in 0..<g.nz {
            for j in 0..<g.ny {
                for i in 0..<g.nx {
                    t[g.index(i, j, k)] = linear(g.x.centres[i], g.y.centres[j], g.z.centres[k])
                }
            }
        }
        state.arrays["temperature"] = t
        state.arrays["solid"] = [Double](repeating: 0, count: g.cellCount)
        let (flow, options, _) = try Self.duct(maxSpacing: 0.0125).genericCase.compile()
        let fine = try FlowSolver(flow, options: options)
        XCTAssertFalse(try fine.start(from: state))
        let f = flow.grid
        var checked = 0
        for k in 0..<f.nz {
            for j in 0..<f.ny {
                for i in 0..<f.nx {
                    let (x, y, z) = (f.x.centres[i], f.y.centres[j], f.z.centres[k])
                    guard x > g.x.centres.first!, x < g.x.centres.last!, y > g.y.centres.first!, y < g.y.centres.last!,
                        z >= g.z.centres.first!, z <= g.z.centres.last!
                    else { continue }
                    XCTAssertEqual(fine.temperature.p[f.index(i, j, k)], linear(x, y, z), accuracy: 1e-10)
                    checked += 1
                }
            }
        }
        XCTAssertGreaterThan(checked, 100)
    }

    /// Half the heat in the porous sink: from the first answer the solve converges to the same
    /// figures as from rest (part and exhaust temperatures within 0.01 K) in fewer iterations.
    func testChangedInputConvergesFromEarlierAnswer() throws {
        let first = try SteadyRun.run(try Self.duct())
        let path = CaseTests.casesDir.appendingPathComponent("duct-with-sheet.yaml").path
        let text = try String(contentsOfFile: path, encoding: .utf8)
            .replacingOccurrences(of: "powerW: 30", with: "powerW: 15")
        let dir = try TemporaryFolder.make("rackflow-warm")
        defer { TemporaryFolder.remove(dir) }
        let changed = dir.appendingPathComponent("duct.yaml").path
        try text.write(toFile: changed, atomically: true, encoding: .utf8)
        let cold = try SteadyRun.run(try CaseFile.load(path: changed))
        let warm = try SteadyRun.run(
            try CaseFile.load(path: changed),
            start: (source: "first", state: first.solver.solutionState()))
        XCTAssertTrue(cold.summary.converged)
        XCTAssertTrue(warm.summary.converged)
        XCTAssertEqual(warm.summary.startedFrom, "first (same grid)")
        XCTAssertEqual(warm.summary.exhaustC, cold.summary.exhaustC, accuracy: 0.01)
        XCTAssertLessThan(warm.summary.iterations, cold.summary.iterations)
        print(
            "duct, sink 30 → 15 W: \(cold.summary.iterations) iterations from rest, "
                + "\(warm.summary.iterations) from the 30 W answer")
    }
}
