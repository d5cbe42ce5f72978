import XCTest
import RackFlowTestSupport
import Foundation
@testable import RackFlowModel
@testable import RackFlowFuzz
import RackFlowPhysics

/// Unseen cases (`rackflow unseen`): generated generic cases nobody tuned the solver for.
final class UnseenCaseTests: XCTestCase {
    static let ciCells = 2_000...8_000

    /// What the 50 cases of the first test must show between them, so that the family does not
    /// quietly shrink to easy cases.
    static let features = [
        "kind: solid", "kind: porous", "kind: heat", "kind: wall", "kind: sheet", "kind: fan",
        "curve: {flow:", "curve: {maxPressure:", "kind: velocity", "kind: flow", "inlet2", "outlet2",
        "turbulence: laminar", "mixingLength", "gravity: true", "energy: false",
    ]

    /// The same seed gives the same text; 50 cases (25 in the default range, 25 in the CI
    /// range) read back through the users' parser, compile, have their cell count in range and
    /// pass the sanity checks (inflow, mean rise, fans, connectivity).
    func testGeneratorIsDeterministicAndEveryCaseCompilesInRange() throws {
        let t0 = Date()
        var seen = Set<String>()
        let runs = [(UnseenCaseGenerator.defaultCellRange, UInt64(1)...25), (Self.ciCells, UInt64(101)...125)]
        for (range, seeds) in runs {
            let generator = UnseenCaseGenerator(cellRange: range)
            var draws: [Int] = []
            for seed in seeds {
                let c = try generator.generate(seed: seed)
                XCTAssertEqual(c.yaml, try generator.generate(seed: seed).yaml, "seed \(seed) is not deterministic")
                XCTAssertFalse(c.yaml.contains("solver:"), "seed \(seed): an unseen case runs on the defaults")
                let gc = try GenericCase.parse(yaml: c.yaml, file: "\(c.name).yaml")
                let (flow, _, report) = try gc.compile()
                XCTAssertEqual(flow.grid.cellCount, c.cells)
                XCTAssertTrue(range.contains(c.cells), "seed \(seed): \(c.cells) cells, outside \(range)")
                XCTAssertNoThrow(try UnseenCaseCheck.check(gc, flow, report, cells: range), "seed \(seed)")
                seen.formUnion(Self.features.filter { c.yaml.contains($0) })
                draws.append(c.attempts)
            }
            XCTAssertNotEqual(try generator.generate(seed: 7).yaml, try generator.generate(seed: 8).yaml)
            print("unseen \(range): draws per case \(draws)")
        }
        XCTAssertEqual(Set(Self.features).subtracting(seen), [], "features no case has")
        print(
            String(
                format: "unseen generator: 50 cases generated twice and compiled in %.1f s",
                Date().timeIntervalSince(t0)))
    }

    /// 20 small cases (2,000–8,000 cells, seeds 1001–1020) solved with the default settings:
    /// each converges or, where the steady iteration stalls under its strongest damping, ends
    /// with a time-averaged answer; none diverges, fails or ends merely not converged (today 17
    /// converge and 3 end time-averaged; seed 1002's residuals used to stall below the
    /// no-steady-state thresholds and run to the iteration limit).
    func testSmallCasesSolveWithDefaults() throws {
        let folder = TemporaryFolder.unique("rackflow-unseen")
        defer { TemporaryFolder.remove(folder) }
        let runner = UnseenRunner(generator: UnseenCaseGenerator(cellRange: Self.ciCells))
        runner.onResult = { r in
            print(
                "unseen seed \(r.seed): \(r.cells ?? 0) cells, \(r.outcome.rawValue) after \(r.iterations ?? 0) "
                    + String(format: "iterations, %.2f s", r.wallSeconds) + ", adaptations \(r.adaptations)"
                    + (r.error.map { ": \($0)" } ?? ""))
        }
        let t0 = Date()
        let results = try runner.run(seeds: Array(1001...1020), casesFolder: folder)
        let settings = UnseenReport.Settings(
            count: 20, firstSeed: 1001, minCells: Self.ciCells.lowerBound,
            maxCells: Self.ciCells.upperBound, jobs: 1)
        let report = UnseenReport(settings: settings, results: results, wallSeconds: Date().timeIntervalSince(t0))
        for line in report.lines() { print(line) }
        for r in results {
            XCTAssertTrue(
                r.outcome == .converged || r.outcome == .timeAveraged,
                "seed \(r.seed): \(r.outcome.rawValue)" + (r.error.map { ": \($0)" } ?? ""))
            // A time average conserves heat over its window once the heat its air stored there
            // is counted (TimeAverage.MeanBalance.heatStoredW), as a steady answer does to 0.5 %.
            if r.outcome == .timeAveraged, let e = r.energyError {
                XCTAssertLessThan(e, 0.005, "seed \(r.seed): energy error over the window")
            }
        }
        let settled = results.filter { $0.outcome == .converged || $0.outcome == .timeAveraged }.count
        print("unseen: \(settled) of \(results.count) converged or time-averaged")
    }
}
