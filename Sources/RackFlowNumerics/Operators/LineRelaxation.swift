import Dispatch

/// Per-worker scratch for tridiagonal line solves (dl, d, du, rhs of one line each).
public final class LineScratch {
    let length: Int
    let workers: Int
    let buffer: UnsafeMutablePointer<Double>
    public init(maxLineLength: Int, workers: Int = Parallel.workers) {
        length = maxLineLength
        self.workers = max(1, workers)
        buffer = .allocate(capacity: 4 * length * self.workers)
        buffer.initialize(repeating: 0, count: 4 * length * self.workers)
    }
    deinit { buffer.deallocate() }
    @inline(__always) func slot(_ w: Int) -> UnsafeMutablePointer<Double> { buffer + 4 * length * w }
}

extension SymmetricStencil {
    /// One half-sweep of zebra line Gauss–Seidel: every line along `axis` whose two other
    /// indices have parity `colour` is solved exactly (LAPACK dgtsv) with its off-line
    /// neighbours held at their current values.
    ///
    /// Where cells are much thinner along one axis (stretched grids, thin parts) the
    /// coupling along it dominates and point smoothers stall; solving whole lines along
    /// that axis restores multigrid's smoothing. Lines of one colour never touch, so they
    /// run in parallel.
    public func lineGaussSeidel(_ x: PaddedVector, _ b: PaddedVector, axis: Int, colour: Int, scratch: LineScratch) {
        let e = east.p, no = north.p, t = top.p, dg = diag.p, xp = x.p, bp = b.p
        let nx = self.nx, ny = self.ny, nz = self.nz, s = slab
        // Line length L and stride along the line; the line's first cell from (p, q),
        // where p runs over the "inner" other axis and q over the outer one.
        let (L, stride, np, nq, sp, sq): (Int, Int, Int, Int, Int, Int) =
            axis == 0 ? (nx, 1, ny, nz, nx, s) : axis == 1 ? (ny, nx, nx, nz, 1, s) : (nz, s, nx, ny, 1, nx)
        let along = axis == 0 ? e : (axis == 1 ? no : t)
        precondition(L <= scratch.length)
        let workers = min(scratch.workers, Parallel.workers, nq)
        let serial = workers <= 1 || nx * ny * nz < 32_768
        let run = { (w: Int, q0: Int, q1: Int) in
            let base = scratch.slot(w)
            let dl = base, d = base + L, du = base + 2 * L, r = base + 3 * L
            for q in q0..<q1 {
                var p = (q + colour) & 1
                while p < np {
                    let c0 = p * sp + q * sq
                    var c = c0
                    for m in 0..<L {
                        // All seven neighbours' contributions, then remove the in-line ones.
                        var rhs =
                            bp[c]
                            + e[c] * xp[c + 1] + e[c - 1] * xp[c - 1]
                            + no[c] * xp[c + nx] + no[c - nx] * xp[c - nx]
                            + t[c] * xp[c + s] + t[c - s] * xp[c - s]
                        if m > 0 { rhs -= along[c - stride] * xp[c - stride] }
                        if m < L - 1 {
                            rhs -= along[c] * xp[c + stride]
                            du[m] = -along[c]
                            dl[m] = -along[c]
                        }
                        d[m] = dg[c]
                        r[m] = rhs
                        c += stride
                    }
                    _ = LAPACK.gtsv(L, dl, d, du, r)
                    c = c0
                    for m in 0..<L {
                        xp[c] = r[m]
                        c += stride
                    }
                    p += 2
                }
            }
        }
        if serial {
            run(0, 0, nq)
        } else {
            DispatchQueue.concurrentPerform(iterations: workers) { w in run(w, w * nq / workers, (w + 1) * nq / workers)
            }
        }
    }
}
