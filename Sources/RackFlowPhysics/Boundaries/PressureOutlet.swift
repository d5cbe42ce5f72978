import RackFlowNumerics

/// Description
///   Fixed static pressure on a rectangle of a side; air leaves or, where the interior
///   pushes it back, re-enters. It is the way out of every open case.
///
///   - Normal velocity: solved; the momentum row sees the outlet pressure beyond the face
///     (`pressure`), and air re-entering brings its momentum in (`momentumBackflow`).
///   - Tangential velocity: zero gradient either way; re-entering air keeps a diagonal
///     weight |F| by a lagged term that vanishes at convergence (`momentumBackflow`).
///   - Temperature: outflow leaves at the cell's value (zero gradient); backflow enters at
///     `backflowTemperature`.
///   - Pressure correction: p' = 0 beyond the face. The face's coupling ρ d A anchors the
///     cell (`PressureCorrection.swift`, the `anchor` of each boundary cell), which also
///     makes the pressure system definite.
///
/// Usage (a patch of a generic case)
///
/// | key | meaning | default |
/// | --- | --- | --- |
/// | `kind: outlet` | this condition | — |
/// | `side` | west, east, south, north, bottom or top | required |
/// | `lo`, `hi` | the rectangle in the side's in-plane axes, m | the whole side |
/// | `pressure` | static (gauge) pressure, Pa | 0 |
/// | `backflowTemperature` | temperature of air re-entering, °C | 20 |
///
/// Reference: Versteeg & Malalasekera, *An Introduction to Computational Fluid Dynamics*
/// (2nd ed., 2007), §9.3 and §9.5 (outlets, constant-pressure boundaries).
enum PressureOutletCondition {
    /// The resolved boundary face of patch `patch`.
    static func face(pressurePa: Double, backflowTemperatureC: Double, patch: Int) -> BoundaryFace {
        .outlet(pressurePa: pressurePa, backflowTemperatureC: backflowTemperatureC, patch: patch)
    }

    /// An outlet face of the control volume with outward mass flux `Fo` (kg/s). Outflow leaves
    /// with u_f and adds nothing in advective form. Backflow brings u_f too (zero gradient),
    /// which in advective form would add nothing either and leave such a face with no
    /// diagonal weight from the air entering it; lagged, |F| (u_f − u_f_old) keeps that weight
    /// and vanishes at convergence.
    @inline(__always)
    static func momentumBackflow(_ Fo: Double, _ uf: Double, ap: inout Double, src: inout Double) {
        if Fo < 0 {
            ap -= Fo
            src -= Fo * uf
        }
    }

    /// Outflow leaves at the cell's own value (zero gradient); backflow (`Fo` < 0) enters at
    /// `backflowC`. A transported scalar re-enters at the value it `carries` (a tracer 0, k and ε
    /// their ambient values).
    @inline(__always)
    static func energy(
        backflowC tb: Double, outwardFlux Fo: Double, carried: Double?, ap: inout Double, src: inout Double
    ) {
        ap += max(-Fo, 0)
        src += max(-Fo, 0) * (carried ?? tb)
    }
}

extension FlowSolver {
    /// Pressure beyond the boundary face of the row of `idx` along `a`, Pa: the outlet's (or
    /// a fan inlet's plenum) pressure, 0 where the face is not a pressure boundary.
    func outletPressure(_ a: Int, upper: Bool, _ idx: SIMD3<Int>) -> Double {
        var cidx = idx
        if upper { cidx[a] -= 1 }
        let side = Side(rawValue: 2 * a + (upper ? 1 : 0))!
        if case let .outlet(pr, _, _) = boundaryFace(side, cidx[0], cidx[1], cidx[2]) { return pr }
        return 0
    }
}
