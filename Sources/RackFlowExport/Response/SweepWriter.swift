import Foundation
import RackFlowModel

/// What `rackflow sweep` writes: `sweep.csv` (every point), `report.md` and `report.html`
/// (the largest power per key, the corners and centre, the checks against full re-solves)
/// and, with two or more keys, `margin-map.png`: the least margin over the first two keys (any
/// further key at its first value),
/// red where some part is past its limit, the limit (margin 0) drawn as a black line.
public enum SweepWriter {
    public static func write(
        _ sweep: PowerSweep, checks: [SweepCheck], checkNote: String?, modelFolder: String,
        to dir: URL
    ) throws {
        try AtomicFile.write(csv(sweep), to: dir.appendingPathComponent("sweep.csv"))
        var image: String?
        if sweep.keys.count >= 2 {
            try marginMap(sweep).render().write(to: dir.appendingPathComponent("margin-map.png"))
            image = "margin-map.png"
        }
        let md = markdown(sweep, checks: checks, checkNote: checkNote, modelFolder: modelFolder, image: image)
        try AtomicFile.write(md, to: dir.appendingPathComponent("report.md"))
        let html = ReportHTML.html(markdown: md, title: "Power sweep: \(sweep.model.caseName)", folder: dir)
        try AtomicFile.write(html, to: dir.appendingPathComponent("report.html"))
    }

    static func csv(_ sweep: PowerSweep) -> String {
        // Node lists in a key are comma-separated; in a CSV header they are joined with "+".
        var out = sweep.keys.map { $0.text.replacingOccurrences(of: ",", with: "+") + "PowerW" }.joined(separator: ",")
        out += ",hottestPart,hottestC,tightestPart,marginK,feasible\n"
        for p in sweep.points {
            out += p.valuesW.map { String(format: "%.6g", $0) }.joined(separator: ",")
            out += String(
                format: ",%@,%.4f,%@,%.4f,%@\n", p.hottestPart, p.hottestC, p.tightestPart, p.marginK,
                p.feasible ? "true" : "false")
        }
        return out
    }

    static func markdown(
        _ sweep: PowerSweep, checks: [SweepCheck], checkNote: String?, modelFolder: String,
        image: String?
    ) -> String {
        let m = sweep.model
        let feasible = sweep.points.filter(\.feasible).count
        var md = "# Power sweep: \(m.caseName)\n\n"
        md += "\(sweep.points.count) points from the thermal response model in `\(modelFolder)` "
        md += "(\(m.cells) cells, \(m.groups.count) parts, flow frozen at the solve of `\(m.input)`), "
        md += String(
            format: "evaluated in %.1f ms (%.2f µs per point). ", 1e3 * sweep.evaluationSeconds,
            1e6 * sweep.evaluationSeconds / Double(max(sweep.points.count, 1)))
        md += "**\(feasible) of \(sweep.points.count)** have every part within its limit.\n\n"
        md += "Powers are per part (one GPU card, one CPU, one memory bank); unvaried parts keep the solve's "
        md += "powers and PSU losses follow each node's DC load.\n\n"

        md += "## Largest power per key\n\nEach key alone, the other keys at the middle of their ranges and "
        md += "everything else at the solve's powers; exact for the model (every temperature is linear in each "
        md += "key's power).\n\n"
        md += "| key | in the solve (W) | largest with every margin ≥ 0 (W) | limiting part |\n"
        md += "| --- | --- | --- | --- |\n"
        for l in sweep.limits() {
            md += "| `\(l.key)` | \(String(format: "%.1f", l.baseW)) | \(limitText(l)) | \(l.limitingPart ?? "—") |\n"
        }

        md += "\n## Corners and centre\n\n"
        md += "| " + sweep.keys.map { "`\($0.text)` (W)" }.joined(separator: " | ")
        md += " | hottest part | °C | least margin | K |\n"
        md += "|" + String(repeating: " --- |", count: sweep.keys.count + 4) + "\n"
        for values in sweep.checkPoints {
            let p = sweep.point(values)
            md += "| " + values.map { String(format: "%.1f", $0) }.joined(separator: " | ")
            md += String(format: " | %@ | %.1f | %@ | %.1f |\n", p.hottestPart, p.hottestC, p.tightestPart, p.marginK)
        }
        if let image {
            md += "\n## Margin map\n\nLeast margin of any part (K) over the first two keys"
            if sweep.keys.count > 2 { md += " (further keys at their first value)" }
            md += "; "
            md += "red past a limit, the black line where the least margin is 0.\n\n![margin map](\(image))\n"
        }

        md += "\n## The model against full re-solves\n\n"
        if let checkNote { md += checkNote + "\n" }
        if !checks.isEmpty {
            md += "Each point solved again in full (buoyancy, limiter and all), from the model's solution; "
            md += "the model's error there, over every part and node outlet:\n\n"
            md += "| " + sweep.keys.map { "`\($0.text)` (W)" }.joined(separator: " | ")
            md += " | outer iterations | s | parts: largest error (K) | at | outlets (K) |\n"
            md += "|" + String(repeating: " --- |", count: sweep.keys.count + 5) + "\n"
            for c in checks {
                md += "| " + c.valuesW.map { String(format: "%.1f", $0) }.joined(separator: " | ")
                md += String(
                    format: " | %d%@ | %.0f | %.3f | %@ | %.3f |\n", c.iterations,
                    c.converged ? "" : " (not converged)", c.seconds, c.maxErrorK, c.worstPart,
                    c.maxOutletErrorK)
            }
            let worst = checks.map(\.maxErrorK).max() ?? 0
            if worst > 1 {
                md += String(format: "\n**The model is off by up to %.2f K here**: ", worst)
                md += "the flow responds to these powers. "
                md += "Trust the re-solves above, and solve points that matter in full with `rackflow solve`.\n"
            } else {
                md += String(format: "\nLargest error %.3f K: within 1 K, the model holds over this box.\n", worst)
            }
        }
        return md
    }

    /// A key's largest power in words.
    public static func limitText(_ l: PowerSweep.Limit) -> String {
        if l.pastLimitAtZero { return "none: \(l.limitingPart ?? "a part") is past its limit even at 0 W of this key" }
        guard let x = l.largestW else { return "no limit: no part heats with it" }
        return String(format: "%.1f", x)
    }

    /// The least margin over the first two keys: a heatmap with the margin-0 contour.
    static func marginMap(_ sweep: PowerSweep) -> SlicePlot {
        let k0 = sweep.keys[0], k1 = sweep.keys[1]
        let nu = k0.valuesW.count, nv = k1.valuesW.count
        var values = [Double](repeating: .nan, count: nu * nv)
        // First key fastest; further keys at their first value.
        for (i, p) in sweep.points.prefix(nu * nv).enumerated() { values[i] = p.marginK }
        let finite = values.filter(\.isFinite)
        let lo = min(finite.min() ?? -1, -1e-6), hi = max(finite.max() ?? 1, 1e-6)
        let zero = (0 - lo) / (hi - lo)
        let stops: [Colormap.Stop] = [
            .init(0, RGBA(165, 20, 25)), .init(max(zero - 1e-9, 0), RGBA(245, 160, 140)),
            .init(min(zero + 1e-9, 1), RGBA(235, 245, 220)), .init(1, RGBA(25, 110, 60)),
        ]
        var plot = SlicePlot(
            uEdges: edges(k0.valuesW), vEdges: edges(k1.valuesW), values: values,
            title: "Least margin of any part, \(sweep.model.caseName)", quantity: "margin (K)",
            uName: "\(k0.text) power per part (W)", vName: "\(k1.text) power per part (W)",
            colormap: Colormap(name: "margin", stops: stops), range: lo...hi)
        plot.square = true
        plot.longSide = 640
        var segments: [SliceSegment] = []
        let ue = plot.uEdges, ve = plot.vEdges
        for iv in 0..<nv {
            for iu in 0..<nu {
                let m = values[iu + nu * iv]
                if iu + 1 < nu, (m >= 0) != (values[iu + 1 + nu * iv] >= 0) {
                    segments.append(
                        SliceSegment(
                            from: (ue[iu + 1], ve[iv]), to: (ue[iu + 1], ve[iv + 1]),
                            style: .wall))
                }
                if iv + 1 < nv, (m >= 0) != (values[iu + nu * (iv + 1)] >= 0) {
                    segments.append(
                        SliceSegment(
                            from: (ue[iu], ve[iv + 1]), to: (ue[iu + 1], ve[iv + 1]),
                            style: .wall))
                }
            }
        }
        plot.segments = segments
        return plot
    }

    /// Cell edges around sample values: midpoints, and half a step beyond each end.
    static func edges(_ v: [Double]) -> [Double] {
        guard v.count > 1 else { return [v[0] - 0.5, v[0] + 0.5] }
        var e = [v[0] - 0.5 * (v[1] - v[0])]
        for i in 0..<(v.count - 1) { e.append(0.5 * (v[i] + v[i + 1])) }
        e.append(v[v.count - 1] + 0.5 * (v[v.count - 1] - v[v.count - 2]))
        return e
    }
}
