import Foundation
import RackFlowModel

/// The room as a USD stage for Houdini (Solaris), plain `.usda` text, Y up (DESIGN §7) or Z up:
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
///         A01 [group]            placement (translate, rotate about the up axis) from the layout; rack-level
///                                telemetry:* (inlet flow, share, slot pressure, exhaust, heat)
///           Rack [assembly]      references @./assets/racks/<rackType>.usda@ (shell and nodes)
///             Node_01 … [component]  over on the instanceable node: primvars:displayColor heat
///                                map time samples (inherited by the chassis shell) and
///                                telemetry:* (power, hottest GPU, CPU, airflow, outlet, …)
///           Fans [group]         Node_01_Fan1 …: rpm, blade-pass vibration:* and, on the
///                                instanceable Rotor, spin and axial shake (surge stages)
///           Fields [component]   Volume; field:<name> → OpenVDBAsset, filePath per frame
///       Air [component]          the room air (`--room-air`): Volume, field:<name> → OpenVDBAsset, filePath
///                                per frame (room frame, Y-up files)
///       CableTrays [group]
///         <tray> [component]     BasisCurves along the tray (one vertex per probe station):
///                                probe:* and vibration:* time-sampled, vertex primvars
///                                temperatureC, speedMPerS, vibrationAmplitudeM per frame, and
///                                the constant vibrationModeShape (first bending mode, 0 at the
///                                supports): displace P by amplitude · mode · sin(2π f t) along
///                                primvars:vibrationDirection (up) to shake the cabling
///
/// Why the rack is a plain reference and each node the instance: a node's heat-map colour and
/// telemetry are opinions on that node, and nothing inside an instance takes opinions. The
/// node type stays shared (one prototype per node type for all 160 nodes), which is what keeps
/// the room light. Racks in the rack layer are in their own frame; the Volume sits under the
/// placed rack prim, so the VDB files stay in the rack frame as the surge writes them.
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
        /// Per node, per fan of its node type (asset order), per frame: rpm (a surge; empty in a
        /// steady room, whose stage has no fans).
        public var nodeFanRPM: [[[Double]]] = []
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
    /// The stage's up axis. The racks' VDB files stay Y-up (DESIGN §7); on a Z-up stage each
    /// rack's Volume carries the rotation between the two.
    public var upAxis: StageRecording.UpAxis = .y
    /// Every node's colour: `heatmap.channel` (the hottest GPU) on one scale for the whole room,
    /// blue to orange-red; nil leaves the nodes their asset colours.
    public var heatmap: StageRecording.Heatmap?
    /// Fan spin and blade-pass vibration of every node fan (as the surge stage writes them).
    public var fanMotion = StageRecording.FanMotionModel()
    /// The room air (`--room-air`): its VDB file per frame (relative to the stage's folder; room
    /// frame, Y up) and the hall's box in the room frame, m; nil without it.
    public var roomAir: (files: [String], boundsM: StageRecording.Box)?

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
        func fail(_ path: String, _ problem: String) -> ExportError {
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
            guard r.nodeFanRPM.isEmpty || r.nodeFanRPM.count == t.nodes.count else {
                throw fail("racks '\(r.name)'.nodeFanRPM", "has \(r.nodeFanRPM.count) nodes, type has \(t.nodes.count)")
            }
            for (i, fans) in r.nodeFanRPM.enumerated() {
                let asset = nodeAssets.first { $0.name == t.nodes[i].type }
                guard fans.count == asset?.fans.count ?? 0 else {
                    throw fail(
                        "racks '\(r.name)'.nodeFanRPM[\(i)]",
                        "has \(fans.count) fans, the node type \(asset?.fans.count ?? 0)")
                }
                for (fi, v) in fans.enumerated() {
                    try check("racks '\(r.name)'.nodeFanRPM[\(i)]", ["fan\(fi + 1)": v])
                }
            }
            guard r.vdbFiles.count == frameCount, r.vdbFiles.allSatisfy(USDText.isValidAssetPath) else {
                throw fail(
                    "racks '\(r.name)'.vdbFiles",
                    "needs one valid path per frame (has \(r.vdbFiles.count) for \(frameCount))")
            }
        }
        if let air = roomAir, air.files.count != frameCount || !air.files.allSatisfy(USDText.isValidAssetPath) {
            throw fail("roomAir.files", "needs one valid path per frame (has \(air.files.count) for \(frameCount))")
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
        for a in nodeAssets { try put(USDStageWriter.assetFile(a.name), fanWriter.assetLayer(a)) }
        for t in rackTypes { try put(Self.rackTypeFile(t.name), rackLayer(t)) }
        try put("tray-probes.csv", probesCSV())
        try put(stageFileName, stage())
        return USDWriteReport(files: files, seconds: Date().timeIntervalSince(start))
    }
}
