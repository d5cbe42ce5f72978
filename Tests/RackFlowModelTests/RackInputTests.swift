import XCTest
import RackFlowTestSupport
import Foundation
import RackFlowModel
import RackFlowNumerics

/// Bad rack input: every mistake is one `FILE:LINE: KEY.PATH: problem` line naming the file
/// where the bad value is written (the part or node file, not the rack file, when it is there).
///
/// Each test copies the real `Meshes/` (racks, nodes, parts, cases) into a fresh temporary
/// folder and edits the copies with string replacements, so the tests follow the real files.
final class RackInputTests: XCTestCase {
    static let repoRoot = Repository.root
    static let rack = "racks/refinery-rack.yaml"
    static let node3 = "nodes/rm44-gb203-3gpu.yaml"

    var dir: URL!

    override func setUpWithError() throws {
        dir = try TemporaryFolder.make("rackinput")
        for sub in ["racks", "nodes", "parts", "cases"] {
            try FileManager.default.copyItem(
                at: Self.repoRoot.appendingPathComponent("Meshes/\(sub)"),
                to: dir.appendingPathComponent(sub))
        }
    }

    override func tearDownWithError() throws {
        if let dir { try? FileManager.default.removeItem(at: dir) }
    }

    // MARK: - Helpers

    func path(_ rel: String) -> String { dir.appendingPathComponent(rel).path }

    func read(_ rel: String) throws -> String { try String(contentsOfFile: path(rel), encoding: .utf8) }

    func write(_ rel: String, _ text: String) throws {
        try text.write(toFile: path(rel), atomically: true, encoding: .utf8)
    }

    /// Replaces the one occurrence of `old` in the copy of `rel` (fails if the real file changed).
    func edit(_ rel: String, _ old: String, _ new: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let text = try read(rel)
        let n = text.components(separatedBy: old).count - 1
        guard n == 1 else {
            XCTFail("expected one '\(old)' in \(rel), found \(n)", file: file, line: line)
            throw XCTSkip("fixture text not found")
        }
        try write(rel, text.replacingOccurrences(of: old, with: new))
    }

    /// Replaces the whole line of `rel` that contains `needle`.
    func editLine(
        _ rel: String, containing needle: String, _ new: String, file: StaticString = #filePath, line: UInt = #line
    ) throws {
        let lines = try read(rel).components(separatedBy: "\n")
        let hits = lines.indices.filter { lines[$0].contains(needle) }
        guard hits.count == 1 else {
            XCTFail("expected one line with '\(needle)' in \(rel), found \(hits.count)", file: file, line: line)
            throw XCTSkip("fixture text not found")
        }
        var out = lines
        out[hits[0]] = new
        try write(rel, out.joined(separator: "\n"))
    }

    /// 1-based line of the first line of `rel` containing `needle`.
    func lineOf(_ needle: String, in rel: String) throws -> Int {
        let lines = try read(rel).components(separatedBy: "\n")
        guard let i = lines.firstIndex(where: { $0.contains(needle) }) else {
            XCTFail("'\(needle)' not in \(rel)")
            return -1
        }
        return i + 1
    }

    /// Loads `rel` (and compiles it when `compile`), returning the error it must throw.
    func loadError(
        _ rel: String = rack, compile: Bool = false, file: StaticString = #filePath, line: UInt = #line
    ) -> Error? {
        do {
            let c = try CaseFile.load(path: rel.hasPrefix("../") ? rel : path(rel))
            if compile { _ = try c.genericCase.compile() }
            XCTFail("\(rel) loaded without an error", file: file, line: line)
            return nil
        } catch {
            return error
        }
    }

    /// The load fails with a one-line `InputError` naming `file` (relative to the temp folder),
    /// `keyPath`, `line` (nil: any) and containing every word of `words` (case-insensitive).
    @discardableResult
    func expectError(
        _ rel: String = rack, compile: Bool = false, file expectedFile: String, keyPath: String?,
        line expectedLine: Int?,
        _ words: [String], file: StaticString = #filePath, line: UInt = #line
    ) -> InputError? {
        guard let err = loadError(rel, compile: compile, file: file, line: line) else { return nil }
        guard let e = err as? InputError else {
            XCTFail("not an InputError: \(type(of: err)): \(err)", file: file, line: line)
            return nil
        }
        let d = e.description
        XCTAssertFalse(d.contains("\n") || d.contains("\r"), "error is not one line: \(d)", file: file, line: line)
        let named = e.file ?? ""
        XCTAssertTrue(
            named.hasSuffix("/" + expectedFile), "names \(named), expected …/\(expectedFile): \(d)", file: file,
            line: line)
        XCTAssertTrue(!named.isEmpty && d.hasPrefix(named), d, file: file, line: line)
        if let keyPath { XCTAssertEqual(e.keyPath, keyPath, d, file: file, line: line) }
        XCTAssertNotNil(e.line, "no line: \(d)", file: file, line: line)
        if let expectedLine { XCTAssertEqual(e.line, expectedLine, d, file: file, line: line) }
        if let l = e.line { XCTAssertTrue(d.contains(":\(l): "), d, file: file, line: line) }
        for w in words {
            XCTAssertTrue(d.lowercased().contains(w.lowercased()), "'\(w)' missing from: \(d)", file: file, line: line)
        }
        return e
    }

    /// The line of the rack's slot `nodeNN`.
    func slotLine(_ name: String) throws -> Int { try lineOf("{name: \(name),", in: Self.rack) }

    /// Replaces slot `nodeNN` of the rack with `slot` (a flow mapping).
    func setSlot(_ name: String, _ slot: String) throws {
        try editLine(Self.rack, containing: "{name: \(name),", "  - " + slot)
    }

    /// Slot node03 with its fan-wall fans at `speeds` (a YAML list).
    func setNode03FanSpeeds(_ speeds: String) throws {
        try setSlot(
            "node03",
            "{name: node03, unit: 10, node: ../nodes/rm44-gb203-3gpu.yaml, "
                + "fans: {part: ../parts/fan-120mm-3000rpm.yaml, speeds: \(speeds)}}")
    }

    // MARK: - Sanity: the copies load

    func testCopiedRackLoadsAndCompiles() throws {
        let c = try CaseFile.load(path: path(Self.rack))
        _ = try c.genericCase.compile()
    }

    /// A command-line `--max-spacing` below the file's `grid.minSpacing` names the option; the
    /// error had blamed the file's grid.minSpacing line for a value the user never wrote.
    func testMaxSpacingOverrideBelowMinSpacingNamesTheOption() throws {
        var c = try CaseFile.load(path: path(Self.rack))
        c.setMaxSpacing(0.0001)
        XCTAssertThrowsError(try c.genericCase.buildGrid()) { e in
            let text = "\(e)"
            for part in ["--max-spacing", "must be above the file's grid.minSpacing", "got 0.0001 m"] {
                XCTAssertTrue(text.contains(part), "'\(part)' missing from: \(text)")
            }
            XCTAssertFalse(text.contains("maxSpacingM"), text)
        }
    }

    /// One failed intake fan of three in one node: `fans.speeds` in the rack's slot sets each
    /// fan-wall fan's speed; the other nodes keep the fan part's.
    func testOneStoppedFanInOneSlot() throws {
        try setNode03FanSpeeds("[3000, 0, 3000]")
        let c = try CaseFile.load(path: path(Self.rack))
        var rpm: [String: Double] = [:]
        for p in c.genericCase.planes { if case let .fan(_, r, _) = p.kind { rpm[p.name] = r } }
        XCTAssertEqual(rpm["node03/fan1"], 3000)
        XCTAssertEqual(rpm["node03/fan2"], 0)
        XCTAssertEqual(rpm["node03/fan3"], 3000)
        XCTAssertEqual(rpm["node02/fan2"], 3000)
        _ = try c.genericCase.compile()
    }

    func testFanSpeedsNeedOnePerFan() throws {
        try setNode03FanSpeeds("[3000, 0]")
        expectError(
            file: Self.rack, keyPath: "nodes[2].fans.speeds", line: try slotLine("node03"),
            ["one speed per fan-wall fan", "has 3", "got 2"])
    }

    // MARK: 1. Unknown keys

    func testUnknownKeyInPartFile() throws {
        try edit("parts/rtx-pro-4500.yaml", "\nslots: 2", "\nslots: 2\ncolour: red")
        expectError(
            file: "parts/rtx-pro-4500.yaml", keyPath: "colour",
            line: try lineOf("colour: red", in: "parts/rtx-pro-4500.yaml"),
            ["unknown key 'colour'", "allowed keys"])
    }

    func testUnknownKeyInRackSlotOverride() throws {
        try setSlot("node03", "{name: node03, unit: 10, node: ../nodes/rm44-gb203-3gpu.yaml, gpuz: 4}")
        expectError(
            file: Self.rack, keyPath: "nodes[2].gpuz", line: try slotLine("node03"), ["unknown key 'gpuz'", "gpus"])
    }

    // MARK: 2. Wrong types

    func testWrongTypeText() throws {
        try editLine("parts/rtx-pro-4500.yaml", containing: "powerW: 200", "powerW: hot")
        expectError(
            file: "parts/rtx-pro-4500.yaml", keyPath: "powerW",
            line: try lineOf("powerW: hot", in: "parts/rtx-pro-4500.yaml"),
            ["must be a number", "hot"])
    }

    func testWrongTypeScalarForList() throws {
        try editLine("parts/asus-wrx90e-sage-se.yaml", containing: "size: [0.305", "size: 3")
        expectError(
            file: "parts/asus-wrx90e-sage-se.yaml", keyPath: "size",
            line: try lineOf("size: 3", in: "parts/asus-wrx90e-sage-se.yaml"),
            ["must be a list"])
    }

    // MARK: 3. Missing files

    func testMissingNodeFile() throws {
        try setSlot("node04", "{name: node04, unit: 14, node: ../nodes/no-such-node.yaml}")
        expectError(
            file: Self.rack, keyPath: "nodes[3].node", line: try slotLine("node04"),
            ["file not found", "no-such-node.yaml"])
    }

    func testMissingPartFile() throws {
        try editLine(Self.node3, containing: "gpu: ../parts/rtx-pro-4500.yaml", "gpu: ../parts/rtx-pro-9999.yaml")
        expectError(
            file: Self.node3, keyPath: "gpu", line: try lineOf("gpu: ../parts/rtx-pro-9999.yaml", in: Self.node3),
            ["file not found", "rtx-pro-9999.yaml"])
    }

    // MARK: 4. Reference cycles

    func testExtendsCycleBetweenTwoFiles() throws {
        try write("nodes/a.yaml", "name: a\nextends: b.yaml\ngpus: 4\n")
        try write("nodes/b.yaml", "# b goes back to a\nname: b\nextends: a.yaml\n")
        try setSlot("node01", "{name: node01, unit: 2, node: ../nodes/a.yaml}")
        expectError(file: "nodes/b.yaml", keyPath: "extends", line: 3, ["reference cycle", "a.yaml → b.yaml → a.yaml"])
    }

    func testExtendsCycleThroughParentFolderFromRelativePath() throws {
        // `../nodes/…` references and a rack named by a relative path: the cycle must still close.
        try write("nodes/a.yaml", "name: a\nextends: ../nodes/b.yaml\n")
        try write("nodes/b.yaml", "name: b\nextends: ../nodes/a.yaml\n")
        try setSlot("node01", "{name: node01, unit: 2, node: ../nodes/a.yaml}")
        let cwd = FileManager.default.currentDirectoryPath.split(separator: "/").count
        let relative = String(repeating: "../", count: cwd) + path(Self.rack).drop { $0 == "/" }
        XCTAssertTrue(FileManager.default.fileExists(atPath: relative))
        guard let err = loadError(relative) else { return }
        let d = "\(err)"
        XCTAssertTrue(
            err is InputError && d.contains("nodes/b.yaml:2: extends: reference cycle: a.yaml → b.yaml → a.yaml"), d)
    }

    func testFileExtendingItself() throws {
        try edit(Self.node3, "name: rm44-gb203-3gpu\n", "name: rm44-gb203-3gpu\nextends: rm44-gb203-3gpu.yaml\n")
        expectError(
            file: Self.node3, keyPath: "extends", line: try lineOf("extends:", in: Self.node3),
            ["reference cycle", "rm44-gb203-3gpu.yaml → rm44-gb203-3gpu.yaml"])
    }

    // MARK: 5. Negative and NaN power

    func testNegativePowerInPartFile() throws {
        try editLine("parts/rtx-pro-4500.yaml", containing: "powerW: 200", "powerW: -5")
        expectError(
            file: "parts/rtx-pro-4500.yaml", keyPath: "powerW",
            line: try lineOf("powerW: -5", in: "parts/rtx-pro-4500.yaml"),
            ["must be ≥ 0 W", "-5"])
    }

    func testNaNPowerInPartFile() throws {
        try editLine("parts/threadripper-pro-7975wx.yaml", containing: "powerW:", "powerW: .nan")
        expectError(
            file: "parts/threadripper-pro-7975wx.yaml", keyPath: "powerW",
            line: try lineOf("powerW: .nan", in: "parts/threadripper-pro-7975wx.yaml"), ["finite number", ".nan"])
    }

    func testNegativePowerAsSlotOverride() throws {
        try setSlot(
            "node05",
            "{name: node05, unit: 18, node: ../nodes/rm44-gb203-3gpu.yaml, gpu: {part: ../parts/rtx-pro-4500.yaml, "
                + "powerW: -1}}"
        )
        expectError(
            file: Self.rack, keyPath: "nodes[4].gpu.powerW", line: try slotLine("node05"), ["must be ≥ 0 W", "-1"])
    }

    func testNaNPowerAsSlotOverride() throws {
        try setSlot(
            "node05",
            "{name: node05, unit: 18, node: ../nodes/rm44-gb203-3gpu.yaml, gpu: {part: ../parts/rtx-pro-4500.yaml, "
                + "powerW: .nan}}"
        )
        expectError(file: Self.rack, keyPath: "nodes[4].gpu.powerW", line: try slotLine("node05"), ["finite number"])
    }

    // MARK: 5b. Units of the supply

    /// Kelvin typed as °C, and L/s typed as m³/s, are refused at the inlet's keys before any solve.
    func testSupplyInKelvinOrLitresIsRefused() throws {
        try editLine(Self.rack, containing: "temperature: 20", "  temperature: 295")
        expectError(
            file: Self.rack, keyPath: "inlet.temperature", line: try lineOf("temperature: 295", in: Self.rack),
            ["from −40 to 100 °C (got 295)", "295 K would be 21.85 °C"])
        try editLine(Self.rack, containing: "temperature: 295", "  temperature: 20")
        try editLine(Self.rack, containing: "flow: 0.80", "  flow: 800")
        expectError(
            file: Self.rack, keyPath: "inlet.flow", line: try lineOf("flow: 800", in: Self.rack),
            ["800 m³/s through the inlet's 0.12 m²", "past Mach 0.3", "1 L/s = 0.001 m³/s"])
    }

    // MARK: 6. A part outside its chassis

    func testPSUOutsideChassis() throws {
        // 0.500 + 0.197 m deep > the RM44's 0.660 m.
        try edit(Self.node3, "position: [0.010, 0.463, 0.0915]", "position: [0.010, 0.500, 0.0915]")
        expectError(
            file: Self.node3, keyPath: "psu.position", line: try lineOf("position: [0.010, 0.500", in: Self.node3),
            ["part outside its chassis", "psu", "y", "0.66"])
    }

    // MARK: 7. Overlapping solids

    func testCPUBaseOverlapsGPUCard() throws {
        // The cooler moved over slot 1: its solid base runs into the first card's PCB.
        try edit(Self.node3, "position: [0.040, 0.350]", "position: [0.120, 0.400]")
        let e = expectError(
            compile: true, file: Self.node3, keyPath: nil, line: nil,
            ["solid boxes", "overlap", "node01/cpu-base", "node01/gpu1/pcb"])
        // Both places are named: the card (error location) and the cooler's placement.
        if let e {
            XCTAssertTrue(
                e.description.contains("(set at rm44-gb203-3gpu.yaml:\(try lineOf("cpu:", in: Self.node3) + 1) cpu)"),
                e.description)
        }
    }

    // MARK: 8. Fan curve not monotone

    func testFanCurvePressureRisingWithFlow() throws {
        try edit("parts/fan-120mm-3000rpm.yaml", "[74.8, 58.0,", "[74.8, 80.0,")
        expectError(
            file: "parts/fan-120mm-3000rpm.yaml", keyPath: "curve.pressure[1]",
            line: try lineOf("pressure: [74.8, 80.0", in: "parts/fan-120mm-3000rpm.yaml"), ["pressure"])
    }

    // MARK: 9. Free area outside (0, 1]

    func testFrontMeshFreeAreaZero() throws {
        try editLine("parts/silverstone-rm44.yaml", containing: "freeArea: 0.68", "  freeArea: 0")
        expectError(
            file: "parts/silverstone-rm44.yaml", keyPath: "frontMesh.freeArea",
            line: try lineOf("freeArea: 0", in: "parts/silverstone-rm44.yaml"), ["free", "(0, 1]"])
    }

    func testFrontMeshFreeAreaAboveOne() throws {
        try editLine("parts/silverstone-rm44.yaml", containing: "freeArea: 0.68", "  freeArea: 1.5")
        expectError(
            file: "parts/silverstone-rm44.yaml", keyPath: "frontMesh.freeArea",
            line: try lineOf("freeArea: 1.5", in: "parts/silverstone-rm44.yaml"), ["free", "1.5"])
    }

    // MARK: 10. No outlet

    func testRackWithoutExhaust() throws {
        try editLine(Self.rack, containing: "exhaust:", "")
        try editLine(Self.rack, containing: "pressure: 0", "")
        expectError(file: Self.rack, keyPath: "exhaust", line: nil, ["no outlet", "exhaust"])
    }

    // MARK: 11. Rack units

    func testNodeBeyondRackHeight() throws {
        try setSlot("node10", "{name: node10, unit: 40, node: ../nodes/rm44-gb203-3gpu.yaml}")
        expectError(
            file: Self.rack, keyPath: "nodes[9].unit", line: try slotLine("node10"),
            ["beyond the rack's height", "40–43", "1–42"])
    }

    func testNodesOverlappingUnits() throws {
        try setSlot("node02", "{name: node02, unit: 4, node: ../nodes/rm44-gb203-3gpu.yaml}")
        expectError(
            file: Self.rack, keyPath: "nodes[1].unit", line: try slotLine("node02"),
            ["unit 4", "already taken", "node01"])
    }

    // MARK: 12. Spacing too coarse to resolve a plane

    func testTwoSheetsTooCloseForTheGrid() throws {
        // Generic case: a second sheet 0.3 mm behind the first; minSpacing 0.5 mm merges their grid lines.
        let c = "cases/duct-with-sheet.yaml"
        let sheet = try read(c).components(separatedBy: "\n").first { $0.contains("{name: mesh,") }!
        try editLine(
            c, containing: "{name: mesh,",
            sheet + "\n"
                + sheet.replacingOccurrences(of: "name: mesh,", with: "name: mesh2,")
                .replacingOccurrences(of: "position: 0.5,", with: "position: 0.5003,"))
        expectError(
            c, compile: true, file: c, keyPath: "planes[2]", line: try lineOf("name: mesh2", in: c),
            ["plane 'mesh2'", "x = 0.5003 m", "grid line of plane 'mesh'", "too coarse", "minSpacing"])
    }

    func testSheetNextToWallWithLargeMinSpacing() throws {
        // A wall at x = 0.5 and the sheet 3 mm behind it, with a user minSpacing of 4 mm.
        let c = "cases/duct-with-sheet.yaml"
        try edit(c, "minSpacing: 0.0005}", "minSpacing: 0.004}")
        try edit(c, "position: 0.5,", "position: 0.503,")
        try edit(c, "  - {name: mesh,", "  - {name: wall, axis: x, position: 0.5, kind: wall}\n  - {name: mesh,")
        expectError(
            c, compile: true, file: c, keyPath: "planes[2]", line: try lineOf("name: mesh,", in: c),
            ["plane 'mesh'", "grid line of plane 'wall'", "too coarse", "minSpacing 0.004"])
    }

    func testSheetMergedIntoDomainBoundary() throws {
        let c = "cases/duct-with-sheet.yaml"
        try edit(c, "position: 0.5,", "position: 0.9998,")
        expectError(
            c, compile: true, file: c, keyPath: "planes[1]", line: try lineOf("name: mesh,", in: c),
            ["plane 'mesh'", "domain boundary", "too coarse"])
    }

    func testRackFanWallTooCloseToFrontMesh() throws {
        // The fan wall 3 mm behind the front mesh with minSpacing 4 mm: it would cover the mesh.
        try edit(Self.rack, "  maxSpacing: 0.02 ", "  minSpacing: 0.004\n  maxSpacing: 0.02 ")
        try edit("parts/silverstone-rm44.yaml", "y: 0.150", "y: 0.003")
        // The first plane on the mesh's line is the rack's front seal (the mesh reopens it).
        expectError(
            compile: true, file: "parts/silverstone-rm44.yaml", keyPath: "fanWall",
            line: try lineOf("y: 0.003", in: "parts/silverstone-rm44.yaml"),
            [
                "plane 'node01/fan-wall' at y = 0.203 m", "grid line of plane 'front-seal' at y = 0.2 m", "too coarse",
                "minSpacing 0.004",
            ])
    }

    // MARK: 13. GPU slots

    func testMoreGPUsThanSlots() throws {
        try setSlot("node06", "{name: node06, unit: 22, node: ../nodes/rm44-gb203-3gpu.yaml, gpus: 5, nic: none}")
        expectError(
            file: Self.rack, keyPath: "nodes[5].gpus", line: try slotLine("node06"),
            ["5 GPUs", "gpuSlots lists only 4"]
        )
    }

    func testFourGPUsWithoutRemovingTheNIC() throws {
        try setSlot("node07", "{name: node07, unit: 26, node: ../nodes/rm44-gb203-3gpu.yaml, gpus: 4}")
        expectError(
            file: Self.rack, keyPath: "nodes[6].gpus", line: try slotLine("node07"),
            ["GPU 4 takes slot 7", "NIC", "rm44-gb203-3gpu.yaml:\(try lineOf("slot: 7", in: Self.node3))", "nic: none"])
    }

    func testFourGPUsWithNICNoneLoads() throws {
        try setSlot("node07", "{name: node07, unit: 26, node: ../nodes/rm44-gb203-3gpu.yaml, gpus: 4, nic: none}")
        let c = try CaseFile.load(path: path(Self.rack))
        XCTAssertEqual(c.layout?.nodes.first { $0.name == "node07" }?.gpuCount, 4)
    }

    // MARK: - Through the CLI

    /// The binary `swift test` built (RackFlowTestSupport's lookup).
    func rackflowBinary() throws -> URL { try CLI.rackflow() }

    func run(_ args: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
        let p = Process()
        p.executableURL = try rackflowBinary()
        p.arguments = args
        p.currentDirectoryURL = dir
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        let o = out.fileHandleForReading.readDataToEndOfFile(), e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: o, as: UTF8.self), String(decoding: e, as: UTF8.self))
    }

    func testCLISolveNegativePowerLeavesNoFolder() throws {
        _ = try rackflowBinary()
        try editLine("parts/rtx-pro-4500.yaml", containing: "powerW: 200", "powerW: -5")
        let outDir = dir.appendingPathComponent("out/result")
        let r = try run(["solve", path(Self.rack), "--output", outDir.path, "--quiet"])
        XCTAssertNotEqual(r.status, 0)
        XCTAssertTrue(
            r.stderr.contains(
                "rtx-pro-4500.yaml:\(try lineOf("powerW: -5", in: "parts/rtx-pro-4500.yaml")): powerW: must be ≥ 0 W"),
            r.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: outDir.path), "solve created \(outDir.path)")
        let beside =
            (try? FileManager.default.contentsOfDirectory(atPath: outDir.deletingLastPathComponent().path)) ?? []
        XCTAssertTrue(beside.filter { $0.contains("partial") }.isEmpty, "left \(beside)")
    }

    func testCLIMeshOverlappingUnitsCreatesNothing() throws {
        _ = try rackflowBinary()
        try setSlot("node02", "{name: node02, unit: 4, node: ../nodes/rm44-gb203-3gpu.yaml}")
        let outDir = dir.appendingPathComponent("meshout")
        try FileManager.default.createDirectory(at: outDir, withIntermediateDirectories: true)
        let r = try run(["mesh", path(Self.rack), "--output", outDir.path])
        XCTAssertNotEqual(r.status, 0)
        XCTAssertTrue(
            r.stderr.contains(
                "refinery-rack.yaml:\(try slotLine("node02")): nodes[1].unit: unit 4 is already taken by node01"),
            r.stderr)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: outDir.path), [])
        let solveOut = dir.appendingPathComponent("solveout")
        let s = try run(["solve", path(Self.rack), "--output", solveOut.path, "--quiet"])
        XCTAssertNotEqual(s.status, 0)
        XCTAssertTrue(s.stderr.contains("already taken"), s.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: solveOut.path))
        XCTAssertTrue(
            try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.contains("partial") }.isEmpty)
    }
}
