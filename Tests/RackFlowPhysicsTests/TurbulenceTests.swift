import XCTest
import RackFlowNumerics
import RackFlowPhysics

final class TurbulenceTests: XCTestCase {
    /// The channel (air at 2 m/s between walls 0.1 m apart, 1 m long) solved with `model`, and
    /// its pressure drop from x = 0.5 to 0.9 m (Pa).
    static func channel(_ model: TurbulenceModel) throws -> (FlowSolver, Double) {
        var fc = FlowCase(
            grid: Grid(x: .uniform(60, to: 1.0), y: .clustered(24, to: 0.1, strength: 1.2), z: .uniform(1, to: 0.01)))
        fc.sides[.bottom] = .symmetry
        fc.sides[.top] = .symmetry
        fc.turbulence = model
        fc.patches = [
            .whole("in", .west, .velocityInlet(speedMPerS: 2, temperatureC: 20)),
            .whole("out", .east, .pressureOutlet(pressurePa: 0, backflowTemperatureC: 20)),
        ]
        var o = SimpleOptions()
        o.maxIterations = 20000
        o.tolerance = 1e-6
        let s = try FlowSolver(fc, options: o)
        try s.solveSteady()
        let g = fc.grid
        let i1 = g.x.cell(containing: 0.5), i2 = g.x.cell(containing: 0.9)
        let dp =
            s.meanPressure(cells: (0..<g.ny).map { g.index(i1, $0, 0) })
            - s.meanPressure(cells: (0..<g.ny).map { g.index(i2, $0, 0) })
        return (s, dp)
    }

    /// A channel at Re ≈ 13,000 (U = 2 m/s, h = 0.1 m, air): the mixing-length model must
    /// converge, produce an eddy viscosity far above μ in the core, raise the pressure drop
    /// above the laminar one, and give a turbulence intensity of a few percent.
    func testMixingLengthChannel() throws {
        let (turbulent, dpT) = try Self.channel(.mixingLength(deltaM: 0.05))
        let (_, dpL) = try Self.channel(.laminar)
        let (_, intensity) = turbulent.turbulence()
        let core = turbulent.flow.grid.index(45, 12, 0)
        print(
            "mixing-length channel: Δp turbulent \(dpT) Pa vs laminar \(dpL) Pa; wall distance at the core "
                + "\(turbulent.wallDistance[core]) m; intensity at the core \(intensity[core])"
        )
        XCTAssertGreaterThan(dpT, 1.5 * dpL)
        XCTAssertEqual(turbulent.wallDistance[core], 0.05, accuracy: 0.005)
        XCTAssertGreaterThan(intensity.max()!, 0.01)
        XCTAssertTrue(intensity.allSatisfy { $0.isFinite && $0 >= 0 })
    }
}
