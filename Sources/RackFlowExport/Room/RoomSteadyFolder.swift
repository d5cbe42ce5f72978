import Foundation
import RackFlowModel
import RackFlowNumerics
import RackFlowPhysics

/// Description
///   The result folder of a steady room run, assembled on rank 0 once the coupling has
///   converged: every rank's rack folders (`RoomRackFolders`), the room's summary with the tray
///   probes (the jet model's, or with `roomAir` those of the hall's air solved from the racks'
///   exhausts, under `room/`), the stage `room.usda`, `report.md`, `summary.json` and `log.txt`,
///   all renamed into place at once (`ResultFolder`); nothing is left on a failure.
///
/// Usage
///   | argument         | meaning                                                        |
///   | ---              | ---                                                            |
///   | run              | a room run whose coupling has finished; collective: every rank |
///   |                  | calls it                                                       |
///   | to               | the final result folder                                        |
///   | vtiSpacingM      | spacing of each rack's fields.vti, m                           |
///   | voxelSizeM       | voxel size of each rack's fields.vdb, m                        |
///   | jobs             | racks solved at once per rank (for the summary)                |
///   | roomAirJobs      | threads for the room's air on rank 0 (the racks are done)      |
///   | upAxis           | the stage's up axis (Y default, or Z)                          |
///   | roomAir          | solve the hall's air (`roomAirSpacingM`: its spacing, m)       |
///   | couplingSeconds  | the coupling's time, for the summary                           |
///   | start            | when the run started, for the summary's wall time              |
///   | log              | the run's log; rank 0 adds its lines and writes it             |
public enum RoomSteadyFolder {
    /// Writes the folder on rank 0 and returns its summary there; nil on the other ranks.
    public static func write(
        run: RoomRun, to folderURL: URL, vtiSpacingM: Double, voxelSizeM: Double, jobs: Int, roomAirJobs: Int,
        upAxis: StageRecording.UpAxis, roomAir: Bool, roomAirSpacingM: Double?, couplingSeconds: Double,
        start t0: Date, log: inout RunLog
    ) throws -> RoomSummary? {
        let spec = run.spec
        let coupling = run.coupling!
        // Each rank writes its racks' folders privately and ships them to rank 0 (RoomRackFolders).
        let tw = Date()
        guard
            let gathered = try RoomRackFolders.gather(
                run: run, vtiSpacingM: vtiSpacingM, voxelSizeM: voxelSizeM, comm: run.comm)
        else { return nil }
        let (archives, all, cpuPerRank) = (gathered.archives, gathered.summaries, gathered.cpuSecondsPerRank)

        let folder = try ResultFolder(final: folderURL)
        var committed = false
        defer { if !committed { folder.abandon() } }
        for a in archives { try FolderArchive.unpack(a, into: folder.staging) }
        var summary = RoomSummary(
            spec: spec, network: run.network, coupling: coupling, rackSummaries: spec.racks.indices.map { all[$0]! },
            ranks: run.comm.size, jobsPerRank: jobs,
            timings: .init(
                compileSeconds: run.buildSeconds, couplingSeconds: couplingSeconds, writeSeconds: 0, wallSeconds: 0))
        summary.cpuSecondsPerRank = cpuPerRank
        let rackSummaries = spec.racks.indices.map { all[$0]! }
        summary.trayProbes = try TrayProbes.steady(spec: spec, summary: summary)
        summary.trayProbesSource = "jet model"
        if roomAir {
            let ta = Date()
            try solveRoomAir(
                spec: spec, spacingM: roomAirSpacingM, summary: &summary, staging: folder.staging, jobs: roomAirJobs,
                log: &log)
            summary.timings.roomAirSeconds = Date().timeIntervalSince(ta)
        }
        summary.timings.writeSeconds = Date().timeIntervalSince(tw)
        summary.timings.wallSeconds = Date().timeIntervalSince(t0)
        log.say("CPU seconds per rank: " + cpuPerRank.map { String(format: "%.1f", $0) }.joined(separator: ", "))
        log.say(
            String(
                format: "Σ rack inlet flows %.6f m³/s, blowers %.6f m³/s (%.1e relative); plenum %.2f Pa; wall %.1f s",
                summary.racks.map(\.measuredInletFlowM3PerS).reduce(0, +), summary.blowerFlowM3PerS,
                summary.massConservationError,
                summary.plenumPressurePa, summary.timings.wallSeconds))
        // The stage last of the room's own files: written into the staging folder with the
        // racks' VDB files already unpacked there, and renamed in with everything else.
        var stage = try RoomStageWriter.steady(
            spec: spec, summary: summary, rackSummaries: rackSummaries, trays: summary.trayProbes ?? [])
        stage.upAxis = upAxis
        if let a = summary.roomAir {
            let o = SIMD3(a.originM[0], a.originM[1], a.originM[2])
            stage.roomAir = (
                ["room/vdb/room.vdb"], StageRecording.Box(min: o, max: o + SIMD3(a.sizeM[0], a.sizeM[1], a.sizeM[2]))
            )
        }
        let usd = try stage.write(to: folder.staging)
        log.say(
            String(
                format: "stage room.usda with %d layers, %d bytes, %.2f s", usd.files.count, usd.totalBytes, usd.seconds
            ))
        summary.timings.writeSeconds = Date().timeIntervalSince(tw) - summary.timings.roomAirSeconds
        summary.timings.wallSeconds = Date().timeIntervalSince(t0)
        try RoomWriter.write(summary, spec: spec, to: folder.staging)
        try AtomicFile.write(log.text, to: folder.staging.appendingPathComponent("log.txt"))
        try folder.commit()
        committed = true
        return summary
    }

    /// `--room-air`: the hall solved one way from the racks' exhausts (`RoomAir`), its files under
    /// `room/`, and the tray probes sampled from it (the jet model's values kept as the check).
    static func solveRoomAir(
        spec: RoomSpec, spacingM: Double?, summary: inout RoomSummary, staging: URL, jobs: Int, log: inout RunLog
    ) throws {
        let jet = summary.trayProbes ?? []
        let exhausts = try TrayProbes.steadyExhausts(spec: spec, summary: summary)
        // The racks are done: the room air gets `jobs` threads (z-slabs of its stencils).
        Parallel.workers = jobs
        let rssBefore = MemoryUse.current()
        let air = try RoomAir(spec: spec, exhausts: exhausts, spacingM: spacingM)
        let solve = try RoomAirSolve(air)
        let g = solve.solver.flow.grid
        log.say(
            String(
                format: "room air: %d cells (%d × %d × %d), ≤ %.3f m near racks and trays, built in %.1f s",
                g.cellCount, g.nx, g.ny, g.nz, air.zones[0].first?.2 ?? spec.hall.spacingM, solve.buildSeconds))
        try solve.solve(log: { log.say($0) })
        let a = solve.summary(jet: jet)
        let rssAfter = MemoryUse.current()
        log.say(
            String(
                format:
                    "room air: %@ in %d outer iterations, %.1f s; mass %.1e, heat %.1e relative; memory %.0f MB "
                    + "resident before, %.0f MB after, peak of the run %.0f MB",
                a.outcome, a.iterations,
                a.solveSeconds, a.relativeMassImbalance,
                a.relativeHeatError, rssBefore.residentBytes / 1e6, rssAfter.residentBytes / 1e6,
                rssAfter.peakBytes / 1e6))
        summary.roomAir = a
        summary.trayProbes = a.trays
        summary.trayProbesSource = "room air"
        let w = try RoomAirWriter.write(
            solve, summary: a, voxelSizeM: air.zones[0].first?.2 ?? spec.hall.spacingM, to: staging)
        log.say(
            String(
                format: "room/fields.vtr, room/vdb/room.vdb (%d voxels, %d bytes), tray-probes-check.csv in %.1f s",
                w.voxels, w.vdbBytes, w.seconds))
    }
}
