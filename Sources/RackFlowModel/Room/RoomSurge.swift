import Foundation
import RackFlowNumerics
import RackFlowPhysics

/// A room's surge (`rackflow room --surge SCENARIO`): every rack plays the scenario (its own
/// `SurgeRun`, the scenario's rack replaced by the rack at that position), and the plenum is
/// coupled once per frame. Each rank steps the racks it owns; the coupling is computed
/// identically on every rank from all-reduced rack values.
///
/// Coupling per frame (explicit, one frame behind): from each rack's present flow Q_i and
/// slot pressure p_i, the rack is the line through (Q_i, p_i) with the tangent slope of
/// p ∝ Q² (at least ρQ/A², as in the steady coupling, and at least the secant through the
/// last two frames); the network is solved exactly with the
/// blowers at the scenario's blower fraction of their speed (fan laws), so Σ rack flows =
/// blower flow to rounding at every frame; the flows it gives are imposed for the next frame's
/// steps. The idle state is solved at the scenario's idle blower fraction of each rack's design
/// flow and the first frame couples from it.
public final class RoomSurge {
    public struct RackValues: Codable, Sendable {
        /// Flow the rack was stepped at, m³/s; its slot pressure relative to its exhaust, Pa;
        /// the mean temperature over its exhaust, °C.
        public var flowM3PerS: Double
        public var slotPressurePa: Double
        public var exhaustC: Double
    }
    public struct FrameRecord: Codable, Sendable {
        public var index: Int
        public var timeS: Double
        public var racks: [RackValues]
        public var blowerFraction: Double
        public var blowerFlowM3PerS: Double
        public var plenumPressurePa: Double
        /// |Σ rack flows imposed − blower flow| / blower flow of the coupling done at this frame.
        public var massConservationError: Double
    }

    public let spec: RoomSpec
    public let comm: RoomComm
    public let scenario: Scenario
    public let owned: [Int]
    public private(set) var runs: [Int: SurgeRun] = [:]
    var inletCells: [Int: [Int]] = [:], exhaustCells: [Int: [Int]] = [:], exhaustPressurePa: [Int: Double] = [:]
    public private(set) var records: [FrameRecord] = []
    let designs: [Double], floors: [Double]

    public init(_ spec: RoomSpec, comm: RoomComm, scenario: Scenario) {
        self.spec = spec; self.comm = comm; self.scenario = scenario
        owned = spec.racks.indices.filter { $0 % comm.size == comm.rank }
        designs = spec.racks.map { RoomSpec.designFlow($0.rack) }
        floors = spec.racks.indices.map { k in
            let r = spec.racks[k].rack
            let a = (r.inletHi.0 - r.inletLo.0) * (r.inletHi.1 - r.inletLo.1)
            return r.base.fluid.densityKgPerM3 * RoomSpec.designFlow(r) / (a * a)
        }
    }

    var agreeing: RoomRun { get throws { try RoomRun(spec, comm: comm) } }

    /// Builds the owned racks' surges and solves their idle states.
    public func start(maxSpacingM: Double?, jobs: Int, log: @escaping (String) -> Void) throws {
        Parallel.workers = 1
        BLAS.threads = 1
        let gate = try agreeing
        var failure: Error?
        do {
            runs = try RackPool.run(owned, jobs: jobs) { k -> SurgeRun in
                let p = self.spec.racks[k]
                do {
                    var sc = self.scenario
                    sc.rackPath = p.rackFile
                    let r = try SurgeRun(sc, maxSpacingM: maxSpacingM)
                    r.inflowScaleOverride = r.timeline.blowerFraction(timeS: 0)
                    try r.solveIdle()
                    return r
                } catch let e as RoomError { throw e } catch {
                    throw RoomError.rack(name: p.name, rank: 0, reason: "\(error)")
                }
            }
        } catch { failure = error }
        try gate.agree(failure)
        for (k, r) in runs {
            let s = r.solver
            for ps in r.caseFile.genericCase.patches {
                switch ps.patch.kind {
                case .flowInlet, .velocityInlet, .fanInlet: inletCells[k, default: []] += s.cells(along: ps.patch)
                case let .pressureOutlet(p0, _): exhaustCells[k, default: []] += s.cells(along: ps.patch); exhaustPressurePa[k] = p0
                }
            }
        }
        records.append(try exchange(index: 0, timeS: 0, imposed: nil))
        log(String(format: "room surge %@: idle states solved; plenum %.2f Pa, blowers %.4f m³/s", spec.name, records[0].plenumPressurePa, records[0].blowerFlowM3PerS))
    }

    /// All-reduces the racks' present values and couples the plenum for the next frame; returns
    /// the frame's record (the values it was stepped with) after imposing the new flows.
    func exchange(index: Int, timeS: Double, imposed: [Double]?) throws -> FrameRecord {
        let n = spec.racks.count
        var mine = [Double](repeating: 0, count: 3 * n)
        for (k, r) in runs {
            let s = r.solver
            mine[3 * k] = imposed?[k] ?? designs[k] * (r.inflowScaleOverride ?? 1)
            mine[3 * k + 1] = s.meanPressure(cells: inletCells[k] ?? []) - (exhaustPressurePa[k] ?? 0)
            mine[3 * k + 2] = s.temperatureStats(cells: exhaustCells[k] ?? []).meanC
        }
        let all = try comm.allreduceSum(mine)
        let racks = (0..<n).map { RackValues(flowM3PerS: all[3 * $0], slotPressurePa: all[3 * $0 + 1], exhaustC: all[3 * $0 + 2]) }
        // The blowers at the scenario's fraction of their speed at the next frame.
        let fraction = LoadTimelineFraction.at(scenario, timeS: timeS + 1 / scenario.fps, any: runs.values.first)
        var blowers = spec.blowers
        for i in blowers.indices { blowers[i].rpm *= fraction }
        let rho = spec.racks[0].rack.base.fluid.densityKgPerM3
        let net = PlenumNetwork(blowers: blowers, supply: spec.supply, ducts: try spec.racks.indices.map { try spec.effectiveDuct($0, densityKgPerM3: rho) })
        let previous = records.last?.racks
        let lines = racks.indices.map { k -> PlenumNetwork.Line in
            let q = max(racks[k].flowM3PerS, 1e-9), p = racks[k].slotPressurePa
            var b = max(2 * abs(p) / q, floors[k])
            // The secant through the last two frames when the flow moved: taken when steeper,
            // which damps the frame-to-frame swing of an explicit coupling (a stiffer rack
            // line moves the flows less; mass stays exact, the network is still solved exactly).
            if let o = previous?[k], abs(q - o.flowM3PerS) > 1e-4 * q {
                let sec = (p - o.slotPressurePa) / (q - o.flowM3PerS)
                if sec.isFinite { b = max(b, sec) }
            }
            return PlenumNetwork.Line(interceptPa: p - b * q, slopePaSPerM3: b)
        }
        let sol = try net.solve(lines: lines)
        for (k, r) in runs { r.inflowScaleOverride = sol.rackFlowsM3PerS[k] / designs[k] }
        let sum = sol.rackFlowsM3PerS.reduce(0, +)
        return FrameRecord(index: index, timeS: timeS, racks: racks, blowerFraction: fraction, blowerFlowM3PerS: sol.blowerFlowM3PerS,
                           plenumPressurePa: sol.plenumPressurePa, massConservationError: abs(sum - sol.blowerFlowM3PerS) / sol.blowerFlowM3PerS)
    }

    /// Steps every owned rack one frame at the coupled flows, then couples for the next.
    public func advanceFrame(jobs: Int) throws -> FrameRecord {
        let imposed = (0..<spec.racks.count).map { k in runs[k].map { designs[k] * ($0.inflowScaleOverride ?? 1) } ?? 0 }
        let flows = try comm.allreduceSum(imposed)
        var failure: Error?
        do {
            _ = try RackPool.run(owned, jobs: jobs) { k -> Int in
                do { return try self.runs[k]!.advanceFrame().index } catch {
                    throw RoomError.rack(name: self.spec.racks[k].name, rank: 0, reason: "\(error)")
                }
            }
        } catch { failure = error }
        try agreeing.agree(failure)
        let t = runs.values.first?.time ?? 0
        let rec = try exchange(index: records.count, timeS: t, imposed: flows)
        records.append(rec)
        return rec
    }

    /// Frames the scenario plays (its duration at its frame rate).
    public var frameCount: Int { max(1, Int((scenario.durationS * scenario.fps).rounded())) }
}

/// The scenario's blower fraction (every rank has at least one rack's timeline; all are the
/// same scenario's).
enum LoadTimelineFraction {
    static func at(_ s: Scenario, timeS: Double, any: SurgeRun?) -> Double {
        any?.timeline.blowerFraction(timeS: timeS) ?? 1
    }
}
