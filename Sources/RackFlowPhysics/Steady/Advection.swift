/// Bounded second-order advection by deferred correction.
///
/// The matrix keeps first-order upwind (diagonally dominant, M-matrix: robust solves); the
/// difference to the van Leer TVD face value, evaluated with the latest iterate, is moved to
/// the right-hand side. At convergence the solution is the second-order one.
enum Advection {
    /// van Leer face value minus the upwind value: φ_f − φ_C for upwind C, downwind D and
    /// far-upwind U. With Δ1 = C − U and Δ2 = D − C the limited slope ½ψ(r)Δ2 becomes the
    /// harmonic mean Δ1Δ2/(Δ1 + Δ2) where the two agree in sign, and 0 at an extremum.
    @inline(__always)
    static func vanLeer(upwind C: Double, downwind D: Double, farUpwind U: Double) -> Double {
        let d1 = C - U, d2 = D - C
        let p = d1 * d2
        return p > 0 ? p / (d1 + d2) : 0
    }

    /// Outward-flux correction F (φ_f^TVD − φ_upwind) for a face between P and N with
    /// outward mass (or heat-capacity) flux F; `farP` lies beyond P away from the face,
    /// `farN` beyond N. Subtract it from P's right-hand side.
    @inline(__always)
    static func correction(flux F: Double, p: Double, n: Double, farP: Double, farN: Double) -> Double {
        F > 0
            ? F * vanLeer(upwind: p, downwind: n, farUpwind: farP)
            : F * vanLeer(upwind: n, downwind: p, farUpwind: farN)
    }
}
