import Foundation
import RackFlowNumerics
import RackFlowPhysics

/// How the processes of a room run talk: one process alone, or the ranks of an MPI job. The
/// model knows only these three collectives; the MPI binding lives with the command line.
public protocol RoomComm: AnyObject {
    var rank: Int { get }
    var size: Int { get }
    /// Element-wise sum over all ranks, the result on every rank.
    func allreduceSum(_ v: [Double]) throws -> [Double]
    /// Every rank's bytes, in rank order, on rank 0 (an empty list elsewhere).
    func gather(_ bytes: Data) throws -> [Data]
}

/// A run without MPI.
public final class SingleProcess: RoomComm {
    public init() {}
    public var rank: Int { 0 }
    public var size: Int { 1 }
    public func allreduceSum(_ v: [Double]) throws -> [Double] { v }
    public func gather(_ bytes: Data) throws -> [Data] { [bytes] }
}

extension RoomComm {
    /// Collective: every rank says whether it failed; if any did, every rank throws the first
    /// failing rank's error (its message gathered to rank 0), so the whole job stops together.
    public func agree(_ error: Error?) throws {
        let flags = try allreduceSum((0..<size).map { $0 == rank && error != nil ? 1 : 0 })
        guard let first = flags.firstIndex(where: { $0 != 0 }) else { return }
        var reason =
            error.map { e -> String in
                if case let RoomError.rack(name, _, r) = e { return "rack \(name): \(r)" }
                return "\(e)"
            } ?? ""
        let all = try gather(Data(reason.utf8))
        if rank == 0 { reason = String(decoding: all[first], as: UTF8.self) }
        throw RoomError.failed(rank: first, reason: rank == 0 ? reason : "(reported by rank 0)")
    }

    /// Collective: whether any rank was asked to stop (`asked`: this one was). Every rank takes
    /// the signal the ranks received, SIGTERM before SIGINT, so that all exit with one status
    /// (143 or 130) and so does `mpirun`. Only the name is taken (`Interruption.adopt`): a rank
    /// that was not signalled itself still stops on its own first signal instead of dying.
    public func anyStopRequested(_ asked: Bool) throws -> Bool {
        let term = asked && Interruption.shared.signal == "SIGTERM"
        let votes = try allreduceSum([asked ? 1 : 0, term ? 1 : 0])
        if votes[1] > 0 {
            Interruption.shared.adopt("SIGTERM")
        } else if votes[0] > 0 && !asked {
            Interruption.shared.adopt("SIGINT")
        }
        return votes[0] > 0
    }
}

/// A coupled room run: each process builds and solves the racks it owns (the distinct racks
/// round-robin over ranks, `RackTwins`; `jobs` at a time on local cores, one thread each) and
/// takes part in the coupling, which every rank computes identically from the all-reduced rack
/// results.
public final class RoomRun {
    public let spec: RoomSpec
    public let comm: RoomComm
    /// Racks this process owns, by index in `spec.racks` (a twin's is its distinct rack's
    /// `RoomRack`, the same object).
    public private(set) var racks: [Int: RoomRack] = [:]
    /// Racks whose outputs this process writes, and the distinct ones among them it solves.
    public let owned: [Int]
    public let solved: [Int]
    /// Racks solved once for all their twins (`RackTwins`).
    public let twins: RackTwins
    public let network: PlenumNetwork
    public private(set) var coupling: RoomCoupling.Result?
    public private(set) var buildSeconds = 0.0

    /// `shareTwins: false` solves every rack itself (to check that twins change nothing).
    public init(_ spec: RoomSpec, comm: RoomComm, shareTwins: Bool = true) throws {
        self.spec = spec
        self.comm = comm
        twins = shareTwins ? RackTwins(spec) : RackTwins(distinct: spec.racks.count)
        (solved, owned) = twins.owned(rank: comm.rank, size: comm.size)
        let rho = spec.racks[0].rack.base.fluid.densityKgPerM3
        network = PlenumNetwork(
            blowers: spec.blowers, supply: spec.supply,
            ducts: try spec.racks.indices.map { try spec.effectiveDuct($0, densityKgPerM3: rho) })
    }

    /// Compiles the owned racks (largest spacing `maxSpacingM` when given) and runs the
    /// coupling. A failure on any rank stops every rank with the same `RoomError` naming the
    /// failing rank, rack and reason.
    public func run(
        maxSpacingM: Double?, jobs: Int, checkpoints: RoomCheckpointer? = nil,
        log: @escaping (String) -> Void = { _ in }
    ) throws {
        // One thread per rack solve and one OpenBLAS thread: results independent of scheduling.
        Parallel.workers = 1
        BLAS.threads = 1
        let t0 = Date()
        var buildError: Error?
        do {
            racks = try ThreadPool.run(solved, jobs: jobs) { k -> RoomRack in
                let p = self.spec.racks[k]
                do {
                    var c = try CaseFile.load(path: p.rackFile)
                    if let h = maxSpacingM { c.setMaxSpacing(h) }
                    return try RoomRack(name: p.name, caseFile: c, designFlowM3PerS: RoomSpec.designFlow(p.rack))
                } catch let e as RoomError { throw e } catch {
                    throw RoomError.rack(name: p.name, rank: 0, reason: "\(error)")
                }
            }
        } catch { buildError = error }
        try comm.agree(buildError)
        for k in owned where racks[k] == nil { racks[k] = racks[twins.twin[k]] }
        buildSeconds = Date().timeIntervalSince(t0)
        let cells = try comm.allreduceSum([
            Double(solved.reduce(0) { $0 + racks[$1]!.solver.flow.grid.cellCount })
        ])[0]
        let distinct = twins.distinct.count
        log(
            String(
                format: "room %@: %d racks (%d distinct, each solved once) on %d rank(s), %.0f cells "
                    + "solved, compiled in %.1f s", spec.name, spec.racks.count, distinct, comm.size, cells,
                buildSeconds))
        // Checkpoints (RoomCheckpoint.swift): restores the racks and the coupling on --resume.
        try checkpoints?.prepare(self, log: { if self.comm.rank == 0 { log($0) } })

        let designs = spec.racks.map { RoomSpec.designFlow($0.rack) }
        let floors = spec.racks.indices.map { k -> Double in
            let r = spec.racks[k].rack
            let a = (r.inletHi.0 - r.inletLo.0) * (r.inletHi.1 - r.inletLo.1)
            return r.base.fluid.densityKgPerM3 * designs[k] / (a * a)
        }
        let say: (String) -> Void = { if self.comm.rank == 0 { log($0) } }
        let loop = RoomCoupling.Loop(
            network: network, designFlowsM3PerS: designs, slopeFloors: floors, tolerance: spec.couplingTolerance,
            maxIterations: spec.couplingMaxIterations, log: say, start: checkpoints?.start
        ) { flows, _ in
            var failure: Error?
            var mine: [Int: RackSolveResult] = [:]
            do {
                mine = try ThreadPool.run(self.solved, jobs: jobs) { k -> RackSolveResult in
                    let r = self.racks[k]!
                    let p = try r.solve(flowM3PerS: flows[k])
                    let s = r.solves.last!
                    return RackSolveResult(
                        inletPressurePa: p, measuredFlowM3PerS: r.measuredInletFlowM3PerS,
                        outerIterations: s.outerIterations, converged: s.converged, seconds: s.seconds)
                }
            } catch { failure = error }
            try self.comm.agree(failure)
            for k in self.owned { mine[k] = mine[self.twins.twin[k]] }
            return RackSolveResult.unpack(
                try self.comm.allreduceSum(RackSolveResult.pack(mine, count: self.spec.racks.count)),
                count: self.spec.racks.count)
        }
        // The one run loop: a step is a coupling iteration; checkpoints between two of them, and a
        // stop asked of any rank stops every rank there (RoomCheckpoint.swift).
        let simulation = Simulation(
            loop, checkpointEvery: checkpoints?.every, resumedAt: checkpoints?.start.map { $0.nextIteration - 1 })
        let outcome = try simulation.run(
            stop: { try checkpoints?.stopRequested(self) ?? false },
            checkpoint: { try checkpoints?.write(self, loop.state, log: say) })
        if outcome == .interrupted, let c = checkpoints {
            throw RunInterrupted(folder: c.folder, iteration: loop.step, frame: nil, after: .couplingIteration)
        }
        coupling = loop.result()
    }
}
