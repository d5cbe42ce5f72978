/// Description
///   No-slip wall: still or sliding tangentially (a lid), adiabatic or held at a temperature.
///   It is what every side of a case is unless said otherwise, and what a `wall` plane, a
///   solid box's surface and a node's chassis plate are inside the domain.
///
///   - Normal velocity: imposed, zero; the face is not solved.
///   - Tangential velocity: the shear μA (u₀ − u_w)/d₀ in the matrix, d₀ the distance from the
///     wall to the first velocity node, corrected to second order on the right-hand side
///     (`shearCorrection`).
///   - Temperature: adiabatic (nothing), or a conductance D = kA/d₀ to the wall temperature.
///   - Pressure correction: an imposed face has d = 0, so no correction flows through it
///     (zero normal gradient of p').
///
/// Usage (a side of a generic case, `sides:`; planes and boxes make walls inside)
///
/// | key | meaning | default |
/// | --- | --- | --- |
/// | `sides.<side>: wall` | still, adiabatic wall | every side not given |
/// | `sides.<side>.wall.velocity` | lid velocity [u, v, w], m/s; its normal part is ignored | [0, 0, 0] |
/// | `sides.<side>.wall.temperature` | wall temperature, °C | absent: adiabatic |
///
/// Reference: Versteeg & Malalasekera, *An Introduction to Computational Fluid Dynamics*
/// (2nd ed., 2007), §9.4 (walls); the second-order shear is derived at `shearCorrection`.
enum WallCondition {
    /// The tangential momentum of a velocity node at distance `d0` from the wall: the
    /// one-sided shear conductance μA/d₀ towards the wall velocity `ub`.
    @inline(__always)
    static func tangentialMomentum(
        muA: Double, d0: Double, wallVelocity ub: Double, ap: inout Double, src: inout Double
    ) {
        let D = muA / d0
        ap += D
        src += D * ub
    }

    /// Second-order wall shear by deferred correction. The matrix holds the one-sided
    /// μA (u₀ − u_w)/d₀; the quadratic through the wall, u₀ (at d₀) and the next value
    /// away from the wall u₁ (at d₁) has wall slope (φ₀d₁² − φ₁d₀²)/(d₀d₁(d₁ − d₀)), φ = u − u_w.
    /// Their difference goes to the right-hand side. It removes the O(Δ²) shift of the
    /// one-sided form (1.5 Δ²/h² too little pressure drop in plane Poiseuille flow) and is
    /// exact for a parabolic profile.
    @inline(__always)
    static func shearCorrection(
        _ u: UnsafeMutablePointer<Double>, _ f: Int, away g: Int, awayInside: Bool,
        fixed: UnsafePointer<Bool>, d0: Double, d1: Double, wallVelocity uw: Double, muA: Double
    ) -> Double {
        guard awayInside, !fixed[g] else { return 0 }
        let p0 = u[f] - uw, p1 = u[g] - uw
        let slope = (p0 * d1 * d1 - p1 * d0 * d0) / (d0 * d1 * (d1 - d0))
        return muA * (slope - p0 / d0)
    }

    /// The energy equation at a wall face of conductance `Db` = kA/d₀: nothing if adiabatic,
    /// otherwise Db (T_w − T_P). A transported scalar (`carried` set: tracer, k, ε) sees every
    /// wall as a zero-flux face.
    @inline(__always)
    static func energy(
        _ thermal: ThermalCondition, Db: Double, carried: Double?, ap: inout Double, src: inout Double
    ) {
        guard case let .temperatureC(tw) = thermal, carried == nil else { return }
        ap += Db
        src += Db * tw
    }
}
