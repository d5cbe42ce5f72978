import Foundation
import RackFlowNumerics

/// The production terms of the k–ε model (KEpsilon.swift) per cell: shear production
/// P_k = μ_t |S|², and buoyant production G_b with its ε coefficient C_3.
///
/// Buoyant production is the work of buoyancy on the fluctuations, G_b = ρ g β ⟨w′θ′⟩ (gravity
/// along −z). The simple gradient hypothesis, ⟨w′θ′⟩ = −(ν_t/Pr_t) ∂T/∂z, sees only the vertical
/// temperature gradient, and a vertical plume has almost none: its gradients are across it, so
/// it gets no buoyant production. The generalised gradient hypothesis (Daly &
/// Harlow 1970, "Transport equations in turbulence", Phys. Fluids 13:2634–2649) takes the heat
/// flux along the Reynolds stresses,
///
///     ⟨w′θ′⟩ = −C_θ (k/ε) (⟨w′u′⟩ ∂T/∂x + ⟨w′v′⟩ ∂T/∂y + ⟨w′w′⟩ ∂T/∂z),
///
/// with the stresses from the eddy viscosity, ⟨u′_i u′_j⟩ = ⅔ k δ_ij − ν_t (∂u_i/∂x_j + ∂u_j/∂x_i),
/// so the plume's shear stress ⟨w′v′⟩ and its sideways gradient ∂T/∂y now produce turbulence.
/// C_θ = (3/2) C_μ/Pr_t makes the ⟨w′w′⟩ ∂T/∂z part equal the simple hypothesis in isotropic
/// turbulence, so a horizontal stratified layer is treated as before. Only G_b uses it; the heat
/// flux of the energy equation keeps k_t = μ_t c_p/Pr_t. On the plane-plume check (docs/
/// validation.md) the difference is small: buoyant production there is a few per cent of shear
/// production, and the plume stays too narrow with either form.
///
/// C_3 = tanh|w/u_h| (Henkes, van der Vlugt & Hoogendoorn 1991): buoyant production counts fully
/// in ε where the flow is vertical, not at all where it is horizontal.
///
/// Derivatives are central between the fluid neighbours (one-sided beside a solid or the domain's
/// end, zero with neither); velocities at cell centres are `StaggeredOperators.velocityAtCentres`.
extension FlowSolver {
    func kEpsilonProduction(strain: [Double]) -> (production: [Double], buoyancy: [Double], c3: [Double]) {
        let g = flow.grid, cells = g.cellCount, mu = flow.fluid.viscosityPaS, rho = flow.fluid.densityKgPerM3
        var production = [Double](repeating: 0, count: cells), buoyancy = production, c3 = production
        for c in 0..<cells where !isSolid[c] {
            production[c] = (muEff[c] - mu) * strain[c] * strain[c]
        }
        guard flow.gravity && flow.solveEnergy, let t = turbulenceFields else { return (production, buoyancy, c3) }
        let uc = UnsafeMutablePointer<Double>.allocate(capacity: cells)
        let vc = UnsafeMutablePointer<Double>.allocate(capacity: cells)
        let wc = UnsafeMutablePointer<Double>.allocate(capacity: cells)
        defer {
            uc.deallocate()
            vc.deallocate()
            wc.deallocate()
        }
        StaggeredOperators.velocityAtCentres(
            g, u: velocity[0].p, v: velocity[1].p, w: velocity[2].p, intoU: uc, intoV: vc, intoW: wc)
        let gBeta = PhysicalConstants.standardGravityMPerS2 * flow.fluid.expansionPerK
        let cTheta = 1.5 * KEpsilon.cMu / KEpsilon.turbulentPrandtl
        let T = UnsafePointer(temperature.p), w = UnsafePointer(velocity[2].p), muE = muEff
        let kp = UnsafePointer(t.k.p), ep = UnsafePointer(t.epsilon.p)
        let nx = g.nx, ny = g.ny, slab = g.slab
        isSolid.withUnsafeBufferPointer { solidBuffer in
            let solid = solidBuffer.baseAddress!
            let d = CentralDifference(
                solid: solid, nx: nx, ny: ny, nz: g.nz, centres: (g.x.centres, g.y.centres, g.z.centres))
            defer { d.free() }
            for kk in 0..<g.nz {
                let dzInverse = 1 / g.z.widths[kk]
                for j in 0..<ny {
                    for i in 0..<nx {
                        let c = i + nx * (j + ny * kk)
                        guard !solid[c] else { continue }
                        let nuT = (muE[c] - mu) / rho
                        let kc = kp[c], timeScale = kc / max(ep[c], 1e-300)
                        let dwdz = (w[c + slab] - w[c]) * dzInverse
                        let wu = -nuT * (d.at(wc, 0, i, j, kk, c) + d.at(uc, 2, i, j, kk, c))
                        let wv = -nuT * (d.at(wc, 1, i, j, kk, c) + d.at(vc, 2, i, j, kk, c))
                        let ww = max(2.0 / 3.0 * kc - 2 * nuT * dwdz, 0)
                        let dT = (d.at(T, 0, i, j, kk, c), d.at(T, 1, i, j, kk, c), d.at(T, 2, i, j, kk, c))
                        let heatFlux = -cTheta * timeScale * (wu * dT.0 + wv * dT.1 + ww * dT.2)
                        buoyancy[c] = rho * gBeta * heatFlux
                        let horizontal = (uc[c] * uc[c] + vc[c] * vc[c]).squareRoot()
                        c3[c] = tanh(abs(wc[c]) / max(horizontal, 1e-12))
                    }
                }
            }
        }
        return (production, buoyancy, c3)
    }
}

/// ∂f/∂x_axis at a cell from a cell-centred field: central between the fluid neighbours,
/// one-sided beside a solid or the domain's end, 0 with neither. The centres are copied to
/// raw buffers once per use, so the per-cell call touches no Swift array.
struct CentralDifference {
    let solid: UnsafePointer<Bool>
    let n: (Int, Int, Int), stride: (Int, Int, Int)
    let centres: (UnsafeMutablePointer<Double>, UnsafeMutablePointer<Double>, UnsafeMutablePointer<Double>)

    init(solid: UnsafePointer<Bool>, nx: Int, ny: Int, nz: Int, centres: ([Double], [Double], [Double])) {
        self.solid = solid
        n = (nx, ny, nz)
        stride = (1, nx, nx * ny)
        func copy(_ a: [Double]) -> UnsafeMutablePointer<Double> {
            let p = UnsafeMutablePointer<Double>.allocate(capacity: a.count)
            p.initialize(from: a, count: a.count)
            return p
        }
        self.centres = (copy(centres.0), copy(centres.1), copy(centres.2))
    }

    func free() {
        centres.0.deallocate()
        centres.1.deallocate()
        centres.2.deallocate()
    }

    @inline(__always)
    func at(_ f: UnsafePointer<Double>, _ axis: Int, _ i: Int, _ j: Int, _ k: Int, _ c: Int) -> Double {
        let m = axis == 0 ? i : (axis == 1 ? j : k)
        let count = axis == 0 ? n.0 : (axis == 1 ? n.1 : n.2)
        let s = axis == 0 ? stride.0 : (axis == 1 ? stride.1 : stride.2)
        let x = axis == 0 ? centres.0 : (axis == 1 ? centres.1 : centres.2)
        let lower = m > 0 && !solid[c - s]
        let upper = m + 1 < count && !solid[c + s]
        guard lower || upper else { return 0 }
        let lo = lower ? c - s : c, hi = upper ? c + s : c
        return (f[hi] - f[lo]) / (x[upper ? m + 1 : m] - x[lower ? m - 1 : m])
    }
}
