/// BiCGSTAB on m right-hand sides of one operator at once, in lockstep, with the red–black
/// Gauss–Seidel preconditioner of `SweepPreconditioner`.
///
/// Description
///   m independent right-preconditioned BiCGSTAB iterations (van der Vorst 1992, SIAM J. Sci.
///   Stat. Comput. 13(2)), each with its own scalars ρ_j, α_j, ω_j, advanced together so that
///   every operator and preconditioner application is one pass over the interleaved block
///   (`InterleavedColumns.swift`): the stencil's coefficients are read once for all columns.
///   Column j follows the single-column solver's iteration on b_j (its sums are added in
///   another order, and restarting the shadow residual when r̂₀ᵀr = 0 costs no iteration of its
///   own here), so each column stops at its own tolerance
///
///     ‖b_j − A x_j‖ ≤ tolerance · ‖b_j‖;
///
///   a column that has converged keeps its x_j (its α_j = ω_j = 0) while the others go on.
///   As in `BiCGSTAB`, a column is restarted from its true residual when the recursive one
///   has drifted below it (up to three passes).
///
///   Memory: ten blocks of `capacity` columns, 80 bytes per cell and column; with the caller's
///   b and x, 96 (0.49 GB for 9 columns on the default rack's 568,480 cells).
///
/// Usage
///   | call                                                  | result                            |
///   | BatchedBiCGSTAB(A, columns: m, sweeps: 4)             | workspace for up to m columns     |
///   | makeBlock()                                           | a zeroed interleaved block        |
///   | setColumns(b, entries) / copyColumn(j, of:, into:)    | a block's columns in and out      |
///   | solve(b, x, columns: m, tolerance:, maxIterations:)   | x ← A⁻¹ b per column; iterations  |
public final class BatchedBiCGSTAB {
    public let A: Stencil
    public let capacity: Int
    public let sweeps: Int
    let r: PaddedVector, r0: PaddedVector, p: PaddedVector, v: PaddedVector
    let s: PaddedVector, t: PaddedVector, ph: PaddedVector, sh: PaddedVector
    /// The columns being solved, packed (stride: their count).
    let xi: PaddedVector, bi: PaddedVector
    let sums: ColumnReductions
    /// How many times a block has been packed to fewer columns (for the tests).
    public private(set) var packs = 0
    /// Per-column scalars: ρ, α, ω, ‖b‖, ‖r‖, β and two reduction results.
    var rho: [Double], alpha: [Double], omega: [Double], bnorm: [Double], rnorm: [Double]
    var beta: [Double], red1: [Double], red2: [Double]
    /// Columns whose shadow residual is restarted at their next iteration (r̂₀ᵀv = 0), and
    /// columns whose last iteration was such a restart (the same breakdown again would repeat
    /// forever, so it ends the solve).
    var shadowRestart: [Bool], restarted: [Bool]

    public init(_ A: Stencil, columns: Int, sweeps: Int) {
        self.A = A
        capacity = columns
        self.sweeps = sweeps
        let n = A.count * columns, pad = A.pad * columns
        r = PaddedVector(count: n, pad: pad)
        r0 = PaddedVector(count: n, pad: pad)
        p = PaddedVector(count: n, pad: pad)
        v = PaddedVector(count: n, pad: pad)
        s = PaddedVector(count: n, pad: pad)
        t = PaddedVector(count: n, pad: pad)
        ph = PaddedVector(count: n, pad: pad)
        sh = PaddedVector(count: n, pad: pad)
        xi = PaddedVector(count: n, pad: pad)
        bi = PaddedVector(count: n, pad: pad)
        sums = ColumnReductions(columns: columns)
        let zeros = [Double](repeating: 0, count: columns)
        (rho, alpha, omega, bnorm, rnorm, beta, red1, red2) = (zeros, zeros, zeros, zeros, zeros, zeros, zeros, zeros)
        shadowRestart = [Bool](repeating: false, count: columns)
        restarted = shadowRestart
    }

    /// A zeroed block of `capacity` interleaved columns, padded as the kernels need.
    public func makeBlock() -> PaddedVector { PaddedVector(count: A.count * capacity, pad: A.pad * capacity) }

    /// `block` ← `columns.count` columns (stride: that count), zero but for each column's
    /// entries (cell, value): a right-hand side per column, such as one part's 1 W of heat.
    public func setColumns(_ block: PaddedVector, _ columns: [[(cell: Int, share: Double)]]) {
        let m = columns.count
        block.fill(0)
        for (j, entries) in columns.enumerated() { for (c, w) in entries { block.p[c * m + j] = w } }
    }

    /// `v` ← column j of a block of m columns.
    public func copyColumn(_ j: Int, of block: PaddedVector, columns m: Int, into v: PaddedVector) {
        let (src, dst) = (block.p, v.p)
        for c in 0..<A.count { dst[c] = src[c * m + j] }
    }

    /// Solves A x_j = b_j for the first `m` interleaved columns of `b` and `x` (blocks from
    /// `makeBlock`, stride m), from the guesses in `x`. Returns each column's iterations.
    public func solve(
        _ b: PaddedVector, _ x: PaddedVector, columns m: Int, tolerance: Double, maxIterations: Int = 2000
    ) throws -> [Int] {
        precondition(m >= 1 && m <= capacity, "BatchedBiCGSTAB: \(m) columns, room for \(capacity)")
        for block in [b, x] {
            precondition(
                block.count >= A.count * m && block.pad >= A.pad * m, "BatchedBiCGSTAB: a block smaller than m columns")
        }
        var iterations = [Int](repeating: 0, count: m)
        var norms = [Double](repeating: 0, count: m)
        norms.withUnsafeMutableBufferPointer {
            sums.dots(b.p, b.p, nz: A.nz, slab: A.slab, columns: m, into: $0.baseAddress!)
        }
        let bNorm = norms.map { $0.squareRoot() }
        guard bNorm.allSatisfy(\.isFinite) else {
            throw SolverError.notFinite(solver: "batched BiCGSTAB", iteration: 0, cell: nil)
        }
        for j in 0..<m where bNorm[j] == 0 { zeroColumn(x, j, m) }
        // Restarted from the true residual when the recursive one has drifted below it.
        for _ in 0..<3 {
            let rNorm = trueResidual(b, x, m)
            let open = (0..<m).filter {
                bNorm[$0] > 0 && rNorm[$0] > tolerance * bNorm[$0] && iterations[$0] < maxIterations
            }
            guard !open.isEmpty else { break }
            try lockstep(b, x, m, open, bNorm, tolerance, maxIterations, &iterations)
        }
        let rNorm = trueResidual(b, x, m)
        for j in 0..<m where bNorm[j] > 0 && !(rNorm[j] <= tolerance * bNorm[j]) {
            throw SolverError.didNotConverge(
                solver: "batched BiCGSTAB (column \(j))", iterations: iterations[j],
                relativeResidual: rNorm[j] / bNorm[j], tolerance: tolerance)
        }
        return iterations
    }

    /// ‖b_j − A x_j‖ of the caller's columns (r is scratch here).
    func trueResidual(_ b: PaddedVector, _ x: PaddedVector, _ m: Int) -> [Double] {
        var norms = [Double](repeating: 0, count: m)
        norms.withUnsafeMutableBufferPointer { A.residualColumns(b.p, x.p, r.p, m, into: $0.baseAddress!, sums) }
        return norms.map { $0.squareRoot() }
    }

    /// BiCGSTAB on the caller's columns `cols`, copied into the workspace's own block (stride
    /// `cols.count`) and copied back as each converges. When a third of the block's columns
    /// have converged, the others are packed into a narrower block: a converged column would
    /// otherwise still cost its share of every pass (on the default rack the parts of one node
    /// take 20–114 iterations, and lockstep to the slowest spent a quarter of the work on
    /// finished columns).
    func lockstep(
        _ b: PaddedVector, _ x: PaddedVector, _ mc: Int, _ open: [Int], _ bNorm: [Double], _ tol: Double,
        _ maxIterations: Int, _ iterations: inout [Int]
    ) throws {
        var cols = open
        var m = cols.count
        gather(from: x, mc, cols, into: xi)
        gather(from: b, mc, cols, into: bi)
        var active = [Bool](repeating: true, count: m)
        clearTails(m)
        rnorm.withUnsafeMutableBufferPointer { A.residualColumns(bi.p, xi.p, r.p, m, into: $0.baseAddress!, sums) }
        for j in 0..<m {
            rnorm[j] = rnorm[j].squareRoot()
            bnorm[j] = bNorm[cols[j]]
            rho[j] = 1
            alpha[j] = 1
            omega[j] = 1
            shadowRestart[j] = false
            restarted[j] = false
        }
        BLAS.copy(A.count * m, r.p, r0.p)
        fillPrefix(p, m)
        fillPrefix(v, m)
        var stepsOf = cols.map { iterations[$0] }
        while active.contains(true) {
            try step(xi, m, cols, tol, maxIterations, &active, &stepsOf)
            let done = (0..<m).filter { !active[$0] }
            guard !done.isEmpty, 3 * done.count >= m || done.count == m else { continue }
            for j in done { scatter(column: j, m, into: x, mc, cols[j]) }
            for (j, c) in cols.enumerated() { iterations[c] = stepsOf[j] }
            let keep = (0..<m).filter { active[$0] }
            guard !keep.isEmpty else { return }
            for block in [xi, bi, r, r0, p, v] { pack(block, m, keep) }
            packs += 1
            clearTails(keep.count)
            for scalars in [\BatchedBiCGSTAB.rho, \.alpha, \.omega, \.bnorm, \.rnorm] {
                let kept = keep.map { self[keyPath: scalars][$0] }
                for (j, value) in kept.enumerated() { self[keyPath: scalars][j] = value }
            }
            let restarts = keep.map { (shadowRestart[$0], restarted[$0]) }
            for (j, value) in restarts.enumerated() { (shadowRestart[j], restarted[j]) = value }
            cols = keep.map { cols[$0] }
            stepsOf = keep.map { stepsOf[$0] }
            m = keep.count
            active = [Bool](repeating: true, count: m)
        }
    }

    /// `into`'s columns j ← `from`'s columns cols[j] (stride cols.count from stride mc).
    func gather(from: PaddedVector, _ mc: Int, _ cols: [Int], into: PaddedVector) {
        let (src, dst, m) = (from.p, into.p, cols.count)
        cols.withUnsafeBufferPointer { cp in
            Parallel.forSlabs(A.nz, cellsPerSlab: A.slab) { k0, k1 in
                for c in (k0 * self.A.slab)..<(k1 * self.A.slab) {
                    for j in 0..<m { dst[c * m + j] = src[c * mc + cp[j]] }
                }
            }
        }
    }

    func scatter(column j: Int, _ m: Int, into x: PaddedVector, _ mc: Int, _ target: Int) {
        let (src, dst) = (xi.p, x.p)
        for c in 0..<A.count { dst[c * mc + target] = src[c * m + j] }
    }

    /// Keeps columns `keep` of a stride-m block, packed in place to stride keep.count: each
    /// write lands at or before the value it copies and after every value still to be read.
    func pack(_ block: PaddedVector, _ m: Int, _ keep: [Int]) {
        let (q, k) = (block.p, keep.count)
        keep.withUnsafeBufferPointer { kp in
            for c in 0..<A.count {
                for j in 0..<k { q[c * k + j] = q[c * m + kp[j]] }
            }
        }
    }

    /// One BiCGSTAB iteration of every active column.
    func step(
        _ x: PaddedVector, _ m: Int, _ cols: [Int], _ tol: Double, _ maxIterations: Int, _ active: inout [Bool],
        _ iterations: inout [Int]
    ) throws {
        let nz = A.nz, slab = A.slab
        // ρ_new = r̂₀ᵀ r; r ⟂ r̂₀, or r̂₀ ⟂ v in the last iteration, restarts that column's
        // shadow residual from r (as `BiCGSTAB` does).
        columnDots(r0, r, m, into: &red1)
        for j in 0..<m where active[j] {
            iterations[j] += 1
            guard red1[j].isFinite else {
                throw SolverError.notFinite(
                    solver: "batched BiCGSTAB (column \(cols[j]))", iteration: iterations[j], cell: nil)
            }
            restarted[j] = shadowRestart[j]
            if red1[j] == 0 || shadowRestart[j] {
                shadowRestart[j] = false
                restartShadow(j, m)
                red1[j] = rnorm[j] * rnorm[j]
            }
        }
        for j in 0..<m {
            beta[j] = active[j] ? (red1[j] / rho[j]) * (alpha[j] / omega[j]) : 0
            if active[j] { rho[j] = red1[j] }
        }
        // p ← r + β (p − ω v)
        let (pp, rp, vp) = (p.p, r.p, v.p)
        beta.withUnsafeBufferPointer { bt in
            omega.withUnsafeBufferPointer { om in
                let (be, o) = (bt.baseAddress!, om.baseAddress!)
                Parallel.forSlabs(nz, cellsPerSlab: slab) { k0, k1 in
                    for c in (k0 * slab)..<(k1 * slab) {
                        let i0 = c * m
                        for j in 0..<m { pp[i0 + j] = rp[i0 + j] + be[j] * (pp[i0 + j] - o[j] * vp[i0 + j]) }
                    }
                }
            }
        }
        applyPreconditioner(p, ph, m)
        A.applyColumns(ph.p, v.p, m)
        columnDots(r0, v, m, into: &red1)
        for j in 0..<m {
            guard active[j] else {
                alpha[j] = 0
                continue
            }
            guard red1[j].isFinite, red1[j] != 0 || !restarted[j] else {
                throw SolverError.breakdown(
                    solver: "batched BiCGSTAB", iteration: iterations[j],
                    what: "r̂₀ᵀv = \(red1[j]) in column \(cols[j])"
                )
            }
            // r̂₀ ⟂ v: this iteration leaves the column as it is (α = ω = 0) and the next one
            // restarts its shadow residual.
            shadowRestart[j] = red1[j] == 0
            alpha[j] = shadowRestart[j] ? 0 : rho[j] / red1[j]
        }
        // s ← r − α v, and ‖s‖.
        let sp = s.p
        withColumnSums(m, into: &red1) { k0, k1, acc in
            self.alpha.withUnsafeBufferPointer { al in
                let a = al.baseAddress!
                for c in (k0 * slab)..<(k1 * slab) {
                    let i0 = c * m
                    for j in 0..<m {
                        let value = rp[i0 + j] - a[j] * vp[i0 + j]
                        sp[i0 + j] = value
                        acc[j] += value * value
                    }
                }
            }
        }
        var halfDone = [Bool](repeating: false, count: m)
        for j in 0..<m where active[j] && red1[j].squareRoot() <= tol * bnorm[j] { halfDone[j] = true }
        applyPreconditioner(s, sh, m)
        A.applyColumns(sh.p, t.p, m)
        columnDots(t, s, m, into: &red1)
        columnDots(t, t, m, into: &red2)
        for j in 0..<m {
            omega[j] = active[j] && !halfDone[j] && !shadowRestart[j] && red2[j] > 0 ? red1[j] / red2[j] : 0
        }
        // x ← x + α p̂ + ω ŝ;  r ← s − ω t, and ‖r‖.
        let (xp, php, shp, tp) = (x.p, ph.p, sh.p, t.p)
        withColumnSums(m, into: &rnorm) { k0, k1, acc in
            self.alpha.withUnsafeBufferPointer { al in
                self.omega.withUnsafeBufferPointer { om in
                    let (a, o) = (al.baseAddress!, om.baseAddress!)
                    for c in (k0 * slab)..<(k1 * slab) {
                        let i0 = c * m
                        for j in 0..<m {
                            let i = i0 + j
                            xp[i] += a[j] * php[i] + o[j] * shp[i]
                            let value = sp[i] - o[j] * tp[i]
                            rp[i] = value
                            acc[j] += value * value
                        }
                    }
                }
            }
        }
        for j in 0..<m {
            rnorm[j] = rnorm[j].squareRoot()
            guard active[j] else { continue }
            if halfDone[j] {
                active[j] = false
                continue
            }
            guard rnorm[j].isFinite else {
                throw SolverError.notFinite(
                    solver: "batched BiCGSTAB (column \(cols[j]))", iteration: iterations[j], cell: nil)
            }
            if omega[j] == 0 && !shadowRestart[j] {
                throw SolverError.breakdown(
                    solver: "batched BiCGSTAB", iteration: iterations[j],
                    what: "ω = 0 (stagnation) in column \(cols[j])")
            }
            active[j] = rnorm[j] > tol * bnorm[j] && iterations[j] < maxIterations
        }
    }

    /// z ← M⁻¹ r: `sweeps` symmetric red–black sweeps on A z = r from z = 0.
    func applyPreconditioner(_ r: PaddedVector, _ z: PaddedVector, _ m: Int) {
        fillPrefix(z, m)
        A.relaxColumns(z.p, r.p, m, sweeps: sweeps)
    }

    /// Zeroes the first m columns' worth of `v` (the rest is not read while m columns are solved).
    func fillPrefix(_ v: PaddedVector, _ m: Int) {
        let q = v.p
        BLAS.pieces(A.count * m) { lo, hi in (q + lo).update(repeating: 0, count: hi - lo) }
    }

    /// Zeroes what lies past m columns in the blocks a stencil reads at ±nx·ny·m: the top slab
    /// reads there through aT, which is zero on the boundary, and 0 × a stale NaN would not be.
    func clearTails(_ m: Int) {
        let used = A.count * m, all = A.count * capacity
        guard used < all else { return }
        for block in [xi, ph, sh] { (block.p + used).update(repeating: 0, count: all - used) }
    }

    func columnDots(_ a: PaddedVector, _ b: PaddedVector, _ m: Int, into out: inout [Double]) {
        out.withUnsafeMutableBufferPointer {
            sums.dots(a.p, b.p, nz: A.nz, slab: A.slab, columns: m, into: $0.baseAddress!)
        }
    }

    func withColumnSums(
        _ m: Int, into out: inout [Double], _ body: (Int, Int, UnsafeMutablePointer<Double>) -> Void
    ) {
        out.withUnsafeMutableBufferPointer {
            sums.reduce(A.nz, cellsPerSlab: A.slab, columns: m, into: $0.baseAddress!, body)
        }
    }

    /// Column j's shadow residual from r, its search directions zeroed.
    func restartShadow(_ j: Int, _ m: Int) {
        let (r0p, rp, pp, vp) = (r0.p, r.p, p.p, v.p)
        for c in 0..<A.count {
            r0p[c * m + j] = rp[c * m + j]
            pp[c * m + j] = 0
            vp[c * m + j] = 0
        }
        rho[j] = 1
        alpha[j] = 1
        omega[j] = 1
    }

    func zeroColumn(_ x: PaddedVector, _ j: Int, _ m: Int) {
        let xp = x.p
        for c in 0..<A.count { xp[c * m + j] = 0 }
    }
}
