import Foundation

/// Everything the USD stage writer needs, as plain values, independent of the solver.
///
/// Coordinates are in the solver's axes and metres: x across the width, y depth front→back,
/// z up (DESIGN §7). The writer maps them to the stage's axes: Y-up `(X, Y, Z) = (x, z, −y)`,
/// Z-up the identity. Frames are integers `firstFrame...lastFrame`; every per-frame array
/// holds one value per frame, index `frame − firstFrame`. Time codes on the stage are the
/// frame numbers, `timeCodesPerSecond = framesPerSecond = fps`.
public struct StageRecording: Sendable {
    public enum UpAxis: String, Sendable, CaseIterable {
        case y = "Y"
        case z = "Z"
    }

    /// An axis-aligned box (solver axes, metres).
    public struct Box: Sendable, Equatable {
        public var min: SIMD3<Double>
        public var max: SIMD3<Double>
        public init(min: SIMD3<Double>, max: SIMD3<Double>) {
            self.min = min
            self.max = max
        }
        public var size: SIMD3<Double> { max - min }
        public var centre: SIMD3<Double> { (min + max) / 2 }
    }

    /// A colour in linear RGB, 0...1 (what `primvars:displayColor` holds).
    public struct Colour: Sendable, Equatable {
        public var r, g, b: Double
        public init(r: Double, g: Double, b: Double) {
            self.r = r
            self.g = g
            self.b = b
        }
        /// From 8-bit sRGB (the PNG colour maps), decoded to linear light.
        public init(srgb c: RGBA) {
            func lin(_ v: UInt8) -> Double {
                let s = Double(v) / 255
                return s <= 0.04045 ? s / 12.92 : Foundation.pow((s + 0.055) / 1.055, 2.4)
            }
            self.init(r: lin(c.r), g: lin(c.g), b: lin(c.b))
        }
    }

    /// A part of a node type: a box in the node's frame (origin at the chassis' min corner).
    public struct Part: Sendable {
        /// The catalogue kind ("gpu", "cpu", "psu", "nic", …), written as `rackflow:partKind`.
        public var kind: String
        public var name: String
        public var box: Box
        public var colour: Colour
        public init(kind: String, name: String, box: Box, colour: Colour) {
            self.kind = kind
            self.name = name
            self.box = box
            self.colour = colour
        }
    }

    /// A fan of a node type, in the node's frame. `axis` is the direction the air is pushed
    /// (need not be unit length); positive spin is right-handed about it.
    public struct Fan: Sendable {
        public var name: String
        public var centre: SIMD3<Double>
        public var axis: SIMD3<Double>
        public var radius: Double
        public var bladeCount: Int
        public init(name: String, centre: SIMD3<Double>, axis: SIMD3<Double>, radius: Double, bladeCount: Int) {
            self.name = name
            self.centre = centre
            self.axis = axis
            self.radius = radius
            self.bladeCount = bladeCount
        }
    }

    /// A node type, written once as `assets/<name>.usda` and referenced by every node of it.
    public struct NodeAsset: Sendable {
        public var name: String
        /// Chassis size (width, depth, height); the chassis box is `[0, size]` in the node frame.
        public var size: SIMD3<Double>
        public var parts: [Part]
        public var fans: [Fan]
        public init(name: String, size: SIMD3<Double>, parts: [Part], fans: [Fan]) {
            self.name = name
            self.size = size
            self.parts = parts
            self.fans = fans
        }
    }

    /// Names and units of the standard telemetry channels; any other name may be added.
    public enum Channel {
        public static let utilisation = "utilisation"
        public static let powerW = "powerW"
        public static let gpuMaxC = "gpuMaxC"
        public static let cpuC = "cpuC"
        public static let fanRPM = "fanRPM"
        public static let airflowM3PerS = "airflowM3PerS"
        /// The node's exhaust, mixed-cup over its exits (the surge's telemetry.csv column).
        public static let exhaustC = "exhaustC"
        /// Written first, in this order; other channels follow sorted by name.
        public static let standard = [utilisation, powerW, gpuMaxC, cpuC, fanRPM, airflowM3PerS]
        /// A line for the attribute's `doc`.
        public static func doc(_ name: String) -> String {
            switch name {
            case utilisation: return "GPU utilisation, 0..1"
            case powerW: return "electrical power of the node, W"
            case gpuMaxC: return "hottest GPU temperature, degC"
            case cpuC: return "CPU temperature, degC"
            case fanRPM: return "node fan speed, rpm"
            case airflowM3PerS: return "air flow through the node, m3/s"
            case exhaustC: return "node exhaust air temperature (mixed-cup), degC"
            default:
                // Other channels carry their unit in their name's suffix, as every name here does.
                let units = [("M3PerS", "m3/s"), ("C", "degC"), ("W", "W"), ("RPM", "rpm"), ("Pa", "Pa"), ("K", "K")]
                let unit = units.first { name.hasSuffix($0.0) }.map { ", " + $0.1 } ?? ""
                return "telemetry channel \(name)\(unit)"
            }
        }
    }

    /// A node placed in a rack: its type, its chassis in the rack frame, and what it did.
    public struct Node: Sendable {
        public var name: String
        /// `NodeAsset.name` of its type.
        public var type: String
        /// Chassis box in the rack frame; its min corner is where the node asset's origin goes.
        public var chassis: Box
        /// Named per-frame channels (see `Channel`), one value per frame each.
        public var telemetry: [String: [Double]]
        /// Per fan of the node type (same order), per frame: rpm.
        public var fanRPM: [[Double]]
        public init(name: String, type: String, chassis: Box, telemetry: [String: [Double]], fanRPM: [[Double]]) {
            self.name = name
            self.type = type
            self.chassis = chassis
            self.telemetry = telemetry
            self.fanRPM = fanRPM
        }
    }

    /// Where a rack stands in the room: rotate the rack frame about the up axis (z in the
    /// solver's axes) by `rotationDegrees` (counter-clockwise seen from above), then translate.
    /// Two rows of 8 facing each other: row A at rotation 0, row B at 180 across the aisle.
    public struct Placement: Sendable, Equatable {
        public var translation: SIMD3<Double>
        public var rotationDegrees: Double
        public init(translation: SIMD3<Double> = .zero, rotationDegrees: Double = 0) {
            self.translation = translation
            self.rotationDegrees = rotationDegrees
        }
    }

    /// One grid of a rack's VDB files.
    public struct VolumeField: Sendable, Equatable {
        public enum DataType: String, Sendable { case float, vector }
        public var name: String
        public var type: DataType
        /// OpenVDB grid class written as `fieldClass` (e.g. "fogVolume"); nil leaves it unauthored.
        public var gridClass: String?
        public init(name: String, type: DataType, gridClass: String? = nil) {
            self.name = name
            self.type = type
            self.gridClass = gridClass
        }
        /// The grids of DESIGN §6: temperature, pressure, density (the tracer, a fog volume as in
        /// its VDB grid class), speed, turbulence, vel.
        public static let standard: [VolumeField] = [
            VolumeField(name: "temperature", type: .float),
            VolumeField(name: "pressure", type: .float),
            VolumeField(name: "density", type: .float, gridClass: "fogVolume"),
            VolumeField(name: "speed", type: .float),
            VolumeField(name: "turbulence", type: .float),
            VolumeField(name: "vel", type: .vector),
        ]
    }

    public struct Rack: Sendable {
        public var name: String
        public var placement: Placement
        public var nodes: [Node]
        /// Per frame: the rack's VDB file, relative to the stage's folder (e.g. "vdb/A01/fields.0001.vdb").
        public var vdbFiles: [String]
        public var fields: [VolumeField]
        /// Where the fields are, in the rack frame, for the Volume's `extent` (optional).
        public var fieldBounds: Box?
        public init(
            name: String, placement: Placement = Placement(), nodes: [Node], vdbFiles: [String],
            fields: [VolumeField] = VolumeField.standard, fieldBounds: Box? = nil
        ) {
            self.name = name
            self.placement = placement
            self.nodes = nodes
            self.vdbFiles = vdbFiles
            self.fields = fields
            self.fieldBounds = fieldBounds
        }
    }

    /// The node colour: `channel` (default the hottest GPU, °C) from `minC` (blue) to `maxC` (orange-red).
    public struct Heatmap: Sendable {
        public var channel: String
        public var minC: Double
        public var maxC: Double
        public var colormap: Colormap
        public init(channel: String = Channel.gpuMaxC, minC: Double, maxC: Double, colormap: Colormap = .thermal) {
            self.channel = channel
            self.minC = minC
            self.maxC = maxC
            self.colormap = colormap
        }
        /// Linear-RGB colour of a value.
        public func colour(_ value: Double) -> Colour {
            Colour(srgb: colormap.color(at: (value - minC) / (maxC - minC)))
        }
    }

    /// Fan spin and vibration, and how densely they are sampled (see `FanMotion`).
    public struct FanMotionModel: Sendable {
        /// Named assumption: axial displacement amplitude at `referenceRPM`; amplitude grows
        /// with speed squared (imbalance and blade-pass forces ∝ rpm²).
        public var referenceAmplitudeM: Double
        public var referenceRPM: Double
        /// Sub-frame rules (see `FanMotion`): vibration gets at least this many samples per
        /// blade-pass period …
        public var samplesPerPeriod: Int
        /// … spin enough that linear interpolation of the angle is within this many degrees …
        public var spinToleranceDeg: Double
        /// … both rounded up to a power of two and capped here (a power of two; 1 = frames only).
        public var maxSamplesPerFrame: Int
        public init(
            referenceAmplitudeM: Double = 20e-6, referenceRPM: Double = 10_000,
            samplesPerPeriod: Int = 4, spinToleranceDeg: Double = 1, maxSamplesPerFrame: Int = 4
        ) {
            self.referenceAmplitudeM = referenceAmplitudeM
            self.referenceRPM = referenceRPM
            self.samplesPerPeriod = samplesPerPeriod
            self.spinToleranceDeg = spinToleranceDeg
            self.maxSamplesPerFrame = maxSamplesPerFrame
        }
    }

    public var fps: Double
    public var firstFrame: Int
    public var lastFrame: Int
    /// Seconds at `firstFrame` (for `telemetry.csv`'s timeS; e.g. (firstFrame − 1) / fps).
    public var firstFrameTimeS: Double
    public var upAxis: UpAxis
    /// The axes the VDB files' transforms are written in (DESIGN §7: Y-up). When it differs
    /// from `upAxis`, the Volume gets the rotation between the two.
    public var vdbUpAxis: UpAxis
    /// Always 1: everything is in metres.
    public let metersPerUnit: Double = 1
    /// The stage's `doc` string.
    public var doc: String
    public var nodeAssets: [NodeAsset]
    public var racks: [Rack]
    public var heatmap: Heatmap
    public var fanMotion: FanMotionModel

    public init(
        fps: Double = 24, firstFrame: Int = 1, lastFrame: Int, firstFrameTimeS: Double = 0,
        upAxis: UpAxis = .y, vdbUpAxis: UpAxis = .y, doc: String = "RackFlow transient recording",
        nodeAssets: [NodeAsset], racks: [Rack], heatmap: Heatmap,
        fanMotion: FanMotionModel = FanMotionModel()
    ) {
        self.fps = fps
        self.firstFrame = firstFrame
        self.lastFrame = lastFrame
        self.firstFrameTimeS = firstFrameTimeS
        self.upAxis = upAxis
        self.vdbUpAxis = vdbUpAxis
        self.doc = doc
        self.nodeAssets = nodeAssets
        self.racks = racks
        self.heatmap = heatmap
        self.fanMotion = fanMotion
    }

    public var frameCount: Int { lastFrame - firstFrame + 1 }
    public func timeS(frame: Int) -> Double { firstFrameTimeS + Double(frame - firstFrame) / fps }
}
