import Foundation
import RackFlowPhysics

/// What one rack's solve at an imposed flow gives back to the coupling (the same numbers on
/// every process of a distributed run: they travel as doubles).
public struct RackSolveResult: Codable, Sendable, Equatable {
    /// Static pressure over the bottom slot relative to the exhaust, Pa.
    public var inletPressurePa: Double
    /// Flow entering the rack in its solved fields (mass in / ρ), m³/s.
    public var measuredFlowM3PerS: Double
    public var outerIterations: Int
    public var converged: Bool
    public var seconds: Double

    public init(
        inletPressurePa: Double, measuredFlowM3PerS: Double, outerIterations: Int, converged: Bool, seconds: Double
    ) {
        self.inletPressurePa = inletPressurePa
        self.measuredFlowM3PerS = measuredFlowM3PerS
        self.outerIterations = outerIterations
        self.converged = converged
        self.seconds = seconds
    }

    static let doubles = 5
    func packed() -> [Double] {
        [inletPressurePa, measuredFlowM3PerS, Double(outerIterations), converged ? 1 : 0, seconds]
    }
    static func unpacked(_ d: ArraySlice<Double>) -> RackSolveResult {
        let i = d.startIndex
        return RackSolveResult(
            inletPressurePa: d[i], measuredFlowM3PerS: d[i + 1], outerIterations: Int(d[i + 2]),
            converged: d[i + 3] != 0, seconds: d[i + 4])
    }

    /// Results of racks as one vector (5 doubles each), zero for racks not given: summed over
    /// processes that each own some racks, every entry is one owner's value plus zeros (exact).
    public static func pack(_ results: [Int: RackSolveResult], count: Int) -> [Double] {
        var v = [Double](repeating: 0, count: count * doubles)
        for (k, r) in results { v.replaceSubrange(k * doubles..<(k + 1) * doubles, with: r.packed()) }
        return v
    }
    public static func unpack(_ v: [Double], count: Int) -> [RackSolveResult] {
        (0..<count).map { unpacked(v[$0 * doubles..<($0 + 1) * doubles]) }
    }
}

/// The coupled iteration of a room: solve every rack at its current flow, linearise each
/// rack's pressure–flow response, solve the plenum network for new flows, repeat until no
/// rack's flow moves by more than `tolerance` of the mean rack flow.
///
/// Linearisation: the first iteration knows one point per rack and assumes `p ∝ Q²` there
/// (tangent `b = 2p/Q`); later iterations take the secant through the last two solves. The
/// slope is kept at or above `slopeFloor` (the dynamic pressure's, ρQ/A²): a rack whose fans
/// pull harder than the plenum pushes can have p < 0, but more flow always needs more push.
public enum RoomCoupling {
    public struct Iteration: Codable, Sendable {
        public var iteration: Int
        /// Flows the racks were solved at, m³/s.
        public var rackFlowsM3PerS: [Double]
        public var inletPressuresPa: [Double]
        public var rackLines: [PlenumNetwork.Line]
        /// The network's answer: next flows, plenum pressure, blower rise.
        public var nextFlowsM3PerS: [Double]
        public var plenumPressurePa: Double
        public var blowerRisePa: Double
        /// max_i |Q_next − Q| / mean Q.
        public var flowResidual: Double
        /// max_i |p_P − duct_i(Q_i) − p_rack,i| at the solved flows, Pa (blowers at Σ Q).
        public var pressureResidualPa: Double
        public var rackOuterIterations: [Int]
        public var seconds: Double
    }

    public struct Result: Sendable {
        public var iterations: [Iteration]
        public var converged: Bool
        /// The final state: flows the racks were last solved at, and their solve results.
        public var rackFlowsM3PerS: [Double]
        public var rackResults: [RackSolveResult]
        /// Σ rack flows: the blowers deliver exactly this.
        public var blowerFlowM3PerS: Double
        /// The rise the blowers' curves give at that flow, Pa, and the plenum pressure after
        /// the supply loss, Pa; per blower entry, one blower's flow.
        public var blowerRisePa: Double
        public var plenumPressurePa: Double
        public var perBlowerFlowM3PerS: [Double]
        /// The blowers' curve flow at `blowerRisePa` minus Σ rack flows, relative (≈ 1e-12).
        public var blowerCurveMismatch: Double
        /// Per rack: p_P − duct(Q) − p_rack at the final flows, Pa.
        public var pressureResidualsPa: [Double]
    }

    /// Runs the coupling to its end on the one run loop (`Loop`, `Simulation`), without
    /// checkpoints. `solveRacks(flows, iteration)` must solve every rack at `flows[k]` and return
    /// every rack's result in rack order (locally or gathered from all ranks).
    public static func run(
        network: PlenumNetwork, designFlowsM3PerS: [Double], slopeFloors: [Double],
        tolerance: Double, maxIterations: Int,
        log: @escaping (String) -> Void = { _ in },
        solveRacks: @escaping ([Double], Int) throws -> [RackSolveResult]
    ) throws -> Result {
        let loop = Loop(
            network: network, designFlowsM3PerS: designFlowsM3PerS, slopeFloors: slopeFloors, tolerance: tolerance,
            maxIterations: maxIterations, log: log, start: nil, solveRacks: solveRacks)
        _ = try Simulation(loop).run()
        return loop.result()
    }

    /// With the blowers delivering Σ Q (on their curves), the plenum pressure, and per rack how
    /// far the plenum is from what the duct and the rack need at its flow.
    static func pressureResiduals(
        network: PlenumNetwork, flows q: [Double], pressures p: [Double]
    ) -> (rise: Double, plenum: Double, residuals: [Double]) {
        let total = q.reduce(0, +)
        let h = network.blowerRise(forFlow: total)
        let pp = h - network.supply.dropPa(total)
        return (h, pp, q.indices.map { pp - network.ducts[$0].dropPa(q[$0]) - p[$0] })
    }
}
