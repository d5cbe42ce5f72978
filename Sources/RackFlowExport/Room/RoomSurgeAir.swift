import Foundation
import RackFlowNumerics
import RackFlowPhysics
import RackFlowModel

/// Description
///   The room air of a room surge (`rackflow room --surge SCENARIO --room-air`), on rank 0 once
///   every frame of the racks is stepped: the hall (`RoomAir`) solved steady at the idle
///   exhausts, then stepped frame by frame at the exhausts the racks had (`RoomAirFrames`).
///   Per frame it writes `room/vdb/room.NNNN.vdb` (`temperature`, `vel`, `speed`, `pressure`,
///   `turbulence` and `density`, the exhaust smoke tracer; room frame, Y up, metres, as the
///   steady `room.vdb`) and samples the tray probes from the solved air. The jet model's probes
///   of the same exhausts stay as the check: `room/tray-probes-check.csv` gives both at every
///   station and frame.
///
/// Usage
///   | argument      | meaning                                                               |
///   | ---           | ---                                                                   |
///   | spec, records | the room and its surge's frame records (every rack's flow, exhaust)   |
///   | exhausts      | per frame, every rack's exhaust rectangle and values (`Exhaust`)      |
///   | jet           | per frame, the jet model's tray probes of the same exhausts          |
///   | scenario      | frame rate and the `solver` keys (steps per frame, outer iterations) |
///   | spacingM      | `--room-air-spacing` (nil: the hall's `spacing`)                      |
///   | voxelSizeM    | voxel size of the VDB files (default: the hall's near spacing)        |
///   | to            | the result's staging folder (`room/` goes under it)                   |
public enum RoomSurgeAir {
    public struct Result {
        /// Per frame, every tray's probes from the solved air.
        public var trays: [[TrayProbes.Tray]]
        /// Per frame, the VDB file relative to the result folder.
        public var vdbFiles: [String]
        public var frames: [RoomAirFrames.Frame]
        /// The hall (cells, grid, exhausts, returns) and frame 0's steady solve.
        public var idle: RoomAirSummary
        /// The hall's box in the room frame, m.
        public var boundsM: StageRecording.Box
        public var vdbBytes: Int
        public var seconds: Double
    }

    /// Builds and compiles the hall with every rack at its design flow and inlet temperature,
    /// and drops it: a grid error or a memory refusal comes before the surge's frames, not after.
    public static func check(spec: RoomSpec, spacingM: Double?) throws {
        let cases = try RoomStageWriter.rackTypes(spec).cases
        let exhausts = try spec.racks.indices.map { k in
            let p = spec.racks[k]
            let gc = cases[p.rackFile]!.genericCase
            // A uniform stand-in for the profile the racks will give: the same tiles, so the same
            // sub-ducts and grid as the run's.
            let profile = gc.roofExhaust.map { roof in
                ExhaustProfile.uniform(
                    lo: roof.loM, hi: roof.hiM, tileM: ExhaustProfile.defaultTileM,
                    temperatureC: p.rack.inletTemperatureC)
            }
            return try TrayProbes.Exhaust(
                spec: spec, rack: k, genericCase: gc, flowM3PerS: RoomSpec.designFlow(p.rack),
                temperatureC: p.rack.inletTemperatureC, profile: profile)
        }
        _ = try RoomAir(spec: spec, exhausts: exhausts, spacingM: spacingM).compile()
    }

    /// Every frame's exhausts finite, their flows ≥ 0, before the hall is built.
    static func checkExhausts(_ exhausts: [[TrayProbes.Exhaust]]) throws {
        for (f, frame) in exhausts.enumerated() {
            for e in frame { try RoomAir.check(e, frame: f) }
        }
    }

    /// Rows of `room/tray-probes-check.csv` for one frame: each tray sample, solved against the jet model.
    static func checkRows(frame f: Int, jet: [TrayProbes.Tray], solved: [TrayProbes.Tray]) -> [String] {
        var rows: [String] = []
        for (t, s) in zip(jet, solved) {
            for (a, b) in zip(t.samples, s.samples) {
                let values = [
                    a.pointM.x, a.pointM.y, a.pointM.z, b.temperatureC, a.temperatureC,
                    b.temperatureC - a.temperatureC, b.upwardVelocityMPerS, a.upwardVelocityMPerS,
                    b.upwardVelocityMPerS - a.upwardVelocityMPerS, b.speedMPerS,
                ]
                rows.append("\(f),\(t.name)," + values.map { String(format: "%.6g", $0) }.joined(separator: ","))
            }
        }
        return rows
    }

    public static func run(
        spec: RoomSpec, exhausts: [[TrayProbes.Exhaust]], jet: [[TrayProbes.Tray]], scenario: Scenario,
        spacingM: Double?, voxelSizeM: Double?, to staging: URL, log: (String) -> Void
    ) throws -> Result {
        let t0 = Date()
        try checkExhausts(exhausts)
        // The hall's sub-ducts come from frame 0's profiles: a run resumed from a checkpoint that
        // predates them feeds every frame uniformly.
        if exhausts[0].contains(where: { $0.profile == nil })
            && exhausts.joined().contains(where: { $0.profile != nil })
        {
            log("room air: frame 0 has racks without an exhaust profile (an older checkpoint): theirs fed uniformly")
        }
        let air = try RoomAir(spec: spec, exhausts: exhausts[0], spacingM: spacingM)
        let solve = try RoomAirSolve(air)
        let g = solve.solver.flow.grid
        log("room air: \(g.cellCount) cells (\(g.nx) × \(g.ny) × \(g.nz)), idle exhausts, steady")
        try solve.solve(log: log)
        let idle = solve.summary(jet: jet[0])
        log(
            String(
                format: "room air frame 0: %@ in %d outer iterations, %.1f s; mass %.1e, heat %.1e relative",
                idle.outcome, idle.iterations,
                idle.solveSeconds,
                idle.relativeMassImbalance, idle.relativeHeatError))
        // Tighter than the racks' steps (the scenario's tolerance is for them): the hall is one
        // domain stepped once per frame after the racks, and its mass balance at every frame end
        // must hold to 1e-6 like the steady hall's; at the scenario's 1e-3 it stood at 1.3e-6.
        let stepper = try RoomAirFrames(
            solve, stepsPerFrame: scenario.solver.stepsPerFrame, maxOuter: max(scenario.solver.maxOuter, 10),
            tolerance: min(scenario.solver.tolerance, 1e-5))
        let dir = staging.appendingPathComponent("room/vdb")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let o = air.originM
        let voxel = voxelSizeM ?? air.zones[0].first?.2 ?? spec.hall.spacingM
        let lattice = try VDBLattice(
            flow: solve.solver.flow, voxelSizeM: voxel, upAxis: .y,
            placement: VDBPlacement(offsetM: (o.x, o.y, o.z), quarterTurns: 0))
        let supplyC = idle.supplyC
        let rho = solve.solver.flow.fluid.densityKgPerM3
        var files: [String] = []
        var trays: [[TrayProbes.Tray]] = []
        var bytes = 0
        var checkRows: [String] = []
        for f in exhausts.indices {
            if f > 0 {
                let fr = try stepper.advance(frameS: 1 / scenario.fps, exhausts: exhausts[f])
                log(
                    String(
                        format: "room air frame %d: %d outer iterations, %.2f s; mass %.1e, heat in %.0f W, out "
                            + "%.0f W; smoke up to %.2f",
                        f, fr.outerIterations, fr.seconds, fr.relativeMassImbalance, fr.heatInW, fr.heatOutW,
                        fr.maxSmoke))
            }
            let name = String(format: "room.%04d.vdb", f)
            let smoke = [Double](UnsafeBufferPointer(start: stepper.smoke.p, count: stepper.smoke.count))
            let w = try VDBWriter.write(
                VDBFrame(solver: solve.solver, density: smoke, temperatureBackgroundC: supplyC), lattice: lattice,
                to: dir.appendingPathComponent(name),
                metadata: [
                    "room": spec.name, "domain": "room air", "frame": "\(f)", "scenario": scenario.name,
                    "time_s": String(format: "%.6f", Double(f) / scenario.fps),
                    "room_frame":
                        "solver axes are the room's (x along the rows, y across them, z up), offset by the hall's "
                        + "corner \(o.x), \(o.y), \(o.z) m",
                ])
            bytes += w.bytes
            files.append("room/vdb/" + name)
            let solved = TrayProbes.solved(spec, solve: solve, centres: solve.velocityAtCentres, densityKgPerM3: rho)
            trays.append(solved)
            checkRows += Self.checkRows(frame: f, jet: jet[f], solved: solved)
        }
        try AtomicFile.write(
            "frame,tray,xM,yM,zM,solvedTemperatureC,jetTemperatureC,temperatureDifferenceK,solvedUpwardMPerS,"
                + "jetUpwardMPerS,upwardDifferenceMPerS,solvedSpeedMPerS\n" + checkRows.joined(separator: "\n") + "\n",
            to: staging.appendingPathComponent("room/tray-probes-check.csv"))
        let hi = o + SIMD3(g.x.length, g.y.length, g.z.length)
        return Result(
            trays: trays, vdbFiles: files, frames: stepper.frames, idle: idle,
            boundsM: StageRecording.Box(min: o, max: hi), vdbBytes: bytes, seconds: Date().timeIntervalSince(t0))
    }
}
