import ArgumentParser
import Foundation
import RackFlowNumerics
import RackFlowPhysics
import RackFlowModel
import RackFlowExport

struct SurgeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "surge",
        abstract: "Play a surge scenario (default: Meshes/scenarios/viral-surge.yaml) in time and write frames for artists.",
        discussion: "Solves the idle steady state, then steps in time frame by frame. Writes Results/<scenario>/: vdb/fields.NNNN.vdb, refinery.usda with assets/, telemetry.csv, preview.png, summary.json and log.txt, all at once when the run ends."
    )
    @Argument(help: "Scenario file (default: Meshes/scenarios/viral-surge.yaml).") var scenario: String?
    @Option(help: "Result folder (default: Results/<scenario name>).") var output: String?
    @Option(help: "Frames to write, A:B inclusive (0 is the idle state); the run stops after B.") var frames: String?
    @Option(help: "Output frame rate (a divisor of the scenario's): writes every k-th frame.") var fps: Double?
    @Option(help: "Largest grid spacing, m (overrides the rack file).") var maxSpacing: Double?
    @Option(help: "Voxel size of the VDB caches, m (the default rack's solver cells are 2–20 mm).") var voxelSize: Double = 0.02
    @Option(help: "Up axis of the USD stage and VDB transforms: Y (Houdini) or Z.") var upAxis: String = "Y"
    @Flag(help: "No progress line, no summary on stdout.") var quiet = false

    func run() throws {
        let t0 = Date()
        var log = RunLog(echo: !quiet)
        let sc = try Scenario.load(path: scenario ?? DefaultCase.scenario)
        guard ["Y", "Z", "y", "z"].contains(upAxis) else { throw ValidationError("--up-axis must be Y or Z (got \(upAxis))") }
        if let h = maxSpacing, !(h > 0 && h.isFinite) { throw ValidationError("--max-spacing must be > 0 m (got \(h))") }
        guard voxelSize > 0, voxelSize.isFinite else { throw ValidationError("--voxel-size must be > 0 m (got \(voxelSize))") }
        var range = 0...sc.frameCount
        if let f = frames {
            let p = f.split(separator: ":", omittingEmptySubsequences: false).map { Int($0) }
            guard p.count == 2, let a = p[0], let b = p[1], a >= 0, b >= a, b <= sc.frameCount else {
                throw ValidationError("--frames must be A:B with 0 ≤ A ≤ B ≤ \(sc.frameCount) (got \(f))")
            }
            range = a...b
        }
        var every = 1
        if let o = fps {
            let k = sc.fps / o
            guard o > 0, abs(k - k.rounded()) < 1e-9, k >= 1 else { throw ValidationError("--fps must divide the scenario's \(sc.fps) fps (got \(o))") }
            every = Int(k.rounded())
        }
        // Compile before anything exists under Results/.
        let run = try SurgeRun(sc, maxSpacingM: maxSpacing)
        let g = run.solver.flow.grid
        log.say("scenario \(sc.name) from \(sc.file): rack \(sc.rackPath), \(g.cellCount) cells (\(g.nx) × \(g.ny) × \(g.nz)), \(sc.frameCount) frames at \(sc.fps) fps, Δt = \(String(format: "%.4g", run.dt)) s")
        let folderURL = URL(fileURLWithPath: output ?? "Results/\(sc.name)")
        // Memory, disk and time of the frames asked for, before the idle solve: refused here when they do not fit.
        log.say("estimate: \(try SurgeEstimate.check(run, frames: range, every: every, voxelSizeM: voxelSize, output: folderURL))")
        let folder = try ResultFolder(final: folderURL)
        var committed = false
        defer { if !committed { folder.abandon() } }

        let progress = SolveProgress(enabled: !quiet, tolerance: run.solver.options.tolerance, maxIterations: run.solver.options.maxIterations,
                                     monitors: SolveProgress.rackMonitors(run.layout, run.report))
        let tIdle = Date()
        do {
            try run.solveIdle(log: { progress.finish(); log.say($0) }, progress: { progress.update($0, solver: run.solver) })
        } catch {
            progress.finish()
            if let failure = diverged(error, run, frame: nil) { try reportDivergence(failure, resultFolder: folderURL, log: log.text) }
            throw error
        }
        progress.finish()
        let idleSeconds = Date().timeIntervalSince(tIdle)
        log.say(String(format: "idle steady state: %d iterations, %.1f s", run.idleIterations, idleSeconds))

        let writer = SurgeWriter(run: run, folder: folder.staging, voxelSizeM: voxelSize, zUp: upAxis.uppercased() == "Z")
        writer.every = every
        var writeSeconds = 0.0
        func emit(_ frame: SurgeRun.Frame) throws {
            guard range.contains(frame.index), frame.index % every == 0 else { return }
            let w0 = Date()
            try writer.writeFrame(frame)
            writeSeconds += Date().timeIntervalSince(w0)
        }
        try emit(run.frames[0])
        let tRun = Date()
        let solverPhases0 = run.solver.phaseSeconds
        let idleOuter = run.solver.history.count
        let frameLine = FrameProgress(enabled: !quiet, total: range.upperBound)
        while run.frames.count <= range.upperBound {
            let f: SurgeRun.Frame
            do { f = try run.advanceFrame() } catch {
                frameLine.finish()
                if let failure = diverged(error, run, frame: run.frames.count) { try reportDivergence(failure, resultFolder: folderURL, log: log.text) }
                throw error
            }
            try emit(f)
            frameLine.update(f, elapsed: Date().timeIntervalSince(tRun))
        }
        frameLine.finish()
        let stepSeconds = Date().timeIntervalSince(tRun) - writeSeconds
        let inFlow = run.solver.phaseSeconds.map { ($0.key, $0.value - (solverPhases0[$0.key] ?? 0)) }.sorted { $0.1 > $1.1 }
        log.say("transient time per phase: " + run.phaseSeconds.sorted { $0.value > $1.value }.map { String(format: "%@ %.1f s", $0.key, $0.value) }.joined(separator: ", ")
                + "; inside the flow steps and tracer: " + inFlow.map { String(format: "%@ %.1f s", $0.0, $0.1) }.joined(separator: ", "))
        let cg = run.solver.history.map(\.pressureIterations)
        func mean(_ a: ArraySlice<Int>) -> Double { Double(a.reduce(0, +)) / Double(max(a.count, 1)) }
        log.say(String(format: "pressure CG iterations per outer iteration: idle %.1f, transient %.1f (largest %d)",
                       mean(cg[..<idleOuter]), mean(cg[idleOuter...]), cg[idleOuter...].max() ?? 0))
        let w0 = Date()
        let usd = try writer.finish()
        log.say(String(format: "VDB: %d files, %.1f MB per frame, %.2f s per frame", writer.written.count,
                           Double(writer.vdbBytes) / 1e6 / Double(max(writer.written.count, 1)), writer.vdbSeconds / Double(max(writer.written.count, 1))))
        log.say(String(format: "stage: %d files, %.1f MB in %.2f s", usd.files.count, Double(usd.totalBytes) / 1e6, usd.seconds))
        writeSeconds += Date().timeIntervalSince(w0)
        let e = run.energy
        log.say(String(format: "transient: %d frames, %.1f s stepping (%.2f s per frame), %.1f s writing (%.1f %% of the run)",
                       run.frames.count - 1, stepSeconds, stepSeconds / Double(max(run.frames.count - 1, 1)), writeSeconds,
                       100 * writeSeconds / max(Date().timeIntervalSince(t0), 1e-9)))
        log.say(String(format: "energy: electrical %.4g J, into the air %.4g J, stored in parts %.4g J, stored in air %.4g J, carried out %.4g J; air balance error %.2e",
                       e.electricalJ, e.toAirJ, e.storedInPartsJ, e.storedInAirJ, e.carriedOutJ, e.airBalanceError))
        try writer.writeSummary(wallSeconds: Date().timeIntervalSince(t0), idleSeconds: idleSeconds, stepSeconds: stepSeconds, writeSeconds: writeSeconds)
        try AtomicFile.write(log.text, to: folder.staging.appendingPathComponent("log.txt"))
        try folder.commit()
        committed = true
        if !quiet { print("surge \(sc.name): \(run.frames.count - 1) frames in \(String(format: "%.0f", Date().timeIntervalSince(t0))) s → \(folderURL.path)") }
    }
}

/// Frame, simulated time, hottest GPU and ETA on one terminal line; silent in pipes and CI.
final class FrameProgress {
    let enabled: Bool
    let total: Int
    var last = Date.distantPast
    init(enabled: Bool, total: Int) { self.enabled = enabled && isatty(STDERR_FILENO) != 0; self.total = total }
    func update(_ f: SurgeRun.Frame, elapsed: Double) {
        guard enabled, Date().timeIntervalSince(last) > 0.25 || f.index == total else { return }
        last = Date()
        let eta = elapsed / Double(max(f.index, 1)) * Double(total - f.index)
        let gpu = f.nodes.map(\.gpuMaxC).max() ?? .nan
        let line = String(format: "\r  frame %4d/%d  t %.2f s  outer %d  GPU ≤ %.1f °C  blower %.0f %%  ETA %.0f s   ", f.index, total, f.timeS,
                          f.outerIterations, gpu, 100 * f.blowerFraction, eta)
        FileHandle.standardError.write(line.data(using: .utf8)!)
    }
    func finish() { if enabled && last != .distantPast { FileHandle.standardError.write("\n".data(using: .utf8)!) } }
}

/// A solver divergence during the idle solve or a frame, located and dated (step, frame, time).
func diverged(_ error: Error, _ run: SurgeRun, frame: Int?) -> RunDiverged? {
    guard var d = Divergence(error, solver: run.solver, report: run.report, transient: frame != nil) else { return nil }
    if let frame { d.frame = frame; d.step = run.stepper.steps + 1; d.timeS = run.time + run.dt }
    return RunDiverged(d, solver: run.solver, report: run.report, caseName: run.scenario.name)
}
