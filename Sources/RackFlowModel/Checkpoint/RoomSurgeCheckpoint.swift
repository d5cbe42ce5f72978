import Foundation
import RackFlowNumerics
import RackFlowPhysics

/// Checkpoints of a room surge (`rackflow room --surge … --checkpoint-every N`, or Ctrl-C /
/// SIGTERM), taken at frame ends:
///
///     <folder>/manifest.json              rank 0, written last (temporary name, fsync, rename): the commit point
///     <folder>/frame-0012/room.json       rank 0: the room's state (`RoomSurge.State`)
///     <folder>/frame-0012/racks/<rack>/   the owner of each distinct rack: its surge state (`SurgeRun`)
///     <folder>/caches/<rack>/vdb/         rank 0: every rack's field caches of the frames stepped so far
///
/// As for a steady room (RoomCheckpoint.swift): the manifest names the frame folder it stands
/// for, and older frame folders go only once it is in place, so a kill at any moment leaves the
/// previous checkpoint or the new one, complete. Caches of frames past the manifest's (written
/// before a kill, never checkpointed) are dropped on resume and written again. Each distinct
/// rack's state lies in its own folder, so a checkpoint resumes under any number of ranks.
public struct RoomSurgeManifest: Codable, CheckpointManifest {
    public static let currentVersion = 1
    public static var expectedKind: String { "room-surge" }
    public static var noun: String { "room surge" }
    public var version = Self.currentVersion
    public var kind = "room-surge"
    public var room: String
    public var scenario: String
    /// Frames done (0: the idle state).
    public var frame: Int
    /// The folder (under the checkpoint folder) holding this checkpoint's room and racks.
    public var folder: String
    /// The room file, the scenario, every rack file and every file they read, with SHA-256.
    public var inputs: [SurgeCheckpoint.InputFile]
    public var rackNames: [String]
    /// `RackTwins.twin`: which racks were stepped (a rack that is its own twin).
    public var twins: [Int]
    public var maxSpacingM: Double?
    /// What the command stores (its options), as JSON text.
    public var command: String?
}

/// Writes checkpoints of a room surge at frame ends, stops it on request (all ranks agree),
/// and restores one on resume.
public final class RoomSurgeCheckpointer: RoomStepCheckpointer<RoomSurgeManifest> {
    /// Checkpoints written by this process: frame, bytes of its frame folder (rank 0: every rank's part), seconds.
    public private(set) var written: [(frame: Int, bytes: Int, seconds: Double)] = []
    /// Where rank 0 keeps the field caches once a checkpoint exists (`RoomSurgeFrames.persist`).
    public var caches: URL { folder.appendingPathComponent("caches") }

    /// The room's inputs (`RoomCheckpointer.inputs`) and the scenario file, with SHA-256.
    public static func inputs(of spec: RoomSpec, scenario: Scenario) throws -> [SurgeCheckpoint.InputFile] {
        let path = SurgeCheckpoint.absolute(scenario.file)
        return try RoomCheckpointer.inputs(of: spec)
            + [SurgeCheckpoint.InputFile(path: path, sha256: try Checkpoint.sha256(of: path))]
    }

    /// Refuses a checkpoint of other inputs, another scenario or other racks, naming the file.
    func check(_ m: RoomSurgeManifest, against rs: RoomSurge) throws {
        let manifest = folder.appendingPathComponent(Self.manifestName).path
        let now = try Self.inputs(of: rs.spec, scenario: rs.scenario)
        try CheckpointInputs.check(recorded: m.inputs, now: now, folder: folder, record: manifest, run: "surge")
        guard m.rackNames == rs.spec.racks.map(\.name), m.twins == rs.twins.twin else {
            throw InputError(
                file: manifest, line: nil, keyPath: "twins",
                problem: "the checkpoint's racks \(m.rackNames) (twins \(m.twins)) are not this run's "
                    + "\(rs.spec.racks.map(\.name)) (twins \(rs.twins.twin))")
        }
    }

    /// On resume (collective, after `RoomSurge.build`): checks the inputs, puts back every
    /// distinct rack this rank steps and the room's state; returns the log lines the checkpoint kept.
    public func restore(_ rs: RoomSurge) throws -> [String] {
        guard let m = resumed else { return [] }
        var failure: Error?
        var lines: [String] = []
        do {
            try check(m, against: rs)
            let sub = folder.appendingPathComponent(m.folder)
            for k in rs.stepped {
                let dir = sub.appendingPathComponent("racks").appendingPathComponent(rs.spec.racks[k].name)
                let (h, s, c) = try SurgeRun.readCheckpoint(dir)
                try rs.runs[k]!.restore(h, s, c, folder: dir)
            }
            let url = sub.appendingPathComponent("room.json")
            let state = try Checkpoint.decode(
                RoomSurge.State.self, at: url,
                missing: "file not found: the room's state named by the manifest is missing", noun: "room surge state")
            guard state.records.count == m.frame + 1 else {
                throw InputError(
                    file: url.path, line: nil, keyPath: "records",
                    problem: "\(state.records.count) frame records for frame \(m.frame) of the manifest")
            }
            try rs.restore(state)
            lines = state.log
        } catch { failure = error }
        try rs.comm.agree(failure)
        return lines
    }

    /// Whether any rank was asked to stop (collective: every rank calls it at the same frame).
    public func stopRequested(_ rs: RoomSurge) throws -> Bool {
        try rs.comm.anyStopRequested(stop())
    }

    /// Writes the checkpoint of the frame `rs` stands at; `log` is rank 0's log so far (kept
    /// for the resumed run's log.txt). Collective.
    public func write(_ rs: RoomSurge, log: [String], say: (String) -> Void) throws {
        let t0 = Date()
        let frame = rs.step
        let name = String(format: "frame-%04d", frame)
        let bytes = try RoomCheckpointFolder.write(
            folder: folder, name: name, prefix: "frame-", comm: rs.comm,
            racks: { sub in
                var bytes = 0
                for k in rs.stepped { // a twin's state is its distinct rack's
                    let dir = sub.appendingPathComponent("racks").appendingPathComponent(rs.spec.racks[k].name)
                    try rs.runs[k]!.writeCheckpoint(to: dir)
                    bytes += RoomCheckpointer.size(dir)
                }
                return bytes
            },
            room: { sub in
                var state = rs.capture()
                state.log = log
                try Checkpoint.writeAtomically(
                    try SurgeCheckpoint.encoder().encode(state), to: sub.appendingPathComponent("room.json"))
                return try RoomCheckpointFolder.encode(
                    RoomSurgeManifest(
                        room: rs.spec.name, scenario: rs.scenario.name, frame: frame, folder: name,
                        inputs: try Self.inputs(of: rs.spec, scenario: rs.scenario),
                        rackNames: rs.spec.racks.map(\.name), twins: rs.twins.twin, maxSpacingM: maxSpacingM,
                        command: command))
            },
            measure: { RoomCheckpointer.size($0) })
        let seconds = Date().timeIntervalSince(t0)
        written.append((frame, bytes, seconds))
        if rs.comm.rank == 0 {
            say(
                String(
                    format: "checkpoint after frame %d: %@, %.1f MB of states in %.2f s", frame, folder.path,
                    Double(bytes) / 1e6, seconds))
        }
    }
}
