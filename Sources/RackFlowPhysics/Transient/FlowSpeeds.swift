import RackFlowNumerics

/// The speeds the current flow has, as opposed to the speed scale the boundary conditions give.
///
/// Description
///   A time step sized on the speed scale U (`ReferenceScales`) is only as right as U: a fan's
///   shut-off speed √(2 Δp₀/ρ) was three times the air a laminar enclosure carried, and a
///   5 L/s inlet spread over a 0.5 × 0.5 m face gave 0.02 m/s where a 3 mm slot downstream
///   carried 3 m/s (steps at a Courant number near 200). These measure the field itself:
///
///   - the Courant rate, the largest over fluid cells of Σ_a max(|u_a⁻|, |u_a⁺|) / Δx_a (1/s),
///     so that a step Δt has Courant number C = Δt · rate, the multi-dimensional form of the
///     upwind CFL condition (LeVeque 2002, Finite Volume Methods for Hyperbolic Problems,
///     §20.8);
///   - the root-mean-square cell speed over the fluid's volume (m/s), the speed that carries
///     the bulk of the air, and so of its heat, across the domain.
///
/// Usage
///   | call                 | result                                                   |
///   | courantRatePerS()    | max over fluid cells of Σ_a max(abs(u_a)) / Δx_a (1/s)    |
///   | rmsSpeedMPerS()      | √(∫ abs(u)² dV / V) over fluid cells (m/s), 0 with none  |
extension FlowSolver {
    public func courantRatePerS() -> Double {
        var rate = 0.0
        let u = velocity[0].p, v = velocity[1].p, w = velocity[2].p
        let fu = fdim[0], fv = fdim[1], fw = fdim[2]
        for k in 0..<nz {
            for j in 0..<ny {
                for i in 0..<nx where !isSolid[cell(i, j, k)] {
                    let iu = i + fu[0] * (j + fu[1] * k)
                    let iv = i + fv[0] * (j + fv[1] * k)
                    let iw = i + fw[0] * (j + fw[1] * k)
                    let r =
                        max(abs(u[iu]), abs(u[iu + 1])) / arrays.wx[i]
                        + max(abs(v[iv]), abs(v[iv + fv[0]])) / arrays.wy[j]
                        + max(abs(w[iw]), abs(w[iw + fw[0] * fw[1]])) / arrays.wz[k]
                    rate = max(rate, r)
                }
            }
        }
        return rate
    }

    public func rmsSpeedMPerS() -> Double {
        let cells = (0..<(nx * ny * nz)).filter { !isSolid[$0] }
        let (sum, vol) = volumeIntegral(cells: cells) { _, i, j, k in
            let s = cellSpeedMPerS(i, j, k)
            return s * s
        }
        return vol > 0 ? (sum / vol).squareRoot() : 0
    }
}
