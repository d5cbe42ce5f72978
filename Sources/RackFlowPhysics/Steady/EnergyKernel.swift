import RackFlowNumerics

/// The energy (or tracer) row of one cell as raw pointers and constants, the three axes
/// written out as three calls with constant `a` so each folds its strides and arrays (the
/// loop over a run-time axis read `flow.tags.faces[a][f]` through two arrays per face).
struct EnergyKernel {
    unowned let solver: FlowSolver
    let nx: Int, ny: Int, nz: Int
    let F: ((Int, Int), (Int, Int), (Int, Int)) // x and y face dims per component
    let vel: (UnsafeMutablePointer<Double>, UnsafeMutablePointer<Double>, UnsafeMutablePointer<Double>)
    let wall: (UnsafePointer<FaceTag>, UnsafePointer<FaceTag>, UnsafePointer<FaceTag>)
    let T: UnsafeMutablePointer<Double>
    let aP: UnsafeMutablePointer<Double>, b: UnsafeMutablePointer<Double>
    let lo: (UnsafeMutablePointer<Double>, UnsafeMutablePointer<Double>, UnsafeMutablePointer<Double>)
    let hi: (UnsafeMutablePointer<Double>, UnsafeMutablePointer<Double>, UnsafeMutablePointer<Double>)
    let solid: UnsafePointer<Bool>, k: UnsafePointer<Double>, heat: UnsafePointer<Double>?
    /// Implicit source coefficient per cell (added to the diagonal; k–ε's dissipation), or nil.
    let sink: UnsafePointer<Double>?
    let geo: GridArrays
    let rho: Double, cp: Double, alpha: Double
    let secondOrder: Bool
    /// The value a transported scalar (tracer, k, ε) carries in through inflows; nil: temperature.
    let carried: Double?
    let timeC: Double
    let pseudoSpeed: Double // U_ref / CFL of a steady solve (m/s; 0: none)
    let old0: UnsafeMutablePointer<Double>?, oldWeight0: Double // time levels n, n−1 and their weights (1/s)
    let old1: UnsafeMutablePointer<Double>?, oldWeight1: Double

    @inline(__always) static func pick<T>(_ t: (T, T, T), _ b: Int) -> T { b == 0 ? t.0 : (b == 1 ? t.1 : t.2) }

    @inline(__always)
    func cell(_ i: Int, _ j: Int, _ kk: Int) {
        let cc = i + nx * (j + ny * kk)
        lo.0[cc] = 0
        lo.1[cc] = 0
        lo.2[cc] = 0
        hi.0[cc] = 0
        hi.1[cc] = 0
        hi.2[cc] = 0
        if solid[cc] {
            aP[cc] = 1
            b[cc] = T[cc]
            return
        }
        var ap = 0.0, src = heat.map { $0[cc] } ?? 0
        axis(0, i, j, kk, cc, ap: &ap, src: &src)
        axis(1, i, j, kk, cc, ap: &ap, src: &src)
        axis(2, i, j, kk, cc, ap: &ap, src: &src)
        if let s = sink { ap += s[cc] }
        if timeC > 0 {
            let V = geo.wx[i] * geo.wy[j] * geo.wz[kk]
            ap += rho * cp * V * timeC
            if let o = old0 { src += rho * cp * V * oldWeight0 * o[cc] }
            if let o = old1 { src += rho * cp * V * oldWeight1 * o[cc] }
        }
        if pseudoSpeed > 0 {
            // Pseudo-time damping of a steady solve (Steady/PseudoTransient.swift).
            let c = rho * cp * geo.wx[i] * geo.wy[j] * geo.wz[kk] * pseudoSpeed / min(geo.wx[i], geo.wy[j], geo.wz[kk])
            ap += c
            src += c * T[cc]
        }
        let apR = ap / alpha
        aP[cc] = apR
        b[cc] = src + (1 - alpha) * apR * T[cc]
    }

    @inline(__always)
    func axis(_ a: Int, _ i: Int, _ j: Int, _ kk: Int, _ cc: Int, ap: inout Double, src: inout Double) {
        let t1 = a == 0 ? 1 : 0, t2 = a == 2 ? 1 : 2
        let idx = (i, j, kk)
        let Af = geo.width(t1, Self.pick(idx, t1)) * geo.width(t2, Self.pick(idx, t2))
        let Fa = Self.pick(F, a)
        let va = Self.pick(vel, a), wa = Self.pick(wall, a)
        let m = Self.pick(idx, a), na = a == 0 ? nx : (a == 1 ? ny : nz)
        let s = a == 0 ? 1 : (a == 1 ? nx : nx * ny)
        let fLower = i + Fa.0 * (j + Fa.1 * kk)
        let fUpper = fLower + (a == 0 ? 1 : (a == 1 ? Fa.0 : Fa.0 * Fa.1))
        side(
            a, upper: false, f: fLower, m: m, na: na, s: s, cc: cc, Af: Af, va: va, wa: wa, i, j, kk, ap: &ap, src: &src
        )
        side(
            a, upper: true, f: fUpper, m: m, na: na, s: s, cc: cc, Af: Af, va: va, wa: wa, i, j, kk, ap: &ap, src: &src)
    }

    @inline(__always)
    func side(
        _ a: Int, upper: Bool, f: Int, m: Int, na: Int, s: Int, cc: Int, Af: Double, va: UnsafeMutablePointer<Double>,
        wa: UnsafePointer<FaceTag>, _ i: Int, _ j: Int, _ kk: Int, ap: inout Double, src: inout Double
    ) {
        let Fo = rho * cp * va[f] * Af * (upper ? 1 : -1)
        let inside = upper ? m + 1 < na : m > 0
        let wallFace = wa[f] == .wall
        if inside {
            let cn = upper ? cc + s : cc - s
            if solid[cn] || wallFace { return }
            let D = Af / (0.5 * geo.width(a, m) / k[cc] + 0.5 * geo.width(a, upper ? m + 1 : m - 1) / k[cn])
            let coef = D + max(-Fo, 0)
            if upper { MomentumKernel<AxisX>.set(hi, a, cc, coef) } else { MomentumKernel<AxisX>.set(lo, a, cc, coef) }
            // Advective form: aP gains the neighbour's coefficient, not D + max(Fo, 0)
            // (see `FlowSolver.assembleEnergy`).
            ap += coef
            if secondOrder {
                let farPm = upper ? m - 1 : m + 1, farNm = upper ? m + 2 : m - 2
                let cfp = upper ? cc - s : cc + s, cfn = upper ? cc + 2 * s : cc - 2 * s
                let farP = farPm >= 0 && farPm < na && !solid[cfp] ? T[cfp] : T[cc]
                let farN = farNm >= 0 && farNm < na && !solid[cfn] ? T[cfn] : T[cn]
                src -= Advection.correction(flux: Fo, p: T[cc], n: T[cn], farP: farP, farN: farN)
            }
        } else {
            if wallFace { return }
            solver.energyBoundary(
                a, upper: upper, i, j, kk, Db: k[cc] * Af / (0.5 * geo.width(a, m)), Fo: Fo, carried: carried,
                ap: &ap, src: &src)
        }
    }
}
