import Foundation
import CVDB
import RackFlowNumerics
import RackFlowPhysics

/// Which world axis is up in the files (DESIGN §7). Solver axes: x width, y depth
/// front→back, z up.
public enum VDBUpAxis: String, Sendable, CaseIterable {
    /// Houdini / Solaris / usdchecker default: (X, Y, Z) = (x, z, −y), a proper rotation;
    /// the rack front (y = 0 side) faces +Z.
    case y = "Y"
    /// Omniverse-style: (X, Y, Z) = (x, y, z).
    case z = "Z"
}

/// Where a rack sits in the room, in the solver frame (z up) before the up-axis mapping:
/// the rack is turned `quarterTurns` × 90° counter-clockwise about z (seen from above; 2
/// faces a rack the other way, for facing rows), then shifted by `offsetM`.
public struct VDBPlacement: Sendable, Equatable {
    public var offsetM: (x: Double, y: Double, z: Double)
    public var quarterTurns: Int
    public init(offsetM: (x: Double, y: Double, z: Double) = (0, 0, 0), quarterTurns: Int = 0) {
        self.offsetM = offsetM
        self.quarterTurns = quarterTurns
    }
    public static let identity = VDBPlacement()
    public static func == (a: Self, b: Self) -> Bool {
        a.offsetM == b.offsetM && ((a.quarterTurns - b.quarterTurns) % 4 + 4) % 4 == 0
    }
}

/// What the `turbulence` grid holds (its `turbulence_kind`, `units` and `quantity` metadata
/// say which).
///
/// The default is k: bounded, and zero where the air is still. The intensity √(2k/3)/|U|
/// divides by the local speed (floored at 0.05 m/s, MixingLength), so in the still air of a
/// glass rack's corners it reached 10 and drove an artist's turbulence control wild.
public enum VDBTurbulence: String, Sendable {
    /// √(2k/3)/|U| (dimensionless; large where the air is nearly still).
    case intensity
    /// k (m²/s²), the turbulent kinetic energy of the flow's turbulence model (a rack's mixing
    /// length, the room air's k–ε).
    case kineticEnergy
    var units: String { self == .intensity ? "1" : "m2/s2" }
    var quantity: String { self == .intensity ? "turbulence intensity sqrt(2k/3)/|U|" : "turbulent kinetic energy k" }
}

/// One frame of solver fields on the solver's (non-uniform) grid. Cell arrays are indexed
/// like `Grid` (`i + nx·(j + ny·k)`); velocities are the staggered face values, laid out
/// like `FaceField` of their axis (u: (nx+1)·ny·nz, v: nx·(ny+1)·nz, w: nx·ny·(nz+1)).
public struct VDBFrame: Sendable {
    public var temperatureC: [Double]
    public var pressurePa: [Double]
    /// Smoke-like tracer, 0…1.
    public var density: [Double]
    public var turbulence: [Double]
    public var turbulenceKind: VDBTurbulence
    public var u: [Double], v: [Double], w: [Double]
    /// Value of `temperature` outside the fluid (inactive voxels and the grid background);
    /// nil: the lowest fluid temperature of the frame. Give the inlet temperature in an
    /// animation, so the background does not flicker from frame to frame.
    public var temperatureBackgroundC: Double?

    public init(
        temperatureC: [Double], pressurePa: [Double], density: [Double], turbulence: [Double],
        turbulenceKind: VDBTurbulence = .kineticEnergy, u: [Double], v: [Double], w: [Double],
        temperatureBackgroundC: Double? = nil
    ) {
        self.temperatureC = temperatureC
        self.pressurePa = pressurePa
        self.density = density
        self.turbulence = turbulence
        self.turbulenceKind = turbulenceKind
        self.u = u
        self.v = v
        self.w = w
        self.temperatureBackgroundC = temperatureBackgroundC
    }

    /// The solver's current fields. `density` defaults to zeros (no tracer);
    /// `turbulence` is computed with `FlowSolver.turbulence()` unless given (that call
    /// computes a wall distance each time on a laminar case: pass it in when writing many
    /// frames of one).
    public init(
        solver s: FlowSolver, density: [Double]? = nil, turbulence: [Double]? = nil,
        turbulenceKind: VDBTurbulence = .kineticEnergy, temperatureBackgroundC: Double? = nil
    ) {
        let n = s.flow.grid.cellCount
        let t: [Double]
        if let turbulence {
            t = turbulence
        } else {
            let tk = s.turbulence()
            t = turbulenceKind == .intensity ? tk.intensity : tk.kineticEnergy
        }
        self.init(
            temperatureC: s.temperature.array, pressurePa: s.pressure.array,
            density: density ?? [Double](repeating: 0, count: n), turbulence: t, turbulenceKind: turbulenceKind,
            u: s.velocity[0].array, v: s.velocity[1].array, w: s.velocity[2].array,
            temperatureBackgroundC: temperatureBackgroundC)
    }
}
