import XCTest
import RackFlowTestSupport
import Foundation

/// `rackflow solve` writes its estimates beside what the run measured, in log.txt, so that the
/// constants can be checked: the one-node rack's memory estimate is within 25 % of the
/// process's peak resident memory (measured 164 MiB estimated, 160–163 MiB peak), and every
/// estimate line names both figures.
final class EstimateLogTests: XCTestCase {
    func testSolveLogSetsEstimatesAgainstMeasurements() throws {
        let bin = try CLI.rackflow()
        let dir = try TemporaryFolder.make("rackflow-estimate")
        defer { TemporaryFolder.remove(dir) }
        let out = dir.appendingPathComponent("one-node")
        let rack = CLI.repoRoot.appendingPathComponent("Meshes/racks/one-node.yaml").path
        let r = try CLI.runToEnd(bin, ["solve", rack, "--output", out.path, "--quiet"], in: dir)
        XCTAssertEqual(r.status, 0, r.stderr)
        let log = try String(contentsOf: out.appendingPathComponent("log.txt"), encoding: .utf8)
        for what in ["time per outer iteration", "outer iterations", "memory"] {
            XCTAssertTrue(log.contains("\(what): estimated "), "no '\(what)' check in log.txt:\n\(log)")
        }
        let line = try XCTUnwrap(log.split(separator: "\n").first { $0.hasPrefix("memory: estimated") })
        let mib = line.split(separator: " ").enumerated().compactMap { i, word -> Double? in
            i > 0 && word.hasPrefix("MiB") ? Double(line.split(separator: " ")[i - 1]) : nil
        }
        XCTAssertEqual(mib.count, 2, String(line))
        XCTAssertEqual(mib[0] / mib[1], 1, accuracy: 0.25, "estimate against peak: \(line)")
    }
}
