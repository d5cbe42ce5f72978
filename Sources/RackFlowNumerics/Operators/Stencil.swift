/// A general (non-symmetric) 7-point operator on an nx × ny × nz block:
///
///     (A x)_c = aP_c x_c − aW_c x_{c−1} − aE_c x_{c+1} − aS_c x_{c−nx} − aN_c x_{c+nx}
///               − aB_c x_{c−nx·ny} − aT_c x_{c+nx·ny},
///
/// the form of a finite-volume advection–diffusion equation (momentum, energy) with
/// upwind-weighted coefficients. Coefficients reaching across the domain boundary must be
/// zero (the padding keeps those reads in bounds).
public final class Stencil {
    public let nx: Int, ny: Int, nz: Int
    public var count: Int { nx * ny * nz }
    public var slab: Int { nx * ny }
    public var pad: Int { nx * ny + 1 }
    public let aP: PaddedVector, aW: PaddedVector, aE: PaddedVector
    public let aS: PaddedVector, aN: PaddedVector, aB: PaddedVector, aT: PaddedVector

    public init(nx: Int, ny: Int, nz: Int) {
        self.nx = nx
        self.ny = ny
        self.nz = nz
        let n = nx * ny * nz, pad = nx * ny + 1
        aP = PaddedVector(count: n, pad: pad, value: 1)
        aW = PaddedVector(count: n, pad: pad)
        aE = PaddedVector(count: n, pad: pad)
        aS = PaddedVector(count: n, pad: pad)
        aN = PaddedVector(count: n, pad: pad)
        aB = PaddedVector(count: n, pad: pad)
        aT = PaddedVector(count: n, pad: pad)
    }

    /// Zeroes coefficients that reach across the domain boundary.
    public func clipBoundaries() {
        for k in 0..<nz {
            for j in 0..<ny {
                for i in 0..<nx {
                    let c = i + nx * (j + ny * k)
                    if i == 0 { aW.p[c] = 0 }
                    if i == nx - 1 { aE.p[c] = 0 }
                    if j == 0 { aS.p[c] = 0 }
                    if j == ny - 1 { aN.p[c] = 0 }
                    if k == 0 { aB.p[c] = 0 }
                    if k == nz - 1 { aT.p[c] = 0 }
                }
            }
        }
    }

    /// y ← A x
    public func apply(_ x: PaddedVector, _ y: PaddedVector) {
        let p = aP.p, w = aW.p, e = aE.p, s_ = aS.p, n_ = aN.p, b_ = aB.p, t = aT.p, xp = x.p, yp = y.p
        let nx = self.nx, s = slab
        Parallel.forSlabs(nz, cellsPerSlab: s) { k0, k1 in
            for c in (k0 * s)..<(k1 * s) {
                yp[c] =
                    p[c] * xp[c] - w[c] * xp[c - 1] - e[c] * xp[c + 1]
                    - s_[c] * xp[c - nx] - n_[c] * xp[c + nx] - b_[c] * xp[c - s] - t[c] * xp[c + s]
            }
        }
    }

    /// r ← b − A x; returns ‖r‖₂².
    @discardableResult
    public func residual(_ b: PaddedVector, _ x: PaddedVector, _ r: PaddedVector) -> Double {
        let p = aP.p, w = aW.p, e = aE.p, s_ = aS.p, n_ = aN.p, b_ = aB.p, t = aT.p, xp = x.p, bp = b.p, rp = r.p
        let nx = self.nx, s = slab
        return Parallel.sumOverSlabs(nz, cellsPerSlab: s) { k0, k1 in
            var sum = 0.0
            for c in (k0 * s)..<(k1 * s) {
                let v =
                    bp[c] - p[c] * xp[c] + w[c] * xp[c - 1] + e[c] * xp[c + 1]
                    + s_[c] * xp[c - nx] + n_[c] * xp[c + nx] + b_[c] * xp[c - s] + t[c] * xp[c + s]
                rp[c] = v
                sum += v * v
            }
            return sum
        }
    }

    /// The scaled residual OpenFOAM reports as "initial residual":
    /// Σ|b − A x| / (Σ|A x − A x̄| + Σ|b − A x̄|), with x̄ the mean of x. Dimensionless and
    /// insensitive to the size of x, so one tolerance means the same on any case.
    public func normalisedResidual(_ x: PaddedVector, _ b: PaddedVector) -> Double {
        let p = aP.p, w = aW.p, e = aE.p, s_ = aS.p, n_ = aN.p, b_ = aB.p, t = aT.p, xp = x.p, bp = b.p
        let nx = self.nx, s = slab, n = count
        let mean = (0..<n).reduce(0.0) { $0 + xp[$1] } / Double(max(n, 1))
        var num = 0.0, den = 0.0
        for c in 0..<n {
            let off = w[c] + e[c] + s_[c] + n_[c] + b_[c] + t[c]
            let ax =
                p[c] * xp[c] - w[c] * xp[c - 1] - e[c] * xp[c + 1] - s_[c] * xp[c - nx] - n_[c] * xp[c + nx]
                - b_[c] * xp[c - s] - t[c] * xp[c + s]
            let axbar = (p[c] - off) * mean
            num += abs(bp[c] - ax)
            den += abs(ax - axbar) + abs(bp[c] - axbar)
        }
        return den > 0 ? num / den : 0
    }

    /// One half-sweep of red–black Gauss–Seidel on the cells with (i + j + k) % 2 == colour.
    /// For the diagonally dominant upwind systems of momentum and energy a few symmetric
    /// sweeps reduce the residual as much per unit of memory traffic as a Krylov solve,
    /// which is what an outer SIMPLE iteration needs: a partial solve from a good guess.
    public func gaussSeidel(_ x: PaddedVector, _ b: PaddedVector, colour: Int) {
        let p = aP.p, w = aW.p, e = aE.p, s_ = aS.p, n_ = aN.p, b_ = aB.p, t = aT.p, xp = x.p, bp = b.p
        let nx = self.nx, ny = self.ny, s = slab
        Parallel.forSlabs(nz, cellsPerSlab: s) { k0, k1 in
            for k in k0..<k1 {
                for j in 0..<ny {
                    let row = nx * (j + ny * k)
                    var c = row + ((j + k + colour) & 1)
                    let end = row + nx
                    while c < end {
                        xp[c] =
                            (bp[c] + w[c] * xp[c - 1] + e[c] * xp[c + 1] + s_[c] * xp[c - nx] + n_[c] * xp[c + nx]
                                + b_[c] * xp[c - s] + t[c] * xp[c + s]) / p[c]
                        c += 2
                    }
                }
            }
        }
    }

    /// `sweeps` symmetric red–black Gauss–Seidel sweeps (red, black, black, red, …).
    public func relax(_ x: PaddedVector, _ b: PaddedVector, sweeps: Int) {
        for s in 0..<sweeps {
            let order = s % 2 == 0 ? [0, 1] : [1, 0]
            for colour in order { gaussSeidel(x, b, colour: colour) }
        }
    }

    /// The coefficients linking c to its neighbours along `axis` (lower, upper).
    @inline(__always) func alongAxis(_ axis: Int) -> (UnsafeMutablePointer<Double>, UnsafeMutablePointer<Double>) {
        axis == 0 ? (aW.p, aE.p) : (axis == 1 ? (aS.p, aN.p) : (aB.p, aT.p))
    }
}
