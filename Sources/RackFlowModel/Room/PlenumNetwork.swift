import Foundation
import RackFlowPhysics

/// The plenum as a flow network: blowers (in parallel, each on its curve) lift room air by
/// `H` into the supply, which loses `supply(Q_b)` on the way to the plenum node at `p_P`; from
/// there one duct per rack loses `duct_i(Q_i)` before the rack's bottom slot, where the rack
/// itself needs `p_rack,i(Q_i)` (taken from its own solve, linearised as `a_i + b_i Q`):
///
///     p_P = H − supply(Q_b),   p_P = duct_i(Q_i) + a_i + b_i Q_i,   Q_b = Σ n_k q_k(H) = Σ Q_i.
///
/// Every flow is a monotone function of the one unknown `H` (more rise: less blower flow, a
/// higher plenum pressure, more flow into every rack), so `H` is found by bisection to machine
/// precision and mass is conserved exactly (to rounding) at every coupling iteration.
/// Pressures are gauge, relative to the room (the rack exhausts' pressure).
public struct PlenumNetwork {
    public var blowers: [RoomSpec.Blower]
    public var supply: RoomSpec.Resistance
    /// One per rack, slot blockage included.
    public var ducts: [RoomSpec.Resistance]

    public init(blowers: [RoomSpec.Blower], supply: RoomSpec.Resistance, ducts: [RoomSpec.Resistance]) {
        self.blowers = blowers
        self.supply = supply
        self.ducts = ducts
    }

    /// A rack's pressure–flow response near its operating point: `p ≈ a + b Q` (Pa, Pa·s/m³, b > 0).
    public struct Line: Codable, Sendable, Equatable {
        public var interceptPa: Double
        public var slopePaSPerM3: Double
        public init(interceptPa: Double, slopePaSPerM3: Double) {
            self.interceptPa = interceptPa
            self.slopePaSPerM3 = slopePaSPerM3
        }
        public func pressurePa(_ q: Double) -> Double { interceptPa + slopePaSPerM3 * q }
    }

    public struct Solution: Sendable {
        public var rackFlowsM3PerS: [Double]
        /// Σ rack flows (the blowers deliver exactly this, to rounding).
        public var blowerFlowM3PerS: Double
        /// Σ n_k q_k(H) from the curves: equals `blowerFlowM3PerS` to ≈ 1e-12 relative.
        public var blowerCurveFlowM3PerS: Double
        public var blowerRisePa: Double
        public var plenumPressurePa: Double
        /// Flow of one blower of each entry, m³/s.
        public var perBlowerFlowM3PerS: [Double]
    }

    /// One blower's flow at rise `h`: the inverse of its (non-increasing) curve; 0 at or
    /// above shut-off (the blowers are assumed to have non-return dampers: no backflow).
    public static func blowerFlow(_ b: RoomSpec.Blower, risePa h: Double) -> Double {
        let c = b.curve
        if h >= c.pressureRise(flowM3PerS: 0, rpm: b.rpm) { return 0 }
        var lo = 0.0, hi = max(c.freeDeliveryM3PerS(rpm: b.rpm), 1e-6)
        var guardCount = 0
        while c.pressureRise(flowM3PerS: hi, rpm: b.rpm) > h && guardCount < 200 {
            lo = hi
            hi *= 2
            guardCount += 1
        }
        for _ in 0..<200 {
            let m = 0.5 * (lo + hi)
            if m <= lo || m >= hi { break }
            if c.pressureRise(flowM3PerS: m, rpm: b.rpm) > h { lo = m } else { hi = m }
        }
        return 0.5 * (lo + hi)
    }

    /// Σ over blower entries of count × flow at rise `h`.
    public func totalBlowerFlow(risePa h: Double) -> Double {
        var s = 0.0
        for b in blowers { s += Double(b.count) * Self.blowerFlow(b, risePa: h) }
        return s
    }

    /// The flow through duct `i` and a rack responding as `line`, at plenum pressure `p`:
    /// the root Q ≥ 0 of `r₂Q² + (r₁ + b)Q + (a − p) = 0` (0 when the plenum cannot even
    /// reach the rack's intercept: the rack gets no air).
    public func rackFlow(_ i: Int, plenumPa p: Double, line: Line) -> Double {
        let d = ducts[i]
        let c = p - line.interceptPa
        if c <= 0 { return 0 }
        let b = d.linearPaSPerM3 + line.slopePaSPerM3
        let disc = b * b + 4 * d.quadraticPaS2PerM6 * c
        return 2 * c / (b + disc.squareRoot())
    }

    /// Solves the network for the rack responses `lines` (one per duct).
    public func solve(lines: [Line]) throws -> Solution {
        precondition(lines.count == ducts.count, "one rack line per duct")
        for (i, l) in lines.enumerated()
        where !(l.slopePaSPerM3 > 0 && l.slopePaSPerM3.isFinite && l.interceptPa.isFinite) {
            throw RoomError.coupling(
                "rack \(i): its pressure–flow response has no positive finite slope (a = \(l.interceptPa) Pa, b = "
                    + "\(l.slopePaSPerM3) Pa·s/m³)"
            )
        }
        func state(_ h: Double) -> (mismatch: Double, flows: [Double], qb: Double, pp: Double) {
            let qb = totalBlowerFlow(risePa: h)
            let pp = h - supply.dropPa(qb)
            let flows = lines.indices.map { rackFlow($0, plenumPa: pp, line: lines[$0]) }
            return (flows.reduce(0, +) - qb, flows, qb, pp)
        }
        // Bracket: at the highest shut-off the blowers give nothing (mismatch ≥ 0); going down,
        // the blowers give more and more while the plenum pressure falls (mismatch < 0 soon).
        var hi = blowers.map { $0.curve.pressureRise(flowM3PerS: 0, rpm: $0.rpm) }.max()!
        var lo = min(0, hi) - max(abs(hi), 1)
        var n = 0
        while state(lo).mismatch >= 0 {
            lo -= 2 * (hi - lo)
            n += 1
            if n > 100 {
                throw RoomError.coupling(
                    "the plenum network has no operating point: the blowers never deliver more than the racks take")
            }
        }
        if state(hi).mismatch < 0 { hi = lo + 1 } // cannot happen with non-negative rack flows; kept for safety
        for _ in 0..<400 {
            let m = 0.5 * (lo + hi)
            if m <= lo || m >= hi { break }
            if state(m).mismatch < 0 { lo = m } else { hi = m }
        }
        let h = 0.5 * (lo + hi)
        let s = state(h)
        let total = s.flows.reduce(0, +)
        return Solution(
            rackFlowsM3PerS: s.flows, blowerFlowM3PerS: total, blowerCurveFlowM3PerS: s.qb, blowerRisePa: h,
            plenumPressurePa: s.pp, perBlowerFlowM3PerS: blowers.map { Self.blowerFlow($0, risePa: h) })
    }

    /// The blower rise that delivers `q` in all (bisection on the monotone curves).
    public func blowerRise(forFlow q: Double) -> Double {
        var hi = blowers.map { $0.curve.pressureRise(flowM3PerS: 0, rpm: $0.rpm) }.max()!
        var lo = hi - 1
        var n = 0
        while totalBlowerFlow(risePa: lo) < q && n < 200 {
            lo -= 2 * (hi - lo)
            n += 1
        }
        for _ in 0..<400 {
            let m = 0.5 * (lo + hi)
            if m <= lo || m >= hi { break }
            if totalBlowerFlow(risePa: m) > q { lo = m } else { hi = m }
        }
        return 0.5 * (lo + hi)
    }
}
