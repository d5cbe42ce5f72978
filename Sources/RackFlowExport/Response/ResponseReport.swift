import Foundation
import RackFlowModel

/// `report.md` of a response model (`rackflow response`): what it cost, how it matches the
/// solve, what one evaluation costs, and each part's self-heating and largest cross-effect.
public enum ResponseReport {
    public static func summaryLine(_ m: ThermalResponse, folder: String) -> String {
        let parts = m.rows.filter { $0.kind == .part }
        let worst = parts.map { abs($0.modelC - $0.solveC) }.max() ?? .nan
        return String(
            format: "response model of %@: %d parts × %d rows in %.1f s; at the solve's powers "
                + "within %.4f K of the solve → %@", m.caseName, m.groups.count, m.rows.count, m.buildSeconds,
            worst, folder)
    }

    public static func markdown(_ m: ThermalResponse, solveSeconds: Double, iterations: Int) -> String {
        let parts = m.rows.filter { $0.kind == .part }
        let outlets = m.rows.filter { $0.kind != .part }
        let worstPart = parts.max { abs($0.modelC - $0.solveC) < abs($1.modelC - $1.solveC) }
        let its = m.solveIterations.sorted()
        // Evaluation cost: many evaluations of the base powers, timed together.
        let p = m.basePowersW
        let n = 2000
        let t0 = Date()
        var sink = 0.0
        for _ in 0..<n { sink += m.evaluate(p)[0] }
        let perEval = Date().timeIntervalSince(t0) / Double(n)
        var md = "# Thermal response model: \(m.caseName)\n\n"
        md += "\(m.cells) cells; \(m.groups.count) heat sources (one per part) × \(m.rows.count) rows "
        md += "(\(parts.count) parts, \(outlets.count - 1) node outlets, the exhaust), from `\(m.input)`.\n\n"
        md += String(format: "- Steady solve: %d outer iterations, %.1f s.\n", iterations, solveSeconds)
        md += String(
            format: "- Responses: %.1f s for %d frozen-flow energy solves (BiCGSTAB iterations: median %d, "
                + "largest %d).\n", m.buildSeconds, m.solveIterations.count, its[its.count / 2], its.last ?? 0)
        md += String(
            format: "- At the solve's own powers the model gives every part within %.4f K of the solve "
                + "(largest: %@) and every outlet within %.4f K.\n",
            worstPart.map { abs($0.modelC - $0.solveC) } ?? .nan, worstPart?.name ?? "—",
            outlets.map { abs($0.modelC - $0.solveC) }.max() ?? .nan)
        md += String(
            format: "- One evaluation (all %d rows from all %d powers, one dgemv): %.2f µs%@.\n\n",
            m.rows.count, m.groups.count, 1e6 * perEval, sink.isNaN ? " (NaN rows)" : "")
        md += "The flow is frozen (buoyancy's response to power is left out) and the responses are first-order "
        md += "upwind, scaled per row to the solve's answer (`calibration` in response.json: "
        md += String(
            format: "%.3f–%.3f). ", m.rows.map(\.calibration).min() ?? .nan,
            m.rows.map(\.calibration).max() ?? .nan)
        md += "`rackflow sweep` checks the model against full re-solves at the corners and centre of what it "
        md += "sweeps.\n\n"
        md += "## Self-heating and the largest cross-effect per part\n\n"
        md += "| part | limit (°C) | solve (°C) | model (°C) | own K/W | largest other source | K/W |\n"
        md += "| --- | --- | --- | --- | --- | --- | --- |\n"
        let G = m.groups.count
        for (r, row) in m.rows.enumerated() where row.kind == .part {
            let own = m.groups.firstIndex { $0.name == row.name }
            var other = -1
            for g in 0..<G where g != own && (other < 0 || m.matrix[r * G + g] > m.matrix[r * G + other]) { other = g }
            md += "| \(row.name) | \(String(format: "%.0f", row.limitC ?? .nan)) | "
            md += String(
                format: "%.2f | %.2f | %.4f | ", row.solveC, row.modelC,
                own.map { m.matrix[r * G + $0] } ?? .nan)
            md +=
                other >= 0
                ? "\(m.groups[other].name) | \(String(format: "%.4f", m.matrix[r * G + other])) |\n" : "— | — |\n"
        }
        return md
    }
}
