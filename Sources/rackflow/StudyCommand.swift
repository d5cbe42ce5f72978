import ArgumentParser
import Foundation
import RackFlowModel
import RackFlowExport

struct StudyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "study",
        abstract: "Studies over settings of one case.",
        subcommands: [GridStudy.self]
    )

    struct GridStudy: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "grid",
            abstract: "Solve on the case's grid and on one uniformly finer (every cell-size cap ÷ factor); compare "
                + "node flows and the hottest parts."
        )
        @Argument(help: "Rack or case file (default: the bundled refinery rack).") var config: String?
        @Option(help: "Refinement factor of the finer grid.") var factor: Double = 1.5
        @Option(help: "Largest grid spacing of the base grid, m (overrides the file).") var maxSpacing: Double?
        @Option(
            help: ArgumentHelp(
                stringLiteral: "Largest relative change (node flows, plenum pressure, GPU and "
                    + "least-margin part temperature rises) judged grid-independent."))
        var tolerance: Double = 0.02
        @Option(help: "Where to write grid-study.json and grid-study.md (default: Results/<case>/grid-study).")
        var output: String?
        @Flag(help: "Solve the fine grid from rest instead of from the base grid's answer (interpolated).")
        var cold = false

        /// A quantity is judged grid-independent when its relative change between the grids is at
        /// most `tolerance` (temperatures as a change of their rise above the inlet).
        struct Row: Codable {
            var quantity: String
            var base: Double
            var fine: Double
            var relativeChange: Double
            var tolerance: Double
            var independent: Bool
        }
        struct Study: Codable {
            var caseName: String
            var factor: Double
            var baseCells: Int
            var fineCells: Int
            var baseSeconds: Double
            var fineSeconds: Double
            var baseConverged: Bool
            var fineConverged: Bool
            var baseIterations: Int?
            var fineIterations: Int?
            /// How the fine solve started: "rest" or "base grid (interpolated)".
            var fineStartedFrom: String?
            var rows: [Row]
            var largestChange: Double
            /// Every row within its tolerance and both grids converged.
            var gridIndependent: Bool
        }

        func run() throws {
            guard factor >= 1 else { throw ValidationError("--factor must be ≥ 1") }
            guard tolerance > 0, tolerance.isFinite else {
                throw ValidationError("--tolerance must be a fraction > 0, e.g. 0.02")
            }
            let base = try loadCase(config, maxSpacing: maxSpacing)
            var fine = base
            fine.genericCase.constraints.refinement = factor * base.genericCase.constraints.refinement
            try ResultFolder.checkReplaceable(
                URL(fileURLWithPath: output ?? "Results/\(base.genericCase.name)/grid-study").standardizedFileURL)
            let runs = try solve(base, fine)
            let (a, b) = (runs[0].summary, runs[1].summary)
            let rows = rows(a, b)
            let study = Study(
                caseName: a.caseName, factor: factor, baseCells: a.grid.cells, fineCells: b.grid.cells,
                baseSeconds: a.solveSeconds, fineSeconds: b.solveSeconds, baseConverged: a.converged,
                fineConverged: b.converged, baseIterations: a.iterations, fineIterations: b.iterations,
                fineStartedFrom: cold ? "rest" : "base grid (interpolated)", rows: rows,
                largestChange: rows.map(\.relativeChange).max() ?? 0,
                gridIndependent: a.converged && b.converged && rows.allSatisfy(\.independent))
            let md = markdown(study, a, b)
            let dir = URL(fileURLWithPath: output ?? "Results/\(a.caseName)/grid-study")
            let folder = try ResultFolder(final: dir)
            do {
                try AtomicFile.write(
                    try ResultWriter.json(study),
                    to: folder.staging.appendingPathComponent("grid-study.json"))
                try AtomicFile.write(md, to: folder.staging.appendingPathComponent("grid-study.md"))
                try folder.commit()
            } catch {
                folder.abandon()
                throw error
            }
            print(md)
        }

        /// The base grid, then the fine one.
        func solve(_ base: CaseFile, _ fine: CaseFile) throws -> [SteadyRun] {
            var runs: [SteadyRun] = []
            for (label, c) in [("base", base), ("fine", fine)] {
                FileHandle.standardError.write("— \(label) grid\n".data(using: .utf8)!)
                let progress = SolveProgress(enabled: true, maxIterations: c.genericCase.options.maxIterations)
                // The fine grid starts from the base grid's answer, interpolated at each staggered
                // location (FieldTransfer): the flow pattern is already there.
                let start =
                    label == "fine" && !cold
                    ? (source: "base grid", state: runs[0].solver.solutionState()) : nil
                runs.append(
                    try SteadyRun.run(
                        c,
                        log: { line in
                            progress.finish()
                            FileHandle.standardError.write((line + "\n").data(using: .utf8)!)
                        }, progress: { r, s in progress.update(r, solver: s) }, start: start))
                progress.finish()
            }
            return runs
        }

        /// Each judged quantity on both grids: node flows, the hottest GPU (its own and the
        /// hottest anywhere), the part nearest its limit (its own and the nearest anywhere), the
        /// plenum pressure.
        func rows(_ a: SolveSummary, _ b: SolveSummary) -> [Row] {
            var rows: [Row] = []
            func add(_ q: String, _ x: Double, _ y: Double, scale: Double? = nil) {
                let change = abs(y - x) / max(abs(scale ?? x), 1e-300)
                rows.append(
                    Row(
                        quantity: q, base: x, fine: y, relativeChange: change, tolerance: tolerance,
                        independent: change <= tolerance))
            }
            for (n, m) in zip(a.nodes, b.nodes) { add("\(n.name) flow (m³/s)", n.flowM3PerS, m.flowM3PerS) }
            // Temperatures compare as rises above the inlet (a change in °C over 20 °C would flatter them).
            let gpuA = a.parts.filter { $0.kind == "gpu" }.max { $0.temperatureC < $1.temperatureC }
            if let g = gpuA, let h = b.parts.first(where: { $0.name == g.name }) {
                add("hottest GPU \(g.name) (°C)", g.temperatureC, h.temperatureC, scale: g.temperatureC - a.inletC)
            }
            let gpuB = b.parts.filter { $0.kind == "gpu" }.max { $0.temperatureC < $1.temperatureC }
            if let g = gpuB, let ga = gpuA {
                add("hottest GPU anywhere (°C)", ga.temperatureC, g.temperatureC, scale: ga.temperatureC - a.inletC)
            }
            // The part nearest its limit decides the verdict a user reads: a NIC at +5.4 K on a 4 cm
            // grid was at −1.5 K on the default 2 cm one, and the GPUs judged alone passed.
            let tightA = Self.tightest(a)
            if let t = tightA, let u = b.parts.first(where: { $0.name == t.name }) {
                add("least margin \(t.name) (°C)", t.temperatureC, u.temperatureC, scale: t.temperatureC - a.inletC)
            }
            // Anywhere: the least margins themselves (the parts may differ, and so may their limits),
            // as a change of the base part's rise.
            if let t = Self.tightest(b), let ta = tightA {
                add("least margin anywhere (K)", ta.marginK, t.marginK, scale: ta.temperatureC - a.inletC)
            }
            // A case without an inlet patch has no plenum pressure (NaN): no row, rather than a
            // NaN change that no grid could pass. Where fans push the air, the plenum pressure is
            // their rise less the losses, a small difference of large terms (−5.5 Pa against 36–37 Pa
            // of intake-fan rise on the one-node rack): its change is judged against the larger of
            // itself and the rise of the fans the whole flow passes (a rack's intake fans; else any).
            if a.plenumPressurePa.isFinite && b.plenumPressurePa.isFinite {
                let intake = a.fans.filter { $0.kind == "intake" }
                let fanRise =
                    (intake.isEmpty ? a.fans : intake).map { abs($0.pressureRisePa) }.filter(\.isFinite)
                    .max() ?? 0
                add(
                    "plenum pressure (Pa)", a.plenumPressurePa, b.plenumPressurePa,
                    scale: max(abs(a.plenumPressurePa), fanRise))
            }
            return rows
        }

        /// The part with the least margin to its limit, nil for a case without parts.
        static func tightest(_ s: SolveSummary) -> SolveSummary.Part? {
            s.parts.filter(\.marginK.isFinite).min { $0.marginK < $1.marginK }
        }

        /// grid-study.md.
        func markdown(_ study: Study, _ a: SolveSummary, _ b: SolveSummary) -> String {
            let rows = study.rows
            var md = "# Grid study: \(a.caseName)\n\nBase \(a.grid.cells) cells "
            md += "(\(a.converged ? "converged" : "NOT converged"), \(String(format: "%.0f", a.solveSeconds)) s); "
            md += "fine (every cap ÷ \(factor)) \(b.grid.cells) cells "
            md += "(\(b.converged ? "converged" : "NOT converged"), "
            md += "\(b.iterations) outer iterations from \(cold ? "rest" : "the base grid's answer"), "
            md += "\(String(format: "%.0f", b.solveSeconds)) s).\n\n"
            md += "| quantity | base | fine | change | verdict |\n|---|---:|---:|---:|---|\n"
            for r in rows {
                let verdict = r.independent ? "within \(100 * tolerance) %" : "CHANGES more than \(100 * tolerance) %"
                md += String(
                    format: "| %@ | %#.5g | %#.5g | %.2f %% | %@ |\n", r.quantity, r.base, r.fine,
                    100 * r.relativeChange, verdict)
            }
            md += String(
                format: "\nLargest change (node flows; part temperatures as rises above the inlet; the plenum "
                    + "pressure against the larger of itself and the intake fans' rise): %.2f %%. ",
                100 * study.largestChange)
            if let t = Self.tightest(a), let u = Self.tightest(b), (t.marginK < 0) != (u.marginK < 0) {
                md += String(
                    format: "The verdict on the limits changes with the grid: the part nearest its limit has "
                        + "%.1f K of margin on the base grid (%@) and %.1f K on the fine one (%@). ",
                    t.marginK, t.name, u.marginK, u.name)
            }
            if study.gridIndependent {
                md += "Both grids converged and every quantity is within \(100 * tolerance) %: "
                md += "the base grid is fine enough.\n"
            } else if !(a.converged && b.converged) {
                md += "Not judged grid-independent: a grid did not converge.\n"
            } else {
                md += "Not grid-independent at \(100 * tolerance) %: "
                md += "refine the base grid (--max-spacing) and study again.\n"
            }
            return md
        }
    }
}
