import Foundation
import Yams
import RackFlowNumerics
import RackFlowPhysics

/// A rack file (`Meshes/racks/*.yaml`): the sealed "glass tube", where its air comes from and
/// leaves, and which node type sits in which rack unit. Rack frame: x across the width (seen from
/// the front), y from the glass door towards the back, z up from the floor; metres.
///
/// It shares `grid`, `physics` and `solver` with the generic case (same keys, same defaults,
/// except that a rack solves temperature and buoyancy unless told otherwise).
public struct RackSpec {
    public enum Inlet {
        case flow(m3PerS: Double)
        case blower(curve: FanCurve, rpm: Double, plenumPressurePa: Double)
    }
    public struct Slot {
        public var name: String
        public var unit: Int
        public var type: NodeType
        public var node: ConfigNode
    }

    public var file: String
    public var name: String
    public var innerSizeM: (Double, Double, Double)
    public var units: Int
    public var unitHeightM: Double
    public var firstUnitZM: Double
    public var frontYM: Double
    public var inlet: Inlet
    public var inletTemperatureC: Double
    public var inletLo: (Double, Double), inletHi: (Double, Double)
    public var inletNode: ConfigNode
    public var exhaustPressurePa: Double
    public var exhaustLo: (Double, Double), exhaustHi: (Double, Double)
    public var exhaustNode: ConfigNode
    public var slots: [Slot]
    /// Grid, physics and solver settings, read by the generic case's own reader.
    public var base: GenericCase
    let root: ConfigNode

    static let keys = ["name", "rack", "inlet", "exhaust", "nodes", "grid", "physics", "solver"]

    public static func load(path: String) throws -> RackSpec {
        let r = FileResolver()
        let root = try ConfigNode.load(path: path)
        r.beginResolving(path)
        defer { r.endResolving() }
        return try RackSpec(root, resolver: r)
    }

    public static func parse(yaml: String, file: String) throws -> RackSpec {
        let r = FileResolver()
        r.beginResolving(file)
        defer { r.endResolving() }
        return try RackSpec(try ConfigNode.parse(yaml: yaml, file: file), resolver: r)
    }

    /// Is this document a rack (has `rack:` and `nodes:`) rather than a generic case?
    public static func isRack(_ root: ConfigNode) -> Bool { root.has("rack") || root.has("nodes") }

    init(_ root: ConfigNode, resolver r: FileResolver) throws {
        self.root = root
        file = root.file
        try root.checkKeys(allowed: Self.keys)
        let stem = root.fileStem
        name = try root.string("name", default: stem)

        let rk = try root.required("rack")
        try rk.checkKeys(allowed: ["innerSize", "units", "unitHeight", "firstUnitZ", "frontY"])
        let l = Layered(rk)
        let s = try l.lengths("innerSize", count: 3)
        innerSizeM = (s[0], s[1], s[2])
        units = try rk.int("units")
        if units < 1 || units > 200 { throw rk.error("units", "must be 1–200 rack units (got \(units))") }
        unitHeightM = try l.double("unitHeight", default: 0.04445, "must be > 0 m") { $0 > 0 }
        firstUnitZM = try l.double("firstUnitZ", "must be ≥ 0 m") { $0 >= 0 }
        frontYM = try l.double(
            "frontY",
            "must be > 0 m and below the inner depth \(configFormat(s[1])) m (the space between the door and the "
                + "node fronts)"
        ) {
            $0 > 0 && $0 < s[1]
        }
        if firstUnitZM + Double(units) * unitHeightM > s[2] + 1e-9 {
            throw rk.error(
                "units",
                "\(units) units of \(configFormat(unitHeightM)) m from z = \(configFormat(firstUnitZM)) m end above "
                    + "the rack's inner height \(configFormat(s[2])) m"
            )
        }

        (inletNode, inlet, inletTemperatureC, inletLo, inletHi) = try Self.readInlet(root, size: s, frontYM: frontYM)

        (exhaustNode, exhaustPressurePa, exhaustLo, exhaustHi) = try Self.readExhaust(root, size: s)

        base = try Self.baseCase(root, size: s, name: name, inletTemperatureC: inletTemperatureC)

        slots = try Self.readSlots(root, resolver: r, units: units)
    }

    /// `inlet:`: the bottom slot in front of the nodes, fed by a flow rate or a blower curve.
    static func readInlet(
        _ root: ConfigNode, size s: [Double], frontYM: Double
    ) throws -> (
        ConfigNode, Inlet, Double, (Double, Double), (Double, Double)
    ) {
        let inl = try root.required("inlet")
        try inl.checkKeys(allowed: ["flow", "blower", "temperature", "lo", "hi"])
        if inl.has("flow") == inl.has("blower") {
            throw inl.error("give exactly one of flow (m³/s) or blower ({curve, rpm, plenumPressure})")
        }
        let inlet: Inlet
        if inl.has("flow") {
            inlet = .flow(m3PerS: try inl.double("flow", "must be > 0 m³/s") { $0 > 0 })
        } else {
            let b = try inl.required("blower")
            try b.checkKeys(allowed: ["curve", "rpm", "plenumPressure"])
            let curve = try GenericCase.fanCurve(try b.required("curve"))
            inlet = .blower(
                curve: curve, rpm: try b.double("rpm", default: curve.referenceRPM, "must be ≥ 0 rev/min") { $0 >= 0 },
                plenumPressurePa: try b.double("plenumPressure", default: 0))
        }
        // A rack's supply air is between −40 and 100 °C; 295 is kelvin typed as °C, which solved
        // with only a warning after the solve that blamed the powers and flows.
        let inletTemperatureC = try inl.double("temperature", default: 20, "must be above absolute zero (°C)") {
            $0 > -273.15
        }
        guard inletTemperatureC >= -40 && inletTemperatureC <= 100 else {
            let kelvin =
                inletTemperatureC > 200
                ? "; temperatures are in °C (\(configFormat(inletTemperatureC)) K would be "
                    + "\(configFormat(((inletTemperatureC - 273.15) * 100).rounded() / 100)) °C)" : ""
            throw inl.error(
                "temperature",
                "must be a supply air temperature from −40 to 100 °C (got \(configFormat(inletTemperatureC)))" + kelvin)
        }
        let (lo, hi) = try Self.rectangle(inl, default: ((0, 0), (s[0], frontYM)), bounds: (s[0], s[1]))
        // The flow (or the blower's free delivery) through the inlet's own area past Mach 0.3 is a
        // unit slip (90 L/s typed as m³/s crossed the slot at 750 m/s, found only after the solve).
        let area = (hi.0 - lo.0) * (hi.1 - lo.1)
        let (key, q): (String, Double)
        switch inlet {
        case .flow(let m3PerS): (key, q) = ("flow", m3PerS)
        case .blower(let curve, let rpm, _): (key, q) = ("blower", curve.freeDeliveryM3PerS(rpm: rpm))
        }
        if let slip = Plausibility.unitSlip(flowM3PerS: q, areaM2: area) {
            throw inl.error(
                key,
                "\(configFormat(q)) m³/s through the inlet's \(String(format: "%.3g", area)) m² is "
                    + "\(configFormat(slip.speedMPerS.rounded())) m/s, " + slip.units)
        }
        return (inl, inlet, inletTemperatureC, lo, hi)
    }

    /// `exhaust:`: a sealed rack with no way out is an input error, not a drifting solve.
    static func readExhaust(
        _ root: ConfigNode, size s: [Double]
    ) throws -> (
        ConfigNode, Double, (Double, Double), (Double, Double)
    ) {
        guard let ex = root.child("exhaust") else {
            throw InputError(
                file: root.file, line: root.line, keyPath: "exhaust",
                problem:
                    "the rack has no outlet: add `exhaust: {pressure: 0}` (air blown into a sealed rack must leave "
                    + "somewhere)"
            )
        }
        try ex.checkKeys(allowed: ["pressure", "lo", "hi"])
        let pressure = try ex.double("pressure", default: 0)
        // Default: the roof above the space behind the nodes, filled in by the compiler.
        let (lo, hi) = try Self.rectangle(ex, default: ((0, -1), (s[0], s[1])), bounds: (s[0], s[1]))
        return (ex, pressure, lo, hi)
    }

    /// `grid:`, `physics:`, `solver:`: the generic case's reader, on a synthetic root holding
    /// the rack file's own nodes (so their errors keep this file's lines), with the rack's defaults.
    static func baseCase(
        _ root: ConfigNode, size s: [Double], name: String, inletTemperatureC: Double
    ) throws
        -> GenericCase
    {
        var pairs: [(Node, Node)] = [
            (Node("domain"), Node([(Node("size"), Node(s.map { Node(String($0)) }))])),
            (Node("closed"), Node("true")),
        ]
        for k in ["grid", "physics", "solver"] { if let c = root.child(k) { pairs.append((Node(k), c.node)) } }
        var base = try GenericCase(ConfigNode(node: .mapping(Node.Mapping(pairs)), file: root.file))
        let phys = root.child("physics")
        if phys?.child("energy") == nil { base.energy = true }
        if phys?.child("gravity") == nil { base.gravity = true }
        // δ = 0.2 m: the open passages (door space, chassis air spaces, rear space) are 0.1–0.35 m
        // across, so the mixing length is capped at 0.09 δ = 18 mm.
        if phys?.child("turbulence") == nil { base.turbulence = .mixingLength(deltaM: 0.2) }
        if phys?.child("initialTemperature") == nil { base.initialTemperatureC = inletTemperatureC }
        // Solver defaults for racks (each overridable under `solver:`). Steady iterations take
        // the case-file defaults (unrelaxed, pseudo-time Courant cap 100, 8 momentum sweeps:
        // Config/GenericCase.swift), measured here first: the rack's fixed relaxation of 0.7 had
        // held the whole solve at a pseudo-time Courant number near 2.3, and the refinery rack
        // took 374–380 outer iterations; unrelaxed with the cap at 100, 244 at 3 cm (cap 300:
        // stalled at 9× the tolerances; 10⁴: at 11–15×, until the stall rule cut the cap); with
        // 8 momentum sweeps instead of 4, 181 (BiCGSTAB to 0.1 also 181, slower per iteration).
        // The outer iterations of a surge's time steps keep 0.7 for the jets of dozens of fans.
        // Temperature is nearly linear given the flow, so it is not relaxed and gets more sweeps;
        // convergence is judged on the monitors (node flows, GPU air, every part's air
        // temperature) and the global balances, with change residuals below 1e-3 (temperature by
        // its RMS change: one cell beside a face whose tiny flow flips direction can rock by a
        // kelvin for ever without moving any balance or monitor).
        let sv = root.child("solver")
        if sv?.child("velocityRelaxation") == nil { base.options.velocityRelaxation = 0.7 }
        // Relaxation ramps from 0.5 over the first 50 iterations: from rest, a 3 cm rack at a
        // fixed 0.7 ran away at iteration 16 (before the pseudo-time term existed).
        base.options.relaxationRampIterations = 50
        if sv?.child("temperatureRelaxation") == nil { base.options.temperatureRelaxation = 1.0 }
        if sv?.child("energySweeps") == nil { base.options.energySweeps = 12 }
        if sv?.child("tolerance") == nil { base.options.tolerance = 1e-3 }
        base.options.temperatureTolerance = 1e-3
        base.options.temperatureChangeRMS = true
        base.closed = false
        base.name = name
        return base
    }

    /// `nodes:`, each a node type with this slot's overrides on top.
    static func readSlots(_ root: ConfigNode, resolver r: FileResolver, units: Int) throws -> [Slot] {
        var slots: [Slot] = []
        var names: Set<String> = []
        var usedUnits: [Int: String] = [:]
        for (i, n) in try root.array("nodes").enumerated() {
            _ = try n.keys()
            let slotName = try n.string("name", default: String(format: "node%02d", i + 1))
            guard names.insert(slotName).inserted else { throw n.error("name", "node name '\(slotName)' used twice") }
            let unit = try n.int("unit")
            let type = try NodeType.load(
                try n.required("node"), resolver: r, overrides: [Self.strip(n, ["name", "unit", "node"])])
            let u = type.chassis.spec.units
            // Compared without `unit + u`, which overflows for a unit near Int.max (fuzzing found the trap).
            guard unit >= 1 && unit <= units && u - 1 <= units - unit else {
                let last = unit.addingReportingOverflow(u - 1) // the message too must not overflow
                throw n.error(
                    "unit",
                    "node slot beyond the rack's height: a \(u)U node at unit \(unit) spans units "
                        + "\(unit)–\(last.overflow ? "beyond \(Int.max)" : String(last.partialValue)), but the rack "
                        + "has units 1–\(units)"
                )
            }
            for k in unit..<(unit + u) {
                if let o = usedUnits[k] { throw n.error("unit", "unit \(k) is already taken by \(o)") }
                usedUnits[k] = slotName
            }
            slots.append(Slot(name: slotName, unit: unit, type: type, node: n))
        }
        if slots.isEmpty { throw root.error("nodes", "a rack needs at least one node") }
        return slots
    }

    /// The slot mapping without the rack's own keys: what remains overrides the node type.
    static func strip(_ n: ConfigNode, _ keys: [String]) -> ConfigNode {
        guard case let .mapping(m) = n.node else { return n }
        let kept = m.filter { !keys.contains($0.key.scalar?.string ?? "") }
        return ConfigNode(
            node: .mapping(Node.Mapping(Array(kept), m.tag, m.style, m.mark)), file: n.file, keyPath: n.keyPath)
    }

    /// Optional `lo`/`hi` of a floor or roof rectangle (x, y), inside the rack.
    static func rectangle(
        _ n: ConfigNode, default d: ((Double, Double), (Double, Double)), bounds: (Double, Double)
    ) throws
        -> ((Double, Double), (Double, Double))
    {
        let lo = try n.optionalVector2("lo"), hi = try n.optionalVector2("hi")
        if (lo == nil) != (hi == nil) { throw n.error(lo == nil ? "hi" : "lo", "give both lo and hi, or neither") }
        guard let lo, let hi else { return d }
        if !(lo.0 < hi.0 && lo.1 < hi.1) { throw n.error("hi", "must exceed lo in both coordinates") }
        if lo.0 < 0 || lo.1 < 0 || hi.0 > bounds.0 || hi.1 > bounds.1 {
            throw n.error(
                "hi",
                "rectangle [\(configFormat(lo.0)), \(configFormat(lo.1))]–[\(configFormat(hi.0)), "
                    + "\(configFormat(hi.1))] m leaves the rack floor/roof (0–\(configFormat(bounds.0)) × "
                    + "0–\(configFormat(bounds.1)) m)"
            )
        }
        return (lo, hi)
    }
}
