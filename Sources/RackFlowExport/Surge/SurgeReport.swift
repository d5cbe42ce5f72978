import Foundation
import RackFlowModel

/// A surge's `report.md` and `report.html`: what was played, how the solve went, and per node
/// the peaks of the frames written (hottest GPU, CPU, fan speed, airflow), with the preview.
enum SurgeReport {
    static func markdown(
        _ w: SurgeWriter, wallSeconds: Double, idleSeconds: Double, stepSeconds: Double,
        writeSeconds: Double
    ) -> String {
        let run = w.run, sc = run.scenario
        let frames = w.written
        func f(_ v: Double, _ d: Int) -> String { v.isFinite ? String(format: "%.\(d)f", v) : "–" }
        var r = "# RackFlow surge: \(sc.name)\n\n"
        r += "Rack `\(sc.rackPath)`, \(run.solver.flow.grid.cellCount) cells; "
        // Every file counts, frame 0 (the idle state) too: playback ranges are set from this line.
        let idle = frames.contains { $0.index == 0 }
        r +=
            "\(frames.count) frames written"
            + (idle ? " (frame 0 the idle state, then \(frames.count - 1) of the surge) " : " ")
        r += "at \(f(sc.fps / Double(w.every), 3)) fps "
        r += "(time step \(f(run.dt * 1000, 2)) ms); \(f(wallSeconds, 1)) s wall time.\n\n"
        r += "- Idle state: " + (run.idleConverged ? "converged" : "**not converged**")
        r += " in \(run.idleIterations) outer iterations, \(f(idleSeconds, 1)) s.\n"
        r += "- Time steps: \(f(stepSeconds, 1)) s; writing VDB frames and the stage: \(f(writeSeconds, 1)) s.\n"
        let e = run.energy
        r += "- Energy since the start: electrical \(f(e.electricalJ / 1000, 2)) kJ, into the air "
        r += "\(f(e.toAirJ / 1000, 2)) kJ, stored in the parts \(f(e.storedInPartsJ / 1000, 2)) kJ and in the air "
        r += "\(f(e.storedInAirJ / 1000, 2)) kJ, carried out \(f(e.carriedOutJ / 1000, 2)) kJ; "
        r += "air balance error \(String(format: "%.2e", e.airBalanceError)).\n"
        let h = w.heatmapRange()
        r += "- Node colours (hottest GPU): \(f(h.lowerBound, 1)) °C blue to \(f(h.upperBound, 1)) °C orange-red, "
        r += "the same scale in every frame.\n\n"
        if !frames.isEmpty, !run.layout.nodes.isEmpty {
            r += "## Peaks per node\n\n"
            r += "| node | hottest GPU (°C) | at (s) | CPU peak (°C) | intake fans, max (rpm) "
            r += "| airflow min–max (L/s) |\n"
            r += "|---|---:|---:|---:|---:|---:|\n"
            for (i, n) in run.layout.nodes.enumerated() {
                let gpu = frames.map { $0.nodes[i].gpuMaxC }
                let k = gpu.indices.max { gpu[$0] < gpu[$1] } ?? 0
                let q = frames.map { $0.nodes[i].airflowM3PerS * 1000 }
                r += "| \(n.name) | \(f(gpu[k], 1)) | \(f(frames[k].timeS, 2)) | "
                r += "\(f(frames.map { $0.nodes[i].cpuC }.max() ?? .nan, 1)) | "
                r += "\(f(frames.map { $0.nodes[i].fanRPM }.max() ?? .nan, 0)) | "
                r += "\(f(q.min() ?? .nan, 1))–\(f(q.max() ?? .nan, 1)) |\n"
            }
            r += "\n"
        }
        r += "## Preview\n\n![nodes bottom to top over time: hottest GPU, intake fans, airflow](preview.png)\n\n"
        r += "## Files\n\n"
        r += "- `refinery.usda` with `assets/`: the USD stage (node heatmap, fan spin and vibration, telemetry, "
        r += "the VDB volume per frame).\n"
        r += "- `vdb/fields.NNNN.vdb`: temperature, pressure, density (tracer), speed, turbulence (k), vel.\n"
        r += "- `telemetry.csv`, `fans.csv`, `summary.json`: every number per frame; `log.txt`: the run.\n"
        return r
    }
}
