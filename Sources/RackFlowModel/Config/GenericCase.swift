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
///                              #   or kEpsilon (standard k–ε with buoyant production)
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
///                              # (each kind's keys and terms: RackFlowPhysics/Boundaries/)
///   - {name: inlet, side: west, lo: [0, 0], hi: [0.2, 0.05],  # m, side's in-plane axes in
///      kind: velocity, speed: 1.0, temperature: 20}           #   order; lo/hi optional = whole side
///                              # speed: inward m/s; temperature °C (default 20)
///   - {name: supply, side: west, kind: flow, flow: 0.01, temperature: 18}   # m³/s inward
///   - {name: out, side: east, kind: outlet, pressure: 0, backflowTemperature: 20}  # Pa, °C (defaults 0, 20)
///   - {name: blower, side: south, kind: fan, curve: {…}, rpm: 3000,
///      plenumPressure: 0, temperature: 18}  # rpm default: curve's; Pa default 0; °C default 20
/// solver:                      # optional; SimpleOptions
///   maxIterations: 5000        # default 5000
///   tolerance: 1e-3            # default 1e-3: change residuals (temperature: RMS); monitors too
///   velocityRelaxation: 0.9    # (0, 1], default 0.9
///   steadyVelocityRelaxation: 1 # (0, 1], steady iterations only; default 1 (velocityRelaxation if that is given)
///   pseudoCourantMax: 100      # ≥ 1: cap of the pseudo-time Courant number, default 100
///   pressureRelaxation: 1.0    # (0, 1], default 1
///   temperatureRelaxation: 0.9 # (0, 1], default 0.9
///   momentumSweeps: 8          # ≥ 0 (0 = BiCGSTAB), default 8
///   energySweeps: 4            # ≥ 0, default 4
///   secondOrder: true          # van Leer (true) or upwind, default true
///   pressureTolerance: 0.02    # (0, 1): pressure-correction residual reduction per iteration, default 0.02
///   pressureSmoother: point    # point | lines: pressure-correction multigrid (point: connected blocks)
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
        /// Built in code only: the plane adds no grid line of its own and lands on the nearest line
        /// of the grid the other objects make, however far (at most half a cell). For walls whose
        /// exact position does not matter, which would otherwise crowd lines of their own next to
        /// other objects' (the room air's exhaust sub-ducts).
        public var onNearestLine = false
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
    /// The command line's `--max-spacing` (m), when it overrides `grid.maxSpacing`: a grid
    /// error it causes names the option, not the file's keys.
    public var maxSpacingOverrideM: Double?
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
    /// Domain sides beyond which a grid too large for the machine names the units: past a
    /// kilometre as the cause (millimetres typed as metres), past a hundred metres (a hall is
    /// tens of metres) beside the spacing.
    static let unitSlipSideM = 1000.0
    static let largestHallSideM = 100.0

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

    /// A patch's rectangle must lie on its side: clipped silently, a patch half off the side
    /// covered half its written area and reported that as what was written.
    static func checkPatchesOnSides(_ patches: [PatchSpec], size: (Double, Double, Double)) throws {
        let extent = [size.0, size.1, size.2]
        let axisNames = ["x", "y", "z"]
        for ps in patches {
            let p = ps.patch
            let a = p.side.axis
            let (t1, t2) = SIMD3<Int>.transverse(a)
            for (t, lo, hi) in [(t1, p.lo.0, p.hi.0), (t2, p.lo.1, p.hi.1)] {
                let slack = 1e-9 * extent[t]
                guard lo.isFinite || hi.isFinite else { continue }
                if lo < -slack || hi > extent[t] + slack {
                    // Name the end that is off the side (the bad value is there).
                    throw ps.node.error(
                        lo < -slack ? "lo" : "hi",
                        "the patch reaches past its side: \(axisNames[t]) from \(configFormat(lo)) to "
                            + "\(configFormat(hi)) m, where side \(p.side) spans 0 to \(configFormat(extent[t])) m "
                            + "(lo and hi are in the side's in-plane axes, \(axisNames[t1]) then \(axisNames[t2]))")
                }
            }
        }
    }

    /// A closed case with heat and no wall held at a temperature has no steady state: the heat
    /// has nowhere to go, and the solve ran away (a 200 W box diverged, with advice about
    /// relaxation that could not help).
    static func checkHeatHasAWayOut(_ c: GenericCase, root: ConfigNode) throws {
        guard c.closed, c.energy else { return }
        let heatW = c.boxes.reduce(0.0) { $0 + $1.powerW }
        guard heatW > 0 else { return }
        let cooled = c.sides.values.contains {
            if case .wall(_, .temperatureC) = $0 { return true }
            return false
        }
        guard !cooled else { return }
        throw root.error(
            "closed",
            "the case is closed and releases \(configFormat(heatW)) W, but no wall is held at a temperature: the "
                + "heat has no way out and no steady state exists (give a side {wall: {temperature: °C}}, or "
                + "open the case with an outlet)")
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

        constraints = try Self.readGrid(root)
        // A cap beyond the whole domain is a unit slip (20 meant as mm), not a grid: it gave
        // 88 cells and a run on them without a word.
        let largest = max(size.0, size.1, size.2)
        // (The default cap, which the case writer always writes, is never refused: a 1 cm domain.)
        if let g = root.child("grid"), g.child("maxSpacing") != nil, constraints.maxSpacingM > largest,
            constraints.maxSpacingM > GridConstraints().maxSpacingM
        {
            throw g.error(
                "maxSpacing",
                "\(configFormat(constraints.maxSpacingM)) m is larger than the whole domain (its largest side is "
                    + "\(configFormat(largest)) m); lengths are in metres")
        }
        (fluid, gravity, energy, turbulence, initialTemperatureC) = try Self.readPhysics(root)
        closed = try root.bool("closed", default: false)
        sides = try Self.readSides(root)
        boxes = try Self.readBoxes(root)
        planes = try Self.readPlanes(root)
        patches = try Self.readPatches(root)
        try Self.checkOutlet(closed: closed, patches: patches, root: root)
        try Self.checkPatchesOnSides(patches, size: size)
        try Self.checkFanDeliveries(planes: planes, patches: patches, size: size)
        options = try Self.readSolver(root)
        try Self.checkHeatHasAWayOut(self, root: root)
    }
}
