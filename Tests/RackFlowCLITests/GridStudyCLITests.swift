import XCTest
import RackFlowTestSupport
import Foundation

/// `rackflow study grid` on the one-node rack at 6 cm: both grids converge, the fine one from
/// the base grid's answer in fewer outer iterations than from rest, to the same node flows; the
/// part nearest its limit and the plenum pressure are judged too.
final class GridStudyCLITests: XCTestCase {
    struct Study: Decodable {
        struct Row: Decodable {
            var quantity: String
            var fine: Double
        }
        var baseConverged: Bool
        var fineConverged: Bool
        var fineIterations: Int
        var fineStartedFrom: String
        var rows: [Row]
    }

    /// A refused option of a nested command: exit 64, its own usage and help hint (the hint read
    /// "rackflow grid --help", and the usage was the top level's).
    func testRefusedOptionNamesTheNestedCommand() throws {
        let bin = try CLI.rackflow()
        let dir = try TemporaryFolder.make("rf-study-option")
        defer { TemporaryFolder.remove(dir) }
        let rack = CLI.repoRoot.appendingPathComponent("Meshes/racks/one-node.yaml").path
        let r = try CLI.runToEnd(bin, ["study", "grid", rack, "--factor", "0.5"], in: dir)
        XCTAssertEqual(r.status, 64, r.stderr)
        for part in ["--factor must be ≥ 1", "Usage: rackflow study grid", "See 'rackflow study grid --help'"] {
            XCTAssertTrue(r.stderr.contains(part), "'\(part)' missing from: \(r.stderr)")
        }
    }

    func testFineGridStartsFromTheBaseAnswer() throws {
        let bin = try CLI.rackflow()
        let dir = try TemporaryFolder.make("rf-study")
        defer { TemporaryFolder.remove(dir) }
        let rack = CLI.repoRoot.appendingPathComponent("Meshes/racks/one-node.yaml").path
        var studies: [Study] = []
        for cold in [false, true] {
            let out = dir.appendingPathComponent(cold ? "cold" : "warm")
            let r = try CLI.runToEnd(
                bin,
                ["study", "grid", rack, "--max-spacing", "0.06", "--output", out.path]
                    + (cold ? ["--cold"] : []), in: dir)
            XCTAssertEqual(r.status, 0, r.stderr)
            let data = try Data(contentsOf: out.appendingPathComponent("grid-study.json"))
            studies.append(try JSONDecoder().decode(Study.self, from: data))
        }
        let (warm, cold) = (studies[0], studies[1])
        XCTAssertTrue(warm.baseConverged && warm.fineConverged && cold.fineConverged)
        XCTAssertEqual(warm.fineStartedFrom, "base grid (interpolated)")
        XCTAssertEqual(cold.fineStartedFrom, "rest")
        XCTAssertLessThan(warm.fineIterations, cold.fineIterations)
        // Judged besides the flows and the hottest GPU: the part nearest its limit (its verdict can
        // flip with the grid), and the plenum pressure.
        let judged = warm.rows.map(\.quantity)
        XCTAssertTrue(judged.contains { $0.hasPrefix("least margin node01/") }, "\(judged)")
        XCTAssertTrue(judged.contains("least margin anywhere (K)"), "\(judged)")
        XCTAssertTrue(judged.contains("plenum pressure (Pa)"), "\(judged)")
        for (w, c) in zip(warm.rows, cold.rows) where w.quantity.hasSuffix("flow (m³/s)") {
            XCTAssertEqual(w.fine, c.fine, accuracy: 0.003 * abs(c.fine), w.quantity)
        }
    }
}
