/// Settings of the geometric multigrid V-cycle.
public struct MultigridOptions: Sendable {
    /// Smoothing sweeps before and after the coarse correction (equal, so the cycle is
    /// symmetric). Two make the iteration count grid-independent (9, 10, 10 iterations at
    /// 32³, 64³, 128³ on the benchmark problem; one sweep gives 17, 20, 22).
    public var sweeps: Int = 2
    /// Stop coarsening once a level has at most this many cells; it is solved directly.
    public var coarsestCells: Int = 1000
    /// An axis is smoothed by line relaxation when its share of a cell's coupling exceeds
    /// this fraction in more than `lineCellFraction` of the active cells (anisotropy).
    /// 0 smooths along every axis longer than one cell (alternating-direction lines).
    public var lineShare: Double = 0.7
    public var lineCellFraction: Double = 0.05
    /// Force line relaxation off (point red–black Gauss–Seidel everywhere).
    public var allowLines: Bool = true
    /// Solve lines with factors stored between sweeps (`LineFactors`) instead of LAPACK's
    /// pivoting dgtsv per line and sweep. Opt-in: on random operators the two agree to 1e-12
    /// (LineFactorsTests), but with it in the wall-distance solve the small-grid comparison
    /// racks (CompareTests) diverged at outer iteration 3, a cause not yet found; the pressure
    /// correction's `pressureSmoother: lines` uses it.
    public var storedLineFactors: Bool = false
    /// How coarse levels are made: `.blocks`, structured 2×2×2 blocks with a geometric coarse
    /// operator (`Coarsening`); `.connectedBlocks`, blocks split into their connected pieces
    /// with Galerkin operators below the structured finest level (`ConnectedBlocks`). With
    /// `.connectedBlocks` the finest level is smoothed point by point: `allowLines` and
    /// `storedLineFactors` apply to `.blocks` only.
    public enum CoarseLevels: Sendable { case blocks, connectedBlocks }
    public var coarseLevels = CoarseLevels.blocks
    /// Scale of each coarse correction (`ConnectedBlockHierarchy`); used by `.connectedBlocks`.
    public var coarseCorrectionScale: Double = 1.5
    public init() {}

    /// Zebra lines along the axes where `share` of a cell's coupling lies (0: every axis),
    /// with stored factors: the pressure correction's `pressureSmoother: lines` (share 0,
    /// one sweep) and the alternatives `rackflow bench rack --pressure-repeats` weighs.
    public static func lines(share: Double, sweeps: Int) -> MultigridOptions {
        var o = MultigridOptions()
        o.lineShare = share
        o.sweeps = sweeps
        o.storedLineFactors = true
        return o
    }
}

/// A geometric multigrid V-cycle over a hierarchy of `SymmetricStencil`s, used as the
/// preconditioner of conjugate gradients. The smoother is red–black Gauss–Seidel, or
/// zebra line Gauss–Seidel along the axes where cells are strongly anisotropic; the
/// post-smoother runs the pre-smoother's sweeps in reverse, so the cycle is a symmetric
/// positive definite operator. The coarsest level is factorised once by LAPACK's banded
/// Cholesky (dpbtrf) and solved per cycle (dpbtrs).
public final class Multigrid {
    final class Level {
        let A: SymmetricStencil
        /// Correction and right-hand side; the finest level borrows the caller's vectors.
        let x: PaddedVector?, b: PaddedVector?
        let r: PaddedVector
        var lineAxes: [Int] = []
        /// Thomas factors of the lines along each of `lineAxes` (with `storedLineFactors`).
        var factors: [LineFactors] = []
        var toCoarse: Coarsening?
        init(_ A: SymmetricStencil, finest: Bool) {
            self.A = A
            x = finest ? nil : PaddedVector(count: A.count, pad: A.pad)
            b = finest ? nil : PaddedVector(count: A.count, pad: A.pad)
            r = PaddedVector(count: A.count, pad: A.pad)
        }
    }

    let levels: [Level]
    public let options: MultigridOptions
    let coarse: BandedCholesky?
    let coarseRHS: PaddedVector
    /// The coarse levels when `options.coarseLevels == .connectedBlocks`.
    let connected: ConnectedBlockHierarchy?
    let scratch: LineScratch

    public var levelCount: Int { levels.count }
    /// Cells per level, finest first.
    public var levelSizes: [(Int, Int, Int)] {
        levels.map { ($0.A.nx, $0.A.ny, $0.A.nz) } + (connected?.sizes.map { ($0, 1, 1) } ?? [])
    }
    /// Axes smoothed by lines, per level.
    public var lineAxes: [[Int]] { levels.map { $0.lineAxes } }

    public init(_ A: SymmetricStencil, options: MultigridOptions = MultigridOptions()) throws {
        self.options = options
        var levels = [Level(A, finest: true)]
        if options.coarseLevels == .connectedBlocks {
            self.levels = levels
            scratch = LineScratch(maxLineLength: max(A.nx, A.ny, A.nz))
            connected = try ConnectedBlockHierarchy(
                A, coarsestCells: options.coarsestCells, sweeps: options.sweeps, scale: options.coarseCorrectionScale)
            coarse = nil
            coarseRHS = PaddedVector(count: 0, pad: 0)
            return
        }
        connected = nil
        while true {
            let L = levels.last!.A
            let can = (L.nx >= 3, L.ny >= 3, L.nz >= 3)
            if L.count <= options.coarsestCells || !(can.0 || can.1 || can.2) { break }
            let map = Coarsening(nx: L.nx, ny: L.ny, nz: L.nz, coarsen: can)
            levels.last!.toCoarse = map
            levels.append(Level(map.coarsen(L), finest: false))
        }
        for level in levels {
            if options.allowLines { level.lineAxes = Multigrid.anisotropicAxes(level.A, options) }
            if options.storedLineFactors { level.factors = level.lineAxes.map { LineFactors(level.A, axis: $0) } }
        }
        self.levels = levels
        scratch = LineScratch(maxLineLength: levels.map { max($0.A.nx, $0.A.ny, $0.A.nz) }.max() ?? 1)

        // Coarsest level: band matrix in natural order (bandwidth nx·ny), with one cell of
        // each floating piece pinned so the factorisation exists. Pinning changes only the
        // preconditioner (still SPD), never the system conjugate gradients solves.
        let C = levels.last!.A
        let n = C.count, kd = C.nx * C.ny
        var band = [Double](repeating: 0, count: n * (kd + 1))
        for j in 0..<n {
            band[(kd + 1) * j] = C.diag.p[j]
            if j + 1 < n { band[(kd + 1) * j + 1] = -C.east.p[j] }
            if j + C.nx < n { band[(kd + 1) * j + C.nx] = -C.north.p[j] }
            if j + kd < n { band[(kd + 1) * j + kd] = -C.top.p[j] }
        }
        let pieces = Components(of: C)
        for p in pieces.floating { band[(kd + 1) * pieces.firstCell[p]] *= 2 }
        coarse = try BandedCholesky(n: n, kd: kd, lowerBand: band)
        coarseRHS = PaddedVector(count: n, pad: 0)
    }

    /// Axes along which many cells are coupled much more strongly than across.
    static func anisotropicAxes(_ A: SymmetricStencil, _ o: MultigridOptions) -> [Int] {
        let n = A.count, nx = A.nx, s = A.slab
        let e = A.east.p, no = A.north.p, t = A.top.p
        var strong = [0, 0, 0], activeCells = 0
        for c in 0..<n where A.active[c] {
            activeCells += 1
            let gx = e[c] + e[c - 1], gy = no[c] + no[c - nx], gz = t[c] + t[c - s]
            let total = gx + gy + gz
            guard total > 0 else { continue }
            if gx > o.lineShare * total { strong[0] += 1 }
            if gy > o.lineShare * total { strong[1] += 1 }
            if gz > o.lineShare * total { strong[2] += 1 }
        }
        let dims = [A.nx, A.ny, A.nz]
        return (0..<3).filter { dims[$0] > 1 && Double(strong[$0]) > o.lineCellFraction * Double(max(activeCells, 1)) }
    }

    /// The finest operator's coefficients changed in place (a SIMPLE pressure correction
    /// refreshes them every outer iteration, the hierarchy only every few): renew what the
    /// smoother derived from them.
    public func finestOperatorChanged() {
        for f in levels[0].factors { f.refresh(levels[0].A) }
    }

    /// z ← M⁻¹ r: one V-cycle from a zero initial guess.
    public func apply(_ r: PaddedVector, _ z: PaddedVector) {
        cycle(0, b: r, x: z)
    }

    private func smooth(_ L: Level, _ x: PaddedVector, _ b: PaddedVector, forward: Bool) {
        if L.lineAxes.isEmpty {
            let order = forward ? [0, 1] : [1, 0]
            for _ in 0..<options.sweeps { for colour in order { L.A.gaussSeidel(x, b, colour: colour) } }
        } else {
            let order = forward ? [0, 1] : [1, 0]
            if options.storedLineFactors {
                let factors = forward ? L.factors : L.factors.reversed()
                for _ in 0..<options.sweeps {
                    for f in factors {
                        for colour in order { L.A.fastLineGaussSeidel(x, b, colour: colour, factors: f) }
                    }
                }
            } else {
                let axes = forward ? L.lineAxes : L.lineAxes.reversed()
                for _ in 0..<options.sweeps {
                    for a in axes {
                        for colour in order { L.A.lineGaussSeidel(x, b, axis: a, colour: colour, scratch: scratch) }
                    }
                }
            }
        }
    }

    private func cycle(_ l: Int, b: PaddedVector, x: PaddedVector) {
        let L = levels[l]
        if let connected {
            x.fill(0)
            smooth(L, x, b, forward: true)
            L.A.residual(b, x, L.r)
            connected.restrictFinest(L.r)
            connected.cycle()
            connected.prolongFinest(x, nz: L.A.nz, slab: L.A.slab)
            smooth(L, x, b, forward: false)
            return
        }
        if l == levels.count - 1 {
            BLAS.copy(L.A.count, b.p, coarseRHS.p)
            coarse!.solve(coarseRHS.p)
            BLAS.copy(L.A.count, coarseRHS.p, x.p)
            // Inactive cells stay exactly zero (their band rows are identity, rhs zero).
            return
        }
        x.fill(0)
        smooth(L, x, b, forward: true)
        L.A.residual(b, x, L.r)
        let next = levels[l + 1]
        L.toCoarse!.restrict(L.r, next.b!)
        cycle(l + 1, b: next.b!, x: next.x!)
        L.toCoarse!.prolongAdd(next.x!, x)
        smooth(L, x, b, forward: false)
    }
}
