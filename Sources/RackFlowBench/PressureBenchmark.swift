import Foundation
import RackFlowNumerics
import RackFlowPhysics

/// The pressure-correction solve in isolation, on the system of the last outer iteration:
/// the phase that dominates a rack solve, timed without the rest of SIMPLEC around it.
public struct PressureBenchmark: Sendable {
    public var cgIterations: Int
    public var setupSeconds: Double
    /// Wall time of one solve from zero (the best of the repeats).
    public var solveSeconds: Double
    public var levels: [String]
    public var lineAxes: [[Int]]
    public var relativeResidual: Double
    /// Cost of one V-cycle, one operator product and one dot product, ms (best of 10).
    public var vCycleMs: Double, operatorMs: Double, dotMs: Double
}

extension FlowSolver {
    /// Re-solves the last pressure-correction system `repeats` times from a zero guess with a
    /// freshly built preconditioner, to the solver's own tolerance. Leaves the solution alone.
    public func benchmarkPressure(repeats: Int, multigrid: MultigridOptions? = nil) throws -> PressureBenchmark {
        let (pc, pcRHS) = lastPressureSystem
        let rhs = PaddedVector(count: pc.count, pad: pc.pad), x = PaddedVector(count: pc.count, pad: pc.pad)
        let t0 = Date()
        let solver = try MultigridCG(pc, multigrid: multigrid ?? options.pressureMultigrid)
        let setup = Date().timeIntervalSince(t0)
        var opts = KrylovOptions(tolerance: options.pressureTolerance, maxIterations: 200)
        opts.throwOnFailure = false
        var best = Double.infinity, report = SolveReport(solver: "")
        for _ in 0..<max(repeats, 1) {
            rhs.copy(from: pcRHS)
            x.fill(0)
            let t = Date()
            report = try solver.solve(rhs, x, options: opts, nullSpace: .project)
            best = min(best, Date().timeIntervalSince(t))
        }
        func fastest(_ body: () -> Void) -> Double {
            var b = Double.infinity
            for _ in 0..<10 {
                let t = Date()
                body()
                b = min(b, Date().timeIntervalSince(t))
            }
            return b * 1e3
        }
        let z = PaddedVector(count: pc.count, pad: pc.pad)
        let vCycle = fastest { solver.multigrid.apply(rhs, z) }
        let op = fastest { pc.apply(rhs, z) }
        var sink = 0.0
        let dot = fastest { sink += BLAS.dot(pc.count, rhs.p, z.p) }
        _ = sink
        return PressureBenchmark(
            cgIterations: report.iterations, setupSeconds: setup, solveSeconds: best,
            levels: solver.multigrid.levelSizes.map { "\($0.0)×\($0.1)×\($0.2)" },
            lineAxes: solver.multigrid.lineAxes, relativeResidual: report.relativeResidual,
            vCycleMs: vCycle, operatorMs: op, dotMs: dot)
    }
}
