import ArgumentParser
import Foundation
import RackFlowNumerics
import RackFlowPhysics
import RackFlowModel
import RackFlowExport

struct RoomCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "room",
        abstract:
            "Solve a room of racks coupled through the plenum (default: Meshes/rooms/refinery-room.yaml), in one "
            + "process or under mpirun.",
        discussion: """
            Every rack is solved at the flow the plenum network gives it; the racks' pressure–flow responses and the \
            network are iterated until the flows agree. \
            Racks are solved concurrently (--jobs, one thread each); racks with the same rack file, duct and (in a \
            surge) start share one solve (--solve-every-rack to solve each); under `mpirun -np N` the ranks own the \
            distinct racks round-robin and exchange the coupling through collectives, and rank 0 writes. \
            Writes Results/<room>/: summary.json, report.md, report.html, plan.png, log.txt, room.usda (USD stage: \
            racks placed, nodes as instances with heat-map colour and telemetry, fans in a surge, per-rack volumes, \
            cable trays), tray-probes.csv and \
            racks/<rack>/ (as `solve` writes a rack, plus fields.vdb), all at once when the run ends; a failed run \
            (any rank) leaves nothing but a checkpoint folder, if one was written.
            """
    )
    @Argument(help: "Room file (default: Meshes/rooms/refinery-room.yaml).") var room: String?
    @Option(help: "Result folder (default: Results/<room name>).") var output: String?
    @Option(help: "Largest grid spacing of every rack, m (overrides the rack files).") var maxSpacing: Double?
    @Option(
        help: ArgumentHelp(
            "Racks solved at once per process, one thread each (default: the core count without MPI, 1 per rank "
                + "under mpirun), and the room air's threads (default: the core count).")
    ) var jobs: Int?
    @Option(help: "Uniform spacing of each rack's fields.vti, m.") var vtiSpacing: Double = 0.01
    @Option(help: "Voxel size of each rack's fields.vdb (the room stage's volumes), m.") var voxelSize: Double = 0.02
    @Option(
        help: ArgumentHelp(
            "Play a surge scenario in every rack with the plenum coupled at every frame (iterated to "
                + "coupling.tolerance) (the scenario's rack is replaced by each position's rack).")
    ) var surge: String?
    @Option(
        help: ArgumentHelp(
            "With --surge: frames to play after the idle one (the scenario's duration becomes N / frame rate).")
    ) var frames: Int?
    @Option(
        help: ArgumentHelp(
            "With --surge: frame rate instead of the scenario's, frames per second (the time step follows).")
    ) var fps: Double?
    @Option(help: "Up axis of room.usda: Y (Houdini, default) or Z (Blender and others).") var upAxis: String?
    @Flag(
        help: ArgumentHelp(
            "After the coupling, solve the room's air (the hall around and above the racks, driven by their "
                + "exhausts; the room file's `hall:`) and sample the tray probes from it; writes room/.")
    ) var roomAir = false
    @Option(
        help: ArgumentHelp("With --room-air: largest cell near the racks and trays, m (overrides hall.spacing).")
    ) var roomAirSpacing: Double?
    @Flag(
        help: ArgumentHelp(
            "Solve every rack itself. By default racks with the same rack file, duct and (in a surge) start share "
                + "one solve: the same inputs give the same answer, bit for bit.")
    ) var solveEveryRack = false
    @Flag(help: "No progress, no summary on stdout.") var quiet = false
    @Option(
        help: ArgumentHelp(
            "Write <output>.checkpoint/ at the end of every N-th coupling iteration, or with --surge every N-th "
                + "frame (every rack's state and the room's; Ctrl-C / SIGTERM write one too).")
    )
    var checkpointEvery: Int?
    @Option(
        help: ArgumentHelp(
            "Continue the room run a checkpoint folder holds (written by --checkpoint-every or by Ctrl-C / SIGTERM), "
                + "with its room file and options.")
    )
    var resume: String?

    func run() throws {
        let comm: RoomComm
        var mpi: MPIComm? = nil
        if MPIComm.launched {
            let m = try MPIComm()
            mpi = m
            comm = m
        } else {
            comm = SingleProcess()
        }
        do {
            try body(comm)
            mpi?.finalize()
        } catch let stop as RunInterrupted {
            // Every rank stops together (the stop flag is all-reduced at the coupling boundary).
            mpi?.finalize()
            if comm.rank == 0 {
                FileHandle.standardError.write(
                    "\(stop)\nresume with: rackflow room --resume \(stop.folder.path)\n".data(using: .utf8)!)
            }
            throw ExitCode(Interruption.shared.signal == "SIGTERM" ? 143 : 130)
        } catch {
            // Every rank reaches here together (failures are agreed collectively); rank 0 says why.
            mpi?.finalize()
            // A refused option is a usage error: exit 64 with the usage (RackFlow.main).
            if comm.rank != 0 { throw ExitCode(error is ValidationError ? 64 : 1) }
            if let e = error as? ExitCode { throw e }
            if error is ValidationError { throw error }
            FileHandle.standardError.write("rackflow room: \(error)\n".data(using: .utf8)!)
            throw ExitCode(1)
        }
    }

    func body(_ comm: RoomComm) throws {
        let t0 = Date()
        let root = comm.rank == 0
        var log = RunLog(echo: !quiet && root && isatty(STDERR_FILENO) != 0)
        if let h = maxSpacing, !(h > 0 && h.isFinite) {
            throw ValidationError("--max-spacing must be > 0 m (got \(h))")
        }
        if let j = jobs, j < 1 { throw ValidationError("--jobs must be ≥ 1 (got \(j))") }
        guard vtiSpacing > 0, vtiSpacing.isFinite else {
            throw ValidationError("--vti-spacing must be > 0 m (got \(vtiSpacing))")
        }
        guard voxelSize > 0, voxelSize.isFinite else {
            throw ValidationError("--voxel-size must be > 0 m (got \(voxelSize))")
        }
        if let h = roomAirSpacing, !(h > 0 && h.isFinite) {
            throw ValidationError("--room-air-spacing must be > 0 m (got \(h))")
        }
        if roomAirSpacing != nil && !roomAir && resume == nil {
            throw ValidationError("--room-air-spacing is for --room-air")
        }
        if surge == nil && resume == nil && (frames != nil || fps != nil) {
            throw ValidationError("--frames and --fps are for a room surge (--surge SCENARIO)")
        }
        if let n = frames, n < 1 || n > 100_000 { throw ValidationError("--frames must be 1…100000 (got \(n))") }
        if let f = fps, !(f > 0 && f <= 1000) {
            throw ValidationError("--fps must be > 0 and ≤ 1000 frames per second (got \(f))")
        }
        if let n = checkpointEvery, n < 1 {
            throw ValidationError("--checkpoint-every must be ≥ 1 (got \(n))")
        }
        let axis = upAxis?.uppercased()
        if let a = axis, !["Y", "Z"].contains(a) { throw ValidationError("--up-axis must be Y or Z (got \(a))") }
        let typed = RoomResumeOptions(
            room: room, output: output, maxSpacing: maxSpacing, vtiSpacing: vtiSpacing, upAxis: axis,
            solveEveryRack: solveEveryRack, roomAir: roomAir, roomAirSpacing: roomAirSpacing,
            surge: surge, frames: frames, fps: fps, voxelSize: voxelSize, checkpointEvery: checkpointEvery)
        let (settings, resumeURL) = try RoomResumeOptions.resolve(typed, resume: resume)
        let stageUpAxis: StageRecording.UpAxis = settings.upAxis == "Z" ? .z : .y
        let (roomFile, outputPath, spacing, vtiH) = (
            settings.room, settings.output, settings.maxSpacing, settings.vtiSpacing
        )
        let spec = try RoomSpec.load(path: roomFile ?? DefaultCase.room)
        let (jobs, roomAirJobs) = threads(comm)

        SignalHandlers.install()
        if let surge = settings.surge {
            try surgeBody(
                comm, spec: spec, scenarioPath: surge, settings: settings, resumeURL: resumeURL, jobs: jobs,
                roomAirJobs: roomAirJobs, upAxis: stageUpAxis, t0: t0, log: &log)
            return
        }
        let run = try RoomRun(spec, comm: comm, shareTwins: !(settings.solveEveryRack ?? false))
        let folderURL = URL(fileURLWithPath: outputPath ?? "Results/\(spec.name)")
        try ResultFolder.checkReplaceable(folderURL.standardizedFileURL) // before the hours of solving
        let checkpointURL =
            resumeURL
            ?? folderURL.deletingLastPathComponent().appendingPathComponent(folderURL.lastPathComponent + ".checkpoint")
        let checkpoints = try RoomCheckpointer(
            folder: checkpointURL, every: settings.checkpointEvery, resume: resumeURL != nil, maxSpacingM: spacing,
            command: try settings.stored(output: folderURL, surge: nil),
            stop: { Interruption.shared.requested })
        let tc = Date()
        try run.run(maxSpacingM: spacing, jobs: jobs, checkpoints: checkpoints, log: { log.say($0) })
        let couplingSeconds = Date().timeIntervalSince(tc) - run.buildSeconds

        guard
            let summary = try RoomSteadyFolder.write(
                run: run, to: folderURL, vtiSpacingM: vtiH, voxelSizeM: settings.voxelSize ?? voxelSize, jobs: jobs,
                roomAirJobs: roomAirJobs,
                upAxis: stageUpAxis, roomAir: settings.roomAir == true, roomAirSpacingM: settings.roomAirSpacing,
                couplingSeconds: couplingSeconds, start: t0, log: &log)
        else { return }
        // The result is in place: the checkpoint has served.
        if !checkpoints.written.isEmpty || resumeURL != nil { try? FileManager.default.removeItem(at: checkpointURL) }
        if !quiet { print(Self.table(summary, folder: folderURL.path)) }
        if !summary.coupling.converged || summary.racks.contains(where: { !$0.converged }) { throw ExitCode(3) }
        if let a = summary.roomAir, !a.converged { throw ExitCode(3) }
    }

    /// Racks solved at once on this process, one thread each (the core count, or 1 per rank
    /// under MPI), and the room air's threads: it is solved on rank 0 once the racks are done,
    /// on the machine's cores (the other ranks wait in MPI yielding theirs, `MPIComm`). --jobs
    /// sets both.
    func threads(_ comm: RoomComm) -> (racks: Int, roomAir: Int) {
        let cores = max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
        return (jobs ?? (comm.size > 1 ? 1 : cores), jobs ?? cores)
    }

    /// `--surge`: idle states, then every frame each rank steps its racks, the plenum is coupled,
    /// and each rank writes its racks' VDB of the frame (`RoomSurgeFrames`); rank 0 assembles the
    /// result folder at the end (`RoomSurgeFolder`). Checkpoints at frame ends
    /// (`RoomSurgeCheckpointer`): every `--checkpoint-every` frames and on Ctrl-C / SIGTERM.
    func surgeBody(
        _ comm: RoomComm, spec: RoomSpec, scenarioPath: String, settings: RoomResumeOptions, resumeURL: URL?,
        jobs: Int, roomAirJobs: Int, upAxis stageUpAxis: StageRecording.UpAxis, t0: Date, log: inout RunLog
    ) throws {
        let scenario = try Self.scenario(scenarioPath, settings)
        let root = comm.rank == 0
        let folderURL = URL(
            fileURLWithPath: settings.output ?? "Results/\(spec.name)-\(scenario.name)")
        try ResultFolder.checkReplaceable(folderURL.standardizedFileURL)
        let checkpointURL =
            resumeURL
            ?? folderURL.deletingLastPathComponent().appendingPathComponent(folderURL.lastPathComponent + ".checkpoint")
        let checkpoints = try RoomSurgeCheckpointer(
            folder: checkpointURL, every: settings.checkpointEvery, resume: resumeURL != nil,
            maxSpacingM: settings.maxSpacing,
            command: try settings.stored(output: folderURL, surge: scenarioPath),
            stop: { Interruption.shared.requested })
        var lines: [String] = []
        let rs = RoomSurge(spec, comm: comm, scenario: scenario)
        try rs.build(
            maxSpacingM: settings.maxSpacing, jobs: jobs, shareTwins: !(settings.solveEveryRack ?? false),
            log: { if root { lines.append($0) } })
        if settings.roomAir == true {
            // The hall is solved after the last frame: its grid and memory are checked now.
            var failure: Error?
            if root {
                do { try RoomSurgeAir.check(spec: spec, spacingM: settings.roomAirSpacing) } catch { failure = error }
            }
            try comm.agree(failure)
        }
        let voxel = settings.voxelSize ?? voxelSize
        let caches = RoomSurgeFrames(surge: rs, voxelSizeM: voxel, comm: comm)
        var resumedAt: Int?
        if checkpoints.resumed != nil {
            let kept = try checkpoints.restore(rs)
            try caches.resume(from: checkpoints.caches, frame: rs.step)
            resumedAt = rs.step
            // The run so far (its build lines included), not echoed again.
            for l in kept { log.text += l + "\n" }
            log.say("resumed from \(checkpointURL.path) after frame \(rs.step)")
        } else {
            try rs.solveIdle(log: { if root { lines.append($0) } })
            try caches.write(frame: 0)
            for l in lines { log.say(l) }
        }
        // The one run loop (Physics/Run/Simulation.swift): a step is a frame of the whole room.
        let simulation = Simulation(rs, checkpointEvery: settings.checkpointEvery, resumedAt: resumedAt)
        let outcome = try simulation.run(
            stop: { try checkpoints.stopRequested(rs) },
            checkpoint: {
                try caches.persist(into: checkpoints.caches)
                let soFar = log.text.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map(
                    String.init)
                try checkpoints.write(rs, log: soFar, say: { log.say($0) })
            },
            afterStep: {
                let f = rs.step
                let rec = rs.records[f]
                try caches.write(frame: f)
                if root { log.say(Self.frameLine(f, rec)) }
            })
        if outcome == .interrupted {
            throw RunInterrupted(folder: checkpointURL, iteration: rs.step, frame: rs.step, after: .frame)
        }
        // The racks are done: the room air (rank 0) gets the machine's cores.
        Parallel.workers = roomAirJobs
        guard
            let s = try RoomSurgeFolder.write(
                surge: rs, frames: caches, to: folderURL, upAxis: stageUpAxis,
                roomAir: settings.roomAir == true ? (settings.roomAirSpacing, nil) : nil, start: t0, log: &log)
        else { return }
        // The result is in place: the checkpoint has served.
        if !checkpoints.written.isEmpty || resumeURL != nil { try? FileManager.default.removeItem(at: checkpointURL) }
        if !quiet {
            print(
                "room \(spec.name) surge \(scenario.name): \(s.frames) frames in "
                    + "\(String(format: "%.1f", s.wallSeconds)) s; results: \(folderURL.path)/report.md, room.usda"
            )
        }
        if let a = s.roomAir, !a.converged { throw ExitCode(3) }
    }

    /// The scenario with `--fps` and `--frames` applied. The overrides keep what the scenario
    /// means in time (onsets, ramps, delays in s); only how long it plays and how finely it is
    /// sampled change.
    static func scenario(_ path: String, _ settings: RoomResumeOptions) throws -> Scenario {
        var scenario = try Scenario.load(path: path)
        if let f = settings.fps { scenario.fps = f }
        if let n = settings.frames { scenario.durationS = Double(n) / scenario.fps }
        if scenario.frameCount < 1 {
            throw ValidationError(
                String(
                    format: "--fps %g gives no frame in the scenario's %g s; give --frames too", scenario.fps,
                    scenario.durationS))
        }
        return scenario
    }

    /// The log line of a room surge's frame `f`.
    static func frameLine(_ f: Int, _ rec: RoomSurge.FrameRecord) -> String {
        String(
            format:
                "frame %d (t = %.3f s): coupling %d step(s)%@, flow residual %.1e, pressure residual "
                + "%.2g Pa; blowers %.4f m³/s at fraction %.2f, plenum %.2f Pa, racks ",
            f, rec.timeS, rec.couplingIterations, rec.couplingConverged ? "" : " (NOT converged)",
            rec.flowResidual, rec.pressureResidualPa,
            rec.blowerFlowM3PerS, rec.blowerFraction, rec.plenumPressurePa)
            + rec.racks.map { String(format: "%.1f L/s %.2f °C", 1000 * $0.flowM3PerS, $0.exhaustC) }
            .joined(separator: ", ")
    }

    static func table(_ s: RoomSummary, folder: String) -> String {
        var out =
            "\nroom \(s.room): coupling \(s.coupling.converged ? "converged" : "NOT converged") in "
            + "\(s.coupling.iterations.count) iterations, \(String(format: "%.1f", s.timings.wallSeconds)) s on "
            + "\(s.ranks) rank(s)\n"
        out += String(
            format: "blowers %.4f m³/s at %.1f Pa, plenum %.2f Pa, mass conservation %.1e\n", s.blowerFlowM3PerS,
            s.blowerRisePa, s.plenumPressurePa, s.massConservationError)
        out += "rack   flow (L/s)  share (%)  slot (Pa)  exhaust (°C)  hottest GPU (°C)\n"
        for r in s.racks {
            out += String(
                format: "%-6@ %10.2f  %9.2f  %9.2f  %12.2f  %16.1f\n", r.name, 1000 * r.inletFlowM3PerS, 100 * r.share,
                r.inletPressurePa,
                r.exhaustC, r.hottestGPU?.temperatureC ?? .nan)
        }
        out += "results: \(folder)/report.md\n"
        return out
    }
}

extension DefaultCase {
    static var room: String { bundled("Meshes/rooms/refinery-room.yaml") }
}
