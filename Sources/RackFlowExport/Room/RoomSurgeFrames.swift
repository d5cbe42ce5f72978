import Foundation
import RackFlowModel
import RackFlowPhysics
import RackFlowNumerics

/// Description
///   The field caches of a room surge, written by the rank that owns each rack. Every frame,
///   each rank writes `racks/<name>/vdb/fields.NNNN.vdb` for its racks into a private scratch
///   folder (rack frame, Y up, DESIGN §7; the frame, time, scenario and rank in the file's
///   metadata; a twin, stepped once with its distinct rack (`RackTwins`), gets its own file of
///   the same fields under its own name). The other ranks then ship that frame's files to rank 0 (`FolderArchive`, one
///   gather per frame, so no rank holds more than a frame of caches in memory) and drop their
///   copies; rank 0 keeps every rack's caches in its scratch folder and at the end moves them
///   into the result's staging folder (`moveAll`), since rank 0 alone touches Results/
///   (`RoomSurgeFolder`). A failure on any rank stops every rank (`RoomComm.agree`). The
///   scratch folder goes when the caches do.
///
/// Usage
///   | argument      | meaning                                                 |
///   | ---           | ---                                                     |
///   | surge         | the room surge whose racks this rank steps              |
///   | voxelSizeM    | voxel size of the VDB lattice, m                        |
///   | comm          | the ranks; `write(frame:)` is collective                |
public final class RoomSurgeFrames {
    let surge: RoomSurge
    let voxelSizeM: Double
    let comm: RoomComm
    /// Where this rank writes (rank 0: every rack's caches so far): a private temporary folder,
    /// or the checkpoint's `caches/` once a checkpoint has been taken (`persist`).
    private(set) var scratch: URL
    private var persisted = false
    private var lattices: [Int: VDBLattice] = [:]

    public init(surge: RoomSurge, voxelSizeM: Double, comm: RoomComm) {
        self.surge = surge
        self.voxelSizeM = voxelSizeM
        self.comm = comm
        scratch = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent(
            "rackflow-roomsurge-\(getpid())-\(comm.rank)")
    }

    deinit { if !persisted { try? FileManager.default.removeItem(at: scratch) } }

    /// Before a checkpoint names the frames written so far (collective): rank 0 moves its caches
    /// to `folder` (the checkpoint's `caches/`), where later frames go too and a resumed run
    /// finds them. The other ranks keep no frames.
    public func persist(into folder: URL) throws {
        var failure: Error?
        if comm.rank == 0 && !persisted {
            do {
                let fm = FileManager.default
                if folder.standardizedFileURL.path != scratch.standardizedFileURL.path {
                    if fm.fileExists(atPath: folder.path) { try fm.removeItem(at: folder) }
                    try fm.createDirectory(at: folder.deletingLastPathComponent(), withIntermediateDirectories: true)
                    if fm.fileExists(atPath: scratch.path) {
                        try fm.moveItem(at: scratch, to: folder)
                    } else {
                        try fm.createDirectory(at: folder, withIntermediateDirectories: true)
                    }
                }
                scratch = folder
                persisted = true
            } catch { failure = RoomError.rack(name: "(checkpoint caches)", rank: 0, reason: "\(error)") }
        }
        try comm.agree(failure)
    }

    /// On a resumed run (collective): rank 0 continues in the checkpoint's caches, dropping
    /// everything there but `fields.N.vdb` with N ≤ `frame` (frames written before the run
    /// stopped but never checkpointed, and the temporary files of a write a kill cut short);
    /// a frame the checkpoint covers but whose cache is missing refuses the resume.
    public func resume(from folder: URL, frame: Int) throws {
        var failure: Error?
        if comm.rank == 0 {
            do {
                let fm = FileManager.default
                scratch = folder
                persisted = true
                for k in surge.spec.racks.indices {
                    let name = surge.spec.racks[k].name
                    let vdb = folder.appendingPathComponent(name).appendingPathComponent("vdb")
                    for f in (try? fm.contentsOfDirectory(atPath: vdb.path)) ?? [] {
                        if let n = Self.frameNumber(f), n <= frame { continue }
                        try fm.removeItem(at: vdb.appendingPathComponent(f))
                    }
                    for f in 0...frame where !fm.fileExists(atPath: file(k, frame: f).path) {
                        throw InputError(
                            file: vdb.path, line: nil, keyPath: "",
                            problem: "rack \(name)'s field cache of frame \(f) is missing: the checkpoint is "
                                + "incomplete")
                    }
                }
            } catch { failure = error }
        }
        try comm.agree(failure)
    }

    /// N of a cache file named `fields.N.vdb` (N all digits), nil for any other name.
    static func frameNumber(_ name: String) -> Int? {
        guard name.hasPrefix("fields."), name.hasSuffix(".vdb") else { return nil }
        let digits = name.dropFirst("fields.".count).dropLast(".vdb".count)
        guard !digits.isEmpty, digits.allSatisfy(\.isASCII), digits.allSatisfy(\.isNumber) else { return nil }
        return Int(digits)
    }

    func file(_ k: Int, frame: Int) -> URL {
        scratch.appendingPathComponent(surge.spec.racks[k].name).appendingPathComponent(
            String(format: "vdb/fields.%04d.vdb", frame))
    }

    /// Writes frame `frame` of every rack this rank owns and ships it to rank 0; collective.
    public func write(frame: Int) throws {
        let spec = surge.spec
        let fm = FileManager.default
        var failure: Error?
        var shipped = Data()
        do {
            for k in surge.owned {
                let r = surge.runs[k]!
                let url = file(k, frame: frame)
                try fm.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
                // A twin's run is its distinct rack's (the same fields): its lattice too.
                let l = surge.twins.twin[k]
                if lattices[l] == nil {
                    lattices[l] = try VDBLattice(flow: r.solver.flow, voxelSizeM: voxelSizeM, upAxis: .y)
                }
                let smoke = [Double](UnsafeBufferPointer(start: r.smoke.p, count: r.smoke.count))
                let backgroundC = r.solver.flow.initialTemperatureC
                try VDBWriter.write(
                    VDBFrame(solver: r.solver, density: smoke, temperatureBackgroundC: backgroundC),
                    lattice: lattices[l]!, to: url,
                    metadata: [
                        "room": spec.name, "rack": spec.racks[k].name, "rank": "\(comm.rank)", "frame": "\(frame)",
                        "time_s": String(format: "%.6f", r.time), "scenario": surge.scenario.name,
                    ])
            }
            if comm.rank != 0 {
                for k in surge.owned {
                    let name = spec.racks[k].name
                    let dir = scratch.appendingPathComponent(name).appendingPathComponent("vdb")
                    shipped.append(try FolderArchive.pack(dir, prefix: "\(name)/vdb"))
                    try fm.removeItem(at: dir)
                }
            }
        } catch { failure = RoomError.rack(name: "(writing VDB)", rank: comm.rank, reason: "\(error)") }
        try comm.agree(failure)
        let received = try comm.gather(shipped)
        do {
            for a in received where !a.isEmpty { try FolderArchive.unpack(a, into: scratch) }
        } catch { failure = RoomError.rack(name: "(gathering VDB)", rank: comm.rank, reason: "\(error)") }
        try comm.agree(failure)
    }

    /// On rank 0, moves every rack's caches into `staging` as `racks/<name>/…` (nothing to do
    /// elsewhere: the other ranks shipped theirs frame by frame).
    public func moveAll(into staging: URL) throws {
        guard comm.rank == 0 else { return }
        let fm = FileManager.default
        let racks = staging.appendingPathComponent("racks")
        try fm.createDirectory(at: racks, withIntermediateDirectories: true)
        for p in surge.spec.racks {
            let from = scratch.appendingPathComponent(p.name)
            guard fm.fileExists(atPath: from.path) else { continue }
            let to = racks.appendingPathComponent(p.name)
            if fm.fileExists(atPath: to.path) {
                // Merge: the staging folder may hold this rack's other outputs already.
                for item in try fm.contentsOfDirectory(atPath: from.path) {
                    try fm.moveItem(at: from.appendingPathComponent(item), to: to.appendingPathComponent(item))
                }
            } else {
                try fm.moveItem(at: from, to: to)
            }
        }
    }
}
