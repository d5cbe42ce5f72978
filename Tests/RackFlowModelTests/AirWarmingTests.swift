import XCTest
import RackFlowTestSupport
import Foundation
@testable import RackFlowModel
import RackFlowPhysics

/// The time average's correction of the air's slow heat mode (Results/AirWarming.swift), on a
/// box whose air is renewed slowly: 2 L/s through 0.25 m³ (V / Q = 125 s) against a
/// transit time of 5 s (the inlet's 0.2 m/s across the 1 m box).
final class AirWarmingTests: XCTestCase {
    static let slowBox = """
        name: slow-box
        domain: {size: [1.0, 0.5, 0.5]}
        grid: {maxSpacing: 0.05}
        physics: {energy: true, turbulence: {mixingLength: {delta: 0.25}}, initialTemperature: 20}
        boxes:
          - {name: heater, lo: [0.45, 0.0, 0.2], hi: [0.55, 0.1, 0.3], kind: heat, powerW: 50}
        patches:
          - {name: in, side: west, lo: [0.2, 0.2], hi: [0.3, 0.3], kind: flow, flow: 0.002, temperature: 20}
          - {name: out, side: east, lo: [0.2, 0.2], hi: [0.3, 0.3], kind: outlet, pressure: 0}

        """

    func converged() throws -> FlowSolver {
        let dir = try TemporaryFolder.make("rackflow-air-warming")
        defer { TemporaryFolder.remove(dir) }
        let url = dir.appendingPathComponent("slow-box.yaml")
        try Self.slowBox.write(to: url, atomically: true, encoding: .utf8)
        let run = try SteadyRun.run(try CaseFile.load(path: url.path))
        XCTAssertTrue(run.summary.converged)
        return run.solver
    }

    /// G is the enthalpy the outflow carries per kelvin (exactly ṁ c_p: the outflowing faces
    /// carry their cells' temperature) plus the conduction lost through the inlet, and a uniform
    /// shift moves the air's mean temperature by exactly the shift.
    func testBulkConductanceIsTheOutflowsHeatCapacityRatePlusConduction() throws {
        let solver = try converged()
        let b0 = solver.balance()
        let mcp = b0.massOutKgPerS * solver.flow.fluid.specificHeatJPerKgK
        let before = solver.airMeanTemperatureC
        solver.warmAir(byK: 1, oldLevels: false)
        let b1 = solver.balance()
        XCTAssertEqual(solver.airMeanTemperatureC - before, 1, accuracy: 1e-9)
        solver.warmAir(byK: -1, oldLevels: false)
        XCTAssertEqual(b1.heatAdvectedOutW - b0.heatAdvectedOutW, mcp, accuracy: 1e-9 * mcp)
        let conduction = b0.heatFromWallsW - b1.heatFromWallsW
        XCTAssertGreaterThan(conduction, 0, "the inlet passes more heat back as the air warms")
        let g = solver.bulkConductanceWPerK()
        XCTAssertEqual(g, mcp + conduction, accuracy: 1e-9 * mcp)
        XCTAssertEqual(solver.airHeatCapacityJPerK / mcp, 125, accuracy: 10, "V/Q of the box")
    }

    /// The converged air cooled by 5 K everywhere is 5 K × C of heat short. Stepped in time, it
    /// would take V / Q = 125 s (25 transit times) to get it back, and the window's mean balance
    /// would miss part of it. The spin-up's correction puts it back
    /// (the shifts sum to the 5 K within 10 %), and the window's balance closes to 1 % with the air
    /// storing less than 1 % of the heat over it.
    func testSpinUpPutsBackTheHeatTheAirIsShort() throws {
        let solver = try converged()
        let steady = solver.airMeanTemperatureC
        solver.warmAir(byK: -5, oldLevels: false)
        let ta = try TimeAverage.run(solver, watch: [], log: { _ in })
        let warming = try XCTUnwrap(ta.airWarming)
        XCTAssertGreaterThan(warming.relaxationS, 10 * (try XCTUnwrap(ta.transitS)))
        XCTAssertEqual(warming.shiftsK.reduce(0, +), 5, accuracy: 0.5)
        let balance = try XCTUnwrap(ta.meanBalance)
        XCTAssertLessThan(balance.relativeEnergyError(specificHeatJPerKgK: solver.flow.fluid.specificHeatJPerKgK), 0.01)
        // The air no longer warms over the window: what it stores is under 1 % of the heat.
        XCTAssertLessThan(abs(try XCTUnwrap(balance.heatStoredW)), 0.01 * balance.heatSourcesW)
        XCTAssertEqual(solver.airMeanTemperatureC, steady, accuracy: 0.2)
    }
}
