import XCTest
import RackFlowTestSupport
import Foundation
import RackFlowNumerics
import RackFlowPhysics
import RackFlowModel
import RackFlowExport

/// The same inputs give the same bytes: a small solve (one-node rack, 30 outer iterations)
/// written twice, every output file compared by SHA-256. Wall-clock figures are the only
/// content allowed to differ and are removed explicitly before hashing: the `wallSeconds` and
/// `solveSeconds` keys of summary.json, and in report.md and log.txt every "N s" figure, the
/// "time per phase" line (its order follows the timings) and the date the solve ran
/// (report.md: "solved 2026-11-29T16:56:27Z"; the first run of this test caught it).
final class DeterminismTests: XCTestCase {
    static let rack = Repository.root.appendingPathComponent("Meshes/racks/one-node.yaml").path

    struct Log: TextOutputStreamLike {
        var text = ""
        mutating func say(_ s: String) { text += s + "\n" }
    }

    func solve(into dir: URL) throws {
        var c = try CaseFile.load(path: Self.rack)
        c.genericCase.options.maxIterations = 30
        var log = Log()
        let run = try SteadyRun.run(c, log: { log.say($0) })
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        var summary = run.summary
        summary.wallSeconds = Double.random(in: 1...100) // as a real run's: must not matter
        try ResultWriter.write(
            summary: summary, solver: run.solver, genericCase: run.genericCase, layout: c.layout, report: run.report,
            source: c.path, to: dir, vtiSpacingM: 0.02, log: &log)
        try ResultWriter.writeSummary(summary, to: dir)
        try AtomicFile.write(log.text, to: dir.appendingPathComponent("log.txt"))
    }

    /// The bytes compared: timing removed as documented above.
    static func comparable(_ name: String, _ data: Data) throws -> Data {
        switch name {
        case "summary.json":
            var obj = try XCTUnwrap(try JSONSerialization.jsonObject(with: data) as? [String: Any])
            XCTAssertNotNil(obj["wallSeconds"])
            XCTAssertNotNil(obj["solveSeconds"])
            obj["wallSeconds"] = nil
            obj["solveSeconds"] = nil
            return try JSONSerialization.data(withJSONObject: obj, options: [.sortedKeys])
        case "report.md", "report.html", "log.txt":
            let text = String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
                .filter { !$0.hasPrefix("time per phase:") }.joined(separator: "\n")
            let masked = text.replacingOccurrences(
                of: #"[0-9]+(\.[0-9]+)? s\b"#, with: "_ s", options: .regularExpression
            )
            .replacingOccurrences(
                of: #"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z"#, with: "<date>",
                options: .regularExpression)
            return Data(masked.utf8)
        default:
            return data
        }
    }

    func hashes(_ dir: URL) throws -> [String: String] {
        var out: [String: String] = [:]
        let e = FileManager.default.enumerator(at: dir, includingPropertiesForKeys: [.isRegularFileKey])!
        for case let url as URL in e where (try url.resourceValues(forKeys: [.isRegularFileKey])).isRegularFile == true
        {
            let rel = String(url.path.dropFirst(dir.path.count + 1))
            out[rel] = SHA256.hex(try Self.comparable(url.lastPathComponent, Data(contentsOf: url)))
        }
        return out
    }

    func testSolveTwiceSameBytes() throws {
        let dir = TemporaryFolder.unique("determinism")
        defer { TemporaryFolder.remove(dir) }
        try solve(into: dir.appendingPathComponent("a"))
        try solve(into: dir.appendingPathComponent("b"))
        let a = try hashes(dir.appendingPathComponent("a")), b = try hashes(dir.appendingPathComponent("b"))
        print("determinism: \(a.count) files: \(a.keys.sorted().joined(separator: ", "))")
        XCTAssertGreaterThanOrEqual(a.count, 6)
        XCTAssertEqual(Set(a.keys), Set(b.keys))
        for (f, h) in a.sorted(by: { $0.key < $1.key }) {
            XCTAssertEqual(h, b[f], "\(f) differs between two identical runs")
        }
        // The masking is not hiding everything: the fields themselves are compared raw.
        XCTAssertEqual(
            try Data(contentsOf: dir.appendingPathComponent("a/fields.vtr")),
            try Data(contentsOf: dir.appendingPathComponent("b/fields.vtr")))
    }
}
