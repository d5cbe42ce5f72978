import XCTest
import RackFlowNumerics
@testable import RackFlowPhysics

/// The speeds a time average sizes its step and flow-through time on (Transient/FlowSpeeds.swift),
/// and the variable-step BDF2 that a changed step takes (Transient/TimeStepper.swift).
final class FlowSpeedsTests: XCTestCase {
    /// Cells 0.1, 0.05, 0.15 and 0.1 m along x, 0.1 m across: with u = 1 m/s on every x face the
    /// Courant rate is 1 / 0.05 m; a cell with v rising to 2 m/s across it adds 2 / 0.1 m to its
    /// 1 / 0.1 m, and leaves the rate once it is solid. The rms speed weights cells by volume.
    func testCourantRateAndRmsSpeedOfAKnownField() throws {
        let x = Axis(faces: [0, 0.1, 0.15, 0.3, 0.4])
        let grid = Grid(x: x, y: .uniform(2, to: 0.2), z: .uniform(2, to: 0.2))
        func solver(solid: Bool) throws -> FlowSolver {
            var fc = FlowCase(grid: grid)
            if solid { fc.tags.cells[grid.index(3, 1, 0)] = .solid }
            let s = try FlowSolver(fc)
            for f in 0..<s.velocity[0].count { s.velocity[0][f] = 1 }
            // v on the faces of cell (3, 1, 0): 0 below, 2 m/s above (the y boundary face).
            s.velocity[1][3 + 4 * (2 + 3 * 0)] = 2
            return s
        }
        let fluid = try solver(solid: false)
        XCTAssertEqual(fluid.courantRatePerS(), 1 / 0.1 + 2 / 0.1, accuracy: 1e-12)
        // Every cell moves at 1 m/s but (3, 1, 0), at √(1² + 1²): its v is the mean of 0 and 2.
        let volumes = (0..<4).map { x.widths[$0] * 0.1 * 0.1 }
        let total = 4 * volumes.reduce(0, +)
        let rms = ((total + volumes[3]) / total).squareRoot()
        XCTAssertEqual(fluid.rmsSpeedMPerS(), rms, accuracy: 1e-12)

        let walled = try solver(solid: true)
        XCTAssertEqual(walled.courantRatePerS(), 1 / 0.05, accuracy: 1e-12)
        XCTAssertEqual(walled.rmsSpeedMPerS(), 1, accuracy: 1e-12)
    }

    /// A closed, insulated, still box heated uniformly warms linearly, T = T₀ + Q t / (ρ c_p V),
    /// which BDF2 integrates exactly at any steps when its weights follow the step's changes.
    /// With the fixed-step weights, a step three times the last would read the warming rate as
    /// (3 − 1/3)/2 of the true one.
    func testBDF2StaysExactWhenTheStepChanges() throws {
        let grid = Grid(x: .uniform(3, to: 0.3), y: .uniform(3, to: 0.3), z: .uniform(3, to: 0.3))
        var fc = FlowCase(grid: grid)
        fc.solveEnergy = true
        fc.initialTemperatureC = 20
        fc.heatW = [Double](repeating: 1, count: grid.cellCount)
        let solver = try FlowSolver(fc)
        var options = TimeStepOptions()
        options.tolerance = 1e-10
        options.maxOuter = 30
        let stepper = TimeStepper(solver, options: options)
        let capacity = fc.fluid.densityKgPerM3 * fc.fluid.specificHeatJPerKgK * 0.1 * 0.1 * 0.1
        for dt in [1.0, 1.0, 3.0, 0.5, 2.0] {
            try stepper.advance(dt: dt)
            let exact = 20 + stepper.time / capacity
            let mean = solver.temperatureStats(cells: Array(0..<grid.cellCount)).meanC
            XCTAssertEqual(mean, exact, accuracy: 1e-8 * exact, "after \(stepper.steps) steps, t = \(stepper.time) s")
        }
        // A restarted history: no old level left, so the next step is backward Euler.
        XCTAssertEqual(solver.oldTemperature.count, 2)
        stepper.restartHistory()
        XCTAssertTrue(solver.oldTemperature.isEmpty && solver.oldVelocity.isEmpty)
        XCTAssertNil(stepper.lastStepS)
        try stepper.advance(dt: 4)
        let exact = 20 + stepper.time / capacity
        XCTAssertEqual(solver.temperatureStats(cells: Array(0..<grid.cellCount)).meanC, exact, accuracy: 1e-8 * exact)
    }
}
