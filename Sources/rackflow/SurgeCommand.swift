import ArgumentParser
import Foundation
import RackFlowNumerics
import RackFlowPhysics
import RackFlowModel
import RackFlowExport

struct SurgeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "surge",
        abstract:
            "Play a surge scenario (default: Meshes/scenarios/viral-surge.yaml) in time and write frames for artists.",
        discussion: """
            Solves the idle steady state, then steps in time frame by frame. Writes Results/<scenario>/: \
            vdb/fields.NNNN.vdb, \
            refinery.usda with assets/, telemetry.csv, fans.csv, preview.png, report.md, report.html, summary.json and \
            log.txt; the frames go to a hidden \
            staging folder beside it as they are computed, the whole folder appears when the run ends. Ctrl-C or \
            SIGTERM stops at \
            the end of the frame in progress, writes <output>.checkpoint/ and prints the resume command (exit 130 / \
            143).
            """
    )
    @Argument(help: "Scenario file (default: Meshes/scenarios/viral-surge.yaml; on --resume, the checkpoint's).")
    var scenario: String?
    @Option(help: "Result folder (default: Results/<scenario name>; on --resume, the checkpoint's).") var output:
        String?
    @Option(help: "Frames to write, A:B inclusive (0 is the idle state); the run stops after B.") var frames: String?
    @Option(help: "Output frame rate (a divisor of the scenario's): writes every k-th frame.") var fps: Double?
    @Option(help: "Largest grid spacing, m (overrides the rack file).") var maxSpacing: Double?
    @Option(help: "Voxel size of the VDB caches, m (default 0.02; the default rack's solver cells are 2–20 mm).")
    var voxelSize: Double?
    @Option(help: "Up axis of the USD stage and VDB transforms: Y (Houdini, default) or Z.") var upAxis: String?
    @Flag(help: "No progress line, no summary on stdout.") var quiet = false
    @Option(
        help: ArgumentHelp(
            "Write <output>.checkpoint/ every N frames (N time steps at the default solver.stepsPerFrame 1), frame 0 "
                + "(the idle state) included.")
    )
    var checkpointEvery: Int?
    @Option(
        help: ArgumentHelp(
            "Continue the surge a checkpoint folder holds (written by --checkpoint-every or by Ctrl-C / SIGTERM), "
                + "with its options.")
    )
    var resume: String?

    /// What the command keeps in a checkpoint besides the run's state: its options, the staging
    /// folder with the frames already written, the log and the time spent so far.
    struct Saved: Codable {
        var scenario: String
        var output: String
        var staging: String
        var firstFrame: Int, lastFrame: Int
        var every: Int
        var voxelSizeM: Double
        var upAxis: String
        var log: String
        var wallSeconds: Double, idleSeconds: Double, stepSeconds: Double, writeSeconds: Double
    }

    func run() throws {
        let t0 = Date()
        var log = RunLog(echo: !quiet)
        SignalHandlers.install()
        if let n = checkpointEvery, n < 1 { throw ValidationError("--checkpoint-every must be ≥ 1 frame (got \(n))") }
        // A resume takes the scenario, folder and options from the checkpoint; options given again must agree.
        let resumeURL = resume.map { URL(fileURLWithPath: $0) }
        let resumed = try resumeURL.map { try SurgeRun.readCheckpoint($0) }
        var saved: Saved? = nil
        if let (_, _, c) = resumed, let resumeURL {
            guard let text = c.command, let v = try? JSONDecoder().decode(Saved.self, from: Data(text.utf8)) else {
                throw ConfigError(
                    file: resumeURL.appendingPathComponent("checkpoint.json").path, line: nil, keyPath: "extra.command",
                    problem: "missing or unreadable: the surge command's options are not in this checkpoint")
            }
            saved = v
            func differs(_ name: String, _ given: String?, _ stored: String) throws {
                if let g = given, g != stored {
                    throw ValidationError(
                        "--\(name) \(g) differs from the checkpoint's \(stored) (\(resumeURL.path)); resume without "
                            + "it or with the same value"
                    )
                }
            }
            try differs("frames", frames, "\(v.firstFrame):\(v.lastFrame)")
            try differs("voxel-size", voxelSize.map { "\($0)" }, "\(v.voxelSizeM)")
            try differs("up-axis", upAxis?.uppercased(), v.upAxis)
            try differs("max-spacing", maxSpacing.map { "\($0)" }, c.maxSpacingM.map { "\($0)" } ?? "(the rack file's)")
            try differs("output", output.map { URL(fileURLWithPath: $0).standardizedFileURL.path }, v.output)
        }
        let sc = try Scenario.load(path: scenario ?? saved?.scenario ?? DefaultCase.scenario)
        let upAxis = (self.upAxis ?? saved?.upAxis ?? "Y").uppercased()
        let voxelSize = self.voxelSize ?? saved?.voxelSizeM ?? 0.02
        let maxSpacing = self.maxSpacing ?? resumed?.2.maxSpacingM
        guard ["Y", "Z"].contains(upAxis) else { throw ValidationError("--up-axis must be Y or Z (got \(upAxis))") }
        if let h = maxSpacing, !(h > 0 && h.isFinite) {
            throw ValidationError("--max-spacing must be > 0 m (got \(h))")
        }
        guard voxelSize > 0, voxelSize.isFinite else {
            throw ValidationError("--voxel-size must be > 0 m (got \(voxelSize))")
        }
        var range = 0...sc.frameCount
        if let v = saved {
            guard v.firstFrame >= 0, v.lastFrame >= v.firstFrame, v.lastFrame <= sc.frameCount else {
                throw ValidationError(
                    "the checkpoint's frames \(v.firstFrame):\(v.lastFrame) do not fit the scenario's "
                        + "0…\(sc.frameCount)"
                )
            }
            range = v.firstFrame...v.lastFrame
        } else if let f = frames {
            let p = f.split(separator: ":", omittingEmptySubsequences: false).map { Int($0) }
            guard p.count == 2, let a = p[0], let b = p[1], a >= 0, b >= a, b <= sc.frameCount else {
                throw ValidationError("--frames must be A:B with 0 ≤ A ≤ B ≤ \(sc.frameCount) (got \(f))")
            }
            range = a...b
        }
        var every = saved?.every ?? 1
        if let o = fps {
            let k = sc.fps / o
            guard o > 0, abs(k - k.rounded()) < 1e-9, k >= 1 else {
                throw ValidationError("--fps must divide the scenario's \(sc.fps) fps (got \(o))")
            }
            if let v = saved, v.every != Int(k.rounded()) {
                throw ValidationError(
                    "--fps \(o) differs from the checkpoint's \(sc.fps / Double(v.every)) fps; resume without it")
            }
            every = Int(k.rounded())
        }
        // Compile before anything exists under Results/.
        let run = try SurgeRun(sc, maxSpacingM: maxSpacing)
        let g = run.solver.flow.grid
        if let v = saved { log.text = v.log }
        log.say(
            "scenario \(sc.name) from \(sc.file): rack \(sc.rackPath), \(g.cellCount) cells (\(g.nx) × \(g.ny) × "
                + "\(g.nz)), \(sc.frameCount) frames at \(sc.fps) fps, Δt = \(String(format: "%.4g", run.dt)) s"
        )
        if sc.rackCascade.order != .together || !sc.rackCascade.names.isEmpty {
            log.say("note: cascade.racks orders the racks of a room (rackflow room --surge); one rack starts at onset")
        }
        let folderURL = URL(fileURLWithPath: saved?.output ?? output ?? "Results/\(sc.name)").standardizedFileURL
        let checkpointURL = resumeURL ?? checkpointFolder(folderURL)
        // Memory, disk and time of the frames asked for, before the idle solve: refused here when they do not fit.
        let estimate = try SurgeEstimate.check(
            run, frames: range, every: every, voxelSizeM: voxelSize,
            output: folderURL)
        log.say("estimate: \(estimate)")
        let folder: ResultFolder
        if let (h, s, c) = resumed, let v = saved, let resumeURL {
            try run.restore(h, s, c, folder: resumeURL) // refuses changed inputs before touching the staging folder
            folder = try ResultFolder(final: folderURL, adopting: URL(fileURLWithPath: v.staging))
        } else {
            folder = try ResultFolder(final: folderURL)
        }
        // The staging folder goes once a checkpoint refers to it only when the run ends or fails before any.
        var committed = false, checkpointed = resumed != nil
        defer { if !committed && !checkpointed { folder.abandon() } }

        let writer = SurgeWriter(run: run, folder: folder.staging, voxelSizeM: voxelSize, zUp: upAxis == "Z")
        writer.every = every
        var writeSeconds = saved?.writeSeconds ?? 0
        func emit(_ frame: SurgeRun.Frame) throws {
            guard range.contains(frame.index), frame.index % every == 0 else { return }
            let w0 = Date()
            try writer.writeFrame(frame)
            writeSeconds += Date().timeIntervalSince(w0)
        }
        let idleSeconds: Double
        if let v = saved {
            idleSeconds = v.idleSeconds
            writer.restore(written: run.frames.filter { range.contains($0.index) && $0.index % every == 0 })
            writer.keepExisting = true
            log.say(
                "resumed from \(checkpointURL.path) at frame \(run.frames.count - 1) (t = "
                    + "\(String(format: "%.4g", run.time)) s, outer iteration \(run.solver.history.count)); frames "
                    + "so far in \(folder.staging.path)"
            )
        } else {
            let progress = SolveProgress(
                enabled: !quiet, maxIterations: run.solver.options.maxIterations,
                monitors: SolveProgress.rackMonitors(run.layout, run.report))
            let tIdle = Date()
            do {
                try run.solveIdle(
                    log: {
                        progress.finish()
                        log.say($0)
                    }, progress: { progress.update($0, solver: run.solver) })
            } catch {
                progress.finish()
                if let failure = diverged(error, run, frame: nil) {
                    try reportDivergence(failure, resultFolder: folderURL, log: log.text)
                }
                throw error
            }
            progress.finish()
            idleSeconds = Date().timeIntervalSince(tIdle)
            log.say(String(format: "idle steady state: %d iterations, %.1f s", run.idleIterations, idleSeconds))
            try emit(run.frames[0])
        }

        let tRun = Date()
        let stepSeconds0 = saved?.stepSeconds ?? 0, writeSeconds0 = writeSeconds
        let wall0 = saved?.wallSeconds ?? 0
        let solverPhases0 = run.solver.phaseSeconds
        let idleOuter = run.idleIterations
        /// Writes the checkpoint of the frame just finished (the frame's files are already written).
        func checkpoint() throws {
            let frame = run.frames.count - 1
            let stepped = Date().timeIntervalSince(tRun) - (writeSeconds - writeSeconds0)
            let c0 = Date()
            let v = Saved(
                scenario: sc.file, output: folderURL.path, staging: folder.staging.path, firstFrame: range.lowerBound,
                lastFrame: range.upperBound,
                every: every, voxelSizeM: voxelSize, upAxis: upAxis, log: log.text,
                wallSeconds: wall0 + Date().timeIntervalSince(t0),
                idleSeconds: idleSeconds, stepSeconds: stepSeconds0 + stepped, writeSeconds: writeSeconds)
            try run.writeCheckpoint(
                to: checkpointURL, command: String(decoding: try JSONEncoder().encode(v), as: UTF8.self))
            let bytes =
                ((try? FileManager.default.contentsOfDirectory(
                    at: checkpointURL, includingPropertiesForKeys: [.fileSizeKey])) ?? [])
                .reduce(0) { $0 + ((try? $1.resourceValues(forKeys: [.fileSizeKey]).fileSize) ?? 0) }
            // Goes into the next checkpoint's log and the final log.txt.
            log.say(
                String(
                    format: "checkpoint at frame %d (t = %.4g s, outer iteration %d): %@, %.1f MB in %.2f s", frame,
                    run.time,
                    run.solver.history.count, checkpointURL.path, Double(bytes) / 1e6, Date().timeIntervalSince(c0)))
            checkpointed = true
        }
        // The one run loop (Physics/Run/Simulation.swift): a step is a frame; this command writes
        // the frames and the checkpoints and reports a divergence or a stop.
        run.lastFrame = range.upperBound
        let frameLine = FrameProgress(enabled: !quiet, total: range.upperBound)
        let simulation = Simulation(
            run, checkpointEvery: checkpointEvery, resumedAt: resumed != nil ? run.frames.count - 1 : nil)
        let outcome: Simulation.Outcome
        do {
            outcome = try simulation.run(
                stop: { Interruption.shared.requested },
                checkpoint: {
                    frameLine.finish()
                    try checkpoint()
                },
                afterStep: {
                    let f = run.frames[run.frames.count - 1]
                    try emit(f)
                    frameLine.update(f, elapsed: Date().timeIntervalSince(tRun))
                })
        } catch {
            frameLine.finish()
            if let failure = diverged(error, run, frame: run.frames.count) {
                try reportDivergence(failure, resultFolder: folderURL, log: log.text)
            }
            throw error
        }
        frameLine.finish()
        if outcome == .interrupted {
            try reportInterruption(
                RunInterrupted(folder: checkpointURL, iteration: run.solver.history.count, frame: run.frames.count - 1),
                resumeCommand: "rackflow surge --resume \(checkpointURL.path)")
        }
        let stepSeconds = stepSeconds0 + Date().timeIntervalSince(tRun) - (writeSeconds - writeSeconds0)
        let inFlow = run.solver.phaseSeconds.map { ($0.key, $0.value - (solverPhases0[$0.key] ?? 0)) }.sorted {
            $0.1 > $1.1
        }
        log.say(
            "transient time per phase\(saved != nil ? " (since the resume)" : ""): "
                + run.phaseSeconds.sorted { $0.value > $1.value }.map { String(format: "%@ %.1f s", $0.key, $0.value) }
                .joined(separator: ", ")
                + "; inside the flow steps and tracer: "
                + inFlow.map { String(format: "%@ %.1f s", $0.0, $0.1) }.joined(separator: ", "))
        let cg = run.solver.history.map(\.pressureIterations)
        func mean(_ a: ArraySlice<Int>) -> Double { Double(a.reduce(0, +)) / Double(max(a.count, 1)) }
        log.say(
            String(
                format: "pressure CG iterations per outer iteration: idle %.1f, transient %.1f (largest %d)",
                mean(cg[..<idleOuter]), mean(cg[idleOuter...]), cg[idleOuter...].max() ?? 0)
                + Self.byPosition(cg[idleOuter...], steps: run.stepper.outerIterations))
        let w0 = Date()
        let usd = try writer.finish()
        let fresh = writer.written.count - writer.kept
        log.say(
            String(
                format: "VDB: %d files (%d written before the resume and kept), %.1f MB per frame, %.2f s per frame",
                writer.written.count, writer.kept,
                Double(writer.vdbBytes) / 1e6 / Double(max(fresh, 1)), writer.vdbSeconds / Double(max(fresh, 1))))
        log.say(
            String(
                format: "stage: %d files, %.1f MB in %.2f s", usd.files.count, Double(usd.totalBytes) / 1e6, usd.seconds
            ))
        writeSeconds += Date().timeIntervalSince(w0)
        let e = run.energy
        let wall = wall0 + Date().timeIntervalSince(t0)
        log.say(
            String(
                format: "transient: %d frames, %.1f s stepping (%.2f s per frame), %.1f s writing (%.1f %% of the run)",
                run.frames.count - 1, stepSeconds, stepSeconds / Double(max(run.frames.count - 1, 1)), writeSeconds,
                100 * writeSeconds / max(wall, 1e-9)))
        // The estimate against this run, so that its constants can be checked (time: this
        // session's, a resumed run's earlier part not included).
        log.say(
            ResourceEstimate.check(
                "time", estimated: ResourceEstimate.duration(estimate.seconds),
                actual: ResourceEstimate.duration(Date().timeIntervalSince(t0))))
        log.say(ResourceEstimate.memoryCheck(estimated: estimate.memoryBytes))
        log.say(
            String(
                format:
                    "energy: electrical %.4g J, into the air %.4g J, stored in parts %.4g J, stored in air %.4g J, "
                    + "carried out %.4g J; air balance error %.2e",
                e.electricalJ, e.toAirJ, e.storedInPartsJ, e.storedInAirJ, e.carriedOutJ, e.airBalanceError))
        try writer.writeSummary(
            wallSeconds: wall0 + Date().timeIntervalSince(t0), idleSeconds: idleSeconds, stepSeconds: stepSeconds,
            writeSeconds: writeSeconds)
        try AtomicFile.write(log.text, to: folder.staging.appendingPathComponent("log.txt"))
        try folder.commit()
        committed = true
        // The result is in place: the checkpoint (which names the staging folder, now gone) has served.
        if checkpointed { try? FileManager.default.removeItem(at: checkpointURL) }
        if !quiet {
            print(
                "surge \(sc.name): \(run.frames.count - 1) frames in \(String(format: "%.0f", wall)) s → "
                    + "\(folderURL.path)"
            )
        }
    }
}

/// Frame, simulated time, hottest GPU and ETA on one terminal line; silent in pipes and CI.
final class FrameProgress {
    let enabled: Bool
    let total: Int
    var last = Date.distantPast
    init(enabled: Bool, total: Int) {
        self.enabled = enabled && isatty(STDERR_FILENO) != 0
        self.total = total
    }
    func update(_ f: SurgeRun.Frame, elapsed: Double) {
        guard enabled, Date().timeIntervalSince(last) > 0.25 || f.index == total else { return }
        last = Date()
        let eta = elapsed / Double(max(f.index, 1)) * Double(total - f.index)
        let gpu = f.nodes.map(\.gpuMaxC).max() ?? .nan
        let line = String(
            format: "\r  frame %4d/%d  t %.2f s  outer %d  GPU ≤ %.1f °C  blower %.0f %%  ETA %.0f s   ", f.index,
            total, f.timeS,
            f.outerIterations, gpu, 100 * f.blowerFraction, eta)
        FileHandle.standardError.write(line.data(using: .utf8)!)
    }
    func finish() { if enabled && last != .distantPast { FileHandle.standardError.write("\n".data(using: .utf8)!) } }
}

/// A solver divergence during the idle solve or a frame, located and dated (step, frame, time).
func diverged(_ error: Error, _ run: SurgeRun, frame: Int?) -> RunDiverged? {
    guard var d = Divergence(error, solver: run.solver, report: run.report, transient: frame != nil) else { return nil }
    if let frame {
        d.frame = frame
        d.step = run.stepper.steps + 1
        d.timeS = run.time + run.dt
    }
    return RunDiverged(d, solver: run.solver, report: run.report, caseName: run.scenario.name)
}

extension SurgeCommand {
    /// Mean CG iterations of the 1st, 2nd, … outer iteration of a time step (the pressure
    /// correction of a step's first iteration carries the step's change; later ones mend it).
    static func byPosition(_ cg: ArraySlice<Int>, steps: [Int]) -> String {
        guard steps.reduce(0, +) == cg.count, let deepest = steps.max(), deepest > 0 else { return "" }
        var sum = [Int](repeating: 0, count: deepest), count = sum
        var i = cg.startIndex
        for n in steps {
            for j in 0..<n {
                sum[j] += cg[i]
                count[j] += 1
                i += 1
            }
        }
        return "; by outer iteration of the step: "
            + (0..<deepest).map { String(format: "%.1f (%d)", Double(sum[$0]) / Double(max(count[$0], 1)), count[$0]) }
            .joined(separator: ", ")
    }
}
