import Foundation
import RackFlowNumerics

/// A grid of part powers answered by a thermal response model: `rackflow sweep`.
///
/// Description
///   Each `--vary KEY=A:B:N` sets the power of every part the key selects to N values from A
///   to B watts (per part: one GPU card, one CPU, one memory bank). KEY is a part kind (`gpu`,
///   `cpu`, `memory`, `nic`, `board`), optionally behind nodes: `node03/cpu`,
///   `node03,node04,node05/cpu`. Unvaried parts keep the solve's powers; PSU losses follow
///   each node's DC load. Every point is one `ThermalResponse.evaluate`: its hottest part, its
///   least margin (limit − temperature) and whether every part is within its limit.
///
///   Along each key alone (the others at the middle of their ranges) every temperature is
///   affine in the key's power, T_r(x) = a_r + b_r x, so the largest power that keeps every margin ≥ 0
///   is exact: min over parts with b_r > 0 of (limit_r − a_r)/b_r.
public struct PowerSweep: Sendable {
    public struct Point: Sendable {
        /// The keys' powers, W per part, in key order.
        public var valuesW: [Double]
        public var hottestPart: String
        public var hottestC: Double
        public var tightestPart: String
        public var marginK: Double
        public var feasible: Bool { marginK >= 0 }
    }
    /// The largest power of one key (the other keys at the middle of their ranges) with every
    /// margin ≥ 0.
    public struct Limit: Sendable {
        public var key: String
        /// The selected parts' mean power in the solve, W.
        public var baseW: Double
        /// nil: no part's temperature rises with this key, or a part is past its limit even
        /// with this key at 0 W (`pastLimitAtZero`).
        public var largestW: Double?
        public var limitingPart: String?
        /// A part that is past its limit whatever this key's power (its excess at 0 W).
        public var pastLimitAtZero = false
    }

    public let model: ThermalResponse
    public let keys: [SweepKey]
    /// Every combination of the keys' values, the first key varying fastest.
    public private(set) var points: [Point] = []
    public private(set) var evaluationSeconds = 0.0

    /// The keys together: no part set by two keys, at most 1,000,000 points. Also run on a
    /// rack's parts before its model is built, so that no mistake costs a solve.
    public static func check(_ keys: [SweepKey], groups: [ThermalResponse.Group]) throws {
        for g in groups {
            let setBy = keys.filter { $0.selects(g) }.map(\.text)
            guard setBy.count <= 1 else {
                throw InputError(
                    file: "command line", line: nil, keyPath: "--vary",
                    problem: "\(setBy.joined(separator: " and ")) both set \(g.name); give each part one key")
            }
        }
        let total = keys.reduce(1) { $0 * $1.valuesW.count }
        guard total <= 1_000_000 else {
            throw InputError(
                file: "command line", line: nil, keyPath: "--vary",
                problem: "\(total) points; at most 1,000,000")
        }
    }

    public init(model: ThermalResponse, keys: [SweepKey]) throws {
        self.model = model
        self.keys = keys
        try Self.check(keys, groups: model.groups)
        let total = keys.reduce(1) { $0 * $1.valuesW.count }
        let t0 = Date()
        points.reserveCapacity(total)
        for index in 0..<total {
            var rest = index
            let values = keys.map { k -> Double in
                let v = k.valuesW[rest % k.valuesW.count]
                rest /= k.valuesW.count
                return v
            }
            points.append(point(values))
        }
        evaluationSeconds = Date().timeIntervalSince(t0)
    }

    /// The power of every group with the keys at `values` (W per part).
    public func powers(_ values: [Double]) -> [Double] {
        model.powers { g in
            var set: Double?
            for (k, v) in zip(keys, values) where k.selects(g) { set = v }
            return set
        }
    }

    /// The model's answer at one set of the keys' powers.
    public func point(_ values: [Double]) -> Point {
        let y = model.evaluate(powers(values))
        var hot = -1, tight = -1
        for (r, row) in model.rows.enumerated() where row.kind == .part {
            if hot < 0 || y[r] > y[hot] { hot = r }
            if let lim = row.limitC, tight < 0 || lim - y[r] < (model.rows[tight].limitC ?? .infinity) - y[tight] {
                tight = r
            }
        }
        guard hot >= 0, tight >= 0 else {
            return Point(
                valuesW: values, hottestPart: "", hottestC: .nan,
                tightestPart: "", marginK: .nan)
        }
        return Point(
            valuesW: values, hottestPart: model.rows[hot].name, hottestC: y[hot],
            tightestPart: model.rows[tight].name, marginK: model.rows[tight].limitC! - y[tight])
    }

    /// The keys' powers in the solve the model was built from (the selected parts' mean).
    public var baseValuesW: [Double] {
        keys.map { k in
            let sel = model.groups.filter(k.selects)
            return sel.map(\.basePowerW).reduce(0, +) / Double(max(sel.count, 1))
        }
    }

    /// The middle of each key's range (its only value when it has one).
    public var centreValuesW: [Double] { keys.map { 0.5 * ($0.valuesW.first! + $0.valuesW.last!) } }

    /// Per key, the largest power with every margin ≥ 0, the other keys at the middle of their
    /// ranges (a key given one value stays at it).
    public func limits() -> [Limit] {
        let base = baseValuesW, centre = centreValuesW
        return keys.indices.map { k in
            var at0 = centre, at1 = centre
            at0[k] = 0
            at1[k] = 1
            let a = model.evaluate(powers(at0)), b1 = model.evaluate(powers(at1))
            var best: Double?, who: String?, worstExcess = 0.0, past: String?
            for (r, row) in model.rows.enumerated() where row.kind == .part {
                guard let lim = row.limitC else { continue }
                let slope = b1[r] - a[r]
                if a[r] > lim && slope >= -1e-12 {
                    // Past its limit at 0 W of this key, and more power will not cool it.
                    if a[r] - lim > worstExcess {
                        worstExcess = a[r] - lim
                        past = row.name
                    }
                    continue
                }
                guard slope > 1e-12 else { continue }
                let x = (lim - a[r]) / slope
                if best == nil || x < best! {
                    best = x
                    who = row.name
                }
            }
            if let past {
                return Limit(
                    key: keys[k].text, baseW: base[k], largestW: nil, limitingPart: past,
                    pastLimitAtZero: true)
            }
            return Limit(key: keys[k].text, baseW: base[k], largestW: best, limitingPart: who)
        }
    }

    /// The corners of the swept box and its centre: where full re-solves check the model.
    public var checkPoints: [[Double]] {
        guard !keys.isEmpty else { return [] }
        var out: [[Double]] = []
        for corner in 0..<(1 << keys.count) {
            out.append(keys.enumerated().map { i, k in (corner >> i) & 1 == 0 ? k.valuesW.first! : k.valuesW.last! })
        }
        out.append(centreValuesW)
        var seen = Set<[Double]>()
        return out.filter { seen.insert($0).inserted }
    }
}
