import CLinearAlgebra

/// LAPACKE's `lapack_int` (a C macro Swift cannot see): 32-bit in Debian's LP64 build.
public typealias LapackInt = Int32

/// LAPACK (through LAPACKE's `_work` entry points, column-major) for the dense,
/// banded and tridiagonal systems the solvers meet. The `_work` forms skip LAPACKE's
/// NaN scans and temporary transposes, so they are safe to call per line in hot loops.
public enum LAPACK {
    /// Solves a tridiagonal system in place: `dl` (n-1), `d` (n), `du` (n-1) are destroyed,
    /// `b` (n) becomes the solution. Gaussian elimination with partial pivoting (dgtsv).
    @inline(__always)
    public static func gtsv(
        _ n: Int, _ dl: UnsafeMutablePointer<Double>, _ d: UnsafeMutablePointer<Double>,
        _ du: UnsafeMutablePointer<Double>, _ b: UnsafeMutablePointer<Double>
    ) -> Int {
        Int(LAPACKE_dgtsv_work(LAPACK_COL_MAJOR, LapackInt(n), 1, dl, d, du, b, LapackInt(max(n, 1))))
    }

    /// LU factorisation of a tridiagonal matrix (dgttrf); `du2` has n-2 entries, `ipiv` n.
    @inline(__always)
    public static func gttrf(
        _ n: Int, _ dl: UnsafeMutablePointer<Double>, _ d: UnsafeMutablePointer<Double>,
        _ du: UnsafeMutablePointer<Double>, _ du2: UnsafeMutablePointer<Double>,
        _ ipiv: UnsafeMutablePointer<LapackInt>
    ) -> Int {
        Int(LAPACKE_dgttrf_work(LapackInt(n), dl, d, du, du2, ipiv))
    }

    /// Solves with a `gttrf` factorisation (dgttrs); `b` becomes the solution.
    @inline(__always)
    public static func gttrs(
        _ n: Int, _ dl: UnsafePointer<Double>, _ d: UnsafePointer<Double>,
        _ du: UnsafePointer<Double>, _ du2: UnsafePointer<Double>,
        _ ipiv: UnsafePointer<LapackInt>, _ b: UnsafeMutablePointer<Double>
    ) -> Int {
        Int(
            LAPACKE_dgttrs_work(
                LAPACK_COL_MAJOR, CChar(UInt8(ascii: "N")), LapackInt(n), 1,
                dl, d, du, du2, ipiv, b, LapackInt(max(n, 1))))
    }

    /// Cholesky factorisation of a symmetric positive definite band matrix (dpbtrf),
    /// lower storage: `ab[(kd + 1) * j + (i - j)] = A[i, j]` for `j ≤ i ≤ j + kd`.
    public static func pbtrf(_ n: Int, kd: Int, _ ab: UnsafeMutablePointer<Double>) -> Int {
        Int(
            LAPACKE_dpbtrf_work(
                LAPACK_COL_MAJOR, CChar(UInt8(ascii: "L")), LapackInt(n), LapackInt(kd), ab, LapackInt(kd + 1)))
    }

    /// Solves with a `pbtrf` factorisation (dpbtrs); `b` becomes the solution.
    public static func pbtrs(_ n: Int, kd: Int, _ ab: UnsafePointer<Double>, _ b: UnsafeMutablePointer<Double>) -> Int {
        Int(
            LAPACKE_dpbtrs_work(
                LAPACK_COL_MAJOR, CChar(UInt8(ascii: "L")), LapackInt(n), LapackInt(kd), 1,
                ab, LapackInt(kd + 1), b, LapackInt(max(n, 1))))
    }

    /// Dense LU solve (dgesv) of a column-major n×n matrix, for small systems and checks.
    public static func gesv(_ n: Int, _ a: inout [Double], _ b: inout [Double]) throws {
        precondition(a.count == n * n && b.count == n)
        var ipiv = [LapackInt](repeating: 0, count: n)
        let info = Int(LAPACKE_dgesv_work(LAPACK_COL_MAJOR, LapackInt(n), 1, &a, LapackInt(n), &ipiv, &b, LapackInt(n)))
        if info != 0 { throw SolverError.lapack(routine: "dgesv", info: Int(info)) }
    }
}

/// A symmetric positive definite band matrix factorised once by LAPACK (dpbtrf) and
/// solved many times (dpbtrs): the multigrid coarsest level.
public final class BandedCholesky {
    public let n: Int
    public let kd: Int
    private var ab: [Double]

    /// `entries(i, j)` for j ≤ i ≤ j + kd gives A[i, j] of the lower band.
    public init(n: Int, kd: Int, lowerBand: [Double]) throws {
        precondition(lowerBand.count == n * (kd + 1))
        self.n = n
        self.kd = kd
        self.ab = lowerBand
        let info = ab.withUnsafeMutableBufferPointer { LAPACK.pbtrf(n, kd: kd, $0.baseAddress!) }
        if info != 0 { throw SolverError.lapack(routine: "dpbtrf", info: Int(info)) }
    }

    /// b ← A⁻¹ b
    public func solve(_ b: UnsafeMutablePointer<Double>) {
        let info = ab.withUnsafeBufferPointer { LAPACK.pbtrs(n, kd: kd, $0.baseAddress!, b) }
        precondition(info == 0, "dpbtrs failed with info \(info) on a matrix dpbtrf accepted")
    }
}
