/// The coarse levels of a V-cycle built by `ConnectedBlocks` below a structured finest level.
///
/// The finest level keeps its `SymmetricStencil` and threaded red–black smoother; from the
/// first coarse level on the unknowns are pieces of blocks, held as `SparseLevel`s, down to a
/// level of at most `coarsestCells` unknowns, which is factorised densely by LAPACK's Cholesky
/// (dpbtrf with the full bandwidth) with one unknown of each floating piece pinned, as in the
/// geometric hierarchy.
///
/// Each coarse correction is added scaled by `scale`. The Galerkin operator of a
/// piecewise-constant prolongation couples a coarse cell to its neighbour twice as strongly as
/// the coarse grid's own discretisation would, so the plain correction is too short; a fixed
/// factor of about 1.5 restores its length (Braess 1995, "Towards algebraic multigrid for
/// elliptic problems of second order", Computing 55; Blaheta 1986). A positive factor keeps the
/// cycle symmetric, as conjugate gradients needs.
final class ConnectedBlockHierarchy {
    /// Coarse unknown (on the first sparse level) of each finest cell; −1 for inactive cells.
    let finestAggregate: [Int32]
    let levels: [SparseLevel]
    /// `toNext[l][I]`: the unknown of level l + 1 that unknown I of level l belongs to.
    let toNext: [[Int32]]
    let coarsest: BandedCholesky
    let sweeps: Int
    let scale: Double

    init(_ A: SymmetricStencil, coarsestCells: Int, sweeps: Int, scale: Double) throws {
        self.sweeps = sweeps
        self.scale = scale
        var dims = ConnectedBlocks.halved(SIMD3(Int32(A.nx), Int32(A.ny), Int32(A.nz)))
        let first = ConnectedBlocks.coarsen(StencilBlocks(A, coarseDims: dims), coarseDims: dims)
        finestAggregate = first.aggregate
        var levels = [first.level], toNext: [[Int32]] = []
        while levels.last!.count > coarsestCells && (dims.x > 1 || dims.y > 1 || dims.z > 1) {
            let L = levels.last!
            dims = ConnectedBlocks.halved(dims)
            let next = ConnectedBlocks.coarsen(SparseBlocks(level: L, coarseDims: dims), coarseDims: dims)
            toNext.append(next.aggregate)
            levels.append(next.level)
        }
        self.levels = levels
        self.toNext = toNext
        coarsest = try Self.factorise(levels.last!)
    }

    /// Dense Cholesky of the last level, one unknown of each floating piece pinned (its
    /// diagonal doubled: the preconditioner changes, never the system CG solves).
    private static func factorise(_ L: SparseLevel) throws -> BandedCholesky {
        let n = L.count, kd = max(n - 1, 0)
        var band = [Double](repeating: 0, count: n * (kd + 1))
        let sets = DisjointSets(count: n)
        defer { sets.deallocate() }
        for I in 0..<n {
            band[(kd + 1) * I] = L.diag[I]
            for m in L.rowStart[I]..<L.rowStart[I + 1] {
                let J = Int(L.column[m])
                if J > I { band[(kd + 1) * I + (J - I)] = -L.value[m] }
                sets.union(I, J)
            }
        }
        var anchored = [Double](repeating: 0, count: n)
        for I in 0..<n { anchored[sets.find(I)] += L.anchor[I] }
        for I in 0..<n where sets.find(I) == I && anchored[I] <= 0 {
            let j = (kd + 1) * I
            band[j] = band[j] > 0 ? 2 * band[j] : 1
        }
        return try BandedCholesky(n: max(n, 1), kd: kd, lowerBand: n > 0 ? band : [1])
    }

    /// Restriction b = Pᵀ r: each unknown's residual summed into its piece (−1: none).
    static func restrict(_ map: [Int32], _ r: PaddedVector, into b: PaddedVector) {
        let bp = b.p, rp = r.p
        b.fill(0)
        map.withUnsafeBufferPointer { agg in
            for c in 0..<agg.count where agg[c] >= 0 { bp[Int(agg[c])] += rp[c] }
        }
    }

    /// Prolongation x += s · P e over the unknowns in `range`: each takes its piece's value.
    @inline(__always) static func prolongAdd(
        _ agg: UnsafePointer<Int32>, _ range: Range<Int>, _ e: PaddedVector, into x: PaddedVector, scale s: Double
    ) {
        let ep = e.p, xp = x.p
        for c in range where agg[c] >= 0 { xp[c] += s * ep[Int(agg[c])] }
    }

    /// Restricts the finest residual r to the first sparse level's right-hand side.
    func restrictFinest(_ r: PaddedVector) { Self.restrict(finestAggregate, r, into: levels[0].b) }

    /// x += scale · P e for the finest correction x, slab-parallel.
    func prolongFinest(_ x: PaddedVector, nz: Int, slab: Int) {
        let e = levels[0].x, s = scale
        finestAggregate.withUnsafeBufferPointer { aggBuf in
            let agg = aggBuf.baseAddress!
            Parallel.forSlabs(nz, cellsPerSlab: slab) { k0, k1 in
                Self.prolongAdd(agg, (k0 * slab)..<(k1 * slab), e, into: x, scale: s)
            }
        }
    }

    /// The V-cycle below the finest level: level l's x from its b.
    func cycle(_ l: Int = 0) {
        let L = levels[l]
        if l == levels.count - 1 {
            BLAS.copy(L.count, L.b.p, L.x.p)
            coarsest.solve(L.x.p)
            return
        }
        L.x.fill(0)
        L.smooth(forward: true, sweeps: sweeps)
        L.residual()
        let next = levels[l + 1]
        Self.restrict(toNext[l], L.r, into: next.b)
        cycle(l + 1)
        toNext[l].withUnsafeBufferPointer {
            Self.prolongAdd($0.baseAddress!, 0..<L.count, next.x, into: L.x, scale: scale)
        }
        L.smooth(forward: false, sweeps: sweeps)
    }

    /// Unknowns per level, first sparse level first.
    var sizes: [Int] { levels.map(\.count) }
}

/// The structured finest level seen by `ConnectedBlocks`: cell (i, j, k) in block
/// (i/2, j/2, k/2); inactive cells take no part.
struct StencilBlocks: BlockedLevel {
    let e: UnsafeMutablePointer<Double>, no: UnsafeMutablePointer<Double>, t: UnsafeMutablePointer<Double>
    let active: [Bool], anchors: [Double]
    let nx: Int, ny: Int, slab: Int, bx: Int, by: Int
    let count: Int

    init(_ A: SymmetricStencil, coarseDims: SIMD3<Int32>) {
        e = A.east.p
        no = A.north.p
        t = A.top.p
        active = A.active
        anchors = A.anchor
        nx = A.nx
        ny = A.ny
        slab = A.slab
        bx = Int(coarseDims.x)
        by = Int(coarseDims.y)
        count = A.count
    }

    func anchor(_ c: Int) -> Double { anchors[c] }
    func block(_ c: Int) -> Int {
        guard active[c] else { return -1 }
        let i = c % nx, j = (c / nx) % ny, k = c / slab
        return (i >> 1) + bx * ((j >> 1) + by * (k >> 1))
    }
    func blockCoordinates(_ c: Int) -> SIMD3<Int32> {
        SIMD3(Int32((c % nx) >> 1), Int32(((c / nx) % ny) >> 1), Int32((c / slab) >> 1))
    }
    /// A coupling is zero at the domain's edges, so the padded neighbours are never used.
    @inline(__always) func forEachCoupling(_ c: Int, _ body: (Int, Double) -> Void) {
        if e[c] > 0 { body(c + 1, e[c]) }
        if e[c - 1] > 0 { body(c - 1, e[c - 1]) }
        if no[c] > 0 { body(c + nx, no[c]) }
        if no[c - nx] > 0 { body(c - nx, no[c - nx]) }
        if t[c] > 0 { body(c + slab, t[c]) }
        if t[c - slab] > 0 { body(c - slab, t[c - slab]) }
    }
}

/// A sparse level seen by `ConnectedBlocks`: each unknown's block coordinates halved again.
struct SparseBlocks: BlockedLevel {
    let level: SparseLevel
    let cx: Int, cy: Int

    init(level: SparseLevel, coarseDims: SIMD3<Int32>) {
        self.level = level
        cx = Int(coarseDims.x)
        cy = Int(coarseDims.y)
    }

    var count: Int { level.count }
    func anchor(_ c: Int) -> Double { level.anchor[c] }
    func block(_ c: Int) -> Int {
        let b = level.block[c]
        return Int(b.x >> 1) + cx * (Int(b.y >> 1) + cy * Int(b.z >> 1))
    }
    func blockCoordinates(_ c: Int) -> SIMD3<Int32> { level.block[c] &>> 1 }
    @inline(__always) func forEachCoupling(_ c: Int, _ body: (Int, Double) -> Void) {
        for m in level.rowStart[c]..<level.rowStart[c + 1] { body(Int(level.column[m]), level.value[m]) }
    }
}
