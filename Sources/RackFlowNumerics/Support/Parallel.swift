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

    /// Calls `body(k0, k1)` for disjoint ranges covering `0..<nz`.
    @inline(__always)
    public static func forSlabs(_ nz: Int, cellsPerSlab: Int, _ body: (Int, Int) -> Void) {
        let w = min(workers, nz)
        if w <= 1 || nz * cellsPerSlab < 32_768 {
            body(0, nz)
            return
        }
        DispatchQueue.concurrentPerform(iterations: w) { t in
            body(t * nz / w, (t + 1) * nz / w)
        }
    }

    /// Same split, each worker returning a partial sum (for reductions the stencil fuses).
    @inline(__always)
    public static func sumOverSlabs(_ nz: Int, cellsPerSlab: Int, _ body: (Int, Int) -> Double) -> Double {
        let w = min(workers, nz)
        if w <= 1 || nz * cellsPerSlab < 32_768 { return body(0, nz) }
        var partial = [Double](repeating: 0, count: w)
        partial.withUnsafeMutableBufferPointer { p in
            let base = p.baseAddress!
            DispatchQueue.concurrentPerform(iterations: w) { t in
                base[t] = body(t * nz / w, (t + 1) * nz / w)
            }
        }
        return partial.reduce(0, +)   // fixed order: results do not depend on scheduling
    }
}
