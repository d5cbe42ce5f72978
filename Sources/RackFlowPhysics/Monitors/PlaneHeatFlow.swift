import RackFlowNumerics

/// The heat the energy equation carries across a set of faces: what a node's inlet and outlet
/// temperatures must be built from for its balance to close.
///
/// Description
///   Across an interior face between cells L (below) and H (above) along `axis`, the energy
///   kernel (Steady/EnergyKernel.swift) carries, in watts along +axis,
///
///     H_f = F T_up + C_vL(F; T_L, T_H, T_LL, T_HH) − D (T_H − T_L),
///
///   F = ρ c_p u A the heat-capacity flux, T_up the upwind cell, C_vL van Leer's deferred
///   correction (`Advection.correction`; only with second-order advection) and D the harmonic
///   face conductance of k_eff = k + μ_t c_p / Pr_t. Wall faces and faces beside a solid carry
///   nothing. A face on the domain boundary is counted as F T of the cell inside, which is what
///   an outlet carries out, but not what an inlet, an outlet's backflow or a wall held at a
///   temperature carries (`energyBoundary`): the exact sum is for interior planes, as a node's
///   meshes and vents are.
///
///   Why not the upwind mixed cup Σ F T_up / Σ F (`flowAndTemperature`): behind a perforated
///   sheet the cell outside is often hotter than the node's last cell (a GPU fin stack's exit:
///   42.8 against 40.3 °C), and the eddy conductivity carries heat back across the sheet. The
///   upwind cup left out +20 W of correction and −6 W of conduction per node of the default
///   rack at 4 cm: ρ c_p Q ΔT read 1,134 W against the node's 1,148 W, while the rack closed to
///   1e-5. These faces' sum is exact to the solve's convergence.
extension FlowSolver {
    /// Heat (W) carried across faces of component `axis` along +axis, as the energy equation
    /// carries it (advection with the scheme's face temperature, and conduction). `secondOrder`
    /// nil: the solve's scheme; false: upwind, linear in T, as the frozen-flow operator of the
    /// response model carries it (van Leer's limiter is not additive, so its rows would not
    /// superpose).
    public func heatFlow(axis a: Int, faces: [Int], secondOrder: Bool? = nil) -> Double {
        let (t1, t2) = SIMD3<Int>.transverse(a)
        let n = a == 0 ? nx : (a == 1 ? ny : nz)
        let stride = a == 0 ? 1 : (a == 1 ? nx : nx * ny)
        let rhoCp = flow.fluid.densityKgPerM3 * flow.fluid.specificHeatJPerKgK
        let T = temperature.p
        let tags = flow.tags.faces[a]
        var heat = 0.0
        for f in faces where tags[f] != .wall {
            let idx = faceIndex(f, axis: a)
            let area = arrays.width(t1, idx[t1]) * arrays.width(t2, idx[t2])
            let F = rhoCp * velocity[a].p[f] * area
            guard let (lo, hi) = cellsBeside(face: f, axis: a) else {
                let inside = cell(min(idx[0], nx - 1), min(idx[1], ny - 1), min(idx[2], nz - 1))
                if !isSolid[inside] { heat += F * T[inside] }
                continue
            }
            if isSolid[lo] || isSolid[hi] { continue }
            let m = idx[a] // lo is cell m − 1, hi is cell m along the axis
            var q = F * (F > 0 ? T[lo] : T[hi])
            if secondOrder ?? options.secondOrder {
                let farLo = m - 2 >= 0 && !isSolid[lo - stride] ? T[lo - stride] : T[lo]
                let farHi = m + 1 < n && !isSolid[hi + stride] ? T[hi + stride] : T[hi]
                q += Advection.correction(flux: F, p: T[lo], n: T[hi], farP: farLo, farN: farHi)
            }
            let D = area / (0.5 * arrays.width(a, m - 1) / kEff[lo] + 0.5 * arrays.width(a, m) / kEff[hi])
            heat += q - D * (T[hi] - T[lo])
        }
        return heat
    }

    /// Bulk temperature (°C) of the air crossing `planes` together along their +axis: the heat
    /// they carry over ρ c_p times their net flow, Σ H / (ρ c_p Σ Q); NaN when no air crosses.
    /// `secondOrder` as in `heatFlow`.
    public func bulkTemperature(_ planes: [(axis: Int, faces: [Int])], secondOrder: Bool? = nil) -> Double {
        var q = 0.0
        var heat = 0.0
        for p in planes {
            q += flowRate(axis: p.axis, faces: p.faces)
            heat += heatFlow(axis: p.axis, faces: p.faces, secondOrder: secondOrder)
        }
        return q > 0 ? heat / (flow.fluid.densityKgPerM3 * flow.fluid.specificHeatJPerKgK * q) : .nan
    }
}
