import XCTest
import RackFlowNumerics

final class LinearAlgebraTests: XCTestCase {
    func testBLASLevel1() {
        let x = (0..<1000).map { sin(Double($0)) }, y = (0..<1000).map { cos(0.5 * Double($0)) }
        XCTAssertEqual(BLAS.dot(x, y), zip(x, y).reduce(0) { $0 + $1.0 * $1.1 }, accuracy: 1e-12)
        XCTAssertEqual(BLAS.nrm2(x), x.reduce(0) { $0 + $1 * $1 }.squareRoot(), accuracy: 1e-12)
        XCTAssertEqual(BLAS.maxAbs(x), x.map(abs).max()!)
        let v = PaddedVector(x, pad: 3), w = PaddedVector(y, pad: 3)
        BLAS.axpy(1000, 2, v.p, w.p)
        XCTAssertEqual(w[10], y[10] + 2 * x[10], accuracy: 1e-15)
        BLAS.axpby(1000, 1, v.p, -1, w.p)
        XCTAssertEqual(w[10], x[10] - (y[10] + 2 * x[10]), accuracy: 1e-15)
        BLAS.scal(1000, 0.5, w.p)
        BLAS.copy(1000, w.p, v.p)
        XCTAssertEqual(v[999], w[999])
        XCTAssertEqual(v.p[-1], 0)
        XCTAssertEqual(v.p[1000], 0) // pads untouched
    }

    /// Long vectors go to OpenBLAS in one piece per worker: every operation must equal the plain
    /// loop at every worker count, with odd lengths (pieces end on cache lines, the last takes
    /// the rest), pads untouched, and a NaN in any piece must reach the norms (OpenBLAS's
    /// idamax skips NaNs, so `maxAbs` cannot be the divergence watch; `nrm2` and `asum` are).
    func testBLASLevel1SplitAcrossWorkers() {
        let n = 200_003
        let x = (0..<n).map { sin(0.37 * Double($0)) * 1e150 }, y = (0..<n).map { cos(0.5 * Double($0)) * 1e150 }
        let dotRef = zip(x, y).reduce(0) { $0 + ($1.0 / 1e150) * ($1.1 / 1e150) } * 1e300
        let nrmRef = x.reduce(0) { $0 + ($1 / 1e150) * ($1 / 1e150) }.squareRoot() * 1e150 // unscaled, x·x overflows
        let saved = Parallel.workers
        defer { Parallel.workers = saved }
        for workers in [1, 2, 3] {
            Parallel.workers = workers
            XCTAssertEqual(BLAS.dot(x, y) / dotRef, 1, accuracy: 1e-11, "workers \(workers)")
            XCTAssertEqual(BLAS.nrm2(x) / nrmRef, 1, accuracy: 1e-12, "workers \(workers)")
            XCTAssertEqual(BLAS.maxAbs(x), x.map(abs).max()!, "workers \(workers)")
            let v = PaddedVector(x, pad: 5), w = PaddedVector(y, pad: 5)
            XCTAssertEqual(BLAS.asum(n, v.p) / x.reduce(0) { $0 + abs($1) }, 1, accuracy: 1e-12)
            BLAS.axpy(n, 2, v.p, w.p)
            BLAS.axpby(n, 1, v.p, -0.5, w.p)
            BLAS.scal(n, 0.25, w.p)
            for i in [0, 7, 8, n / 3, n / 2 - 1, n / 2, n - 9, n - 1] {
                XCTAssertEqual(
                    w[i], 0.25 * (x[i] - 0.5 * (y[i] + 2 * x[i])), accuracy: 1e-15 * 1e150, "workers \(workers), i \(i)"
                )
            }
            BLAS.copy(n, w.p, v.p)
            XCTAssertEqual(v.array, w.array)
            v.fill(3)
            XCTAssertTrue(v.array.allSatisfy { $0 == 3 })
            for vec in [v, w] {
                XCTAssertEqual(vec.p[-1], 0)
                XCTAssertEqual(vec.p[-5], 0)
                XCTAssertEqual(vec.p[n], 0)
                XCTAssertEqual(vec.p[n + 4], 0)
            }
            for at in [1, n / 2 + 1, n - 2] {
                var z = x
                z[at] = .nan
                XCTAssertTrue(BLAS.nrm2(z).isNaN, "workers \(workers): NaN at \(at) lost")
                XCTAssertTrue(
                    z.withUnsafeBufferPointer { BLAS.asum(n, $0.baseAddress!) }.isNaN,
                    "workers \(workers): NaN at \(at) lost")
            }
        }
    }

    func testTridiagonalSolvers() throws {
        let n = 6
        var dl = [Double](repeating: -1, count: n - 1), d = [Double](repeating: 4, count: n),
            du = [Double](repeating: -2, count: n - 1)
        let rhs: [Double] = [1, 2, 3, 4, 5, 6]
        // Dense reference.
        var dense = [Double](repeating: 0, count: n * n)
        for i in 0..<n {
            dense[i + n * i] = 4
            if i > 0 {
                dense[i + n * (i - 1)] = -1
                dense[(i - 1) + n * i] = -2
            }
        }
        var ref = rhs
        try LAPACK.gesv(n, &dense, &ref)
        var b = rhs
        XCTAssertEqual(LAPACK.gtsv(n, &dl, &d, &du, &b), 0)
        for i in 0..<n { XCTAssertEqual(b[i], ref[i], accuracy: 1e-14) }
        // Factorise once, solve twice.
        var dl2 = [Double](repeating: -1, count: n - 1), d2 = [Double](repeating: 4, count: n),
            du2 = [Double](repeating: -2, count: n - 1)
        var u2 = [Double](repeating: 0, count: n - 2), piv = [LapackInt](repeating: 0, count: n)
        XCTAssertEqual(LAPACK.gttrf(n, &dl2, &d2, &du2, &u2, &piv), 0)
        for _ in 0..<2 {
            var b2 = rhs
            XCTAssertEqual(LAPACK.gttrs(n, dl2, d2, du2, u2, piv, &b2), 0)
            for i in 0..<n { XCTAssertEqual(b2[i], ref[i], accuracy: 1e-14) }
        }
    }

    func testBandedCholeskyRejectsIndefiniteMatrix() {
        // [[1, 2], [2, 1]] is symmetric but indefinite.
        XCTAssertThrowsError(try BandedCholesky(n: 2, kd: 1, lowerBand: [1, 2, 1, 0])) { error in
            XCTAssertTrue("\(error)".contains("dpbtrf"))
        }
    }
}
