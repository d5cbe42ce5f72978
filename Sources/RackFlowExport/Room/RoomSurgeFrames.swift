import Foundation
import RackFlowModel
import RackFlowPhysics

/// Description
///   The field caches of a room surge, written by the rank that owns each rack. Every frame,
///   each rank writes `racks/<name>/vdb/fields.NNNN.vdb` for its racks into a private scratch
///   folder (rack frame, Y up, DESIGN §7; the frame, time, scenario and rank in the file's
///   metadata). At the end `archive` packs them (`FolderArchive`) for rank 0, which alone touches
///   Results/ (`RoomSurgeFolder`). A failure on any rank stops every rank (`RoomComm.agree`).
///   The scratch folder goes when the caches do.
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
    let scratch: URL
    private var lattices: [Int: VDBLattice] = [:]

    public init(surge: RoomSurge, voxelSizeM: Double, comm: RoomComm) {
        self.surge = surge
        self.voxelSizeM = voxelSizeM
        self.comm = comm
        scratch = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent(
            "rackflow-roomsurge-\(getpid())-\(comm.rank)")
    }

    deinit { try? FileManager.default.removeItem(at: scratch) }

    /// Writes frame `frame` of every rack this rank owns; collective.
    public func write(frame: Int) throws {
        let spec = surge.spec
        var failure: Error?
        do {
            for k in surge.owned {
                let r = surge.runs[k]!
                if lattices[k] == nil {
                    lattices[k] = try VDBLattice(flow: r.solver.flow, voxelSizeM: voxelSizeM, upAxis: .y)
                }
                let url = scratch.appendingPathComponent(spec.racks[k].name).appendingPathComponent(
                    String(format: "vdb/fields.%04d.vdb", frame))
                try FileManager.default.createDirectory(
                    at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
                let smoke = [Double](UnsafeBufferPointer(start: r.smoke.p, count: r.smoke.count))
                let backgroundC = r.solver.flow.initialTemperatureC
                try VDBWriter.write(
                    VDBFrame(solver: r.solver, density: smoke, temperatureBackgroundC: backgroundC),
                    lattice: lattices[k]!, to: url,
                    metadata: [
                        "room": spec.name, "rack": spec.racks[k].name, "rank": "\(comm.rank)", "frame": "\(frame)",
                        "time_s": String(format: "%.6f", r.time), "scenario": surge.scenario.name,
                    ])
            }
        } catch { failure = RoomError.rack(name: "(writing VDB)", rank: comm.rank, reason: "\(error)") }
        try comm.agree(failure)
    }

    /// This rank's racks' caches, packed as `racks/<name>/…`.
    public func archive() throws -> Data {
        var archive = Data()
        for k in surge.owned {
            let name = surge.spec.racks[k].name
            archive.append(try FolderArchive.pack(scratch.appendingPathComponent(name), prefix: "racks/\(name)"))
        }
        return archive
    }
}
