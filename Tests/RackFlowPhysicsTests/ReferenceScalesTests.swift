import XCTest
import RackFlowNumerics
@testable import RackFlowPhysics

final class ReferenceScalesTests: XCTestCase {
    /// A heated box with nothing blowing air in and every imposed temperature equal (a closed
    /// box under a lid at the initial temperature): the scales are natural convection's,
    /// ΔT = (Q / (ρ c_p A))^⅔ / (g β L)^⅓ and U = √(g β ΔT L), not the 1 mK floor. With the floor,
    /// a vented box heated by 15 W had a speed scale of 3 mm/s and diverged at outer iteration 128.
    func testHeatedBoxWithoutInflowHasBuoyantScales() throws {
        let grid = Grid(x: .uniform(6, to: 0.3), y: .uniform(6, to: 0.3), z: .uniform(6, to: 0.3))
        var fc = FlowCase(grid: grid)
        for side in Side.allCases { fc.sides[side] = .wall() }
        fc.sides[.top] = .wall(thermal: .temperatureC(25))
        fc.initialTemperatureC = 25
        fc.gravity = true
        fc.solveEnergy = true
        fc.heatW = [Double](repeating: 0, count: grid.cellCount)
        fc.heatW[grid.index(2, 2, 1)] = 20
        let s = try FlowSolver(fc)
        let rhoCp = fc.fluid.densityKgPerM3 * fc.fluid.specificHeatJPerKgK
        let gBetaL = PhysicalConstants.standardGravityMPerS2 * fc.fluid.expansionPerK * 0.3
        let rise = pow(20 / (rhoCp * 0.09), 2.0 / 3.0) / cbrt(gBetaL)
        XCTAssertEqual(rise, 1.5, accuracy: 0.1, "the closed form's value for this box")
        XCTAssertEqual(s.referenceTemperatureDifference, rise, accuracy: 1e-12 * rise)
        XCTAssertEqual(s.speedScaleMPerS, (gBetaL * rise).squareRoot(), accuracy: 1e-12)

        // Without buoyancy nothing carries the heat at a known speed: the floor stays.
        fc.gravity = false
        XCTAssertEqual(try FlowSolver(fc).referenceTemperatureDifference, 1e-3)
    }
}
