import Foundation
import RackFlowModel
import RackFlowPhysics

/// Description
///   The racks of a steady room run, written and brought to rank 0. Each rank writes the racks
///   it owns into a private scratch folder, as `rackflow solve` writes a rack (summary, report,
///   residuals, fields, log.txt), plus the rack's `fields.vdb` for the room stage (rack frame,
///   Y up, DESIGN §7; `rank` in the file's metadata says which rank wrote it). It packs them
///   (`FolderArchive`) and ships them with their summaries to rank 0, so that rank 0 alone
///   touches Results/, and only once everything is there. A failure on any rank stops every
///   rank (`RoomComm.agree`).
///
/// Usage
///   | argument     | meaning                                                    |
///   | ---          | ---                                                        |
///   | run          | a room run whose coupling has finished (`RoomRun.run`)     |
///   | vtiSpacingM  | spacing of each rack's fields.vti, m                       |
///   | voxelSizeM   | voxel size of each rack's fields.vdb, m                    |
///   | comm         | the ranks; collective: every rank calls it                 |
public enum RoomRackFolders {
    public struct Gathered {
        /// Every rank's packed folders (`racks/<name>/…`), in rank order.
        public var archives: [Data]
        /// Every rack's summary, by rack index.
        public var summaries: [Int: SolveSummary]
        /// CPU seconds of each rank's process so far.
        public var cpuSecondsPerRank: [Double]
    }

    /// Writes this rank's racks and gathers everything on rank 0: the folders, summaries and CPU
    /// times there, nil on the other ranks.
    public static func gather(
        run: RoomRun, vtiSpacingM: Double, voxelSizeM: Double, comm: RoomComm
    ) throws
        -> Gathered?
    {
        let spec = run.spec
        let coupling = run.coupling!
        let scratch = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent(
            "rackflow-room-\(getpid())-\(comm.rank)")
        defer { try? FileManager.default.removeItem(at: scratch) }
        var archive = Data()
        var summaries: [Int: SolveSummary] = [:]
        var writeError: Error?
        do {
            for k in run.owned {
                let r = run.racks[k]!
                let name = spec.racks[k].name
                var s = r.summary()
                s.wallSeconds = s.solveSeconds
                let dir = scratch.appendingPathComponent(name)
                try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
                var rackLog = RunLog(echo: false)
                rackLog.say(
                    "rack \(name) of room \(spec.name), solved at \(coupling.rackFlowsM3PerS[k]) m³/s on rank "
                        + "\(comm.rank)" + (run.twins.twin[k] == k ? "" : " (the solve of its twin \(r.name))")
                )
                try ResultWriter.write(
                    summary: s, solver: r.solver, genericCase: r.genericCase, layout: r.caseFile.layout,
                    report: r.report,
                    source: spec.racks[k].rackFile, to: dir, vtiSpacingM: vtiSpacingM, log: &rackLog)
                try ResultWriter.writeSummary(s, to: dir)
                let tv = Date()
                let lattice = try VDBLattice(flow: r.solver.flow, voxelSizeM: voxelSizeM, upAxis: .y)
                let vdb = try VDBWriter.write(
                    VDBFrame(solver: r.solver, temperatureBackgroundC: spec.racks[k].rack.inletTemperatureC),
                    lattice: lattice,
                    to: dir.appendingPathComponent("fields.vdb"),
                    metadata: ["room": spec.name, "rack": name, "rank": "\(comm.rank)", "frame": "1"])
                rackLog.say(
                    String(
                        format: "fields.vdb: %d voxels (%d active) at %.3f m, %d bytes, %.2f s, rank %d",
                        lattice.voxelCount, lattice.activeVoxelCount,
                        voxelSizeM, vdb.bytes, Date().timeIntervalSince(tv), comm.rank))
                try AtomicFile.write(rackLog.text, to: dir.appendingPathComponent("log.txt"))
                archive.append(try FolderArchive.pack(dir, prefix: "racks/\(name)"))
                summaries[k] = s
            }
        } catch { writeError = RoomError.rack(name: "(writing)", rank: comm.rank, reason: "\(error)") }
        try comm.agree(writeError)
        var ts = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts)
        let cpu = Double(ts.tv_sec) + 1e-9 * Double(ts.tv_nsec)
        let cpuPerRank = try comm.allreduceSum((0..<comm.size).map { $0 == comm.rank ? cpu : 0 })
        let archives = try comm.gather(archive)
        let summaryBlobs = try comm.gather(try JSONCoding.encoder().encode(summaries))
        guard comm.rank == 0 else { return nil }

        let dec = JSONCoding.decoder()
        var all: [Int: SolveSummary] = [:]
        for b in summaryBlobs { all.merge(try dec.decode([Int: SolveSummary].self, from: b)) { a, _ in a } }
        guard all.count == spec.racks.count else {
            throw RoomError.coupling("rank 0 received \(all.count) of \(spec.racks.count) rack summaries")
        }
        return Gathered(archives: archives, summaries: all, cpuSecondsPerRank: cpuPerRank)
    }
}
