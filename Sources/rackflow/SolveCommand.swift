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
        discussion: "Writes summary.json, report.md, report.html (one self-contained page), slices/*.png, fields.vtr and fields.vti (ParaView), residuals.csv and log.txt, all at once when the run ends; a failed run leaves no partial folder."
    )
    @Argument(help: "Rack or case file (default: Meshes/racks/refinery-rack.yaml).") var config: String?
    @Option(help: "Result folder (default: Results/<case name>).") var output: String?
    @Option(help: "Largest grid spacing, m (overrides the file).") var maxSpacing: Double?
    @Option(help: "Outer iteration limit (overrides the file).") var maxIterations: Int?
    @Option(help: "Uniform spacing of fields.vti, m (fields.vtr keeps the solver's own grid).") var vtiSpacing: Double = 0.01
    @Flag(help: "No progress line, no summary on stdout.") var quiet = false
    @Option(help: "Write a checkpoint every N outer iterations (taken at the next multiple of the multigrid rebuild interval, 10) to <output>.checkpoint/.")
    var checkpointEvery: Int?
    @Option(help: "Continue the solve a checkpoint folder holds (written by --checkpoint-every or by Ctrl-C / SIGTERM).")
    var resume: String?

    func run() throws {
        let t0 = Date()
        var log = RunLog(echo: !quiet)
        Interruption.shared.install()
        if let n = checkpointEvery, n < 1 { throw ValidationError("--checkpoint-every must be ≥ 1 (got \(n))") }
        // A resume reads its input from the checkpoint unless one is named (and refuses a changed input).
        let resumed = try resume.map { try Checkpoint.read(URL(fileURLWithPath: $0)) }
        let configPath = config ?? resumed?.0.input
        if let (h, _) = resumed, let p = configPath, try Checkpoint.sha256(of: p) != h.inputSHA256 {
            throw ConfigError(file: p, line: nil, keyPath: "", problem: "changed since the checkpoint \(resume!) was taken (its SHA-256 differs); resume with the input as it was")
        }
        var c = try loadCase(configPath, maxSpacing: maxSpacing ?? resumed?.0.scalars["maxSpacing"])
        if maxIterations == nil, let m = resumed?.0.scalars["maxIterations"] { c.genericCase.options.maxIterations = Int(m) }
        if let m = maxIterations {
            guard m >= 1 else { throw ValidationError("--max-iterations must be ≥ 1") }
            c.genericCase.options.maxIterations = m
        }
        // Checked before the solve, not when fields.vti is written at its end (0 or 1e-300 m
        // made Int(inf) trap after the whole solve; a micrometre would exhaust memory).
        let sz = c.genericCase.size
        let vtiVoxels = sz.0 * sz.1 * sz.2 / (vtiSpacing * vtiSpacing * vtiSpacing)
        guard vtiSpacing > 0, vtiSpacing.isFinite, vtiVoxels <= 1e8 else {
            throw ValidationError("--vti-spacing must be > 0 m and give at most 100 million voxels (got \(vtiSpacing) m: \(ResourceEstimate.count(vtiVoxels)) voxels)")
        }
        // Compile first: a bad input fails before anything exists under Results/.
        let (_, _, voxels) = try c.genericCase.compile()
        let folderURL = URL(fileURLWithPath: output ?? "Results/\(c.genericCase.name)")
        let folder = try ResultFolder(final: folderURL)
        var committed = false
        defer { if !committed { folder.abandon() } }

        let progress = SolveProgress(enabled: !quiet, tolerance: c.genericCase.options.tolerance, maxIterations: c.genericCase.options.maxIterations,
                                     monitors: SolveProgress.rackMonitors(c.layout, voxels))
        let run: SteadyRun
        do {
            run = try SteadyRun.run(c, log: { progress.finish(); log.say($0) }, progress: { r, s in progress.update(r, solver: s) },
               checkpoints: SteadyRun.CheckpointPlan(folder: resume.map { URL(fileURLWithPath: $0) } ?? checkpointFolder(folderURL),
                                                     every: checkpointEvery, resume: resumed))
        } catch let failure as RunDiverged {
            progress.finish()
            try reportDivergence(failure, resultFolder: folderURL, log: log.text)
        } catch let stop as RunInterrupted {
            progress.finish()
            try reportInterruption(stop, resumeCommand: "rackflow solve --resume \(stop.folder.path)" + (output.map { " --output \($0)" } ?? ""))
        }
        progress.finish()
        var summary = run.summary

        let dir = folder.staging
        summary.wallSeconds = Date().timeIntervalSince(t0)
        try ResultWriter.write(summary: summary, solver: run.solver, genericCase: run.genericCase, layout: c.layout, report: run.report,
                               source: c.path, to: dir, vtiSpacingM: vtiSpacing, log: &log)
        summary.wallSeconds = Date().timeIntervalSince(t0)
        try ResultWriter.writeSummary(summary, to: dir)
        try AtomicFile.write(log.text, to: dir.appendingPathComponent("log.txt"))
        try folder.commit()
        committed = true
        // The result is in place: its checkpoint has served (an explicit --resume folder is the user's to delete).
        if resume == nil { try? FileManager.default.removeItem(at: checkpointFolder(folderURL)) }
        if !quiet { print(ResultWriter.consoleTable(summary, folder: output ?? "Results/\(c.genericCase.name)")) }
        if !summary.converged { throw ExitCode(3) }
    }
}

/// Lines for log.txt, echoed to stderr when wanted.
struct RunLog: TextOutputStreamLike {
    var echo: Bool
    var text = ""
    mutating func say(_ s: String) {
        text += s + "\n"
        if echo { FileHandle.standardError.write((s + "\n").data(using: .utf8)!) }
    }
}

/// Iteration, residuals, monitors and an ETA from the residual's recent decay rate, on one
/// terminal line; nothing when stderr is not a terminal (pipes, CI).
final class SolveProgress {
    let enabled: Bool
    let tolerance: Double
    let maxIterations: Int
    var lastPrint = Date.distantPast
    let start = Date()
    var window: [(Int, Double)] = []

    /// Monitored values shown on the line (e.g. total node flow, hottest GPU air).
    var monitors: ((FlowSolver) -> String)?

    init(enabled: Bool, tolerance: Double, maxIterations: Int, monitors: ((FlowSolver) -> String)? = nil) {
        self.enabled = enabled && isatty(STDERR_FILENO) != 0
        self.tolerance = tolerance; self.maxIterations = maxIterations; self.monitors = monitors
    }

    func update(_ r: Residuals, solver: FlowSolver) {
        guard enabled else { return }
        let worst = max(r.mass, r.velocityChange, r.temperatureChange)
        window.append((r.iteration, log10(max(worst, 1e-300))))
        if window.count > 50 { window.removeFirst() }
        guard Date().timeIntervalSince(lastPrint) > 0.25 else { return }
        lastPrint = Date()
        let perIt = Date().timeIntervalSince(start) / Double(max(r.iteration, 1))
        var eta = "?"
        if let a = window.first, let b = window.last, b.0 > a.0 {
            let slope = (b.1 - a.1) / Double(b.0 - a.0)
            if slope < 0 {
                let left = min((log10(tolerance) - b.1) / slope, Double(maxIterations - r.iteration))
                eta = String(format: "%.0f s", max(left, 0) * perIt)
            }
        }
        let line = String(format: "\r  it %5d  mass %.1e  Δu %.1e  ΔT %.1e  %@ %.2f s/it  ETA %@   ", r.iteration, r.mass, r.velocityChange,
                          r.temperatureChangeRMS > 0 ? r.temperatureChangeRMS : r.temperatureChange, monitors.map { $0(solver) + " " } ?? "", perIt, eta)
        FileHandle.standardError.write(line.data(using: .utf8)!)
    }

    /// Node flows (sum) and the hottest GPU-fin air, for a rack.
    static func rackMonitors(_ layout: RackLayout?, _ report: VoxelReport) -> ((FlowSolver) -> String)? {
        guard let layout else { return nil }
        let fronts = layout.nodes.compactMap { report.planeFaces[$0.frontPlane] }
        let gpu = layout.parts.filter { $0.kind == "gpu" }.flatMap { report.boxCells[$0.regionBox] ?? [] }
        return { s in
            let q = fronts.reduce(0.0) { $0 + s.flowRate(axis: $1.axis, faces: $1.faces) }
            return String(format: "nodes %.4f m³/s  GPU air ≤ %.1f °C ", q, gpu.isEmpty ? .nan : s.temperatureStats(cells: gpu).maxC)
        }
    }

    func finish() {
        if enabled && lastPrint != .distantPast { FileHandle.standardError.write("\n".data(using: .utf8)!); lastPrint = .distantPast }
    }
}
