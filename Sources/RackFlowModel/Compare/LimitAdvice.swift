import Foundation
import RackFlowNumerics
import RackFlowPhysics

/// What would bring a part that is past its limit, or close to it, back within it: the local air
/// speed, the airflow, or the power.
///
/// Description
///   A part's temperature is its air plus its compact model (Rack/Parts.swift):
///
///     T = T_air + P R(v),   R(v) = R₀ (v / v₀)^(−n)   (P the power its model sees).
///
///   1. **Local air speed**, its air as solved: R(v*) = (T_lim − T_air) / P, so
///      v* = v₀ (R₀ P / (T_lim − T_air))^(1/n). None exists when the air alone is at the limit.
///   2. **Airflow.** Scaling the flow through the node by s scales the local speed by s and, for
///      a forced flow whose pattern does not change, the air's rise above the node's intake by
///      1/s (the heat is carried by s times the air):
///
///        T(s) = T_in + (T_air − T_in) / s + P R(s v) .
///
///      T(s) falls with s; the s with T(s) = T_lim is found by bisection. The node's flow then
///      is s Q_node, and the rack's supply s Q_supply when every node scales alike (the supply
///      sets the flow of a sealed rack). Buoyancy and the fans' curves bend this, so the figure
///      is checked by a re-solve in the tests.
///   3. **Power.** Lowering the part's power by ΔP lowers T by (R(v) + a) ΔP, a the response of
///      its own air to its own heat, K/W: one solve of the energy equation with the flow frozen
///      and 1 W in the part (Physics/Response/FrozenFlowEnergy.swift, the response model's
///      operator). The power that just fits is P − (T − T_lim) / (R + a). The PSU's losses,
///      which follow the node's load, are held fixed.
///
/// Usage
///   | call                                    | result                                        |
///   | advise(run:layout:layoutName:withinK:)  | advice for each part past its limit or within |
///   |                                         | `withinK` kelvin of it                        |
public struct LimitAdvice: Codable, Sendable {
    public var layout: String
    public var part: String
    public var node: String
    public var temperatureC: Double
    public var limitC: Double
    public var marginK: Double
    /// The part's air and local speed as solved, and the power its compact model sees, W.
    public var airC: Double
    public var airSpeedMPerS: Double
    public var powerW: Double
    /// v*: nil when the air alone is at or past the limit.
    public var requiredAirSpeedMPerS: Double?
    public var nodeIntakeC: Double
    public var nodeFlowM3PerS: Double
    /// s, and s Q_node, s Q_supply: nil when no flow up to 100 × brings it within its limit.
    public var flowScale: Double?
    public var requiredNodeFlowM3PerS: Double?
    public var supplyFlowM3PerS: Double
    public var requiredSupplyFlowM3PerS: Double?
    /// R(v) of the power the model sees, and a, both K/W of the part's whole power.
    public var compactKPerW: Double
    public var selfResponseKPerW: Double
    /// The part's power at which it just reaches its limit, W (≤ 0: none fits; NaN: the frozen-flow
    /// solve for its self-response failed). It holds the PSU's losses and the flow fixed: the
    /// default rack's NIC re-solved at it ran 0.1 K past its limit.
    public var fitPowerW: Double
}

extension LimitAdvice {
    /// Advice for every layout of a comparison, in layout order.
    public static func advise(runs: [SteadyRun], layouts: [CompareLayout], withinK: Double) throws -> [LimitAdvice] {
        try zip(runs, layouts).flatMap { run, l -> [LimitAdvice] in
            guard let layout = l.caseFile.layout else { return [] }
            return try advise(run: run, layout: layout, layoutName: l.name, withinK: withinK)
        }
    }

    /// Advice for every part of `run` whose margin is below `withinK` (past its limit or within
    /// that many kelvin of it).
    public static func advise(
        run: SteadyRun, layout: RackLayout, layoutName: String, withinK: Double = 2
    ) throws -> [LimitAdvice] {
        let s = run.solver, summary = run.summary
        let solvedParts = Dictionary(summary.parts.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        let near = layout.parts.indices.filter { (solvedParts[layout.parts[$0].name]?.marginK ?? .infinity) < withinK }
        guard !near.isEmpty else { return [] }
        let op = FrozenFlowEnergy(s)
        let shares = layout.heatShares(report: run.report, heatW: s.flow.heatW)
        let response = selfResponses(near, layout: layout, run: run, op: op, shares: shares)
        var out: [LimitAdvice] = []
        for (k, i) in near.enumerated() {
            let p = layout.parts[i]
            guard let solved = solvedParts[p.name],
                let node = summary.nodes.first(where: { $0.name == p.node })
            else { continue }
            out.append(
                advice(
                    p, solved: solved, node: node, supplyFlowM3PerS: summary.inletFlowM3PerS,
                    selfResponseKPerW: response[k], layoutName: layoutName))
        }
        return out
    }

    /// Each part's own air temperature per watt of its own heat (K/W) at the frozen flow, NaN
    /// where its solve fails (the power remedy is then left out, not the report). The parts
    /// are solved in lockstep (`BatchedBiCGSTAB`), as the response model's are; if that fails,
    /// one at a time, so that one bad part costs only its own remedy.
    static func selfResponses(
        _ parts: [Int], layout: RackLayout, run: SteadyRun, op: FrozenFlowEnergy,
        shares: [[(cell: Int, share: Double)]]
    ) -> [Double] {
        let s = run.solver, n = s.flow.grid.cellCount
        let theta = op.makeVector()
        func response(_ k: Int) -> Double {
            let cells = run.report.boxCells[layout.parts[parts[k]].regionBox] ?? []
            return s.withTemperature(theta) { s.temperatureStats(cells: cells).meanC }
        }
        let width = min(parts.count, ThermalResponse.columnsThatFit(cells: n))
        let batch = op.batchedSolver(columns: width)
        let b = batch.makeBlock(), x = batch.makeBlock()
        var out: [Double] = []
        for start in stride(from: 0, to: parts.count, by: width) {
            let ks = Array(start..<min(start + width, parts.count))
            let m = ks.count
            batch.setColumns(b, ks.map { shares[parts[$0]] })
            x.fill(0)
            if (try? batch.solve(b, x, columns: m, tolerance: 1e-8)) != nil {
                for (j, k) in ks.enumerated() {
                    batch.copyColumn(j, of: x, columns: m, into: theta)
                    out.append(response(k))
                }
                continue
            }
            let q = op.makeVector()
            for k in ks {
                q.fill(0)
                theta.fill(0)
                for (c, w) in shares[parts[k]] { q.p[c] = w }
                out.append((try? op.solve(q, theta, tolerance: 1e-8)) != nil ? response(k) : .nan)
            }
        }
        return out
    }

    /// The three remedies for one part from its solved figures (no solve).
    static func advice(
        _ p: RackLayout.PartInfo, solved: SolveSummary.Part, node: SolveSummary.Node, supplyFlowM3PerS: Double,
        selfResponseKPerW: Double, layoutName: String
    ) -> LimitAdvice {
        let m = p.thermal, pm = p.modelPowerW, limit = p.limitC
        let v = solved.airSpeedMPerS, air = solved.airC, tIn = node.inletC
        var speed: Double? = nil
        // With n = 0 the resistance does not depend on speed: no speed helps.
        if limit > air && pm > 0 && m.exponent > 0 {
            let rNeeded = (limit - air) / pm
            speed = m.referenceSpeedMPerS * pow(m.resistanceKPerW / rNeeded, 1 / m.exponent)
        }
        // T(s) = T_in + (T_air − T_in)/s + P R(s v), decreasing in s (air below the intake, as
        // next to a cold wall, is taken at the intake temperature, keeping it so).
        let rise = max(air - tIn, 0)
        func t(_ sc: Double) -> Double {
            tIn + rise / sc + m.temperatureC(airC: 0, speedMPerS: sc * v, powerW: pm)
        }
        var scale: Double? = nil
        if t(100) <= limit {
            var lo = 1e-3, hi = 100.0
            for _ in 0..<100 {
                let mid = 0.5 * (lo + hi)
                if t(mid) > limit { lo = mid } else { hi = mid }
            }
            scale = hi
        }
        let compact = p.compactKPerW(speedMPerS: v)
        let fit = p.powerW - (solved.temperatureC - limit) / (compact + selfResponseKPerW)
        return LimitAdvice(
            layout: layoutName, part: p.name, node: p.node, temperatureC: solved.temperatureC, limitC: limit,
            marginK: solved.marginK, airC: air, airSpeedMPerS: v, powerW: p.powerW, requiredAirSpeedMPerS: speed,
            nodeIntakeC: tIn, nodeFlowM3PerS: node.flowM3PerS, flowScale: scale,
            requiredNodeFlowM3PerS: scale.map { $0 * node.flowM3PerS }, supplyFlowM3PerS: supplyFlowM3PerS,
            requiredSupplyFlowM3PerS: scale.map { $0 * supplyFlowM3PerS }, compactKPerW: compact,
            selfResponseKPerW: selfResponseKPerW, fitPowerW: fit)
    }
}
