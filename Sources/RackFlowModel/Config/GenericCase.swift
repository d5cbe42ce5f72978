import Foundation
import RackFlowNumerics
import RackFlowPhysics

/// A *generic case*: a box-shaped domain with solid, porous and heated boxes, thin planes
/// (sheets, walls, fans), inlet/outlet patches on its sides and solver settings, read from a
/// YAML file (comments allowed) and compiled to a `FlowCase`. It knows nothing of racks.
///
/// SI units throughout: m, m/s, m³/s, Pa, W, °C. Unknown keys are errors (the message lists
/// the allowed keys), as are wrong types, non-finite numbers and out-of-range values; every
/// error reads `FILE:LINE: KEY.PATH: problem`.
///
/// ```yaml
/// name: duct-with-sheet        # optional; default: the file name without extension
/// domain: {size: [1.0, 0.2, 0.05]}   # required; m, > 0; lower corner at the origin
/// grid:                        # optional; GridGenerator constraints
///   maxSpacing: 0.02           # m, largest cell width (default 0.02)
///   maxNeighbourRatio: 1.3     # ≥ 1 (default 1.3)
///   minCellsAcrossPart: 2      # cells across every box on every axis (default 2)
///   minSpacing: 0.0005         # m, grid lines closer than this merge (default 0.0005)
///   refinement: 1              # ≥ 1: divides every cell-size cap (grid studies; default 1)
/// physics:                     # optional
///   fluid:                     # optional; every key optional, defaults = Fluid() (air, 20 °C)
///     density: 1.204           # kg/m³
///     viscosity: 1.82e-5       # Pa·s
///     conductivity: 0.0257     # W/(m·K)
///     specificHeat: 1006       # J/(kg·K)
///     expansion: 0.003411      # 1/K
///     referenceTemperature: 20 # °C (Boussinesq reference)
///   gravity: false             # buoyancy, g along −z (default false)
///   energy: false              # solve temperature (default false)
///   turbulence: laminar        # default; or {constantEddyViscosity: μt Pa·s}
///                              #   or {mixingLength: {delta: m}}
///   initialTemperature: 20     # °C (default 20)
/// closed: false                # true: no inlet or outlet at all (closed recirculation);
///                              #   otherwise an outlet or fan patch is required
/// sides:                       # optional; each of west east south north bottom top
///   bottom: symmetry           #   (x−, x+, y−, y+, z−, z+): `symmetry`, `wall`, or
///   north: {wall: {velocity: [0, 0, 0], temperature: 40}}  # m/s (lid), °C (absent: adiabatic)
///                              # default: still adiabatic walls
/// boxes:                       # optional list; later boxes override earlier ones' cells
///   - {name: block, lo: [0.3, 0, 0], hi: [0.4, 0.1, 0.05], kind: solid}   # m corners
///   - {name: sink, lo: …, hi: …, kind: porous,
///      inverseK: [1e6, 1e7, 1e7],  # 1/K per axis, 1/m², ≥ 0 (required)
///      c2: [20, 200, 200],         # Forchheimer C2 per axis, 1/m, ≥ 0 (required)
///      powerW: 300}                # W released in the block, ≥ 0 (default 0)
///   - {name: heater, lo: …, hi: …, kind: heat, powerW: 12}  # fluid cells releasing W (required, ≥ 0)
///                              # power is spread over the box's non-solid cells by volume
/// planes:                      # optional list of thin axis-normal rectangles on cell faces
///   - name: mesh
///     axis: x                  # normal axis: x, y or z
///     position: 0.5            # m along the axis; snapped to the nearest grid line
///     lo: [0, 0]               # m, in the other two axes in order (y,z / x,z / x,y);
///     hi: [0.2, 0.05]          #   lo/hi optional: default the whole cross-section
///     kind: sheet              # sheet | wall | fan
///     freeArea: 0.7            # sheet: open/total area in (0, 1] (Idelchik sharp-edged ζ),
///     thickness: 0.001         #   with thickness (m) and holeDiameter (m) both given the
///     holeDiameter: 0.003      #   thick-edged form; or give `zeta` (≥ 0) instead of freeArea
///   - {name: fan, axis: x, position: 0.2, kind: fan,
///      direction: 1,           # +1 pushes toward +axis, −1 toward −axis (default 1)
///      rpm: 3000,              # operating speed, rev/min, ≥ 0 (default: the curve's rpm; 0 = stopped)
///      curve: {flow: [0, 0.01, 0.02], pressure: [75, 50, 0], rpm: 3000,
///              stoppedLossCoefficient: 2.0}}   # m³/s, Pa, rev/min; ζ optional
///      # or curve: {maxPressure: 75, freeDelivery: 0.03, rpm: 3000}  (Pa, m³/s; parabola)
/// patches:                     # optional list of inlets/outlets on rectangles of the sides
///   - {name: inlet, side: west, lo: [0, 0], hi: [0.2, 0.05],  # m, side's in-plane axes in
///      kind: velocity, speed: 1.0, temperature: 20}           #   order; lo/hi optional = whole side
///                              # speed: inward m/s; temperature °C (default 20)
///   - {name: supply, side: west, kind: flow, flow: 0.01, temperature: 18}   # m³/s inward
///   - {name: out, side: east, kind: outlet, pressure: 0, backflowTemperature: 20}  # Pa, °C (defaults 0, 20)
///   - {name: blower, side: south, kind: fan, curve: {…}, rpm: 3000,
///      plenumPressure: 0, temperature: 18}  # rpm default: curve's; Pa default 0; °C default 20
/// solver:                      # optional; SimpleOptions
///   maxIterations: 5000        # default 5000
///   tolerance: 1e-6            # default 1e-6
///   velocityRelaxation: 0.9    # (0, 1], default 0.9
///   steadyVelocityRelaxation: 1 # (0, 1], steady iterations only; default 1 (velocityRelaxation if that is given)
///   pseudoCourantMax: 100      # ≥ 1: cap of the pseudo-time Courant number, default 100
///   pressureRelaxation: 1.0    # (0, 1], default 1
///   temperatureRelaxation: 0.9 # (0, 1], default 0.9
///   momentumSweeps: 8          # ≥ 0 (0 = BiCGSTAB), default 8
///   energySweeps: 4            # ≥ 0, default 4
///   secondOrder: true          # van Leer (true) or upwind, default true
///   pressureTolerance: 0.02    # (0, 1): pressure-correction residual reduction per iteration, default 0.02
///   pressureSmoother: point    # point | lines: multigrid smoother of the pressure correction, default point
/// ```
///
/// Load-time checks: types, ranges, fan curves (FanCurve's rules, reported at the curve's
/// keys), free areas, patch rectangles, and that air has a way out (an `outlet` or `fan`
/// patch, unless `closed: true`). `compile()` adds the geometric checks: overlapping solid
/// boxes, boxes and planes outside the domain or too thin for the grid, grid constraints,
/// patches that cover no boundary face.
///
/// A case can also be built in code (the rack compiler does), with `validate()` for the
/// load-time checks on its items, and written back as YAML with `yaml()`.
public struct GenericCase: ConfigDocument {
    public enum BoxKind: String, Sendable { case solid, porous, heat }
    public struct Box {
        public var name: String
        public var lo: (Double, Double, Double), hi: (Double, Double, Double)
        public var kind: BoxKind
        public var porous: PorousCoefficients?
        public var powerW: Double
        /// Written as `# …` above the box by `yaml()`, e.g. the rack part it comes from.
        public var comment: String?
        /// Locates the box's errors.
        public var node: ConfigNode
        public init(
            name: String, lo: (Double, Double, Double), hi: (Double, Double, Double), kind: BoxKind,
            porous: PorousCoefficients? = nil, powerW: Double = 0, comment: String? = nil, node: ConfigNode
        ) {
            self.name = name
            self.lo = lo
            self.hi = hi
            self.kind = kind
            self.porous = porous
            self.powerW = powerW
            self.comment = comment
            self.node = node
        }
    }
    public enum PlaneKind: Sendable {
        case sheet(zeta: Double)
        case wall
        case fan(curve: FanCurve, rpm: Double, direction: Double)
    }
    public struct Plane {
        public var name: String
        public var axis: Int
        public var position: Double
        public var lo: (Double, Double)?, hi: (Double, Double)?
        public var kind: PlaneKind
        public var comment: String?
        public var node: ConfigNode
        /// `lo`/`hi` nil: the whole cross-section.
        public init(
            name: String, axis: Int, position: Double, lo: (Double, Double)? = nil, hi: (Double, Double)? = nil,
            kind: PlaneKind, comment: String? = nil, node: ConfigNode
        ) {
            self.name = name
            self.axis = axis
            self.position = position
            self.lo = lo
            self.hi = hi
            self.kind = kind
            self.comment = comment
            self.node = node
        }
    }
    public struct PatchSpec {
        public var patch: Patch
        public var comment: String?
        public var node: ConfigNode
        public init(patch: Patch, comment: String? = nil, node: ConfigNode) {
            self.patch = patch
            self.comment = comment
            self.node = node
        }
    }

    public var file: String
    public var name: String
    public var size: (Double, Double, Double)
    public var constraints: GridConstraints
    public var fluid: Fluid
    public var gravity: Bool
    public var energy: Bool
    public var turbulence: TurbulenceModel
    public var initialTemperatureC: Double
    public var closed: Bool
    public var sides: [Side: SideCondition]
    public var boxes: [Box]
    public var planes: [Plane]
    public var patches: [PatchSpec]
    public var options: SimpleOptions
    /// Locates errors that belong to no box, plane or patch (grid, outlets, closed).
    public let root: ConfigNode

    static let sideNames: [String: Side] = [
        "west": .west, "east": .east, "south": .south,
        "north": .north, "bottom": .bottom, "top": .top,
    ]
    static let axisNames = ["x": 0, "y": 1, "z": 2]

    // MARK: - Loading

    /// A case built in code; `root` (default: an anchor for `file`) locates errors that belong
    /// to no item. Call `validate()` for the checks loading would have made.
    public init(
        name: String, file: String, size: (Double, Double, Double), constraints: GridConstraints = GridConstraints(),
        fluid: Fluid = Fluid(), gravity: Bool = false, energy: Bool = false, turbulence: TurbulenceModel = .laminar,
        initialTemperatureC: Double = 20, closed: Bool = false, sides: [Side: SideCondition] = [:],
        boxes: [Box] = [], planes: [Plane] = [], patches: [PatchSpec] = [], options: SimpleOptions = SimpleOptions(),
        root: ConfigNode? = nil
    ) {
        self.name = name
        self.file = file
        self.size = size
        self.constraints = constraints
        self.fluid = fluid
        self.gravity = gravity
        self.energy = energy
        self.turbulence = turbulence
        self.initialTemperatureC = initialTemperatureC
        self.closed = closed
        self.sides = sides
        self.boxes = boxes
        self.planes = planes
        self.patches = patches
        self.options = options
        self.root = root ?? .anchor(file: file)
    }

    /// The load-time checks on items (the YAML reader makes them as it goes, in file order):
    /// unique names per list, well-formed rectangles, box kinds with what they need, and a way
    /// out for the air unless `closed`.
    public func validate() throws {
        var names: Set<String> = []
        for b in boxes {
            try Self.checkUnique(b.name, "box", &names, b.node)
            try Self.checkBox(b)
        }
        names = []
        for p in planes {
            try Self.checkUnique(p.name, "plane", &names, p.node)
            try Self.checkRectangle(p.lo, p.hi, p.node, whole: "whole cross-section")
        }
        names = []
        for p in patches {
            try Self.checkUnique(p.patch.name, "patch", &names, p.node)
            try Self.checkRectangle(p.patch.lo, p.patch.hi, p.node, whole: "whole side")
        }
        try Self.checkOutlet(closed: closed, patches: patches, root: root)
    }

    static func checkUnique(_ name: String, _ what: String, _ names: inout Set<String>, _ n: ConfigNode) throws {
        guard names.insert(name).inserted else { throw n.error("name", "\(what) name '\(name)' used twice") }
    }

    static func checkBounds(_ b: Box) throws {
        let l = [b.lo.0, b.lo.1, b.lo.2], h = [b.hi.0, b.hi.1, b.hi.2]
        for a in 0..<3 where !(l[a] < h[a]) {
            throw b.node.error(
                "hi",
                "must exceed lo on \(["x", "y", "z"][a]) for box '\(b.name)' (lo \(configFormat(l[a])), hi "
                    + "\(configFormat(h[a])))"
            )
        }
    }

    /// `checkBounds` plus what the reader's per-kind keys guarantee.
    static func checkBox(_ b: Box) throws {
        try checkBounds(b)
        if b.kind == .porous && b.porous == nil {
            throw b.node.error("inverseK", "porous box '\(b.name)' needs inverseK and c2")
        }
        if b.kind == .solid && b.powerW != 0 {
            throw b.node.error("powerW", "solid box '\(b.name)' cannot release power (use a heat or porous box)")
        }
        if !(b.powerW >= 0) { throw b.node.error("powerW", "must be ≥ 0 (got \(configFormat(b.powerW)))") }
    }

    /// Both corners or neither (`whole`); the upper one above the lower in both coordinates.
    static func checkRectangle(_ lo: (Double, Double)?, _ hi: (Double, Double)?, _ n: ConfigNode, whole: String) throws
    {
        if (lo == nil) != (hi == nil) {
            throw n.error(lo == nil ? "hi" : "lo", "give both lo and hi, or neither (\(whole))")
        }
        if let lo, let hi, !(lo.0 < hi.0 && lo.1 < hi.1) { throw n.error("hi", "must exceed lo in both coordinates") }
    }

    static func checkOutlet(closed: Bool, patches: [PatchSpec], root: ConfigNode) throws {
        if !closed {
            let hasOutlet = patches.contains {
                switch $0.patch.kind {
                case .pressureOutlet, .fanInlet: return true
                default: return false
                }
            }
            if !hasOutlet {
                throw root.error(
                    "patches",
                    "no outlet: air has no way out (add a patch of kind outlet or fan, or set closed: true for a "
                        + "closed domain)"
                )
            }
        } else if !patches.isEmpty {
            throw root.error("closed", "a closed case has no patches, but \(patches.count) are given")
        }
    }

    public init(_ root: ConfigNode) throws {
        self.root = root
        file = root.file
        try root.checkKeys(allowed: [
            "name", "domain", "grid", "physics", "closed", "sides", "boxes", "planes", "patches", "solver",
        ])
        let stem = root.fileStem
        name = try root.string("name", default: stem)

        let domain = try root.required("domain")
        try domain.checkKeys(allowed: ["size"])
        size = try domain.vector3("size")
        for (i, v) in [size.0, size.1, size.2].enumerated() where !(v > 0) {
            throw try domain.required("size").array()[i].error("domain size must be > 0 m (got \(configFormat(v)))")
        }

        // Grid.
        var c = GridConstraints()
        if let g = root.child("grid") {
            try g.checkKeys(allowed: [
                "maxSpacing", "maxNeighbourRatio", "minCellsAcrossPart", "minSpacing", "refinement",
            ])
            c.refinement = try g.double("refinement", default: 1, "must be ≥ 1") { $0 >= 1 }
            c.maxSpacingM = try g.double("maxSpacing", default: c.maxSpacingM, "must be > 0 m") { $0 > 0 }
            c.maxNeighbourRatio = try g.double("maxNeighbourRatio", default: c.maxNeighbourRatio, "must be ≥ 1") {
                $0 >= 1
            }
            c.minCellsAcrossPart = try g.int("minCellsAcrossPart", default: c.minCellsAcrossPart)
            if c.minCellsAcrossPart < 0 {
                throw g.error("minCellsAcrossPart", "must be ≥ 0 (got \(c.minCellsAcrossPart))")
            }
            c.minSpacingM = try g.double("minSpacing", default: c.minSpacingM, "must be ≥ 0 m and < maxSpacing") {
                $0 >= 0 && $0 < c.maxSpacingM
            }
        }
        constraints = c

        // Physics.
        var fluid = Fluid()
        var gravity = false, energy = false, t0 = 20.0
        var turbulence = TurbulenceModel.laminar
        if let p = root.child("physics") {
            try p.checkKeys(allowed: ["fluid", "gravity", "energy", "turbulence", "initialTemperature"])
            if let f = p.child("fluid") {
                try f.checkKeys(allowed: [
                    "density", "viscosity", "conductivity", "specificHeat", "expansion", "referenceTemperature",
                ])
                fluid.densityKgPerM3 = try f.double("density", default: fluid.densityKgPerM3, "must be > 0 kg/m³") {
                    $0 > 0
                }
                fluid.viscosityPaS = try f.double("viscosity", default: fluid.viscosityPaS, "must be > 0 Pa·s") {
                    $0 > 0
                }
                fluid.conductivityWPerMK = try f.double(
                    "conductivity", default: fluid.conductivityWPerMK, "must be > 0 W/(m·K)"
                ) { $0 > 0 }
                fluid.specificHeatJPerKgK = try f.double(
                    "specificHeat", default: fluid.specificHeatJPerKgK, "must be > 0 J/(kg·K)"
                ) { $0 > 0 }
                fluid.expansionPerK = try f.double("expansion", default: fluid.expansionPerK, "must be ≥ 0 1/K") {
                    $0 >= 0
                }
                fluid.referenceTemperatureC = try f.double(
                    "referenceTemperature", default: fluid.referenceTemperatureC, "must be above absolute zero"
                ) { $0 > -273.15 }
            }
            gravity = try p.bool("gravity", default: false)
            energy = try p.bool("energy", default: false)
            t0 = try p.double("initialTemperature", default: 20, "must be above absolute zero (°C)") { $0 > -273.15 }
            if let t = p.child("turbulence") {
                if t.isScalar {
                    let s = try t.string()
                    guard s == "laminar" else {
                        throw t.error(
                            "must be laminar, {constantEddyViscosity: Pa·s} or {mixingLength: {delta: m}} (got '\(s)')")
                    }
                } else {
                    try t.checkKeys(allowed: ["constantEddyViscosity", "mixingLength"])
                    let keys = try t.keys()
                    guard keys.count == 1 else {
                        throw t.error("give exactly one of constantEddyViscosity, mixingLength")
                    }
                    if t.has("constantEddyViscosity") {
                        turbulence = .constantEddyViscosity(
                            try t.double("constantEddyViscosity", "must be ≥ 0 Pa·s") { $0 >= 0 })
                    } else {
                        let m = try t.required("mixingLength")
                        try m.checkKeys(allowed: ["delta"])
                        turbulence = .mixingLength(deltaM: try m.double("delta", "must be > 0 m") { $0 > 0 })
                    }
                }
            }
        }
        self.fluid = fluid
        self.gravity = gravity
        self.energy = energy
        self.turbulence = turbulence
        initialTemperatureC = t0
        closed = try root.bool("closed", default: false)

        // Sides.
        var sides: [Side: SideCondition] = [:]
        if let s = root.child("sides") {
            try s.checkKeys(allowed: ["west", "east", "south", "north", "bottom", "top"])
            for key in try s.keys() {
                let n = try s.required(key)
                let side = Self.sideNames[key]!
                if n.isScalar {
                    let v = try n.string()
                    switch v {
                    case "symmetry": sides[side] = .symmetry
                    case "wall": sides[side] = .wall()
                    default:
                        throw n.error(
                            "must be symmetry, wall or {wall: {velocity: [u, v, w], temperature: °C}} (got '\(v)')")
                    }
                } else {
                    try n.checkKeys(allowed: ["wall", "symmetry"])
                    if n.has("symmetry") {
                        throw n.error("symmetry", "write `symmetry` as a plain value, not a mapping")
                    }
                    let w = try n.required("wall")
                    try w.checkKeys(allowed: ["velocity", "temperature"])
                    let v = try w.vector3("velocity", default: (0, 0, 0))
                    let th: ThermalCondition =
                        try w.optionalDouble("temperature").map { t in
                            guard t > -273.15 else {
                                throw w.error("temperature", "must be above absolute zero (got \(configFormat(t)))")
                            }
                            return .temperatureC(t)
                        } ?? .adiabatic
                    sides[side] = .wall(velocityMPerS: v, thermal: th)
                }
            }
        }
        self.sides = sides

        // Boxes.
        var boxes: [Box] = []
        var boxNames: Set<String> = []
        for b in try root.optionalArray("boxes") {
            _ = try b.mapping()
            let kindS = try b.choice("kind", ["solid", "porous", "heat"])
            let kind = BoxKind(rawValue: kindS)!
            var allowed = ["name", "lo", "hi", "kind"]
            switch kind {
            case .solid: break
            case .porous: allowed += ["inverseK", "c2", "powerW"]
            case .heat: allowed += ["powerW"]
            }
            try b.checkKeys(allowed: allowed)
            let name = try b.string("name")
            try Self.checkUnique(name, "box", &boxNames, b)
            let lo = try b.vector3("lo"), hi = try b.vector3("hi")
            try Self.checkBounds(Box(name: name, lo: lo, hi: hi, kind: kind, node: b))
            var porous: PorousCoefficients? = nil
            var power = 0.0
            if kind == .porous {
                let ik = try b.vector3("inverseK"), c2 = try b.vector3("c2")
                for (key, v) in [("inverseK", ik), ("c2", c2)] {
                    for (i, x) in [v.0, v.1, v.2].enumerated() where x < 0 {
                        throw try b.required(key).array()[i].error("must be ≥ 0 (got \(configFormat(x)))")
                    }
                }
                porous = PorousCoefficients(inverseKPerM2: ik, c2PerM: c2)
                power = try b.double("powerW", default: 0, "must be ≥ 0") { $0 >= 0 }
            } else if kind == .heat {
                power = try b.double("powerW", "must be ≥ 0") { $0 >= 0 }
            }
            boxes.append(Box(name: name, lo: lo, hi: hi, kind: kind, porous: porous, powerW: power, node: b))
        }
        self.boxes = boxes

        // Planes.
        var planes: [Plane] = []
        var planeNames: Set<String> = []
        for p in try root.optionalArray("planes") {
            _ = try p.mapping()
            let kindS = try p.choice("kind", ["sheet", "wall", "fan"])
            var allowed = ["name", "axis", "position", "lo", "hi", "kind"]
            switch kindS {
            case "sheet": allowed += ["freeArea", "zeta", "thickness", "holeDiameter"]
            case "fan": allowed += ["direction", "rpm", "curve"]
            default: break
            }
            try p.checkKeys(allowed: allowed)
            let name = try p.string("name")
            try Self.checkUnique(name, "plane", &planeNames, p)
            let axis = Self.axisNames[try p.choice("axis", ["x", "y", "z"])]!
            let position = try p.double("position")
            let lo = try p.optionalVector2("lo"), hi = try p.optionalVector2("hi")
            try Self.checkRectangle(lo, hi, p, whole: "whole cross-section")
            let kind: PlaneKind
            switch kindS {
            case "sheet":
                kind = .sheet(zeta: try sheetZeta(Layered(p))) // one reader for sheets in cases and parts
            case "fan":
                let curveNode = try p.required("curve")
                let curve = try Self.fanCurve(curveNode)
                let rpm = try p.double("rpm", default: curve.referenceRPM, "must be ≥ 0 rev/min") { $0 >= 0 }
                let dir = try p.int("direction", default: 1)
                guard dir == 1 || dir == -1 else { throw p.error("direction", "must be 1 or -1 (got \(dir))") }
                kind = .fan(curve: curve, rpm: rpm, direction: Double(dir))
            default:
                kind = .wall
            }
            planes.append(Plane(name: name, axis: axis, position: position, lo: lo, hi: hi, kind: kind, node: p))
        }
        self.planes = planes

        // Patches.
        var patches: [PatchSpec] = []
        var patchNames: Set<String> = []
        for p in try root.optionalArray("patches") {
            _ = try p.mapping()
            let kindS = try p.choice("kind", ["velocity", "flow", "outlet", "fan"])
            var allowed = ["name", "side", "lo", "hi", "kind"]
            switch kindS {
            case "velocity": allowed += ["speed", "temperature"]
            case "flow": allowed += ["flow", "temperature"]
            case "outlet": allowed += ["pressure", "backflowTemperature"]
            default: allowed += ["curve", "rpm", "plenumPressure", "temperature"]
            }
            try p.checkKeys(allowed: allowed)
            let name = try p.string("name")
            try Self.checkUnique(name, "patch", &patchNames, p)
            let side = Self.sideNames[try p.choice("side", ["west", "east", "south", "north", "bottom", "top"])]!
            let lo = try p.optionalVector2("lo"), hi = try p.optionalVector2("hi")
            try Self.checkRectangle(lo, hi, p, whole: "whole side")
            func temp(_ k: String) throws -> Double {
                try p.double(k, default: 20, "must be above absolute zero (°C)") { $0 > -273.15 }
            }
            let kind: Patch.Kind
            switch kindS {
            case "velocity":
                kind = .velocityInlet(speedMPerS: try p.double("speed"), temperatureC: try temp("temperature"))
            case "flow": kind = .flowInlet(flowM3PerS: try p.double("flow"), temperatureC: try temp("temperature"))
            case "outlet":
                kind = .pressureOutlet(
                    pressurePa: try p.double("pressure", default: 0),
                    backflowTemperatureC: try temp("backflowTemperature"))
            default:
                let curve = try Self.fanCurve(try p.required("curve"))
                let rpm = try p.double("rpm", default: curve.referenceRPM, "must be ≥ 0 rev/min") { $0 >= 0 }
                kind = .fanInlet(
                    curve: curve, rpm: rpm, plenumPressurePa: try p.double("plenumPressure", default: 0),
                    temperatureC: try temp("temperature"))
            }
            let patch = Patch(
                name: name, side: side, lo: lo ?? (-.infinity, -.infinity), hi: hi ?? (.infinity, .infinity), kind: kind
            )
            patches.append(PatchSpec(patch: patch, node: p))
        }
        self.patches = patches
        try Self.checkOutlet(closed: closed, patches: patches, root: root)

        // Solver.
        var o = SimpleOptions()
        // Case-file defaults of the steady iteration (the rack's, measured there first): steady
        // iterations unrelaxed, damped by the pseudo-time term with its Courant number capped at
        // 100, and 8 momentum sweeps (Steady/PseudoTransient.swift). On generated cases:
        // 648 → 154 and 1,230 → 703 outer iterations, two others unchanged (949, 811).
        let sv = root.child("solver")
        if sv?.child("velocityRelaxation") == nil { o.steadyVelocityRelaxation = 1 }
        o.pseudoCourantMax = 100
        o.momentumSweeps = 8
        if let s = sv {
            try s.checkKeys(allowed: [
                "maxIterations", "tolerance", "velocityRelaxation",
                "steadyVelocityRelaxation", "pseudoCourantMax", "pressureRelaxation",
                "temperatureRelaxation", "momentumSweeps", "energySweeps", "secondOrder",
                "pressureTolerance", "pressureSmoother",
            ])
            o.maxIterations = try s.int("maxIterations", default: o.maxIterations)
            if o.maxIterations < 1 { throw s.error("maxIterations", "must be ≥ 1 (got \(o.maxIterations))") }
            o.tolerance = try s.double("tolerance", default: o.tolerance, "must be > 0") { $0 > 0 }
            o.velocityRelaxation = try s.double(
                "velocityRelaxation", default: o.velocityRelaxation, "must be in (0, 1]"
            ) { $0 > 0 && $0 <= 1 }
            if s.child("steadyVelocityRelaxation") != nil {
                o.steadyVelocityRelaxation = try s.double("steadyVelocityRelaxation", default: 1, "must be in (0, 1]") {
                    $0 > 0 && $0 <= 1
                }
            }
            o.pseudoCourantMax = try s.double("pseudoCourantMax", default: o.pseudoCourantMax, "must be ≥ 1") {
                $0 >= 1 && $0.isFinite
            }
            o.pressureRelaxation = try s.double(
                "pressureRelaxation", default: o.pressureRelaxation, "must be in (0, 1]"
            ) { $0 > 0 && $0 <= 1 }
            o.temperatureRelaxation = try s.double(
                "temperatureRelaxation", default: o.temperatureRelaxation, "must be in (0, 1]"
            ) { $0 > 0 && $0 <= 1 }
            o.momentumSweeps = try s.int("momentumSweeps", default: o.momentumSweeps)
            if o.momentumSweeps < 0 { throw s.error("momentumSweeps", "must be ≥ 0 (got \(o.momentumSweeps))") }
            o.energySweeps = try s.int("energySweeps", default: o.energySweeps)
            if o.energySweeps < 0 { throw s.error("energySweeps", "must be ≥ 0 (got \(o.energySweeps))") }
            o.secondOrder = try s.bool("secondOrder", default: o.secondOrder)
            o.pressureTolerance = try s.double("pressureTolerance", default: o.pressureTolerance, "must be in (0, 1)") {
                $0 > 0 && $0 < 1
            }
            switch try s.string("pressureSmoother", default: "point") {
            case "point": o.pressureMultigrid.allowLines = false
            case "lines": o.pressureMultigrid = .lines(share: 0, sweeps: 1)
            case let other: throw s.error("pressureSmoother", "must be point or lines (got '\(other)')")
            }
        }
        options = o
    }

    /// A fan curve from `{flow: […], pressure: […], rpm, stoppedLossCoefficient?}` or
    /// `{maxPressure, freeDelivery, rpm}`; FanCurve's own errors are reported at the key.
    static func fanCurve(_ n: ConfigNode) throws -> FanCurve {
        _ = try n.mapping()
        let tabulated = n.has("flow") || n.has("pressure")
        try n.checkKeys(
            allowed: tabulated
                ? ["flow", "pressure", "rpm", "stoppedLossCoefficient"]
                : ["maxPressure", "freeDelivery", "rpm", "flow", "pressure", "stoppedLossCoefficient"])
        let rpm = try n.double("rpm")
        let keyMap = [
            "flowM3PerS": "flow", "pressurePa": "pressure", "referenceRPM": "rpm",
            "stoppedLossCoefficient": "stoppedLossCoefficient", "maxPressurePa": "maxPressure",
            "freeDeliveryM3PerS": "freeDelivery",
        ]
        do {
            if tabulated {
                return try FanCurve(
                    flowM3PerS: try n.required("flow").doubles(), pressurePa: try n.required("pressure").doubles(),
                    referenceRPM: rpm,
                    stoppedLossCoefficient: try n.double(
                        "stoppedLossCoefficient", default: FanCurve.defaultStoppedLossCoefficient))
            } else {
                if n.has("stoppedLossCoefficient") {
                    throw n.error("stoppedLossCoefficient", "only with a tabulated curve (flow, pressure)")
                }
                return try FanCurve.quadratic(
                    maxPressurePa: try n.double("maxPressure"), freeDeliveryM3PerS: try n.double("freeDelivery"),
                    rpm: rpm)
            }
        } catch let e as PhysicsInputError {
            // "pressurePa[3]" → child "pressure", element 3.
            var base = e.key, index: Int? = nil
            if let b = e.key.firstIndex(of: "["), let close = e.key.firstIndex(of: "]") {
                base = String(e.key[..<b])
                index = Int(e.key[e.key.index(after: b)..<close])
            }
            let key = keyMap[base] ?? base
            if let c = n.child(key) {
                if let index, let items = try? c.array(), index < items.count { throw items[index].error(e.message) }
                throw c.error(e.message)
            }
            throw n.error(key, e.message)
        }
    }

    // MARK: - Compiling

    /// Builds the grid (lines at every box corner and plane position), voxelises boxes and
    /// planes, and fills a `FlowCase` with porous coefficients, heat, sheet losses, fans,
    /// patches, sides and physics.
    public func compile() throws -> (FlowCase, SimpleOptions, report: VoxelReport) {
        let grid = try buildGrid()
        let vboxes = boxes.map { b in
            VoxelBox(
                name: b.name, lo: b.lo, hi: b.hi,
                tag: b.kind == .solid ? .solid : (b.kind == .porous ? .porous : .fluid))
        }
        return try compile(on: grid, vboxes)
    }

    /// The grid lines alone (no per-cell array exists yet), after the overlap check and the
    /// resource check: a grid larger than the machine's memory is refused here with its
    /// estimate of cells, memory and time, before anything is allocated.
    public func buildGrid(availableBytes: Double? = ResourceEstimate.availableBytes()) throws -> Grid {
        // Overlapping solids.
        let vboxes = boxes.map { b in
            VoxelBox(
                name: b.name, lo: b.lo, hi: b.hi,
                tag: b.kind == .solid ? .solid : (b.kind == .porous ? .porous : .fluid))
        }
        if let (a, b) = Voxeliser.overlaps(vboxes).first {
            let na = boxes.first { $0.name == a }!.node, nb = boxes.first { $0.name == b }!.node
            throw nb.error("solid boxes '\(a)' (set at \(Self.place(na))) and '\(b)' overlap")
        }
        // Grid.
        let grid: Grid
        do {
            grid = try GridGenerator.grid(
                domainLo: (0, 0, 0), domainHi: size,
                boxes: boxes.map { ($0.lo, $0.hi) },
                planes: planes.map { (axis: $0.axis, position: $0.position) },
                constraints: constraints)
        } catch let e as GridError {
            let key = [
                "maxSpacingM": "maxSpacing", "maxNeighbourRatio": "maxNeighbourRatio",
                "minCellsAcrossPart": "minCellsAcrossPart", "minSpacingM": "minSpacing",
            ][e.key]
            if let key, let g = root.child("grid") { throw g.error(key, e.message) }
            throw root.error("grid", "\(e.key): \(e.message)")
        }
        let estimate = ResourceEstimate(
            nx: grid.nx, ny: grid.ny, nz: grid.nz,
            iterations: ResourceEstimate.typicalIterations)
        if let why = estimate.refusal(available: availableBytes) {
            if let g = root.child("grid") { throw g.error("maxSpacing", why) }
            throw root.error("grid", why)
        }
        return grid
    }

    func compile(on grid: Grid, _ vboxes: [VoxelBox]) throws -> (FlowCase, SimpleOptions, report: VoxelReport) {
        // Voxelise.
        let full = [size.0, size.1, size.2]
        let vplanes = planes.map { p -> VoxelPlane in
            let other = [(p.axis + 1) % 3, (p.axis + 2) % 3].sorted()
            let tag: FaceTag
            switch p.kind {
            case .sheet: tag = .porousSheet
            case .wall: tag = .wall
            case .fan: tag = .fan
            }
            return VoxelPlane(
                name: p.name, axis: p.axis, positionM: p.position,
                lo: p.lo ?? (0, 0), hi: p.hi ?? (full[other[0]], full[other[1]]), tag: tag)
        }
        try checkPlanesResolved(grid)
        var tags = GridTags(grid)
        let report: VoxelReport
        do {
            report = try Voxeliser.apply(
                boxes: vboxes, planes: vplanes, to: &tags, maxSnapDistanceM: maxPlaneSnapM(grid))
        } catch let e as VoxelError {
            if let b = boxes.first(where: { $0.name == e.object }) { throw b.node.error(e.message) }
            if let p = planes.first(where: { $0.name == e.object }) { throw p.node.error(e.message) }
            throw root.error(e.message)
        }

        var flow = FlowCase(grid: grid, tags: tags)
        flow.fluid = fluid
        flow.gravity = gravity
        flow.solveEnergy = energy
        flow.turbulence = turbulence
        flow.initialTemperatureC = initialTemperatureC
        flow.sides = sides

        // Porous coefficients and heat.
        var heat = [Double](repeating: 0, count: grid.cellCount)
        var anyHeat = false
        for b in boxes {
            let cells = report.boxCells[b.name] ?? []
            if let pc = b.porous {
                for c in cells where tags.cells[c] == .porous { flow.porous[c] = pc }
            }
            if b.powerW > 0 {
                let live = cells.filter { tags.cells[c: $0] != .solid }
                let vol = live.reduce(0.0) { s, c in
                    let (i, j, k) = grid.ijk(c)
                    return s + grid.volume(i, j, k)
                }
                guard vol > 0 else {
                    throw b.node.error(
                        "powerW",
                        "no fluid or porous cell is left in the box to release the power (later solid boxes cover it)")
                }
                for c in live {
                    let (i, j, k) = grid.ijk(c)
                    heat[c] += b.powerW * grid.volume(i, j, k) / vol
                }
                anyHeat = true
            }
        }
        if anyHeat { flow.heatW = heat }

        // Sheets and fans (faces a later plane re-tagged are dropped).
        for p in planes {
            guard let pf = report.planeFaces[p.name] else { continue }
            switch p.kind {
            case let .sheet(zeta):
                for f in pf.faces where tags.faces[pf.axis][f] == .porousSheet { flow.sheetZeta[pf.axis][f] = zeta }
            case let .fan(curve, rpm, direction):
                let faces = pf.faces.filter { tags.faces[pf.axis][$0] == .fan }
                guard !faces.isEmpty else { throw p.node.error("every face of the fan is covered by a later plane") }
                flow.fans.append(
                    FanFaces(
                        name: p.name, axis: pf.axis, direction: direction, faces: faces, curve: curve,
                        rpm: rpm, areaM2: pf.flowAreaM2, densityKgPerM3: fluid.densityKgPerM3))
            case .wall:
                break
            }
        }

        // Patches: each must cover at least one boundary face.
        for ps in patches {
            let patch = ps.patch
            let a = patch.side.axis
            let (p, q) = a == 0 ? (1, 2) : (a == 1 ? (0, 2) : (0, 1))
            let cp = grid.axis(p).centres, cq = grid.axis(q).centres
            let covers =
                cp.contains { $0 > patch.lo.0 && $0 < patch.hi.0 } && cq.contains { $0 > patch.lo.1 && $0 < patch.hi.1 }
            guard covers else {
                throw ps.node.error(
                    "patch covers no boundary face of side \(patch.side) (check lo/hi, in the side's in-plane axes)")
            }
            flow.patches.append(patch)
        }
        return (flow, options, report: report)
    }
}

extension GenericCase {
    /// `FILE:LINE KEY.PATH` of a node, for messages that point at a second place.
    static func place(_ n: ConfigNode) -> String {
        let f = (n.file as NSString).lastPathComponent
        return f + (n.line.map { ":\($0)" } ?? "") + (n.keyPath.isEmpty ? "" : " " + n.keyPath)
    }

    /// How far a plane may move when snapped to its grid line: half of `minSpacing` (lines
    /// closer than `minSpacing` merge, so a plane only moves when it merged with a nearby line),
    /// and never less than rounding.
    func maxPlaneSnapM(_ grid: Grid) -> Double {
        let axes = [grid.x, grid.y, grid.z]
        return max(constraints.minSpacingM / 2, 1e-9 * axes.map(\.length).max()!)
    }

    /// "Spacing too coarse to resolve a plane's position": every plane gets a grid line at its
    /// position unless lines closer than `grid.minSpacing` merge. Merging is an error when it
    /// moves a plane by more than half of `minSpacing`, puts it onto the domain boundary, or puts
    /// it on the same line as another plane with a different position whose rectangle overlaps
    /// its own (one would silently replace the other's faces).
    func checkPlanesResolved(_ grid: Grid) throws {
        let axes = [grid.x, grid.y, grid.z], names = ["x", "y", "z"]
        let maxMove = maxPlaneSnapM(grid)
        var onLine: [[Int: [Int]]] = [[:], [:], [:]]
        func m(_ v: Double) -> String { configFormat((v * 1e6).rounded() / 1e6) } // to the micrometre
        func rect(_ p: Plane) -> ((Double, Double), (Double, Double)) {
            (p.lo ?? (-.infinity, -.infinity), p.hi ?? (.infinity, .infinity))
        }
        func overlap(_ p: Plane, _ q: Plane) -> Bool {
            let (a, b) = (rect(p), rect(q))
            return min(a.1.0, b.1.0) > max(a.0.0, b.0.0) && min(a.1.1, b.1.1) > max(a.0.1, b.0.1)
        }
        for (i, p) in planes.enumerated() {
            guard (0...2).contains(p.axis), p.position.isFinite else { continue } // the voxeliser reports these
            let ax = axes[p.axis], eps = 1e-9 * ax.length, n = names[p.axis]
            guard p.position >= ax.lower - eps && p.position <= ax.upper + eps else { continue }
            let s = GridGenerator.snap(p.position, to: ax)
            let moved = abs(s.position - p.position)
            let why =
                "spacing too coarse to resolve the plane's position (grid.minSpacing \(m(constraints.minSpacingM)) m "
                + "merges grid lines closer than that); move the plane or lower grid.minSpacing"
            if moved > eps && (s.index == 0 || s.index == ax.faces.count - 1) {
                throw p.node.error(
                    "plane '\(p.name)' at \(n) = \(m(p.position)) m lands on the domain boundary \(n) = "
                        + "\(m(s.position)) m: \(why)"
                )
            }
            for j in onLine[p.axis][s.index, default: []] {
                let q = planes[j]
                guard abs(q.position - p.position) > eps, overlap(p, q) else { continue }
                // Report the plane that moved further (its position is the one lost).
                let (lost, kept) = abs(q.position - s.position) > moved ? (q, p) : (p, q)
                throw lost.node.error(
                    "plane '\(lost.name)' at \(n) = \(m(lost.position)) m lands on the grid line of plane "
                        + "'\(kept.name)' at \(n) = \(m(kept.position)) m (set at \(Self.place(kept.node))): \(why)"
                )
            }
            if moved > maxMove {
                throw p.node.error(
                    "plane '\(p.name)' at \(n) = \(m(p.position)) m is snapped \(m(moved)) m to the grid line at "
                        + "\(m(s.position)) m: \(why)"
                )
            }
            onLine[p.axis][s.index, default: []].append(i)
        }
    }
}

private extension Array where Element == CellTag {
    subscript(c c: Int) -> CellTag { self[c] }
}
