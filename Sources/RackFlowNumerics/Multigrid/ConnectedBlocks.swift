/// Coarsening by connected blocks: the unknowns of a level are grouped into blocks of 2×2×2
/// on their grid, as geometric coarsening does, and each block is then split into the pieces
/// that its couplings connect. Each piece becomes one coarse unknown; the coarse matrix is
/// the Galerkin product Pᵀ A P of the piecewise-constant prolongation P (plain aggregation,
/// Vaněk, Mandel & Brezina 1996, "Algebraic multigrid by smoothed aggregation for second and
/// fourth order elliptic problems", Computing 56):
///
///     a_IJ = Σ_{c∈I, m∈J} a_cm,   diag_I = Σ_{c∈I} diag_c − Σ_{c,m∈I, c≠m} a_cm = anchor_I + Σ_J a_IJ,
///
/// the last form because every row's diagonal is its couplings plus its anchor (the conductance to
/// fixed values): summed without cancellation, it is exactly 0 for a piece with no outside
/// coupling and no anchor.
///
/// Why split: a rack is full of thin walls (chassis plates, the glass, the node fronts). A
/// plain 2×2×2 block that straddles a wall ties together two cells that only connect far
/// away, and its piecewise-constant correction moves both sides by one value. On the default
/// rack's pressure correction (3 cm, 372,540 active cells), a two-level cycle with exact
/// coarse solve needed 13 CG iterations to 2e-2 with plain blocks and 6 with split ones, and
/// the full hierarchy 19 against 10 (2 Gauss–Seidel sweeps, prototype in scipy); pyamg's
/// Ruge–Stüben solver needed 5.
enum ConnectedBlocks {
    /// Groups the unknowns of `fine` (see `BlockedLevel`). Returns the coarse unknown of each
    /// fine one (−1 where none) and the coarse level.
    static func coarsen<Fine: BlockedLevel>(
        _ fine: Fine, coarseDims: SIMD3<Int32>
    ) -> (
        aggregate: [Int32], level: SparseLevel
    ) {
        let count = fine.count
        // Union–find over couplings inside a block; a piece's root is its lowest unknown.
        let sets = DisjointSets(count: count)
        let blocks = UnsafeMutablePointer<Int>.allocate(capacity: max(count, 1))
        defer {
            sets.deallocate()
            blocks.deallocate()
        }
        for c in 0..<count { blocks[c] = fine.block(c) }
        for c in 0..<count where blocks[c] >= 0 {
            let block = blocks[c]
            fine.forEachCoupling(c) { m, g in
                guard g > 0, m > c, blocks[m] == block else { return }
                sets.union(c, m)
            }
        }
        // Number the pieces in order of their root, so a member's root is numbered before it.
        var aggregate = [Int32](repeating: -1, count: count)
        var coordinates: [SIMD3<Int32>] = []
        aggregate.withUnsafeMutableBufferPointer { agg in
            for c in 0..<count where blocks[c] >= 0 {
                let r = sets.find(c)
                if r == c {
                    agg[c] = Int32(coordinates.count)
                    coordinates.append(fine.blockCoordinates(c))
                } else {
                    agg[c] = agg[r]
                }
            }
        }
        let n = coordinates.count
        // Members of each piece (counting sort).
        var memberStart = [Int](repeating: 0, count: n + 1)
        for c in 0..<count where aggregate[c] >= 0 { memberStart[Int(aggregate[c]) + 1] += 1 }
        for I in 0..<n { memberStart[I + 1] += memberStart[I] }
        var fill = memberStart, members = [Int](repeating: 0, count: memberStart[n])
        for c in 0..<count where aggregate[c] >= 0 {
            let I = Int(aggregate[c])
            members[fill[I]] = c
            fill[I] += 1
        }
        // Galerkin rows, one piece at a time, merging couplings through a position table.
        var rowStart = [Int](repeating: 0, count: n + 1)
        var column: [Int32] = [], value: [Double] = []
        var coarseDiag = [Double](repeating: 0, count: n), coarseAnchor = coarseDiag
        var position = [Int](repeating: -1, count: n)
        column.reserveCapacity(7 * n)
        value.reserveCapacity(7 * n)
        for I in 0..<n {
            let rowBegin = column.count
            var d = 0.0, anc = 0.0
            for mIndex in memberStart[I]..<memberStart[I + 1] {
                let c = members[mIndex]
                anc += fine.anchor(c)
                fine.forEachCoupling(c) { m, g in
                    guard g > 0 else { return }
                    let J = Int(aggregate[m])
                    guard J >= 0, J != I else { return }
                    d += g
                    if position[J] < 0 {
                        position[J] = column.count
                        column.append(Int32(J))
                        value.append(g)
                    } else {
                        value[position[J]] += g
                    }
                }
            }
            for m in rowBegin..<column.count { position[Int(column[m])] = -1 }
            coarseDiag[I] = d + anc
            coarseAnchor[I] = anc
            rowStart[I + 1] = column.count
        }
        let level = SparseLevel(
            rowStart: rowStart, column: column, value: value, diag: coarseDiag, anchor: coarseAnchor,
            block: coordinates)
        return (aggregate, level)
    }

    /// The coarse grid's size: every axis halved, rounding up.
    @inline(__always) static func halved(_ d: SIMD3<Int32>) -> SIMD3<Int32> {
        SIMD3((d.x + 1) / 2, (d.y + 1) / 2, (d.z + 1) / 2)
    }
}

/// A level that `ConnectedBlocks` can coarsen: its unknowns, their anchors, the
/// 2×2×2 block each belongs to (−1: takes no part) with that block's coordinates on the coarse
/// grid, and each unknown's couplings in both directions. A protocol rather than closures so
/// that the set-up loops are specialised for each kind of level.
protocol BlockedLevel {
    var count: Int { get }
    func anchor(_ c: Int) -> Double
    func block(_ c: Int) -> Int
    func blockCoordinates(_ c: Int) -> SIMD3<Int32>
    func forEachCoupling(_ c: Int, _ body: (Int, Double) -> Void)
}
