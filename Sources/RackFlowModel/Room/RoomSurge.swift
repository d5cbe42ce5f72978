import Foundation
import RackFlowNumerics
import RackFlowPhysics

/// A room's surge (`rackflow room --surge SCENARIO`): every rack plays the scenario (its own
/// `SurgeRun`, the scenario's rack replaced by the rack at that position), starting its node
/// cascade when the scenario's order across racks reaches it (`rackStartS`), and the plenum is
/// coupled at every frame, iterated until the flows agree. Each rank steps the racks it owns;
/// the coupling is computed identically on every rank from all-reduced rack values, so every
/// rank takes the same decisions (re-step or accept) at the same time.
///
/// Coupling of a frame (implicit: the flows the frame is stepped at are the ones the network
/// gives for the rack pressures at the frame's end). The racks are stepped from the frame's
/// start at predicted flows Q; each rack's end-of-frame slot pressure p(Q) makes a line through
/// (Q, p); the network (blowers at the scenario's fraction of their speed at the frame's end,
/// fan laws) gives new flows Q'; while max |Q' − Q| / mean Q exceeds the room's
/// `coupling.tolerance`, every rack is put back to the frame's start (`restoreFrameState`) and
/// re-stepped at Q'. Line slopes: within a frame the secant through the last two steps of the
/// same frame (it holds the air column's inertia over one step as well as the rack's
/// resistance); the first step of a frame uses the slope the previous frame ended with;
/// always at least the dynamic pressure's ρQ/A². The prediction for the next frame is the
/// network's answer for the accepted lines with the blowers at the next frame's fraction, so
/// a steady stretch needs one step per frame. `coupling.maxIterations: 1` gives the explicit
/// coupling (predict and accept; the flows then lag the rack pressures by a frame).
///
/// The idle state is coupled the same way with steady solves (each one warm from the last).
/// The blowers run at Σ Q of the accepted flows (on their curves), so mass is exact at every
/// frame; what the iteration removes is the pressure mismatch between plenum, duct and rack.
public final class RoomSurge {
    public struct RackValues: Codable, Sendable {
        /// Flow the rack was stepped at, m³/s; its slot pressure relative to its exhaust, Pa;
        /// the mean temperature over its exhaust, °C.
        public var flowM3PerS: Double
        public var slotPressurePa: Double
        public var exhaustC: Double
        /// Its roof exhaust tile by tile (`ExhaustProfile`), what the room air is fed; nil in
        /// checkpoints written before it was recorded (the room air then feeds it uniformly).
        public var exhaustProfile: ExhaustProfile? = nil
    }
    public struct FrameRecord: Codable, Sendable {
        public var index: Int
        public var timeS: Double
        /// Every rack's values at the frame's end, stepped at the accepted flows.
        public var racks: [RackValues]
        public var blowerFraction: Double
        /// Σ accepted rack flows (what the blowers deliver), m³/s; the blowers' rise there and
        /// the plenum pressure after the supply loss, Pa.
        public var blowerFlowM3PerS: Double
        public var blowerRisePa: Double
        public var plenumPressurePa: Double
        /// |Σ rack flows − the blowers' curve flow at `blowerRisePa`| / Σ rack flows.
        public var massConservationError: Double
        /// Steps of the frame (1: the prediction held), and at the accepted step
        /// max |Q' − Q| / mean Q and max over racks |p_plenum − duct(Q) − p_rack|, Pa.
        public var couplingIterations: Int
        public var flowResidual: Double
        public var pressureResidualPa: Double
        public var couplingConverged: Bool
    }

    public let spec: RoomSpec
    public let comm: RoomComm
    public let scenario: Scenario
    /// Racks whose outputs this process writes (the distinct racks it steps and their twins),
    /// and the distinct ones it steps (set by `start`).
    public private(set) var owned: [Int] = []
    public private(set) var stepped: [Int] = []
    /// Racks stepped once for all their twins (`RackTwins`; set by `start`).
    public private(set) var twins: RackTwins
    /// Every owned rack's run (a twin's is its distinct rack's run: the same object).
    public private(set) var runs: [Int: SurgeRun] = [:]
    /// Every rack's start in the room's cascade (`RackStarts`), s after the load's onset, in
    /// `spec.racks` order (set by `start`, the same on every rank).
    public private(set) var rackStartS: [Double] = []
    var inletCells: [Int: [Int]] = [:], exhaustPressurePa: [Int: Double] = [:]
    /// Each owned rack's outlet patches, whose mixed-cup temperature is its exhaust.
    var exhaustPatches: [Int: [Patch]] = [:]
    public internal(set) var records: [FrameRecord] = []
    /// Rack solves run at once on this process (set by `start`; `advance` uses it).
    public private(set) var jobs = 1
    /// Whether identical computations are done once (twins, shared idle states); false with
    /// `--solve-every-rack` (set by `build`).
    public private(set) var sharesSolves = true
    let designs: [Double], floors: [Double]
    /// Flows predicted for the next frame, and the line slopes the last frame ended with.
    var predicted: [Double] = [], slopes: [Double] = []

    public init(_ spec: RoomSpec, comm: RoomComm, scenario: Scenario) {
        self.spec = spec
        self.comm = comm
        self.scenario = scenario
        twins = RackTwins(distinct: spec.racks.count)
        designs = spec.racks.map { RoomSpec.designFlow($0.rack) }
        floors = spec.racks.indices.map { k in
            let r = spec.racks[k].rack
            let a = (r.inletHi.0 - r.inletLo.0) * (r.inletHi.1 - r.inletLo.1)
            return r.base.fluid.densityKgPerM3 * RoomSpec.designFlow(r) / (a * a)
        }
    }

    /// Builds the owned racks' surges and solves their idle states, coupled.
    /// `shareTwins: false` steps every rack itself (to check that twins change nothing).
    public func start(
        maxSpacingM: Double?, jobs: Int, shareTwins: Bool = true, log: @escaping (String) -> Void
    ) throws {
        try build(maxSpacingM: maxSpacingM, jobs: jobs, shareTwins: shareTwins, log: log)
        try solveIdle(log: log)
    }

    /// Builds the owned racks' surges (collective); nothing is solved yet.
    public func build(maxSpacingM: Double?, jobs: Int, shareTwins: Bool = true, log: @escaping (String) -> Void) throws
    {
        self.jobs = jobs
        sharesSolves = shareTwins
        // Before any solve, and identically on every rank: an unknown rack name stops them all alike.
        let starts = try RackStarts.offsetsS(
            scenario.rackCascade,
            racks: spec.racks.map { RackStarts.Position(name: $0.name, row: $0.row, index: $0.index) })
        rackStartS = starts
        twins = shareTwins ? RackTwins(spec, rackStartS: starts) : RackTwins(distinct: spec.racks.count)
        (stepped, owned) = twins.owned(rank: comm.rank, size: comm.size)
        if twins.distinct.count < spec.racks.count {
            log(
                "room surge \(spec.name): \(spec.racks.count) racks, \(twins.distinct.count) distinct "
                    + "(same rack file, duct and start): each stepped once for its twins")
        }
        for (k, t) in starts.enumerated() where t.isFinite && scenario.load.onsetS + t >= scenario.durationS {
            log(
                "note: rack \(spec.racks[k].name) starts at \(configFormat(scenario.load.onsetS + t)) s, at or after "
                    + "the scenario's end (\(configFormat(scenario.durationS)) s): it stays idle")
        }
        Parallel.workers = 1
        BLAS.threads = 1
        var failure: Error?
        do {
            runs = try ThreadPool.run(stepped, jobs: jobs) { k -> SurgeRun in
                let p = self.spec.racks[k]
                do {
                    var sc = self.scenario
                    sc.rackPath = p.rackFile
                    return try SurgeRun(sc, maxSpacingM: maxSpacingM, rackStartS: starts[k])
                } catch let e as RoomError { throw e } catch {
                    throw RoomError.rack(name: p.name, rank: 0, reason: "\(error)")
                }
            }
        } catch { failure = error }
        try comm.agree(failure)
        for k in owned where runs[k] == nil { runs[k] = runs[twins.twin[k]] }
        for (k, r) in runs {
            let s = r.solver
            for ps in r.caseFile.genericCase.patches {
                switch ps.patch.kind {
                case .flowInlet, .velocityInlet, .fanInlet: inletCells[k, default: []] += s.cells(along: ps.patch)
                case let .pressureOutlet(p0, _):
                    exhaustPatches[k, default: []].append(ps.patch)
                    exhaustPressurePa[k] = p0
                }
            }
        }
    }

    /// Solves every rack's idle state, coupled through the plenum: frame 0 (collective).
    ///
    /// Racks that differ only by when they ignite have the same idle state: the same rack file,
    /// duct and slot blockage (`RackTwins` without the starts) and the same node powers at
    /// t = 0 give their idle solves the same inputs, so each is the same computation. On each
    /// process one of them is solved and its state copied into the others
    /// (`captureFrameState`/`restoreFrameState`): bit for bit what their own solves would give
    /// (`--solve-every-rack` solves each for the check). The refinery surge's 8 start groups
    /// are one idle solve per process.
    public func solveIdle(log: (String) -> Void) throws {
        let idle = LoadTimelineFraction.at(scenario, timeS: 0)
        let copies = idleCopies()
        let solved = stepped.filter { copies[$0] == nil }
        if solved.count < stepped.count {
            log(
                "room surge \(spec.name): idle states: \(solved.count) solved for this process's \(stepped.count) "
                    + "stepped racks (the others have the same rack, duct and idle load)")
        }
        let rec = try coupleFrame(
            index: 0, timeS: 0, fraction: idle, flows: designs.map { $0 * idle }, jobs: jobs,
            step: { try $0.solveIdle() }, rewind: {}, solving: solved,
            afterStep: {
                // One capture per solved rack (a default rack's state is about 100 MB), put into each copy.
                for (from, ks) in Dictionary(grouping: copies.keys, by: { copies[$0]! }) {
                    let (s, c) = self.runs[from]!.captureFrameState()
                    for k in ks { try self.runs[k]!.restoreFrameState(s, c) }
                }
            })
        log(
            String(
                format:
                    "room surge %@: idle states solved; coupling %d iteration(s), flow residual %.1e, plenum %.2f "
                    + "Pa, blowers %.4f m³/s",
                spec.name, rec.couplingIterations, rec.flowResidual, rec.plenumPressurePa, rec.blowerFlowM3PerS))
    }

    /// For each stepped rack whose idle state another stepped rack of this process computes
    /// identically, that rack (see `solveIdle`); the first of each group is solved.
    func idleCopies() -> [Int: Int] {
        guard sharesSolves, stepped.count > 1 else { return [:] }
        let sameRack = RackTwins(spec)
        var first: [[UInt64]: Int] = [:]
        var copies: [Int: Int] = [:]
        for k in stepped {
            guard let r = runs[k] else { continue }
            // Exact bit patterns, as for twins: the same computation, not close numbers.
            let key =
                [UInt64(sameRack.twin[k]), r.timeline.blowerFraction(timeS: 0).bitPattern]
                + r.nodePowers(at: 0).map(\.bitPattern)
            if let f = first[key] { copies[k] = f } else { first[key] = k }
        }
        return copies
    }

    func network(fraction: Double) throws -> PlenumNetwork {
        var blowers = spec.blowers
        for i in blowers.indices { blowers[i].rpm *= fraction }
        let rho = spec.racks[0].rack.base.fluid.densityKgPerM3
        return PlenumNetwork(
            blowers: blowers, supply: spec.supply,
            ducts: try spec.racks.indices.map { try spec.effectiveDuct($0, densityKgPerM3: rho) })
    }

    /// Steps (`step`) every owned rack at `flows` until the plenum agrees, putting them back
    /// (`rewind`) before each re-step; records the accepted state and predicts the next frame.
    func coupleFrame(
        index: Int, timeS: Double, fraction: Double, flows: [Double], jobs: Int,
        step: @escaping (SurgeRun) throws -> Void, rewind: () throws -> Void, solving: [Int]? = nil,
        afterStep: () throws -> Void = {}
    ) throws -> FrameRecord {
        let n = spec.racks.count
        let net = try network(fraction: fraction)
        var q = flows
        var previous: (q: [Double], p: [Double])?
        var b = slopes.isEmpty ? [Double](repeating: 0, count: n) : slopes
        for it in 1...spec.couplingMaxIterations {
            for k in stepped { runs[k]!.inflowScaleOverride = q[k] / designs[k] }
            var failure: Error?
            do {
                _ = try ThreadPool.run(solving ?? stepped, jobs: jobs) { k -> Int in
                    do {
                        try step(self.runs[k]!)
                        return k
                    } catch {
                        throw RoomError.rack(name: self.spec.racks[k].name, rank: 0, reason: "\(error)")
                    }
                }
                try afterStep()
            } catch { failure = error }
            try comm.agree(failure)
            // Per rack: slot pressure, exhaust temperature and the packed exhaust profile, at the
            // owner's offset and zero elsewhere, so that the sum over ranks gathers them all.
            let block = 2 + ExhaustProfile.packedCount
            var mine = [Double](repeating: 0, count: block * n)
            for (k, r) in runs {
                mine[block * k] = r.solver.meanPressure(cells: inletCells[k] ?? []) - (exhaustPressurePa[k] ?? 0)
                mine[block * k + 1] = r.solver.mixedCupTemperature(outlets: exhaustPatches[k] ?? [])
                if let roof = ExhaustProfile.roofOutlet(exhaustPatches[k] ?? []), let e = r.solver.exhaustProfile(roof)
                {
                    e.pack(into: &mine, at: block * k + 2)
                }
            }
            let all = try comm.allreduceSum(mine)
            let p = (0..<n).map { all[block * $0] }
            var lines: [PlenumNetwork.Line] = []
            for k in 0..<n {
                let qk = max(q[k], 1e-9)
                if let o = previous, abs(qk - o.q[k]) > 1e-4 * qk {
                    let sec = (p[k] - o.p[k]) / (qk - o.q[k])
                    if sec.isFinite { b[k] = sec }
                } else if b[k] == 0 {
                    b[k] = 2 * abs(p[k]) / qk // p ∝ Q² where nothing better is known yet
                }
                b[k] = max(b[k], floors[k])
                lines.append(PlenumNetwork.Line(interceptPa: p[k] - b[k] * qk, slopePaSPerM3: b[k]))
            }
            let sol = try net.solve(lines: lines)
            let total = q.reduce(0, +)
            let residual = (0..<n).map { abs(sol.rackFlowsM3PerS[$0] - q[$0]) }.max()! / (total / Double(n))
            let converged = residual < spec.couplingTolerance
            if converged || it == spec.couplingMaxIterations {
                let rise = net.blowerRise(forFlow: total)
                let plenum = rise - net.supply.dropPa(total)
                let pres = (0..<n).map { abs(plenum - net.ducts[$0].dropPa(q[$0]) - p[$0]) }.max()!
                let rec = FrameRecord(
                    index: index, timeS: timeS,
                    racks: (0..<n).map {
                        RackValues(
                            flowM3PerS: q[$0], slotPressurePa: p[$0], exhaustC: all[block * $0 + 1],
                            exhaustProfile: ExhaustProfile(packed: all[(block * $0 + 2)..<(block * ($0 + 1))]))
                    },
                    blowerFraction: fraction, blowerFlowM3PerS: total, blowerRisePa: rise, plenumPressurePa: plenum,
                    massConservationError: abs(total - net.totalBlowerFlow(risePa: rise)) / total,
                    couplingIterations: it, flowResidual: residual, pressureResidualPa: pres,
                    couplingConverged: converged)
                records.append(rec)
                slopes = b
                // The next frame's prediction: these lines, the blowers at its fraction.
                let next = LoadTimelineFraction.at(scenario, timeS: timeS + 1 / scenario.fps)
                predicted =
                    next == fraction
                    ? sol.rackFlowsM3PerS : try self.network(fraction: next).solve(lines: lines).rackFlowsM3PerS
                return rec
            }
            previous = (q, p)
            q = sol.rackFlowsM3PerS
            try rewind()
        }
        fatalError("unreachable: the last iteration returns")
    }

    /// Steps every owned rack one frame, coupled (see the type's comment).
    public func advanceFrame(jobs: Int) throws -> FrameRecord {
        // Only a coupling that may re-step needs the frame's start (≈ 100 MB per default rack).
        var saved: [Int: (SolverState, SurgeCheckpoint)] = [:]
        if spec.couplingMaxIterations > 1 { for k in stepped { saved[k] = runs[k]!.captureFrameState() } }
        // The frame's time from the frame count, the same on every rank (one without racks too).
        let t = Double(records.count) / scenario.fps
        let fraction = LoadTimelineFraction.at(scenario, timeS: t)
        return try coupleFrame(
            index: records.count, timeS: t, fraction: fraction, flows: predicted, jobs: jobs,
            step: { _ = try $0.advanceFrame() },
            rewind: { for k in stepped { try runs[k]!.restoreFrameState(saved[k]!.0, saved[k]!.1) } })
    }

    /// Frames the scenario plays (its duration at its frame rate).
    public var frameCount: Int { max(1, Int((scenario.durationS * scenario.fps).rounded())) }
}

/// The scenario's blower fraction, one curve for the whole room (the same on every rank,
/// whether or not it owns a rack).
///
/// Why one room-wide curve and not one per rack shifted by the rack's start: in a room the
/// blowers are the plenum's, shared by every rack (`PlenumNetwork`); a rack's own feed is a
/// passive duct, and its flow is what the network gives for its pressure, so a hotter or
/// faster-fanned rack draws more by itself. There is no per-rack blower a shifted curve could
/// drive. The scenario's `blower` keys are a schedule in the room's time (`start` s after the
/// beginning, not after a rack's start); a room cascade that takes longer than the blower's
/// ramp wants a later or longer `blower.ramp` in its scenario.
enum LoadTimelineFraction {
    static func at(_ s: Scenario, timeS: Double) -> Double { LoadTimeline.blowerFraction(s, timeS: timeS) }
}
