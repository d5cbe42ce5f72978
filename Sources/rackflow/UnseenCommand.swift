import ArgumentParser
import Foundation
import RackFlowExport
import RackFlowModel
import RackFlowFuzz

/// `rackflow unseen`: generated generic cases solved with the solver's defaults; see
/// `UnseenCaseGenerator` and `UnseenRunner`.
struct UnseenCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "unseen",
        abstract: "Generate sane generic cases nobody tuned for and solve each with the default solver settings.",
        discussion: """
            Case i has seed S + i (--seed S) and is drawn deterministically from it: a box domain (0.2–2 m sides), \
            1–4 solid, porous or heated boxes, 0–3 walls, perforated sheets or fans, one or two inlets and outlets, \
            up to 5 kW of heat (mean rise at most 50 K), laminar or mixing-length flow, optional buoyancy, and a \
            grid spacing that puts the cell count in --min-cells…--max-cells. Every case is solved as `rackflow solve` \
            would, with no solver settings. Written atomically to the output folder: cases.csv, summary.json and \
            cases/<name>.yaml (rerun one with `rackflow solve`, or with --seed <its seed> --count 1 and the same cell \
            range). \
            Exit status 0 when no case diverged or failed, 1 otherwise (a case that did not converge is reported, \
            not an error). Ctrl-C (SIGINT) or SIGTERM stops after the case in progress and writes the cases \
            finished so far (exit status 130 / 143); again to kill.
            """
    )
    @Option(help: "Number of cases.") var count: Int = 20
    @Option(help: "Seed of the first case (case i has seed S + i).") var seed: UInt64 = 1
    @Option(help: "Fewest cells of a case.") var minCells: Int = UnseenCaseGenerator.defaultCellRange.lowerBound
    @Option(help: "Most cells of a case (at least twice --min-cells).")
    var maxCells: Int = UnseenCaseGenerator.defaultCellRange.upperBound
    @Option(help: "Output folder, replaced as a whole when the run ends.") var output: String = "Results/unseen"
    @Option(help: "Cases solved at once, one thread pool share each.") var jobs: Int = 1

    /// 1,000 cells: the thinnest side holds 6 cells and every box 2 across, which a smaller
    /// grid cannot give; and a range narrower than a factor of 2 is often jumped over whole
    /// (the count grows in steps as grid lines appear).
    static let fewestCells = 1_000

    func validate() throws {
        guard count >= 1 else { throw ValidationError("--count must be ≥ 1 (got \(count))") }
        guard minCells >= Self.fewestCells else {
            throw ValidationError(
                "--min-cells must be ≥ \(Self.fewestCells) (got \(minCells)): a case needs 6 cells "
                    + "across its thinnest side and 2 across every box")
        }
        guard maxCells >= 2 * minCells else {
            throw ValidationError(
                "--max-cells must be at least twice --min-cells (got \(minCells)…\(maxCells)): "
                    + "the cell count grows in steps as grid lines appear, and a narrower range is often jumped over")
        }
        guard jobs >= 1 else { throw ValidationError("--jobs must be ≥ 1 (got \(jobs))") }
        guard UInt64.max - seed >= UInt64(count - 1) else {
            throw ValidationError("--seed \(seed) with --count \(count) runs past the largest seed \(UInt64.max)")
        }
        guard !output.isEmpty else { throw ValidationError("--output must name a folder") }
    }

    func run() throws {
        let settings = UnseenReport.Settings(
            count: count, firstSeed: seed, minCells: minCells, maxCells: maxCells,
            jobs: jobs)
        let folder = try ResultFolder(final: URL(fileURLWithPath: output))
        var committed = false
        defer { if !committed { folder.abandon() } }

        let runner = UnseenRunner(generator: UnseenCaseGenerator(cellRange: minCells...maxCells), jobs: jobs)
        var done = 0
        runner.onResult = { r in
            done += 1
            var line = "case \(done)/\(count) seed \(r.seed)"
            line += r.cells.map { " (\($0) cells)" } ?? ""
            line += ": \(r.outcome.rawValue)" + (r.iterations.map { " after \($0) iterations" } ?? "")
            if let settled = r.averageSettled { line += settled ? " (means settled)" : " (means still moving)" }
            line += String(format: ", %.1f s", r.wallSeconds)
            if !r.adaptations.isEmpty { line += ", solver adaptations: \(r.adaptations.count)" }
            if let e = r.error { line += ": \(e)" }
            print(line)
            fflush(stdout)
        }
        SignalHandlers.install()
        let t0 = Date()
        let seeds = (0..<count).map { seed + UInt64($0) }
        let results = try runner.run(
            seeds: seeds, casesFolder: folder.staging.appendingPathComponent("cases"),
            stop: { Interruption.shared.requested })
        let stopped = Interruption.shared.requested ? Interruption.shared.signal : nil
        let report = UnseenReport(
            settings: settings, results: results, wallSeconds: Date().timeIntervalSince(t0),
            stoppedBy: stopped)
        try AtomicFile.write(report.csv(), to: folder.staging.appendingPathComponent("cases.csv"))
        try AtomicFile.write(try report.summaryJSON(), to: folder.staging.appendingPathComponent("summary.json"))
        try folder.commit()
        committed = true
        for line in report.lines() { print(line) }
        print("wrote \(output)/ (cases.csv, summary.json, cases/*.yaml)")
        if let stopped { throw ExitCode(stopped == "SIGTERM" ? 143 : 130) }
        if report.hasFailures { throw ExitCode(1) }
    }
}
