import XCTest
import RackFlowTestSupport
import Foundation
import RackFlowModel
import RackFlowExport

/// `report.html` is one self-contained page: the report's tables and every picture inline.
final class ReportHTMLTests: XCTestCase {
    func testSolveWritesASelfContainedReportHTML() throws {
        let dir = TemporaryFolder.unique("rackflow-html")
        defer { TemporaryFolder.remove(dir) }
        var c = try CaseFile.load(path: DeterminismTests.rack)
        c.genericCase.options.maxIterations = 20
        var log = DeterminismTests.Log()
        let run = try SteadyRun.run(c, log: { log.say($0) })
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try ResultWriter.write(
            summary: run.summary, solver: run.solver, genericCase: run.genericCase, layout: c.layout,
            report: run.report, source: c.path, to: dir, vtiSpacingM: 0.02, log: &log)
        let md = try String(contentsOf: dir.appendingPathComponent("report.md"), encoding: .utf8)
        let html = try String(contentsOf: dir.appendingPathComponent("report.html"), encoding: .utf8)
        // As many inline PNGs as the Markdown has pictures, each decoding to a PNG signature.
        let pictures = md.components(separatedBy: "\n").filter { $0.hasPrefix("![") }.count
        XCTAssertGreaterThan(pictures, 0)
        let parts = html.components(separatedBy: "data:image/png;base64,").dropFirst()
        XCTAssertEqual(parts.count, pictures)
        for p in parts {
            let b64 = String(p.prefix { $0 != "\"" })
            let png = try XCTUnwrap(Data(base64Encoded: b64))
            XCTAssertEqual([UInt8](png.prefix(4)), [0x89, 0x50, 0x4E, 0x47])
        }
        // No reference to a file beside it, and the node table made it across.
        XCTAssertFalse(html.contains("src=\"slices/"))
        XCTAssertTrue(html.contains("<th>node</th>"))
        XCTAssertTrue(html.contains("<td>node01</td>"))
    }
}
