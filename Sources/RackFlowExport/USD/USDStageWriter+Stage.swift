import Foundation

/// The root layer (`refinery.usda`): racks, nodes with their heatmap colour and telemetry, fans
/// with spin and vibration, and the field-cache volumes, all as time samples.
extension USDStageWriter {
    /// Blade counts used by any fan: one rotor prototype each.
    var bladeCounts: [Int] {
        Array(Set(recording.nodeAssets.flatMap { $0.fans.map(\.bladeCount) })).sorted()
    }

    /// The root layer `refinery.usda`.
    public func stage() -> TextBuffer {
        let r = recording
        let assets = Dictionary(uniqueKeysWithValues: r.nodeAssets.map { ($0.name, $0) })
        let fanCount = r.racks.reduce(0) { $0 + $1.nodes.reduce(0) { $0 + $1.fanRPM.count } }
        let estimate =
            r.frameCount
            * (r.racks.count * 400 + r.racks.reduce(0) { $0 + $1.nodes.count } * 300
                + fanCount * (r.fanMotion.maxSamplesPerFrame * 40 + 80))
        var b = TextBuffer(capacity: min(estimate + 65536, 1 << 30))
        let timing = USDTiming(firstFrame: r.firstFrame, lastFrame: r.lastFrame, fps: r.fps)
        b.usdLayerHeader(defaultPrim: "Refinery", doc: r.doc, timing: timing, upAxis: r.upAxis.rawValue)
        b.append("def Xform \"Refinery\" (\n")
        b.usdLine(1, "kind = \"assembly\"")
        b.append(")\n{\n")
        b.usdPrimOpen(1, "def Xform \"Racks\"", kind: "group")
        var globalFan = 0
        for (ri, rack) in r.racks.enumerated() {
            if ri > 0 { b.byte(10) }
            b.usdPrimOpen(2, "def Xform \(USDText.quoted(rackPrimName(ri)))", kind: "group")
            b.usdLine(3, "custom string rackflow:name = \(USDText.quoted(rack.name))")
            b.usdVectorLine(3, "double3 xformOp:translate", map(rack.placement.translation), significant: 9)
            let rot = "xformOp:rotate\(r.upAxis.rawValue)"
            b.usdNumberLine(3, "double \(rot)", rack.placement.rotationDegrees, significant: 9)
            b.usdLine(3, "uniform token[] xformOpOrder = [\"xformOp:translate\", \"\(rot)\"]")
            for (ni, node) in rack.nodes.enumerated() {
                b.byte(10)
                writeNode(&b, rack: ri, node: ni, node)
            }
            b.byte(10)
            b.usdPrimOpen(3, "def Xform \"Fans\"", kind: "group")
            for (ni, node) in rack.nodes.enumerated() {
                let asset = assets[node.type]!
                for (fi, fan) in asset.fans.enumerated() {
                    if ni > 0 || fi > 0 { b.byte(10) }
                    writeFan(
                        &b, prim: fanPrimName(rack: ri, node: ni, fan: fi), nodePath: nodePath(rack: ri, node: ni),
                        spec: fan, chassisMin: node.chassis.min, rpm: node.fanRPM[fi],
                        phaseDeg: Self.fanPhaseDeg(globalFan))
                    globalFan += 1
                }
            }
            b.usdLine(3, "}")
            b.byte(10)
            writeVolume(&b, rack: ri, rack)
            b.usdLine(2, "}")
        }
        b.usdLine(1, "}")
        b.append("}\n\n")
        writeRotorPrototypes(&b)
        return b
    }

    /// Per-frame samples, `perLine` to a line (frames aligned to multiples of `perLine`).
    func timeSamples(
        _ b: inout TextBuffer, _ level: Int, _ decl: String, _ values: [Double], sig: Int = 7,
        perLine: Int = 8
    ) {
        b.usdIndent(level)
        b.append(decl)
        b.append(".timeSamples = {\n")
        for (k, v) in values.enumerated() {
            let f = recording.firstFrame + k
            let column = ((f % perLine) + perLine) % perLine
            if k == 0 || column == 0 { b.usdIndent(level + 1) } else { b.byte(32) }
            b.int(f)
            b.append(": ")
            b.number(v, significant: sig)
            b.byte(44)
            if column == perLine - 1 || k == values.count - 1 { b.byte(10) }
        }
        b.usdLine(level, "}")
    }

    func telemetryChannels(_ node: StageRecording.Node) -> [String] {
        let std = StageRecording.Channel.standard.filter { node.telemetry[$0] != nil }
        return std + node.telemetry.keys.filter { !StageRecording.Channel.standard.contains($0) }.sorted()
    }

    func writeNode(_ b: inout TextBuffer, rack ri: Int, node ni: Int, _ node: StageRecording.Node) {
        let r = recording
        b.usdNodeInstanceOpen(
            3, prim: nodePrimName(rack: ri, node: ni), reference: USDText.assetPath(Self.assetFile(node.type)),
            name: node.name, type: node.type, translate: map(node.chassis.min))
        // heat map on the instance prim itself: inherited by the asset's chassis shell
        b.usdHeatmapColour(4, r.heatmap, node.telemetry[r.heatmap.channel]!, firstFrame: r.firstFrame)
        for name in telemetryChannels(node) {
            let decl = "custom double telemetry:\(name)"
            b.usdLine(4, decl + " (")
            b.usdLine(5, "doc = \(USDText.quoted(StageRecording.Channel.doc(name)))")
            b.usdLine(4, ")")
            timeSamples(&b, 4, decl, node.telemetry[name]!)
        }
        b.usdLine(3, "}")
    }

    /// The blade phase of the n-th fan of a stage, degrees: golden-angle steps, so that no two
    /// neighbouring fans turn in step (a wall of fans in lockstep reads as a still picture).
    static func fanPhaseDeg(_ n: Int) -> Double { Double(n) * 137.50776405003785 }

    /// A fan prim at level 4 (under a rack's `Fans` group): its rpm, blade-pass vibration and
    /// spin as time samples, `nodePath` the node it belongs to, placed in the rack frame.
    func writeFan(
        _ b: inout TextBuffer, prim: String, nodePath: String, spec: StageRecording.Fan,
        chassisMin: SIMD3<Double>, rpm: [Double], phaseDeg: Double
    ) {
        let r = recording
        b.usdPrimOpen(4, "def Xform \(USDText.quoted(prim))", kind: "component")
        b.usdLine(5, "rel rackflow:node = <\(nodePath)>")
        b.usdLine(5, "custom string rackflow:name = \(USDText.quoted(spec.name))")
        b.usdIntLine(5, "custom int fan:bladeCount", spec.bladeCount)
        b.usdNumberLine(5, "custom double fan:radiusM", spec.radius)
        timeSamples(&b, 5, "custom double fan:rpm", rpm)
        timeSamples(
            &b, 5, "custom double vibration:frequencyHz",
            rpm.map { FanMotion.bladePassHz(rpm: $0, blades: spec.bladeCount) })
        timeSamples(
            &b, 5, "custom double vibration:amplitudeM", rpm.map { FanMotion.amplitudeM(rpm: $0, model: r.fanMotion) })
        fanPlacement(&b, 5, centre: chassisMin + spec.centre, axis: spec.axis)
        b.byte(10)
        let phase = phaseDeg.truncatingRemainder(dividingBy: 360)
        let spin = FanMotion.spin(rpm: rpm, firstFrame: r.firstFrame, fps: r.fps, phaseDeg: phase, model: r.fanMotion)
        let shake = FanMotion.vibration(
            rpm: rpm, firstFrame: r.firstFrame, fps: r.fps, blades: spec.bladeCount,
            phaseDeg: phase, model: r.fanMotion)
        b.usdLine(5, "def Xform \"Rotor\" (")
        b.usdLine(6, "instanceable = true")
        b.usdLine(6, "prepend references = </RotorPrototypes/Rotor_B\(spec.bladeCount)>")
        b.usdLine(5, ")")
        b.usdLine(5, "{")
        // lines start at a frame and end at a frame boundary once they hold four samples or more:
        // a fast fan's sub-frame samples share their frame's line, a steady one gets 4 frames a line
        func perFrameLines(_ samples: [FanMotion.Sample], _ value: (inout TextBuffer, Double) -> Void) {
            var inLine = 0
            for (i, sample) in samples.enumerated() {
                if inLine == 0 { b.usdIndent(7) } else { b.byte(32) }
                b.timeCode(sample.time)
                b.append(": ")
                value(&b, sample.value)
                b.byte(44)
                inLine += 1
                let atBoundary = i == samples.count - 1 || samples[i + 1].time == samples[i + 1].time.rounded(.down)
                if atBoundary && inLine >= 4 || i == samples.count - 1 {
                    b.byte(10)
                    inLine = 0
                }
            }
        }
        b.usdLine(6, "# vibration: axial displacement (local Z = fan axis), metres; sub-frame samples where fast")
        b.usdIndent(6)
        b.append("float3 xformOp:translate.timeSamples = {\n")
        perFrameLines(shake) { b, v in
            b.append("(0, 0, ")
            b.number(v, significant: 4)
            b.byte(41)
        }
        b.usdLine(6, "}")
        b.usdLine(6, "# spin: blade angle about the fan axis, degrees, unwrapped (integrated from rpm)")
        b.usdIndent(6)
        b.append("double xformOp:rotateZ.timeSamples = {\n")
        perFrameLines(spin) { b, v in b.number(v, significant: 8) }
        b.usdLine(6, "}")
        b.usdVectorLine(6, "float3 xformOp:scale", SIMD3(repeating: spec.radius))
        b.usdLine(6, "uniform token[] xformOpOrder = [\"xformOp:translate\", \"xformOp:rotateZ\", \"xformOp:scale\"]")
        b.usdLine(5, "}")
        b.usdLine(4, "}")
    }

    func writeVolume(_ b: inout TextBuffer, rack ri: Int, _ rack: StageRecording.Rack) {
        let r = recording
        let path = rackPath(ri) + "/Fields"
        b.usdPrimOpen(3, "def Volume \"Fields\"", kind: "component")
        b.usdLine(4, "# the VDB files are in the rack frame, \(r.vdbUpAxis.rawValue)-up axes, metres")
        if let fb = rack.fieldBounds {
            b.usdExtent(4, map(fb.min, r.vdbUpAxis), map(fb.max, r.vdbUpAxis))
        }
        if r.vdbUpAxis != r.upAxis {
            // Y-up files (x, z, −y) on a Z-up stage: rotate +90° about X; Z-up files on a Y-up stage: −90°.
            b.usdLine(4, "double xformOp:rotateX = \(r.vdbUpAxis == .y ? 90 : -90)")
            b.usdLine(4, "uniform token[] xformOpOrder = [\"xformOp:rotateX\"]")
        }
        for field in rack.fields {
            b.usdLine(4, "rel field:\(field.name) = <\(path)/\(field.name)>")
        }
        VolumeFieldAssets.write(&b, level: 4, fields: rack.fields, files: rack.vdbFiles, firstFrame: r.firstFrame)
        b.usdLine(3, "}")
    }

    /// Rotor blades in unit radius about local Z: a hub and `blades` pitched flat blades.
    func writeRotorPrototypes(_ b: inout TextBuffer) {
        b.append("class Scope \"RotorPrototypes\" (\n")
        b.usdLine(
            1,
            "doc = \"fan rotors of unit radius about +Z, one per blade count; referenced by the instanceable Rotor "
                + "prims\""
        )
        b.append(")\n{\n")
        for (i, n) in bladeCounts.enumerated() {
            if i > 0 { b.byte(10) }
            b.usdLine(1, "def Xform \"Rotor_B\(n)\"")
            b.usdLine(1, "{")
            b.usdLine(2, "def Cylinder \"Hub\"")
            b.usdLine(2, "{")
            b.usdLine(3, "uniform token axis = \"Z\"")
            b.usdLine(3, "double radius = 0.35")
            b.usdLine(3, "double height = 0.3")
            b.usdLine(3, "float3[] extent = [(-0.35, -0.35, -0.15), (0.35, 0.35, 0.15)]")
            b.usdConstantPrimvar(3, "color3f[] primvars:displayColor", "[(0.03, 0.03, 0.03)]")
            b.usdLine(2, "}")
            for k in 0..<n {
                b.usdLine(2, "def Cube \"Blade_\(k + 1)\"")
                b.usdLine(2, "{")
                b.usdLine(3, "double size = 1")
                b.usdLine(3, "float3[] extent = [(-0.5, -0.5, -0.5), (0.5, 0.5, 0.5)]")
                b.usdNumberLine(3, "float xformOp:rotateZ", Double(k) * 360 / Double(n))
                b.usdLine(3, "double3 xformOp:translate = (0.66, 0, 0)")
                b.usdLine(3, "float xformOp:rotateX = 30")
                b.usdLine(
                    3,
                    "float3 xformOp:scale = (0.64, \(USDText.number(min(0.5, 2.4 / Double(n)), significant: 3)), 0.03)")
                b.usdLine(
                    3,
                    "uniform token[] xformOpOrder = [\"xformOp:rotateZ\", \"xformOp:translate\", "
                        + "\"xformOp:rotateX\", \"xformOp:scale\"]"
                )
                b.usdConstantPrimvar(3, "color3f[] primvars:displayColor", "[(0.06, 0.06, 0.06)]")
                b.usdLine(2, "}")
            }
            b.usdLine(1, "}")
        }
        b.append("}\n")
    }
}
