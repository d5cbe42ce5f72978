import Foundation
import RackFlowModel

/// The room stage's layers: each rack type in its own frame (`assets/racks/<type>.usda`) and the
/// root layer with racks, volumes and the cable trays.
extension RoomStageWriter {
    /// `assets/racks/<type>.usda`: the rack in its own frame.
    public func rackLayer(_ t: RackType) -> TextBuffer {
        var b = TextBuffer(capacity: 4096)
        b.usdLayerHeader(
            defaultPrim: "Rack", doc: "RackFlow rack type \(t.name): inner shell and nodes, rack frame, metres",
            timing: nil, upAxis: upAxis.rawValue)
        b.append("def Xform \"Rack\" (\n")
        b.usdLine(1, "kind = \"assembly\"")
        b.append(")\n{\n")
        b.usdLine(1, "custom string rackflow:rackType = \(USDText.quoted(t.name))")
        b.usdLine(1, "def Cube \"Shell\"")
        b.usdLine(1, "{")
        b.usdLine(2, "double size = 1")
        b.usdLine(2, "float3[] extent = [(-0.5, -0.5, -0.5), (0.5, 0.5, 0.5)]")
        b.usdVectorLine(2, "double3 xformOp:translate", map(t.innerSizeM / 2))
        b.usdVectorLine(2, "float3 xformOp:scale", mapSize(t.innerSizeM))
        b.usdLine(2, "uniform token[] xformOpOrder = [\"xformOp:translate\", \"xformOp:scale\"]")
        b.usdConstantPrimvar(2, "color3f[] primvars:displayColor", "[(0.1, 0.1, 0.12)]")
        b.usdConstantPrimvar(2, "float[] primvars:displayOpacity", "[0.15]")
        b.usdLine(1, "}")
        for (i, n) in t.nodes.enumerated() {
            b.byte(10)
            b.usdNodeInstanceOpen(
                1, prim: USDStageWriter.indexedName("Node", i, count: t.nodes.count),
                reference: "@../\(USDText.fileName(n.type)).usda@", name: n.name, type: n.type,
                translate: map(n.chassis.min))
            b.usdLine(1, "}")
        }
        b.append("}\n")
        return b
    }

    /// The root layer.
    public func stage() -> TextBuffer {
        var b = TextBuffer(capacity: 1 << 16)
        let types = Dictionary(rackTypes.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        let assets = Dictionary(nodeAssets.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        let timing = USDTiming(firstFrame: firstFrame, lastFrame: lastFrame, fps: fps)
        b.usdLayerHeader(defaultPrim: "Room", doc: doc, timing: timing, upAxis: upAxis.rawValue)
        b.append("def Xform \"Room\" (\n")
        b.usdLine(1, "kind = \"assembly\"")
        b.append(")\n{\n")
        b.usdLine(1, "custom string rackflow:room = \(USDText.quoted(roomName))")
        b.usdPrimOpen(1, "def Xform \"Racks\"", kind: "group")
        var fanCount = 0
        for (ri, r) in racks.enumerated() {
            let t = types[r.type]!
            let path = "/Room/Racks/\(USDText.identifier(r.name))"
            if ri > 0 { b.byte(10) }
            b.usdPrimOpen(2, "def Xform \(USDText.quoted(USDText.identifier(r.name)))", kind: "group")
            b.usdLine(3, "custom string rackflow:name = \(USDText.quoted(r.name))")
            b.usdLine(3, "custom string rackflow:rackType = \(USDText.quoted(r.type))")
            b.usdVectorLine(3, "double3 xformOp:translate", map(r.translationM), significant: 9)
            let rotate = "xformOp:rotate\(upAxis.rawValue)"
            b.usdNumberLine(3, "double \(rotate)", r.rotationDegrees, significant: 9)
            b.usdLine(3, "uniform token[] xformOpOrder = [\"xformOp:translate\", \"\(rotate)\"]")
            for c in r.telemetry.keys.sorted() {
                samples(&b, 3, "custom double telemetry:\(c)", r.telemetry[c]!, doc: Self.channelDoc(c))
            }
            b.byte(10)
            b.usdLine(3, "def Xform \"Rack\" (")
            b.usdLine(4, "prepend references = \(USDText.assetPath(Self.rackTypeFile(r.type)))")
            b.usdLine(3, ")")
            b.usdLine(3, "{")
            for ni in t.nodes.indices {
                if ni > 0 { b.byte(10) }
                writeNodeOver(
                    &b, prim: USDStageWriter.indexedName("Node", ni, count: t.nodes.count), r.nodeTelemetry[ni])
            }
            b.usdLine(3, "}")
            writeRackFans(&b, r, type: t, assets: assets, path: path, fanCount: &fanCount)
            b.byte(10)
            writeVolume(&b, path: path + "/Fields", r)
            b.usdLine(2, "}")
        }
        b.usdLine(1, "}")
        if let air = roomAir {
            b.byte(10)
            writeRoomAir(&b, files: air.files, boundsM: air.boundsM)
        }
        if !trays.isEmpty {
            b.byte(10)
            writeTrays(&b)
        }
        b.append("}\n")
        if fanCount > 0 {
            b.byte(10)
            fanWriter.writeRotorPrototypes(&b)
        }
        return b
    }

    /// A rack's fans where the node's fan speed is recorded (a surge): spin and shake per frame,
    /// each fan at its own recorded speed; the node's mean intake speed only where none is.
    /// `fanCount` numbers the fans across the room (their phases).
    func writeRackFans(
        _ b: inout TextBuffer, _ r: Rack, type t: RackType, assets: [String: StageRecording.NodeAsset], path: String,
        fanCount: inout Int
    ) {
        let fans = fanWriter
        let spinning = t.nodes.indices.filter {
            !r.nodeFanRPM.isEmpty || r.nodeTelemetry[$0][StageRecording.Channel.fanRPM] != nil
        }
        if !spinning.isEmpty {
            b.byte(10)
            b.usdPrimOpen(3, "def Xform \"Fans\"", kind: "group")
            var first = true
            for ni in spinning {
                let node = t.nodes[ni], prim = USDStageWriter.indexedName("Node", ni, count: t.nodes.count)
                let mean = r.nodeTelemetry[ni][StageRecording.Channel.fanRPM]
                for (fi, fan) in (assets[node.type]?.fans ?? []).enumerated() {
                    guard let rpm = r.nodeFanRPM.isEmpty ? mean : r.nodeFanRPM[ni][fi] else { continue }
                    if !first { b.byte(10) }
                    first = false
                    fans.writeFan(
                        &b, prim: "\(prim)_Fan\(fi + 1)", nodePath: "\(path)/Rack/\(prim)", spec: fan,
                        chassisMin: node.chassis.min, rpm: rpm, phaseDeg: USDStageWriter.fanPhaseDeg(fanCount))
                    fanCount += 1
                }
            }
            b.usdLine(3, "}")
        }
    }

    /// Opinions on one node inside a placed rack (the node is an instance; its root takes them):
    /// the heat-map colour, inherited by the asset's chassis shell, and its telemetry.
    func writeNodeOver(_ b: inout TextBuffer, prim: String, _ telemetry: [String: [Double]]) {
        b.usdLine(4, "over \(USDText.quoted(prim))")
        b.usdLine(4, "{")
        if let h = heatmap, let hot = telemetry[h.channel] {
            b.usdHeatmapColour(5, h, hot, firstFrame: firstFrame, scope: " for the whole room")
        }
        for c in telemetry.keys.sorted() {
            samples(&b, 5, "custom double telemetry:\(c)", telemetry[c]!, doc: Self.channelDoc(c))
        }
        b.usdLine(4, "}")
    }

    func writeVolume(_ b: inout TextBuffer, path: String, _ r: Rack) {
        b.usdPrimOpen(3, "def Volume \"Fields\"", kind: "component")
        b.usdLine(4, "# the VDB files are in the rack frame, Y-up axes, metres (the rack prim places them)")
        // the extent is in the files' own (Y-up) axes, before the Volume's rotation
        func yUp(_ v: SIMD3<Double>) -> SIMD3<Double> { SIMD3(v.x, v.z, -v.y) }
        b.usdExtent(4, yUp(r.fieldBounds.min), yUp(r.fieldBounds.max))
        if upAxis == .z {
            // Y-up files (x, z, −y) on a Z-up stage: +90° about X takes them back to (x, y, z).
            b.usdLine(4, "double xformOp:rotateX = 90")
            b.usdLine(4, "uniform token[] xformOpOrder = [\"xformOp:rotateX\"]")
        }
        let fields = StageRecording.VolumeField.standard
        for f in fields { b.usdLine(4, "rel field:\(f.name) = <\(path)/\(f.name)>") }
        VolumeFieldAssets.write(&b, level: 4, fields: fields, files: r.vdbFiles, firstFrame: firstFrame)
        b.usdLine(3, "}")
    }

    /// `/Room/Air`: the hall's air (`--room-air`), one VDB file per frame in the room frame, Y up
    /// (`(X, Y, Z) = (x, z, −y)`); on a Z-up stage the Volume turns them back.
    func writeRoomAir(_ b: inout TextBuffer, files: [String], boundsM r: StageRecording.Box) {
        b.usdPrimOpen(1, "def Volume \"Air\"", kind: "component")
        b.usdLine(2, "# the room's air (the hall around the racks): VDB files in the room frame, Y-up axes, metres")
        // The extent in the files' own (Y-up) axes, before the Volume's rotation: −y flips the bounds.
        b.usdExtent(2, SIMD3(r.min.x, r.min.z, -r.max.y), SIMD3(r.max.x, r.max.z, -r.min.y))
        if upAxis == .z {
            b.usdLine(2, "double xformOp:rotateX = 90")
            b.usdLine(2, "uniform token[] xformOpOrder = [\"xformOp:rotateX\"]")
        }
        let fields = StageRecording.VolumeField.standard
        for f in fields { b.usdLine(2, "rel field:\(f.name) = </Room/Air/\(f.name)>") }
        VolumeFieldAssets.write(&b, level: 2, fields: fields, files: files, firstFrame: firstFrame)
        b.usdLine(1, "}")
    }

    /// A tray's probe and vibration values, one time sample per frame: the tray's own, then one
    /// value per vertex (probe station).
    func writeTrayProbes(_ b: inout TextBuffer, _ frames: [TrayProbes.Tray]) {
        let trayValues: [(decl: String, value: KeyPath<TrayProbes.Tray, Double>, doc: String)] = [
            ("custom double probe:maxTemperatureC", \.maxTemperatureC, "hottest probe along the tray, degC"),
            ("custom double probe:maxSpeedMPerS", \.maxSpeedMPerS, "fastest air at the tray, m/s (upward)"),
            (
                "custom double vibration:amplitudeM", \.vibrationAmplitudeM,
                "amplitude of the tray's first mode, m, from the dynamic pressure of the air at it"
            ),
            (
                "custom double vibration:frequencyHz", \.vibrationFrequencyHz,
                "vortex-shedding frequency off the tray at its fastest air, Hz"
            ),
        ]
        for t in trayValues { samples(&b, 3, t.decl, frames.map { $0[keyPath: t.value] }, doc: t.doc) }
        let stationValues: [(decl: String, value: KeyPath<TrayProbes.Sample, Double>, doc: String)] = [
            ("float[] primvars:temperatureC", \.temperatureC, "air temperature at each vertex (probe station), degC"),
            ("float[] primvars:speedMPerS", \.speedMPerS, "air speed at each vertex, m/s"),
            (
                "float[] primvars:vibrationAmplitudeM", \.vibrationAmplitudeM,
                "local vibration amplitude at each vertex, m"
            ),
        ]
        for s in stationValues {
            arraySamples(&b, 3, s.decl, doc: s.doc, frames.map { $0.samples.map { $0[keyPath: s.value] } })
        }
    }

    func writeTrays(_ b: inout TextBuffer) {
        let names = trayPrimNames()
        b.usdPrimOpen(1, "def Xform \"CableTrays\"", kind: "group")
        for (ti, t) in trays.enumerated() {
            let first = trayFrames[0][ti]
            let pts = first.samples.map(\.pointM)
            if ti > 0 { b.byte(10) }
            b.usdPrimOpen(2, "def BasisCurves \(USDText.quoted(names[ti]))", kind: "component")
            b.usdLine(3, "custom string rackflow:name = \(USDText.quoted(t.name))")
            b.usdNumberLine(3, "custom double rackflow:widthM", t.widthM)
            b.usdLine(3, "uniform token type = \"linear\"")
            b.usdLine(3, "uniform token wrap = \"nonperiodic\"")
            b.usdIndent(3)
            b.append("int[] curveVertexCounts = [")
            b.int(pts.count)
            b.append("]\n")
            b.usdIndent(3)
            b.append("point3f[] points = [")
            for (i, p) in pts.enumerated() {
                if i > 0 { b.append(", ") }
                b.usdVector(map(p))
            }
            b.append("]\n")
            b.usdIndent(3)
            b.append("float[] widths = [")
            b.number(t.widthM)
            b.append("] (\n")
            b.usdLine(4, "interpolation = \"constant\"")
            b.usdLine(3, ")")
            let lo = SIMD3(t.fromXM, t.yM - t.widthM / 2, t.zM - t.widthM / 2),
                hi = SIMD3(t.toXM, t.yM + t.widthM / 2, t.zM + t.widthM / 2)
            b.usdExtent(3, map(lo), map(hi))
            b.usdConstantPrimvar(3, "color3f[] primvars:displayColor", "[(0.55, 0.55, 0.5)]")
            b.usdLine(3, "vector3f[] primvars:vibrationDirection = [\(upAxis == .y ? "(0, 1, 0)" : "(0, 0, 1)")] (")
            b.usdLine(
                4,
                "doc = \"direction of the vibration displacement: up (the exhaust jets blow upward onto the tray)\"")
            b.usdLine(4, "interpolation = \"constant\"")
            b.usdLine(3, ")")
            b.usdIndent(3)
            b.append("float[] primvars:vibrationModeShape = [")
            for (i, s) in first.samples.enumerated() {
                if i > 0 { b.append(", ") }
                b.number(s.modeShape, significant: 6)
            }
            b.append("] (\n")
            b.usdLine(
                4,
                "doc = \"first bending mode between the tray's end supports, sin(pi s / L): displace points by "
                    + "vibration:amplitudeM * this * sin(2 pi vibration:frequencyHz t)\""
            )
            b.usdLine(4, "interpolation = \"vertex\"")
            b.usdLine(3, ")")
            writeTrayProbes(&b, trayFrames.map { $0[ti] })
            b.usdLine(2, "}")
        }
        b.usdLine(1, "}")
    }
}
