import Foundation
import RackFlowNumerics

/// The scales the residuals are normalised by, from the boundary conditions alone, so that a
/// residual means the same thing whatever the initial field:
///
/// - speed: the fastest of a moving wall, an inlet, a fan's shut-off speed √(2 Δp₀/ρ) and the
///   buoyant speed √(g β ΔT L) (at least 1e-6 m/s);
/// - temperature difference: the spread of the imposed temperatures (initial, walls, inlets and
///   fan inlets' supply), or the mean rise ΔT = Q / (ρ c_p V̇) the heat sources give the inflow
///   (with no inflow and buoyancy on, the rise of natural convection, `buoyantRise`), whichever
///   is larger (at least 1 mK);
/// - area: the domain's largest cross-section; inflow: the inlets' volume flow and the fan
///   inlets' free delivery (an upper bound of their flow, so the rise is not overstated), or,
///   with neither, the fan planes' largest free delivery.
///
/// A fan inlet is a pressure boundary: its faces are outlets to the solver. Counted as neither
/// inlet nor inflow, a box fed by one fan patch and heated by 50 W had a temperature scale of
/// 1 mK (the floor) against its 1.4 K rise, and its RMS temperature change, 1e-4 K per
/// iteration, read 0.02 against a tolerance of 1e-3: it never converged and was time-averaged.
///
/// The flow solver's residuals use the larger of this speed and the fastest velocity present.
struct ReferenceScales {
    var speedMPerS: Double
    var temperatureDifferenceK: Double
    var areaM2: Double
    var inflowM3PerS: Double

    /// `boundary`: the resolved faces of each side (`FlowCase.boundaryFaces`), `widths` the
    /// cell widths per axis, `fans` every fan (planes and fan inlets).
    init(_ flow: FlowCase, boundary: [[BoundaryFace]], widths w: [[Double]], fans: [FanFaces]) {
        let g = flow.grid
        let n = [g.nx, g.ny, g.nz]
        let cells = g.cellCount
        var uref = 0.0, inflow = 0.0
        for side in Side.allCases {
            if case let .wall(v, _)? = flow.sides[side] { uref = max(uref, abs(v.0), abs(v.1), abs(v.2)) }
        }
        for (s, faces) in boundary.enumerated() {
            let side = Side(rawValue: s)!
            let a = side.axis
            let (p, q) = SIMD3<Int>.transverse(a)
            for (m, face) in faces.enumerated() {
                if case let .inlet(speed, _, _) = face {
                    uref = max(uref, abs(speed))
                    inflow += abs(speed) * w[p][m % n[p]] * w[q][m / n[p]]
                }
            }
        }
        // A fan's shut-off pressure sets the speed it can drive: √(2 Δp₀ / ρ).
        for fan in fans {
            let dp0 = fan.pressureRise(0)
            if dp0 > 0 { uref = max(uref, (2 * dp0 / flow.fluid.densityKgPerM3).squareRoot()) }
        }
        var dT = 1.0
        var temps: [Double] = [flow.initialTemperatureC]
        for side in Side.allCases {
            if case let .wall(_, .temperatureC(t))? = flow.sides[side] { temps.append(t) }
        }
        for faces in boundary { for f in faces { if case let .inlet(_, t, _) = f { temps.append(t) } } }
        for patch in flow.patches {
            guard case let .fanInlet(curve, rpm, _, t) = patch.kind else { continue }
            temps.append(t)
            if rpm > 0 { inflow += curve.freeDeliveryM3PerS(rpm: rpm) }
        }
        dT = max(temps.max()! - temps.min()!, 1e-3)
        if flow.gravity && flow.solveEnergy {
            let L = max(g.x.length, g.y.length, g.z.length)
            uref = max(uref, (PhysicalConstants.standardGravityMPerS2 * flow.fluid.expansionPerK * dT * L).squareRoot())
        }
        // Nothing enters at a known rate (a duct open at both ends, driven by a fan plane): the
        // fans' largest free delivery, an upper bound of the flow they can move. Without it the
        // scale stayed at the spread of imposed temperatures, 1 mK, and such a duct heated by
        // 200 W was time-averaged with every figure flat and its RMS change 100× its tolerance.
        if inflow == 0 { inflow = fans.map(Self.freeDelivery).max() ?? 0 }
        let area = max(g.x.length * g.y.length, g.y.length * g.z.length, g.x.length * g.z.length)
        let q = flow.heatW.count == cells ? flow.heatW.reduce(0, +) : 0
        let rhoCp = flow.fluid.densityKgPerM3 * flow.fluid.specificHeatJPerKgK
        if q > 0 && inflow > 0 {
            dT = max(dT, q / (rhoCp * inflow))
        } else if q > 0 && flow.gravity && flow.solveEnergy {
            let buoyant = Self.buoyantRise(
                heatW: q, rhoCp: rhoCp, areaM2: area,
                gBetaL: PhysicalConstants.standardGravityMPerS2 * flow.fluid.expansionPerK
                    * max(g.x.length, g.y.length, g.z.length))
            dT = max(dT, buoyant.riseK)
            uref = max(uref, buoyant.speedMPerS)
        }
        speedMPerS = max(uref, 1e-6)
        temperatureDifferenceK = dT
        areaM2 = area
        inflowM3PerS = inflow
    }

    /// Natural convection's own scales, for heat sources with nothing driving air in: the heat
    /// leaves carried by the air it lifts, so Q = ρ c_p U A ΔT with the buoyant speed
    /// U = √(g β ΔT L), which gives ΔT = (Q / (ρ c_p A))^⅔ / (g β L)^⅓. A is the domain's
    /// largest cross-section and L its largest side: an order of magnitude, which is all a scale
    /// needs. Without it the temperature scale fell to its 1 mK floor whenever every imposed
    /// temperature was the same: a vented box with a 15 W block then had a speed scale of 3 mm/s,
    /// took pseudo-time steps two orders of magnitude too long, and diverged at outer iteration
    /// 128; a closed box with a 20 W heater under a cold lid was time-averaged after 5,251.
    static func buoyantRise(
        heatW q: Double, rhoCp: Double, areaM2 a: Double, gBetaL: Double
    )
        -> (riseK: Double, speedMPerS: Double)
    {
        guard q > 0, rhoCp > 0, a > 0, gBetaL > 0 else { return (0, 0) }
        let rise = Foundation.pow(q / (rhoCp * a), 2.0 / 3.0) / Foundation.cbrt(gBetaL)
        return (rise, (gBetaL * rise).squareRoot())
    }

    /// The flow at which a fan's rise falls to zero (m³/s; 0 for a stopped fan): bracketed by
    /// doubling from 1 mL/s, then bisected to 1e-6 of itself. The rise is non-increasing in Q.
    static func freeDelivery(_ fan: FanFaces) -> Double {
        guard fan.pressureRise(0) > 0 else { return 0 }
        var lo = 0.0, hi = 1e-6
        while fan.pressureRise(hi) > 0 {
            lo = hi
            hi *= 2
            if hi > 1e6 { return hi }
        }
        while hi - lo > 1e-6 * hi {
            let mid = 0.5 * (lo + hi)
            if fan.pressureRise(mid) > 0 { lo = mid } else { hi = mid }
        }
        return hi
    }
}
