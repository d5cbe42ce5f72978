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

    func map(_ v: SIMD3<Double>, _ up: StageRecording.UpAxis) -> SIMD3<Double> {
        up == .y ? SIMD3(v.x, v.z, -v.y) : v
    }
    func mapSize(_ v: SIMD3<Double>) -> SIMD3<Double> {
        recording.upAxis == .y ? SIMD3(v.x, v.z, v.y) : v
    }
    func map(_ v: SIMD3<Double>) -> SIMD3<Double> { map(v, recording.upAxis) }

    /// Rotation (w, x, y, z) taking local +Z to the fan axis. Built in the solver's axes (the
    /// shortest rotation q_s from z to the axis), then composed with the axis mapping's own
    /// rotation for Y-up (q_R = −90° about X, which takes (x, y, z) to (x, z, −y)): q_R ⊗ q_s.
    /// So the fan frame in a Y-up stage is exactly the Z-up one carried by the mapping, and
    /// both variants spin the same blades to the same places.
    func orientation(_ axis: SIMD3<Double>) -> (Double, Double, Double, Double) {
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

    func colour(_ b: inout TextBuffer, _ c: StageRecording.Colour) {
        b.usdVector(SIMD3(c.r, c.g, c.b), significant: 4)
    }

    /// A unit Cube (size 1) scaled and moved onto `box` (node or rack frame → stage axes).
    func cube(
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
    func fanPlacement(_ b: inout TextBuffer, _ level: Int, centre: SIMD3<Double>, axis: SIMD3<Double>) {
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
}
