import Foundation

/// What `USDStageWriter.write` wrote: paths relative to the output folder, bytes, seconds.
public struct USDWriteReport: Sendable {
    public var files: [(path: String, bytes: Int)]
    public var seconds: Double
    public var totalBytes: Int { files.reduce(0) { $0 + $1.bytes } }
}

/// Writes a `StageRecording` as a USD stage for Houdini (Solaris), in plain `.usda` text:
///
///     refinery.usda               the stage (DESIGN §7)
///     assets/<nodeType>.usda      one layer per node type, defaultPrim = the type, kind component
///     telemetry.csv               frame, timeS, rack, node, prim, nodeType, one column per channel
///     fans.csv                    frame, timeS, rack, node, fan, prim, rpm, bladePassHz, amplitudeM
///
/// Stage hierarchy (kinds in brackets):
///
///     /Refinery [assembly]
///       Racks [group]
///         Rack_01 [group]         rack placement: translate, then rotate about the up axis
///           Node_01 [component]   instanceable, references @./assets/<type>.usda@; translate to
///                                 the chassis' min corner; telemetry:* and primvars:displayColor
///                                 time-sampled on the instance prim itself
///           Fans [group]
///             Node_01_Fan1 [component]  placement + custom fan:rpm, vibration:* curves
///               Rotor             instanceable (blade geometry), animated vibration + spin ops
///           Fields [component]    Volume; field:<name> → OpenVDBAsset children, filePath per frame
///     /RotorPrototypes            class (not drawn): the rotor blades per blade count
///
/// Why fans sit beside the nodes, not inside them: a node is an instance, so everything below it
/// is an instance proxy whose opinions come from the shared prototype; nothing per-node (like a
/// fan's own spin) can be authored there, and uninstancing every node would lose the sharing
/// that keeps a 160-node room light. So the node asset holds the static fan shroud, and the
/// moving rotor of every fan is authored once per fan under `Rack_NN/Fans`, at the same place
/// (node chassis corner + fan centre, oriented along the fan axis). The rotors themselves are
/// instances of a per-blade-count prototype: only their own transform ops vary, which is legal
/// on an instance prim. Likewise the heat-map colour is a constant primvar authored on the node
/// instance prim (legal: it is not a proxy); the asset's chassis shell authors no colour of its
/// own and inherits it, while the parts keep their catalogue colours.
///
/// Geometry: solver axes (x width, y depth front→back, z up) map to Y-up as (X, Y, Z) = (x, z, −y)
/// (the rack front faces +Z) and to Z-up as the identity; a rotation by θ about solver z is a
/// rotation by θ about the stage's up axis in both. Boxes are unit `Cube`s with translate + scale.
public struct USDStageWriter {
    public let recording: StageRecording
    public var stageFileName: String

    public init(_ recording: StageRecording, stageFileName: String = "refinery.usda") {
        self.recording = recording
        self.stageFileName = stageFileName
    }

    /// Prim names, fixed by input order: Rack_01…, Node_01… (two digits, more if needed).
    public static func indexedName(_ prefix: String, _ index: Int, count: Int) -> String {
        let digits = max(2, String(count).count)
        let s = String(index + 1)
        return prefix + "_" + String(repeating: "0", count: max(0, digits - s.count)) + s
    }

    public func rackPrimName(_ r: Int) -> String { Self.indexedName("Rack", r, count: recording.racks.count) }
    public func nodePrimName(rack r: Int, node n: Int) -> String {
        Self.indexedName("Node", n, count: recording.racks[r].nodes.count)
    }
    public func rackPath(_ r: Int) -> String { "/Refinery/Racks/\(rackPrimName(r))" }
    public func nodePath(rack r: Int, node n: Int) -> String { rackPath(r) + "/" + nodePrimName(rack: r, node: n) }
    public func fanPrimName(rack r: Int, node n: Int, fan f: Int) -> String {
        nodePrimName(rack: r, node: n) + "_Fan\(f + 1)"
    }
    public func fanPath(rack r: Int, node n: Int, fan f: Int) -> String {
        rackPath(r) + "/Fans/" + fanPrimName(rack: r, node: n, fan: f)
    }
    /// Relative path of a node type's layer.
    public static func assetFile(_ nodeType: String) -> String { "assets/\(USDText.fileName(nodeType)).usda" }

    /// Validates the recording, then writes every file atomically (temporary name + rename);
    /// the node layers first and the stage last, so the stage never names a missing layer.
    @discardableResult
    public func write(to directory: URL) throws -> USDWriteReport {
        let start = Date()
        try recording.validate()
        let fm = FileManager.default
        do {
            try fm.createDirectory(
                at: directory.appendingPathComponent("assets", isDirectory: true), withIntermediateDirectories: true)
        } catch {
            throw ExportError.io(path: directory.path, operation: "create assets folder", reason: "\(error)")
        }
        var files: [(String, Int)] = []
        func put(_ rel: String, _ buffer: TextBuffer) throws {
            try AtomicFile.write(buffer.data, to: directory.appendingPathComponent(rel))
            files.append((rel, buffer.count))
        }
        for asset in recording.nodeAssets { try put(Self.assetFile(asset.name), assetLayer(asset)) }
        try put("telemetry.csv", telemetryCSV())
        try put("fans.csv", fansCSV())
        try put(stageFileName, stage())
        return USDWriteReport(files: files, seconds: Date().timeIntervalSince(start))
    }

    // MARK: axes

    private func map(_ v: SIMD3<Double>, _ up: StageRecording.UpAxis) -> SIMD3<Double> {
        up == .y ? SIMD3(v.x, v.z, -v.y) : v
    }
    private func mapSize(_ v: SIMD3<Double>) -> SIMD3<Double> {
        recording.upAxis == .y ? SIMD3(v.x, v.z, v.y) : v
    }
    private func map(_ v: SIMD3<Double>) -> SIMD3<Double> { map(v, recording.upAxis) }

    /// Rotation (w, x, y, z) taking local +Z to the fan axis. Built in the solver's axes (the
    /// shortest rotation q_s from z to the axis), then composed with the axis mapping's own
    /// rotation for Y-up (q_R = −90° about X, which takes (x, y, z) to (x, z, −y)): q_R ⊗ q_s.
    /// So the fan frame in a Y-up stage is exactly the Z-up one carried by the mapping, and
    /// both variants spin the same blades to the same places.
    private func orientation(_ axis: SIMD3<Double>) -> (Double, Double, Double, Double) {
        let a = axis / (axis * axis).sum().squareRoot()
        var w: Double, v: SIMD3<Double>
        if a.z < -1 + 1e-12 {
            (w, v) = (0, SIMD3(1, 0, 0)) // 180° about x
        } else {
            // (1 + z·a, z × a), normalised; z × a = (−a.y, a.x, 0)
            (w, v) = (1 + a.z, SIMD3(-a.y, a.x, 0))
            let n = (w * w + (v * v).sum()).squareRoot()
            w /= n
            v /= n
        }
        guard recording.upAxis == .y else { return (w, v.x, v.y, v.z) }
        let h = 0.5.squareRoot()
        let rw = h, rv = SIMD3(-h, 0, 0) // q_R
        func cross(_ p: SIMD3<Double>, _ q: SIMD3<Double>) -> SIMD3<Double> {
            SIMD3(p.y * q.z - p.z * q.y, p.z * q.x - p.x * q.z, p.x * q.y - p.y * q.x)
        }
        let qw = rw * w - (rv * v).sum()
        let qv = rw * v + w * rv + cross(rv, v)
        return (qw, qv.x, qv.y, qv.z)
    }

    // MARK: text pieces

    private func colour(_ b: inout TextBuffer, _ c: StageRecording.Colour) {
        b.usdVector(SIMD3(c.r, c.g, c.b), significant: 4)
    }


    /// A unit Cube (size 1) scaled and moved onto `box` (node or rack frame → stage axes).
    private func cube(
        _ b: inout TextBuffer, _ level: Int, name: String, box: StageRecording.Box,
        kind: String?, extra: (inout TextBuffer) -> Void
    ) {
        b.usdIndent(level)
        b.append("def Cube \(USDText.quoted(name))")
        if let kind {
            b.append(" (\n")
            b.usdLine(level + 1, "kind = \(USDText.quoted(kind))")
            b.usdIndent(level)
            b.append(")")
        }
        b.byte(10)
        b.usdLine(level, "{")
        b.usdLine(level + 1, "double size = 1")
        b.usdLine(level + 1, "float3[] extent = [(-0.5, -0.5, -0.5), (0.5, 0.5, 0.5)]")
        b.usdVectorLine(level + 1, "double3 xformOp:translate", map(box.centre))
        b.usdVectorLine(level + 1, "float3 xformOp:scale", mapSize(box.size))
        b.usdLine(level + 1, "uniform token[] xformOpOrder = [\"xformOp:translate\", \"xformOp:scale\"]")
        extra(&b)
        b.usdLine(level, "}")
    }

    /// Translate + orient placing a fan (centre in node frame + `offset`) with local Z on its axis.
    private func fanPlacement(_ b: inout TextBuffer, _ level: Int, centre: SIMD3<Double>, axis: SIMD3<Double>) {
        b.usdVectorLine(level, "double3 xformOp:translate", map(centre), significant: 9)
        let q = orientation(axis)
        b.usdIndent(level)
        b.append("quatf xformOp:orient = (")
        b.number(q.0)
        b.append(", ")
        b.number(q.1)
        b.append(", ")
        b.number(q.2)
        b.append(", ")
        b.number(q.3)
        b.append(")\n")
        b.usdLine(level, "uniform token[] xformOpOrder = [\"xformOp:translate\", \"xformOp:orient\"]")
    }

    // MARK: node asset layer

    /// `assets/<type>.usda`: the node type in its own frame (origin at the chassis' min corner).
    public func assetLayer(_ asset: StageRecording.NodeAsset) -> TextBuffer {
        var b = TextBuffer(capacity: 8192)
        let root = USDText.identifier(asset.name)
        b.usdLayerHeader(
            defaultPrim: root,
            doc:
                "RackFlow node type \(asset.name): chassis, parts and static fan shrouds, metres, origin at the "
                + "chassis' min corner",
            timing: nil, upAxis: recording.upAxis.rawValue)
        b.append("def Xform \(USDText.quoted(root)) (\n")
        b.usdLine(1, "kind = \"component\"")
        b.append(")\n{\n")
        b.usdLine(1, "custom string rackflow:nodeType = \(USDText.quoted(asset.name))")
        b.usdLine(
            1, "# default colour for the asset on its own; the stage's node instances override it with the heat map"
        )
        b.usdLine(1, "color3f[] primvars:displayColor = [(0.18, 0.18, 0.2)] (")
        b.usdLine(2, "interpolation = \"constant\"")
        b.usdLine(1, ")")
        b.byte(10)
        b.usdLine(1, "# the chassis shell authors no colour: it inherits the node's (heat map) displayColor")
        cube(&b, 1, name: "Chassis", box: StageRecording.Box(min: .zero, max: asset.size), kind: "subcomponent") { b in
            b.usdLine(2, "float[] primvars:displayOpacity = [0.3] (")
            b.usdLine(3, "interpolation = \"constant\"")
            b.usdLine(2, ")")
        }
        b.byte(10)
        b.usdLine(1, "def Scope \"Parts\"")
        b.usdLine(1, "{")
        var used = Set<String>()
        func unique(_ s: String) -> String {
            var n = USDText.identifier(s), k = 2
            let base = n
            while !used.insert(n).inserted {
                n = "\(base)_\(k)"
                k += 1
            }
            return n
        }
        for part in asset.parts {
            cube(&b, 2, name: unique(part.name), box: part.box, kind: "subcomponent") { b in
                b.usdLine(3, "custom string rackflow:name = \(USDText.quoted(part.name))")
                b.usdLine(3, "custom string rackflow:partKind = \(USDText.quoted(part.kind))")
                b.usdIndent(3)
                b.append("color3f[] primvars:displayColor = [")
                colour(&b, part.colour)
                b.append("] (\n")
                b.usdLine(4, "interpolation = \"constant\"")
                b.usdLine(3, ")")
            }
        }
        b.usdLine(1, "}")
        b.byte(10)
        b.usdLine(
            1,
            "# static shrouds; the spinning rotors are per fan in the stage (Rack_NN/Fans), since these are instanced")
        b.usdLine(1, "def Scope \"Fans\"")
        b.usdLine(1, "{")
        for (i, fan) in asset.fans.enumerated() {
            b.usdPrimOpen(2, "def Xform \"Fan_\(i + 1)\"", kind: "subcomponent")
            b.usdLine(3, "custom string rackflow:name = \(USDText.quoted(fan.name))")
            b.usdIntLine(3, "custom int fan:bladeCount", fan.bladeCount)
            b.usdNumberLine(3, "custom double fan:radiusM", fan.radius)
            fanPlacement(&b, 3, centre: fan.centre, axis: fan.axis)
            b.usdLine(3, "def Cylinder \"Shroud\"")
            b.usdLine(3, "{")
            let r = fan.radius * 1.05, h = fan.radius * 0.5
            b.usdLine(4, "uniform token axis = \"Z\"")
            b.usdNumberLine(4, "double radius", r)
            b.usdNumberLine(4, "double height", h)
            b.usdIndent(4)
            b.append("float3[] extent = [")
            b.usdVector(SIMD3(-r, -r, -h / 2))
            b.append(", ")
            b.usdVector(SIMD3(r, r, h / 2))
            b.append("]\n")
            b.usdLine(4, "color3f[] primvars:displayColor = [(0.05, 0.05, 0.05)] (")
            b.usdLine(5, "interpolation = \"constant\"")
            b.usdLine(4, ")")
            b.usdLine(4, "float[] primvars:displayOpacity = [0.35] (")
            b.usdLine(5, "interpolation = \"constant\"")
            b.usdLine(4, ")")
            b.usdLine(3, "}")
            b.usdLine(2, "}")
        }
        b.usdLine(1, "}")
        b.append("}\n")
        return b
    }

    // MARK: stage

    /// Blade counts used by any fan: one rotor prototype each.
    private var bladeCounts: [Int] {
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
                    writeFan(
                        &b, rack: ri, node: ni, fan: fi, spec: fan, chassisMin: node.chassis.min,
                        rpm: node.fanRPM[fi], phaseDeg: Double(globalFan) * 137.50776405003785)
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
    private func timeSamples(
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

    private func telemetryChannels(_ node: StageRecording.Node) -> [String] {
        let std = StageRecording.Channel.standard.filter { node.telemetry[$0] != nil }
        return std + node.telemetry.keys.filter { !StageRecording.Channel.standard.contains($0) }.sorted()
    }

    private func writeNode(_ b: inout TextBuffer, rack ri: Int, node ni: Int, _ node: StageRecording.Node) {
        let r = recording
        b.usdLine(3, "def Xform \(USDText.quoted(nodePrimName(rack: ri, node: ni))) (")
        b.usdLine(4, "instanceable = true")
        b.usdLine(4, "kind = \"component\"")
        b.usdLine(4, "prepend references = \(USDText.assetPath(Self.assetFile(node.type)))")
        b.usdLine(3, ")")
        b.usdLine(3, "{")
        b.usdLine(4, "custom string rackflow:name = \(USDText.quoted(node.name))")
        b.usdLine(4, "custom string rackflow:nodeType = \(USDText.quoted(node.type))")
        b.usdVectorLine(4, "double3 xformOp:translate", map(node.chassis.min), significant: 9)
        b.usdLine(4, "uniform token[] xformOpOrder = [\"xformOp:translate\"]")
        // heat map on the instance prim itself: inherited by the asset's chassis shell
        let hot = node.telemetry[r.heatmap.channel]!
        b.usdLine(4, "color3f[] primvars:displayColor (")
        let (fromC, toC) = (USDText.number(r.heatmap.minC), USDText.number(r.heatmap.maxC))
        let doc = "heat map of telemetry:\(r.heatmap.channel) from \(fromC) (blue) to \(toC) (orange-red), linear RGB"
        b.usdLine(5, "doc = \(USDText.quoted(doc))")
        b.usdLine(5, "interpolation = \"constant\"")
        b.usdLine(4, ")")
        b.usdIndent(4)
        b.append("color3f[] primvars:displayColor.timeSamples = {\n")
        for (k, v) in hot.enumerated() {
            let f = r.firstFrame + k, column = ((f % 4) + 4) % 4 // four to a line
            if k == 0 || column == 0 { b.usdIndent(5) } else { b.byte(32) }
            b.int(f)
            b.append(": [")
            colour(&b, r.heatmap.colour(v))
            b.append("],")
            if column == 3 || k == hot.count - 1 { b.byte(10) }
        }
        b.usdLine(4, "}")
        for name in telemetryChannels(node) {
            let decl = "custom double telemetry:\(name)"
            b.usdLine(4, decl + " (")
            b.usdLine(5, "doc = \(USDText.quoted(StageRecording.Channel.doc(name)))")
            b.usdLine(4, ")")
            timeSamples(&b, 4, decl, node.telemetry[name]!)
        }
        b.usdLine(3, "}")
    }

    private func writeFan(
        _ b: inout TextBuffer, rack ri: Int, node ni: Int, fan fi: Int, spec: StageRecording.Fan,
        chassisMin: SIMD3<Double>, rpm: [Double], phaseDeg: Double
    ) {
        let r = recording
        if ni > 0 || fi > 0 { b.byte(10) }
        b.usdPrimOpen(4, "def Xform \(USDText.quoted(fanPrimName(rack: ri, node: ni, fan: fi)))", kind: "component")
        b.usdLine(5, "rel rackflow:node = <\(nodePath(rack: ri, node: ni))>")
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

    private func writeVolume(_ b: inout TextBuffer, rack ri: Int, _ rack: StageRecording.Rack) {
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
    private func writeRotorPrototypes(_ b: inout TextBuffer) {
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
            b.usdLine(3, "color3f[] primvars:displayColor = [(0.03, 0.03, 0.03)] (")
            b.usdLine(4, "interpolation = \"constant\"")
            b.usdLine(3, ")")
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
                b.usdLine(3, "color3f[] primvars:displayColor = [(0.06, 0.06, 0.06)] (")
                b.usdLine(4, "interpolation = \"constant\"")
                b.usdLine(3, ")")
                b.usdLine(2, "}")
            }
            b.usdLine(1, "}")
        }
        b.append("}\n")
    }

    // MARK: CSV

    /// `telemetry.csv`: one row per frame, rack and node; one column per channel (the union
    /// over nodes; empty where a node lacks one).
    public func telemetryCSV() -> TextBuffer {
        let r = recording
        var channels = StageRecording.Channel.standard.filter { c in
            r.racks.contains { $0.nodes.contains { $0.telemetry[c] != nil } }
        }
        channels += Set(r.racks.flatMap { $0.nodes.flatMap { $0.telemetry.keys } })
            .subtracting(StageRecording.Channel.standard).sorted()
        var b = TextBuffer(capacity: r.frameCount * r.racks.count * 12 * (60 + 12 * channels.count))
        b.append("frame,timeS,rack,node,prim,nodeType")
        for c in channels {
            b.byte(44)
            b.append(c)
        }
        b.byte(10)
        // names are constant per row group: escape once
        let rackNames = r.racks.map { USDText.csvField($0.name) }
        for k in 0..<r.frameCount {
            let frame = r.firstFrame + k
            for (ri, rack) in r.racks.enumerated() {
                for (ni, node) in rack.nodes.enumerated() {
                    b.int(frame)
                    b.byte(44)
                    b.number(r.timeS(frame: frame), significant: 9)
                    b.byte(44)
                    b.append(rackNames[ri])
                    b.byte(44)
                    b.append(USDText.csvField(node.name))
                    b.byte(44)
                    b.append(nodePath(rack: ri, node: ni))
                    b.byte(44)
                    b.append(USDText.csvField(node.type))
                    for c in channels {
                        b.byte(44)
                        if let v = node.telemetry[c] { b.number(v[k]) }
                    }
                    b.byte(10)
                }
            }
        }
        return b
    }

    /// `fans.csv`: one row per frame and fan: rpm, blade-pass frequency, vibration amplitude.
    public func fansCSV() -> TextBuffer {
        let r = recording
        let assets = Dictionary(uniqueKeysWithValues: r.nodeAssets.map { ($0.name, $0) })
        var b = TextBuffer(capacity: 1 << 20)
        b.append("frame,timeS,rack,node,fan,prim,rpm,bladePassHz,amplitudeM\n")
        for k in 0..<r.frameCount {
            let frame = r.firstFrame + k
            for (ri, rack) in r.racks.enumerated() {
                for (ni, node) in rack.nodes.enumerated() {
                    let fans = assets[node.type]!.fans
                    for (fi, fan) in fans.enumerated() {
                        let rpm = node.fanRPM[fi][k]
                        b.int(frame)
                        b.byte(44)
                        b.number(r.timeS(frame: frame), significant: 9)
                        b.byte(44)
                        b.append(USDText.csvField(rack.name))
                        b.byte(44)
                        b.append(USDText.csvField(node.name))
                        b.byte(44)
                        b.append(USDText.csvField(fan.name))
                        b.byte(44)
                        b.append(fanPath(rack: ri, node: ni, fan: fi))
                        b.byte(44)
                        b.number(rpm)
                        b.byte(44)
                        b.number(FanMotion.bladePassHz(rpm: rpm, blades: fan.bladeCount))
                        b.byte(44)
                        b.number(FanMotion.amplitudeM(rpm: rpm, model: r.fanMotion))
                        b.byte(10)
                    }
                }
            }
        }
        return b
    }
}
