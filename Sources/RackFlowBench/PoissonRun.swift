import Foundation
import RackFlowNumerics

/// The measured outcome of one `bench poisson` run; encoded as the `--json` object.
public struct PoissonBenchResult: Codable {
    public var cells: Int
    public var n: Int
    public var problem: String
    public var iterations: Int
    public var relativeResidual: Double
    public var residualHistory: [Double]
    public var assembleSeconds: Double
    public var setupSeconds: Double
    public var solveSeconds: Double
    public var totalSeconds: Double
    public var secondsPerIteration: Double
    public var levels: [[Int]]
    public var lineAxes: [[Int]]
    public var maxAspectRatio: Double
    public var peakResidentBytes: Int
    public var bytesPerCell: Double
    public var bytesTouchedPerIteration: Double
    public var streamBandwidthGBps: Double
    public var effectiveBandwidthGBps: Double
    /// Iteration time over the time to stream its bytes at the measured bandwidth (≥ 1).
    public var iterationToStreamRatio: Double
    public var workers: Int
    public var blasThreads: Int
    public var solutionSum: Double
    public var machine: String
}

public enum PoissonRun {
    /// Builds the benchmark problem, solves it, then measures the machine's streaming
    /// bandwidth (after the solve, so its arrays do not count in the peak memory).
    /// `assemble` = stencil and right-hand side, `setup` = multigrid hierarchy, coarse
    /// Cholesky factor and connected pieces, `solve` = PCG to `tolerance`.
    public static func run(
        n: Int, stretch: Double = 0, constant: Bool = false, tolerance: Double = 1e-8,
        solutionPath: String? = nil
    ) throws -> PoissonBenchResult {
        let clock = { Double(DispatchTime.now().uptimeNanoseconds) * 1e-9 }
        let t0 = clock()
        let bench = PoissonBenchmark(
            n: n, stretch: stretch, constantCoefficient: constant, allDirichlet: constant, withSolids: !constant)
        let A = bench.problem.stencil()
        let b = PaddedVector(bench.rhs, pad: A.pad)
        let x = PaddedVector(count: A.count, pad: A.pad)
        let t1 = clock()
        let cg = try MultigridCG(A)
        let t2 = clock()
        let report = try cg.solve(b, x, options: KrylovOptions(tolerance: tolerance, maxIterations: 1000))
        let t3 = clock()
        let peak = Machine.peakResidentBytes()
        if let path = solutionPath {
            let data = x.array.withUnsafeBufferPointer { Data(buffer: $0) }
            try data.write(to: URL(fileURLWithPath: path), options: .atomic)
        }
        let sum = x.array.reduce(0, +)
        let stream = Machine.streamBandwidth()
        let bytes = bytesPerIteration(cg)
        let perIt = (t3 - t2) / Double(max(report.iterations, 1))
        return PoissonBenchResult(
            cells: A.count, n: n,
            problem: constant
                ? "constant-coefficient, Dirichlet on all sides"
                : "10:1 coefficient jump, 3 solid blocks, Dirichlet west, insulated elsewhere"
                    + (stretch > 0 ? ", grid clustered to walls (tanh \(stretch))" : ""),
            iterations: report.iterations, relativeResidual: report.relativeResidual,
            residualHistory: report.residualHistory,
            assembleSeconds: t1 - t0, setupSeconds: t2 - t1, solveSeconds: t3 - t2, totalSeconds: t3 - t0,
            secondsPerIteration: perIt,
            levels: cg.multigrid.levelSizes.map { [$0.0, $0.1, $0.2] }, lineAxes: cg.multigrid.lineAxes,
            maxAspectRatio: bench.problem.grid.maxAspectRatio,
            peakResidentBytes: peak, bytesPerCell: Double(peak) / Double(A.count),
            bytesTouchedPerIteration: bytes, streamBandwidthGBps: stream / 1e9,
            effectiveBandwidthGBps: bytes / perIt / 1e9, iterationToStreamRatio: perIt / (bytes / stream),
            workers: Parallel.workers, blasThreads: BLAS.threads, solutionSum: sum, machine: Machine.description)
    }

    /// Bytes one PCG iteration must move between memory and the core, counted per kernel
    /// (8-byte values; a kernel streams every array it reads and writes once):
    /// red–black half-sweep 7 arrays (east, north, top, 1/diag, b read; x read+write),
    /// residual 7, zero-fill 1, restriction 1 + 1/8, prolongation 2 + 1/8, per level;
    /// plus the outer CG: operator 6, two dots 4, axpby 3, two axpys 6, norm 1.
    public static func bytesPerIteration(_ cg: MultigridCG) -> Double {
        let sweeps = Double(cg.multigrid.options.sweeps) // pre and post, two half-sweeps each
        var words = 0.0
        let sizes = cg.multigrid.levelSizes
        for (l, s) in sizes.enumerated() {
            let cells = Double(s.0 * s.1 * s.2)
            if l == sizes.count - 1 {
                words += cells * Double(s.0 * s.1 + 1) * 2 // banded forward and back substitution
            } else {
                words += cells * (2 * sweeps * 2 * 7 + 7 + 1 + (1 + 0.125) + (2 + 0.125))
            }
        }
        words += Double(cg.A.count) * (6 + 4 + 3 + 6 + 1)
        return 8 * words
    }
}
