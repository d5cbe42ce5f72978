import XCTest
import RackFlowNumerics
import RackFlowPhysics
import RackFlowBench

/// Against de Vahl Davis (1983), `Resources/devahldavis1983_natural_convection.csv`.
final class NaturalConvectionTests: XCTestCase {
    static let table = "devahldavis1983_natural_convection.csv"

    /// The benchmark's average hot-wall Nusselt number (column `Nu_avg`) at `rayleigh`.
    static func referenceNusselt(_ rayleigh: Double) throws -> Double {
        let column = try XCTUnwrap(Reference.header(table).firstIndex(of: "Nu_avg"), "no Nu_avg column in \(table)")
        let row = try XCTUnwrap(Reference.table(table).first { $0[0] == rayleigh }, "no Ra \(rayleigh) in \(table)")
        return row[column]
    }

    /// The computed hot-wall Nusselt number and the benchmark's.
    func nusselt(n: Int, rayleigh: Double, stretch: Double = 0) throws -> (computed: Double, reference: Double) {
        let ref = try Self.referenceNusselt(rayleigh)
        let fc = NaturalConvection.flowCase(n: n, rayleigh: rayleigh, stretch: stretch)
        var opts = SimpleOptions()
        opts.maxIterations = 20000
        opts.tolerance = 1e-7
        let s = try FlowSolver(fc, options: opts)
        let r = try s.solveSteady()
        let nu = NaturalConvection.hotWallNusselt(s)
        let grid = "\(n)² \(stretch > 0 ? "stretched" : "uniform")"
        let off = String(format: "%+.2f", 100 * (nu / ref - 1))
        print("natural convection Ra \(rayleigh), \(grid): Nu \(nu) vs \(ref) (\(off) %), \(r.iteration) iterations")
        return (nu, ref)
    }

    func testRa1e4() throws {
        let (nu, ref) = try nusselt(n: 64, rayleigh: 1e4)
        XCTAssertEqual(nu, ref, accuracy: 0.015 * ref)
    }
    func testRa1e5() throws {
        let (nu, ref) = try nusselt(n: 64, rayleigh: 1e5)
        XCTAssertEqual(nu, ref, accuracy: 0.015 * ref)
    }
    func testRa1e6() throws {
        let (nu, ref) = try nusselt(n: 128, rayleigh: 1e6)
        XCTAssertEqual(nu, ref, accuracy: 0.03 * ref)
    }
    func testRa1e6Stretched() throws {
        let (nu, ref) = try nusselt(n: 96, rayleigh: 1e6, stretch: 1.5)
        XCTAssertEqual(nu, ref, accuracy: 0.03 * ref)
    }
}
