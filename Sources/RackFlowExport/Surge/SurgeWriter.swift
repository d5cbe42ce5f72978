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
        self.run = run
        self.folder = folder
        self.voxelSizeM = voxelSizeM
        self.zUp = zUp
    }

    var lattice: VDBLattice?
    /// Seconds and bytes spent on the VDB caches.
    public private(set) var vdbSeconds = 0.0, vdbBytes = 0

    /// A resumed run: frames whose VDB file is already in the folder (written before the stop,
    /// each complete since every write is atomic) are kept as they are, not written again.
    public var keepExisting = false
    /// Frames kept that way.
    public private(set) var kept = 0

    /// A resumed run: the frames written before the checkpoint (the stage and telemetry are
    /// written from them at the end).
    public func restore(written frames: [SurgeRun.Frame]) { written = frames }

    /// Writes `vdb/fields.NNNN.vdb` of the solver's present state (the frame just reached).
    public func writeFrame(_ frame: SurgeRun.Frame) throws {
        let t0 = Date()
        if keepExisting,
            FileManager.default.fileExists(atPath: folder.appendingPathComponent(vdbPath(outputNumber(frame))).path)
        {
            kept += 1
            written.append(frame)
            return
        }
        if lattice == nil {
            lattice = try VDBLattice(flow: run.solver.flow, voxelSizeM: voxelSizeM, upAxis: zUp ? .z : .y)
            try FileManager.default.createDirectory(
                at: folder.appendingPathComponent("vdb"), withIntermediateDirectories: true)
        }
        let smoke = [Double](UnsafeBufferPointer(start: run.smoke.p, count: run.smoke.count))
        let f = VDBFrame(
            solver: run.solver, density: smoke, turbulence: run.solver.turbulence().kineticEnergy,
            turbulenceKind: .kineticEnergy, temperatureBackgroundC: run.solver.flow.initialTemperatureC)
        let r = try VDBWriter.write(
            f, lattice: lattice!, to: folder.appendingPathComponent(vdbPath(outputNumber(frame))),
            metadata: [
                "frame": "\(outputNumber(frame))", "time_s": String(format: "%.6f", frame.timeS),
                "rack": run.caseFile.genericCase.name, "scenario": run.scenario.name,
            ])
        vdbBytes += r.bytes
        vdbSeconds += Date().timeIntervalSince(t0)
        written.append(frame)
    }

    /// Output frame number of a run frame: frames are renumbered when only every k-th is written.
    public var every = 1
    public func outputNumber(_ frame: SurgeRun.Frame) -> Int { frame.index / every }
    public func vdbPath(_ number: Int) -> String { String(format: "vdb/fields.%04d.vdb", number) }

    /// Preview strip, the USD stage with its assets, telemetry.csv and fans.csv; call after the last frame.
    @discardableResult
    public func finish() throws -> USDWriteReport {
        try preview().write(to: folder.appendingPathComponent("preview.png"))
        return try USDStageWriter(try recording()).write(to: folder)
    }

    /// The run as the stage writer sees it: node assets from the compiled geometry (boxes and
    /// fan planes of the first node of each type, in its chassis frame), each node's telemetry
    /// and fan speeds per written frame, and the VDB file of each frame.
    public func recording() throws -> StageRecording {
        let gc = run.caseFile.genericCase, layout = run.layout
        let frames = written
        let nodes = layout.nodes.enumerated().map { (i, n) -> StageRecording.Node in
            func ch(_ v: (SurgeRun.NodeFrame) -> Double) -> [Double] { frames.map { v($0.nodes[i]) } }
            let fanIdx = run.fans.indices.filter { run.fans[$0].node == i }
            return .init(
                name: n.name, type: n.type,
                chassis: .init(min: SIMD3(n.lo.0, n.lo.1, n.lo.2), max: SIMD3(n.hi.0, n.hi.1, n.hi.2)),
                telemetry: [
                    StageRecording.Channel.utilisation: ch(\.utilisation), StageRecording.Channel.powerW: ch(\.powerW),
                    StageRecording.Channel.gpuMaxC: ch(\.gpuMaxC), StageRecording.Channel.cpuC: ch(\.cpuC),
                    StageRecording.Channel.fanRPM: ch(\.fanRPM),
                    StageRecording.Channel.airflowM3PerS: ch(\.airflowM3PerS),
                    StageRecording.Channel.exhaustC: ch(\.exhaustC),
                ],
                fanRPM: fanIdx.map { fi in frames.map { $0.fanRPM[fi] } })
        }
        let first = frames.first.map(outputNumber) ?? 0, last = frames.last.map(outputNumber) ?? 0
        let rack = StageRecording.Rack(
            name: run.layout.nodes.isEmpty ? "rack" : run.caseFile.genericCase.name, nodes: nodes,
            vdbFiles: frames.map { vdbPath(outputNumber($0)) },
            fieldBounds: .init(min: .zero, max: SIMD3(gc.size.0, gc.size.1, gc.size.2)))
        let h = heatmapRange()
        let axis: StageRecording.UpAxis = zUp ? .z : .y
        return StageRecording(
            fps: run.scenario.fps / Double(every), firstFrame: first, lastFrame: last,
            firstFrameTimeS: frames.first?.timeS ?? 0,
            upAxis: axis, vdbUpAxis: axis, doc: "RackFlow surge \(run.scenario.name) on \(run.scenario.rackPath)",
            nodeAssets: StageAssets.nodeAssets(genericCase: gc, layout: layout),
            racks: [rack], heatmap: .init(minC: h.lowerBound, maxC: h.upperBound))
    }

    /// Nodes bottom to top with the frames' hottest GPU, intake fan speed and airflow.
    public func preview() -> PreviewStrip {
        let order = run.layout.nodes.indices.sorted { run.layout.nodes[$0].unit < run.layout.nodes[$1].unit }
        let frames = written
        func band(_ v: (SurgeRun.NodeFrame) -> Double) -> [[Double]] {
            frames.map { f in order.map { v(f.nodes[$0]) } }
        }
        let gpu = band(\.gpuMaxC), rpm = band(\.fanRPM), q = band { $0.airflowM3PerS * 1000 }
        let range = heatmapRange()
        func span(_ m: [[Double]]) -> ClosedRange<Double> {
            let v = m.flatMap { $0 }.filter(\.isFinite)
            guard let lo = v.min(), let hi = v.max() else { return 0...1 }
            // Equal bounds mark a constant signal (drawn mid-scale, labelled constant).
            return lo...hi
        }
        let fps = String(format: "%g", run.scenario.fps / Double(every))
        let title = "\(run.scenario.name): \(run.layout.nodes.count) nodes, \(frames.count) frames at \(fps) fps"
        return PreviewStrip(
            title: title,
            nodes: order.map { run.layout.nodes[$0].name }, timesS: frames.map(\.timeS),
            bands: [
                .init(title: "hottest GPU", unit: "°C", colormap: .thermal, range: range, values: gpu),
                .init(title: "intake fans", unit: "rpm", colormap: .viridis, range: span(rpm), values: rpm),
                .init(title: "node airflow", unit: "L/s", colormap: .viridis, range: span(q), values: q),
            ])
    }

    /// The heatmap's °C range: the scenario's, or from the idle coldest to the hottest GPU of the run.
    /// The node heatmap's colour range, °C: the scenario's, else the fixed scale from the
    /// supply air to the lowest GPU limit, else (`auto`) the run's own range.
    public func heatmapRange() -> ClosedRange<Double> {
        let all = run.frames.flatMap { $0.nodes.map(\.gpuMaxC) }.filter(\.isFinite)
        let sc = run.scenario
        let supplyC = run.caseFile.genericCase.patches.lazy.compactMap { $0.patch.kind.supplyTemperatureC }.first
        let gpuLimitC = run.layout.parts.filter { $0.kind == "gpu" }.map(\.limitC).min()
        let lo = sc.heatmapColdC ?? (sc.heatmapAutoCold ? all.min() : supplyC) ?? all.min() ?? 20
        let hi = sc.heatmapHotC ?? (sc.heatmapAutoHot ? all.max() : gpuLimitC) ?? all.max() ?? lo + 1
        return lo...max(hi, lo + 1)
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

    public func writeSummary(wallSeconds: Double, idleSeconds: Double, stepSeconds: Double, writeSeconds: Double) throws
    {
        let r = heatmapRange()
        let s = Summary(
            scenario: run.scenario.name, rack: run.scenario.rackPath, cells: run.solver.flow.grid.cellCount,
            frames: run.frames.count - 1, fps: run.scenario.fps, timeStepS: run.dt, idleIterations: run.idleIterations,
            idleConverged: run.idleConverged, wallSeconds: wallSeconds, idleSeconds: idleSeconds,
            stepSeconds: stepSeconds,
            writeSeconds: writeSeconds, energy: run.energy, airBalanceError: run.energy.airBalanceError,
            heatmapColdC: r.lowerBound, heatmapHotC: r.upperBound, nodes: run.layout.nodes.map(\.name),
            ignitionS: run.timeline.ignitionS, fans: run.fans.map(\.name), timeline: written)
        // For people and other tools: a figure with no value (no outflow, no frame yet) is null.
        try AtomicFile.write(try JSONCoding.textWithNulls(s), to: folder.appendingPathComponent("summary.json"))
        let md = SurgeReport.markdown(
            self, wallSeconds: wallSeconds, idleSeconds: idleSeconds,
            stepSeconds: stepSeconds, writeSeconds: writeSeconds)
        try AtomicFile.write(md, to: folder.appendingPathComponent("report.md"))
        let html = ReportHTML.html(markdown: md, title: "RackFlow surge: \(run.scenario.name)", folder: folder)
        try AtomicFile.write(
            html,
            to: folder.appendingPathComponent("report.html"))
    }
}
