import ArgumentParser
import Foundation
import RackFlowModel
import RackFlowPhysics
import RackFlowExport

/// One `rackflow surge` run from its resolved options, in its phases: set-up (compile, estimate,
/// result folder, or a checkpoint restored), the idle steady state, the frames through the one
/// run loop (`Simulation`) with their output and checkpoints, and the closing writes and log.
/// The staging folder is abandoned if the run fails before it is committed or checkpointed.
final class SurgeSession {
    let plan: SurgePlan
    let quiet: Bool
    let checkpointEvery: Int?
    let t0: Date
    var log: RunLog
    let run: SurgeRun
    let folderURL: URL
    let checkpointURL: URL
    let estimate: SurgeEstimate
    let folder: ResultFolder
    let writer: SurgeWriter
    var committed = false
    var checkpointed: Bool
    var writeSeconds: Double
    var idleSeconds = 0.0
    // The transient's start: its clock, and the totals carried over from before a resume.
    var tRun = Date()
    var writeSeconds0 = 0.0
    var solverPhases0: [String: Double] = [:]

    var sc: Scenario { plan.scenario }
    var saved: SurgeCommand.Saved? { plan.saved }

    /// Compiles the case before anything exists under Results/, checks the estimate, and
    /// creates (or, on a resume, adopts) the staging folder.
    init(_ plan: SurgePlan, output: String?, quiet: Bool, checkpointEvery: Int?, started t0: Date) throws {
        self.plan = plan
        self.quiet = quiet
        self.checkpointEvery = checkpointEvery ?? plan.saved?.checkpointEvery
        self.t0 = t0
        log = RunLog(echo: !quiet)
        let sc = plan.scenario
        run = try SurgeRun(sc, maxSpacingM: plan.maxSpacingM)
        let g = run.solver.flow.grid
        if let v = plan.saved { log.text = v.log }
        log.say(
            "scenario \(sc.name) from \(sc.file): rack \(sc.rackPath), \(g.cellCount) cells (\(g.nx) × \(g.ny) × "
                + "\(g.nz)), \(sc.frameCount) frames at \(sc.fps) fps, Δt = \(String(format: "%.4g", run.dt)) s"
        )
        if sc.rackCascade.order != .together || !sc.rackCascade.names.isEmpty {
            log.say("note: cascade.racks orders the racks of a room (rackflow room --surge); one rack starts at onset")
        }
        folderURL = URL(fileURLWithPath: plan.saved?.output ?? output ?? "Results/\(sc.name)").standardizedFileURL
        checkpointURL = plan.resumeURL ?? checkpointFolder(folderURL)
        // Memory, disk and time of the frames asked for, before the idle solve: refused here when they do not fit.
        estimate = try SurgeEstimate.check(
            run, frames: plan.frames, every: plan.every, voxelSizeM: plan.voxelSizeM, output: folderURL)
        log.say("estimate: \(estimate)")
        if let (h, s, c) = plan.resumed, let v = plan.saved, let resumeURL = plan.resumeURL {
            try run.restore(h, s, c, folder: resumeURL) // refuses changed inputs before touching the staging folder
            folder = try ResultFolder(final: folderURL, adopting: URL(fileURLWithPath: v.staging))
        } else {
            folder = try ResultFolder(final: folderURL)
        }
        // The staging folder goes once a checkpoint refers to it only when the run ends or fails before any.
        checkpointed = plan.resumed != nil
        writer = SurgeWriter(run: run, folder: folder.staging, voxelSizeM: plan.voxelSizeM, zUp: plan.upAxis == "Z")
        writer.every = plan.every
        writeSeconds = plan.saved?.writeSeconds ?? 0
    }

    /// The whole run; the staging folder is abandoned on a failure before a commit or a checkpoint.
    func execute() throws {
        do {
            try idleState()
            try frames()
            try finish()
        } catch {
            if !committed && !checkpointed { folder.abandon() }
            throw error
        }
    }

    /// Writes `frame` if it is one of the frames asked for.
    func emit(_ frame: SurgeRun.Frame) throws {
        guard plan.frames.contains(frame.index), frame.index % plan.every == 0 else { return }
        let w0 = Date()
        try writer.writeFrame(frame)
        writeSeconds += Date().timeIntervalSince(w0)
    }

    /// The idle steady state (frame 0), solved and written; on a resume, the frames so far adopted.
    func idleState() throws {
        if let v = saved {
            idleSeconds = v.idleSeconds
            writer.restore(written: run.frames.filter { plan.frames.contains($0.index) && $0.index % plan.every == 0 })
            writer.keepExisting = true
            log.say(
                "resumed from \(checkpointURL.path) at frame \(run.frames.count - 1) (t = "
                    + "\(String(format: "%.4g", run.time)) s, outer iteration \(run.solver.history.count)); frames "
                    + "so far in \(folder.staging.path)"
            )
            return
        }
        let progress = SolveProgress(
            enabled: !quiet, maxIterations: run.solver.options.maxIterations,
            monitors: SolveProgress.rackMonitors(run.layout, run.report))
        let tIdle = Date()
        do {
            try run.solveIdle(
                log: {
                    progress.finish()
                    self.log.say($0)
                }, progress: { progress.update($0, solver: self.run.solver) })
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

    /// Writes the checkpoint of the frame just finished (the frame's files are already written).
    func checkpoint() throws {
        let frame = run.frames.count - 1
        let stepped = Date().timeIntervalSince(tRun) - (writeSeconds - writeSeconds0)
        let c0 = Date()
        let v = SurgeCommand.Saved(
            scenario: sc.file, output: folderURL.path, staging: folder.staging.path,
            firstFrame: plan.frames.lowerBound, lastFrame: plan.frames.upperBound,
            every: plan.every, checkpointEvery: checkpointEvery, voxelSizeM: plan.voxelSizeM, upAxis: plan.upAxis,
            log: log.text,
            wallSeconds: (saved?.wallSeconds ?? 0) + Date().timeIntervalSince(t0),
            idleSeconds: idleSeconds, stepSeconds: (saved?.stepSeconds ?? 0) + stepped, writeSeconds: writeSeconds)
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

    /// The frames through the one run loop (Physics/Run/Simulation.swift): a step is a frame;
    /// the session writes the frames and the checkpoints and reports a divergence or a stop.
    func frames() throws {
        tRun = Date()
        writeSeconds0 = writeSeconds
        solverPhases0 = run.solver.phaseSeconds
        run.lastFrame = plan.frames.upperBound
        let frameLine = FrameProgress(enabled: !quiet, total: plan.frames.upperBound)
        let simulation = Simulation(
            run, checkpointEvery: checkpointEvery, resumedAt: plan.resumed != nil ? run.frames.count - 1 : nil)
        let outcome: Simulation.Outcome
        do {
            outcome = try simulation.run(
                stop: { Interruption.shared.requested },
                checkpoint: {
                    frameLine.finish()
                    try self.checkpoint()
                },
                afterStep: {
                    let f = self.run.frames[self.run.frames.count - 1]
                    try self.emit(f)
                    frameLine.update(f, elapsed: Date().timeIntervalSince(self.tRun))
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
    }
}

extension SurgeSession {
    /// The stage, summary and log written, the folder committed, the checkpoint removed.
    func finish() throws {
        let stepSeconds =
            (saved?.stepSeconds ?? 0) + Date().timeIntervalSince(tRun) - (writeSeconds - writeSeconds0)
        logSolverTimings()
        let w0 = Date()
        let usd = try writer.finish()
        let fresh = writer.written.count - writer.kept
        let kept = writer.kept > 0 ? String(format: " (%d written before the resume and kept)", writer.kept) : ""
        log.say(
            String(
                format: "VDB: %d files%@, %.1f MB per frame, %.2f s per frame", writer.written.count, kept,
                Double(writer.vdbBytes) / 1e6 / Double(max(fresh, 1)), writer.vdbSeconds / Double(max(fresh, 1))))
        log.say(
            String(
                format: "stage: %d files, %.1f MB in %.2f s", usd.files.count, Double(usd.totalBytes) / 1e6, usd.seconds
            ))
        writeSeconds += Date().timeIntervalSince(w0)
        let e = run.energy
        let wall0 = saved?.wallSeconds ?? 0
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
                "surge \(sc.name): \(writer.written.count) frames"
                    + (writer.written.contains { $0.index == 0 }
                        ? " (the idle state and \(writer.written.count - 1) of the surge)" : "")
                    + " in \(String(format: "%.0f", wall)) s → "
                    + "\(folderURL.path)"
            )
        }
    }

    /// Time per phase of the transient and the pressure solve's CG iterations, into the log.
    func logSolverTimings() {
        let idleOuter = run.idleIterations
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
                + SurgeCommand.byPosition(cg[idleOuter...], steps: run.stepper.outerIterations))
    }
}
