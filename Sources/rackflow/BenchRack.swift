import ArgumentParser
import Foundation
import RackFlowModel
import RackFlowExport
import RackFlowNumerics
import RackFlowBench

extension Bench {
    struct Rack: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Time a steady rack solve to convergence (default: the bundled refinery rack) against the "
                + "targets: ≤ 25 s at the default grid, ≤ 20 s with --max-spacing 0.03."
        )
        @Argument(help: "Rack or case file (default: the bundled refinery rack).") var config: String?
        @Option(help: "Largest grid spacing, m (overrides the file).") var maxSpacing: Double?
        @Option(help: "Target wall seconds (default: 25, or 20 when --max-spacing ≥ 0.03).") var target: Double?
        @Option(
            help: ArgumentHelp(
                "Stop after this many outer iterations (per-iteration cost without a full solve; the target is then "
                    + "not judged).")
        ) var maxIterations: Int?
        @Option(
            help: ArgumentHelp(
                "Afterwards, re-solve the last pressure-correction system alone this many times with each multigrid "
                    + "smoother (point, lines) and report its cost (best of the repeats).")
        ) var pressureRepeats: Int = 0
        @Flag(help: "Print one JSON object.") var json = false

        struct Result: Codable {
            var caseName: String
            var cells: Int
            var iterations: Int
            var converged: Bool
            /// Fine-grid work units: outer iterations weighted by their grid's cells over the
            /// fine grid's. Every outer iteration runs on the case's own grid, so it equals
            /// `iterations`; the field is there so that a multilevel solve reports like for like.
            var fineGridWorkUnits: Double
            var compileSeconds: Double
            var solveSeconds: Double
            var wallSeconds: Double
            var secondsPerIteration: Double
            var usPerCellIteration: Double
            var targetSeconds: Double
            var meetsTarget: Bool
            var massImbalance: Double
            var energyError: Double
            var phases: [String: Double]
        }

        func run() throws {
            let t0 = Date()
            let c = try loadCase(config, maxSpacing: maxSpacing)
            let tc = Date()
            _ = try c.genericCase.compile()
            let compileSeconds = Date().timeIntervalSince(tc)
            let progress = SolveProgress(enabled: !json, maxIterations: c.genericCase.options.maxIterations)
            let run = try SteadyRun.run(
                c, configure: { if let n = maxIterations { $0.maxIterations = n } },
                progress: { r, s in progress.update(r, solver: s) })
            progress.finish()
            let s = run.summary
            let wall = Date().timeIntervalSince(t0)
            let goal = target ?? ((maxSpacing ?? c.genericCase.constraints.maxSpacingM) >= 0.03 - 1e-12 ? 20 : 25)
            let r = Result(
                caseName: s.caseName, cells: s.grid.cells, iterations: s.iterations, converged: s.converged,
                fineGridWorkUnits: Double(s.iterations),
                compileSeconds: compileSeconds, solveSeconds: s.solveSeconds, wallSeconds: wall,
                secondsPerIteration: s.solveSeconds / Double(max(s.iterations, 1)),
                usPerCellIteration: s.solveSeconds / Double(max(s.iterations, 1) * s.grid.cells) * 1e6,
                targetSeconds: goal, meetsTarget: s.converged && wall <= goal,
                massImbalance: s.balance.massImbalance, energyError: s.balance.energyError,
                phases: run.solver.phaseSeconds)
            if json {
                print(try ResultWriter.json(r), terminator: "")
                return
            }
            print(
                String(
                    format: "bench rack — %@: %d cells, %d outer iterations = %.0f fine-grid work units (%@), "
                        + "%.1f s wall (target %.0f s: %@); %.2f s per iteration, %.2f µs per cell per iteration",
                    r.caseName, r.cells, r.iterations, r.fineGridWorkUnits,
                    r.converged ? "converged" : "NOT converged",
                    r.wallSeconds, goal,
                    r.meetsTarget ? "met" : "MISSED", r.secondsPerIteration, r.usPerCellIteration))
            print(
                "  phases: "
                    + r.phases.sorted { $0.value > $1.value }.map { String(format: "%@ %.1f s", $0.key, $0.value) }
                    .joined(separator: ", "))
            if pressureRepeats > 0 {
                // The solver's own smoother, then the alternatives the pressureMultigrid comment weighs.
                let variants: [(String, MultigridOptions?)] = [
                    ("this case's smoother", nil),
                    (
                        "point, plain 2×2×2 blocks",
                        {
                            var o = MultigridOptions()
                            o.allowLines = false
                            return o
                        }()
                    ),
                    ("lines where anisotropic (share 0.7)", .lines(share: 0.7, sweeps: 2)),
                    ("lines along every axis, 2 sweeps", .lines(share: 0, sweeps: 2)),
                    ("lines along every axis, 1 sweep", .lines(share: 0, sweeps: 1)),
                ]
                for (name, mg) in variants {
                    let p = try run.solver.benchmarkPressure(repeats: pressureRepeats, multigrid: mg)
                    print(
                        String(
                            format:
                                "  pressure alone, %@: %d CG iterations to %.1e, %.1f ms per solve; V-cycle %.2f ms, "
                                + "operator %.2f ms, dot %.2f ms; setup %.1f ms; levels %@, line axes %@",
                            name, p.cgIterations, p.relativeResidual, p.solveSeconds * 1e3, p.vCycleMs, p.operatorMs,
                            p.dotMs,
                            p.setupSeconds * 1e3, p.levels.joined(separator: ", "), p.lineAxes.description))
                }
            }
        }
    }
}
