import Foundation
import RackFlowNumerics
import RackFlowPhysics
import RackFlowModel

/// The room-air solve's files, under `room/` of a room's result folder, all in the room frame
/// (x along the rows, y across them, z up; metres):
/// - `fields.vtr`: ParaView RectilinearGrid of the hall's solver grid (temperature, pressure,
///   speed, velocity, cell type; racks hidden), coordinates shifted by the hall's origin;
/// - `vdb/room.vdb`: OpenVDB volumes (`temperature`, `vel`, `speed`, and the writer's other
///   grids), voxels of `voxelSizeM`, Y up (`(X, Y, Z) = (x, z, −y)`) like every VDB RackFlow
///   writes, placed at the hall's origin, so they sit over the racks of a Y-up room stage
///   (`/Room/Air` in `room.usda`; a room surge writes `vdb/room.NNNN.vdb`, `RoomSurgeAir`);
/// - `tray-probes-check.csv`: every tray station, the solved air against the jet model.
public enum RoomAirWriter {
    public struct Report: Sendable {
        public var vdbBytes: Int
        public var voxels: Int
        public var seconds: Double
    }

    public static func write(
        _ solve: RoomAirSolve, summary: RoomAirSummary, voxelSizeM: Double, to room: URL
    ) throws
        -> Report
    {
        let t0 = Date()
        let dir = room.appendingPathComponent("room")
        try FileManager.default.createDirectory(
            at: dir.appendingPathComponent("vdb"), withIntermediateDirectories: true)
        let s = solve.solver
        let o = solve.air.originM
        let g = s.flow.grid
        let shifted = Grid(
            x: Axis(faces: g.x.faces.map { $0 + o.x }), y: Axis(faces: g.y.faces.map { $0 + o.y }),
            z: Axis(faces: g.z.faces.map { $0 + o.z }))
        let (cellData, vectors) = VTKWriter.flowFields(s)
        try VTKWriter.rectilinear(
            grid: shifted, cellData: cellData, vectors: vectors, to: dir.appendingPathComponent("fields.vtr"))
        let lattice = try VDBLattice(
            flow: s.flow, voxelSizeM: voxelSizeM, upAxis: .y,
            placement: VDBPlacement(offsetM: (o.x, o.y, o.z), quarterTurns: 0))
        let vdb = try VDBWriter.write(
            VDBFrame(solver: s, temperatureBackgroundC: summary.supplyC), lattice: lattice,
            to: dir.appendingPathComponent("vdb/room.vdb"),
            metadata: [
                "room": solve.air.spec.name, "domain": "room air", "frame": "1",
                "room_frame":
                    "solver axes are the room's (x along the rows, y across them, z up), offset by the hall's "
                    + "corner \(o.x), \(o.y), \(o.z) m",
            ])
        try AtomicFile.write(csv(summary), to: dir.appendingPathComponent("tray-probes-check.csv"))
        return Report(vdbBytes: vdb.bytes, voxels: lattice.voxelCount, seconds: Date().timeIntervalSince(t0))
    }

    /// One row per tray station: room-frame point (m), solved and jet-model temperature (°C) and
    /// upward velocity (m/s), their differences (solved − jet), and the solved speed (m/s).
    public static func csv(_ s: RoomAirSummary) -> String {
        var out =
            "tray,xM,yM,zM,solvedTemperatureC,jetTemperatureC,temperatureDifferenceK,solvedUpwardMPerS,"
            + "jetUpwardMPerS,upwardDifferenceMPerS,solvedSpeedMPerS\n"
        for p in s.probes {
            let values = [
                p.pointM[0], p.pointM[1], p.pointM[2], p.solvedTemperatureC, p.jetTemperatureC,
                p.temperatureDifferenceK, p.solvedUpwardMPerS, p.jetUpwardMPerS, p.upwardDifferenceMPerS,
                p.solvedSpeedMPerS,
            ]
            out += p.tray + "," + values.map { String(format: "%.6g", $0) }.joined(separator: ",") + "\n"
        }
        return out
    }
}
