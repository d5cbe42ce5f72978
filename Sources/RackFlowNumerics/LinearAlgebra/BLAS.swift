import CLinearAlgebra

/// BLAS level 1 on contiguous `Double` buffers (OpenBLAS, CBLAS interface).
///
/// Thin on purpose: the solvers call these instead of writing their own loops, so the
/// vector work runs on OpenBLAS's tuned, threaded kernels. Every call takes unit stride.
/// Call these outside `Parallel.forEachSlab` regions: OpenBLAS threads itself.
public enum BLAS {
    @inline(__always)
    public static func dot(_ n: Int, _ x: UnsafePointer<Double>, _ y: UnsafePointer<Double>) -> Double {
        cblas_ddot(blasint(n), x, 1, y, 1)
    }
    /// y ← a·x + y
    @inline(__always)
    public static func axpy(_ n: Int, _ a: Double, _ x: UnsafePointer<Double>, _ y: UnsafeMutablePointer<Double>) {
        cblas_daxpy(blasint(n), a, x, 1, y, 1)
    }
    /// y ← a·x + b·y (OpenBLAS extension)
    @inline(__always)
    public static func axpby(_ n: Int, _ a: Double, _ x: UnsafePointer<Double>, _ b: Double, _ y: UnsafeMutablePointer<Double>) {
        cblas_daxpby(blasint(n), a, x, 1, b, y, 1)
    }
    @inline(__always)
    public static func nrm2(_ n: Int, _ x: UnsafePointer<Double>) -> Double {
        cblas_dnrm2(blasint(n), x, 1)
    }
    /// x ← a·x
    @inline(__always)
    public static func scal(_ n: Int, _ a: Double, _ x: UnsafeMutablePointer<Double>) {
        cblas_dscal(blasint(n), a, x, 1)
    }
    /// y ← x
    @inline(__always)
    public static func copy(_ n: Int, _ x: UnsafePointer<Double>, _ y: UnsafeMutablePointer<Double>) {
        cblas_dcopy(blasint(n), x, 1, y, 1)
    }
    /// Largest |x_i| (BLAS idamax, converted to 0-based index).
    @inline(__always)
    public static func maxAbs(_ n: Int, _ x: UnsafePointer<Double>) -> Double {
        guard n > 0 else { return 0 }
        return abs(x[Int(cblas_idamax(blasint(n), x, 1))])
    }
    /// Sum of |x_i|.
    @inline(__always)
    public static func asum(_ n: Int, _ x: UnsafePointer<Double>) -> Double {
        cblas_dasum(blasint(n), x, 1)
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
        return x.withUnsafeBufferPointer { xp in y.withUnsafeBufferPointer { yp in dot(x.count, xp.baseAddress!, yp.baseAddress!) } }
    }
    public static func nrm2(_ x: [Double]) -> Double {
        x.withUnsafeBufferPointer { nrm2(x.count, $0.baseAddress!) }
    }
    public static func maxAbs(_ x: [Double]) -> Double {
        x.withUnsafeBufferPointer { maxAbs(x.count, $0.baseAddress!) }
    }
}
