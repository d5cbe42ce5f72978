/// BiCGSTAB (van der Vorst 1992), right-preconditioned, for the non-symmetric systems of
/// advection–diffusion (momentum, energy). Work vectors are allocated once per solver and
/// reused across solves; vector algebra is BLAS level 1.
public final class BiCGSTAB {
    /// The operator of the current solve.
    public private(set) var A: Stencil
    let r: PaddedVector, r0: PaddedVector, p: PaddedVector, v: PaddedVector
    let s: PaddedVector, t: PaddedVector, ph: PaddedVector, sh: PaddedVector

    public convenience init(_ A: Stencil) { self.init(capacity: A.count, pad: A.pad, A) }

    /// Work vectors for any operator of up to `capacity` unknowns and padding ≤ `pad`, so
    /// one workspace serves the three staggered momentum components and the energy equation.
    public init(capacity: Int, pad: Int, _ A: Stencil) {
        precondition(A.count <= capacity && A.pad <= pad)
        self.A = A
        let n = capacity
        r = PaddedVector(count: n, pad: pad)
        r0 = PaddedVector(count: n, pad: pad)
        p = PaddedVector(count: n, pad: pad)
        v = PaddedVector(count: n, pad: pad)
        s = PaddedVector(count: n, pad: pad)
        t = PaddedVector(count: n, pad: pad)
        ph = PaddedVector(count: n, pad: pad)
        sh = PaddedVector(count: n, pad: pad)
    }

    /// Solves `operator` x = b (default: the operator given at creation) from the guess in `x`.
    @discardableResult
    public func solve(
        _ b: PaddedVector, _ x: PaddedVector, preconditioner M: Preconditioner,
        options: KrylovOptions = KrylovOptions(), operator op: Stencil? = nil
    ) throws -> SolveReport {
        if let op {
            precondition(op.count <= r.count && op.pad <= r.pad, "operator larger than the BiCGSTAB workspace")
            A = op
        }
        var report = SolveReport(solver: "BiCGSTAB")
        let n = A.count
        var bnorm = BLAS.nrm2(n, b.p)
        guard bnorm.isFinite else {
            throw SolverError.notFinite(
                solver: report.solver, iteration: 0, cell: firstNonFinite(b, nx: A.nx, ny: A.ny))
        }
        if bnorm == 0 {
            x.fill(0)
            report.residualHistory = [0]
            return report
        }
        var rnorm = A.residual(b, x, r).squareRoot()
        if options.relativeToInitialResidual {
            if rnorm == 0 {
                report.residualHistory = [0]
                return report
            }
            bnorm = rnorm
        }
        report.residualHistory.append(rnorm / bnorm)
        var it = 0
        // Restarted from the true residual when the recursive one has drifted below it.
        for _ in 0..<3 {
            try iterate(b, x, M, options, bnorm, &rnorm, &it, &report)
            rnorm = A.residual(b, x, r).squareRoot()
            report.residualHistory[report.residualHistory.count - 1] = rnorm / bnorm
            if rnorm <= options.tolerance * bnorm || it >= options.maxIterations { break }
        }
        report.iterations = it
        if report.relativeResidual > options.tolerance && options.throwOnFailure {
            throw SolverError.didNotConverge(
                solver: report.solver, iterations: it, relativeResidual: report.relativeResidual,
                tolerance: options.tolerance)
        }
        return report
    }

    private func iterate(
        _ b: PaddedVector, _ x: PaddedVector, _ M: Preconditioner, _ options: KrylovOptions,
        _ bnorm: Double, _ rnorm: inout Double, _ it: inout Int, _ report: inout SolveReport
    ) throws {
        let n = A.count
        r0.copy(from: r)
        var rho = 1.0, alpha = 1.0, omega = 1.0
        v.fill(0)
        p.fill(0)
        // The shadow residual restarted from the current residual, x kept: when r ⟂ r̂₀ (ρ = 0),
        // and when r̂₀ ⟂ A M⁻¹ p, where the Lanczos part breaks down (the usual remedy: Saad 2003,
        // "Iterative Methods for Sparse Linear Systems", §7.4.2). A right-hand side held in a few
        // cells (one part's heat) has a shadow residual held there too, and the upwind
        // preconditioner carries p downstream, away from it. The same r̂₀ᵀv = 0 right after such
        // a restart would repeat for ever, so it ends the solve.
        var restartedForV = false
        func restartShadow() {
            r0.copy(from: r)
            rho = 1
            alpha = 1
            omega = 1
            v.fill(0)
            p.fill(0)
        }
        while rnorm > options.tolerance * bnorm && it < options.maxIterations {
            it += 1
            let rhoNew = BLAS.dot(n, r0.p, r.p)
            guard rhoNew.isFinite else {
                throw SolverError.notFinite(
                    solver: report.solver, iteration: it, cell: firstNonFinite(r, nx: A.nx, ny: A.ny))
            }
            if rhoNew == 0 {
                restartShadow()
                continue
            }
            let beta = (rhoNew / rho) * (alpha / omega)
            rho = rhoNew
            // p ← r + β (p − ω v)
            BLAS.axpy(n, -omega, v.p, p.p)
            BLAS.axpby(n, 1, r.p, beta, p.p)
            M.apply(p, ph)
            A.apply(ph, v)
            let r0v = BLAS.dot(n, r0.p, v.p)
            guard r0v.isFinite, r0v != 0 || !restartedForV else {
                let what = r0v.isFinite ? "r̂₀ᵀv = 0 again after restarting r̂₀" : "r̂₀ᵀv = \(r0v)"
                throw SolverError.breakdown(solver: report.solver, iteration: it, what: what)
            }
            restartedForV = r0v == 0
            if r0v == 0 {
                restartShadow()
                continue
            }
            alpha = rho / r0v
            // s ← r − α v
            BLAS.copy(n, r.p, s.p)
            BLAS.axpy(n, -alpha, v.p, s.p)
            let snorm = BLAS.nrm2(n, s.p)
            if snorm <= options.tolerance * bnorm {
                BLAS.axpy(n, alpha, ph.p, x.p)
                rnorm = snorm
                report.residualHistory.append(rnorm / bnorm)
                break
            }
            M.apply(s, sh)
            A.apply(sh, t)
            let tt = BLAS.dot(n, t.p, t.p)
            omega = tt > 0 ? BLAS.dot(n, t.p, s.p) / tt : 0
            // x ← x + α p̂ + ω ŝ ;  r ← s − ω t
            BLAS.axpy(n, alpha, ph.p, x.p)
            BLAS.axpy(n, omega, sh.p, x.p)
            BLAS.copy(n, s.p, r.p)
            BLAS.axpy(n, -omega, t.p, r.p)
            rnorm = BLAS.nrm2(n, r.p)
            report.residualHistory.append(rnorm / bnorm)
            guard rnorm.isFinite else {
                throw SolverError.notFinite(
                    solver: report.solver, iteration: it, cell: firstNonFinite(x, nx: A.nx, ny: A.ny))
            }
            if omega == 0 {
                throw SolverError.breakdown(solver: report.solver, iteration: it, what: "ω = 0 (stagnation)")
            }
        }
    }
}
