import ArgumentParser
import Foundation
import RackFlowNumerics
import RackFlowBench

struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Measure solver performance (release builds; figures recorded in the README).",
        subcommands: [Poisson.self, Flow.self, CavityCommand.self, Rack.self, Response.self]
    )
}

extension Bench {
    struct Poisson: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Multigrid-preconditioned CG on a variable-coefficient Poisson problem of N³ cells.",
            discussion: """
                Default problem: unit cube, coefficient 10 for x > 0.5 and 1 elsewhere, three solid
                blocks, φ = 0 on the west face, insulated elsewhere. --constant solves the
                constant-coefficient all-Dirichlet problem of bench/poisson-vs-pyamg.sh instead.
                """
        )
        @Option(help: "Cells along each axis.") var n: Int = 128
        @Option(help: "Relative residual to reach.") var tolerance: Double = 1e-8
        @Option(help: "Cluster the grid toward the walls (tanh strength; 0 = uniform).") var stretch: Double = 0
        @Flag(help: "Constant coefficient, Dirichlet on every side, no solids.") var constant = false
        @Option(help: "Write the solution as raw little-endian float64 to this file.") var writeSolution: String?
        @Flag(help: "Print one JSON object instead of the table.") var json = false

        func validate() throws {
            guard n >= 4 && n <= 1024 else { throw ValidationError("--n must be between 4 and 1024 (got \(n))") }
            guard tolerance > 0 && tolerance < 1 else {
                throw ValidationError("--tolerance must be in (0, 1) (got \(tolerance))")
            }
            guard stretch >= 0 && stretch <= 5 else {
                throw ValidationError("--stretch must be in [0, 5] (got \(stretch))")
            }
        }

        func run() throws {
            let r = try PoissonRun.run(
                n: n, stretch: stretch, constant: constant, tolerance: tolerance, solutionPath: writeSolution)
            if json {
                let enc = JSONEncoder()
                enc.outputFormatting = [.sortedKeys]
                print(String(decoding: try enc.encode(r), as: UTF8.self))
                return
            }
            func f(_ x: Double, _ d: Int = 3) -> String { String(format: "%.\(d)f", x) }
            print(
                """
                bench poisson — \(r.problem)
                  machine            \(r.machine); \(r.workers) stencil workers, \(r.blasThreads) BLAS threads
                  cells              \(r.cells) (\(r.n)³), max aspect ratio \(f(r.maxAspectRatio, 1))
                  multigrid levels   \
                \(r.levels.map { $0.map(String.init).joined(separator: "×") }.joined(separator: " → "))
                  iterations         \(r.iterations) to relative residual \(String(format: "%.2e", r.relativeResidual))
                  assemble           \(f(r.assembleSeconds)) s
                  setup              \(f(r.setupSeconds)) s
                  solve              \(f(r.solveSeconds)) s (\(f(r.secondsPerIteration * 1000, 1)) ms per iteration)
                  setup + solve      \(f(r.setupSeconds + r.solveSeconds)) s; with assembly \(f(r.totalSeconds)) s
                  bandwidth          \(f(r.effectiveBandwidthGBps, 1)) GB/s effective vs \
                \(f(r.streamBandwidthGBps, 1)) GB/s streaming (iteration = \(f(r.iterationToStreamRatio, 2))× its \
                streaming time)
                  peak memory        \(r.peakResidentBytes >> 20) MiB resident, \(f(r.bytesPerCell, 0)) bytes per cell
                """)
        }
    }
}
