import Foundation
import RackFlowNumerics

/// When each node ignites and how busy it is at any moment: the scheduler's cascade turned
/// into utilisation curves u(t) ∈ [idle, full], and the blower's flow fraction.
public struct LoadTimeline {
    public let scenario: Scenario
    /// Ignition time of each node, s, in the rack's node order.
    public let ignitionS: [Double]

    /// `units` gives each node's rack unit (for bottom-up and top-down orders), `names` their
    /// names (for an explicit order, where an unknown name is an error at its line). `rackStartS`
    /// delays the whole node cascade: the rack's start in a room's cascade (`RackStarts`), s after
    /// the load's onset; infinite for a rack that never starts.
    public init(_ scenario: Scenario, units: [Int], names: [String], rackStartS: Double = 0) throws {
        self.scenario = scenario
        var order: [Int]
        let byUnit = units.indices.sorted { (units[$0], $0) < (units[$1], $1) }
        switch scenario.cascade.order {
        case .bottomUp: order = byUnit
        case .topDown: order = byUnit.reversed()
        case .random: order = byUnit.seededShuffle(seed: scenario.cascade.seed)
        }
        if !scenario.cascade.names.isEmpty {
            order = try scenario.cascade.names.map { n, at in
                guard let i = names.firstIndex(of: n) else {
                    throw at.error("no node '\(n)' in the rack (it has \(names.joined(separator: ", ")))")
                }
                return i
            }
        }
        // Nodes missing from an explicit order never ignite.
        var t = [Double](repeating: .infinity, count: units.count)
        for (rank, node) in order.enumerated() {
            t[node] = scenario.load.onsetS + rackStartS + Double(rank) * scenario.cascade.delayS
        }
        ignitionS = t
    }

    /// Utilisation of node `n` at time `t` s.
    public func utilisation(node n: Int, timeS t: Double) -> Double {
        let l = scenario.load
        let x = t - ignitionS[n]
        if !l.profile.isEmpty && x > 0 {
            // Piecewise linear from idle at ignition through the profile's points, flat after the last.
            var (t0, u0) = (0.0, l.idle)
            for p in l.profile {
                if x <= p.timeS {
                    return p.timeS > t0 ? u0 + (p.utilisation - u0) * (x - t0) / (p.timeS - t0) : p.utilisation
                }
                (t0, u0) = (p.timeS, p.utilisation)
            }
            return u0
        }
        let s = Self.shape(l.shape, x, l.rampS)
        return l.idle + (l.full - l.idle) * s
    }

    /// The blower's flow as a fraction of the rack's inlet flow at time `t` s.
    public func blowerFraction(timeS t: Double) -> Double { Self.blowerFraction(scenario, timeS: t) }

    /// The scenario's blower schedule alone (no rack needed: a room's blowers are shared).
    public static func blowerFraction(_ scenario: Scenario, timeS t: Double) -> Double {
        let b = scenario.blower
        return b.idle + (b.full - b.idle) * shape(.smoothstep, t - b.startS, b.rampS)
    }

    /// 0 before `x = 0`, 1 after the ramp (`exponential`: 1 − e^(−x/τ)).
    static func shape(_ s: Scenario.RampShape, _ x: Double, _ ramp: Double) -> Double {
        if x <= 0 { return 0 }
        if ramp <= 0 { return 1 }
        switch s {
        case .linear: return min(x / ramp, 1)
        case .smoothstep:
            let r = min(x / ramp, 1)
            return r * r * (3 - 2 * r)
        case .exponential: return 1 - exp(-x / ramp)
        }
    }
}
