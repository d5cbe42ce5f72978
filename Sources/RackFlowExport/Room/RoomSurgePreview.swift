import Foundation
import RackFlowModel

/// Description
///   The pictures of a room surge that people look at first:
///   - `preview.png`, the room's plan view at 8 moments of the surge (4 × 2 panels, idle first,
///     the last frame last), each rack coloured by its hottest GPU on the stage's heat-map scale
///     and one flow scale, so that the cascade reads as racks turning from blue to orange-red in turn;
///   - `timeline.png`, the hottest rack exhaust, the hottest GPU and each cable tray's hottest
///     probe, frame by frame.
///
/// Usage
///   | function   | gives                                                        |
///   | ---        | ---                                                          |
///   | moments    | the frame indices of the 8 panels (evenly spaced, both ends) |
///   | preview    | the sheet of plan views                                      |
///   | timeline   | the chart                                                    |
public enum RoomSurgePreview {
    /// `count` indices spread evenly over 0..<frames, first and last included (fewer if there
    /// are fewer frames).
    public static func moments(count: Int = 8, frames: Int) -> [Int] {
        guard frames > 1 else { return [0] }
        let n = min(count, frames)
        return (0..<n).map { Int((Double($0) * Double(frames - 1) / Double(n - 1)).rounded()) }
    }

    /// Each rack coloured by its hottest GPU on `heatmap` (the stage's scale for the whole room:
    /// supply air to GPU limit). Not the exhaust: as the blowers ramp with the load the exhaust
    /// may even cool while the parts heat up, and a picture of the surge must show the heat.
    public static func preview(
        spec: RoomSpec, scenario: String, records: [RoomSurge.FrameRecord], rackFrames: [[SurgeRun.Frame]],
        heatmap: StageRecording.Heatmap
    ) -> PNGImage {
        let maxQ = records.flatMap { $0.racks.map(\.flowM3PerS) }.max() ?? 1
        let panels = moments(frames: records.count).map { f -> PNGImage in
            let rec = records[f]
            let racks = spec.racks.indices.map { k in
                RoomWriter.PlanRack(
                    name: spec.racks[k].name, exhaustC: hottestGPU(rackFrames[k], frame: f),
                    flowM3PerS: rec.racks[k].flowM3PerS)
            }
            let when = f == 0 ? "idle" : String(format: "t = %.2f s (frame %d)", rec.timeS, rec.index)
            return RoomWriter.plan(
                title: when, spec: spec, racks: racks, rangeC: (heatmap.minC, heatmap.maxC), maxFlowM3PerS: maxQ,
                fitWidthPx: 520, quantity: "hottest GPU of the rack")
        }
        let columns = min(4, panels.count), rows = (panels.count + columns - 1) / columns
        let pw = panels.map(\.width).max()!, ph = panels.map(\.height).max()!
        let header = 30
        var sheet = PNGImage(width: columns * pw, height: header + rows * ph)
        sheet.drawText(
            "\(spec.name), surge \(scenario): hottest GPU per rack (colour) and inlet flow (bars) at "
                + "\(panels.count) moments",
            x: 12, y: 10, color: .ink)
        for (i, p) in panels.enumerated() { sheet.place(p, x: (i % columns) * pw, y: header + (i / columns) * ph) }
        return sheet
    }

    /// `rackFrames[k]`: rack k's frames (0 = idle), as the records.
    public static func timeline(
        spec: RoomSpec, scenario: String, records: [RoomSurge.FrameRecord], rackFrames: [[SurgeRun.Frame]],
        trays: [[TrayProbes.Tray]]
    ) -> PNGImage {
        let n = records.count
        let exhaust = records.map { $0.racks.map(\.exhaustC).filter(\.isFinite).max() ?? .nan }
        let gpu = (0..<n).map { f in rackFrames.map { hottestGPU($0, frame: f) }.filter(\.isFinite).max() ?? .nan }
        var series = [
            LineChart.Series(name: "hottest GPU", colour: LineChart.palette[1], values: gpu),
            LineChart.Series(name: "hottest rack exhaust", colour: LineChart.palette[0], values: exhaust),
        ]
        for (i, t) in spec.trays.enumerated() {
            let values = (0..<n).map { f in trays.count > f && trays[f].count > i ? trays[f][i].maxTemperatureC : .nan }
            series.append(
                .init(
                    name: "tray \(t.name)", colour: LineChart.palette[(2 + i) % LineChart.palette.count],
                    values: values))
        }
        return LineChart(
            title: "\(spec.name), surge \(scenario): temperatures over time", unit: "°C",
            timesS: records.map(\.timeS), series: series
        )
        .render()
    }

    /// The hottest GPU of one rack's frame `f`, °C (NaN without GPUs or without that frame).
    static func hottestGPU(_ frames: [SurgeRun.Frame], frame f: Int) -> Double {
        guard f < frames.count else { return .nan }
        return frames[f].nodes.map(\.gpuMaxC).filter(\.isFinite).max() ?? .nan
    }
}
