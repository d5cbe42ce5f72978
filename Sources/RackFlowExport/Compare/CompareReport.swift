import Foundation
import RackFlowModel

/// `report.md` of a comparison: the recommendation and the seed's claims checked first, then
/// the per-axis verdict, the side-by-side table, the pairwise differences, the arithmetic behind
/// every derived figure, the limits with advice, and the pictures. Every number in the
/// recommendation, the claims and the verdict is recorded with its key in `comparison.json`.
public enum CompareReport {
    static func f(_ v: Double, _ d: Int) -> String { Comparison.format(v, d) }
    static func usd(_ v: Double) -> String { "$" + f(v, 0) }

    public static func markdown(_ c: Comparison, pictures: [ComparePicture]) -> String {
        var r = "# RackFlow comparison: \(c.names.joined(separator: " vs "))\n\n"
        r += recommendation(c)
        r += claims(c)
        r += "## Verdict\n\n\(c.verdict.text)\n\n"
        r += layouts(c)
        r += sideBySide(c)
        r += differences(c)
        r += "## The arithmetic\n\n"
        for e in c.layouts { r += arithmetic(e, c.settings) }
        r += seedSaving(c)
        r += limits(c)
        r += advice(c)
        r += picturesAndFiles(c, pictures)
        return r
    }

    /// ## Layouts: what each is, how it was solved, the grids.
    static func layouts(_ c: Comparison) -> String {
        var r = ""
        r += "## Layouts\n\n"
        for e in c.layouts {
            let s = e.summary
            r +=
                "- `\(e.name)`: \(e.figures.origin); \(e.figures.nodes) nodes "
                + "(\(e.figures.nodeTypes.joined(separator: ", "))); "
            r +=
                s.converged
                ? "converged in \(s.iterations) iterations" : "**not converged** after \(s.iterations) iterations"
            r += String(format: ", %.0f s in the solver.\n", s.solveSeconds)
        }
        r +=
            "\nSame grid settings and solver settings for all (largest spacing "
            + "\(f(c.grid.maxSpacingSettingM * 1000, 1)) mm); each grid has lines at its own parts' edges: "
            + c.layouts.map {
                "`\($0.name)` \($0.summary.grid.cells) cells (\($0.summary.grid.nx) × \($0.summary.grid.ny) × "
                    + "\($0.summary.grid.nz))"
            }.joined(separator: ", ") + ". "
        r += "Room = \(c.settings.racksPerRoom) racks (seed). "
        r +=
            c.warmStart && c.names.count > 1
            ? "Solved `\(c.names[0])` alone, then the others from its answer, \(c.jobs) at a time; "
            : "Solved \(c.jobs) at a time; "
        r += "\(f(c.wallSeconds, 0)) s in all.\n\n"
        return r
    }

    /// ## Side by side: every figure of every layout.
    static func sideBySide(_ c: Comparison) -> String {
        var r = ""
        let trees = c.layouts.map(Comparison.tree)
        r +=
            "## Side by side\n\n| quantity | unit | " + c.names.map { "`\($0)`" }.joined(separator: " | ")
            + " |\n|---|---|" + String(repeating: "---:|", count: c.names.count) + "\n"
        var section = ""
        for row in Comparison.rows {
            if row.section != section {
                section = row.section
                r += "| **\(section)** | |" + String(repeating: " |", count: c.names.count) + "\n"
            }
            let cells = trees.map { t in Comparison.value(t, row.key).map { f($0 * row.scale, row.decimals) } ?? "–" }
            r += "| \(row.label) | \(row.unit) | " + cells.joined(separator: " | ") + " |\n"
            if row.key == "figures.thermal.hottestGPU.temperatureC" {
                r +=
                    "| hottest GPU is | | "
                    + c.layouts.map { e in
                        e.figures.thermal.hottestGPU.map { "`\($0.part)` (slot \($0.slot.map(String.init) ?? "?"))" }
                            ?? "–"
                    }.joined(separator: " | ") + " |\n"
            }
            if row.key == "figures.thermal.nodeFlowMinM3PerS" {
                r +=
                    "| least-fed node | | "
                    + c.layouts.map { "`\($0.figures.thermal.leastFedNode)`" }.joined(separator: " | ") + " |\n"
            }
        }
        r += "\n"
        return r
    }

    /// ## Differences, pair by pair (B − A).
    static func differences(_ c: Comparison) -> String {
        var r = ""
        if !c.pairs.isEmpty {
            r += "## Differences, pair by pair (B − A)\n\n"
            for p in c.pairs {
                r +=
                    "### `\(p.b)` − `\(p.a)`\n\n| quantity | unit | A `\(p.a)` | B `\(p.b)` | B − A | change "
                    + "|\n|---|---|---:|---:|---:|---:|\n"
                for d in p.differences {
                    let row = Comparison.rows.first { $0.key == d.key }!
                    r +=
                        "| \(d.quantity) | \(d.unit) | \(f(d.a * row.scale, row.decimals)) | "
                        + "\(f(d.b * row.scale, row.decimals)) | \(f(d.difference * row.scale, row.decimals)) | "
                        + "\(d.relativePct.isFinite ? f(d.relativePct, 1) + " %" : "–") |\n"
                }
                r += "\n"
            }
        }
        return r
    }

    /// ## The seed's saving claim, recomputed (when the layouts are the seed's cards).
    static func seedSaving(_ c: Comparison) -> String {
        guard let s = c.seedClaim else { return "" }
        var r = ""
        r += "## The seed's saving claim, recomputed\n\n"
        r +=
            "The seed says 3 × \(s.cheapModel) instead of 3 × \(s.dearModel) saves ~$9,900 per node and over "
            + "$1.58 M across 160 nodes / 480 GPUs. From the part files' prices:\n\n"
        r +=
            "- \(s.cheapModel): \(f(s.cheapTFLOPS, 1)) TFLOPS at \(usd(s.cheapPriceUSD)) = 1000 × "
            + "\(f(s.cheapTFLOPS, 1)) / \(f(s.cheapPriceUSD, 0)) = **\(f(s.cheapTflopsPerKUSD, 2)) TFLOPS per "
            + "$1,000**.\n"
        r +=
            "- \(s.dearModel): \(f(s.dearTFLOPS, 1)) TFLOPS at \(usd(s.dearPriceUSD)) = 1000 × "
            + "\(f(s.dearTFLOPS, 1)) / \(f(s.dearPriceUSD, 0)) = **\(f(s.dearTflopsPerKUSD, 2)) TFLOPS per "
            + "$1,000**.\n"
        r +=
            "- Saving per GPU \(usd(s.dearPriceUSD)) − \(usd(s.cheapPriceUSD)) = \(usd(s.savingPerGPUUSD)); per "
            + "node \(s.gpusPerNode) × \(usd(s.savingPerGPUUSD)) = **\(usd(s.savingPerNodeUSD))**; "
        r +=
            "for \(s.nodes) nodes (\(s.gpus) GPUs) \(s.gpus) × \(usd(s.savingPerGPUUSD)) = "
            + "**\(usd(s.savingRoomUSD))**.\n"
        r += "- The claim \(s.claimHolds ? "holds" : "does **not** hold") (~$9,900 per node, over $1.58 M in all). "
        r +=
            "The dearer card also buys \(f(s.dearTFLOPS - s.cheapTFLOPS, 1)) TFLOPS more per GPU "
            + "(\(f(Double(s.gpus) * (s.dearTFLOPS - s.cheapTFLOPS), 0)) TFLOPS over the room).\n\n"
        return r
    }

    /// ## Limits: the crossings of each layout.
    static func limits(_ c: Comparison) -> String {
        var r = ""
        r += "## Limits\n\n"
        r +=
            "Crossings: a part past its limit; a PSU above \(f(c.settings.psuMaxLoadPct, 0)) % of its rating at "
            + "nominal load or with the CPU at peak; a node whose flow cannot carry its heat at a "
            + "\(f(c.settings.maxRiseK, 0)) K rise (*assumed* limit, `--max-rise`).\n\n"
        for e in c.layouts {
            r +=
                "- `\(e.name)`: "
                + (e.figures.crossings.isEmpty
                    ? "none.\n" : e.figures.crossings.map(\.text).joined(separator: "; ") + ".\n")
        }
        r += "\n"
        return r
    }

    /// ## Pictures (same planes and colour ranges for every layout) and ## Files.
    static func picturesAndFiles(_ c: Comparison, _ pictures: [ComparePicture]) -> String {
        var r = ""
        if !pictures.isEmpty {
            r +=
                "## Pictures\n\nEvery layout on the same planes (those of `\(c.names[0])`) and the same colour range "
                + "per quantity; the differences are each layout minus `\(c.names[0])`, sampled at the cells of "
                + "`\(c.names[0])` (red: warmer). Grey: solid parts; black lines: walls; dashed: perforated sheets; "
                + "red: fans.\n\n"
            var planes: [String] = []
            for p in pictures where !planes.contains(p.plane) { planes.append(p.plane) }
            for plane in planes {
                r += "### \(plane)\n\n"
                for q in ["temperature", "temperature difference", "speed"] {
                    for p in pictures where p.plane == plane && p.quantity == q {
                        r += "![\(p.caption)](slices/\(p.file))\n\n"
                    }
                }
            }
        }
        r +=
            "## Files\n\n- `comparison.json`: every figure above (per layout the full solve summary as `rackflow "
            + "solve` writes it, and the derived figures; per pair the differences; the seed's node types, its claims "
            + "checked, the advice, the recommendation and the verdict, each with the key of every number it "
            + "prints).\n- `slices/*.png`: the pictures.\n- `log.txt`: the solves' logs.\n"
        return r
    }

    /// One layout's arithmetic, term by term.
    static func arithmetic(_ e: Comparison.Entry, _ s: CompareSettings) -> String {
        let p = e.figures.power.node, t = e.figures.thermal, m = e.figures.compute
        var r = "### `\(e.name)`\n\n"
        let terms =
            "board \(f(p.boardW, 0)) + memory \(p.memoryModules) × \(f(p.memoryModuleW, 0)) + CPU %@ + GPUs "
            + "\(p.gpus) × \(f(p.gpuW, 0)) + NIC \(f(p.nicW, 0)) + fans \(f(p.fansW, 0))"
        r +=
            "- DC load (node `\(p.node)`, `\(p.type)`): " + String(format: terms, f(p.cpuW, 0))
            + " = **\(f(p.dcNominalW, 0)) W** nominal; with the CPU at peak: " + String(format: terms, f(p.cpuPeakW, 0))
            + " = **\(f(p.dcPeakW, 0)) W**.\n"
        r +=
            "- PSU losses = DC × (1/η − 1) = \(f(p.dcNominalW, 0)) × (1/\(p.efficiency) − 1) = "
            + "\(f(p.psuLossNominalW, 1)) W (peak \(f(p.psuLossPeakW, 1)) W); from the wall DC / η = "
            + "\(f(p.wallNominalW, 1)) W (peak \(f(p.wallPeakW, 1)) W). "
        r +=
            "Heat released in the node (what the solver carries away; fans' power is not released by the compiler) = "
            + "parts / η = \(f(p.heatW, 1)) W.\n"
        r +=
            "- PSU load = \(f(p.dcNominalW, 0)) / \(f(p.psuRatedW, 0)) = \(f(p.psuLoadNominalPct, 1)) % (headroom "
            + "\(f(p.psuHeadroomNominalW, 0)) W); with the CPU at peak \(f(p.dcPeakW, 0)) / \(f(p.psuRatedW, 0)) = "
            + "\(f(p.psuLoadPeakPct, 1)) % (headroom \(f(p.psuHeadroomPeakW, 0)) W).\n"
        r +=
            "- Rack: the sum over its \(e.figures.nodes) nodes = \(f(e.figures.power.rackWallNominalKW, 2)) kW from "
            + "the wall (peak \(f(e.figures.power.rackWallPeakKW, 2)) kW); room: \(s.racksPerRoom) × that = "
            + "\(f(e.figures.power.roomWallNominalKW, 1)) kW (peak \(f(e.figures.power.roomWallPeakKW, 1)) kW).\n"
        r +=
            "- Flow needed per node at a \(f(t.maxRiseK, 0)) K rise = P / (ρ c_p ΔT) = \(f(p.heatW, 1)) / (ρ c_p × "
            + "\(f(t.maxRiseK, 0))) = \(f(t.requiredNodeFlowM3PerS * 1000, 1)) L/s; the solve gives "
            + "\(f(t.nodeFlowMinM3PerS * 1000, 1))–\(f(t.nodeFlowMaxM3PerS * 1000, 1)) L/s (spread (max − min) / mean "
            + "= \(f(t.flowSpreadPct, 1)) %).\n"
        if let g = t.hottestGPU {
            r +=
                "- Hottest GPU `\(g.part)` (slot \(g.slot.map(String.init) ?? "?")): \(f(g.temperatureC, 1)) °C; "
                + "margin = \(f(g.limitC, 0)) − \(f(g.temperatureC, 1)) = \(f(g.marginK, 1)) K."
        }
        if let c = t.hottestCPU {
            r += " Hottest CPU `\(c.part)`: \(f(c.temperatureC, 1)) °C, margin \(f(c.marginK, 1)) K."
        }
        r += " Blower pressure \(f(t.blowerPressurePa, 1)) Pa for \(f(t.inletFlowM3PerS * 1000, 0)) L/s.\n"
        r +=
            "- Compute: \(m.gpusPerRack) GPUs per rack × \(f(m.fp32TFLOPSPerGPU, 1)) = \(f(m.fp32TFLOPSPerRack, 1)) "
            + "TFLOPS (room: \(m.gpusPerRoom) GPUs, \(f(m.fp32TFLOPSPerRoom, 1)) TFLOPS). "
        r +=
            "GPU cost per rack \(m.gpusPerRack) × \(usd(m.gpuPriceUSD)) = \(usd(m.gpuCostPerRackUSD)) (node "
            + "\(usd(m.gpuCostPerNodeUSD)), room \(usd(m.gpuCostPerRoomUSD))); "
        r +=
            "TFLOPS per $1,000 = 1000 × \(f(m.fp32TFLOPSPerRack, 1)) / \(f(m.gpuCostPerRackUSD, 0)) = "
            + "\(f(m.tflopsPerKUSD, 2)); per kW = \(f(m.fp32TFLOPSPerRack, 1)) / "
            + "\(f(e.figures.power.rackWallNominalKW, 2)) = \(f(m.tflopsPerKW, 2)).\n"
        r += cost(e) + "\n"
        return r
    }
}
