import RackFlowNumerics

/// The velocity component a momentum kernel assembles, as a type: the kernel is generic over
/// it, so the compiler specialises one copy per axis in which `a`, the two transverse axes and
/// every stride that depends on them are constants. Written with `a` as a run-time value the
/// same loop spent most of its time selecting arrays and strides (86 ns per face).
protocol StaggeredAxis { static var a: Int { get } }
enum AxisX: StaggeredAxis { static var a: Int { 0 } }
enum AxisY: StaggeredAxis { static var a: Int { 1 } }
enum AxisZ: StaggeredAxis { static var a: Int { 2 } }

/// Dense per-axis copies of the sparse object coefficients the momentum rows need, built once
/// per solver: the porous sink μ/K and ½ρC2 per cell, and a sheet's ζ ½ρ per face (zero where
/// there is none). A dictionary lookup per face costs more than the rest of the row.
struct MomentumObjects {
    var porousLinear: [[Double]] // [axis][cell], μ/K (Pa·s/m²)
    var porousQuadratic: [[Double]] // [axis][cell], ½ ρ C2 (kg/m⁴)
    var sheet: [[Double]] // [axis][face], ζ ½ ρ (kg/m³)

    init(_ flow: FlowCase, faceCounts: [Int]) {
        let cells = flow.grid.cellCount
        let mu = flow.fluid.viscosityPaS, rho = flow.fluid.densityKgPerM3
        porousLinear = Array(repeating: [Double](repeating: 0, count: cells), count: 3)
        porousQuadratic = porousLinear
        for (c, pc) in flow.porous where flow.tags.cells[c] == .porous {
            for a in 0..<3 {
                porousLinear[a][c] = mu * pc.inverseK(a)
                porousQuadratic[a][c] = 0.5 * rho * pc.c2(a)
            }
        }
        sheet = faceCounts.map { [Double](repeating: 0, count: $0) }
        for a in 0..<3 {
            for (f, zeta) in flow.sheetZeta[a] where flow.tags.faces[a][f] == .porousSheet {
                sheet[a][f] = zeta * 0.5 * rho
            }
        }
    }
}

/// Everything one momentum assembly reads and writes, as raw pointers and constants (no ARC
/// or bounds checks in the face loop). `face(i, j, k)` is the row of one face; the rare
/// transverse domain-boundary faces go back to the solver (`boundaryContribution`).
struct MomentumKernel<Ax: StaggeredAxis> {
    unowned let solver: FlowSolver
    let nx: Int, ny: Int, nz: Int
    let F0: Int, F1: Int // face dims of component a (x, y)
    let st: (Int, Int, Int) // its face strides
    let vs: ((Int, Int, Int), (Int, Int, Int), (Int, Int, Int)) // face strides per component
    let vel: (UnsafeMutablePointer<Double>, UnsafeMutablePointer<Double>, UnsafeMutablePointer<Double>)
    let u: UnsafeMutablePointer<Double>, p: UnsafeMutablePointer<Double>, T: UnsafeMutablePointer<Double>
    let aP: UnsafeMutablePointer<Double>, b: UnsafeMutablePointer<Double>, dd: UnsafeMutablePointer<Double>
    let lo: (UnsafeMutablePointer<Double>, UnsafeMutablePointer<Double>, UnsafeMutablePointer<Double>)
    let hi: (UnsafeMutablePointer<Double>, UnsafeMutablePointer<Double>, UnsafeMutablePointer<Double>)
    let fixed: UnsafePointer<Bool>, fixedValue: UnsafePointer<Double>, noSlip: UnsafePointer<Bool>
    let mu: UnsafePointer<Double>
    let porLin: UnsafePointer<Double>, porQuad: UnsafePointer<Double>, sheet: UnsafePointer<Double>
    let geo: GridArrays
    let rho: Double, rhoBeta: Double, T0: Double, buoyant: Bool
    let secondOrder: Bool
    let timeC: Double // c0/Δt (0: steady)
    let pseudoSpeed: Double // U_ref / CFL of a steady solve (m/s; 0: none)
    let old0: UnsafeMutablePointer<Double>?, oldWeight0: Double // time levels n, n−1 and their weights (1/s)
    let old1: UnsafeMutablePointer<Double>?, oldWeight1: Double

    @inline(__always) static var t1: Int { Ax.a == 0 ? 1 : 0 }
    @inline(__always) static var t2: Int { Ax.a == 2 ? 1 : 2 }
    @inline(__always) func n(_ b: Int) -> Int { b == 0 ? nx : (b == 1 ? ny : nz) }
    @inline(__always) func stride(_ b: Int) -> Int { b == 0 ? st.0 : (b == 1 ? st.1 : st.2) }
    @inline(__always) static func pick<T>(_ t: (T, T, T), _ b: Int) -> T { b == 0 ? t.0 : (b == 1 ? t.1 : t.2) }
    @inline(__always) static func pick3(_ t: (Int, Int, Int), _ b: Int) -> Int { b == 0 ? t.0 : (b == 1 ? t.1 : t.2) }

    /// Assembles the row of face (i, j, k) (see `FlowSolver.assembleMomentum`).
    ///
    /// Convection is in advective form: every face adds its neighbour coefficient D + max(−F, 0)
    /// to aP, not the conservative D + max(F, 0). The two differ by the control volume's net
    /// mass outflow, which is half the sum of the continuity errors of the two cells it spans,
    /// so they agree at convergence; but from rest (a 5 m/s inlet beside faces at 0 m/s) or with
    /// a loose pressure correction the net outflow is negative, aP falls below Σ a_nb and the
    /// first momentum solve returned 5,000 m/s. The advective row is an M-matrix for any
    /// velocity field (Patankar 1980 §5.2.3; OpenFOAM's `fvm::div(phi, U) − fvm::Sp(fvc::div(phi), U)`).
    @inline(__always)
    func face(_ i: Int, _ j: Int, _ k: Int) {
        let a = Ax.a, t1 = Self.t1, t2 = Self.t2
        let f = i + F0 * (j + F1 * k)
        lo.0[f] = 0
        lo.1[f] = 0
        lo.2[f] = 0
        hi.0[f] = 0
        hi.1[f] = 0
        hi.2[f] = 0
        if fixed[f] {
            aP[f] = 1
            b[f] = fixedValue[f]
            dd[f] = 0
            return
        }
        let idx = (i, j, k)
        let m = Self.pick3(idx, a), na = n(a), sa = stride(a)
        let hasL = m > 0, hasR = m < na
        let hL = hasL ? 0.5 * geo.width(a, m - 1) : 0, hR = hasR ? 0.5 * geo.width(a, m) : 0
        let La = hL + hR
        let w1 = geo.width(t1, Self.pick3(idx, t1)), w2 = geo.width(t2, Self.pick3(idx, t2))
        let Aa = w1 * w2
        let cBase = i + nx * (j + ny * k)
        let cst = a == 0 ? 1 : (a == 1 ? nx : nx * ny)
        let cL = hasL ? cBase - cst : -1
        let cR = hasR ? cBase : -1
        let cAny = hasL ? cL : cR
        let uf = u[f]
        var ap = 0.0, src = 0.0, sumNb = 0.0

        // Faces normal to a, at the two cell centres.
        if hasR {
            let un = u[f + sa]
            let Fh = rho * Aa * 0.5 * (uf + un)
            let D = mu[cR] * Aa / geo.width(a, m)
            let coef = D + max(-Fh, 0)
            Self.set(hi, a, f, coef)
            sumNb += coef
            ap += coef // advective form (see below)
            if secondOrder {
                let farP = hasL ? u[f - sa] : uf
                let farN = m + 2 <= na ? u[f + 2 * sa] : un
                src -= Advection.correction(flux: Fh, p: uf, n: un, farP: farP, farN: farN)
            }
        } else {
            PressureOutletCondition.momentumBackflow(rho * Aa * uf, uf, ap: &ap, src: &src)
        }
        if hasL {
            let un = u[f - sa]
            let Fo = -rho * Aa * 0.5 * (un + uf) // outward through the lower face
            let D = mu[cL] * Aa / geo.width(a, m - 1)
            let coef = D + max(-Fo, 0)
            Self.set(lo, a, f, coef)
            sumNb += coef
            ap += coef
            if secondOrder {
                let farP = hasR ? u[f + sa] : uf
                let farN = m >= 2 ? u[f - 2 * sa] : un
                src -= Advection.correction(flux: Fo, p: uf, n: un, farP: farP, farN: farN)
            }
        } else {
            PressureOutletCondition.momentumBackflow(-rho * Aa * uf, uf, ap: &ap, src: &src)
        }

        // Faces normal to the two transverse axes (upper then lower, t1 then t2).
        let muT = hasL && hasR ? 0.5 * (mu[cL] + mu[cR]) : mu[cAny]
        transverse(
            t1, other: t2, wOther: w2, upper: true, f: f, idx: idx, m: m, hasL: hasL, hasR: hasR, hL: hL, hR: hR,
            La: La, mu: muT, uf: uf, ap: &ap, src: &src, sumNb: &sumNb)
        transverse(
            t1, other: t2, wOther: w2, upper: false, f: f, idx: idx, m: m, hasL: hasL, hasR: hasR, hL: hL, hR: hR,
            La: La, mu: muT, uf: uf, ap: &ap, src: &src, sumNb: &sumNb)
        transverse(
            t2, other: t1, wOther: w1, upper: true, f: f, idx: idx, m: m, hasL: hasL, hasR: hasR, hL: hL, hR: hR,
            La: La, mu: muT, uf: uf, ap: &ap, src: &src, sumNb: &sumNb)
        transverse(
            t2, other: t1, wOther: w1, upper: false, f: f, idx: idx, m: m, hasL: hasL, hasR: hasR, hL: hL, hR: hR,
            La: La, mu: muT, uf: uf, ap: &ap, src: &src, sumNb: &sumNb)

        // Pressure: the boundary value at an outlet face.
        let pL = hasL ? p[cL] : solver.outletPressure(a, upper: false, SIMD3(i, j, k))
        let pR = hasR ? p[cR] : solver.outletPressure(a, upper: true, SIMD3(i, j, k))
        src += (pL - pR) * Aa

        // Boussinesq buoyancy on the vertical component (gravity along −z).
        if a == 2 && buoyant {
            let Tf = hasL && hasR ? (T[cL] * hR + T[cR] * hL) / La : T[cAny]
            src += rhoBeta * (Tf - T0) * PhysicalConstants.standardGravityMPerS2 * (La * Aa)
        }

        // Darcy–Forchheimer in porous halves of the control volume (implicit); zero outside.
        if hasL { ap += (porLin[cL] + porQuad[cL] * abs(uf)) * hL * Aa }
        if hasR { ap += (porLin[cR] + porQuad[cR] * abs(uf)) * hR * Aa }
        // Thin perforated sheet on this face: Δp = ζ ½ ρ |u| u (implicit in u).
        ap += sheet[f] * abs(uf) * Aa

        // Time terms (backward Euler / BDF2 weights set by the time stepper).
        if timeC > 0 {
            let V = La * Aa
            ap += rho * V * timeC
            if let o = old0 { src += rho * V * oldWeight0 * o[f] }
            if let o = old1 { src += rho * V * oldWeight1 * o[f] }
        }

        // Pseudo-time damping of a steady solve: ρ V U_ref / (CFL h_min) (Steady/PseudoTransient.swift).
        if pseudoSpeed > 0 {
            let c = rho * La * Aa * pseudoSpeed / min(La, w1, w2)
            ap += c
            src += c * uf
        }

        aP[f] = ap
        b[f] = src
        dd[f] = sumNb // Σ a_nb for now; turned into d after the fan terms
    }

    /// The two faces of the control volume normal to transverse axis `tb` on one side.
    @inline(__always)
    func transverse(
        _ tb: Int, other: Int, wOther: Double, upper: Bool, f: Int, idx: (Int, Int, Int), m: Int,
        hasL: Bool, hasR: Bool, hL: Double, hR: Double, La: Double, mu: Double, uf: Double,
        ap: inout Double, src: inout Double, sumNb: inout Double
    ) {
        let a = Ax.a
        let Ab = La * wOther
        let q = Self.pick3(idx, tb), ntb = n(tb), stb = stride(tb)
        let vb = Self.pick(vel, tb)
        let sb = Self.pick(vs, tb)
        // Lower tb-face of the cells L and R in component tb's face layout.
        let base = idx.0 * sb.0 + idx.1 * sb.1 + idx.2 * sb.2
        let sba = Self.pick3(sb, a), sbt = Self.pick3(sb, tb)
        let fLb = base - sba, fRb = base
        let Fo: Double
        if upper {
            Fo = rho * wOther * ((hasL ? vb[fLb + sbt] * hL : 0) + (hasR ? vb[fRb + sbt] * hR : 0))
        } else {
            Fo = -rho * wOther * ((hasL ? vb[fLb] * hL : 0) + (hasR ? vb[fRb] * hR : 0))
        }
        let inside = upper ? q + 1 < ntb : q > 0
        guard inside else {
            solver.momentumBoundary(
                a, tb: tb, upper: upper, f: f, idx: SIMD3(idx.0, idx.1, idx.2), hasR: hasR, Ab: Ab, mu: mu,
                Fo: Fo, uf: uf, fixed: fixed, ap: &ap, src: &src)
            return
        }
        let g = upper ? f + stb : f - stb
        // A no-slip neighbour (solid, wall) has its surface on the face between.
        let wallNeighbour = fixed[g] && noSlip[g]
        let dist =
            wallNeighbour
            ? 0.5 * geo.width(tb, q)
            : (upper ? geo.centre(tb, q + 1) - geo.centre(tb, q) : geo.centre(tb, q) - geo.centre(tb, q - 1))
        let D = mu * Ab / dist
        let coef = D + max(-Fo, 0)
        if upper { Self.set(hi, tb, f, coef) } else { Self.set(lo, tb, f, coef) }
        sumNb += coef
        ap += coef
        if wallNeighbour {
            src -= WallCondition.shearCorrection(
                u, f, away: upper ? f - stb : f + stb,
                awayInside: upper ? q > 0 : q + 1 < ntb, fixed: fixed,
                d0: dist, d1: dist + geo.width(tb, upper ? max(q - 1, 0) : min(q + 1, ntb - 1)) * 0.5 + dist,
                wallVelocity: 0, muA: mu * Ab)
        } else if secondOrder {
            let farPIdx = upper ? q - 1 : q + 1, farNIdx = upper ? q + 2 : q - 2
            let un = u[g]
            let farP = farPIdx >= 0 && farPIdx < ntb ? u[upper ? f - stb : f + stb] : uf
            let farN = farNIdx >= 0 && farNIdx < ntb ? u[upper ? f + 2 * stb : f - 2 * stb] : un
            src -= Advection.correction(flux: Fo, p: uf, n: un, farP: farP, farN: farN)
        }
    }

    @inline(__always)
    static func set(
        _ t: (UnsafeMutablePointer<Double>, UnsafeMutablePointer<Double>, UnsafeMutablePointer<Double>), _ a: Int,
        _ f: Int, _ v: Double
    ) {
        if a == 0 { t.0[f] = v } else if a == 1 { t.1[f] = v } else { t.2[f] = v }
    }
}
