import XCTest
import RackFlowNumerics

/// Second-order accuracy of the finite-volume diffusion operator, measured against a
/// manufactured solution: the max-norm error must fall by ≥ 3.5 per halving of h.
final class PoissonConvergenceTests: XCTestCase {
    func check(
        stretched: Bool, boundaries: Manufactured.Boundaries, file: StaticString = #filePath, line: UInt = #line
    ) throws {
        let errors = try [16, 32, 64].map {
            try Manufactured.error(n: $0, stretched: stretched, boundaries: boundaries)
        }
        let ratios = zip(errors, errors.dropFirst()).map { $0 / $1 }
        print(
            "MMS \(boundaries) \(stretched ? "stretched" : "uniform"): errors "
                + "\(errors.map { String(format: "%.3e", $0) }) ratios \(ratios.map { String(format: "%.2f", $0) })"
        )
        for r in ratios { XCTAssertGreaterThanOrEqual(r, 3.5, "error ratio per halving", file: file, line: line) }
    }

    func testDirichletUniform() throws { try check(stretched: false, boundaries: .dirichlet) }
    func testDirichletStretched() throws { try check(stretched: true, boundaries: .dirichlet) }
    func testMixedUniform() throws { try check(stretched: false, boundaries: .mixed) }
    func testMixedStretched() throws { try check(stretched: true, boundaries: .mixed) }
    func testPureNeumannUniform() throws { try check(stretched: false, boundaries: .neumann) }

    func testStretchedGridIsWhatTheTestClaims() {
        let a = Axis.smoothlyStretched(16, to: 1, amplitude: 0.065)
        XCTAssertGreaterThan(a.maxNeighbourRatio, 1.15)
        XCTAssertLessThanOrEqual(a.maxNeighbourRatio, 1.2)
    }
}
