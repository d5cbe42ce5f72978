import XCTest
import RackFlowTestSupport
import Foundation
import RackFlowModel
import RackFlowPhysics

/// Every bundled generic case under Meshes/cases/ solves to convergence with the settings it
/// ships (most ship none): a user's first run must not diverge. The duct example and the plain
/// heated channel both diverged at outer iteration 2 before the energy and momentum rows were
/// assembled in advective form, and the duct stalled in a limit cycle without pseudo-time.
final class BundledCaseSolveTests: XCTestCase {
    func testEveryBundledCaseConvergesWithItsOwnSettings() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: CaseTests.casesDir.path)
            .filter { $0.hasSuffix(".yaml") }.sorted()
        XCTAssertGreaterThanOrEqual(files.count, 2)
        for file in files {
            let c = try CaseFile.load(path: CaseTests.casesDir.appendingPathComponent(file).path)
            let run = try SteadyRun.run(c)
            let s = run.summary
            XCTAssertTrue(s.converged, "\(file): not converged in \(s.iterations) iterations")
            XCTAssertLessThan(s.balance.massImbalance, 1e-6, file)
            XCTAssertLessThan(s.balance.energyError, 0.005, file)
            print(
                "\(file): \(s.iterations) outer iterations, \(String(format: "%.2f", s.solveSeconds)) s, "
                    + "adaptations: \(run.solver.pseudo.adaptations)")
        }
    }
}

/// A case with the energy equation on and no heat anywhere (a generated case: a solid block in
/// a 0.42 m/s draught). Its energy balance is judged against the enthalpy of a 1 mK rise of the
/// through-flow; over the zero heat input it read 2,300 and the solve ran to its iteration
/// limit with residuals at 1e-14.
final class UnheatedCaseTests: XCTestCase {
    func testEnergyOnWithoutHeatConverges() throws {
        let dir = try TemporaryFolder.make("rackflow-unheated")
        defer { TemporaryFolder.remove(dir) }
        let path = dir.appendingPathComponent("unheated.yaml").path
        try """
        name: unheated
        domain: {size: [0.4, 0.1, 0.8]}
        grid: {maxSpacing: 0.025}
        physics: {energy: true, gravity: true, initialTemperature: 23.7}
        boxes:
          - {name: block, lo: [0.14, 0.03, 0.2], hi: [0.32, 0.07, 0.35], kind: solid}
        patches:
          - {name: inlet, side: south, kind: velocity, speed: 0.42, temperature: 23.7}
          - {name: outlet, side: top, lo: [0.1, 0.02], hi: [0.32, 0.06], kind: outlet, pressure: 0}
        """.write(toFile: path, atomically: true, encoding: .utf8)
        let run = try SteadyRun.run(try CaseFile.load(path: path))
        let s = run.summary
        XCTAssertTrue(s.converged, "not converged in \(s.iterations) iterations")
        XCTAssertLessThan(s.iterations, 1000)
        // The criterion the solve is held to (SteadyRun.balancesHold): 0.005 of the 1 mK rise.
        XCTAssertLessThanOrEqual(s.balance.energyError, 0.005)
        print("unheated case: \(s.iterations) outer iterations, energy error \(s.balance.energyError)")
    }
}
