/// Zebra line Gauss–Seidel with each line's tridiagonal factors kept between sweeps.
///
/// The general `lineGaussSeidel` gathers every line into scratch and calls LAPACK's dgtsv:
/// the call, the gather and the factorisation on every sweep made a V-cycle with x and z
/// lines seven times dearer than point smoothing on the rack grid. The operator changes
/// only when the caller says so, so here the Thomas factors live in two arrays, and a
/// sweep is one forward and one backward pass, in place, over all lines of a colour that
/// share an outer index at once, the inner loop running along x (contiguous memory) even
/// when the lines run along y or z:
///
///     w_m = 1 / (d_m − a_{m−1} g_{m−1}),   g_m = a_m w_m             (factors)
///     y_m = (r_m + a_{m−1} y_{m−1}) w_m,   x_m = y_m + g_m x_{m+1}    (solve)
///
/// with a the coupling along the line and r the right-hand side plus the couplings to
/// the four neighbouring lines (the other colour). Couplings are zero across walls,
/// solids and the domain ends, so a line splits by itself wherever the operator does; the
/// matrix is an M-matrix, so no pivot vanishes (inactive cells have d = 1, no couplings).
public final class LineFactors {
    public let axis: Int
    let w: PaddedVector, g: PaddedVector

    public init(_ A: SymmetricStencil, axis: Int) {
        self.axis = axis
        w = PaddedVector(count: A.count, pad: A.pad)
        g = PaddedVector(count: A.count, pad: A.pad)
        refresh(A)
    }

    /// Recomputes the factors after the operator's coefficients changed in place.
    public func refresh(_ A: SymmetricStencil) {
        let d = A.diag.p, wp = w.p, gp = g.p, nx = A.nx, ny = A.ny, nz = A.nz, s = A.slab
        if axis == 0 {
            let e = A.east.p
            Parallel.forSlabs(nz * ny, cellsPerSlab: nx) { r0, r1 in
                for row in r0..<r1 {
                    var gPrev = 0.0, aPrev = 0.0
                    for c in (row * nx)..<(row * nx + nx) {
                        let wc = 1 / (d[c] - aPrev * gPrev)
                        wp[c] = wc
                        gPrev = e[c] * wc
                        gp[c] = gPrev
                        aPrev = e[c]
                    }
                }
            }
            return
        }
        // Lines along y or z: march along the line for a whole x-row at a time.
        let a = axis == 1 ? A.north.p : A.top.p
        let (nOuter, nAlong, sOuter, sAlong) = axis == 1 ? (nz, ny, s, nx) : (ny, nz, nx, s)
        Parallel.forSlabs(nOuter, cellsPerSlab: nAlong * nx) { o0, o1 in
            for o in o0..<o1 {
                for m in 0..<nAlong {
                    let row = o * sOuter + m * sAlong
                    for c in row..<(row + nx) {
                        // a[c − sAlong] is zero (pad or domain end) at m = 0, and so is g there.
                        let aPrev = m > 0 ? a[c - sAlong] : 0, gPrev = m > 0 ? gp[c - sAlong] : 0
                        let wc = 1 / (d[c] - aPrev * gPrev)
                        wp[c] = wc
                        gp[c] = a[c] * wc
                    }
                }
            }
        }
    }
}

extension SymmetricStencil {
    /// One half-sweep of zebra line Gauss–Seidel along `factors.axis` over the lines whose
    /// two other indices have parity `colour`, solved exactly with the stored factors.
    public func fastLineGaussSeidel(_ x: PaddedVector, _ b: PaddedVector, colour: Int, factors: LineFactors) {
        let e = east.p, no = north.p, t = top.p, xp = x.p, bp = b.p, wp = factors.w.p, gp = factors.g.p
        let nx = self.nx, ny = self.ny, nz = self.nz, s = slab
        if factors.axis == 0 {
            Parallel.forSlabs(nz, cellsPerSlab: s) { k0, k1 in
                for k in k0..<k1 {
                    var j = (k + colour) & 1
                    while j < ny {
                        let c0 = nx * (j + ny * k), end = c0 + nx
                        var y = 0.0
                        for c in c0..<end {
                            let r =
                                bp[c] + no[c] * xp[c + nx] + no[c - nx] * xp[c - nx] + t[c] * xp[c + s] + t[c - s]
                                * xp[c - s]
                            y = (r + e[c - 1] * y) * wp[c] // e[c0 − 1] is another row's, but y is 0 there
                            xp[c] = y
                        }
                        var c = end - 2
                        while c >= c0 {
                            xp[c] += gp[c] * xp[c + 1]
                            c -= 1
                        }
                        j += 2
                    }
                }
            }
            return
        }
        // Along y (outer index k, off-line neighbours in x and z) or z (outer j, x and y).
        let a = factors.axis == 1 ? no : t, o = factors.axis == 1 ? t : no
        let (nOuter, nAlong, sOuter, sAlong, sOff) = factors.axis == 1 ? (nz, ny, s, nx, s) : (ny, nz, nx, s, nx)
        Parallel.forSlabs(nOuter, cellsPerSlab: nAlong * nx) { o0, o1 in
            for q in o0..<o1 {
                // Lines (i, q) of this colour: i of one parity, stepping by 2 along the row.
                let i0 = (q + colour) & 1
                for m in 0..<nAlong {
                    let row = q * sOuter + m * sAlong
                    var c = row + i0
                    while c < row + nx {
                        let r =
                            bp[c] + e[c] * xp[c + 1] + e[c - 1] * xp[c - 1] + o[c] * xp[c + sOff] + o[c - sOff]
                            * xp[c - sOff]
                        // At m = 0, a[c − sAlong] is zero (pad or domain end).
                        xp[c] = (r + (m > 0 ? a[c - sAlong] * xp[c - sAlong] : 0)) * wp[c]
                        c += 2
                    }
                }
                var m = nAlong - 2
                while m >= 0 {
                    let row = q * sOuter + m * sAlong
                    var c = row + i0
                    while c < row + nx {
                        xp[c] += gp[c] * xp[c + sAlong]
                        c += 2
                    }
                    m -= 1
                }
            }
        }
    }
}
