import ArgumentParser
import Foundation
import RackFlowNumerics
import RackFlowPhysics
import RackFlowModel
import RackFlowExport

struct RoomCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "room",
        abstract: "Solve a room of racks coupled through the plenum (default: Meshes/rooms/refinery-room.yaml), in one process or under mpirun.",
        discussion: """
            Every rack is solved at the flow the plenum network gives it; the racks' pressure–flow responses and the network are iterated until the flows agree. \
            Racks are solved concurrently (--jobs, one thread each); under `mpirun -np N` the ranks own the racks round-robin and exchange the coupling through collectives, and rank 0 writes. \
            Writes Results/<room>/: summary.json, report.md, plan.png, log.txt and racks/<rack>/ (as `solve` writes a rack), all at once when the run ends; a failed run (any rank) leaves nothing.
            """
    )
    @Argument(help: "Room file (default: Meshes/rooms/refinery-room.yaml).") var room: String?
    @Option(help: "Result folder (default: Results/<room name>).") var output: String?
    @Option(help: "Largest grid spacing of every rack, m (overrides the rack files).") var maxSpacing: Double?
    @Option(help: "Racks solved at once per process, one thread each (default: the core count without MPI, 1 per rank under mpirun).") var jobs: Int?
    @Option(help: "Uniform spacing of each rack's fields.vti, m.") var vtiSpacing: Double = 0.01
    @Flag(help: "No progress, no summary on stdout.") var quiet = false
    @Option(help: "Write <output>.checkpoint/ at the end of every N-th coupling iteration (every rack's solver state and the coupling's; Ctrl-C / SIGTERM write one too).")
    var checkpointEvery: Int?
    @Option(help: "Continue the room run a checkpoint folder holds (written by --checkpoint-every or by Ctrl-C / SIGTERM), with its room file and options.")
    var resume: String?

    func run() throws {
        let comm: RoomComm
        var mpi: MPIComm? = nil
        if MPIComm.launched {
            let m = try MPIComm()
            mpi = m; comm = m
        } else {
            comm = SingleProcess()
        }
        do {
            try body(comm)
            mpi?.finalize()
        } catch let stop as RoomInterrupted {
            // Every rank stops together (the stop flag is all-reduced at the coupling boundary).
            mpi?.finalize()
            if comm.rank == 0 { FileHandle.standardError.write("\(stop)\nresume with: rackflow room --resume \(stop.folder.path)\n".data(using: .utf8)!) }
            throw ExitCode(Interruption.shared.signal == "SIGTERM" ? 143 : 130)
        } catch {
            // Every rank reaches here together (failures are agreed collectively); rank 0 says why.
            mpi?.finalize()
            if comm.rank != 0 { throw ExitCode(1) }
            if let e = error as? ExitCode { throw e }
            FileHandle.standardError.write("rackflow room: \(error)\n".data(using: .utf8)!)
            throw ExitCode(1)
        }
    }

    func body(_ comm: RoomComm) throws {
        let t0 = Date()
        let root = comm.rank == 0
        var log = RunLog(echo: !quiet && root && isatty(STDERR_FILENO) != 0)
        if let h = maxSpacing, !(h > 0 && h.isFinite) { throw ValidationError("--max-spacing must be > 0 m (got \(h))") }
        if let j = jobs, j < 1 { throw ValidationError("--jobs must be ≥ 1 (got \(j))") }
        guard vtiSpacing > 0, vtiSpacing.isFinite else { throw ValidationError("--vti-spacing must be > 0 m (got \(vtiSpacing))") }
        Interruption.shared.install()
        let (settings, resumeURL) = try RoomResumeOptions.resolve(room: room, output: output, maxSpacing: maxSpacing, vtiSpacing: vtiSpacing,
                                                                  checkpointEvery: checkpointEvery, resume: resume)
        let (roomFile, outputPath, spacing, vtiH) = (settings.room, settings.output, settings.maxSpacing, settings.vtiSpacing)
        let spec = try RoomSpec.load(path: roomFile ?? DefaultCase.room)
        let cores = max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
        let jobs = self.jobs ?? (comm.size > 1 ? 1 : cores)

        let run = try RoomRun(spec, comm: comm)
        let folderURL = URL(fileURLWithPath: outputPath ?? "Results/\(spec.name)")
        let checkpointURL = resumeURL ?? folderURL.deletingLastPathComponent().appendingPathComponent(folderURL.lastPathComponent + ".checkpoint")
        var stored = settings
        stored.room = URL(fileURLWithPath: roomFile ?? DefaultCase.room).absoluteURL.standardizedFileURL.path; stored.output = folderURL.absoluteURL.standardizedFileURL.path
        let checkpoints = try RoomCheckpointer(folder: checkpointURL, every: checkpointEvery, resume: resumeURL != nil, maxSpacingM: spacing,
                                               command: String(decoding: try JSONEncoder().encode(stored), as: UTF8.self),
                                               stop: { Interruption.shared.requested })
        let tc = Date()
        try run.run(maxSpacingM: spacing, jobs: jobs, checkpoints: checkpoints, log: { log.say($0) })
        let coupling = run.coupling!
        let couplingSeconds = Date().timeIntervalSince(tc) - run.buildSeconds

        // Each rank writes its racks' folders privately, then ships them to rank 0 with
        // their summaries: rank 0 alone touches Results/, and only once everything is there.
        let tw = Date()
        let scratch = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("rackflow-room-\(getpid())-\(comm.rank)")
        defer { try? FileManager.default.removeItem(at: scratch) }
        var archive = Data()
        var summaries: [Int: SolveSummary] = [:]
        var writeError: Error?
        do {
            for k in run.owned {
                let r = run.racks[k]!
                var s = r.summary()
                s.wallSeconds = s.solveSeconds
                let dir = scratch.appendingPathComponent(r.name)
                try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
                var rackLog = RunLog(echo: false)
                rackLog.say("rack \(r.name) of room \(spec.name), solved at \(coupling.rackFlowsM3PerS[k]) m³/s on rank \(comm.rank)")
                try ResultWriter.write(summary: s, solver: r.solver, genericCase: r.genericCase, layout: r.caseFile.layout, report: r.report,
                                       source: spec.racks[k].rackFile, to: dir, vtiSpacingM: vtiH, log: &rackLog)
                try ResultWriter.writeSummary(s, to: dir)
                try AtomicFile.write(rackLog.text, to: dir.appendingPathComponent("log.txt"))
                archive.append(try FolderArchive.pack(dir, prefix: "racks/\(r.name)"))
                summaries[k] = s
            }
        } catch { writeError = RoomError.rack(name: "(writing)", rank: comm.rank, reason: "\(error)") }
        try run.agree(writeError)
        var ts = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts)
        let cpu = Double(ts.tv_sec) + 1e-9 * Double(ts.tv_nsec)
        let cpuPerRank = try comm.allreduceSum((0..<comm.size).map { $0 == comm.rank ? cpu : 0 })
        let enc = JSONEncoder()
        enc.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        let archives = try comm.gather(archive)
        let summaryBlobs = try comm.gather(try enc.encode(summaries))
        guard root else { return }

        let dec = JSONDecoder()
        dec.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        var all: [Int: SolveSummary] = [:]
        for b in summaryBlobs { all.merge(try dec.decode([Int: SolveSummary].self, from: b)) { a, _ in a } }
        guard all.count == spec.racks.count else { throw RoomError.coupling("rank 0 received \(all.count) of \(spec.racks.count) rack summaries") }

        let folder = try ResultFolder(final: folderURL)
        var committed = false
        defer { if !committed { folder.abandon() } }
        for a in archives { try FolderArchive.unpack(a, into: folder.staging) }
        var summary = RoomSummary(spec: spec, network: run.network, coupling: coupling, rackSummaries: spec.racks.indices.map { all[$0]! },
                                  ranks: comm.size, jobsPerRank: jobs,
                                  timings: .init(compileSeconds: run.buildSeconds, couplingSeconds: couplingSeconds, writeSeconds: 0, wallSeconds: 0))
        summary.cpuSecondsPerRank = cpuPerRank
        summary.timings.writeSeconds = Date().timeIntervalSince(tw)
        summary.timings.wallSeconds = Date().timeIntervalSince(t0)
        log.say("CPU seconds per rank: " + cpuPerRank.map { String(format: "%.1f", $0) }.joined(separator: ", "))
        log.say(String(format: "Σ rack inlet flows %.6f m³/s, blowers %.6f m³/s (%.1e relative); plenum %.2f Pa; wall %.1f s",
                       summary.racks.map(\.measuredInletFlowM3PerS).reduce(0, +), summary.blowerFlowM3PerS, summary.massConservationError,
                       summary.plenumPressurePa, summary.timings.wallSeconds))
        try RoomWriter.write(summary, spec: spec, to: folder.staging)
        try AtomicFile.write(log.text, to: folder.staging.appendingPathComponent("log.txt"))
        try folder.commit()
        committed = true
        // The result is in place: the checkpoint has served.
        if !checkpoints.written.isEmpty || resumeURL != nil { try? FileManager.default.removeItem(at: checkpointURL) }
        if !quiet { print(Self.table(summary, folder: folderURL.path)) }
        if !coupling.converged || summary.racks.contains(where: { !$0.converged }) { throw ExitCode(3) }
    }

    static func table(_ s: RoomSummary, folder: String) -> String {
        var out = "\nroom \(s.room): coupling \(s.coupling.converged ? "converged" : "NOT converged") in \(s.coupling.iterations.count) iterations, \(String(format: "%.1f", s.timings.wallSeconds)) s on \(s.ranks) rank(s)\n"
        out += String(format: "blowers %.4f m³/s at %.1f Pa, plenum %.2f Pa, mass conservation %.1e\n", s.blowerFlowM3PerS, s.blowerRisePa, s.plenumPressurePa, s.massConservationError)
        out += "rack   flow (L/s)  share (%)  slot (Pa)  exhaust (°C)  hottest GPU (°C)\n"
        for r in s.racks {
            out += String(format: "%-6@ %10.2f  %9.2f  %9.2f  %12.2f  %16.1f\n", r.name, 1000 * r.inletFlowM3PerS, 100 * r.share, r.inletPressurePa,
                          r.exhaustC, r.hottestGPU?.temperatureC ?? .nan)
        }
        out += "results: \(folder)/report.md\n"
        return out
    }
}

extension DefaultCase {
    static var room: String { bundled("Meshes/rooms/refinery-room.yaml") }
}
