import XCTest
import RackFlowPhysics
import RackFlowBench

/// `rackflow bench flow` measures the cost of outer iterations on a heated box with every
/// object the solver knows; it is only a measurement if those iterations do not diverge. On
/// N = 40, 64 and 100 the fixed-relaxation iteration ran away at outer iteration 7–17 and no
/// test noticed. Here a small N runs well past that point, and on to a converged state.
final class FlowBenchmarkTests: XCTestCase {
    func testBenchmarkCaseRunsItsIterationsWithoutDiverging() throws {
        for n in [16, 24] {
            let r = try FlowBenchmark.run(n: n, iterations: 60)
            XCTAssertEqual(r.iterations, 60)
            XCTAssertTrue(r.finalMassResidual.isFinite)
        }
        // And the residual falls over those iterations (a runaway or a stall would not).
        let solver = try FlowSolver(FlowBenchmark.flowCase(n: 24))
        let first = try solver.iterate()
        var last = first
        for _ in 1..<60 { last = try solver.iterate() }
        XCTAssertLessThan(last.mass, 0.5 * first.mass, "N = 24: mass residual \(first.mass) -> \(last.mass)")
    }

    func testBenchmarkCaseConvergesWithDefaults() throws {
        let solver = try FlowSolver(FlowBenchmark.flowCase(n: 16))
        let last = try solver.solveSteady()
        XCTAssertLessThan(last.mass, solver.options.tolerance)
        print(
            "bench flow case N = 16: converged in \(last.iteration) outer iterations; "
                + "adaptations: \(solver.pseudo.adaptations)")
    }
}
