import Foundation

/// A surge scenario (`Meshes/scenarios/*.yaml`): which rack, how long, how the load arrives
/// (idle, onset, per-node ramp, the ignition cascade), how parts turn utilisation into watts
/// and store heat, how fans and the plenum blower respond. Times in s, temperatures in °C,
/// utilisation and duty as fractions 0…1. Every key is documented in `Meshes/README.md`.
public struct Scenario: ConfigDocument {
    public enum RampShape: String, CaseIterable { case linear, smoothstep, exponential }
    /// The order of the nodes within a rack.
    public enum CascadeOrder: String, CaseIterable { case bottomUp = "bottom-up", topDown = "top-down", random }
    /// The order of the racks of a room (`rackflow room --surge`); see `RackStarts` for each one's meaning.
    public enum RackOrder: String, CaseIterable {
        case together, rowByRow = "row-by-row", rackByRack = "rack-by-rack", fromAisleEnd = "from-aisle-end", random
    }

    /// The load timeline every node follows, shifted by its ignition time.
    public struct Load {
        public var idle = 0.05, full = 1.0
        /// First ignition, s after the start.
        public var onsetS = 1.0
        /// One node's rise from idle to full, s (for `exponential`, the time constant).
        public var rampS = 0.8
        public var shape = RampShape.smoothstep
        /// Optional piecewise-linear utilisation after ignition: (s after ignition, utilisation),
        /// times strictly increasing; replaces idle → full ramp once the node ignites.
        public var profile: [(timeS: Double, utilisation: Double)] = []
    }
    public struct Cascade {
        public var order = CascadeOrder.bottomUp
        /// An explicit ignition order by node name (nodes not listed stay idle); checked against the rack.
        public var names: [(name: String, node: ConfigNode)] = []
        /// Between two consecutive ignitions, s.
        public var delayS = 0.5
        public var seed: UInt64 = 1
    }
    /// When each rack of a room starts its own node cascade (`cascade.racks`); one rack alone
    /// (`rackflow surge`) always starts at the load's onset.
    public struct RackCascade {
        public var order = RackOrder.together
        /// An explicit order by rack name (racks not listed stay idle); checked against the room.
        public var names: [(name: String, node: ConfigNode)] = []
        /// Between two consecutive rack starts (or rows, or positions), s.
        public var delayS = 0.0
        public var seed: UInt64 = 1
    }
    /// A fan controller: duty follows a linear map of a sensor temperature, clamped to
    /// [minDuty, 1], through a first-order lag (faster up than down, as fan firmware does).
    public struct FanControl {
        /// Hottest GPU, CPU or PSU of the node, the blower's own GPU (°C), or the node's utilisation (0…1):
        /// servers' BMCs ramp intake fans on load as well as on temperature.
        public enum Sensor: String, CaseIterable { case gpu, cpu, psu, own, load }
        public var sensor: Sensor
        /// Sensor values (°C, or utilisation) of minimum and full duty.
        public var low: Double, high: Double
        public var minDuty: Double
        public var spinUpS: Double, spinDownS: Double
    }
    /// A part's junction mass (die, package, heat-spreader base) ahead of its heat sink.
    public struct Junction {
        public var capacityJPerK: Double
        /// Junction-to-sink resistance as a share of the part's reference resistance.
        public var resistanceShare: Double
    }
    public struct Blower {
        /// Fractions of the rack's inlet flow before and after the ramp.
        public var idle = 1.0, full = 1.0
        public var startS = 1.0, rampS = 3.0
    }
    public struct Solver {
        public var minOuter = 2, maxOuter = 6
        /// Outer iterations stop once mass and change residuals fall below this.
        public var tolerance = 1e-3
        public var stepsPerFrame = 1
    }

    public var file: String
    public var name: String
    /// The rack file, resolved relative to the scenario file.
    public var rackPath: String
    public var durationS: Double
    public var fps: Double
    public var load = Load()
    /// The node cascade within each rack (`cascade.order` … or `cascade.nodes`).
    public var cascade = Cascade()
    public var rackCascade = RackCascade()
    // Parts: defaults are assumptions, stated in Meshes/README.md and the default scenario.
    /// Idle power as a fraction of full power, by part kind (a GPU with `idlePowerW` in its part file uses that).
    public var idleFraction: [String: Double] = ["gpu": 0.125, "cpu": 0.25, "memory": 0.4, "board": 0.6, "nic": 0.8]
    /// Lumped heat capacity of each part, J/K, by kind (memory: per module).
    public var heatCapacityJPerK: [String: Double] = [
        "gpu": 350, "cpu": 600, "memory": 25, "board": 250, "nic": 40, "psu": 900,
    ]
    /// Junction masses by kind (a kind without one is a single mass).
    public var junctions: [String: Junction] = [
        "gpu": Junction(capacityJPerK: 15, resistanceShare: 0.4),
        "cpu": Junction(capacityJPerK: 40, resistanceShare: 0.3),
    ]
    /// Fan controllers by fan kind (intake, gpu, cpu, psu); a kind without one runs at its rated speed.
    public var fans: [String: FanControl] = [:]
    public var blower = Blower()
    /// Heatmap colour range of the hottest GPU per node, °C. Unset: one fixed scale for every
    /// frame and run, the rack's supply air (blue) to the lowest GPU limit (red), so an idle
    /// rack is blue and a loaded one orange-red (`SurgeWriter.heatmapRange`); `auto`: the run's
    /// own coldest to hottest GPU (which makes a degree of noise span the whole scale when the
    /// frames are few).
    public var heatmapColdC: Double?, heatmapHotC: Double?
    public var heatmapAutoCold = false, heatmapAutoHot = false
    public var solver = Solver()

    public var frameCount: Int { Int((durationS * fps).rounded()) }

    static let keys = [
        "name", "rack", "duration", "fps", "load", "cascade", "power", "heatCapacity", "junction", "fans", "blower",
        "heatmap", "solver",
    ]
    static let partKinds = ["gpu", "cpu", "memory", "board", "nic", "psu"]
    static let fanKinds = ["intake", "gpu", "cpu", "psu"]

    public init(_ root: ConfigNode) throws {
        file = root.file
        try root.checkKeys(allowed: Self.keys)
        let stem = root.fileStem
        name = try root.string("name", default: stem)
        rackPath = try FileResolver().path(of: try root.required("rack"))
        guard FileManager.default.fileExists(atPath: rackPath) else {
            throw root.error("rack", "file not found: \(rackPath)")
        }
        durationS = try root.double("duration", "must be > 0 s") { $0 > 0 && $0 <= 86_400 }
        fps = try root.double("fps", default: 24, "must be > 0 frames per second and ≤ 1000") { $0 > 0 && $0 <= 1000 }
        if (durationS * fps).rounded() < 1 {
            throw root.error("duration", "gives no frame at \(configFormat(fps)) fps")
        }

        try readLoad(root)
        try readCascade(root)
        try readParts(root)
        try readFans(root)
        try readBlower(root)
        try readHeatmap(root)
        try readSolver(root)
    }

    /// An explicit order: a non-empty list of distinct `kind` names, each with its line for the
    /// errors a later lookup may raise.
    static func nameList(_ o: ConfigNode, of kind: String, in list: String) throws -> [(name: String, node: ConfigNode)]
    {
        let names = try o.array().map { (name: try $0.string(), node: $0) }
        if names.isEmpty { throw o.error("needs at least one \(kind) name (or an order by name)") }
        var seen = Set<String>()
        for (n, at) in names where !seen.insert(n).inserted { throw at.error("\(kind) '\(n)' listed twice in \(list)") }
        return names
    }

    /// The node cascade from `cascade` (flat keys) or `cascade.nodes`.
    static func nodeCascade(_ c: ConfigNode) throws -> Cascade {
        var cascade = Cascade()
        if let o = c.child("order"), !o.isScalar {
            cascade.names = try nameList(o, of: "node", in: "the ignition order")
        } else {
            if let o = c.child("order"), (try? o.string()) == "rack-by-rack" {
                throw o.error(
                    "'rack-by-rack' orders the racks of a room: give it as cascade.racks.order; the nodes within "
                        + "a rack take \(CascadeOrder.allCases.map(\.rawValue).joined(separator: ", ")) or a list "
                        + "of node names")
            }
            cascade.order = CascadeOrder(
                rawValue: try c.choice(
                    "order", CascadeOrder.allCases.map(\.rawValue), default: cascade.order.rawValue))!
        }
        cascade.delayS = try c.double("delay", default: cascade.delayS, "must be ≥ 0 s") { $0 >= 0 }
        cascade.seed = try Self.seed(c)
        return cascade
    }

    /// The order across the racks of a room, `cascade.racks`: an order (required) and, unless
    /// every rack starts `together`, the delay between starts (required: no default fits both a
    /// 2-rack and a 16-rack room).
    static func rackCascade(_ r: ConfigNode) throws -> RackCascade {
        try r.checkKeys(allowed: ["order", "delay", "seed"])
        var rc = RackCascade()
        if let o = r.child("order"), !o.isScalar {
            rc.names = try nameList(o, of: "rack", in: "the rack order")
        } else {
            let choices = RackOrder.allCases.map(\.rawValue).joined(separator: ", ") + " or a list of rack names"
            guard let o = r.child("order") else { throw r.error("order", "missing required key (one of \(choices))") }
            let name = try o.string()
            guard let order = RackOrder(rawValue: name) else {
                throw o.error("must be one of \(choices) (got '\(name)')")
            }
            rc.order = order
        }
        if rc.order == .together && rc.names.isEmpty {
            if r.has("delay") {
                throw r.error("delay", "means nothing for order 'together' (every rack starts at once)")
            }
        } else {
            guard r.has("delay") else {
                throw r.error("delay", "missing required key: the time between two racks' starts, s")
            }
            rc.delayS = try r.double("delay", "must be ≥ 0 s") { $0 >= 0 }
        }
        rc.seed = try Self.seed(r)
        return rc
    }

    static func seed(_ c: ConfigNode) throws -> UInt64 {
        let seed = try c.int("seed", default: 1)
        if seed < 0 { throw c.error("seed", "must be ≥ 0 (got \(seed))") }
        return UInt64(seed)
    }
}
