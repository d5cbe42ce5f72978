/// Description
///   Uniform inflow normal to a rectangle of a side, at a fixed speed and temperature.
///
///   - Normal velocity: imposed, the inward speed (scaled by the run's inflow ramp).
///   - Tangential velocity: the air arrives without tangential velocity; in the advective
///     form the node sees the inflow |F| and the half-cell shear μA/d₀ towards zero.
///   - Temperature: the inflow carries the supply temperature, T_in (|F| + D) with D = kA/d₀.
///   - Pressure correction: an imposed face, d = 0: the pressure floats to deliver the flow.
///
/// Usage (a patch of a generic case)
///
/// | key | meaning | default |
/// | --- | --- | --- |
/// | `kind: velocity` | this condition | — |
/// | `side` | west, east, south, north, bottom or top | required |
/// | `lo`, `hi` | the rectangle in the side's in-plane axes, m | the whole side |
/// | `speed` | inward speed, m/s, > 0 | required |
/// | `temperature` | supply temperature, °C | 20 |
///
/// Reference: Versteeg & Malalasekera, *An Introduction to Computational Fluid Dynamics*
/// (2nd ed., 2007), §9.2 (inlets).
enum VelocityInletCondition {
    /// The resolved boundary face of patch `patch`.
    static func face(speedMPerS: Double, temperatureC: Double, patch: Int) -> BoundaryFace {
        .inlet(inwardSpeed: speedMPerS, temperatureC: temperatureC, patch: patch)
    }

    /// The imposed normal velocity of a face on the lower (`lower`) or upper side of its
    /// axis, m/s along the axis.
    @inline(__always)
    static func normalVelocity(inwardSpeed: Double, lower: Bool) -> Double {
        lower ? inwardSpeed : -inwardSpeed
    }

    /// A tangential velocity node beside the inlet: shear μA/d₀ towards zero tangential
    /// velocity plus the inflow's |F| (`Fo` the outward mass flux, negative for inflow).
    @inline(__always)
    static func tangentialMomentum(muA: Double, d0: Double, outwardFlux Fo: Double, ap: inout Double) {
        let D = muA / d0
        ap += D + max(-Fo, 0)
    }

    /// The inflow brings `tin` by conduction (Db) and advection (|F|); a transported scalar
    /// enters at the value it `carries` instead (a tracer 0, k and ε their inflow values).
    @inline(__always)
    static func energy(
        temperatureC tin: Double, Db: Double, outwardFlux Fo: Double, carried: Double?,
        ap: inout Double, src: inout Double
    ) {
        ap += Db + max(-Fo, 0)
        src += (Db + max(-Fo, 0)) * (carried ?? tin)
    }
}
