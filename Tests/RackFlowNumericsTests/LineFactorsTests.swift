import XCTest
import RackFlowNumerics

/// The stored-factor line kernel (`fastLineGaussSeidel`) must do exactly what the general
/// LAPACK line solve does: same lines, same colour, the lines solved exactly.
final class LineFactorsTests: XCTestCase {
    /// A random anisotropic operator with walls (zero couplings) and a solid cell.
    func randomStencil(_ nx: Int, _ ny: Int, _ nz: Int) -> SymmetricStencil {
        var rng = SystemRandomNumberGenerator()
        let n = nx * ny * nz
        func couplings(_ scale: Double) -> [Double] {
            (0..<n).map { _ in
                Double.random(in: 0...1, using: &rng) < 0.08 ? 0 : scale * Double.random(in: 0.1...1, using: &rng)
            }
        }
        var active = [Bool](repeating: true, count: n)
        active[n / 2] = false
        let anchor = (0..<n).map { $0 % 17 == 0 ? 0.3 : 0 }
        return SymmetricStencil(
            nx: nx, ny: ny, nz: nz, east: couplings(50), north: couplings(1), top: couplings(7),
            anchor: anchor, active: active)
    }

    func testMatchesLAPACKLineSolveOnEveryAxis() {
        let (nx, ny, nz) = (9, 7, 6)
        let A = randomStencil(nx, ny, nz)
        let b = PaddedVector((0..<A.count).map { _ in Double.random(in: -1...1) }, pad: A.pad)
        for c in 0..<A.count where !A.active[c] { b[c] = 0 }
        let start = (0..<A.count).map { A.active[$0] ? Double.random(in: -1...1) : 0 }
        let scratch = LineScratch(maxLineLength: 16)
        for axis in 0..<3 {
            let factors = LineFactors(A, axis: axis)
            for colour in 0..<2 {
                let slow = PaddedVector(start, pad: A.pad), fast = PaddedVector(start, pad: A.pad)
                A.lineGaussSeidel(slow, b, axis: axis, colour: colour, scratch: scratch)
                A.fastLineGaussSeidel(fast, b, colour: colour, factors: factors)
                var worst = 0.0, moved = 0
                for c in 0..<A.count {
                    worst = max(worst, abs(slow[c] - fast[c]) / max(abs(slow[c]), 1))
                    if slow[c] != start[c] { moved += 1 }
                }
                XCTAssertLessThan(worst, 1e-12, "axis \(axis), colour \(colour)")
                XCTAssertGreaterThan(moved, A.count / 3, "the half-sweep must update about half the cells")
            }
        }
    }

    /// After the operator changes in place, refreshed factors solve the new lines.
    func testRefreshFollowsTheOperator() {
        let A = randomStencil(8, 5, 5)
        let factors = LineFactors(A, axis: 2)
        for c in 0..<A.count { A.top[c] *= 3 }
        A.refresh()
        factors.refresh(A)
        let b = PaddedVector((0..<A.count).map { Double($0 % 5) - 2 }, pad: A.pad)
        for c in 0..<A.count where !A.active[c] { b[c] = 0 }
        let slow = PaddedVector(count: A.count, pad: A.pad), fast = PaddedVector(count: A.count, pad: A.pad)
        A.lineGaussSeidel(slow, b, axis: 2, colour: 1, scratch: LineScratch(maxLineLength: 8))
        A.fastLineGaussSeidel(fast, b, colour: 1, factors: factors)
        for c in 0..<A.count { XCTAssertEqual(slow[c], fast[c], accuracy: 1e-12 * max(abs(slow[c]), 1)) }
    }
}
