import XCTest
import RackFlowNumerics
import RackFlowBench

/// Coarse levels made of connected pieces of 2×2×2 blocks (`MultigridOptions.coarseLevels =
/// .connectedBlocks`), the pressure correction's multigrid.
final class ConnectedBlocksTests: XCTestCase {
    static func connected(scale: Double = 1.5) -> MultigridOptions {
        var o = MultigridOptions()
        o.allowLines = false
        o.coarseLevels = .connectedBlocks
        o.coarseCorrectionScale = scale
        return o
    }

    static var blocks: MultigridOptions {
        var o = MultigridOptions()
        o.allowLines = false
        return o
    }

    /// A unit-coupling Laplacian on n³ cells, Dirichlet (anchor 2) on the x = 0 face, with
    /// thin walls (zero couplings) between cells i and i + 1 for every i in `walls`, each open
    /// only over a strip of 2 cells at alternating ends in y: a serpentine channel.
    static func serpentine(n: Int, walls: [Int], openFraction: Int = 2) -> SymmetricStencil {
        let N = n * n * n
        var east = [Double](repeating: 0, count: N), north = east, top = east, anchor = east
        for k in 0..<n {
            for j in 0..<n {
                for i in 0..<n {
                    let c = i + n * (j + n * k)
                    if i + 1 < n {
                        if let w = walls.firstIndex(of: i) {
                            let open = w % 2 == 0 ? j >= n - openFraction : j < openFraction
                            east[c] = open ? 1 : 0
                        } else {
                            east[c] = 1
                        }
                    }
                    if j + 1 < n { north[c] = 1 }
                    if k + 1 < n { top[c] = 1 }
                    if i == 0 { anchor[c] = 2 }
                }
            }
        }
        return SymmetricStencil(
            nx: n, ny: n, nz: n, east: east, north: north, top: top, anchor: anchor,
            active: [Bool](repeating: true, count: N))
    }

    /// Uniform in [−1, 1).
    static func uniform(_ g: inout SplitMix64) -> Double { Double(g.next() >> 11) / Double(1 << 52) - 1 }

    static func solve(_ A: SymmetricStencil, _ rhs: [Double], _ options: MultigridOptions) throws -> (Int, Double) {
        let b = PaddedVector(rhs, pad: A.pad), x = PaddedVector(count: A.count, pad: A.pad)
        let report = try MultigridCG(A, multigrid: options).solve(
            b, x, options: KrylovOptions(tolerance: 1e-10, maxIterations: 400))
        let r = PaddedVector(count: A.count, pad: A.pad)
        let residual = A.residual(PaddedVector(rhs, pad: A.pad), x, r).squareRoot() / BLAS.nrm2(rhs)
        return (report.iterations, residual)
    }

    /// A wall inside a row of blocks splits each block it crosses in two; where the wall is
    /// open, the block stays whole.
    func testBlocksSplitAtWalls() throws {
        let n = 16
        let A = Self.serpentine(n: n, walls: [4])
        let mg = try Multigrid(A, options: Self.connected())
        let plain = (n / 2) * (n / 2) * (n / 2)
        // The wall between i = 4 and 5 lies inside the blocks of I = 2: 8 × 8 of them, of
        // which the 1 × 8 along the open strip (j = 14, 15) stay whole.
        XCTAssertEqual(mg.levelSizes[1].0, plain + 8 * 8 - 8)
    }

    /// The V-cycle is a symmetric operator, as conjugate gradients requires.
    func testCycleIsSymmetric() throws {
        let A = Self.serpentine(n: 20, walls: [2, 6, 10, 14])
        let mg = try Multigrid(A, options: Self.connected())
        var rng = SplitMix64(seed: 7)
        let r1 = PaddedVector((0..<A.count).map { _ in Self.uniform(&rng) }, pad: A.pad)
        let r2 = PaddedVector((0..<A.count).map { _ in Self.uniform(&rng) }, pad: A.pad)
        let z1 = PaddedVector(count: A.count, pad: A.pad), z2 = PaddedVector(count: A.count, pad: A.pad)
        mg.apply(r1, z1)
        mg.apply(r2, z2)
        let a = BLAS.dot(A.count, z1.p, r2.p), b = BLAS.dot(A.count, r1.p, z2.p)
        XCTAssertEqual(a, b, accuracy: 1e-11 * abs(a))
        XCTAssertGreaterThan(BLAS.dot(A.count, z1.p, r1.p), 0)
    }

    /// Through a serpentine of thin walls, where plain blocks tie both sides of each wall
    /// together, connected blocks need fewer than half the CG iterations to 1e-10.
    func testSerpentineConvergesFasterThanPlainBlocks() throws {
        let n = 32
        let A = Self.serpentine(n: n, walls: Array(stride(from: 2, to: n - 2, by: 4)))
        var rng = SplitMix64(seed: 11)
        let rhs = (0..<A.count).map { _ in Self.uniform(&rng) }
        let (plainIts, plainResidual) = try Self.solve(A, rhs, Self.blocks)
        let (its, residual) = try Self.solve(A, rhs, Self.connected())
        print("serpentine 32³ to 1e-10: plain blocks \(plainIts) CG iterations, connected blocks \(its)")
        XCTAssertLessThanOrEqual(plainResidual, 1e-10)
        XCTAssertLessThanOrEqual(residual, 1e-10)
        XCTAssertLessThan(2 * its, plainIts)
    }

    /// On the smooth benchmark problems (uniform and stretched 64³) they stay as good as the
    /// geometric hierarchy: within 1.5× of its iterations, solved to 1e-10.
    func testPoissonBenchmarkAsGoodAsGeometric() throws {
        for stretch in [0.0, 1.8] {
            let bench = PoissonBenchmark(n: 64, stretch: stretch)
            let A = bench.problem.stencil()
            let (plainIts, _) = try Self.solve(A, bench.rhs, Self.blocks)
            let (its, residual) = try Self.solve(A, bench.rhs, Self.connected())
            print("Poisson 64³ stretch \(stretch): plain blocks \(plainIts), connected blocks \(its)")
            XCTAssertLessThanOrEqual(residual, 1e-10)
            XCTAssertLessThanOrEqual(Double(its), 1.5 * Double(plainIts))
        }
    }

    /// Insulated everywhere: the floating problem solves once its sources balance, the
    /// coarsest level's floating piece pinned.
    func testFloatingProblem() throws {
        let n = 16
        let A0 = Self.serpentine(n: n, walls: [5, 9])
        let A = SymmetricStencil(
            nx: n, ny: n, nz: n, east: A0.east.array, north: A0.north.array, top: A0.top.array,
            anchor: [Double](repeating: 0, count: A0.count), active: [Bool](repeating: true, count: A0.count))
        var rng = SplitMix64(seed: 3)
        var rhs = (0..<A.count).map { _ in Self.uniform(&rng) }
        let mean = rhs.reduce(0, +) / Double(rhs.count)
        for c in rhs.indices { rhs[c] -= mean }
        let (its, residual) = try Self.solve(A, rhs, Self.connected())
        XCTAssertLessThanOrEqual(residual, 1e-9)
        XCTAssertLessThan(its, 60)
    }
}
