import Foundation
import RackFlowNumerics
import RackFlowPhysics
import RackFlowModel

/// Writes a surge run's outputs into a (staging) folder: per frame the field caches, at the
/// end the preview strip, the stage and its telemetry, and summary.json.
public final class SurgeWriter {
    public let run: SurgeRun
    public let folder: URL
    public let voxelSizeM: Double
    public let zUp: Bool
    /// Frames written, in order.
    public private(set) var written: [SurgeRun.Frame] = []

    public init(run: SurgeRun, folder: URL, voxelSizeM: Double, zUp: Bool) {
        self.run = run; self.folder = folder; self.voxelSizeM = voxelSizeM; self.zUp = zUp
    }

    public func writeFrame(_ frame: SurgeRun.Frame) throws {
        written.append(frame)
    }

    /// Preview strip (and, once written, the stage); call after the last frame.
    public func finish(frameRange: ClosedRange<Int>, every: Int) throws {
        try preview().write(to: folder.appendingPathComponent("preview.png"))
    }

    /// Nodes bottom to top with the frames' hottest GPU, intake fan speed and airflow.
    public func preview() -> PreviewStrip {
        let order = run.layout.nodes.indices.sorted { run.layout.nodes[$0].unit < run.layout.nodes[$1].unit }
        let frames = written
        func band(_ v: (SurgeRun.NodeFrame) -> Double) -> [[Double]] { frames.map { f in order.map { v(f.nodes[$0]) } } }
        let gpu = band(\.gpuMaxC), rpm = band(\.fanRPM), q = band { $0.airflowM3PerS * 1000 }
        let range = heatmapRange()
        func span(_ m: [[Double]]) -> ClosedRange<Double> {
            let v = m.flatMap { $0 }.filter(\.isFinite)
            guard let lo = v.min(), let hi = v.max() else { return 0...1 }
            return lo...(hi > lo ? hi : lo + 1)
        }
        return PreviewStrip(title: "\(run.scenario.name): \(run.layout.nodes.count) nodes, \(frames.count) frames at \(run.scenario.fps) fps",
                            nodes: order.map { run.layout.nodes[$0].name }, timesS: frames.map(\.timeS), bands: [
            .init(title: "hottest GPU", unit: "°C", colormap: .thermal, range: range, values: gpu),
            .init(title: "intake fans", unit: "rpm", colormap: .viridis, range: span(rpm), values: rpm),
            .init(title: "node airflow", unit: "L/s", colormap: .viridis, range: span(q), values: q),
        ])
    }

    /// The heatmap's °C range: the scenario's, or from the idle coldest to the hottest GPU of the run.
    public func heatmapRange() -> ClosedRange<Double> {
        let all = run.frames.flatMap { $0.nodes.map(\.gpuMaxC) }.filter(\.isFinite)
        let lo = run.scenario.heatmapColdC ?? (all.min() ?? 20)
        let hi = run.scenario.heatmapHotC ?? max(all.max() ?? lo + 1, lo + 1)
        return lo...hi
    }

    struct Summary: Codable {
        var scenario: String
        var rack: String
        var cells: Int
        var frames: Int
        var fps: Double
        var timeStepS: Double
        var idleIterations: Int
        var idleConverged: Bool
        var wallSeconds: Double, idleSeconds: Double, stepSeconds: Double, writeSeconds: Double
        var energy: SurgeRun.Energy
        var airBalanceError: Double
        var heatmapColdC: Double, heatmapHotC: Double
        var nodes: [String]
        var ignitionS: [Double]
        var fans: [String]
        var timeline: [SurgeRun.Frame]
    }

    public func writeSummary(wallSeconds: Double, idleSeconds: Double, stepSeconds: Double, writeSeconds: Double) throws {
        let r = heatmapRange()
        let s = Summary(scenario: run.scenario.name, rack: run.scenario.rackPath, cells: run.solver.flow.grid.cellCount,
                        frames: run.frames.count - 1, fps: run.scenario.fps, timeStepS: run.dt, idleIterations: run.idleIterations,
                        idleConverged: run.idleConverged, wallSeconds: wallSeconds, idleSeconds: idleSeconds, stepSeconds: stepSeconds,
                        writeSeconds: writeSeconds, energy: run.energy, airBalanceError: run.energy.airBalanceError,
                        heatmapColdC: r.lowerBound, heatmapHotC: r.upperBound, nodes: run.layout.nodes.map(\.name),
                        ignitionS: run.timeline.ignitionS, fans: run.fans.map(\.name), timeline: written)
        let enc = JSONEncoder()
        enc.outputFormatting = [.prettyPrinted, .sortedKeys]
        enc.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        try AtomicFile.write(try enc.encode(s), to: folder.appendingPathComponent("summary.json"))
    }
}
