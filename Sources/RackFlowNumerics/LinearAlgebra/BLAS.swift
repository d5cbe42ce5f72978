import CLinearAlgebra
import Dispatch

/// BLAS level 1 on contiguous `Double` buffers (OpenBLAS, CBLAS interface).
///
/// Thin on purpose: the solvers call these instead of writing their own loops, so the
/// vector work runs on OpenBLAS's tuned kernels. Every call takes unit stride.
///
/// Long vectors are cut into one contiguous piece per `Parallel.workers`, each handed to
/// OpenBLAS (kept at one thread, see `Parallel.workers`) on its own core: a surge profile
/// (default rack, 568k cells, 2 cores) found CG's six vector operations per iteration
/// running on one core while the other idled, 13 % of the transient's wall time.
/// OpenBLAS's own threads would do the same split but spin between calls, taking the
/// cycles the stencil kernels need. Reductions add the pieces' partial results in piece
/// order, so a result depends on the worker count but never on scheduling.
/// Call these outside `Parallel.forSlabs` regions.
public enum BLAS {
    /// Below this many elements a vector stays in one piece: a dispatch costs more than it saves.
    static let splitThreshold = 1 << 16

    /// Start of piece `t` of `w` over `0..<n` (`t == w` gives `n`), on a whole cache line.
    @inline(__always)
    static func pieceStart(_ t: Int, of w: Int, _ n: Int) -> Int {
        t == 0 ? 0 : (t == w ? n : (t * n / w) & ~7)
    }

    /// Calls `body(lo, hi)` on disjoint ranges covering `0..<n`.
    @inline(__always)
    static func pieces(_ n: Int, _ body: (Int, Int) -> Void) {
        let w = Parallel.workers
        if w <= 1 || n < splitThreshold {
            body(0, n)
            return
        }
        DispatchQueue.concurrentPerform(iterations: w) { t in
            body(pieceStart(t, of: w, n), pieceStart(t + 1, of: w, n))
        }
    }

    /// `combine` of the partial results of `body` over the pieces of `pieces`, in piece order
    /// (on the stack: no allocation per call).
    @inline(__always)
    static func reduce(
        _ n: Int, _ body: (Int, Int) -> Double, _ combine: (UnsafeMutableBufferPointer<Double>) -> Double
    ) -> Double {
        let w = Parallel.workers
        if w <= 1 || n < splitThreshold { return body(0, n) }
        return withUnsafeTemporaryAllocation(of: Double.self, capacity: w) { part in
            let base = part.baseAddress!
            DispatchQueue.concurrentPerform(iterations: w) { t in
                base[t] = body(pieceStart(t, of: w, n), pieceStart(t + 1, of: w, n))
            }
            return combine(part)
        }
    }

    public static func dot(_ n: Int, _ x: UnsafePointer<Double>, _ y: UnsafePointer<Double>) -> Double {
        reduce(n, { lo, hi in cblas_ddot(blasint(hi - lo), x + lo, 1, y + lo, 1) }, { $0.reduce(0, +) })
    }
    /// y ← a·x + y
    public static func axpy(_ n: Int, _ a: Double, _ x: UnsafePointer<Double>, _ y: UnsafeMutablePointer<Double>) {
        pieces(n) { lo, hi in cblas_daxpy(blasint(hi - lo), a, x + lo, 1, y + lo, 1) }
    }
    /// y ← a·x + b·y (OpenBLAS extension)
    public static func axpby(
        _ n: Int, _ a: Double, _ x: UnsafePointer<Double>, _ b: Double, _ y: UnsafeMutablePointer<Double>
    ) {
        pieces(n) { lo, hi in cblas_daxpby(blasint(hi - lo), a, x + lo, 1, b, y + lo, 1) }
    }
    public static func nrm2(_ n: Int, _ x: UnsafePointer<Double>) -> Double {
        reduce(n, { lo, hi in cblas_dnrm2(blasint(hi - lo), x + lo, 1) }) { part in
            // Scaled by the largest piece, as dnrm2 scales, so the sum of squares cannot overflow.
            if let bad = part.first(where: { !$0.isFinite }) { return bad }
            let big = part.max()!
            guard big > 0 else { return 0 }
            return big * part.reduce(0) { $0 + ($1 / big) * ($1 / big) }.squareRoot()
        }
    }
    /// x ← a·x
    public static func scal(_ n: Int, _ a: Double, _ x: UnsafeMutablePointer<Double>) {
        pieces(n) { lo, hi in cblas_dscal(blasint(hi - lo), a, x + lo, 1) }
    }
    /// y ← x
    public static func copy(_ n: Int, _ x: UnsafePointer<Double>, _ y: UnsafeMutablePointer<Double>) {
        pieces(n) { lo, hi in cblas_dcopy(blasint(hi - lo), x + lo, 1, y + lo, 1) }
    }
    /// y ← a·M x + b·y for a dense row-major `rows` × `columns` matrix M (one dgemv call: the
    /// thermal response model's evaluation, small enough for one thread).
    public static func gemv(
        rows: Int, columns: Int, _ a: Double, _ M: UnsafePointer<Double>,
        _ x: UnsafePointer<Double>, _ b: Double, _ y: UnsafeMutablePointer<Double>
    ) {
        guard rows > 0 && columns > 0 else { return }
        cblas_dgemv(
            CblasRowMajor, CblasNoTrans, blasint(rows), blasint(columns), a, M, blasint(columns),
            x, 1, b, y, 1)
    }
    /// Largest |x_i| (BLAS idamax in each piece). NaNs are skipped, as OpenBLAS's idamax skips
    /// them: watch for divergence with `nrm2` or `asum`.
    public static func maxAbs(_ n: Int, _ x: UnsafePointer<Double>) -> Double {
        guard n > 0 else { return 0 }
        return reduce(n, { lo, hi in hi > lo ? abs(x[lo + Int(cblas_idamax(blasint(hi - lo), x + lo, 1))]) : 0 }) {
            $0.max()!
        }
    }
    /// Sum of |x_i|.
    public static func asum(_ n: Int, _ x: UnsafePointer<Double>) -> Double {
        reduce(n, { lo, hi in cblas_dasum(blasint(hi - lo), x + lo, 1) }, { $0.reduce(0, +) })
    }

    /// Threads OpenBLAS may use for its own kernels.
    public static var threads: Int {
        get { Int(openblas_get_num_threads()) }
        set { openblas_set_num_threads(Int32(max(1, newValue))) }
    }
}

// Array conveniences for code outside hot loops (tests, setup).
extension BLAS {
    public static func dot(_ x: [Double], _ y: [Double]) -> Double {
        precondition(x.count == y.count)
        return x.withUnsafeBufferPointer { xp in
            y.withUnsafeBufferPointer { yp in dot(x.count, xp.baseAddress!, yp.baseAddress!) }
        }
    }
    public static func nrm2(_ x: [Double]) -> Double {
        x.withUnsafeBufferPointer { nrm2(x.count, $0.baseAddress!) }
    }
    public static func maxAbs(_ x: [Double]) -> Double {
        x.withUnsafeBufferPointer { maxAbs(x.count, $0.baseAddress!) }
    }
}
