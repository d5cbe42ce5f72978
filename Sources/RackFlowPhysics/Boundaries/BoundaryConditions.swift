import RackFlowNumerics

// The boundary conditions of a flow case, one file each, in the manner of OpenFOAM's
// `src/finiteVolume/fields/fvPatchFields`: every file opens with a Description of what the
// condition does to each equation, a Usage table of its YAML keys and defaults, and a
// reference, and holds that condition's terms.
//
// | condition | file | resolved face |
// | --- | --- | --- |
// | wall (still, sliding, adiabatic or isothermal) | `Wall.swift` | `.wall` |
// | symmetry plane | `Symmetry.swift` | `.symmetry` |
// | velocity inlet | `VelocityInlet.swift` | `.inlet` |
// | flow-rate inlet | `FlowRateInlet.swift` | `.inlet` |
// | fan-curve inlet | `FanCurveInlet.swift` | `.outlet` and a fan on its faces |
// | pressure outlet | `PressureOutlet.swift` | `.outlet` |
//
// This file holds the types a case states them with (`SideCondition`, `Patch`) and the
// resolved condition of each boundary face (`BoundaryFace`), which the equations switch on;
// `FixedFaces.swift` marks which velocity faces the conditions impose.

/// Thermal condition of a wall.
public enum ThermalCondition: Sendable, Equatable {
    case adiabatic
    /// Fixed wall temperature, °C.
    case temperatureC(Double)
}

/// What a whole side of the box is, unless a patch covers part of it.
public enum SideCondition: Sendable {
    /// No-slip wall moving tangentially with `velocityMPerS` (a lid); the normal part is ignored.
    case wall(velocityMPerS: (Double, Double, Double) = (0, 0, 0), thermal: ThermalCondition = .adiabatic)
    /// Symmetry plane: no flow through, no shear, no heat flux (the side of a 2D case).
    case symmetry
}

/// An inlet or outlet on a rectangle of one side. `lo`/`hi` are the rectangle's corners in
/// the side's two in-plane coordinates, in axis order (x, y for a z-side; x, z for a y-side;
/// y, z for an x-side), metres. Boundary faces whose centres fall inside take the patch.
public struct Patch: Sendable {
    public enum Kind: Sendable {
        /// Uniform inflow normal to the side, m/s, at a temperature, °C.
        case velocityInlet(speedMPerS: Double, temperatureC: Double)
        /// Inflow of a volume flow rate spread uniformly over the patch's snapped area.
        case flowInlet(flowM3PerS: Double, temperatureC: Double)
        /// Fixed static pressure (Pa, gauge); air re-entering carries `backflowTemperatureC`.
        case pressureOutlet(pressurePa: Double, backflowTemperatureC: Double)
        /// A blower or fan between a plenum at `plenumPressurePa` and the domain: the face is
        /// a pressure boundary at the plenum pressure plus the fan's rise Δp(Q, rpm), with Q
        /// the patch's total inflow, so the operating point emerges from the solve.
        case fanInlet(curve: FanCurve, rpm: Double, plenumPressurePa: Double, temperatureC: Double)

        /// The temperature an inlet supplies, °C; nil for an outlet.
        public var supplyTemperatureC: Double? {
            switch self {
            case let .velocityInlet(_, t), let .flowInlet(_, t), let .fanInlet(_, _, _, t): return t
            case .pressureOutlet: return nil
            }
        }
    }
    public var name: String
    public var side: Side
    public var lo: (Double, Double)
    public var hi: (Double, Double)
    public var kind: Kind
    public init(name: String, side: Side, lo: (Double, Double), hi: (Double, Double), kind: Kind) {
        self.name = name
        self.side = side
        self.lo = lo
        self.hi = hi
        self.kind = kind
    }

    /// The whole side.
    public static func whole(_ name: String, _ side: Side, _ kind: Kind) -> Patch {
        Patch(name: name, side: side, lo: (-.infinity, -.infinity), hi: (.infinity, .infinity), kind: kind)
    }
}

/// The resolved condition of one boundary face.
public enum BoundaryFace: Sendable {
    case wall(tangential: (Double, Double, Double), thermal: ThermalCondition)
    case symmetry
    /// Fixed inflow: velocity along the inward normal (m/s), temperature (°C), patch index.
    case inlet(inwardSpeed: Double, temperatureC: Double, patch: Int)
    /// A pressure boundary: fixed static pressure, flow either way (outlets, fan inlets).
    case outlet(pressurePa: Double, backflowTemperatureC: Double, patch: Int)
}
