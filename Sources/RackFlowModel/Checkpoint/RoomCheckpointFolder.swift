import Foundation

/// The commit protocol of a room's checkpoint folder, shared by the steady room's checkpoints
/// (`RoomCheckpointer`, a step is a coupling iteration) and the room surge's
/// (`RoomSurgeCheckpointer`, a step is a frame). Collective: every rank calls it.
///
/// 1. Rank 0 removes the leftovers of a run killed while writing this same step.
/// 2. Every rank writes the racks it owns into `<folder>/<name>/racks/` (`racks`).
/// 3. Once every rack's state is on disk, rank 0 writes the room's state and returns the
///    manifest (`room`), which is written last, atomically: the commit point. Only then are the
///    older step folders (those whose name starts with `prefix`) deleted, so that a kill at any
///    moment leaves the previous checkpoint or the new one, complete.
///
/// A failure on any rank stops every rank (`RoomComm.agree`). Returns this rank's bytes: its
/// racks' on ranks other than 0, `measure`'s count on rank 0 after the commit.
enum RoomCheckpointFolder {
    static let manifestName = "manifest.json"

    static func write(
        folder: URL, name: String, prefix: String, comm: RoomComm, racks: (URL) throws -> Int,
        room: (URL) throws -> Data, measure: (URL) -> Int
    ) throws -> Int {
        let sub = folder.appendingPathComponent(name)
        let fm = FileManager.default
        var failure: Error?
        if comm.rank == 0 {
            do {
                try fm.createDirectory(at: folder, withIntermediateDirectories: true)
                if fm.fileExists(atPath: sub.path) { try fm.removeItem(at: sub) }
            } catch { failure = error }
        }
        try comm.agree(failure)
        var bytes = 0
        do { bytes = try racks(sub) } catch {
            failure = RoomError.rack(name: "(checkpoint)", rank: comm.rank, reason: "\(error)")
        }
        try comm.agree(failure) // every rack's state is on disk before the manifest names it
        if comm.rank == 0 {
            do {
                let manifest = try room(sub)
                try Checkpoint.writeAtomically(manifest, to: folder.appendingPathComponent(manifestName))
                for old in (try? fm.contentsOfDirectory(atPath: folder.path)) ?? []
                where old.hasPrefix(prefix) && old != name {
                    try? fm.removeItem(at: folder.appendingPathComponent(old))
                }
                bytes = measure(sub)
            } catch { failure = RoomError.rack(name: "(checkpoint)", rank: 0, reason: "\(error)") }
        }
        try comm.agree(failure)
        return bytes
    }

    /// A manifest as it is written: sorted keys, pretty-printed.
    static func encode<M: Encodable>(_ manifest: M) throws -> Data {
        let enc = SurgeCheckpoint.encoder()
        enc.outputFormatting = [.sortedKeys, .prettyPrinted]
        return try enc.encode(manifest)
    }
}
