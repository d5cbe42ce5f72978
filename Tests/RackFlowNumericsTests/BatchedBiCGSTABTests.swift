import XCTest

import RackFlowNumerics

/// Many right-hand sides in lockstep (`BatchedBiCGSTAB`) against one solve each.
final class BatchedBiCGSTABTests: XCTestCase {
    /// Five columns of the Péclet-10 advection–diffusion problem of `BiCGSTABTests` (32³: large
    /// enough for the kernels and reductions to run on every core): point sources
    /// at different places (so the columns converge after different iteration counts and the
    /// block is packed as they finish), a uniform source, and a zero right-hand side. Each column
    /// must meet its tolerance on its true residual and agree with the single-column solver,
    /// and the zero column must come back zero.
    func testColumnsMatchSingleSolves() throws {
        let (A, uniform) = BiCGSTABTests.advectionDiffusion(n: 32, peclet: 10)
        let n = A.count
        let tolerance = 1e-9
        var columns: [[Double]] = []
        for c in [n / 2 + 16 * 32, 3, n - 5, n / 3] {
            var b = [Double](repeating: 0, count: n)
            b[c] = 1
            columns.append(b)
        }
        columns.append(uniform)
        columns.append([Double](repeating: 0, count: n))
        let m = columns.count

        let batch = BatchedBiCGSTAB(A, columns: m + 2, sweeps: 4)
        let b = batch.makeBlock(), x = batch.makeBlock()
        for (j, col) in columns.enumerated() { for c in 0..<n { b.p[c * m + j] = col[c] } }
        // A non-zero guess in the zero column: it must still come back zero.
        for c in 0..<n { x.p[c * m + m - 1] = 1 }
        let iterations = try batch.solve(b, x, columns: m, tolerance: tolerance)
        print("batched BiCGSTAB, Pe 10, 32³, \(m) columns: iterations \(iterations)")
        XCTAssertGreaterThan(Set(iterations.prefix(m - 1)).count, 1, "columns should need different counts")
        XCTAssertEqual(iterations[m - 1], 0)
        XCTAssertGreaterThan(batch.packs, 0, "finished columns should have been packed away")

        let single = BiCGSTAB(A)
        let preconditioner = SweepPreconditioner(A, sweeps: 4)
        let r = PaddedVector(count: n, pad: A.pad)
        for (j, col) in columns.enumerated() {
            let xj = PaddedVector(count: n, pad: A.pad)
            for c in 0..<n { xj.p[c] = x.p[c * m + j] }
            let bj = PaddedVector(col, pad: A.pad)
            let bNorm = BLAS.nrm2(col)
            if bNorm == 0 {
                XCTAssertEqual(xj.array.map(abs).max()!, 0, "zero right-hand side")
                continue
            }
            let residual = A.residual(bj, xj, r).squareRoot() / bNorm
            XCTAssertLessThanOrEqual(residual, tolerance, "column \(j)")
            let reference = PaddedVector(count: n, pad: A.pad)
            let report = try single.solve(
                bj, reference, preconditioner: preconditioner,
                options: KrylovOptions(tolerance: tolerance, maxIterations: 500))
            print("column \(j): batched \(iterations[j]) iterations, single \(report.iterations)")
            // The same iteration up to the order of floating-point sums. From a point source
            // BiCGSTAB's residual jumps by 10–100× on its way (observed 13 against 16 and 18
            // against 26 iterations), and rounding moves those jumps; the smooth uniform source
            // takes the same path.
            if j == 4 { XCTAssertLessThanOrEqual(abs(report.iterations - iterations[j]), 1) }
            let scale = reference.array.map(abs).max()!
            for c in 0..<n { XCTAssertEqual(xj.p[c], reference.p[c], accuracy: 1e-7 * scale) }
        }
    }

    /// The interleaved kernels against the single-column ones on random columns.
    func testInterleavedKernelsMatchSingleColumn() {
        let (A, _) = BiCGSTABTests.advectionDiffusion(n: 12, peclet: 3)
        let n = A.count, m = 3
        var rng = SplitMix64(seed: 7)
        let xs = (0..<m).map { _ in (0..<n).map { _ in Double(rng.next() >> 11) / Double(1 << 53) - 0.5 } }
        let x = PaddedVector(count: n * m, pad: A.pad * m), y = PaddedVector(count: n * m, pad: A.pad * m)
        for j in 0..<m { for c in 0..<n { x.p[c * m + j] = xs[j][c] } }
        A.applyColumns(x.p, y.p, m)
        let z = PaddedVector(count: n * m, pad: A.pad * m)
        A.relaxColumns(z.p, x.p, m, sweeps: 3)
        // Residual of the columns z against right-hand sides x.
        let r = PaddedVector(count: n * m, pad: A.pad * m)
        var norms = [Double](repeating: 0, count: m)
        norms.withUnsafeMutableBufferPointer {
            A.residualColumns(x.p, z.p, r.p, m, into: $0.baseAddress!, ColumnReductions(columns: m))
        }
        for j in 0..<m {
            let xj = PaddedVector(xs[j], pad: A.pad), yj = PaddedVector(count: n, pad: A.pad)
            A.apply(xj, yj)
            let zj = PaddedVector(count: n, pad: A.pad)
            A.relax(zj, xj, sweeps: 3)
            let rj = PaddedVector(count: n, pad: A.pad)
            let norm2 = A.residual(xj, zj, rj)
            XCTAssertEqual(norms[j], norm2, accuracy: 1e-12 * norm2)
            for c in 0..<n {
                XCTAssertEqual(r.p[c * m + j], rj.p[c], accuracy: 1e-12 * max(abs(rj.p[c]), 1))
                XCTAssertEqual(y.p[c * m + j], yj.p[c], accuracy: 1e-12 * max(abs(yj.p[c]), 1))
                XCTAssertEqual(z.p[c * m + j], zj.p[c], accuracy: 1e-12 * max(abs(zj.p[c]), 1))
            }
        }
    }
}
