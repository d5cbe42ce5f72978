import Foundation
import RackFlowModel
import RackFlowPhysics

/// Description
///   The result folder of a room surge, assembled on rank 0 once every frame is stepped. Every
///   rank ships its racks' frame telemetry; rank 0, which holds every rack's field caches
///   (`RoomSurgeFrames`, gathered frame by frame), moves them into a staging folder and adds
///   the stage (`room.usda`, one sample per frame), the tray probes of every frame, every
///   node's telemetry
///   (`telemetry.csv`), `report.md`, `summary.json` and `log.txt`, all renamed into place at
///   once (`ResultFolder`).
///
/// Usage
///   | argument   | meaning                                                        |
///   | ---        | ---                                                            |
///   | surge      | a room surge that has run all its frames (its ranks: `comm`);  |
///   |            | collective: every rank calls it                                |
///   | frames     | this rank's field caches (`RoomSurgeFrames`)                   |
///   | to         | the final result folder                                        |
///   | upAxis     | the stage's up axis (Y default, or Z)                          |
///   | start      | when the run started, for the summary's wall time              |
///   | log        | the run's log; rank 0 adds the stage's line and writes it      |
public enum RoomSurgeFolder {
    /// `summary.json` of a room surge.
    public struct Summary: Codable {
        public var room: String
        public var scenario: String
        public var frames: Int
        public var fps: Double
        public var ranks: Int
        public var records: [RoomSurge.FrameRecord]
        /// Per rack: idle, last and hottest values, and every node's hottest GPU and CPU.
        public var racks: [RoomSurgeReport.RackPeak]
        /// Each rack's start in the room's cascade and its nodes' ignition times (null: never).
        public var ignitions: [RoomSurgeTelemetry.RackIgnition]
        public var trayProbes: [[TrayProbes.Tray]]
        /// "jet model", or "room air" (`--room-air`: the probes sampled from the solved hall).
        public var trayProbesSource: String
        /// With `--room-air`: the hall and its frame-0 steady solve, and every frame's step.
        public var roomAir: RoomAirSummary?
        public var roomAirFrames: [RoomAirFrames.Frame]?
        public var cpuSecondsPerRank: [Double]
        public var wallSeconds: Double
    }

    /// Every rank's CPU seconds and every rack's frames, on rank 0 (nil on the others). Collective.
    static func gather(_ rs: RoomSurge) throws -> ([Double], [Int: [SurgeRun.Frame]])? {
        let spec = rs.spec, comm = rs.comm
        var ts = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts)
        let cpu = try comm.allreduceSum(
            (0..<comm.size).map { $0 == comm.rank ? Double(ts.tv_sec) + 1e-9 * Double(ts.tv_nsec) : 0 })
        let enc = JSONCoding.encoder()
        var mine: [Int: [SurgeRun.Frame]] = [:]
        for k in rs.owned { mine[k] = rs.runs[k]!.frames }
        let blobs = try comm.gather(try enc.encode(mine))
        guard comm.rank == 0 else { return nil }
        let dec = JSONCoding.decoder()
        var frames: [Int: [SurgeRun.Frame]] = [:]
        for b in blobs { frames.merge(try dec.decode([Int: [SurgeRun.Frame]].self, from: b)) { a, _ in a } }
        guard frames.count == spec.racks.count else {
            throw RoomError.coupling("rank 0 received \(frames.count) of \(spec.racks.count) racks' surge frames")
        }
        return (cpu, frames)
    }

    /// The records as `summary.json` keeps them: without the racks' exhaust profiles (16 racks ×
    /// 241 frames × 174 numbers would be most of the file). They are what the room air was fed,
    /// and only a checkpoint's `room.json` keeps them.
    static func withoutProfiles(_ records: [RoomSurge.FrameRecord]) -> [RoomSurge.FrameRecord] {
        records.map { r in
            var r = r
            for k in r.racks.indices { r.racks[k].exhaustProfile = nil }
            return r
        }
    }

    /// `--room-air`: the hall's air stepped through the surge at the exhausts the racks recorded
    /// (`RoomSurgeAir`), its files into `staging`.
    static func roomAirFrames(
        _ rs: RoomSurge, cases: [String: CaseFile], jet: [[TrayProbes.Tray]], spacingM: Double?, voxelSizeM: Double?,
        to staging: URL, log: inout RunLog
    ) throws -> RoomSurgeAir.Result {
        let spec = rs.spec, scenario = rs.scenario
        let exhausts = try rs.records.map { rec in
            try spec.racks.indices.map { k in
                try TrayProbes.Exhaust(
                    spec: spec, rack: k, genericCase: cases[spec.racks[k].rackFile]!.genericCase,
                    flowM3PerS: rec.racks[k].flowM3PerS, temperatureC: rec.racks[k].exhaustC,
                    profile: rec.racks[k].exhaustProfile)
            }
        }
        return try RoomSurgeAir.run(
            spec: spec, exhausts: exhausts, jet: jet, scenario: scenario, spacingM: spacingM,
            voxelSizeM: voxelSizeM, to: staging, log: { log.say($0) })
    }

    /// Gathers the ranks' caches and frames and, on rank 0, writes the folder; returns its
    /// summary there and nil on the other ranks. `log` gets the stage's line before `log.txt`
    /// is written.
    public static func write(
        surge rs: RoomSurge, frames caches: RoomSurgeFrames, to folderURL: URL,
        upAxis: StageRecording.UpAxis = .y, roomAir: (spacingM: Double?, voxelSizeM: Double?)? = nil, start t0: Date,
        log: inout RunLog
    ) throws -> Summary? {
        let spec = rs.spec, scenario = rs.scenario, comm = rs.comm
        guard let (cpu, frames) = try gather(rs) else { return nil }
        let folder = try ResultFolder(final: folderURL)
        var committed = false
        defer { if !committed { folder.abandon() } }
        let cases = try RoomStageWriter.rackTypes(spec).cases
        let jet = try rs.records.map { try TrayProbes.frame(spec: spec, racks: $0.racks, cases: cases) }
        var air: RoomSurgeAir.Result?
        if let ra = roomAir {
            air = try roomAirFrames(
                rs, cases: cases, jet: jet, spacingM: ra.spacingM, voxelSizeM: ra.voxelSizeM, to: folder.staging,
                log: &log)
        }
        let trays = air?.trays ?? jet
        let n = rs.records.count
        let rackFrames = spec.racks.indices.map { frames[$0]! }
        var stage = try RoomStageWriter.surge(
            spec: spec, scenario: scenario, records: rs.records,
            rackFrames: rackFrames,
            vdbFiles: spec.racks.map { p in (0..<n).map { String(format: "racks/%@/vdb/fields.%04d.vdb", p.name, $0) }
            },
            trays: trays)
        stage.upAxis = upAxis
        stage.roomAir = air.map { ($0.vdbFiles, $0.boundsM) }
        let usd = try stage.write(to: folder.staging)
        log.say(
            String(
                format: "stage room.usda: %d frames, %d layers, %d bytes, %.2f s; CPU seconds per rank: %@", n,
                usd.files.count, usd.totalBytes, usd.seconds,
                cpu.map { String(format: "%.1f", $0) }.joined(separator: ", ")))
        let nodeNames = spec.racks.map { cases[$0.rackFile]?.layout?.nodes.map(\.name) ?? [] }
        let peaks = RoomSurgeReport.peaks(
            spec: spec, records: rs.records, rackFrames: rackFrames, nodeNames: nodeNames)
        try AtomicFile.write(
            RoomSurgeTelemetry.csv(spec: spec, rackFrames: rackFrames, nodeNames: nodeNames).data,
            to: folder.staging.appendingPathComponent("telemetry.csv"))
        let ignitions = try RoomSurgeTelemetry.ignitions(
            spec: spec, scenario: scenario, rackStartS: rs.rackStartS, cases: cases)
        let s = Summary(
            room: spec.name, scenario: scenario.name, frames: n - 1, fps: scenario.fps, ranks: comm.size,
            records: Self.withoutProfiles(rs.records), racks: peaks, ignitions: ignitions,
            trayProbes: trays, trayProbesSource: air == nil ? "jet model" : "room air", roomAir: air?.idle,
            roomAirFrames: air?.frames, cpuSecondsPerRank: cpu, wallSeconds: Date().timeIntervalSince(t0))
        try RoomSurgeReport.write(
            spec: spec, scenario: scenario.name, fps: scenario.fps, records: rs.records, peaks: peaks,
            rackFrames: rackFrames, ignitions: ignitions, heatmap: stage.heatmap ?? .init(minC: 20, maxC: 90),
            trays: trays,
            ranks: comm.size, wallSeconds: s.wallSeconds, roomAir: air.map { Self.roomAirNote($0, jet: jet) },
            to: folder.staging)
        let enc = JSONCoding.encoder()
        enc.outputFormatting = [.prettyPrinted, .sortedKeys]
        try AtomicFile.write(try enc.encode(s), to: folder.staging.appendingPathComponent("summary.json"))
        try AtomicFile.write(log.text, to: folder.staging.appendingPathComponent("log.txt"))
        // The caches last: until here they stay where a resume finds them (the checkpoint's
        // caches/), so a failure in anything above leaves the surge resumable.
        try caches.moveAll(into: folder.staging)
        try folder.commit()
        committed = true
        return s
    }

    /// The report's room-air paragraph: the hall, its steps, and how far the jet model's probes
    /// are from the solved air's.
    static func roomAirNote(_ a: RoomSurgeAir.Result, jet: [[TrayProbes.Tray]]) -> String {
        func f(_ v: Double, _ d: Int = 2) -> String { ReportWriter.f(v, d) }
        var dT = 0.0, dW = 0.0
        for (js, ss) in zip(jet, a.trays) {
            for (j, s) in zip(js, ss) {
                for (p, q) in zip(j.samples, s.samples) where q.temperatureC.isFinite {
                    dT = max(dT, abs(q.temperatureC - p.temperatureC))
                    dW = max(dW, abs(q.upwardVelocityMPerS - p.upwardVelocityMPerS))
                }
            }
        }
        let steps = a.frames.dropFirst()
        let outer = steps.map(\.outerIterations)
        let mass = a.frames.map(\.relativeMassImbalance).max() ?? 0
        let idleOutcome = a.idle.converged ? "converged" : (a.idle.timeAveraged ? "time-averaged" : "**not converged**")
        return "The hall around the racks (\(a.idle.cells) cells, \(f(a.idle.spacingM, 3)) m near the racks and "
            + "trays) solved steady at the idle exhausts (\(idleOutcome) "
            + "in \(a.idle.iterations) outer iterations), then stepped frame by frame at the racks' exhausts: "
            + "\(outer.reduce(0, +)) outer iterations for \(outer.count) frames, mass within "
            + String(format: "%.1e", mass) + " relative at every frame end; \(f(a.seconds, 1)) s with its VDB files "
            + "(`room/vdb/room.NNNN.vdb`, \(a.vdbBytes / 1_000_000) MB). The tray probes come from the solved air; "
            + "the jet model's differ from them by up to \(f(dT)) K and \(f(dW)) m/s upward "
            + "(`room/tray-probes-check.csv`, every station and frame)."
    }
}
