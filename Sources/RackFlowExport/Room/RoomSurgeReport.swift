import Foundation
import RackFlowModel

/// A room surge's own report: `report.md` with the coupling per frame, the racks at idle, at
/// the end and at their hottest, every node's hottest GPU and CPU over the run, the cascade
/// (when each rack and its nodes ignite) and the cable trays; `preview.png` and `timeline.png`
/// (`RoomSurgePreview`); `plan-idle.png` and `plan-final.png`, the plan view at frame 0 and at
/// the last frame on one colour scale and one flow scale (the room going from blue to orange-red).
public enum RoomSurgeReport {
    /// One rack's nodes over the run, for summary.json: the hottest GPU and CPU (°C) each
    /// node reached, at which frame, and its airflow and exhaust at the last frame.
    public struct NodePeak: Codable, Sendable {
        public var node: String
        public var gpuMaxC: Double, gpuFrame: Int
        public var cpuMaxC: Double, cpuFrame: Int
        public var finalAirflowM3PerS: Double, finalExhaustC: Double
    }
    public struct RackPeak: Codable, Sendable {
        public var rack: String
        public var idleFlowM3PerS: Double, finalFlowM3PerS: Double
        public var idleExhaustC: Double, finalExhaustC: Double
        public var peakExhaustC: Double, peakExhaustFrame: Int
        public var nodes: [NodePeak]
    }

    /// Per rack (spec order) and node: idle, final and peak values. `rackFrames[k]` are rack
    /// k's frames (0 = idle), `nodeNames[k]` its node names.
    public static func peaks(
        spec: RoomSpec, records: [RoomSurge.FrameRecord], rackFrames: [[SurgeRun.Frame]], nodeNames: [[String]]
    ) -> [RackPeak] {
        spec.racks.indices.map { k in
            let frames = rackFrames[k]
            let ex = records.map { $0.racks[k].exhaustC }
            let peak = ex.indices.max { ex[$0] < ex[$1] } ?? 0
            let nodes = nodeNames[k].indices.map { n -> NodePeak in
                let g = frames.map { $0.nodes[n].gpuMaxC }, c = frames.map { $0.nodes[n].cpuC }
                let gi = g.indices.max { !(g[$0] >= g[$1]) } ?? 0, ci = c.indices.max { !(c[$0] >= c[$1]) } ?? 0
                let last = frames.last!.nodes[n]
                return NodePeak(
                    node: nodeNames[k][n], gpuMaxC: g[gi], gpuFrame: frames[gi].index, cpuMaxC: c[ci],
                    cpuFrame: frames[ci].index,
                    finalAirflowM3PerS: last.airflowM3PerS, finalExhaustC: last.exhaustC)
            }
            return RackPeak(
                rack: spec.racks[k].name, idleFlowM3PerS: records.first!.racks[k].flowM3PerS,
                finalFlowM3PerS: records.last!.racks[k].flowM3PerS,
                idleExhaustC: ex.first!, finalExhaustC: ex.last!, peakExhaustC: ex[peak],
                peakExhaustFrame: records[peak].index, nodes: nodes)
        }
    }

    /// Writes `plan-idle.png`, `plan-final.png`, `report.md` and `report.html` into `dir`.
    public static func write(
        spec: RoomSpec, scenario: String, fps: Double, records: [RoomSurge.FrameRecord], peaks: [RackPeak],
        rackFrames: [[SurgeRun.Frame]], ignitions: [RoomSurgeTelemetry.RackIgnition], heatmap: StageRecording.Heatmap,
        trays: [[TrayProbes.Tray]], ranks: Int, wallSeconds: Double, roomAir: String? = nil, to dir: URL
    ) throws {
        try RoomSurgePreview.preview(
            spec: spec, scenario: scenario, records: records, rackFrames: rackFrames, heatmap: heatmap
        )
        .write(to: dir.appendingPathComponent("preview.png"))
        try RoomSurgePreview.timeline(
            spec: spec, scenario: scenario, records: records, rackFrames: rackFrames, trays: trays
        )
        .write(to: dir.appendingPathComponent("timeline.png"))
        let all = records.flatMap { $0.racks.map(\.exhaustC) }.filter(\.isFinite)
        let range = (all.min() ?? 0, all.max() ?? 1)
        let maxQ = records.flatMap { $0.racks.map(\.flowM3PerS) }.max() ?? 1
        for (file, rec, what) in [
            ("plan-idle.png", records.first!, "idle"),
            (
                "plan-final.png", records.last!,
                String(format: "frame %d, t = %.2f s", records.last!.index, records.last!.timeS)
            ),
        ] {
            let racks = spec.racks.indices.map {
                RoomWriter.PlanRack(
                    name: spec.racks[$0].name, exhaustC: rec.racks[$0].exhaustC, flowM3PerS: rec.racks[$0].flowM3PerS)
            }
            try RoomWriter.plan(
                title: "\(spec.name), \(scenario): \(what)", spec: spec, racks: racks, rangeC: range,
                maxFlowM3PerS: maxQ
            )
            .write(to: dir.appendingPathComponent(file))
        }
        let md = markdown(
            spec: spec, scenario: scenario, fps: fps, records: records, peaks: peaks, ignitions: ignitions,
            trays: trays, ranks: ranks, wallSeconds: wallSeconds, roomAir: roomAir)
        try AtomicFile.write(md, to: dir.appendingPathComponent("report.md"))
        try AtomicFile.write(
            ReportHTML.html(
                markdown: md, title: "RackFlow room surge: \(spec.name), \(scenario)",
                folder: dir), to: dir.appendingPathComponent("report.html"))
    }

    public static func markdown(
        spec: RoomSpec, scenario: String, fps: Double, records: [RoomSurge.FrameRecord], peaks: [RackPeak],
        ignitions: [RoomSurgeTelemetry.RackIgnition] = [], trays: [[TrayProbes.Tray]], ranks: Int, wallSeconds: Double,
        roomAir: String? = nil
    ) -> String {
        let frames = records.dropFirst()
        let steps = frames.map(\.couplingIterations)
        let hottest = peaks.max { $0.peakExhaustC < $1.peakExhaustC }
        let gpu = peaks.flatMap { p in p.nodes.map { (p.rack, $0) } }.max { !($0.1.gpuMaxC >= $1.1.gpuMaxC) }
        var md = "# Room \(spec.name), surge \(scenario)\n\n"
        md +=
            "\(spec.racks.count) racks, \(frames.count) frames at \(f(fps, 0)) fps "
            + "(\(f(Double(frames.count) / fps, 2)) s), \(ranks) rank(s), \(f(wallSeconds, 1)) s wall. "
        if let h = hottest {
            md += "Hottest exhaust: \(h.rack) at \(f(h.peakExhaustC)) °C (frame \(h.peakExhaustFrame)); "
        }
        if let g = gpu {
            md += "hottest GPU: \(g.0)/\(g.1.node) at \(f(g.1.gpuMaxC, 1)) °C (frame \(g.1.gpuFrame)).\n\n"
        } else {
            md += "\n\n"
        }
        md += "Plenum coupling iterated at every frame to \(spec.couplingTolerance) of the mean rack flow: "
        md +=
            "\(steps.isEmpty ? 0 : steps.reduce(0, +)) steps for \(steps.count) frames (mean "
            + "\(f(Double(steps.reduce(0, +)) / Double(max(steps.count, 1)))), most \(steps.max() ?? 0)); "
        md +=
            "largest flow residual \(e(records.map(\.flowResidual).max() ?? 0)), largest pressure residual "
            + "\(String(format: "%.2g", records.map(\.pressureResidualPa).max() ?? 0)) Pa, "
        md += "mass \(e(records.map(\.massConservationError).max() ?? 0)) relative"
        let unconverged = records.filter { !$0.couplingConverged }.map { String($0.index) }
        md +=
            unconverged.isEmpty
            ? ".\n\n"
            : "; **not converged at frame(s) \(unconverged.joined(separator: ", "))** (coupling.maxIterations).\n\n"
        md += "![the room's plan at 8 moments of the surge](preview.png)\n\n"
        md += "![temperatures over time](timeline.png)\n\n"
        md += "| idle | last frame |\n| --- | --- |\n| ![idle](plan-idle.png) | ![final](plan-final.png) |\n\n"
        md +=
            "The preview colours each rack by its hottest GPU on the stage's heat-map scale; the idle and last "
            + "plans colour it by its exhaust, both on one scale "
            + "(\(f(records.flatMap { $0.racks.map(\.exhaustC) }.min() ?? .nan)) to "
            + "\(f(records.flatMap { $0.racks.map(\.exhaustC) }.max() ?? .nan)) °C) and one flow scale.\n\n"
        md += cascade(ignitions, frameTimesS: records.map(\.timeS))
        if let r = roomAir { md += "## Room air\n\n" + r + "\n\n" }
        md += rackTable(peaks)
        md += frameTable(records, spec: spec)
        md += trayList(spec, trays)
        return md
    }

    /// ## Racks: each rack's flow and exhaust from idle to the last frame, and its peaks.
    static func rackTable(_ peaks: [RackPeak]) -> String {
        var md = ""
        md +=
            "## Racks\n\n| rack | flow idle → last (L/s) | exhaust idle → last (°C) | hottest exhaust (°C, frame) | "
            + "hottest GPU (°C, node, frame) | hottest CPU (°C, node, frame) |\n| --- | ---: | ---: | ---: | ---: | "
            + "---: |\n"
        for p in peaks {
            let g = p.nodes.max { !($0.gpuMaxC >= $1.gpuMaxC) }, c = p.nodes.max { !($0.cpuMaxC >= $1.cpuMaxC) }
            md +=
                "| \(p.rack) | \(f(1000 * p.idleFlowM3PerS, 1)) → \(f(1000 * p.finalFlowM3PerS, 1)) | "
                + "\(f(p.idleExhaustC)) → \(f(p.finalExhaustC)) | \(f(p.peakExhaustC)) (\(p.peakExhaustFrame)) "
            md +=
                "| \(g.map { "\(f($0.gpuMaxC, 1)) (\($0.node), \($0.gpuFrame))" } ?? "–") | "
                + "\(c.map { "\(f($0.cpuMaxC, 1)) (\($0.node), \($0.cpuFrame))" } ?? "–") |\n"
        }
        md +=
            "\nEvery node's peaks and last-frame airflow are in `summary.json` (`racks[].nodes`), every frame's node "
            + "telemetry on the stage.\n"
        return md
    }

    /// ## Frames: one row per frame (blowers, plenum, coupling, hottest exhaust).
    static func frameTable(_ records: [RoomSurge.FrameRecord], spec: RoomSpec) -> String {
        var md = ""
        md +=
            "\n## Frames\n\n| frame | t (s) | blowers (fraction, L/s) | plenum (Pa) | coupling steps | flow residual "
            + "| pressure residual (Pa) | hottest exhaust (°C, rack) |\n| ---: | ---: | ---: | ---: | ---: | ---: | "
            + "---: | ---: |\n"
        for r in records {
            let k = r.racks.indices.max { r.racks[$0].exhaustC < r.racks[$1].exhaustC } ?? 0
            md +=
                "| \(r.index) | \(f(r.timeS, 3)) | \(f(r.blowerFraction)), \(f(1000 * r.blowerFlowM3PerS, 1)) | "
                + "\(f(r.plenumPressurePa)) | \(r.couplingIterations)\(r.couplingConverged ? "" : " (not converged)") "
                + "| \(e(r.flowResidual)) | \(String(format: "%.2g", r.pressureResidualPa)) | "
                + "\(f(r.racks[k].exhaustC)) (\(spec.racks[k].name)) |\n"
        }
        return md
    }

    /// ## Cable trays: each tray's hottest air, fastest air and largest vibration over the run.
    static func trayList(_ spec: RoomSpec, _ trays: [[TrayProbes.Tray]]) -> String {
        var md = ""
        if !spec.trays.isEmpty, !trays.isEmpty {
            md += "\n## Cable trays\n\n"
            for (i, t) in spec.trays.enumerated() {
                let series = trays.compactMap { $0.count > i ? $0[i] : nil }
                let tMax = series.map(\.maxTemperatureC).max() ?? .nan, vMax = series.map(\.maxSpeedMPerS).max() ?? .nan
                let amp = series.map(\.vibrationAmplitudeM).max() ?? 0
                md +=
                    "- \(t.name): air up to \(f(tMax)) °C and \(f(vMax)) m/s over the run, vibration up to "
                    + "\(f(1000 * amp, 3)) mm (`tray-probes.csv`, `/Room/CableTrays` on the stage)\n"
            }
        }
        return md
    }

    /// "## Cascade": when each rack starts and when its first and last nodes ignite, in start
    /// order (racks that never start last).
    /// The frame of an ignition is the first frame whose time is past it (the first to show any
    /// load: the ramp is 0 at the ignition itself), read from the frames' own times rather than
    /// t × fps, which rounds either way at whole frames.
    static func cascade(_ ignitions: [RoomSurgeTelemetry.RackIgnition], frameTimesS: [Double]) -> String {
        guard !ignitions.isEmpty else { return "" }
        func t(_ v: Double?) -> String { v.map { String(format: "%.2f", $0) } ?? "never" }
        func frame(_ v: Double?) -> String {
            guard let v else { return "–" }
            return frameTimesS.firstIndex { $0 > v + 1e-9 }.map(String.init) ?? "after the run"
        }
        let order = ignitions.indices.sorted {
            (ignitions[$0].startS ?? .infinity, $0) < (ignitions[$1].startS ?? .infinity, $1)
        }
        var md = "## Cascade\n\n| rack | starts (s) | first node ignites (s, first frame with its load) | "
        md += "last node ignites (s, first frame with its load) |\n| --- | ---: | ---: | ---: |\n"
        for k in order {
            let g = ignitions[k]
            let times = g.ignitionS.compactMap { $0 }
            let first = times.min(), last = times.max()
            md += "| \(g.rack) | \(t(g.startS)) | \(t(first)) (\(frame(first))) | \(t(last)) (\(frame(last))) |\n"
        }
        return md + "\n"
    }
}

/// A number to `d` decimals for the report (`ReportWriter.f`).
private func f(_ v: Double, _ d: Int = 2) -> String { ReportWriter.f(v, d) }

/// A residual in scientific notation, 1 decimal.
private func e(_ v: Double) -> String { String(format: "%.1e", v) }
