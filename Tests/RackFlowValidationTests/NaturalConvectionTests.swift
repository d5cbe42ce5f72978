import XCTest
import RackFlowNumerics
import RackFlowPhysics
import RackFlowBench

/// Against de Vahl Davis (1983), `../shared/reference/devahldavis1983_natural_convection.csv`.
final class NaturalConvectionTests: XCTestCase {
    static let reference: [Double: Double] = [1e3: 1.118, 1e4: 2.243, 1e5: 4.519, 1e6: 8.800]

    func nusselt(n: Int, rayleigh: Double, stretch: Double = 0) throws -> Double {
        let fc = NaturalConvection.flowCase(n: n, rayleigh: rayleigh, stretch: stretch)
        var opts = SimpleOptions()
        opts.maxIterations = 20000
        opts.tolerance = 1e-7
        let s = try FlowSolver(fc, options: opts)
        let r = try s.solveSteady()
        let nu = NaturalConvection.hotWallNusselt(s)
        print("natural convection Ra \(rayleigh), \(n)² \(stretch > 0 ? "stretched" : "uniform"): Nu \(nu) vs \(Self.reference[rayleigh]!) (\(String(format: "%+.2f", 100 * (nu / Self.reference[rayleigh]! - 1))) %), \(r.iteration) iterations")
        return nu
    }

    func testRa1e4() throws {
        XCTAssertEqual(try nusselt(n: 64, rayleigh: 1e4), 2.243, accuracy: 0.015 * 2.243)
    }
    func testRa1e5() throws {
        XCTAssertEqual(try nusselt(n: 64, rayleigh: 1e5), 4.519, accuracy: 0.015 * 4.519)
    }
    func testRa1e6() throws {
        XCTAssertEqual(try nusselt(n: 128, rayleigh: 1e6), 8.800, accuracy: 0.03 * 8.800)
    }
    func testRa1e6Stretched() throws {
        XCTAssertEqual(try nusselt(n: 96, rayleigh: 1e6, stretch: 1.5), 8.800, accuracy: 0.03 * 8.800)
    }
}
