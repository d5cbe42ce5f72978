import Foundation

/// The comparison's overall recommendation: one paragraph that weighs the hard limits first,
/// then the margins, then money, every number recorded with its key (`numbers`).
///
/// Description
///   Hard limits, per layout: a part past its limit, a PSU past `psuMaxLoadPct` of its rating,
///   and a capability the role requires (the seed's inference role needs the NIC's RDMA;
///   `CompareSettings.requireNIC`). The choice:
///   1. among layouts with no hard limit crossed, the one with the largest least margin of any
///      part, then the most TFLOPS per thousand dollars of GPUs, then the most TFLOPS per kW.
///      Least margins within `settings.marginTieK` of the largest count as equal: each solve stops with
///      its part temperatures settled to `SteadyRun.temperatureToleranceK` (0.05 K), so two
///      margins closer than twice that are not told apart by the solves (a layout with hotter
///      GPUs, a heavier PSU and less compute per kW was recommended on a NIC 0.03 K cooler);
///   2. else, among layouts whose only crossings are parts that the limit advice brings back by
///      airflow (`LimitAdvice.requiredSupplyFlowM3PerS`), the one whose worst part is least past
///      its limit;
///   3. else none: the paragraph says what stops each.
public struct Recommendation: Codable, Sendable {
    /// The recommended layout, nil when none qualifies.
    public var choice: String?
    public var text: String
    public var numbers: [Comparison.Number]
}

extension Comparison {
    mutating func makeRecommendation() {
        var n = PrintedNumbers()
        let (choice, why, tied) = recommendedLayout()
        var s: [String] = []
        if let c = choice, tied.count > 1 {
            // The numbers that broke the tie, each with its key.
            let names = tied.map { "`\(layouts[$0].name)`" }.joined(separator: ", ")
            let perKW = tied.map { i in
                "`\(layouts[i].name)` "
                    + n.text("layouts[\(i)].figures.compute.tflopsPerKW", layouts[i].figures.compute.tflopsPerKW, 2)
            }
            s.append(
                "**Recommendation: `\(layouts[c].name)`**: the least margins of \(names) agree within "
                    + "\(n.text("settings.marginTieK", settings.marginTieK, 1)) K, closer than the solves tell apart, "
                    + "and of those it gives the most compute per dollar of GPUs, then per kW (TFLOPS per kW: "
                    + perKW.joined(separator: ", ") + ").")
        } else if let c = choice {
            s.append("**Recommendation: `\(layouts[c].name)`**: \(why).")
        } else {
            s.append(
                "**No layout can be recommended as it stands**: each crosses a hard limit that airflow alone does "
                    + "not fix."
            )
        }
        let hard = layouts.indices.map { hardLimits(of: $0, &n) }
        s.append("Hard limits: " + hard.joined(separator: "; ") + ".")
        if let c = choice { s += fixes(for: layouts[c].name, &n) }
        // Margins, then money.
        let margins = layouts.enumerated().compactMap { i, e -> String? in
            guard let t = e.figures.thermal.tightestPart else { return nil }
            return "`\(e.name)` \(n.text("layouts[\(i)].figures.thermal.tightestPart.marginK", t.marginK, 1)) K "
                + "(`\(t.part)`)"
        }
        if !margins.isEmpty { s.append("Least margin of any part: " + margins.joined(separator: ", ") + ".") }
        let prices = layouts.enumerated().map { i, e in
            "`\(e.name)` $\(n.text("layouts[\(i)].figures.cost.totalUSD", e.figures.cost.totalUSD, 0)) per node, "
                + "\(n.text("layouts[\(i)].figures.compute.tflopsPerKUSD", e.figures.compute.tflopsPerKUSD, 2)) "
                + "TFLOPS per thousand dollars of GPUs"
        }
        s.append("Money: " + prices.joined(separator: "; ") + ".")
        recommendation = Recommendation(
            choice: choice.map { layouts[$0].name }, text: s.joined(separator: " "), numbers: n.list)
    }

    func lacksCapability(_ e: Entry) -> Bool { settings.requireNIC && e.figures.nodesWithoutNIC > 0 }
    func crossings(_ e: Entry, _ kind: String) -> [LayoutFigures.Crossing] {
        e.figures.crossings.filter { $0.kind == kind }
    }

    /// The layout the rule of the type's description picks, why in words, and the layouts tied
    /// on least margin it was picked from (empty when the margin alone decided).
    func recommendedLayout() -> (Int?, String, [Int]) {
        func clean(_ e: Entry) -> Bool {
            !lacksCapability(e) && crossings(e, "part").isEmpty && crossings(e, "psu").isEmpty
        }
        func fixable(_ e: Entry) -> Bool {
            !lacksCapability(e) && crossings(e, "psu").isEmpty && !crossings(e, "part").isEmpty
                && crossings(e, "part").allSatisfy { c in
                    advice.contains { $0.layout == e.name && $0.part == c.what && $0.requiredSupplyFlowM3PerS != nil }
                }
        }
        // A margin that is not a number (an unconverged solve) ranks last, never first.
        func margin(_ e: Entry) -> Double {
            let m = e.figures.thermal.tightestPart?.marginK ?? -.infinity
            return m.isFinite ? m : -.infinity
        }
        func finite(_ x: Double) -> Double { x.isFinite ? x : 0 }
        func rank(_ e: Entry) -> (Double, Double, Double) {
            (finite(e.figures.compute.tflopsPerKUSD), finite(e.figures.compute.tflopsPerKW), margin(e))
        }
        func worstExcess(_ e: Entry) -> Double { crossings(e, "part").map { $0.value - $0.limit }.max() ?? 0 }
        let cleanOnes = layouts.indices.filter { clean(layouts[$0]) }
        if !cleanOnes.isEmpty {
            guard cleanOnes.count > 1 else {
                return (
                    cleanOnes[0],
                    layouts.count == 1
                        ? "it is within every hard limit; it is the only layout given, so nothing was compared (name "
                            + "the base rack too to compare against it)"
                        : "it is the only layout within every hard limit", []
                )
            }
            let top = cleanOnes.map { margin(layouts[$0]) }.max() ?? -.infinity
            guard top.isFinite else {
                let best = cleanOnes.max { rank(layouts[$0]) < rank(layouts[$1]) } ?? cleanOnes[0]
                return (
                    best,
                    "no layout within every hard limit has a known least margin; it gives the most compute "
                        + "per dollar of GPUs", []
                )
            }
            let tied = cleanOnes.filter { margin(layouts[$0]) >= top - settings.marginTieK }
            let best = tied.max { rank(layouts[$0]) < rank(layouts[$1]) } ?? cleanOnes[0]
            if tied.count == 1 {
                return (best, "of the layouts within every hard limit it has the largest least margin", [])
            }
            return (best, "", tied)
        }
        let fixableOnes = layouts.indices.filter { fixable(layouts[$0]) }
        guard !fixableOnes.isEmpty else { return (nil, "", []) }
        return (
            fixableOnes.min { worstExcess(layouts[$0]) < worstExcess(layouts[$1]) },
            "no layout is within every hard limit, and its only crossings are parts that more air brings back", []
        )
    }

    /// "`name` …" with the layout's parts past their limits, its PSUs past the limit (said once
    /// when every node's is alike) and a missing capability; "`name` none" without.
    func hardLimits(of i: Int, _ n: inout PrintedNumbers) -> String {
        let e = layouts[i]
        var items: [String] = []
        let psu = e.figures.crossings.enumerated().filter { $0.element.kind == "psu" }
        let samePSU =
            psu.count == e.figures.nodes && psu.count > 1
            && Set(psu.map { "\(Self.format($0.element.value, 1)) \($0.element.condition)" }).count == 1
        for (j, c) in e.figures.crossings.enumerated() where c.kind == "part" || c.kind == "psu" {
            let base = "layouts[\(i)].figures.crossings[\(j)]"
            if c.kind == "part" {
                items.append(
                    "`\(c.what)` at \(n.text(base + ".value", c.value, 1)) °C against its "
                        + "\(n.text(base + ".limit", c.limit, 0)) °C limit")
            } else if !samePSU || j == psu[0].offset {
                let whose = samePSU ? "every node's PSU" : "`\(c.what)`'s PSU"
                items.append(
                    "\(whose) at \(n.text(base + ".value", c.value, 1)) % \(c.condition) (limit "
                        + "\(n.text(base + ".limit", c.limit, 0)) %)")
            }
        }
        if lacksCapability(e) {
            items.append(
                "no NIC in \(n.text("layouts[\(i)].figures.nodesWithoutNIC", Double(e.figures.nodesWithoutNIC), 0))"
                    + " of its \(n.text("layouts[\(i)].figures.nodes", Double(e.figures.nodes), 0)) nodes, and "
                    + "the inference role needs its RDMA")
        }
        return "`\(e.name)` " + (items.isEmpty ? "none" : items.joined(separator: ", "))
    }

    /// The advice's remedies for the parts of `layout` past their limits, a sentence each.
    func fixes(for layout: String, _ n: inout PrintedNumbers) -> [String] {
        advice.enumerated().compactMap { k, a -> String? in
            guard a.layout == layout, a.marginK < 0, let q = a.requiredSupplyFlowM3PerS else { return nil }
            var t =
                "`\(a.part)` comes within its limit with a supply of "
                + "\(n.text("advice[\(k)].requiredSupplyFlowM3PerS", q, 3)) m³/s (now "
                + "\(n.text("advice[\(k)].supplyFlowM3PerS", a.supplyFlowM3PerS, 3)))"
            if a.fitPowerW.isFinite && a.fitPowerW > 0 {
                t +=
                    ", or reaches about its limit at \(n.text("advice[\(k)].fitPowerW", a.fitPowerW, 1)) W (now "
                    + "\(n.text("advice[\(k)].powerW", a.powerW, 1)) W)"
            }
            return t + "; see the advice below."
        }
    }
}
