import Dispatch

/// A fixed linear preconditioner z ← M⁻¹ r for the non-symmetric Krylov solver.
public protocol Preconditioner: AnyObject {
    func apply(_ r: PaddedVector, _ z: PaddedVector)
}

/// z = r / aP: cheap, and enough for diagonally dominant (upwinded) systems.
public final class JacobiPreconditioner: Preconditioner {
    let inv: PaddedVector
    var n: Int
    /// `capacity` ≥ the size of every operator passed to `update` later.
    public init(_ A: Stencil, capacity: Int = 0) {
        inv = PaddedVector(count: max(A.count, capacity), pad: 0)
        n = A.count
        update(A)
    }
    /// Re-reads the diagonal (of this or another operator no larger than the first).
    public func update(_ A: Stencil) {
        precondition(A.count <= inv.count)
        n = A.count
        let ip = inv.p, ap = A.aP.p
        for c in 0..<n { ip[c] = 1 / ap[c] }
    }
    public func apply(_ r: PaddedVector, _ z: PaddedVector) {
        let ip = inv.p, rp = r.p, zp = z.p
        for c in 0..<n { zp[c] = rp[c] * ip[c] }
    }
}

/// Line preconditioner: M is A restricted to the couplings along one axis (usually the
/// main flow direction), i.e. one tridiagonal system per grid line. Every line is
/// factorised once by LAPACK (dgttrf) when the preconditioner is built; each application
/// solves all lines with the stored factors (dgttrs). Lines are independent, so they are
/// solved in parallel, and M stays a fixed linear operator, as BiCGSTAB requires.
public final class LinePreconditioner: Preconditioner {
    public let axis: Int
    let nx: Int, ny: Int, nz: Int
    let L: Int, stride: Int, np: Int, nq: Int, sp: Int, sq: Int
    // Factors of every line, stored line after line: dl, d, du (L each), du2 (L), ipiv (L).
    let dl: PaddedVector, d: PaddedVector, du: PaddedVector, du2: PaddedVector
    let ipiv: UnsafeMutablePointer<LapackInt>
    let line: LineScratch

    public init(_ A: Stencil, axis: Int) throws {
        self.axis = axis
        nx = A.nx
        ny = A.ny
        nz = A.nz
        let s = A.slab
        (L, stride, np, nq, sp, sq) =
            axis == 0 ? (nx, 1, ny, nz, nx, s) : axis == 1 ? (ny, nx, nx, nz, 1, s) : (nz, s, nx, ny, 1, nx)
        let n = A.count
        dl = PaddedVector(count: n, pad: 0)
        d = PaddedVector(count: n, pad: 0)
        du = PaddedVector(count: n, pad: 0)
        du2 = PaddedVector(count: n, pad: 0)
        ipiv = .allocate(capacity: n)
        ipiv.initialize(repeating: 0, count: n)
        line = LineScratch(maxLineLength: L)
        let (lower, upper) = A.alongAxis(axis)
        let aP = A.aP.p
        for q in 0..<nq {
            for p in 0..<np {
                let li = (p + np * q) * L
                var c = p * sp + q * sq
                for m in 0..<L {
                    d.p[li + m] = aP[c]
                    if m < L - 1 {
                        du.p[li + m] = -upper[c]
                        dl.p[li + m] = -lower[c + stride]
                    }
                    c += stride
                }
                let info = LAPACK.gttrf(L, dl.p + li, d.p + li, du.p + li, du2.p + li, ipiv + li)
                if info != 0 {
                    throw SolverError.lapack(routine: "dgttrf (line preconditioner, axis \(axis))", info: Int(info))
                }
            }
        }
    }
    deinit { ipiv.deallocate() }

    public func apply(_ r: PaddedVector, _ z: PaddedVector) {
        let rp = r.p, zp = z.p
        let (L, stride, np, nq, sp, sq) = (self.L, self.stride, self.np, self.nq, self.sp, self.sq)
        let dl = self.dl.p, d = self.d.p, du = self.du.p, du2 = self.du2.p, ipiv = self.ipiv
        let workers = min(line.workers, Parallel.workers, nq)
        let run = { (w: Int, q0: Int, q1: Int) in
            let buf = self.line.slot(w)
            for q in q0..<q1 {
                for p in 0..<np {
                    let li = (p + np * q) * L
                    let c0 = p * sp + q * sq
                    if stride == 1 {
                        // x-lines are contiguous: solve in place in z.
                        for m in 0..<L { zp[c0 + m] = rp[c0 + m] }
                        _ = LAPACK.gttrs(L, dl + li, d + li, du + li, du2 + li, ipiv + li, zp + c0)
                    } else {
                        var c = c0
                        for m in 0..<L {
                            buf[m] = rp[c]
                            c += stride
                        }
                        _ = LAPACK.gttrs(L, dl + li, d + li, du + li, du2 + li, ipiv + li, buf)
                        c = c0
                        for m in 0..<L {
                            zp[c] = buf[m]
                            c += stride
                        }
                    }
                }
            }
        }
        if workers <= 1 || r.count < 32_768 {
            run(0, 0, nq)
        } else {
            DispatchQueue.concurrentPerform(iterations: workers) { w in run(w, w * nq / workers, (w + 1) * nq / workers)
            }
        }
    }
}

/// z = a few symmetric red–black Gauss–Seidel sweeps on A z = r from z = 0: a fixed linear
/// operator, as BiCGSTAB requires, and a stronger one than Jacobi for the upwind advection–
/// diffusion operators (an M-matrix, on which Gauss–Seidel converges: Varga 1962, "Matrix
/// Iterative Analysis", ch. 3). On the response
/// model's frozen-flow energy solves of the one-node rack, 4 sweeps took 165–224 BiCGSTAB
/// iterations to 1e-10, 8 sweeps 95–147 in the same time, 2 sweeps 326–430 and more time.
public final class SweepPreconditioner: Preconditioner {
    public let M: Stencil
    public let sweeps: Int

    public init(_ M: Stencil, sweeps: Int) {
        self.M = M
        self.sweeps = sweeps
    }

    public func apply(_ r: PaddedVector, _ z: PaddedVector) {
        z.fill(0)
        M.relax(z, r, sweeps: sweeps)
    }
}
