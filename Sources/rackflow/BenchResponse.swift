import ArgumentParser
import Foundation
import RackFlowModel
import RackFlowNumerics
import RackFlowPhysics

extension Bench {
    /// The thermal response model's frozen-flow energy solves, one part at a time against
    /// several parts in lockstep, side by side on one operator.
    struct Response: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Time the response model's frozen-flow energy solves: one part at a time (BiCGSTAB) against "
                + "the parts of one node in lockstep (batched BiCGSTAB), alternated on the same operator."
        )
        @Argument(help: "Rack file (default: the bundled refinery rack).") var config: String?
        @Option(help: "Largest grid spacing, m (overrides the file).") var maxSpacing: Double?
        @Option(help: "Start the steady solve from an earlier result folder's solution (its state/).") var from: String?
        @Option(help: "Parts solved, from the first node on (default: the first node's).") var parts: Int?
        @Option(help: "Rounds of (one at a time, lockstep).") var rounds: Int = 2
        @Option(help: "Relative tolerance of each solve.") var tolerance: Double = 1e-7

        func run() throws {
            let c = try loadCase(config, maxSpacing: maxSpacing)
            guard let layout = c.layout else {
                throw InputError(file: c.path, line: nil, keyPath: "nodes", problem: "a generic case, not a rack")
            }
            let start = try from.map { try SolveCommand.readSolution($0) }
            let run = try SteadyRun.run(c, start: start)
            let s = run.solver
            let n = s.flow.grid.cellCount
            let op = FrozenFlowEnergy(s)
            let shares = layout.heatShares(report: run.report, heatW: s.flow.heatW)
            let first = layout.parts.first?.node
            let count = min(parts ?? layout.parts.filter { $0.node == first }.count, shares.count)
            guard count > 0 else { throw ValidationError("no parts with heat cells") }
            print(
                "bench response — \(c.genericCase.name): \(n) cells, \(count) parts, tolerance \(tolerance); "
                    + "steady solve \(run.summary.iterations) outer iterations")

            let q = op.makeVector(), single = (0..<count).map { _ in op.makeVector() }
            let batch = op.batchedSolver(columns: count)
            let b = batch.makeBlock(), x = batch.makeBlock()
            var difference = 0.0, scale = 0.0
            for round in 1...max(rounds, 1) {
                // One at a time, each from the previous part's response (as the builder did).
                let t0 = Date()
                var singleIterations: [Int] = []
                for g in 0..<count {
                    q.fill(0)
                    for (cell, w) in shares[g] { q.p[cell] = w }
                    if g > 0 { single[g].copy(from: single[g - 1]) } else { single[g].fill(0) }
                    singleIterations.append(try op.solve(q, single[g], tolerance: tolerance))
                }
                let tSingle = Date().timeIntervalSince(t0)
                // In lockstep, from zero.
                let t1 = Date()
                batch.setColumns(b, Array(shares.prefix(count)))
                x.fill(0)
                let batchIterations = try batch.solve(b, x, columns: count, tolerance: tolerance)
                let tBatch = Date().timeIntervalSince(t1)
                for g in 0..<count {
                    for cell in 0..<n {
                        difference = max(difference, abs(x.p[cell * count + g] - single[g].p[cell]))
                        scale = max(scale, abs(single[g].p[cell]))
                    }
                }
                print(
                    String(
                        format: "  round %d: one at a time %.2f s (%d BiCGSTAB iterations), lockstep %.2f s "
                            + "(%d column iterations, the slowest %d): %.2f×",
                        round, tSingle, singleIterations.reduce(0, +), tBatch, batchIterations.reduce(0, +),
                        batchIterations.max() ?? 0, tSingle / tBatch))
            }
            print(String(format: "  largest difference %.1e K/W (largest response %.3g K/W)", difference, scale))
        }
    }
}
