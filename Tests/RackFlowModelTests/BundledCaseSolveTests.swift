import XCTest
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
            print("\(file): \(s.iterations) outer iterations, \(String(format: "%.2f", s.solveSeconds)) s, "
                  + "adaptations: \(run.solver.pseudo.adaptations)")
        }
    }
}
