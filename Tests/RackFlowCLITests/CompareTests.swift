import XCTest
import RackFlowTestSupport
import Foundation
import RackFlowModel
import RackFlowExport

/// `rackflow compare` (issue 5): layouts resolved and refused, derived figures, and one small
/// comparison solved end to end (a 2-node rack at 4 cm, a few iterations: the invariants
/// checked do not need convergence).
final class CompareTests: XCTestCase {
    static let repoRoot = Repository.root
    static let meshes = repoRoot.appendingPathComponent("Meshes").path

    /// A 2-node rack from the real node files; returns its path in a fresh temporary folder.
    static func twoNodeRack(name: String = "two-node", height: Double = 0.400, maxIterations: Int = 25) throws -> String
    {
        let node = meshes + "/nodes/rm44-gb203-3gpu.yaml"
        let yaml = """
            name: \(name)
            rack: {innerSize: [0.600, 1.200, \(height)], units: 8, unitHeight: 0.04445, firstUnitZ: 0.02, frontY: 0.200}
            inlet: {flow: 0.16, temperature: 20}
            exhaust: {pressure: 0}
            nodes:
              - {name: node01, unit: 1, node: \(node)}
              - {name: node02, unit: 5, node: \(node)}
            grid: {maxSpacing: 0.04, maxNeighbourRatio: 2.0, minCellsAcrossPart: 1}
            solver: {maxIterations: \(maxIterations)}
            """
        let dir = Self.scratch.appendingPathComponent(UUID().uuidString)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let path = dir.appendingPathComponent("\(name).yaml").path
        try yaml.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// Every rack file and result of this class lives here and goes when the class is done.
    static let scratch = FileManager.default.temporaryDirectory.appendingPathComponent(
        "rackflow-compare-\(ProcessInfo.processInfo.processIdentifier)")
    override class func tearDown() { try? FileManager.default.removeItem(at: scratch) }

    // MARK: - Layouts

    func testLayoutsOnDifferentGridsAreRefused() throws {
        let rack = try Self.twoNodeRack()
        let ls = try Layouts.resolve([rack, "grid.maxSpacing=0.05"], baseRack: rack, meshes: Self.meshes)
        XCTAssertThrowsError(try Layouts.checkGridSettings(ls)) { e in
            XCTAssertTrue(
                "\(e)".contains("layouts on different grids") && "\(e)".contains("grid.maxSpacing=0.05"), "\(e)")
        }
        let taller = try Self.twoNodeRack(name: "taller", height: 0.45)
        let ls2 = try Layouts.resolve([rack, taller], baseRack: rack, meshes: Self.meshes)
        XCTAssertThrowsError(try Layouts.checkGridSettings(ls2)) { e in
            XCTAssertTrue("\(e)".contains("'taller'"), "\(e)")
        }
        // Layouts that differ only in their parts are accepted (the drop-in node by its bare name).
        let ok = try Layouts.resolve(
            [rack, "gpus=4,nic=none,name=four", "rm44-gb202-3gpu"], baseRack: rack, meshes: Self.meshes)
        XCTAssertNoThrow(try Layouts.checkGridSettings(ok))
        XCTAssertEqual(ok.map(\.name), ["two-node", "four", "rm44-gb202-3gpu"])
    }

    func testBadLayoutsNameTheProblem() throws {
        let rack = try Self.twoNodeRack()
        func message(_ args: [String]) -> String {
            do {
                _ = try Layouts.resolve(args, baseRack: rack, meshes: Self.meshes)
                return ""
            } catch { return "\(error)" }
        }
        XCTAssertTrue(message(["no-such-layout"]).contains("unknown layout 'no-such-layout'"))
        XCTAssertTrue(message(["gpux=4"]).contains("'gpux' is neither a node-type key"))
        XCTAssertTrue(message(["gpu.powerX=5"]).contains("unknown key 'powerX'"))
        XCTAssertTrue(message([rack, rack]).contains("two layouts are named 'two-node'"))
    }

    // MARK: - Figures without a solve

    /// A summary with no solved quantities (node flows, parts): the power and money figures come from the part files
    /// alone.
    static func emptySummary(_ name: String) throws -> SolveSummary {
        let json = """
            {"caseName": "\(name)", "nodes": [], "parts": [], "fans": [], "inletFlowM3PerS": 0.8, "inletC": 20, \
            "exhaustC": 30,
             "plenumPressurePa": 0, "balance": {"massImbalance": 0, "energyError": 0, "massInKgPerS": 0, \
            "heatSourcesW": 0, "heatCarriedOutW": 0},
             "grid": {"cells": 1, "nx": 1, "ny": 1, "nz": 1, "spacingM": [0.01, 0.02], "maxSpacingSettingM": 0.02},
             "iterations": 0, "converged": true, "wallSeconds": 0, "solveSeconds": 0}
            """
        return try JSONDecoder().decode(SolveSummary.self, from: Data(json.utf8))
    }

    func testDerivedPowerMoneyAndTheSeedClaim() throws {
        let rack = Self.meshes + "/racks/refinery-rack.yaml"
        let ls = try Layouts.resolve(
            [rack, Self.meshes + "/nodes/rm44-gb203-4gpu.yaml", "rm44-gb202-3gpu"], baseRack: rack, meshes: Self.meshes)
        let c = Comparison(
            layouts: ls, summaries: try ls.map { try Self.emptySummary($0.name) }, settings: CompareSettings(),
            seedNodes: SeedNodes.load(meshes: Self.meshes))
        let (three, four, five) = (c.layouts[0].figures, c.layouts[1].figures, c.layouts[2].figures)
        // DC load 40 + 8 × 8 + 350 + 3 × 200 + 25 = 1079 W; peak with the CPU at 500 W.
        XCTAssertEqual(three.power.node.dcNominalW, 1079, accuracy: 1e-9)
        XCTAssertEqual(three.power.node.dcPeakW, 1229, accuracy: 1e-9)
        XCTAssertEqual(three.power.node.psuLoadPeakPct, 100 * 1229 / 1600, accuracy: 1e-9)
        XCTAssertEqual(three.power.node.psuHeadroomPeakW, 1600 - 1229, accuracy: 1e-9)
        XCTAssertEqual(three.power.rackWallNominalKW, 10 * 1079 / 0.94 / 1000, accuracy: 1e-9)
        XCTAssertEqual(three.power.roomWallPeakKW, 16 * 10 * 1229 / 0.94 / 1000, accuracy: 1e-9)
        // The 4th card replaces the NIC: (200 − 25) / η more heat per node.
        XCTAssertEqual(four.power.heatPerNodeW - three.power.heatPerNodeW, (200 - 25) / 0.94, accuracy: 1e-9)
        XCTAssertEqual(four.compute.gpusPerRoom, 640)
        XCTAssertEqual(three.compute.gpusPerRoom, 480)
        XCTAssertEqual(three.compute.tflopsPerKUSD, 1000 * 53.8 / 2999, accuracy: 1e-9)
        XCTAssertEqual(five.compute.tflopsPerKUSD, 1000 * 65.0 / 6300, accuracy: 1e-9)
        // The drop-in: 3 × 300 W with the NIC, 1529 W with the CPU at peak: past 90 % of 1600 W.
        XCTAssertEqual(five.power.node.dcPeakW, 1529, accuracy: 1e-9)
        XCTAssertEqual(five.crossings.map(\.kind), Array(repeating: "psu", count: 10))
        XCTAssertTrue(three.crossings.isEmpty && four.crossings.isEmpty)
        // Seed: ~$9,900 per node, over $1.58 M for 480 GPUs.
        let s = try XCTUnwrap(c.seedClaim)
        XCTAssertEqual(s.savingPerNodeUSD, 3 * (6300 - 2999), accuracy: 1e-9)
        XCTAssertEqual(s.savingRoomUSD, 480 * (6300 - 2999), accuracy: 1e-9)
        XCTAssertTrue(s.claimHolds)
        // The verdict names the PSU crossing with the numbers of the table.
        XCTAssertTrue(c.verdict.text.contains("Limits crossed"), c.verdict.text)
        XCTAssertTrue(c.verdict.text.contains(Comparison.format(100 * 1529 / 1600, 1) + " %"), c.verdict.text)
    }

    // MARK: - Solved end to end

    static let solved: Result<(Comparison, URL), Error> = Result {
        let rack = try twoNodeRack()
        let ls = try Layouts.resolve(
            [rack, "gpus=4,nic=none,name=four", "gpus=4,nic=none,gpu.powerW=250,name=four-250"],
            baseRack: rack, meshes: meshes)
        try Layouts.checkGridSettings(ls)
        let runs = try CompareRunner.solve(ls, jobs: 2) // two at once, then the third alone
        let settings = CompareSettings()
        let c = Comparison(
            layouts: ls, summaries: runs.map(\.summary), settings: settings,
            seedNodes: SeedNodes.load(meshes: meshes),
            advice: try LimitAdvice.advise(runs: runs, layouts: ls, withinK: settings.adviceWithinK))
        let dir = URL(fileURLWithPath: rack).deletingLastPathComponent().appendingPathComponent("out")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try CompareWriter.write(c, runs: runs, layouts: ls, to: dir)
        return (c, dir)
    }

    /// `rackflow compare`'s default: the first layout alone, the others from its answer. The
    /// same answers as the side-by-side cold solves (node flows within 0.3 %, parts within
    /// 0.2 K), and a warm layout needs fewer outer iterations than it did from rest.
    func testWarmLayoutsGiveTheColdAnswers() throws {
        let rack = try Self.twoNodeRack()
        let ls = try Layouts.resolve([rack, "gpus=4,nic=none,name=four"], baseRack: rack, meshes: Self.meshes)
        // To convergence: the shared fixture stops its solves early.
        let cold = try CompareRunner.solve(ls, jobs: 2, configure: { $0.maxIterations = 2000 })
        let warm = try CompareRunner.solve(ls, jobs: 2, warm: true, configure: { $0.maxIterations = 2000 })
        XCTAssertNil(warm[0].summary.startedFrom)
        XCTAssertNotNil(warm[1].summary.startedFrom)
        XCTAssertLessThan(warm[1].summary.iterations, cold[1].summary.iterations)
        for (w, c) in zip(warm.map(\.summary), cold.map(\.summary)) {
            XCTAssertTrue(w.converged && c.converged)
            for (a, b) in zip(w.nodes, c.nodes) {
                XCTAssertEqual(a.flowM3PerS, b.flowM3PerS, accuracy: 0.003 * b.flowM3PerS)
            }
            for (a, b) in zip(w.parts, c.parts) {
                XCTAssertEqual(a.temperatureC, b.temperatureC, accuracy: 0.2, a.name)
            }
        }
    }

    func json(_ dir: URL) throws -> [String: Any] {
        let data = try Data(contentsOf: dir.appendingPathComponent("comparison.json"))
        return try XCTUnwrap(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    func testFourGPUNodeHasMoreHeatByTheCardLessTheNIC() throws {
        let (_, dir) = try Self.solved.get()
        let j = try json(dir)
        let eta = 0.94
        let a = try XCTUnwrap(Comparison.value(j, "layouts[0].figures.power.heatPerNodeW"))
        let b = try XCTUnwrap(Comparison.value(j, "layouts[1].figures.power.heatPerNodeW"))
        XCTAssertEqual(b - a, (200 - 25) / eta, accuracy: 1e-9)
        XCTAssertEqual(
            try XCTUnwrap(Comparison.value(j, "pairs[0].differences[1].difference")), (200 - 25) / eta, accuracy: 1e-9)
        // The solver released exactly that heat in every node.
        for i in 0..<2 {
            let pa = try XCTUnwrap(Comparison.value(j, "layouts[0].summary.nodes[\(i)].powerW"))
            let pb = try XCTUnwrap(Comparison.value(j, "layouts[1].summary.nodes[\(i)].powerW"))
            XCTAssertEqual(pb - pa, (200 - 25) / eta, accuracy: 1e-9)
        }
        // All three with the same grid settings; the two 4-GPU layouts (same parts) on the same grid.
        let cap = (0..<3).map { Comparison.value(j, "layouts[\($0)].summary.grid.maxSpacingSettingM") }
        XCTAssertEqual(Set(cap.map { $0 ?? -1 }).count, 1)
        XCTAssertEqual(
            Comparison.value(j, "layouts[1].summary.grid.cells"), Comparison.value(j, "layouts[2].summary.grid.cells"))
    }

    func testVerdictNumbersAreThoseOfComparisonJSON() throws {
        let (_, dir) = try Self.solved.get()
        let j = try json(dir)
        let md = try String(contentsOf: dir.appendingPathComponent("report.md"), encoding: .utf8)
        let lines = md.components(separatedBy: "\n")
        XCTAssertTrue(lines[0].hasPrefix("# RackFlow comparison"))
        XCTAssertEqual(lines[2], "## Recommendation", "the report does not open with the recommendation")
        let verdictLine = try XCTUnwrap(lines.firstIndex(of: "## Verdict"))
        let paragraph = lines[verdictLine + 2]
        let verdict = try XCTUnwrap(j["verdict"] as? [String: Any])
        XCTAssertEqual(paragraph, verdict["text"] as? String)
        // Every number printed (names and parts, in backticks, aside) is one recorded with its key...
        let plain = paragraph.replacingOccurrences(of: "`[^`]*`", with: "", options: .regularExpression)
        let re = try NSRegularExpression(pattern: "-?[0-9]+(\\.[0-9]+)?")
        let printed = re.matches(in: plain, range: NSRange(plain.startIndex..., in: plain)).map {
            String(plain[Range($0.range, in: plain)!])
        }
        let numbers = try XCTUnwrap(verdict["numbers"] as? [[String: Any]])
        XCTAssertEqual(printed, numbers.map { $0["text"] as! String })
        XCTAssertGreaterThan(printed.count, 10)
        // ...and each recorded number is the value at its key in comparison.json, printed at its decimals.
        for n in numbers {
            let key = n["key"] as! String, scale = (n["scale"] as! NSNumber).doubleValue,
                d = (n["decimals"] as! NSNumber).intValue
            let v = try XCTUnwrap(Comparison.value(j, key), key)
            XCTAssertEqual(Comparison.format(v * scale, d), n["text"] as? String, key)
        }
        // The pictures: every layout, the differences, inline in the HTML.
        let slices = try FileManager.default.contentsOfDirectory(atPath: dir.appendingPathComponent("slices").path)
        XCTAssertTrue(slices.contains("temperature-difference-side-to-side-four-minus-two-node.png"), "\(slices)")
        XCTAssertTrue(slices.contains("speed-node-plan-four-250.png"), "\(slices)")
        let html = try String(contentsOf: dir.appendingPathComponent("report.html"), encoding: .utf8)
        XCTAssertTrue(html.contains("<img src=\"data:image/png;base64,"))
    }

    func testChangingAGPUsPowerChangesTheVerdictFigures() throws {
        let (c, _) = try Self.solved.get()
        let (four, hot) = (c.layouts[1].figures, c.layouts[2].figures)
        // 4 cards × 50 W more: DC load, PSU load and heat move by exactly that.
        XCTAssertEqual(hot.power.node.dcPeakW - four.power.node.dcPeakW, 200, accuracy: 1e-9)
        XCTAssertEqual(hot.power.node.psuLoadPeakPct - four.power.node.psuLoadPeakPct, 12.5, accuracy: 1e-9)
        XCTAssertEqual(hot.power.heatPerNodeW - four.power.heatPerNodeW, 200 / 0.94, accuracy: 1e-9)
        let electrical = try XCTUnwrap(c.verdict.axes.first { $0.axis == "Electrical" })
        XCTAssertEqual(electrical.values[2], hot.power.node.psuLoadPeakPct, accuracy: 1e-9)
        XCTAssertTrue(
            c.verdict.text.contains("`four-250` \(Comparison.format(hot.power.node.psuLoadPeakPct, 1)) %"),
            c.verdict.text)
        // 1254 + 200 W = 1454 W nominal: past 90 % of the PSU's 1600 W, and the verdict says so.
        let psu = try XCTUnwrap(hot.crossings.first { $0.kind == "psu" })
        XCTAssertEqual(psu.value, 100 * 1454 / 1600, accuracy: 1e-9)
        XCTAssertTrue(
            c.verdict.text.contains("`four-250`: `node01`'s PSU at \(Comparison.format(psu.value, 1)) %"),
            c.verdict.text)
        XCTAssertFalse(four.crossings.contains { $0.kind == "psu" })
        // Hotter cards: the hottest GPU is hotter and its margin, the thermal axis, smaller.
        let g4 = try XCTUnwrap(four.thermal.hottestGPU), g5 = try XCTUnwrap(hot.thermal.hottestGPU)
        XCTAssertGreaterThan(g5.temperatureC, g4.temperatureC + 1)
        let thermal = try XCTUnwrap(c.verdict.axes.first { $0.axis == "Thermal" })
        XCTAssertEqual(thermal.values[2], g5.marginK, accuracy: 1e-9)
        XCTAssertTrue(c.verdict.text.contains("`four-250` \(Comparison.format(g5.marginK, 1)) K"), c.verdict.text)
    }

    // MARK: - Through the CLI

    func testCLIBadInputsWriteNothing() throws {
        let bin = try CLI.rackflow()
        let rack = try Self.twoNodeRack()
        let work = URL(fileURLWithPath: rack).deletingLastPathComponent()
        let out = work.appendingPathComponent("results/cmp")
        let cases: [([String], String)] = [
            (["no-such-layout"], "unknown layout 'no-such-layout'"),
            (["gpux=4"], "override 'gpux=4' names no key"),
            ([rack, rack], "two layouts are named 'two-node'"),
            ([rack, "grid.maxSpacing=0.05"], "layouts on different grids"),
        ]
        for (args, expected) in cases {
            let p = Process()
            p.executableURL = bin
            p.arguments = ["compare"] + args + ["--base", rack, "--output", out.path, "--quiet"]
            let err = Pipe()
            p.standardError = err
            p.standardOutput = Pipe()
            try p.run()
            let e = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            p.waitUntilExit()
            XCTAssertEqual(p.terminationStatus, 1, "\(args): \(e)")
            XCTAssertTrue(e.contains(expected), "\(args): \(e)")
            XCTAssertEqual(
                e.trimmingCharacters(in: .whitespacesAndNewlines).components(separatedBy: "\n").count, 1,
                "not one line: \(e)")
            XCTAssertFalse(
                FileManager.default.fileExists(atPath: out.deletingLastPathComponent().path),
                "\(args) wrote \(out.deletingLastPathComponent().path)")
        }
    }
}
