import Foundation
import RackFlowModel

/// The room as a USD stage for Houdini (Solaris), plain `.usda` text, Y up (DESIGN §7):
///
///     room.usda                       the stage
///     assets/<nodeType>.usda          node types, as the surge stage writes them (`StageAssets`)
///     assets/racks/<rackType>.usda    one layer per rack type: the rack's shell and its nodes,
///                                     each an instanceable reference to its node type
///     racks/<rack>/fields.vdb         each rack's fields, written by the rank that solved it
///     tray-probes.csv                 frame, timeS, tray, station, point, temperature, velocity, vibration
///
/// Hierarchy (kinds in brackets):
///
///     /Room [assembly]
///       Racks [group]
///         A01 [group]            placement (translate, rotateY) from the room layout; rack-level
///                                telemetry:* (inlet flow, share, slot pressure, exhaust, heat)
///           Rack [assembly]      instanceable, references @./assets/racks/<rackType>.usda@
///           Telemetry            Node_01 …: rel rackflow:node to the node inside the instance,
///                                telemetry:* per node (power, hottest GPU, CPU, airflow, outlet)
///           Fields [component]   Volume; field:<name> → OpenVDBAsset, filePath per frame
///       CableTrays [group]
///         <tray> [component]     BasisCurves along the tray (one vertex per probe station):
///                                probe:* and vibration:* time-sampled, vertex primvars
///                                temperatureC, speedMPerS, vibrationAmplitudeM per frame, and
///                                the constant vibrationModeShape (first bending mode, 0 at the
///                                supports): displace P by amplitude · mode · sin(2π f t) along
///                                primvars:vibrationDirection (up) to shake the cabling
///
/// Why telemetry sits beside the rack instance and not on its nodes: everything inside an
/// instance is a proxy of the shared prototype and takes no per-rack opinions; sharing the rack
/// type is what keeps a 16-rack, 160-node room light. Racks in the rack layer are in their own
/// frame; the Volume sits under the placed rack prim, so the VDB files stay in the rack frame
/// as the surge writes them.
public struct RoomStageWriter {
    public struct RackType {
        /// Asset name (file stem), unique per rack file.
        public var name: String
        /// Inner box of the rack, rack frame, m.
        public var innerSizeM: SIMD3<Double>
        public var nodes: [(name: String, type: String, chassis: StageRecording.Box)]
        public init(
            name: String, innerSizeM: SIMD3<Double>, nodes: [(name: String, type: String, chassis: StageRecording.Box)]
        ) {
            self.name = name
            self.innerSizeM = innerSizeM
            self.nodes = nodes
        }
    }
    public struct Rack {
        public var name: String
        public var type: String
        public var translationM: SIMD3<Double>
        public var rotationDegrees: Double
        /// Per channel, one value per frame.
        public var telemetry: [String: [Double]]
        /// Per node of its type (same order): per channel, one value per frame.
        public var nodeTelemetry: [[String: [Double]]]
        /// Per frame: the VDB file, relative to the stage's folder.
        public var vdbFiles: [String]
        public var fieldBounds: StageRecording.Box
        public init(
            name: String, type: String, translationM: SIMD3<Double>, rotationDegrees: Double,
            telemetry: [String: [Double]],
            nodeTelemetry: [[String: [Double]]], vdbFiles: [String], fieldBounds: StageRecording.Box
        ) {
            self.name = name
            self.type = type
            self.translationM = translationM
            self.rotationDegrees = rotationDegrees
            self.telemetry = telemetry
            self.nodeTelemetry = nodeTelemetry
            self.vdbFiles = vdbFiles
            self.fieldBounds = fieldBounds
        }
    }

    public var roomName: String
    public var doc: String
    public var fps: Double
    public var firstFrame: Int
    public var firstFrameTimeS: Double
    public var nodeAssets: [StageRecording.NodeAsset]
    public var rackTypes: [RackType]
    public var racks: [Rack]
    public var trays: [RoomSpec.CableTray]
    /// Per frame, per tray (the order of `trays`): the probes.
    public var trayFrames: [[TrayProbes.Tray]]
    public var stageFileName = "room.usda"

    public init(
        roomName: String, doc: String, fps: Double = 24, firstFrame: Int = 1, firstFrameTimeS: Double = 0,
        nodeAssets: [StageRecording.NodeAsset], rackTypes: [RackType], racks: [Rack], trays: [RoomSpec.CableTray],
        trayFrames: [[TrayProbes.Tray]]
    ) {
        self.roomName = roomName
        self.doc = doc
        self.fps = fps
        self.firstFrame = firstFrame
        self.firstFrameTimeS = firstFrameTimeS
        self.nodeAssets = nodeAssets
        self.rackTypes = rackTypes
        self.racks = racks
        self.trays = trays
        self.trayFrames = trayFrames
    }

    public var frameCount: Int { trayFrames.count }
    public var lastFrame: Int { firstFrame + frameCount - 1 }
    public static func rackTypeFile(_ name: String) -> String { "assets/racks/\(USDText.fileName(name)).usda" }
    public func trayPrimNames() -> [String] {
        var used = Set<String>()
        return trays.map { t in
            var n = USDText.identifier(t.name), k = 2
            let base = n
            while !used.insert(n).inserted {
                n = "\(base)_\(k)"
                k += 1
            }
            return n
        }
    }

    /// Checks that every per-frame array has one value per frame and every value is finite;
    /// throws naming the value.
    public func validate() throws {
        func fail(_ path: String, _ problem: String) -> USDExportError {
            .invalidRecording(path: path, problem: problem)
        }
        guard frameCount >= 1 else { throw fail("trayFrames", "no frames") }
        guard fps.isFinite, fps > 0 else { throw fail("fps", "must be positive, is \(fps)") }
        let types = Dictionary(rackTypes.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        let assets = Set(nodeAssets.map(\.name))
        for t in rackTypes {
            for n in t.nodes where !assets.contains(n.type) {
                throw fail("rackTypes '\(t.name)'.\(n.name)", "no node asset '\(n.type)'")
            }
        }
        func check(_ path: String, _ channels: [String: [Double]]) throws {
            for (c, v) in channels {
                guard USDText.identifier(c) == c else { throw fail(path + ".\(c)", "not an identifier") }
                guard v.count == frameCount else {
                    throw fail(path + ".\(c)", "has \(v.count) values for \(frameCount) frames")
                }
                if let k = v.firstIndex(where: { !$0.isFinite }) { throw fail(path + ".\(c)[\(k)]", "not finite") }
            }
        }
        for r in racks {
            guard let t = types[r.type] else { throw fail("racks '\(r.name)'.type", "no rack type '\(r.type)'") }
            try check("racks '\(r.name)'.telemetry", r.telemetry)
            guard r.nodeTelemetry.count == t.nodes.count else {
                throw fail(
                    "racks '\(r.name)'.nodeTelemetry", "has \(r.nodeTelemetry.count) nodes, type has \(t.nodes.count)")
            }
            for (i, n) in r.nodeTelemetry.enumerated() { try check("racks '\(r.name)'.nodes[\(i)]", n) }
            guard r.vdbFiles.count == frameCount, r.vdbFiles.allSatisfy(USDText.isValidAssetPath) else {
                throw fail(
                    "racks '\(r.name)'.vdbFiles",
                    "needs one valid path per frame (has \(r.vdbFiles.count) for \(frameCount))")
            }
        }
        for (f, frame) in trayFrames.enumerated() {
            guard frame.count == trays.count else {
                throw fail("trayFrames[\(f)]", "has \(frame.count) trays, the room \(trays.count)")
            }
            for t in frame {
                for (i, s) in t.samples.enumerated()
                where ![s.temperatureC, s.upwardVelocityMPerS, s.vibrationAmplitudeM, s.vibrationFrequencyHz]
                    .allSatisfy(\.isFinite)
                {
                    throw fail("trayFrames[\(f)] '\(t.name)'.samples[\(i)]", "not finite")
                }
            }
            for (a, b) in zip(frame, trayFrames[0]) where a.samples.count != b.samples.count {
                throw fail("trayFrames[\(f)] '\(a.name)'", "station count changes between frames")
            }
        }
    }

    /// Writes the layers (node types, rack types), `tray-probes.csv` and the stage last, each
    /// atomically, into `directory` (a staging folder: the VDB files are already there).
    @discardableResult
    public func write(to directory: URL) throws -> USDWriteReport {
        let start = Date()
        try validate()
        try FileManager.default.createDirectory(
            at: directory.appendingPathComponent("assets/racks", isDirectory: true), withIntermediateDirectories: true)
        var files: [(String, Int)] = []
        func put(_ rel: String, _ b: TextBuffer) throws {
            try AtomicFile.write(b.data, to: directory.appendingPathComponent(rel))
            files.append((rel, b.count))
        }
        let nodeWriter = USDStageWriter(
            StageRecording(
                lastFrame: 1, nodeAssets: nodeAssets, racks: [],
                heatmap: .init(minC: 0, maxC: 1)))
        for a in nodeAssets { try put(USDStageWriter.assetFile(a.name), nodeWriter.assetLayer(a)) }
        for t in rackTypes { try put(Self.rackTypeFile(t.name), rackLayer(t)) }
        try put("tray-probes.csv", probesCSV())
        try put(stageFileName, stage())
        return USDWriteReport(files: files, seconds: Date().timeIntervalSince(start))
    }

    // MARK: text

    private func map(_ v: SIMD3<Double>) -> SIMD3<Double> { SIMD3(v.x, v.z, -v.y) }


    private func samples(_ b: inout TextBuffer, _ level: Int, _ decl: String, _ values: [Double], doc: String? = nil) {
        if let doc {
            b.usdLine(level, decl + " (")
            b.usdLine(level + 1, "doc = \(USDText.quoted(doc))")
            b.usdLine(level, ")")
        }
        b.usdIndent(level)
        b.append(decl)
        b.append(".timeSamples = {")
        for (k, v) in values.enumerated() {
            b.byte(32)
            b.int(firstFrame + k)
            b.append(": ")
            b.number(v)
            b.byte(44)
        }
        b.append(" }\n")
    }

    private func arraySamples(_ b: inout TextBuffer, _ level: Int, _ decl: String, doc: String, _ frames: [[Double]]) {
        b.usdLine(level, decl + " (")
        b.usdLine(level + 1, "doc = \(USDText.quoted(doc))")
        b.usdLine(level + 1, "interpolation = \"vertex\"")
        b.usdLine(level, ")")
        b.usdIndent(level)
        b.append(decl)
        b.append(".timeSamples = {\n")
        for (k, values) in frames.enumerated() {
            b.usdIndent(level + 1)
            b.int(firstFrame + k)
            b.append(": [")
            for (i, v) in values.enumerated() {
                if i > 0 { b.append(", ") }
                b.number(v, significant: 6)
            }
            b.append("],\n")
        }
        b.usdLine(level, "}")
    }

    static func channelDoc(_ name: String) -> String {
        switch name {
        case "inletFlowM3PerS": return "air the plenum feeds the rack, m3/s"
        case "share": return "the rack's fraction of the blower flow"
        case "slotPressurePa": return "static pressure the rack needs at its bottom slot, relative to its exhaust, Pa"
        case "exhaustC": return "mixed-cup (flow-weighted) exhaust temperature, degC"
        case "heatW": return "heat released in the rack, W"
        case "outletC": return "node outlet air temperature, degC"
        default: return StageRecording.Channel.doc(name)
        }
    }

    /// `assets/racks/<type>.usda`: the rack in its own frame.
    public func rackLayer(_ t: RackType) -> TextBuffer {
        var b = TextBuffer(capacity: 4096)
        b.usdLayerHeader(
            defaultPrim: "Rack", doc: "RackFlow rack type \(t.name): inner shell and nodes, rack frame, metres",
            timing: nil, upAxis: "Y")
        b.append("def Xform \"Rack\" (\n")
        b.usdLine(1, "kind = \"assembly\"")
        b.append(")\n{\n")
        b.usdLine(1, "custom string rackflow:rackType = \(USDText.quoted(t.name))")
        b.usdLine(1, "def Cube \"Shell\"")
        b.usdLine(1, "{")
        b.usdLine(2, "double size = 1")
        b.usdLine(2, "float3[] extent = [(-0.5, -0.5, -0.5), (0.5, 0.5, 0.5)]")
        b.usdVectorLine(2, "double3 xformOp:translate", map(t.innerSizeM / 2))
        let s = map(t.innerSizeM)
        b.usdVectorLine(2, "float3 xformOp:scale", SIMD3(s.x, s.y, -s.z))
        b.usdLine(2, "uniform token[] xformOpOrder = [\"xformOp:translate\", \"xformOp:scale\"]")
        b.usdLine(2, "color3f[] primvars:displayColor = [(0.1, 0.1, 0.12)] (")
        b.usdLine(3, "interpolation = \"constant\"")
        b.usdLine(2, ")")
        b.usdLine(2, "float[] primvars:displayOpacity = [0.15] (")
        b.usdLine(3, "interpolation = \"constant\"")
        b.usdLine(2, ")")
        b.usdLine(1, "}")
        for (i, n) in t.nodes.enumerated() {
            b.byte(10)
            b.usdLine(1, "def Xform \(USDText.quoted(USDStageWriter.indexedName("Node", i, count: t.nodes.count))) (")
            b.usdLine(2, "instanceable = true")
            b.usdLine(2, "kind = \"component\"")
            b.usdLine(2, "prepend references = @../\(USDText.fileName(n.type)).usda@")
            b.usdLine(1, ")")
            b.usdLine(1, "{")
            b.usdLine(2, "custom string rackflow:name = \(USDText.quoted(n.name))")
            b.usdLine(2, "custom string rackflow:nodeType = \(USDText.quoted(n.type))")
            b.usdVectorLine(2, "double3 xformOp:translate", map(n.chassis.min), significant: 9)
            b.usdLine(2, "uniform token[] xformOpOrder = [\"xformOp:translate\"]")
            b.usdLine(1, "}")
        }
        b.append("}\n")
        return b
    }

    /// The root layer.
    public func stage() -> TextBuffer {
        var b = TextBuffer(capacity: 1 << 16)
        let types = Dictionary(rackTypes.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        let timing = USDTiming(firstFrame: firstFrame, lastFrame: lastFrame, fps: fps)
        b.usdLayerHeader(defaultPrim: "Room", doc: doc, timing: timing, upAxis: "Y")
        b.append("def Xform \"Room\" (\n")
        b.usdLine(1, "kind = \"assembly\"")
        b.append(")\n{\n")
        b.usdLine(1, "custom string rackflow:room = \(USDText.quoted(roomName))")
        b.usdPrimOpen(1, "def Xform \"Racks\"", kind: "group")
        for (ri, r) in racks.enumerated() {
            let t = types[r.type]!
            let path = "/Room/Racks/\(USDText.identifier(r.name))"
            if ri > 0 { b.byte(10) }
            b.usdPrimOpen(2, "def Xform \(USDText.quoted(USDText.identifier(r.name)))", kind: "group")
            b.usdLine(3, "custom string rackflow:name = \(USDText.quoted(r.name))")
            b.usdLine(3, "custom string rackflow:rackType = \(USDText.quoted(r.type))")
            b.usdVectorLine(3, "double3 xformOp:translate", map(r.translationM), significant: 9)
            b.usdNumberLine(3, "double xformOp:rotateY", r.rotationDegrees, significant: 9)
            b.usdLine(3, "uniform token[] xformOpOrder = [\"xformOp:translate\", \"xformOp:rotateY\"]")
            for c in r.telemetry.keys.sorted() {
                samples(&b, 3, "custom double telemetry:\(c)", r.telemetry[c]!, doc: Self.channelDoc(c))
            }
            b.byte(10)
            b.usdLine(3, "def Xform \"Rack\" (")
            b.usdLine(4, "instanceable = true")
            b.usdLine(4, "prepend references = \(USDText.assetPath(Self.rackTypeFile(r.type)))")
            b.usdLine(3, ")")
            b.usdLine(3, "{")
            b.usdLine(3, "}")
            b.byte(10)
            b.usdLine(3, "def Scope \"Telemetry\"")
            b.usdLine(3, "{")
            for (ni, n) in t.nodes.enumerated() {
                let prim = USDStageWriter.indexedName("Node", ni, count: t.nodes.count)
                b.usdLine(4, "def Scope \(USDText.quoted(prim))")
                b.usdLine(4, "{")
                b.usdLine(5, "rel rackflow:node = <\(path)/Rack/\(prim)>")
                b.usdLine(5, "custom string rackflow:name = \(USDText.quoted(n.name))")
                let tel = r.nodeTelemetry[ni]
                for c in tel.keys.sorted() {
                    samples(&b, 5, "custom double telemetry:\(c)", tel[c]!, doc: Self.channelDoc(c))
                }
                b.usdLine(4, "}")
            }
            b.usdLine(3, "}")
            b.byte(10)
            writeVolume(&b, path: path + "/Fields", r)
            b.usdLine(2, "}")
        }
        b.usdLine(1, "}")
        if !trays.isEmpty {
            b.byte(10)
            writeTrays(&b)
        }
        b.append("}\n")
        return b
    }

    private func writeVolume(_ b: inout TextBuffer, path: String, _ r: Rack) {
        b.usdPrimOpen(3, "def Volume \"Fields\"", kind: "component")
        b.usdLine(4, "# the VDB files are in the rack frame, Y-up axes, metres (the rack prim places them)")
        b.usdExtent(4, map(r.fieldBounds.min), map(r.fieldBounds.max))
        let fields = StageRecording.VolumeField.standard
        for f in fields { b.usdLine(4, "rel field:\(f.name) = <\(path)/\(f.name)>") }
        VolumeFieldAssets.write(&b, level: 4, fields: fields, files: r.vdbFiles, firstFrame: firstFrame)
        b.usdLine(3, "}")
    }

    private func writeTrays(_ b: inout TextBuffer) {
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
            b.usdLine(3, "color3f[] primvars:displayColor = [(0.55, 0.55, 0.5)] (")
            b.usdLine(4, "interpolation = \"constant\"")
            b.usdLine(3, ")")
            b.usdLine(3, "vector3f[] primvars:vibrationDirection = [(0, 1, 0)] (")
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
            let frames = trayFrames.map { $0[ti] }
            samples(
                &b, 3, "custom double probe:maxTemperatureC", frames.map(\.maxTemperatureC),
                doc: "hottest probe along the tray, degC")
            samples(
                &b, 3, "custom double probe:maxSpeedMPerS", frames.map(\.maxSpeedMPerS),
                doc: "fastest air at the tray, m/s (upward)")
            samples(
                &b, 3, "custom double vibration:amplitudeM", frames.map(\.vibrationAmplitudeM),
                doc: "amplitude of the tray's first mode, m, from the dynamic pressure of the air at it")
            samples(
                &b, 3, "custom double vibration:frequencyHz", frames.map(\.vibrationFrequencyHz),
                doc: "vortex-shedding frequency off the tray at its fastest air, Hz")
            arraySamples(
                &b, 3, "float[] primvars:temperatureC", doc: "air temperature at each vertex (probe station), degC",
                frames.map { $0.samples.map(\.temperatureC) })
            arraySamples(
                &b, 3, "float[] primvars:speedMPerS", doc: "air speed at each vertex, m/s",
                frames.map { $0.samples.map(\.speedMPerS) })
            arraySamples(
                &b, 3, "float[] primvars:vibrationAmplitudeM", doc: "local vibration amplitude at each vertex, m",
                frames.map { $0.samples.map(\.vibrationAmplitudeM) })
            b.usdLine(2, "}")
        }
        b.usdLine(1, "}")
    }

    /// `tray-probes.csv`: one row per frame, tray and station; room frame (x along the rows,
    /// y across, z up), metres.
    public func probesCSV() -> TextBuffer {
        var b = TextBuffer(capacity: 1 << 14)
        b.append(
            "frame,timeS,tray,station,xM,yM,zM,temperatureC,speedMPerS,"
                + "velocityXMPerS,velocityYMPerS,velocityZMPerS,vibrationAmplitudeM,vibrationFrequencyHz\n"
        )
        for (k, frame) in trayFrames.enumerated() {
            let f = firstFrame + k
            for t in frame {
                for (i, s) in t.samples.enumerated() {
                    b.int(f)
                    b.byte(44)
                    b.number(firstFrameTimeS + Double(k) / fps, significant: 9)
                    b.byte(44)
                    b.append(USDText.csvField(t.name))
                    b.byte(44)
                    b.int(i)
                    b.byte(44)
                    b.number(s.pointM.x)
                    b.byte(44)
                    b.number(s.pointM.y)
                    b.byte(44)
                    b.number(s.pointM.z)
                    b.byte(44)
                    b.number(s.temperatureC)
                    b.byte(44)
                    b.number(s.speedMPerS)
                    b.append(",0,0,")
                    b.number(s.upwardVelocityMPerS)
                    b.byte(44)
                    b.number(s.vibrationAmplitudeM)
                    b.byte(44)
                    b.number(s.vibrationFrequencyHz)
                    b.byte(10)
                }
            }
        }
        return b
    }
}
