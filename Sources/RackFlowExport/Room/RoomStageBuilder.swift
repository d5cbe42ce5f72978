import Foundation
import RackFlowModel

extension RoomStageWriter {
    /// The steady room as one frame: rack types from the rack files (compiled to their boxes,
    /// no grid), placements from the layout, telemetry from the racks' solve summaries, each
    /// rack's `racks/<name>/fields.vdb`, and the cable-tray probes.
    public static func steady(
        spec: RoomSpec, summary: RoomSummary, rackSummaries: [SolveSummary],
        trays: [TrayProbes.Tray]
    ) throws -> RoomStageWriter {
        let (cases, typeNames, assets, types) = try rackTypes(spec)
        let racks = spec.racks.indices.map { k -> Rack in
            let p = spec.racks[k], r = summary.racks[k], s = rackSummaries[k]
            let c = cases[p.rackFile]!
            let place = spec.rackPlacement(k)
            let nodes = c.layout!.nodes.map { n -> [String: [Double]] in
                guard let ns = s.nodes.first(where: { $0.name == n.name }) else { return [:] }
                var t: [String: [Double]] = [
                    StageRecording.Channel.powerW: [ns.powerW], StageRecording.Channel.airflowM3PerS: [ns.flowM3PerS],
                    StageRecording.Channel.exhaustC: [ns.outletC],
                ]
                let parts = s.parts.filter { $0.node == n.name }
                if let g = parts.filter({ $0.kind == "gpu" }).map(\.temperatureC).max() {
                    t[StageRecording.Channel.gpuMaxC] = [g]
                }
                if let cpu = parts.filter({ $0.kind == "cpu" }).map(\.temperatureC).max() {
                    t[StageRecording.Channel.cpuC] = [cpu]
                }
                return t
            }
            let sz = c.genericCase.size
            return Rack(
                name: p.name, type: typeNames[p.rackFile]!, translationM: place.translationM,
                rotationDegrees: place.rotationDegrees,
                telemetry: [
                    "inletFlowM3PerS": [r.inletFlowM3PerS], "share": [r.share], "slotPressurePa": [r.inletPressurePa],
                    "exhaustC": [r.exhaustC], "heatW": [r.heatW],
                ],
                nodeTelemetry: nodes, vdbFiles: ["racks/\(p.name)/fields.vdb"],
                fieldBounds: .init(min: .zero, max: SIMD3(sz.0, sz.1, sz.2)))
        }
        var w = RoomStageWriter(
            roomName: spec.name,
            doc: "RackFlow room \(spec.name) (\(spec.file)): steady coupled run, \(spec.racks.count) racks",
            nodeAssets: assets, rackTypes: types, racks: racks, trays: spec.trays, trayFrames: [trays])
        w.heatmap = heatmap(spec: spec, cases: cases, scenario: nil, racks: racks)
        return w
    }

    /// One heat-map scale for the whole room, so that a colour means one temperature in every
    /// rack: from the coldest supply air to the lowest GPU limit of any rack type (the one-rack
    /// surge's fixed scale), a scenario's `heatmap` bounds where it gives them, and the racks'
    /// own range where a scenario asks for it (`auto`) or neither is known.
    static func heatmap(
        spec: RoomSpec, cases: [String: CaseFile], scenario: Scenario?, racks: [Rack]
    ) -> StageRecording.Heatmap {
        let all = racks.flatMap { $0.nodeTelemetry.flatMap { $0[StageRecording.Channel.gpuMaxC] ?? [] } }
            .filter(\.isFinite)
        let coldC = scenario?.heatmapColdC ?? (scenario?.heatmapAutoCold == true ? all.min() : nil)
        let hotC = scenario?.heatmapHotC ?? (scenario?.heatmapAutoHot == true ? all.max() : nil)
        let supplyC = spec.racks.map(\.rack.inletTemperatureC).min()
        let gpuLimitC = cases.values.flatMap { $0.layout?.parts.filter { $0.kind == "gpu" }.map(\.limitC) ?? [] }.min()
        let lo = coldC ?? supplyC ?? all.min() ?? 20
        let hi = hotC ?? gpuLimitC ?? all.max() ?? lo + 1
        return .init(minC: lo, maxC: max(hi, lo + 1))
    }

    /// Rack types (one per rack file, compiled to boxes without a grid), their node assets,
    /// and each rack file's type name.
    public static func rackTypes(
        _ spec: RoomSpec
    ) throws -> (
        cases: [String: CaseFile], names: [String: String], assets: [StageRecording.NodeAsset], types: [RackType]
    ) {
        var cases: [String: CaseFile] = [:]
        var typeNames: [String: String] = [:]
        var assets: [StageRecording.NodeAsset] = []
        var types: [RackType] = []
        for p in spec.racks where cases[p.rackFile] == nil {
            let c = try CaseFile.load(path: p.rackFile)
            guard let layout = c.layout else {
                throw RoomError.rack(name: p.name, rank: 0, reason: "\(p.rackFile) is not a rack file")
            }
            cases[p.rackFile] = c
            // Type name: the file's stem, made unique if two folders hold the same stem.
            var name = ConfigNode.stem(of: p.rackFile), k = 2
            let base = name
            while typeNames.values.contains(name) {
                name = "\(base)-\(k)"
                k += 1
            }
            typeNames[p.rackFile] = name
            for a in StageAssets.nodeAssets(genericCase: c.genericCase, layout: layout)
            where !assets.contains(where: { $0.name == a.name }) {
                assets.append(a)
            }
            let s = c.genericCase.size
            types.append(
                RackType(
                    name: name, innerSizeM: SIMD3(s.0, s.1, s.2),
                    nodes: layout.nodes.map {
                        (
                            name: $0.name, type: $0.type,
                            chassis: StageRecording.Box(
                                min: SIMD3($0.lo.0, $0.lo.1, $0.lo.2), max: SIMD3($0.hi.0, $0.hi.1, $0.hi.2))
                        )
                    }))
        }
        return (cases, typeNames, assets, types)
    }

    /// A room surge as frames 0 (idle) … N: per frame the racks' coupled flow, slot pressure
    /// and exhaust, every node's telemetry from its rack's surge, each rack's VDB of that
    /// frame, and the tray probes from that frame's exhausts.
    public static func surge(
        spec: RoomSpec, scenario: Scenario, records: [RoomSurge.FrameRecord],
        rackFrames: [[SurgeRun.Frame]], vdbFiles: [[String]], trays: [[TrayProbes.Tray]]
    ) throws -> RoomStageWriter {
        let (cases, typeNames, assets, types) = try rackTypes(spec)
        let racks = spec.racks.indices.map { k -> Rack in
            let p = spec.racks[k], c = cases[p.rackFile]!
            let place = spec.rackPlacement(k)
            let frames = rackFrames[k]
            let nodes = c.layout!.nodes.indices.map { n -> [String: [Double]] in
                func ch(_ v: (SurgeRun.NodeFrame) -> Double) -> [Double] { frames.map { v($0.nodes[n]) } }
                var t: [String: [Double]] = [
                    StageRecording.Channel.utilisation: ch(\.utilisation), StageRecording.Channel.powerW: ch(\.powerW),
                    StageRecording.Channel.fanRPM: ch(\.fanRPM),
                    StageRecording.Channel.airflowM3PerS: ch(\.airflowM3PerS),
                ]
                // Channels a node may lack (no GPU, no CPU, no exit flow) stay unauthored rather than NaN.
                for (name, v) in [
                    (StageRecording.Channel.gpuMaxC, ch(\.gpuMaxC)), (StageRecording.Channel.cpuC, ch(\.cpuC)),
                    (StageRecording.Channel.exhaustC, ch(\.exhaustC)),
                ]
                where v.allSatisfy(\.isFinite) { t[name] = v }
                return t
            }
            let sz = c.genericCase.size
            // Every fan's own speed: the frames list the rack's fans in its layout's order.
            let layoutFans = c.layout!.fans
            let fanSpeeds =
                frames.allSatisfy { $0.fanRPM.count == layoutFans.count }
                ? c.layout!.nodes.map { n in
                    layoutFans.indices.filter { layoutFans[$0].node == n.name }.map { fi in frames.map { $0.fanRPM[fi] }
                    }
                } : []
            var rack = Rack(
                name: p.name, type: typeNames[p.rackFile]!, translationM: place.translationM,
                rotationDegrees: place.rotationDegrees,
                telemetry: [
                    "inletFlowM3PerS": records.map { $0.racks[k].flowM3PerS },
                    "slotPressurePa": records.map { $0.racks[k].slotPressurePa },
                    "exhaustC": records.map { $0.racks[k].exhaustC },
                ],
                nodeTelemetry: nodes, vdbFiles: vdbFiles[k],
                fieldBounds: .init(min: .zero, max: SIMD3(sz.0, sz.1, sz.2)))
            // Kept only where every node's fans match its type's (the one-rack stage's assumption too).
            let fanCounts = c.layout!.nodes.map { n in assets.first { $0.name == n.type }?.fans.count ?? -1 }
            if fanSpeeds.map(\.count) == fanCounts { rack.nodeFanRPM = fanSpeeds }
            return rack
        }
        var w = RoomStageWriter(
            roomName: spec.name,
            doc:
                "RackFlow room \(spec.name) (\(spec.file)): surge \(scenario.name), \(spec.racks.count) racks, frame "
                + "0 idle",
            fps: scenario.fps, firstFrame: 0, firstFrameTimeS: 0, nodeAssets: assets, rackTypes: types, racks: racks,
            trays: spec.trays, trayFrames: trays)
        w.heatmap = heatmap(spec: spec, cases: cases, scenario: scenario, racks: racks)
        return w
    }
}

extension TrayProbes {
    /// The steady room's tray probes from its racks' solves: each rack's exhaust patch (from
    /// its file, compiled without a grid), the flow it was solved at and its exhaust temperature.
    public static func steady(spec: RoomSpec, summary: RoomSummary) throws -> [Tray] {
        let roomC = spec.racks.map(\.rack.inletTemperatureC).min() ?? 20
        return trays(
            spec, exhausts: try steadyExhausts(spec: spec, summary: summary), roomC: roomC,
            densityKgPerM3: spec.racks[0].rack.base.fluid.densityKgPerM3)
    }

    /// Every rack's exhaust (room frame) at its solved flow, mixed-cup exhaust temperature and profile.
    public static func steadyExhausts(spec: RoomSpec, summary: RoomSummary) throws -> [Exhaust] {
        var cases: [String: CaseFile] = [:]
        var exhausts: [Exhaust] = []
        for (k, p) in spec.racks.enumerated() {
            let c = try cases[p.rackFile] ?? CaseFile.load(path: p.rackFile)
            cases[p.rackFile] = c
            let r = summary.racks[k]
            exhausts.append(
                try Exhaust(
                    spec: spec, rack: k, genericCase: c.genericCase, flowM3PerS: r.measuredInletFlowM3PerS,
                    temperatureC: r.exhaustC, profile: r.exhaustProfile))
        }
        return exhausts
    }
}

extension TrayProbes {
    /// One frame of a room surge: each rack's exhaust at its coupled flow and exhaust temperature.
    public static func frame(spec: RoomSpec, racks: [RoomSurge.RackValues], cases: [String: CaseFile]) throws -> [Tray]
    {
        var exhausts: [Exhaust] = []
        for (k, p) in spec.racks.enumerated() {
            exhausts.append(
                try Exhaust(
                    spec: spec, rack: k, genericCase: cases[p.rackFile]!.genericCase,
                    flowM3PerS: racks[k].flowM3PerS, temperatureC: racks[k].exhaustC))
        }
        let roomC = spec.racks.map(\.rack.inletTemperatureC).min() ?? 20
        return trays(
            spec, exhausts: exhausts, roomC: roomC, densityKgPerM3: spec.racks[0].rack.base.fluid.densityKgPerM3)
    }
}
