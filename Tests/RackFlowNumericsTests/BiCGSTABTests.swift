import XCTest
import RackFlowNumerics

final class BiCGSTABTests: XCTestCase {
    /// Steady 3D advection–diffusion, upwind advection, at cell Péclet number 10: the
    /// non-symmetric system of an energy or momentum equation. Velocity (1, 0.6, −0.4)·U,
    /// φ = 0 on every side, a uniform source.
    static func advectionDiffusion(n: Int, peclet: Double) -> (Stencil, [Double]) {
        let h = 1.0 / Double(n), U = 1.0
        let gamma = U * h / peclet // cell Péclet = U h / Γ
        let vel = [1.0, 0.6, -0.4].map { $0 * U }
        let A = Stencil(nx: n, ny: n, nz: n)
        let area = h * h, D = gamma * area / h
        var b = [Double](repeating: 0, count: n * n * n)
        for k in 0..<n {
            for j in 0..<n {
                for i in 0..<n {
                    let c = i + n * (j + n * k)
                    let idx = [i, j, k]
                    var ap = 0.0
                    for a in 0..<3 {
                        let F = vel[a] * area // volume flux through both faces along a (uniform flow)
                        let lower = a == 0 ? A.aW : (a == 1 ? A.aS : A.aB)
                        let upper = a == 0 ? A.aE : (a == 1 ? A.aN : A.aT)
                        // Interior faces: diffusion plus upwind inflow; boundary faces: φ_B = 0 at
                        // half a cell (diffusion 2D) and the inflow carries φ_B = 0.
                        if idx[a] > 0 { lower[c] = D + max(F, 0) } else { ap += 2 * D + max(F, 0) }
                        if idx[a] < n - 1 { upper[c] = D + max(-F, 0) } else { ap += 2 * D + max(-F, 0) }
                        ap += (idx[a] > 0 ? D + max(F, 0) : 0) + (idx[a] < n - 1 ? D + max(-F, 0) : 0)
                    }
                    // Σ a_nb + boundary terms + net outflow (zero for uniform flow, in the form above
                    // the upwind split already balances: aP = Σ a_nb + F_out − F_in over faces).
                    A.aP[c] = ap
                    b[c] = h * h * h
                }
            }
        }
        return (A, b)
    }

    func solve(with make: (Stencil) throws -> Preconditioner, name: String) throws -> [Double] {
        let (A, rhs) = Self.advectionDiffusion(n: 32, peclet: 10)
        let b = PaddedVector(rhs, pad: A.pad), x = PaddedVector(count: A.count, pad: A.pad)
        let report = try BiCGSTAB(A).solve(
            b, x, preconditioner: try make(A), options: KrylovOptions(tolerance: 1e-8, maxIterations: 500))
        let r = PaddedVector(count: A.count, pad: A.pad)
        let res = A.residual(PaddedVector(rhs, pad: A.pad), x, r).squareRoot() / BLAS.nrm2(rhs)
        print("BiCGSTAB (\(name)) Pe 10, 32³: \(report.iterations) iterations, true relative residual \(res)")
        XCTAssertLessThanOrEqual(res, 1e-8)
        return x.array
    }

    func testAdvectionDiffusionAtPeclet10() throws {
        let jacobi = try solve(with: { JacobiPreconditioner($0) }, name: "Jacobi")
        let lines = try solve(with: { try LinePreconditioner($0, axis: 0) }, name: "x-lines")
        let zlines = try solve(with: { try LinePreconditioner($0, axis: 2) }, name: "z-lines")
        let scale = jacobi.map(abs).max()!
        XCTAssertGreaterThan(scale, 0)
        for (a, b) in zip(jacobi, lines) { XCTAssertEqual(a, b, accuracy: 1e-6 * scale) }
        for (a, b) in zip(jacobi, zlines) { XCTAssertEqual(a, b, accuracy: 1e-6 * scale) }
        // Upwind with a positive source and zero boundary values: a bounded, positive field.
        XCTAssertGreaterThan(jacobi.min()!, 0)
    }

    /// The line preconditioner along x is exact for a problem coupled only along x.
    func testLinePreconditionerIsExactForOneDimensionalCoupling() throws {
        let A = Stencil(nx: 7, ny: 3, nz: 2)
        for c in 0..<A.count {
            A.aP[c] = 4
            A.aW[c] = 1
            A.aE[c] = 1.5
        }
        A.clipBoundaries()
        let rhs = (0..<A.count).map { Double($0 % 5) - 1 }
        let b = PaddedVector(rhs, pad: A.pad), x = PaddedVector(count: A.count, pad: A.pad)
        let report = try BiCGSTAB(A).solve(b, x, preconditioner: try LinePreconditioner(A, axis: 0))
        XCTAssertLessThanOrEqual(report.iterations, 1)
        XCTAssertLessThanOrEqual(report.relativeResidual, 1e-12)
    }

    /// A breakdown that a restart cannot cure ends the solve with an error instead of running
    /// to the iteration limit. Two cells, x₁ coupled to x₀ (aW = 2), b = (1, 1), Jacobi (here the
    /// identity): v = A p = (1, −1) ⟂ r̂₀ = b at the first iteration, and restarting r̂₀ from r,
    /// which has not moved, gives the same zero.
    func testARepeatedBreakdownIsReported() throws {
        let A = Stencil(nx: 2, ny: 1, nz: 1)
        A.aW[1] = 2
        let b = PaddedVector([1, 1], pad: A.pad), x = PaddedVector(count: 2, pad: A.pad)
        XCTAssertThrowsError(try BiCGSTAB(A).solve(b, x, preconditioner: JacobiPreconditioner(A))) { error in
            XCTAssertTrue("\(error)".contains("again"), "\(error)")
        }
        let batch = BatchedBiCGSTAB(A, columns: 1, sweeps: 0)
        let bb = batch.makeBlock(), xb = batch.makeBlock()
        bb.p[0] = 1
        bb.p[1] = 1
        XCTAssertThrowsError(try batch.solve(bb, xb, columns: 1, tolerance: 1e-10)) { error in
            XCTAssertTrue("\(error)".contains("r̂₀ᵀv"), "\(error)")
        }
    }
}
