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
        if keepExisting, FileManager.default.fileExists(atPath: folder.appendingPathComponent(vdbPath(outputNumber(frame))).path) {
            kept += 1
            written.append(frame)
            return
        }
        if lattice == nil {
            lattice = try VDBLattice(flow: run.solver.flow, voxelSizeM: voxelSizeM, upAxis: zUp ? .z : .y)
            try FileManager.default.createDirectory(at: folder.appendingPathComponent("vdb"), withIntermediateDirectories: true)
        }
        let smoke = [Double](UnsafeBufferPointer(start: run.smoke.p, count: run.smoke.count))
        let f = VDBFrame(solver: run.solver, density: smoke, turbulence: run.solver.turbulence().intensity,
                         temperatureBackgroundC: run.solver.flow.initialTemperatureC)
        let r = try VDBWriter.write(f, lattice: lattice!, to: folder.appendingPathComponent(vdbPath(outputNumber(frame))),
                                    metadata: ["frame": "\(outputNumber(frame))", "time_s": String(format: "%.6f", frame.timeS),
                                               "rack": run.caseFile.genericCase.name, "scenario": run.scenario.name])
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
        var assets: [String: StageRecording.NodeAsset] = [:]
        let colours: [String: RGBA] = ["gpu": RGBA(60, 170, 70), "fins": RGBA(170, 170, 180), "cpu": RGBA(200, 120, 40), "memory": RGBA(40, 90, 160),
                                       "board": RGBA(30, 110, 60), "psu": RGBA(90, 90, 95), "nic": RGBA(150, 60, 150), "other": RGBA(130, 130, 130)]
        func kind(of box: String) -> String {
            let part = box.split(separator: "/").dropFirst().first.map(String.init) ?? ""
            if part.hasPrefix("gpu") { return "gpu" }
            if part.hasPrefix("cpu") { return "cpu" }
            if part.hasPrefix("memory") { return "memory" }
            if part.hasPrefix("board") { return "board" }
            return ["psu", "nic"].contains(part) ? part : "other"
        }
        for n in layout.nodes where assets[n.type] == nil {
            let o = SIMD3(n.lo.0, n.lo.1, n.lo.2)
            let prefix = n.name + "/"
            let parts = gc.boxes.filter { $0.name.hasPrefix(prefix) }.map { b -> StageRecording.Part in
                let k = kind(of: b.name)
                return .init(kind: k, name: String(b.name.dropFirst(prefix.count)),
                             box: .init(min: SIMD3(b.lo.0, b.lo.1, b.lo.2) - o, max: SIMD3(b.hi.0, b.hi.1, b.hi.2) - o),
                             colour: .init(srgb: colours[k] ?? colours["other"]!))
            }
            var fans: [StageRecording.Fan] = []
            for f in layout.fans where f.node == n.name {
                guard let p = gc.planes.first(where: { $0.name == f.name }), let lo = p.lo, let hi = p.hi else { continue }
                let a = p.axis, (a1, a2) = a == 0 ? (1, 2) : (a == 1 ? (0, 2) : (0, 1))
                var c = SIMD3<Double>(0, 0, 0), axis = SIMD3<Double>(0, 0, 0)
                c[a] = p.position; c[a1] = (lo.0 + hi.0) / 2; c[a2] = (lo.1 + hi.1) / 2
                axis[a] = 1
                let blades = ["intake": 7, "cpu": 9, "gpu": 31, "psu": 7][f.kind] ?? 7   // *assumed* blade counts
                fans.append(.init(name: String(f.name.dropFirst(prefix.count)).replacingOccurrences(of: "/", with: "_"), centre: c - o, axis: axis,
                                  radius: min(hi.0 - lo.0, hi.1 - lo.1) / 2, bladeCount: blades))
            }
            assets[n.type] = .init(name: n.type, size: SIMD3(n.hi.0 - n.lo.0, n.hi.1 - n.lo.1, n.hi.2 - n.lo.2), parts: parts, fans: fans)
        }
        let frames = written
        let nodes = layout.nodes.enumerated().map { (i, n) -> StageRecording.Node in
            func ch(_ v: (SurgeRun.NodeFrame) -> Double) -> [Double] { frames.map { v($0.nodes[i]) } }
            let fanIdx = run.fans.indices.filter { run.fans[$0].node == i }
            return .init(name: n.name, type: n.type, chassis: .init(min: SIMD3(n.lo.0, n.lo.1, n.lo.2), max: SIMD3(n.hi.0, n.hi.1, n.hi.2)),
                         telemetry: [StageRecording.Channel.utilisation: ch(\.utilisation), StageRecording.Channel.powerW: ch(\.powerW),
                                     StageRecording.Channel.gpuMaxC: ch(\.gpuMaxC), StageRecording.Channel.cpuC: ch(\.cpuC),
                                     StageRecording.Channel.fanRPM: ch(\.fanRPM), StageRecording.Channel.airflowM3PerS: ch(\.airflowM3PerS),
                                     "exhaustC": ch(\.exhaustC)],
                         fanRPM: fanIdx.map { fi in frames.map { $0.fanRPM[fi] } })
        }
        let first = frames.first.map(outputNumber) ?? 0, last = frames.last.map(outputNumber) ?? 0
        let rack = StageRecording.Rack(name: run.layout.nodes.isEmpty ? "rack" : run.caseFile.genericCase.name, nodes: nodes,
                                       vdbFiles: frames.map { vdbPath(outputNumber($0)) })
        let h = heatmapRange()
        let axis: StageRecording.UpAxis = zUp ? .z : .y
        return StageRecording(fps: run.scenario.fps / Double(every), firstFrame: first, lastFrame: last, firstFrameTimeS: frames.first?.timeS ?? 0,
                              upAxis: axis, vdbUpAxis: axis, doc: "RackFlow surge \(run.scenario.name) on \(run.scenario.rackPath)",
                              nodeAssets: layout.nodes.map(\.type).reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }.map { assets[$0]! },
                              racks: [rack], heatmap: .init(minC: h.lowerBound, maxC: h.upperBound))
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
