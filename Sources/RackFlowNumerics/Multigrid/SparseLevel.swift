/// One coarse level of the connected-block hierarchy (`ConnectedBlocks`): a symmetric matrix in
/// compressed rows,
///
///     (A x)_I = diag_I x_I − Σ_J a_IJ x_J,   a_IJ ≥ 0,
///
/// the same sign convention as `SymmetricStencil`, with each unknown's block coordinates kept
/// so that the next coarsening can group blocks of 2×2×2 again. Smoothing is lexicographic
/// Gauss–Seidel, forward before the coarse correction and backward after it, so that the
/// V-cycle stays symmetric for conjugate gradients. Coarse levels hold an eighth of the cells
/// or fewer, so they run on one thread.
final class SparseLevel {
    let count: Int
    /// Row I's couplings are `value[rowStart[I] ..< rowStart[I + 1]]` to unknowns `column[…]`.
    let rowStart: [Int]
    let column: [Int32]
    let value: [Double]
    let diag: [Double]
    let invDiag: [Double]
    /// Conductance to Dirichlet values summed over the unknown's fine cells: zero over a whole
    /// connected piece marks a floating piece, whose coarsest solve needs a pinned unknown.
    let anchor: [Double]
    /// Block coordinates of each unknown on this level's notional grid.
    let block: [SIMD3<Int32>]
    /// Correction, right-hand side and residual of this level.
    let x: PaddedVector, b: PaddedVector, r: PaddedVector

    init(
        rowStart: [Int], column: [Int32], value: [Double], diag: [Double], anchor: [Double],
        block: [SIMD3<Int32>]
    ) {
        count = diag.count
        self.rowStart = rowStart
        self.column = column
        self.value = value
        self.diag = diag
        invDiag = diag.map { $0 > 0 ? 1 / $0 : 0 }
        self.anchor = anchor
        self.block = block
        x = PaddedVector(count: count, pad: 0)
        b = PaddedVector(count: count, pad: 0)
        r = PaddedVector(count: count, pad: 0)
    }

    /// `sweeps` Gauss–Seidel sweeps on x, in increasing or decreasing row order.
    func smooth(forward: Bool, sweeps: Int) {
        let xp = x.p, bp = b.p
        rowStart.withUnsafeBufferPointer { rs in
            column.withUnsafeBufferPointer { col in
                value.withUnsafeBufferPointer { val in
                    invDiag.withUnsafeBufferPointer { inv in
                        for _ in 0..<sweeps {
                            for n in 0..<count {
                                let I = forward ? n : count - 1 - n
                                var s = bp[I]
                                for m in rs[I]..<rs[I + 1] { s += val[m] * xp[Int(col[m])] }
                                xp[I] = s * inv[I]
                            }
                        }
                    }
                }
            }
        }
    }

    /// r ← b − A x.
    func residual() {
        let xp = x.p, bp = b.p, rp = r.p
        rowStart.withUnsafeBufferPointer { rs in
            column.withUnsafeBufferPointer { col in
                value.withUnsafeBufferPointer { val in
                    diag.withUnsafeBufferPointer { d in
                        for I in 0..<count {
                            var s = bp[I] - d[I] * xp[I]
                            for m in rs[I]..<rs[I + 1] { s += val[m] * xp[Int(col[m])] }
                            rp[I] = s
                        }
                    }
                }
            }
        }
    }
}
