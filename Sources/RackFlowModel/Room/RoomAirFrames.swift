import Foundation
import RackFlowNumerics
import RackFlowPhysics

/// The room's air through a surge (`rackflow room --surge … --room-air`): the hall of `RoomAir`
/// stepped in time, driven frame by frame by the racks' exhausts as the room surge recorded
/// them. One-way coupling is exact here: the racks are sealed glass tubes fed from the plenum, so
/// nothing of the hall's air reaches a rack's inlet, and each rack's exhaust is what its own
/// solve gave (DESIGN §3).
///
/// Frame 0 is the steady hall at the idle exhausts (`RoomAirSolve`, the steady room's rule).
/// Each later frame sets every rack's exhaust sub-ducts to the flow, mixed-cup temperature and
/// profile the rack had at the frame's end (`ExhaustDucts`, `FlowSolver.setInflow`; held over
/// the frame, as the racks' own frames hold their inflow), the return grilles' backflow to the
/// exhausts' mixed-cup temperature (the return plenum holds only their air;
/// `FlowSolver.setBackflowTemperature`), and takes `stepsPerFrame` implicit BDF2 steps of the
/// frame's length over that count (`TimeStepper`, iterated to `tolerance`, 2 to `maxOuter` outer
/// iterations each). An exhaust smoke tracer rides along (`FlowSolver.advanceTracer`, backward
/// Euler): 1 in the air that crossed a rack's roof opening since frame 0, so it shows where the
/// surge's exhaust has spread; 0 in the air that was in the hall at idle.
public final class RoomAirFrames {
    public struct Frame: Codable, Sendable {
        public var index: Int
        public var timeS: Double
        public var outerIterations: Int
        /// |mass out − mass in| / mass in of the frame's end fields.
        public var relativeMassImbalance: Double
        /// Heat the exhausts bring in and the returns take out, W (`RoomAirSolve.heatBalance`).
        public var heatInW: Double
        public var heatOutW: Double
        /// Temperature of air re-entering through the return grilles over the frame, °C.
        public var returnBackflowC: Double
        public var maxSmoke: Double
        public var seconds: Double
    }

    public let solve: RoomAirSolve
    public let stepper: TimeStepper
    public let smoke: PaddedVector
    let smokeOld: PaddedVector
    /// Per rack (`spec.racks` order): its exhaust sub-ducts' patch indices in the solver's patches.
    let patchIndex: [[Int]]
    /// The return grilles' patches (`hall.returns`, pressure outlets).
    let returnPatches: Set<Int>
    /// The faces of every roof opening (axis z), where the tracer is released.
    let injection: [(axis: Int, faces: [Int])]
    public let stepsPerFrame: Int
    public private(set) var frames: [Frame] = []

    /// `solve`: the hall at frame 0's exhausts, solved (steady); `stepsPerFrame`, `maxOuter`
    /// and `tolerance` as a scenario's `solver` keys give them.
    public init(_ solve: RoomAirSolve, stepsPerFrame: Int = 1, maxOuter: Int = 6, tolerance: Double = 1e-3) throws {
        self.solve = solve
        let s = solve.solver
        var options = TimeStepOptions()
        options.minOuter = 2
        options.maxOuter = maxOuter
        options.tolerance = tolerance
        stepper = TimeStepper(s, options: options)
        self.stepsPerFrame = max(1, stepsPerFrame)
        smoke = s.makeCellVector()
        smokeOld = s.makeCellVector()
        let spec = solve.air.spec
        patchIndex = try zip(spec.racks, solve.air.ducts).map { p, ducts in
            try ducts.map { d in
                guard let i = s.flow.patches.firstIndex(where: { $0.name == d.name }) else {
                    throw RoomError.rack(name: p.name, rank: 0, reason: "room air: no exhaust patch \(d.name)")
                }
                return i
            }
        }
        let returnNames = Set(solve.air.spec.hall.returns.map(\.name))
        returnPatches = Set(s.flow.patches.indices.filter { returnNames.contains(s.flow.patches[$0].name) })
        // The roof openings: z-faces at the roof height (the grid line nearest to it) over the
        // cells of each exhaust duct (the patch's rectangle, case frame).
        let g = s.flow.grid
        var faces: [Int] = []
        for (k, e) in solve.air.exhausts.enumerated() {
            let kz = g.z.faces.indices.min { abs(g.z.faces[$0] - e.roofZM) < abs(g.z.faces[$1] - e.roofZM) }!
            for pi in patchIndex[k] {
                let patch = s.flow.patches[pi]
                for j in 0..<g.ny {
                    for i in 0..<g.nx where patch.holds(g.x.centres[i], g.y.centres[j]) {
                        faces.append(i + g.nx * (j + g.ny * kz))
                    }
                }
            }
        }
        injection = [(2, faces)]
        frames.append(
            record(
                index: 0, timeS: 0, outer: 0, seconds: solve.solveSeconds,
                returnBackflowC: solve.air.backflowTemperatureC))
    }

    func record(index: Int, timeS: Double, outer: Int, seconds: Double, returnBackflowC: Double) -> Frame {
        let b = solve.solver.balance()
        let h = solve.heatBalance
        var top = 0.0
        for i in 0..<smoke.count { top = max(top, smoke.p[i]) }
        return Frame(
            index: index, timeS: timeS, outerIterations: outer, relativeMassImbalance: b.relativeMassImbalance,
            heatInW: h.inW, heatOutW: h.outW, returnBackflowC: returnBackflowC, maxSmoke: top, seconds: seconds)
    }

    /// Steps the hall to the end of the next frame (length `frameS`), its exhausts at
    /// `exhausts` (one per rack, `spec.racks` order: flow m³/s, mixed-cup temperature °C and
    /// profile, shared among the rack's sub-ducts by `ExhaustDucts.values`).
    public func advance(frameS: Double, exhausts: [TrayProbes.Exhaust]) throws -> Frame {
        precondition(exhausts.count == patchIndex.count, "one exhaust per rack")
        let t0 = Date()
        let s = solve.solver
        for (k, e) in exhausts.enumerated() {
            for (pi, v) in zip(patchIndex[k], ExhaustDucts.values(solve.air.ducts[k], e)) {
                s.setInflow(patch: pi, flowM3PerS: v.flowM3PerS, temperatureC: v.temperatureC)
            }
        }
        // The return plenum's air: the exhausts' mixed cup (held when no air flows).
        let backflowC =
            RoomAir.mixedCupC(exhausts.map { ($0.flowM3PerS, $0.temperatureC) })
            ?? frames[frames.count - 1].returnBackflowC
        s.setBackflowTemperature(patches: returnPatches, temperatureC: backflowC)
        let dt = frameS / Double(stepsPerFrame)
        var outer = 0
        for _ in 0..<stepsPerFrame {
            try stepper.advance(dt: dt)
            outer += stepper.outerIterations.last ?? 0
            BLAS.copy(smoke.count, smoke.p, smokeOld.p)
            try s.advanceTracer(smoke, old: smokeOld, dt: dt, injection: injection)
            // The deferred-correction TVD scheme with partial inner solves can overshoot by ~1e-3
            // (as in a rack's surge); a concentration outside 0…1 means nothing, so clip.
            for i in 0..<smoke.count { smoke.p[i] = min(max(smoke.p[i], 0), 1) }
        }
        let f = record(
            index: frames.count, timeS: stepper.time, outer: outer, seconds: Date().timeIntervalSince(t0),
            returnBackflowC: backflowC)
        frames.append(f)
        return f
    }
}
