import XCTest
@testable import RackFlowPhysics

/// The stopping rule on monitored quantities (Steady/MonitorSettling.swift): flat over a window
/// is not enough when the iteration converges slowly; the extrapolated tail must be small too.
final class MonitorSettlingTests: XCTestCase {
    /// x_k = 40 + e ρ^k: the remaining error at k is e ρ^k, known exactly.
    func series(_ e: Double, _ rho: Double, upTo n: Int) -> [Double] {
        (0...n).map { 40 + e * pow(rho, Double($0)) }
    }

    func testSlowContractionIsNotSettledWhileFarFromItsLimit() {
        let rule = MonitorSettling(window: 20, relative: 0, absolute: 0.05)
        // ρ = 0.999: over 20 iterations the value moves by 2 % of its remaining error, so it is
        // flat to 0.05 K while still 1.8 K from its limit.
        let tail = Array(series(5, 0.999, upTo: 1000).suffix(41))
        let spread = tail.suffix(20).max()! - tail.suffix(20).min()!
        XCTAssertLessThan(spread, 0.05, "a flatness rule alone would stop here")
        XCTAssertGreaterThan(5 * pow(0.999, 1000.0), 1.8)
        XCTAssertFalse(rule.settled(tail), "1.8 K from its limit")
    }

    func testGeometricTailIsExtrapolated() {
        let rule = MonitorSettling(window: 20, relative: 0, absolute: 0.05)
        // ρ = 0.9: at k = 70 the last window moved 0.022 K (more than τ/10, so the extrapolation
        // decides) and the limit is 0.003 K away: settled. At k = 50 it is 0.026 K away but the
        // window moved 0.19 K: not flat yet.
        XCTAssertTrue(rule.settled(Array(series(5, 0.9, upTo: 70).suffix(41))))
        XCTAssertFalse(rule.settled(Array(series(5, 0.9, upTo: 50).suffix(41))))
    }

    func testGrowingOrUnwindowedMonitorsAreNotSettled() {
        let rule = MonitorSettling(window: 20, relative: 1e-3)
        XCTAssertFalse(rule.settled(Array(repeating: 1, count: 20)), "needs one window's change: w + 1 values")
        XCTAssertTrue(rule.settled(Array(repeating: 1, count: 21)), "still over a window: a warm restart's case")
        // Moving by more than τ/10 over one window: the extrapolation decides, and it needs 2 w + 1.
        let moving = (0...40).map { 1 + 5e-4 * pow(0.9, Double($0)) }
        XCTAssertFalse(rule.settled(Array(moving.prefix(21))), "needs 2 w + 1 values to extrapolate")
        XCTAssertTrue(rule.settled(moving))
        let growing = (0...40).map { 1 + 1e-4 * pow(1.05, Double($0)) }
        XCTAssertFalse(rule.settled(growing), "changes that do not shrink")
    }

    func testNoiseBelowATenthOfTheToleranceIsSettled() {
        let rule = MonitorSettling(window: 20, relative: 0, absolute: 0.05)
        let x = (0...40).map { 30 + 0.002 * sin(Double($0) * 2.1) }
        XCTAssertTrue(rule.settled(x))
    }
}
