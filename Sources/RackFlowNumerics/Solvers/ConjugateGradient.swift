/// Settings shared by the Krylov solvers.
public struct KrylovOptions: Sendable {
    /// Stop when ‖b − A x‖₂ ≤ tolerance · ‖b‖₂.
    public var tolerance: Double = 1e-8
    public var maxIterations: Int = 500
    /// Throw `didNotConverge` when the iteration limit is reached (otherwise return the report).
    public var throwOnFailure: Bool = true
    /// What the tolerance is relative to: ‖b‖ (a standalone solve), or the initial
    /// residual (an inner solve of an outer iteration, which only needs to reduce the error
    /// of a good initial guess by a factor).
    public var relativeToInitialResidual: Bool = false
    public init(tolerance: Double = 1e-8, maxIterations: Int = 500) {
        self.tolerance = tolerance
        self.maxIterations = maxIterations
    }
}

/// What to do when a floating piece's sources do not sum to zero.
public enum NullSpacePolicy: Sendable {
    /// Report it (`SolverError.incompatibleRightHandSide`): the caller's data is wrong.
    case reject
    /// Remove each floating piece's mean source first (for a pressure correction, whose
    /// sources are mass imbalances that cancel only up to round-off).
    case project
}

/// Conjugate gradients preconditioned by a multigrid V-cycle, for `SymmetricStencil`s.
///
/// Set up once per operator (hierarchy, coarse Cholesky factor, connected pieces), then
/// `solve` as often as the right-hand side changes. Vector work goes to BLAS; the
/// operator, the residual and the V-cycle are threaded stencil kernels.
public final class MultigridCG {
    public let A: SymmetricStencil
    public private(set) var multigrid: Multigrid
    public private(set) var pieces: Components
    let r: PaddedVector, z: PaddedVector, p: PaddedVector, q: PaddedVector

    public init(_ A: SymmetricStencil, multigrid options: MultigridOptions = MultigridOptions()) throws {
        self.A = A
        multigrid = try Multigrid(A, options: options)
        pieces = Components(of: A)
        r = PaddedVector(count: A.count, pad: A.pad)
        z = PaddedVector(count: A.count, pad: A.pad)
        p = PaddedVector(count: A.count, pad: A.pad)
        q = PaddedVector(count: A.count, pad: A.pad)
    }

    /// Rebuilds the multigrid hierarchy (and the connected pieces) from the operator's
    /// current coefficients. Between rebuilds the operator may change in place (`refresh()`):
    /// CG then solves the new operator exactly, preconditioned by the older hierarchy,
    /// which is still symmetric positive definite and, for slowly varying coefficients, nearly as good.
    public func rebuildPreconditioner(options: MultigridOptions = MultigridOptions()) throws {
        multigrid = try Multigrid(A, options: options)
        pieces = Components(of: A)
    }

    /// Checks (or projects) the sources of floating pieces; zeroes sources in inactive cells.
    public func prepare(_ b: PaddedVector, policy: NullSpacePolicy) throws {
        let bp = b.p
        for c in 0..<A.count where !A.active[c] { bp[c] = 0 }
        let floating = pieces.floating
        guard !floating.isEmpty else { return }
        var net = [Double](repeating: 0, count: pieces.count), abs_ = net
        for c in 0..<A.count {
            let l = Int(pieces.label[c])
            if l >= 0 && !pieces.anchored[l] {
                net[l] += bp[c]
                abs_[l] += Swift.abs(bp[c])
            }
        }
        for l in floating {
            // Sources summed in floating point cancel to ~1e-16 of their magnitude; allow
            // a margin for the cell count, no more.
            let tol = 1e-12 * Double(pieces.size[l]).squareRoot() * max(abs_[l], .leastNormalMagnitude)
            if Swift.abs(net[l]) <= tol { continue }
            switch policy {
            case .reject:
                throw SolverError.incompatibleRightHandSide(
                    piece: l, cells: pieces.size[l], netSource: net[l], totalSource: abs_[l])
            case .project:
                let shift = net[l] / Double(pieces.size[l])
                for c in 0..<A.count where Int(pieces.label[c]) == l { bp[c] -= shift }
            }
        }
    }

    /// Solves A x = b from the initial guess in `x`. `b` may be modified by `prepare`.
    /// Floating pieces' solutions are returned with zero mean.
    @discardableResult
    public func solve(
        _ b: PaddedVector, _ x: PaddedVector, options: KrylovOptions = KrylovOptions(),
        nullSpace: NullSpacePolicy = .reject
    ) throws -> SolveReport {
        try prepare(b, policy: nullSpace)
        multigrid.finestOperatorChanged()
        var report = SolveReport(solver: "multigrid-preconditioned CG")
        let n = A.count
        let bnorm = BLAS.nrm2(n, b.p)
        for c in 0..<n where !A.active[c] { x.p[c] = 0 }
        if bnorm == 0 {
            x.fill(0)
            report.residualHistory = [0]
            return report
        }
        guard bnorm.isFinite else {
            throw SolverError.notFinite(
                solver: report.solver, iteration: 0, cell: firstNonFinite(b, nx: A.nx, ny: A.ny))
        }
        var rr = A.residual(b, x, r).squareRoot()
        // A guess worse than none (a transient's last correction after the flow turned) is dropped.
        if rr > bnorm {
            x.fill(0)
            rr = A.residual(b, x, r).squareRoot()
        }
        report.residualHistory.append(rr / bnorm)
        var rho = 0.0
        var it = 0, sinceRestart = 0
        while true {
            while rr > options.tolerance * bnorm && it < options.maxIterations {
                multigrid.apply(r, z)
                let rhoNew = BLAS.dot(n, r.p, z.p)
                if sinceRestart == 0 { BLAS.copy(n, z.p, p.p) } else { BLAS.axpby(n, 1, z.p, rhoNew / rho, p.p) }
                rho = rhoNew
                A.apply(p, q)
                let pq = BLAS.dot(n, p.p, q.p)
                guard pq > 0, pq.isFinite, rho.isFinite else {
                    if !pq.isFinite || !rho.isFinite {
                        throw SolverError.notFinite(
                            solver: report.solver, iteration: it + 1,
                            cell: firstNonFinite(q, nx: A.nx, ny: A.ny) ?? firstNonFinite(z, nx: A.nx, ny: A.ny))
                    }
                    throw SolverError.breakdown(
                        solver: report.solver, iteration: it + 1,
                        what: "pᵀAp = \(pq) ≤ 0 (operator or preconditioner not positive definite)")
                }
                let alpha = rho / pq
                BLAS.axpy(n, alpha, p.p, x.p)
                BLAS.axpy(n, -alpha, q.p, r.p)
                rr = BLAS.nrm2(n, r.p)
                it += 1
                sinceRestart += 1
                report.residualHistory.append(rr / bnorm)
                guard rr.isFinite else {
                    throw SolverError.notFinite(
                        solver: report.solver, iteration: it, cell: firstNonFinite(r, nx: A.nx, ny: A.ny))
                }
            }
            // The recursively updated residual drifts from the true one by round-off:
            // confirm, and restart from the true residual if it is not yet small enough.
            rr = A.residual(b, x, r).squareRoot()
            report.residualHistory[report.residualHistory.count - 1] = rr / bnorm
            if rr <= options.tolerance * bnorm || it >= options.maxIterations || sinceRestart == 0 { break }
            sinceRestart = 0
        }
        report.iterations = it
        removeFloatingMeans(x)
        if report.relativeResidual > options.tolerance && options.throwOnFailure {
            throw SolverError.didNotConverge(
                solver: report.solver, iterations: it, relativeResidual: report.relativeResidual,
                tolerance: options.tolerance)
        }
        return report
    }

    func removeFloatingMeans(_ x: PaddedVector) {
        let floating = pieces.floating
        guard !floating.isEmpty else { return }
        var sum = [Double](repeating: 0, count: pieces.count)
        for c in 0..<A.count {
            let l = Int(pieces.label[c])
            if l >= 0 { sum[l] += x.p[c] }
        }
        for c in 0..<A.count {
            let l = Int(pieces.label[c])
            if l >= 0 && !pieces.anchored[l] { x.p[c] -= sum[l] / Double(pieces.size[l]) }
        }
    }
}
