import XCTest
import RackFlowTestSupport
import Foundation

/// `rackflow response` and `rackflow sweep` from the command line, on the one-node rack at
/// 6 cm: the model folder, every point in the CSV, the report's sections, the margin map, and
/// clear refusals.
final class SweepCLITests: XCTestCase {
    func testResponseThenSweepWriteTheirFiles() throws {
        let bin = try CLI.rackflow()
        let dir = try TemporaryFolder.make("rf-sweep")
        defer { TemporaryFolder.remove(dir) }
        let rack = CLI.repoRoot.appendingPathComponent("Meshes/racks/one-node.yaml").path
        let model = dir.appendingPathComponent("model"), sweep = dir.appendingPathComponent("sweep")
        let built = try CLI.runToEnd(
            bin,
            [
                "response", rack, "--max-spacing", "0.06", "--output", model.path,
                "--quiet",
            ], in: dir)
        XCTAssertEqual(built.status, 0, built.stderr)
        for f in ["response.json", "response.bin", "report.md", "log.txt", "state/checkpoint.json"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: model.appendingPathComponent(f).path), f)
        }
        let swept = try CLI.runToEnd(
            bin,
            [
                "sweep", rack, "--max-spacing", "0.06", "--model", model.path,
                "--output", sweep.path, "--vary", "gpu=150:250:5", "--vary",
                "node01/cpu=300:400:3", "--no-check", "--quiet",
            ], in: dir)
        XCTAssertEqual(swept.status, 0, swept.stderr)
        let csv = try String(contentsOf: sweep.appendingPathComponent("sweep.csv"), encoding: .utf8)
        let lines = csv.split(separator: "\n")
        XCTAssertEqual(lines.count, 1 + 15)
        XCTAssertTrue(lines[0].hasPrefix("gpuPowerW,node01/cpuPowerW,hottestPart"), String(lines[0]))
        let md = try String(contentsOf: sweep.appendingPathComponent("report.md"), encoding: .utf8)
        for s in ["Largest power per key", "Corners and centre", "margin-map.png", "Not checked (--no-check)"] {
            XCTAssertTrue(md.contains(s), s)
        }
        let png = try Data(contentsOf: sweep.appendingPathComponent("margin-map.png"))
        XCTAssertEqual(Array(png.prefix(4)), [0x89, 0x50, 0x4E, 0x47])
        XCTAssertTrue(FileManager.default.fileExists(atPath: sweep.appendingPathComponent("report.html").path))

        // A key that selects nothing, and a generic case: clear messages, no folder.
        let bad = dir.appendingPathComponent("bad")
        let wrongKey = try CLI.runToEnd(
            bin,
            [
                "sweep", rack, "--max-spacing", "0.06", "--model", model.path,
                "--output", bad.path, "--vary", "node07/gpu=1:2:2", "--quiet",
            ], in: dir)
        XCTAssertEqual(wrongKey.status, 64, "a bad option exits 64, as every command's do")
        XCTAssertTrue(
            wrongKey.stderr.contains("--vary node07/gpu=1:2:2") && wrongKey.stderr.contains("no node node07"),
            wrongKey.stderr)
        let duct = CLI.repoRoot.appendingPathComponent("Meshes/cases/duct-with-sheet.yaml").path
        let generic = try CLI.runToEnd(
            bin, ["sweep", duct, "--output", bad.path, "--vary", "gpu=1:2:2", "--quiet"],
            in: dir)
        XCTAssertNotEqual(generic.status, 0)
        XCTAssertTrue(
            generic.stderr.contains("duct-with-sheet.yaml") && generic.stderr.contains("not a rack"),
            generic.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: bad.path))
    }
}
