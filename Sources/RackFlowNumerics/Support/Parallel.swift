import Dispatch
#if canImport(Glibc)
    import Glibc
#endif

/// Splits stencil work over z-slabs across the machine's cores.
///
/// Slabs are contiguous in memory (x fastest, then y), so each worker streams its own
/// block. Small problems run inline: dispatch costs more than it saves below ~32k cells.
public enum Parallel {
    /// Workers used by stencil kernels; defaults to the online core count.
    /// (Set `RACKFLOW_THREADS` to override.)
    ///
    /// First use also pins OpenBLAS to one thread (unless `OPENBLAS_NUM_THREADS` is set):
    /// the stencil kernels already use every core, and OpenBLAS's idle workers spin in
    /// `sched_yield` between calls, taking cycles from them (a quarter of a small solve's
    /// time on 2 cores). BLAS level 1 is memory-bound, so one thread loses little.
    nonisolated(unsafe) public static var workers: Int = {
        if getenv("OPENBLAS_NUM_THREADS") == nil { BLAS.threads = 1 }
        if let s = getenv("RACKFLOW_THREADS"), let n = Int(String(cString: s)), n > 0 { return n }
        return max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
    }()

    /// Blocks of slabs per worker. One block each left a core idle while the other finished:
    /// work per slab is uneven (solid parts skip the momentum kernels, the plenum and the nodes
    /// differ), and a 2-core VM's cores do not run at one speed. With several blocks per
    /// worker, GCD hands them out as workers come free. Default rack surge, frames 37–72,
    /// flow steps: 59.6 s with 1 block per worker, 56.5 s with 4, 55.1 s with 8 (runs
    /// interleaved; a noisier second round 80.5, 66.3, 64.4 s).
    public static let blocksPerWorker = 8

    /// Blocks `forSlabs` cuts `nz` slabs into (1: run inline).
    @inline(__always)
    static func blocks(_ nz: Int, cellsPerSlab: Int) -> Int {
        workers <= 1 || nz * cellsPerSlab < 32_768 ? 1 : min(workers * blocksPerWorker, nz)
    }

    /// Calls `body(k0, k1)` for disjoint ranges covering `0..<nz`.
    @inline(__always)
    public static func forSlabs(_ nz: Int, cellsPerSlab: Int, _ body: (Int, Int) -> Void) {
        let b = blocks(nz, cellsPerSlab: cellsPerSlab)
        if b == 1 {
            body(0, nz)
            return
        }
        DispatchQueue.concurrentPerform(iterations: b) { t in
            body(t * nz / b, (t + 1) * nz / b)
        }
    }

    /// Same split, each block returning a partial sum (for reductions the stencil fuses).
    @inline(__always)
    public static func sumOverSlabs(_ nz: Int, cellsPerSlab: Int, _ body: (Int, Int) -> Double) -> Double {
        let b = blocks(nz, cellsPerSlab: cellsPerSlab)
        if b == 1 { return body(0, nz) }
        return withUnsafeTemporaryAllocation(of: Double.self, capacity: b) { partial in
            let base = partial.baseAddress!
            DispatchQueue.concurrentPerform(iterations: b) { t in
                base[t] = body(t * nz / b, (t + 1) * nz / b)
            }
            return partial.reduce(0, +) // fixed order: results do not depend on scheduling
        }
    }
}
