import Foundation
import RackFlowPhysics

/// A full re-solve at one point of a sweep, against the response model there.
///
/// The case is solved again with the point's part powers, started from the model's own
/// solution (warm: only what the powers change has to settle), and every part and node outlet
/// is read as `solve` reads them, the compact models at the re-solved local speeds. The
/// difference is what the frozen flow and the per-row calibration of upwind advection leave
/// out.
public struct SweepCheck: Sendable {
    public var valuesW: [Double]
    public var iterations: Int
    public var seconds: Double
    public var converged: Bool
    /// Largest |model − re-solve| over the parts, K, and where.
    public var maxErrorK: Double
    public var worstPart: String
    /// Largest |model − re-solve| over the node outlets, K.
    public var maxOutletErrorK: Double

    public static func run(
        _ c: CaseFile, layout: RackLayout, sweep: PowerSweep, valuesW: [Double],
        start: (source: String, state: SolverState),
        log: (String) -> Void = { _ in }
    ) throws -> SweepCheck {
        let t0 = Date()
        let powers = sweep.powers(valuesW)
        let run = try SteadyRun.run(
            c, log: log, start: start,
            prepare: { solver, report in
                let shares = layout.heatShares(report: report, heatW: solver.flow.heatW)
                solver.updateHeat { h in
                    for i in h.indices { h[i] = 0 }
                    for (g, cells) in shares.enumerated() { for (cell, w) in cells { h[cell] += powers[g] * w } }
                }
            })
        let reader = ResponseRows(layout: layout, report: run.report, genericCase: run.genericCase)
        var solved = reader.air(run.solver, linear: false)
        for (g, part) in layout.parts.enumerated() {
            let v = run.solver.meanSpeed(cells: run.report.boxCells[part.regionBox] ?? [])
            solved[g] += powers[g] * part.compactKPerW(speedMPerS: v)
        }
        let model = sweep.model.evaluate(powers)
        var worst = 0.0, worstPart = "", outlet = 0.0
        for (r, row) in sweep.model.rows.enumerated() {
            let e = abs(model[r] - solved[r])
            switch row.kind {
            case .part where e > worst || worstPart.isEmpty:
                worst = e
                worstPart = row.name
            case .nodeOutlet: outlet = max(outlet, e)
            default: break
            }
        }
        return SweepCheck(
            valuesW: valuesW, iterations: run.summary.iterations,
            seconds: Date().timeIntervalSince(t0), converged: run.summary.converged,
            maxErrorK: worst, worstPart: worstPart, maxOutletErrorK: outlet)
    }
}
