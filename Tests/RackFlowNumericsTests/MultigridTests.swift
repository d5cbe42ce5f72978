import XCTest
import RackFlowNumerics
import RackFlowBench

final class MultigridTests: XCTestCase {
    func solveBenchmark(n: Int, stretch: Double = 0) throws -> (SolveReport, Double) {
        let bench = PoissonBenchmark(n: n, stretch: stretch)
        let A = bench.problem.stencil()
        let b = PaddedVector(bench.rhs, pad: A.pad), x = PaddedVector(count: A.count, pad: A.pad)
        let report = try MultigridCG(A).solve(b, x, options: KrylovOptions(tolerance: 1e-8, maxIterations: 200))
        // Check the answer independently of the solver's own bookkeeping.
        let r = PaddedVector(count: A.count, pad: A.pad), b2 = PaddedVector(bench.rhs, pad: A.pad)
        let res = A.residual(b2, x, r).squareRoot() / BLAS.nrm2(bench.rhs)
        return (report, res)
    }

    /// Iterations to 1e-8 must not grow by more than 20 % from 32³ to 128³.
    func testGridIndependentConvergence() throws {
        let (r32, res32) = try solveBenchmark(n: 32)
        let (r64, _) = try solveBenchmark(n: 64)
        let (r128, res128) = try solveBenchmark(n: 128)
        print("MG-PCG iterations 32³: \(r32.iterations), 64³: \(r64.iterations), 128³: \(r128.iterations)")
        XCTAssertLessThanOrEqual(res32, 1e-8)
        XCTAssertLessThanOrEqual(res128, 1e-8)
        XCTAssertLessThanOrEqual(Double(r128.iterations), 1.2 * Double(r32.iterations))
    }

    /// On a grid clustered toward every wall (cell aspect ratios up to 10) the count stays
    /// within 2× of the uniform grid's.
    func testStretchedGrid() throws {
        let (uniform, _) = try solveBenchmark(n: 64)
        let stretch = 1.8
        let aspect = PoissonBenchmark(n: 64, stretch: stretch).problem.grid.maxAspectRatio
        XCTAssertGreaterThan(aspect, 8)
        XCTAssertLessThanOrEqual(aspect, 10)
        let (stretched, res) = try solveBenchmark(n: 64, stretch: stretch)
        print(
            "MG-PCG iterations 64³ uniform: \(uniform.iterations), stretched (aspect \(aspect)): "
                + "\(stretched.iterations)"
        )
        XCTAssertLessThanOrEqual(res, 1e-8)
        XCTAssertLessThanOrEqual(stretched.iterations, 2 * uniform.iterations)
    }

    /// Insulated on every side: singular, solvable only for balanced sources.
    func pureNeumann(n: Int, source: @escaping (Double, Double, Double) -> Double) -> (SymmetricStencil, [Double]) {
        var tags = GridTags(Grid.uniform(n, n, n, size: (1, 1, 1)))
        tags.fill(.solid, lo: (0.3, 0.3, 0.3), hi: (0.6, 0.5, 0.7))
        let p = DiffusionProblem(grid: tags.grid, tags: tags)
        return (p.stencil(), p.rightHandSide(source: source))
    }

    func testPureNeumannConverges() throws {
        let (A, rhs) = pureNeumann(n: 24) { x, y, z in cos(.pi * x) * (1 + y) + 0.3 * cos(2 * .pi * z) }
        // Make the discrete sources balance exactly (to round-off) in the fluid.
        let fluid = (0..<A.count).filter { A.active[$0] }
        let mean = fluid.reduce(0) { $0 + rhs[$1] } / Double(fluid.count)
        var balanced = rhs
        for c in fluid { balanced[c] -= mean }
        let b = PaddedVector(balanced, pad: A.pad), x = PaddedVector(count: A.count, pad: A.pad)
        let cg = try MultigridCG(A)
        XCTAssertEqual(cg.pieces.floating.count, 1)
        let report = try cg.solve(b, x, options: KrylovOptions(tolerance: 1e-8, maxIterations: 100))
        XCTAssertLessThanOrEqual(report.relativeResidual, 1e-8)
        XCTAssertLessThan(report.iterations, 30)
        // Returned with zero mean over the fluid.
        XCTAssertEqual(fluid.reduce(0) { $0 + x[$1] } / Double(fluid.count), 0, accuracy: 1e-12)
    }

    func testIncompatibleRightHandSideIsReported() throws {
        let (A, rhs) = pureNeumann(n: 12) { _, _, _ in 1 } // a heat source with nowhere to go
        let b = PaddedVector(rhs, pad: A.pad), x = PaddedVector(count: A.count, pad: A.pad)
        XCTAssertThrowsError(try MultigridCG(A).solve(b, x)) { error in
            guard case SolverError.incompatibleRightHandSide = error else { return XCTFail("wrong error \(error)") }
            XCTAssertTrue("\(error)".contains("sources sum to"))
        }
    }

    /// A pocket sealed by walls is its own floating piece: its sources must balance too,
    /// and the rest of the domain (anchored) solves as usual.
    func testSealedPocketIsAFloatingPiece() throws {
        let grid = Grid.uniform(8, 8, 8, size: (1, 1, 1))
        var tags = GridTags(grid)
        // Wall off the cells with i < 2 entirely (a face at x = 0.25).
        for k in 0..<8 { for j in 0..<8 { tags.faces[0][tags.faceIndex(axis: 0, 2, j, k)] = .wall } }
        var p = DiffusionProblem(grid: grid, tags: tags)
        p.boundaries[.east] = .value(0)
        let A = p.stencil()
        let pieces = Components(of: A)
        XCTAssertEqual(pieces.count, 2)
        XCTAssertEqual(pieces.floating.count, 1)
        XCTAssertEqual(pieces.size[pieces.floating[0]], 2 * 8 * 8)
        let b = PaddedVector(p.rightHandSide { _, _, _ in 1 }, pad: A.pad), x = PaddedVector(count: A.count, pad: A.pad)
        XCTAssertThrowsError(try MultigridCG(A).solve(b, x))
        let b2 = PaddedVector(p.rightHandSide { x, _, _ in x < 0.25 ? 0 : 1 }, pad: A.pad)
        let report = try MultigridCG(A).solve(b2, x)
        XCTAssertLessThanOrEqual(report.relativeResidual, 1e-8)
    }

    func testNaNIsReportedWithItsCell() throws {
        let bench = PoissonBenchmark(n: 16)
        let A = bench.problem.stencil()
        var rhs = bench.rhs
        rhs[A.count / 2 + 3] = .nan
        let b = PaddedVector(rhs, pad: A.pad), x = PaddedVector(count: A.count, pad: A.pad)
        XCTAssertThrowsError(try MultigridCG(A).solve(b, x)) { error in
            guard case SolverError.notFinite(_, _, let cell) = error else { return XCTFail("wrong error \(error)") }
            XCTAssertNotNil(cell)
            XCTAssertTrue("\(error)".contains("NaN"))
        }
    }

    func testNonConvergenceIsReported() throws {
        let bench = PoissonBenchmark(n: 16)
        let A = bench.problem.stencil()
        let b = PaddedVector(bench.rhs, pad: A.pad), x = PaddedVector(count: A.count, pad: A.pad)
        XCTAssertThrowsError(try MultigridCG(A).solve(b, x, options: KrylovOptions(tolerance: 1e-12, maxIterations: 2)))
        { error in
            guard case SolverError.didNotConverge(_, let it, _, _) = error else {
                return XCTFail("wrong error \(error)")
            }
            XCTAssertEqual(it, 2)
        }
    }

    /// With the coarsest level being the whole grid, one V-cycle is LAPACK's banded
    /// Cholesky solve; it must match a dense LU solve (dgesv) of the same matrix.
    func testBandedCoarseSolveMatchesDenseLAPACK() throws {
        let grid = Grid(x: .clustered(6, to: 1, strength: 1), y: .uniform(5, to: 0.7), z: .uniform(4, to: 0.5))
        var tags = GridTags(grid)
        tags.fill(.solid, lo: (0.4, 0.2, 0.1), hi: (0.7, 0.45, 0.3))
        tags.faces[2][tags.faceIndex(axis: 2, 1, 1, 2)] = .wall
        var k = [Double](repeating: 1, count: grid.cellCount)
        for c in 0..<k.count where c % 3 == 0 { k[c] = 10 }
        var p = DiffusionProblem(grid: grid, coefficient: k, tags: tags)
        p.boundaries[.south] = .value(1)
        p.boundaries[.top] = .value(-2)
        let A = p.stencil()
        let rhs = p.rightHandSide { x, y, z in sin(3 * x) + y * z }
        var options = MultigridOptions()
        options.coarsestCells = grid.cellCount
        let mg = try Multigrid(A, options: options)
        XCTAssertEqual(mg.levelCount, 1)
        let z = PaddedVector(count: A.count, pad: A.pad)
        mg.apply(PaddedVector(rhs, pad: A.pad), z)

        // Dense column-major matrix from the stencil.
        let n = A.count, nx = A.nx, s = A.slab
        var dense = [Double](repeating: 0, count: n * n)
        for c in 0..<n {
            dense[c + n * c] = A.diag[c]
            for (m, g) in [(c + 1, A.east[c]), (c + nx, A.north[c]), (c + s, A.top[c])] where g != 0 {
                dense[m + n * c] = -g
                dense[c + n * m] = -g
            }
        }
        var x = rhs
        for c in 0..<n where !A.active[c] { x[c] = 0 }
        try LAPACK.gesv(n, &dense, &x)
        let diff = (0..<n).map { abs(z[$0] - x[$0]) }.max()!
        let scale = x.map(abs).max()!
        print("banded Cholesky vs dgesv: max difference \(diff) (solution scale \(scale))")
        XCTAssertLessThanOrEqual(diff, 1e-10 * max(1, scale))
    }
}
