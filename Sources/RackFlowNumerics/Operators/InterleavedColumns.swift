/// One 7-point operator applied to m right-hand sides at once, stored interleaved.
///
/// Description
///   Column j of an m-column block lives at `x[c·m + j]`, so the m values of one cell are
///   contiguous. A stencil sweep then reads each cell's seven coefficients once for all m
///   columns instead of once per column:
///
///     (A X)_{c,j} = aP_c x_{c,j} − aW_c x_{c−1,j} − aE_c x_{c+1,j} − … − aT_c x_{c+nx·ny,j}.
///
///   The frozen-flow energy solves of the thermal response model are one operator with a
///   right-hand side per part. Per BiCGSTAB iteration with four symmetric red–black sweeps
///   in each of its two preconditioner applications, the coefficients are about 110 of the
///   180 words per cell a single column streams; with m = 9 columns they are a ninth of that
///   per column, and the solves are bound by memory traffic, not arithmetic. The idea is
///   the multiple-right-hand-side kernels of sparse libraries (e.g. PETSc's MatMatMult for
///   dense blocks; Gropp, Kaushik, Keyes & Smith 1999, "Toward realistic performance bounds
///   for implicit CFD codes", which bound such kernels by memory bandwidth).
///
///   Column reductions (dot products, norms) go through `ColumnReductions`
///   (Support/ColumnReductions.swift).
///
/// Usage
///   | call                                        | result                                   |
///   | A.applyColumns(x, y, m)                     | Y ← A X                                  |
///   | A.residualColumns(b, x, r, m, into: norms, sums) | R ← B − A X, norms[j] = ‖r_j‖²     |
///   | A.relaxColumns(x, b, m, sweeps:)            | symmetric red–black Gauss–Seidel on A X = B |
extension Stencil {
    /// Y ← A X for `m` interleaved columns. Padding of X must be `pad · m`.
    public func applyColumns(_ x: UnsafeMutablePointer<Double>, _ y: UnsafeMutablePointer<Double>, _ m: Int) {
        let p = aP.p, w = aW.p, e = aE.p, s_ = aS.p, n_ = aN.p, b_ = aB.p, t = aT.p
        let sx = nx * m, ss = slab * m, s = slab
        Parallel.forSlabs(nz, cellsPerSlab: s) { k0, k1 in
            for c in (k0 * s)..<(k1 * s) {
                let (cp, cw, ce, cs, cn, cb, ct) = (p[c], w[c], e[c], s_[c], n_[c], b_[c], t[c])
                let i0 = c * m
                for i in i0..<(i0 + m) {
                    y[i] =
                        cp * x[i] - cw * x[i - m] - ce * x[i + m] - cs * x[i - sx] - cn * x[i + sx]
                        - cb * x[i - ss] - ct * x[i + ss]
                }
            }
        }
    }

    /// R ← B − A X for `m` interleaved columns; `norms[j]` ← ‖r_j‖².
    public func residualColumns(
        _ b: UnsafeMutablePointer<Double>, _ x: UnsafeMutablePointer<Double>, _ r: UnsafeMutablePointer<Double>,
        _ m: Int, into norms: UnsafeMutablePointer<Double>, _ sums: ColumnReductions
    ) {
        let p = aP.p, w = aW.p, e = aE.p, s_ = aS.p, n_ = aN.p, b_ = aB.p, t = aT.p
        let sx = nx * m, ss = slab * m, s = slab
        sums.reduce(nz, cellsPerSlab: s, columns: m, into: norms) { k0, k1, acc in
            for c in (k0 * s)..<(k1 * s) {
                let (cp, cw, ce, cs, cn, cb, ct) = (p[c], w[c], e[c], s_[c], n_[c], b_[c], t[c])
                let i0 = c * m
                for j in 0..<m {
                    let i = i0 + j
                    let v =
                        b[i] - cp * x[i] + cw * x[i - m] + ce * x[i + m] + cs * x[i - sx] + cn * x[i + sx]
                        + cb * x[i - ss] + ct * x[i + ss]
                    r[i] = v
                    acc[j] += v * v
                }
            }
        }
    }

    /// One red–black half-sweep on the cells with (i + j + k) % 2 == colour, every column.
    func gaussSeidelColumns(
        _ x: UnsafeMutablePointer<Double>, _ b: UnsafeMutablePointer<Double>, _ m: Int, colour: Int
    ) {
        let p = aP.p, w = aW.p, e = aE.p, s_ = aS.p, n_ = aN.p, b_ = aB.p, t = aT.p
        let nx = self.nx, ny = self.ny, sx = nx * m, ss = slab * m
        Parallel.forSlabs(nz, cellsPerSlab: slab) { k0, k1 in
            for k in k0..<k1 {
                for jy in 0..<ny {
                    let row = nx * (jy + ny * k)
                    var c = row + ((jy + k + colour) & 1)
                    let end = row + nx
                    while c < end {
                        let (cw, ce, cs, cn, cb, ct) = (w[c], e[c], s_[c], n_[c], b_[c], t[c])
                        let inv = 1 / p[c]
                        let i0 = c * m
                        for i in i0..<(i0 + m) {
                            x[i] =
                                (b[i] + cw * x[i - m] + ce * x[i + m] + cs * x[i - sx] + cn * x[i + sx]
                                    + cb * x[i - ss] + ct * x[i + ss]) * inv
                        }
                        c += 2
                    }
                }
            }
        }
    }

    /// `sweeps` symmetric red–black sweeps (red, black, black, red, …) on every column, as
    /// `relax` does on one.
    public func relaxColumns(
        _ x: UnsafeMutablePointer<Double>, _ b: UnsafeMutablePointer<Double>, _ m: Int, sweeps: Int
    ) {
        for s in 0..<sweeps {
            let order = s % 2 == 0 ? [0, 1] : [1, 0]
            for colour in order { gaussSeidelColumns(x, b, m, colour: colour) }
        }
    }
}
