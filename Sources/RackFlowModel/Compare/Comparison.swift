import Foundation

/// Everything `rackflow compare` reports, as data (written as `comparison.json`): per layout the
/// solve's summary and the derived figures, per pair the differences, the seed's claims checked
/// (`claims`, from the seed's node types in `seedNodes`), advice for parts at or past their
/// limits, the overall recommendation and the per-axis verdict. Every text is built only from
/// numbers recorded in its `numbers`, each pointing at the value it was printed from.
public struct Comparison: Codable, Sendable {
    public struct Entry: Codable, Sendable {
        public var name: String
        public var summary: SolveSummary
        public var figures: LayoutFigures
    }
    public struct Difference: Codable, Sendable {
        public var quantity: String
        public var unit: String
        /// Key path of the value under an entry (`figures.power.heatPerNodeW`).
        public var key: String
        public var a: Double
        public var b: Double
        /// b − a, and as a percentage of |a|.
        public var difference: Double
        public var relativePct: Double
    }
    public struct Pair: Codable, Sendable {
        public var a: String
        public var b: String
        public var differences: [Difference]
    }
    /// The seed's claim that 3 × RTX PRO 4500 instead of 3 × RTX PRO 5000 saves ~$9,900 per node
    /// and over $1.58 M for 160 nodes / 480 GPUs, recomputed from the part files' prices.
    public struct SeedClaim: Codable, Sendable {
        public var cheapModel: String, dearModel: String
        public var cheapPriceUSD: Double, dearPriceUSD: Double
        public var cheapTFLOPS: Double, dearTFLOPS: Double
        public var cheapTflopsPerKUSD: Double, dearTflopsPerKUSD: Double
        public var gpusPerNode: Int, nodes: Int, gpus: Int
        public var savingPerGPUUSD: Double, savingPerNodeUSD: Double, savingRoomUSD: Double
        /// What the seed says (its text), for the check.
        public var claimedPerNodeUSD: Double, claimedRoomUSD: Double
        public var claimHolds: Bool
    }
    public struct Axis: Codable, Sendable {
        public var axis: String
        public var quantity: String
        public var unit: String
        public var key: String
        public var decimals: Int
        public var higherIsBetter: Bool
        public var values: [Double]
        /// nil when the best two print the same.
        public var winner: String?
        public var runnerUp: String?
        public var byAmount: Double
    }
    /// A number printed in the verdict: `text` = value at `key` (from the document root) × `scale`, to `decimals`.
    public struct Number: Codable, Sendable, Equatable {
        public var key: String
        public var value: Double
        public var scale: Double
        public var decimals: Int
        public var text: String
    }
    public struct Verdict: Codable, Sendable {
        public var axes: [Axis]
        public var text: String
        public var numbers: [Number]
    }
    public struct GridInfo: Codable, Sendable {
        public var cells: Int
        public var nx: Int, ny: Int, nz: Int
        public var maxSpacingSettingM: Double
    }

    public var names: [String]
    public var layouts: [Entry]
    public var pairs: [Pair]
    public var seedClaim: SeedClaim?
    /// The seed's node types (power and price from their part files) and its claims, checked.
    public var seedNodes: [SeedNode]
    public var claims: [Claim] = []
    /// For each part past its limit or within `settings.adviceWithinK` of it.
    public var advice: [LimitAdvice]
    public var recommendation = Recommendation(choice: nil, text: "", numbers: [])
    public var settings: CompareSettings
    public var grid: GridInfo
    public var verdict: Verdict
    public var jobs: Int = 1
    /// The first layout was solved alone and the others started from its answer.
    public var warmStart = false
    public var wallSeconds: Double = 0
    public var converged: Bool

    /// A row of the side-by-side table: label, unit, key under an entry, display scale and decimals.
    public struct Row: Sendable {
        public var section: String
        public var label: String
        public var unit: String
        public var key: String
        public var scale: Double
        public var decimals: Int
    }

    public static let rows: [Row] = {
        var r: [Row] = []
        func add(_ s: String, _ l: String, _ u: String, _ k: String, _ d: Int, scale: Double = 1) {
            r.append(Row(section: s, label: l, unit: u, key: "figures." + k, scale: scale, decimals: d))
        }
        add("Power", "GPUs per node", "", "compute.gpusPerNode", 0)
        add("Power", "heat per node (parts + PSU losses)", "W", "power.heatPerNodeW", 1)
        add("Power", "DC load per node, nominal", "W", "power.node.dcNominalW", 0)
        add("Power", "DC load per node, CPU at peak", "W", "power.node.dcPeakW", 0)
        add("Power", "PSU losses per node, nominal", "W", "power.node.psuLossNominalW", 1)
        add("Power", "PSU losses per node, CPU at peak", "W", "power.node.psuLossPeakW", 1)
        add("Power", "PSU load, nominal", "%", "power.node.psuLoadNominalPct", 1)
        add("Power", "PSU load, CPU at peak", "%", "power.node.psuLoadPeakPct", 1)
        add("Power", "PSU headroom, nominal", "W", "power.node.psuHeadroomNominalW", 0)
        add("Power", "PSU headroom, CPU at peak", "W", "power.node.psuHeadroomPeakW", 0)
        add("Power", "rack wall power, nominal", "kW", "power.rackWallNominalKW", 2)
        add("Power", "rack wall power, CPU at peak", "kW", "power.rackWallPeakKW", 2)
        add("Power", "room wall power, nominal", "kW", "power.roomWallNominalKW", 1)
        add("Power", "room wall power, CPU at peak", "kW", "power.roomWallPeakKW", 1)
        add("Thermal", "node airflow, least-fed", "L/s", "thermal.nodeFlowMinM3PerS", 1, scale: 1000)
        add("Thermal", "node airflow, mean", "L/s", "thermal.nodeFlowMeanM3PerS", 1, scale: 1000)
        add("Thermal", "node airflow, best-fed", "L/s", "thermal.nodeFlowMaxM3PerS", 1, scale: 1000)
        add("Thermal", "flow spread among nodes (max − min) / mean", "%", "thermal.flowSpreadPct", 1)
        add(
            "Thermal", "flow needed per node at the rise limit", "L/s", "thermal.requiredNodeFlowM3PerS", 1, scale: 1000
        )
        add("Thermal", "largest node exhaust rise", "K", "thermal.exhaustRiseMaxK", 1)
        add("Thermal", "rack exhaust rise", "K", "thermal.rackExhaustRiseK", 1)
        add("Thermal", "hottest GPU", "°C", "thermal.hottestGPU.temperatureC", 1)
        add("Thermal", "hottest GPU's margin", "K", "thermal.hottestGPU.marginK", 1)
        add("Thermal", "hottest CPU", "°C", "thermal.hottestCPU.temperatureC", 1)
        add("Thermal", "hottest CPU's margin", "K", "thermal.hottestCPU.marginK", 1)
        add("Thermal", "least margin of any part", "K", "thermal.tightestPart.marginK", 1)
        add("Thermal", "blower pressure (plenum above exhaust)", "Pa", "thermal.blowerPressurePa", 1)
        add("Compute and money", "GPUs per rack", "", "compute.gpusPerRack", 0)
        add("Compute and money", "GPUs per room", "", "compute.gpusPerRoom", 0)
        add("Compute and money", "FP32 TFLOPS per GPU", "TFLOPS", "compute.fp32TFLOPSPerGPU", 1)
        add("Compute and money", "FP32 TFLOPS per node", "TFLOPS", "compute.fp32TFLOPSPerNode", 1)
        add("Compute and money", "FP32 TFLOPS per rack", "TFLOPS", "compute.fp32TFLOPSPerRack", 1)
        add("Compute and money", "FP32 TFLOPS per room", "TFLOPS", "compute.fp32TFLOPSPerRoom", 1)
        add("Compute and money", "GPU price", "USD", "compute.gpuPriceUSD", 0)
        add("Compute and money", "GPU cost per node", "USD", "compute.gpuCostPerNodeUSD", 0)
        add("Compute and money", "GPU cost per rack", "USD", "compute.gpuCostPerRackUSD", 0)
        add("Compute and money", "GPU cost per room", "USD", "compute.gpuCostPerRoomUSD", 0)
        add("Compute and money", "NIC cost per node", "USD", "compute.nicCostPerNodeUSD", 0)
        add("Compute and money", "node price (every priced part)", "USD", "cost.totalUSD", 0)
        add("Compute and money", "memory's share of the node price", "%", "cost.memorySharePct", 1)
        add("Compute and money", "its nodes per rack (no enclosure, no blowers)", "USD", "rackPriceUSD", 0)
        add("Compute and money", "its nodes per room", "USD", "roomPriceUSD", 0)
        add("Compute and money", "FP32 TFLOPS per $1,000 of GPUs", "TFLOPS/k$", "compute.tflopsPerKUSD", 2)
        add("Compute and money", "FP32 TFLOPS per kW from the wall (nominal)", "TFLOPS/kW", "compute.tflopsPerKW", 2)
        return r
    }()

    /// The verdict's axes: (axis, quantity, unit, key under an entry, decimals, higher is better).
    static let axes: [(String, String, String, String, Int, Bool)] = [
        ("Thermal", "the hottest GPU's margin to its limit", "K", "figures.thermal.hottestGPU.marginK", 1, true),
        ("Electrical", "PSU load with the CPU at peak", "%", "figures.power.node.psuLoadPeakPct", 1, false),
        ("Airflow", "blower pressure for the rack's airflow", "Pa", "figures.thermal.blowerPressurePa", 1, false),
        ("Compute", "single-precision TFLOPS per rack", "TFLOPS", "figures.compute.fp32TFLOPSPerRack", 1, true),
        (
            "Money", "single-precision TFLOPS per thousand dollars of GPUs", "TFLOPS/k$",
            "figures.compute.tflopsPerKUSD", 2, true
        ),
        ("Energy", "single-precision TFLOPS per kW from the wall", "TFLOPS/kW", "figures.compute.tflopsPerKW", 2, true),
    ]

    public init(
        layouts ls: [CompareLayout], summaries: [SolveSummary], settings: CompareSettings,
        seedNodes: [SeedNode] = [], advice: [LimitAdvice] = []
    ) {
        precondition(ls.count == summaries.count && !ls.isEmpty)
        self.settings = settings
        self.seedNodes = seedNodes
        self.advice = advice
        names = ls.map(\.name)
        layouts = zip(ls, summaries).map {
            Entry(name: $0.name, summary: $1, figures: LayoutFigures(layout: $0, summary: $1, settings: settings))
        }
        converged = summaries.allSatisfy(\.converged)
        let g = summaries[0].grid
        grid = GridInfo(cells: g.cells, nx: g.nx, ny: g.ny, nz: g.nz, maxSpacingSettingM: g.maxSpacingSettingM)
        var ps: [Pair] = []
        for i in 0..<layouts.count {
            for j in (i + 1)..<layouts.count where j > i {
                let (a, b) = (layouts[i], layouts[j])
                let ja = Self.tree(a), jb = Self.tree(b)
                let d = Self.rows.compactMap { r -> Difference? in
                    guard let x = Self.value(ja, r.key), let y = Self.value(jb, r.key) else { return nil }
                    return Difference(
                        quantity: r.label, unit: r.unit, key: r.key, a: x, b: y, difference: y - x,
                        relativePct: x != 0 ? 100 * (y - x) / abs(x) : .nan)
                }
                ps.append(Pair(a: a.name, b: b.name, differences: d))
            }
        }
        pairs = ps
        if Self.anySeedNodeType(layouts, seedNodes), let (c, d) = SeedNodes.savingPair(seedNodes) {
            let n = 3, nodes = 160 // seed: 3 GPUs per node, 16 racks × 10 nodes = 160 nodes / 480 GPUs
            let per = d.gpuPriceUSD - c.gpuPriceUSD
            seedClaim = SeedClaim(
                cheapModel: c.gpuModel, dearModel: d.gpuModel, cheapPriceUSD: c.gpuPriceUSD,
                dearPriceUSD: d.gpuPriceUSD, cheapTFLOPS: c.gpuFP32TFLOPS, dearTFLOPS: d.gpuFP32TFLOPS,
                cheapTflopsPerKUSD: 1000 * c.gpuFP32TFLOPS / c.gpuPriceUSD,
                dearTflopsPerKUSD: 1000 * d.gpuFP32TFLOPS / d.gpuPriceUSD,
                gpusPerNode: n, nodes: nodes, gpus: n * nodes, savingPerGPUUSD: per,
                savingPerNodeUSD: Double(n) * per, savingRoomUSD: Double(n * nodes) * per,
                claimedPerNodeUSD: 9900, claimedRoomUSD: 1_580_000,
                claimHolds: abs(Double(n) * per - 9900) <= 0.05 * 9900 && Double(n * nodes) * per > 1_580_000)
        }
        verdict = Verdict(axes: [], text: "", numbers: [])
        makeVerdict()
        makeClaims()
        makeRecommendation()
    }

    // MARK: - Values by key

    /// An entry as a JSON tree, so rows and verdict numbers are read by the same key paths the file has.
    public static func tree(_ e: Entry) -> Any {
        (try? JSONSerialization.jsonObject(with: JSONCoding.encoder().encode(e))) ?? [:]
    }

    /// The number at a dotted key path (`figures.power.node.dcPeakW`, `crossings[0].value`), if present and finite.
    public static func value(_ tree: Any, _ key: String) -> Double? {
        var cur: Any? = tree
        for part in key.split(separator: ".") {
            var name = Substring(part)
            var index: Int? = nil
            if let b = part.firstIndex(of: "["), part.hasSuffix("]") {
                name = part[..<b]
                index = Int(part[part.index(after: b)..<part.index(before: part.endIndex)])
            }
            if !name.isEmpty { cur = (cur as? [String: Any])?[String(name)] }
            if let index {
                guard let a = cur as? [Any], index < a.count else { return nil }
                cur = a[index]
            }
        }
        if let n = cur as? NSNumber {
            let v = n.doubleValue
            return v.isFinite ? v : nil
        }
        return nil
    }

    /// Fixed decimals, ASCII minus, no "-0".
    public static func format(_ v: Double, _ decimals: Int) -> String {
        guard v.isFinite else { return "–" }
        let t = String(format: "%.\(decimals)f", v)
        return t.hasPrefix("-") && !t.contains(where: { "123456789".contains($0) }) ? String(t.dropFirst()) : t
    }

    // MARK: - Verdict

    /// The verdict's limits sentence: every crossing of every layout, or that there is none.
    /// Its numbers go into `numbers` in the order they are printed, the thresholds first.
    func limitsSentence(_ numbers: inout PrintedNumbers) -> String {
        func num(_ key: String, _ v: Double, _ d: Int, scale: Double = 1) -> String {
            numbers.text(key, v, d, scale: scale)
        }
        // Limits (the thresholds first: numbers are recorded in the order they are printed).
        let thresholds = (
            psu: num("settings.psuMaxLoadPct", settings.psuMaxLoadPct, 0),
            rise: num("settings.maxRiseK", settings.maxRiseK, 0)
        )
        var lim: [String] = []
        for (i, e) in layouts.enumerated() {
            for (j, c) in e.figures.crossings.enumerated() {
                let base = "layouts[\(i)].figures.crossings[\(j)]"
                switch c.kind {
                case "part":
                    lim.append(
                        "\(code(e.name)): \(code(c.what)) at \(num(base + ".value", c.value, 1)) °C is past its "
                            + "\(num(base + ".limit", c.limit, 0)) °C limit"
                    )
                case "psu":
                    lim.append(
                        "\(code(e.name)): \(code(c.what))'s PSU at \(num(base + ".value", c.value, 1)) % \(c.condition)"
                    )
                default:
                    lim.append(
                        "\(code(e.name)): \(code(c.what)) gets \(num(base + ".value", c.value, 1, scale: 1000)) L/s, "
                            + "below the \(num(base + ".limit", c.limit, 1, scale: 1000)) L/s that carries its heat "
                            + "at the rise limit"
                    )
                }
            }
        }
        if lim.isEmpty {
            return
                "**Limits**: no layout crosses one — no part past its limit, no PSU above \(thresholds.psu) % even "
                + "with the CPU at peak, every node above the flow that carries its heat at a \(thresholds.rise) "
                + "K rise."
        }
        return "**Limits crossed** (PSU limit \(thresholds.psu) %, rise limit \(thresholds.rise) K): "
            + lim.joined(separator: "; ") + "."
    }

    mutating func makeVerdict() {
        var numbers = PrintedNumbers()
        let trees = layouts.map(Self.tree)
        func num(_ key: String, _ v: Double, _ d: Int, scale: Double = 1) -> String {
            numbers.text(key, v, d, scale: scale)
        }
        var axes: [Axis] = []
        var sentences: [String] = []
        let list = names.map(code).joined(separator: ", ")
        sentences.append(
            "Verdict for \(list), each solved with the same grid and solver settings (table below; B − A differences "
                + "pair by pair after it)."
        )
        for (axis, quantity, unit, key, d, higher) in Self.axes {
            let vals = trees.map { Self.value($0, key) ?? .nan }
            guard vals.allSatisfy(\.isFinite) else { continue }
            let order = vals.indices.sorted { higher ? vals[$0] > vals[$1] : vals[$0] < vals[$1] }
            var ax = Axis(
                axis: axis, quantity: quantity, unit: unit, key: key, decimals: d, higherIsBetter: higher,
                values: vals, winner: nil, runnerUp: nil, byAmount: 0)
            let parts = vals.indices.map { i in "\(code(names[i])) \(num("layouts[\(i)].\(key)", vals[i], d)) \(unit)" }
            var s =
                "**\(axis)** (\(quantity), \(higher ? "higher" : "lower") is better): " + parts.joined(separator: ", ")
            if order.count >= 2 {
                let w = order[0], r = order[1]
                let (pi, sign) = pairIndex(w, r)
                let diffKey = pairs[pi].differences.firstIndex { $0.key == key }
                if Self.format(vals[w], d) == Self.format(vals[r], d) || diffKey == nil {
                    s += "; \(code(names[w])) and \(code(names[r])) tie for best."
                } else {
                    ax.winner = names[w]
                    ax.runnerUp = names[r]
                    ax.byAmount = abs(vals[w] - vals[r])
                    let dk = "pairs[\(pi)].differences[\(diffKey!)].difference"
                    s +=
                        "; \(code(names[w])) wins by "
                        + "\(num(dk, pairs[pi].differences[diffKey!].difference, d, scale: sign * (higher ? 1 : -1))) "
                        + "\(unit == "%" ? "percentage points" : unit)"
                    s += layouts.count > 2 ? " over \(code(names[r]))." : "."
                }
            } else {
                s += "."
            }
            axes.append(ax)
            sentences.append(s)
        }
        sentences.append(limitsSentence(&numbers))
        if !converged { sentences.append("**Not every solve converged**: read the thermal figures as provisional.") }
        verdict = Verdict(axes: axes, text: sentences.joined(separator: " "), numbers: numbers.list)
    }

    /// The pair holding layouts i and j, and the sign turning its b − a into i − j.
    func pairIndex(_ i: Int, _ j: Int) -> (Int, Double) {
        let (a, b) = (names[min(i, j)], names[max(i, j)])
        let k = pairs.firstIndex { $0.a == a && $0.b == b }!
        return (k, i > j ? 1 : -1)
    }
}

/// A name as Markdown code.
private func code(_ s: String) -> String { "`\(s)`" }
