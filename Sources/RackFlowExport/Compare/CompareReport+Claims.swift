import Foundation
import RackFlowModel

/// The parts of a comparison's `report.md` that weigh the seed's design: the recommendation,
/// the claims table, the advice for parts at their limits, and what a node costs.
extension CompareReport {
    static func recommendation(_ c: Comparison) -> String {
        "## Recommendation\n\n\(c.recommendation.text)\n\n"
    }

    static func claims(_ c: Comparison) -> String {
        // None when no compared layout has a seed node type (Compare/SeedClaims.swift).
        guard !c.claims.isEmpty else { return "" }
        return MarkdownTable.section(
            "The seed's claims, checked",
            intro: "Each claim of the seed as written, the figure RackFlow computes from the part files and the "
                + "solves, what it rests on, and whether the claim holds.",
            header: "| claim (seed) | RackFlow's figure | rests on | verdict |", alignment: "|---|---|---|---|",
            rows: c.claims.map { k in
                [k.claim, k.figure, k.assumption, k.status == .holds ? "holds" : "**\(k.status.rawValue)**"]
            })
    }

    static func advice(_ c: Comparison) -> String {
        MarkdownTable.section(
            "Advice for parts at their limits",
            intro: "Each part past its limit or within \(f(c.settings.adviceWithinK, 0)) K of it. The local air speed "
                + "its compact model needs with its air as solved; the node flow (and the rack's supply, every node "
                + "scaled alike) at which its faster, cooler air brings it to its limit; and the power at which it "
                + "just fits (its compact model plus the response of its own air, flow held fixed).",
            header:
                "| layout | part | temperature °C | limit °C | air speed m/s | needs m/s | node flow L/s | needs L/s "
                + "| supply m³/s | needs m³/s | power W | fits at W |",
            alignment: "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
            rows: c.advice.map { a in
                let speed: String = a.requiredAirSpeedMPerS.map { f($0, 3) } ?? "none (air past the limit)"
                let nodeFlow: String = a.requiredNodeFlowM3PerS.map { f($0 * 1000, 1) } ?? "–"
                let supply: String = a.requiredSupplyFlowM3PerS.map { f($0, 3) } ?? "–"
                let fits: String = a.fitPowerW.isNaN ? "–" : (a.fitPowerW > 0 ? f(a.fitPowerW, 1) : "none")
                var cells: [String] = ["`\(a.layout)`", "`\(a.part)`", f(a.temperatureC, 1), f(a.limitC, 0)]
                cells += [f(a.airSpeedMPerS, 3), speed, f(a.nodeFlowM3PerS * 1000, 1), nodeFlow]
                cells += [f(a.supplyFlowM3PerS, 3), supply, f(a.powerW, 1), fits]
                return cells
            })
    }

    /// One layout's node price, part by part.
    static func cost(_ e: Comparison.Entry) -> String {
        let c = e.figures.cost
        let terms = c.items.map { i in
            i.count > 1 ? "\(i.part) \(i.count) × \(usd(i.unitUSD))" : "\(i.part) \(usd(i.unitUSD))"
        }
        return "- Node price (every priced part): " + terms.joined(separator: " + ") + " = **\(usd(c.totalUSD))**; "
            + "memory (\(f(c.memoryGB, 0)) GB, the seed's \"fuel tank\") is \(f(c.memorySharePct, 1)) % of it. The "
            + "nodes of a rack \(usd(e.figures.rackPriceUSD)), of the room \(usd(e.figures.roomPriceUSD)) "
            + "(enclosures and blowers not priced).\n"
    }
}
