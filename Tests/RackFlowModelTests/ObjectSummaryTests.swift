import XCTest
import RackFlowTestSupport
import Foundation
import RackFlowModel
import RackFlowPhysics

/// The per-object figures of a generic case (`ObjectSummary`), on the bundled duct: a fan, a
/// perforated sheet, a porous heat sink, a heater, a warm side wall.
final class ObjectSummaryTests: XCTestCase {
    func testExhaustIsMixedCupAndObjectsObeyTheirLaws() throws {
        let c = try CaseFile.load(path: CaseTests.casesDir.appendingPathComponent("duct-with-sheet.yaml").path)
        let run = try SteadyRun.run(c)
        let s = run.summary
        XCTAssertTrue(s.converged)
        let o = try XCTUnwrap(s.objects)
        let fluid = run.solver.flow.fluid
        let b = run.solver.balance()

        // Exhaust: the energy balance's outlet temperature, T_in + (sources + walls) / (ṁ c_p), to
        // 1e-6 K (the balance itself closes to about 1e-7 of 36 W here). A plain mean over the
        // outlet cells misses it by far more.
        let rise = (b.heatSourcesW + b.heatFromWallsW) / (b.massInKgPerS * fluid.specificHeatJPerKgK)
        XCTAssertEqual(s.exhaustC, s.inletC + rise, accuracy: 1e-6)
        let outlet = try XCTUnwrap(c.genericCase.patches.first { $0.patch.name == "out" }?.patch)
        let plainMean = run.solver.temperatureStats(cells: run.solver.cells(along: outlet)).meanC
        XCTAssertGreaterThan(abs(plainMean - s.exhaustC), 1e-3, "plain mean \(plainMean), mixed-cup \(s.exhaustC)")

        // Patches carry the inlet's 1 m/s over 0.2 × 0.05 m in and out. Out of the duct goes what
        // came in, up to the mass imbalance the converged solve leaves (its tolerance, 1e-6 of
        // the inflow); the outlet's figure is the balance's own to round-off.
        let inlet = try XCTUnwrap(o.patches.first { $0.name == "inlet" })
        let out = try XCTUnwrap(o.patches.first { $0.name == "out" })
        XCTAssertEqual(inlet.flowM3PerS, 0.01, accuracy: 1e-12)
        XCTAssertEqual(inlet.temperatureC, 20, accuracy: 1e-12)
        XCTAssertLessThanOrEqual(s.balance.massImbalance, 1e-6)
        let leftOver = 0.01 * s.balance.massImbalance + 1e-14
        XCTAssertEqual(out.flowM3PerS, 0.01, accuracy: leftOver)

        // The fan and the sheet span the duct: all of the flow crosses each.
        let fan = try XCTUnwrap(o.planes.first { $0.name == "fan" })
        let sheet = try XCTUnwrap(o.planes.first { $0.name == "mesh" })
        XCTAssertEqual(fan.flowM3PerS, 0.01, accuracy: 1e-9)
        XCTAssertEqual(sheet.flowM3PerS, 0.01, accuracy: 1e-9)
        // The fan's rise is its curve's at the operating point (50 Pa at 0.01 m³/s), within 2 %.
        let op = try XCTUnwrap(s.fans.first { $0.name == "fan" })
        XCTAssertEqual(-fan.pressureDropPa, op.pressureRisePa, accuracy: 0.02 * op.pressureRisePa)
        XCTAssertGreaterThan(sheet.pressureDropPa, 0)

        // Boxes: the solid carries nothing; the sink and heater take part of the flow, and their
        // air is warmer than the supply.
        let block = try XCTUnwrap(o.boxes.first { $0.name == "block" })
        XCTAssertEqual(block.flowM3PerS, 0)
        XCTAssertTrue(block.meanC.isNaN)
        for name in ["sink", "heater"] {
            let box = try XCTUnwrap(o.boxes.first { $0.name == name })
            XCTAssertGreaterThan(box.flowM3PerS, 1e-4, name)
            XCTAssertLessThan(box.flowM3PerS, 0.01, name)
            XCTAssertGreaterThan(box.meanC, 20.5, name)
            XCTAssertGreaterThanOrEqual(box.maxC, box.meanC, name)
        }
    }

    /// A sheet across a slip-walled duct in uniform flow: its reported drop is ζ ½ ρ v² of the
    /// perforated-plate correlation the case compiles, within 1 %.
    func testSheetDropInUniformFlowIsZetaTimesDynamicPressure() throws {
        let dir = try TemporaryFolder.make("rackflow-sheet")
        defer { TemporaryFolder.remove(dir) }
        let path = dir.appendingPathComponent("sheet.yaml").path
        try """
        name: sheet-in-duct
        domain: {size: [0.5, 0.1, 0.1]}
        grid: {maxSpacing: 0.02}
        physics: {energy: false, gravity: false, turbulence: laminar}
        sides: {south: symmetry, north: symmetry, bottom: symmetry, top: symmetry}
        planes:
          - {name: mesh, axis: x, position: 0.25, kind: sheet, freeArea: 0.5}
        patches:
          - {name: inlet, side: west, kind: velocity, speed: 2.0, temperature: 20}
          - {name: out, side: east, kind: outlet, pressure: 0}
        solver: {tolerance: 1.0e-6}   # continuity to 1e-9 of the flow below, not the default 1e-3
        """.write(toFile: path, atomically: true, encoding: .utf8)
        let c = try CaseFile.load(path: path)
        let run = try SteadyRun.run(c)
        XCTAssertTrue(run.summary.converged)
        let sheet = try XCTUnwrap(run.summary.objects?.planes.first { $0.name == "mesh" })
        guard case let .sheet(zeta)? = c.genericCase.planes.first?.kind else { return XCTFail("not a sheet") }
        let expected = zeta * 0.5 * run.solver.flow.fluid.densityKgPerM3 * 2.0 * 2.0
        XCTAssertEqual(sheet.flowM3PerS, 0.02, accuracy: 1e-9)
        XCTAssertEqual(sheet.pressureDropPa, expected, accuracy: 0.01 * expected)
        print("sheet: drop \(sheet.pressureDropPa) Pa, ζ ½ ρ v² \(expected) Pa")
    }
}
