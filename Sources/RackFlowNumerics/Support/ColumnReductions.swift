import Dispatch

/// Per-column sums over the cells of an interleaved block (`InterleavedColumns.swift`), split
/// over slabs like every stencil kernel.
///
/// Each slab block adds into a private buffer of m sums and writes it once into its own slice of
/// `partials`; the slices are 64-byte aligned (8 doubles), so two cores never write one cache
/// line. The blocks' sums are then added in block order, so results do not depend on thread
/// scheduling. The scratch is allocated once.
public final class ColumnReductions {
    let stride: Int
    let blocks: Int
    let partials: UnsafeMutablePointer<Double>

    /// Room for up to `columns` columns.
    public init(columns: Int) {
        stride = (max(columns, 1) + 7) / 8 * 8
        blocks = Parallel.workers * Parallel.blocksPerWorker + 1
        partials = UnsafeMutableRawPointer.allocate(byteCount: stride * blocks * 8, alignment: 64)
            .bindMemory(to: Double.self, capacity: stride * blocks)
    }
    deinit { partials.deallocate() }

    /// `out[j]` ← Σ over blocks of what `body(k0, k1, acc)` adds into `acc[j]` (zeroed first).
    @inline(__always)
    public func reduce(
        _ nz: Int, cellsPerSlab: Int, columns m: Int, into out: UnsafeMutablePointer<Double>,
        _ body: (Int, Int, UnsafeMutablePointer<Double>) -> Void
    ) {
        let b = Parallel.blocks(nz, cellsPerSlab: cellsPerSlab)
        precondition(b <= blocks && m <= stride, "ColumnReductions: more columns than its capacity")
        let (partials, stride) = (self.partials, self.stride)
        withoutActuallyEscaping(body) { body in
            let block = { (t: Int, k0: Int, k1: Int) in
                withUnsafeTemporaryAllocation(of: Double.self, capacity: m) { acc in
                    let a = acc.baseAddress!
                    a.initialize(repeating: 0, count: m)
                    body(k0, k1, a)
                    (partials + t * stride).update(from: a, count: m)
                }
            }
            if b == 1 {
                block(0, 0, nz)
            } else {
                DispatchQueue.concurrentPerform(iterations: b) { t in block(t, t * nz / b, (t + 1) * nz / b) }
            }
        }
        for j in 0..<m {
            var sum = 0.0
            for t in 0..<b { sum += partials[t * stride + j] }
            out[j] = sum
        }
    }

    /// `out[j]` ← Σ_c x_{c,j} y_{c,j} over `nz` slabs of `slab` cells.
    public func dots(
        _ x: UnsafeMutablePointer<Double>, _ y: UnsafeMutablePointer<Double>, nz: Int, slab: Int, columns m: Int,
        into out: UnsafeMutablePointer<Double>
    ) {
        reduce(nz, cellsPerSlab: slab, columns: m, into: out) { k0, k1, acc in
            for c in (k0 * slab)..<(k1 * slab) {
                let i0 = c * m
                for j in 0..<m { acc[j] += x[i0 + j] * y[i0 + j] }
            }
        }
    }
}
