import ArgumentParser
import Foundation
import RackFlowNumerics
import RackFlowPhysics
import RackFlowModel
import RackFlowExport

struct SolveCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "solve",
        abstract: "Solve a rack (default: the bundled refinery rack) to steady state and write Results/<case>/.",
        discussion:
            "Writes summary.json, report.md, report.html (one self-contained page), slices/*.png, fields.vtr and "
            + "fields.vti (ParaView), residuals.csv and log.txt, all at once when the run ends; a failed run leaves no "
            + "partial folder."
    )
    @Argument(help: "Rack or case file (default: Meshes/racks/refinery-rack.yaml).") var config: String?
    @Option(help: "Result folder (default: Results/<case name>).") var output: String?
    @Option(help: "Largest grid spacing, m (overrides the file).") var maxSpacing: Double?
    @Option(help: "Outer iteration limit (overrides the file).") var maxIterations: Int?
    @Option(
        help: ArgumentHelp(
            "Uniform spacing of fields.vti, m (fields.vtr keeps the solver's own grid). Default: 0.01, or the "
                + "grid's smallest cell if larger, and coarse enough for at most 10 million voxels."))
    var vtiSpacing: Double?
    @Flag(help: "No progress line, no summary on stdout.") var quiet = false
    @Option(
        help: ArgumentHelp(
            "Write a checkpoint every N outer iterations (taken at the next multiple of the multigrid rebuild "
                + "interval, 10) to <output>.checkpoint/. --resume keeps the checkpoint's N unless given again.")
    )
    var checkpointEvery: Int?
    @Option(
        help: ArgumentHelp(
            "Start from an earlier result folder's solution (its state/) instead of from rest.",
            discussion: "Any input may differ; a different grid is interpolated."))
    var from: String?
    @Option(
        help: "Continue the solve a checkpoint folder holds (written by --checkpoint-every or by Ctrl-C / SIGTERM).")
    var resume: String?

    func run() throws {
        let t0 = Date()
        var log = RunLog(echo: !quiet)
        SignalHandlers.install()
        if let n = checkpointEvery, n < 1 { throw ValidationError("--checkpoint-every must be ≥ 1 (got \(n))") }
        let (c, resumed) = try input()
        // Compile first: a bad input fails before anything exists under Results/.
        let (compiled, _, voxels) = try c.genericCase.compile()
        let g = compiled.grid
        let typical = c.layout == nil ? ResourceEstimate.typicalGenericIterations : ResourceEstimate.typicalIterations
        let estimate = ResourceEstimate(nx: g.nx, ny: g.ny, nz: g.nz, iterations: typical)
        log.say("estimate: \(estimate) (typical of \(c.layout == nil ? "a generic case" : "a rack"))")
        let vtiSpacingM = vtiSpacing ?? Self.defaultVTISpacing(g, size: c.genericCase.size)
        let folderURL = URL(fileURLWithPath: output ?? "Results/\(c.genericCase.name)")
        let folder = try ResultFolder(final: folderURL)
        var committed = false
        defer { if !committed { folder.abandon() } }

        let start = try from.map { try Self.readSolution($0) }
        let progress = SolveProgress(
            enabled: !quiet, maxIterations: c.genericCase.options.maxIterations,
            typicalIterations: typical,
            monitors: SolveProgress.rackMonitors(c.layout, voxels))
        let run: SteadyRun
        do {
            run = try SteadyRun.run(
                c,
                log: {
                    progress.finish()
                    log.say($0)
                }, progress: { r, s in progress.update(r, solver: s) },
                checkpoints: SteadyRun.CheckpointPlan(
                    folder: resume.map { URL(fileURLWithPath: $0) } ?? checkpointFolder(folderURL),
                    every: try checkpointEvery ?? Self.storedCadence(resumed, folder: resume),
                    resume: resumed),
                start: start)
        } catch let failure as RunDiverged {
            progress.finish()
            try reportDivergence(failure, resultFolder: folderURL, log: log.text)
        } catch let stop as RunInterrupted {
            progress.finish()
            try reportInterruption(
                stop,
                resumeCommand: "rackflow solve --resume \(stop.folder.path)" + (output.map { " --output \($0)" } ?? ""))
        }
        progress.finish()
        var summary = run.summary
        logChecks(of: estimate, against: summary, progress: progress, log: &log)

        let dir = folder.staging
        summary.wallSeconds = Date().timeIntervalSince(t0)
        try ResultWriter.write(
            summary: summary, solver: run.solver, genericCase: run.genericCase, layout: c.layout, report: run.report,
            source: c.path, to: dir, vtiSpacingM: vtiSpacingM, log: &log)
        summary.wallSeconds = Date().timeIntervalSince(t0)
        try ResultWriter.writeSummary(summary, to: dir)
        try Self.writeSolution(run, input: c.path, into: dir)
        log.say(ResourceEstimate.memoryCheck(estimated: estimate.bytes))
        try AtomicFile.write(log.text, to: dir.appendingPathComponent("log.txt"))
        try folder.commit()
        committed = true
        // The result is in place: its checkpoint has served. A --resume folder is removed too when it
        // is the one rackflow keeps beside this result (left, it would resume into a re-solve that
        // overwrites the result); one kept elsewhere is the user's to delete.
        let own = checkpointFolder(folderURL)
        if resume.map({ URL(fileURLWithPath: $0).standardizedFileURL.path == own.standardizedFileURL.path }) ?? true {
            try? FileManager.default.removeItem(at: own)
        }
        if !quiet { print(ResultWriter.consoleTable(summary, folder: output ?? "Results/\(c.genericCase.name)")) }
        if !summary.converged { throw ExitCode(3) }
    }
}

extension SolveCommand {
    /// The --checkpoint-every a resumed checkpoint kept (nil: none kept, or not resuming).
    static func storedCadence(_ resumed: (CheckpointFile, SolverState)?, folder: String?) throws -> Int? {
        guard let v = resumed?.0.scalars["checkpointEvery"] else { return nil }
        guard v.isFinite, v >= 1, v <= 1e9, v == v.rounded() else {
            throw InputError(
                file: URL(fileURLWithPath: folder ?? ".").appendingPathComponent("checkpoint.json").path, line: nil,
                keyPath: "scalars.checkpointEvery", problem: "must be a whole number ≥ 1 (got \(v))")
        }
        return Int(v)
    }

    /// The case to solve, with the command's overrides, and the checkpoint it resumes, if any.
    /// A resume reads its input from the checkpoint unless one is named (and refuses a changed
    /// input).
    func input() throws -> (CaseFile, (CheckpointFile, SolverState)?) {
        let resumed = try resume.map { try Checkpoint.read(URL(fileURLWithPath: $0)) }
        let configPath = config ?? resumed?.0.input
        if let (h, _) = resumed, let p = configPath, try Checkpoint.sha256(of: p) != h.inputSHA256 {
            throw InputError(
                file: p, line: nil, keyPath: "",
                problem:
                    "changed since the checkpoint \(resume!) was taken (its SHA-256 differs); resume with the input "
                    + "as it was"
            )
        }
        var c = try loadCase(configPath, maxSpacing: maxSpacing ?? resumed?.0.scalars["maxSpacing"])
        if maxIterations == nil, let m = resumed?.0.scalars["maxIterations"] {
            c.genericCase.options.maxIterations = Int(m)
        }
        if let m = maxIterations {
            guard m >= 1 else { throw ValidationError("--max-iterations must be ≥ 1") }
            c.genericCase.options.maxIterations = m
        }
        // Checked before the solve, not when fields.vti is written at its end (0 or 1e-300 m
        // made Int(inf) trap after the whole solve; a micrometre would exhaust memory).
        let sz = c.genericCase.size
        if let h = vtiSpacing {
            let vtiVoxels = sz.0 * sz.1 * sz.2 / (h * h * h)
            guard h > 0, h.isFinite, vtiVoxels <= 1e8 else {
                throw ValidationError(
                    "--vti-spacing must be > 0 m and give at most 100 million voxels (got \(h) m: "
                        + "\(ResourceEstimate.count(vtiVoxels)) voxels)"
                )
            }
        }
        return (c, resumed)
    }

    /// fields.vti's spacing when none is given: 10 mm (a rack's smallest parts), no finer than
    /// the grid's smallest cell, and coarse enough for at most 10⁷ voxels. At 10 mm everywhere a
    /// 1,440-cell case of 0.25 m cells wrote a 780 MB file and peaked at 3 GB of memory, against
    /// 87 MiB for the solve.
    static func defaultVTISpacing(_ g: Grid, size sz: (Double, Double, Double)) -> Double {
        let smallest = [g.x.widths, g.y.widths, g.z.widths].compactMap { $0.min() }.min() ?? 0.01
        return max(0.01, smallest, cbrt(sz.0 * sz.1 * sz.2 / 1e7))
    }

    /// The estimate against this run, so that its constants can be checked.
    func logChecks(
        of estimate: ResourceEstimate, against summary: SolveSummary, progress: SolveProgress, log: inout RunLog
    ) {
        let perIteration = summary.solveSeconds / Double(max(summary.iterationsThisRun, 1))
        let estimatedPerIteration = estimate.seconds / Double(estimate.iterations)
        log.say(
            ResourceEstimate.check(
                "time per outer iteration",
                estimated: String(format: "%.3g s", estimatedPerIteration),
                actual: String(format: "%.3g s", perIteration)))
        log.say(
            ResourceEstimate.check(
                "outer iterations", estimated: "\(estimate.iterations)",
                actual: "\(summary.iterations)"))
        for line in progress.etaChecks() { log.say(line) }
    }
}

extension SolveCommand {
    /// The solution, in `dir/state/`, for warm restarts of later solves (`--from`).
    static func writeSolution(_ run: SteadyRun, input: String, into dir: URL) throws {
        try Checkpoint.write(
            to: dir.appendingPathComponent("state"), kind: "solution", input: input,
            caseName: run.genericCase.name, cells: run.solver.flow.grid.cellCount,
            state: run.solver.solutionState(), monitorWindows: [])
    }

    /// The solution an earlier `solve` left in `folder/state/`, for `--from`.
    static func readSolution(_ folder: String) throws -> (source: String, state: SolverState) {
        let state = URL(fileURLWithPath: folder).appendingPathComponent("state")
        guard FileManager.default.fileExists(atPath: state.appendingPathComponent("checkpoint.json").path) else {
            throw InputError(
                file: state.path, line: nil, keyPath: "--from",
                problem: "no solution here: --from takes a result folder written by rackflow solve "
                    + "(it holds state/checkpoint.json)")
        }
        let (header, s) = try Checkpoint.read(state)
        guard header.kind == "solution" else {
            throw InputError(
                file: state.path, line: nil, keyPath: "--from",
                problem: "this is a \(header.kind) checkpoint, not a solution; continue it with --resume")
        }
        return (folder, s)
    }
}

/// Iteration, residuals, monitors and an ETA on one terminal line; nothing when stderr is not a
/// terminal (pipes, CI).
///
/// The ETA extrapolates the distance of the residuals from their tolerances
/// (`FlowSolver.residualDistance`, 1 where they are met) by its least-squares decay rate over
/// the last 50 iterations, plus one monitor window (20 iterations: the monitors must then stay
/// flat). It once extrapolated the largest raw residual to the solver's 1e-6, which the rack's
/// rule never asks for, and showed "?" or numbers 10× off. The decay is not exponential: the
/// one-node rack's distance fell from 14 to 9.5 over iterations 50–100 and then to 1 by 150,
/// so an extrapolation at 100 said 300 more. Until a run passes the typical count for its kind
/// (`typicalIterations`: measured racks 166–240, generated cases' median 669), the ETA is the
/// smaller of the extrapolation and what the typical count leaves. The predictions at iterations 50,
/// 100, 200, 400 … are kept and set against what the run then took in log.txt (`etaChecks`).
final class SolveProgress {
    let enabled: Bool
    let maxIterations: Int
    let typicalIterations: Int
    var lastPrint = Date.distantPast
    let start = Date()
    var window: [(Int, Double)] = []
    /// (iteration, seconds elapsed, seconds predicted to go) at the checked iterations.
    var predictions: [(iteration: Int, elapsed: Double, left: Double)] = []
    static let monitorWindow = 20.0

    /// Monitored values shown on the line (e.g. total node flow, hottest GPU air).
    var monitors: ((FlowSolver) -> String)?

    init(
        enabled: Bool, maxIterations: Int, typicalIterations: Int = ResourceEstimate.typicalIterations,
        monitors: ((FlowSolver) -> String)? = nil
    ) {
        self.enabled = enabled && isatty(STDERR_FILENO) != 0
        self.maxIterations = maxIterations
        self.typicalIterations = typicalIterations
        self.monitors = monitors
    }

    /// Iterations still to go, or nil while the residuals are not falling past the typical count.
    func iterationsLeft(at iteration: Int) -> Double? {
        let typicalLeft = Double(typicalIterations - iteration) + Self.monitorWindow
        guard let extrapolated = extrapolatedLeft() else { return typicalLeft > 0 ? typicalLeft : nil }
        let toGo = iteration < typicalIterations ? min(extrapolated, typicalLeft) : extrapolated
        return min(toGo, Double(maxIterations - iteration))
    }

    /// Iterations to go by the distance's decay rate, or nil while it is not falling.
    func extrapolatedLeft() -> Double? {
        guard window.count >= 10, let last = window.last else { return nil }
        if last.1 <= 0 { return Self.monitorWindow }
        let n = Double(window.count)
        let mx = window.reduce(0) { $0 + Double($1.0) } / n
        let my = window.reduce(0) { $0 + $1.1 } / n
        var sxy = 0.0, sxx = 0.0
        for (x, y) in window {
            sxy += (Double(x) - mx) * (y - my)
            sxx += (Double(x) - mx) * (Double(x) - mx)
        }
        let slope = sxx > 0 ? sxy / sxx : 0
        return slope < 0 ? last.1 / -slope + Self.monitorWindow : nil
    }

    func update(_ r: Residuals, solver: FlowSolver) {
        window.append((r.iteration, log10(max(solver.residualDistance(r), 1e-300))))
        if window.count > 50 { window.removeFirst() }
        let elapsed = Date().timeIntervalSince(start)
        let perIt = elapsed / Double(max(r.iteration, 1))
        let left = iterationsLeft(at: r.iteration)
        if let left, Self.isChecked(r.iteration) {
            predictions.append((r.iteration, elapsed, left * perIt))
        }
        guard enabled, Date().timeIntervalSince(lastPrint) > 0.25 else { return }
        lastPrint = Date()
        let eta = left.map { String(format: "%.0f s", $0 * perIt) } ?? "? (residuals not falling)"
        let format = "\r  it %5d  mass %.1e  Δu %.1e  ΔT %.1e  %@ %.2f s/it  ETA %@   "
        let dT = r.temperatureChangeRMS > 0 ? r.temperatureChangeRMS : r.temperatureChange
        let line = String(
            format: format, r.iteration, r.mass, r.velocityChange, dT,
            monitors.map { $0(solver) + " " } ?? "", perIt, eta)
        FileHandle.standardError.write(line.data(using: .utf8)!)
    }

    /// Iterations 50, 100, 200, 400 …, where the ETA is kept for log.txt.
    static func isChecked(_ i: Int) -> Bool { i == 50 || (i % 100 == 0 && (i / 100).nonzeroBitCount == 1) }

    /// The ETAs shown at the checked iterations against the time the run then took.
    func etaChecks() -> [String] {
        let end = Date().timeIntervalSince(start)
        return predictions.map { p in
            ResourceEstimate.check(
                "ETA at outer iteration \(p.iteration)", estimated: String(format: "%.0f s", p.left),
                actual: String(format: "%.0f s", end - p.elapsed))
        }
    }

    /// Node flows (sum) and the hottest GPU-fin air, for a rack.
    static func rackMonitors(_ layout: RackLayout?, _ report: VoxelReport) -> ((FlowSolver) -> String)? {
        guard let layout else { return nil }
        let fronts = layout.nodes.compactMap { report.planeFaces[$0.frontPlane] }
        let gpu = layout.parts.filter { $0.kind == "gpu" }.flatMap { report.boxCells[$0.regionBox] ?? [] }
        return { s in
            let q = fronts.reduce(0.0) { $0 + s.flowRate(axis: $1.axis, faces: $1.faces) }
            return String(
                format: "nodes %.4f m³/s  GPU air ≤ %.1f °C ", q,
                gpu.isEmpty ? .nan : s.maximumTemperature(cells: gpu))
        }
    }

    func finish() {
        if enabled && lastPrint != .distantPast {
            FileHandle.standardError.write("\n".data(using: .utf8)!)
            lastPrint = .distantPast
        }
    }
}
