import XCTest
import RackFlowTestSupport
import Foundation
import RackFlowModel
import RackFlowNumerics

/// Input-file errors: each names the file, the key path and (for YAML keys) the line.
final class ConfigTests: XCTestCase {
    /// A small valid case; tests replace single lines (1-based) to break it.
    static let baseLines = [
        "name: t", // 1
        "domain: {size: [0.4, 0.1, 0.05]}", // 2
        "grid: {maxSpacing: 0.025}", // 3
        "sides: {bottom: symmetry, top: symmetry}", // 4
        "boxes:", // 5
        "  - {name: a, lo: [0.1, 0, 0], hi: [0.15, 0.05, 0.05], kind: solid}", // 6
        "  - {name: h, lo: [0.25, 0.0, 0.0], hi: [0.3, 0.05, 0.05], kind: heat, powerW: 2}", // 7
        "planes:", // 8
        "  - {name: mesh, axis: x, position: 0.2, kind: sheet, freeArea: 0.5}", // 9
        "patches:", // 10
        "  - {name: in, side: west, kind: velocity, speed: 0.5}", // 11
        "  - {name: out, side: east, kind: outlet}", // 12
    ]

    var dir: URL!

    override func setUpWithError() throws {
        dir = try TemporaryFolder.make("ConfigTests")
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: dir) }

    func write(_ name: String, _ replacements: [Int: String]) throws -> String {
        var lines = Self.baseLines
        for (n, text) in replacements { lines[n - 1] = text }
        let path = dir.appendingPathComponent(name).path
        try lines.joined(separator: "\n").write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// Loads (and, with `compile`, compiles) and expects an `InputError` containing every phrase.
    func expectError(
        _ name: String, _ replacements: [Int: String], compile: Bool = false, _ phrases: [String],
        file: StaticString = #filePath, line: UInt = #line
    ) throws {
        let path = try write(name, replacements)
        do {
            let c = try GenericCase.load(path: path)
            if compile { _ = try c.compile() }
            XCTFail("expected an error for \(name)", file: file, line: line)
        } catch let e as InputError {
            let text = e.description
            print(text)
            XCTAssertFalse(text.contains("\n"), "one line: \(text)", file: file, line: line)
            XCTAssertTrue(text.hasPrefix(path), "starts with the file: \(text)", file: file, line: line)
            for p in [name] + phrases {
                XCTAssertTrue(text.contains(p), "'\(p)' missing from: \(text)", file: file, line: line)
            }
        }
    }

    func testBaseCaseIsValid() throws {
        let c = try GenericCase.load(path: try write("ok.yaml", [:]))
        XCTAssertEqual(c.name, "t")
        XCTAssertEqual(c.boxes.count, 2)
        XCTAssertEqual(c.planes.count, 1)
        XCTAssertEqual(c.patches.count, 2)
        _ = try c.compile()
    }

    func testNegativePower() throws {
        try expectError(
            "neg-power.yaml",
            [7: "  - {name: h, lo: [0.25, 0.0, 0.0], hi: [0.3, 0.05, 0.05], kind: heat, powerW: -5}"],
            [".yaml:7: boxes[1].powerW: must be ≥ 0 (got -5)"])
    }

    func testNaNPower() throws {
        try expectError(
            "nan-power.yaml",
            [7: "  - {name: h, lo: [0.25, 0.0, 0.0], hi: [0.3, 0.05, 0.05], kind: heat, powerW: .nan}"],
            [":7:", "boxes[1].powerW", "finite"])
    }

    func testFreeAreaOutOfRange() throws {
        try expectError(
            "free-area.yaml", [9: "  - {name: mesh, axis: x, position: 0.2, kind: sheet, freeArea: 1.5}"],
            [":9:", "planes[0].freeArea", "(0, 1]", "1.5"])
        try expectError(
            "free-area0.yaml", [9: "  - {name: mesh, axis: x, position: 0.2, kind: sheet, freeArea: 0}"],
            [":9:", "planes[0].freeArea", "(0, 1]"])
    }

    func testNonMonotoneFanCurve() throws {
        try expectError(
            "fan-curve.yaml",
            [
                9:
                    "  - {name: f, axis: x, position: 0.2, kind: fan, curve: {flow: [0, 0.01, 0.02], pressure: [75, "
                    + "80, 0], rpm: 3000}}"
            ],
            [":9:", "planes[0].curve.pressure[1]", "must not rise"])
        try expectError(
            "fan-patch.yaml",
            [
                12:
                    "  - {name: out, side: east, kind: fan, curve: {flow: [0, 0.01, 0.01], pressure: [75, 50, 0], "
                    + "rpm: 3000}}"
            ],
            [":12:", "patches[1].curve.flow[2]", "increase strictly"])
    }

    func testOverlappingSolids() throws {
        try expectError(
            "overlap.yaml", [7: "  - {name: b, lo: [0.12, 0.0, 0.0], hi: [0.2, 0.05, 0.05], kind: solid}"],
            compile: true, [":7:", "boxes[1]", "overlap", "'a'", "'b'"])
    }

    func testPartOutsideDomain() throws {
        try expectError(
            "outside.yaml", [6: "  - {name: a, lo: [0.1, 0, 0], hi: [0.15, 0.2, 0.05], kind: solid}"],
            compile: true, [":6:", "boxes[0]", "outside the domain"])
        try expectError(
            "plane-outside.yaml", [9: "  - {name: mesh, axis: x, position: 0.7, kind: sheet, freeArea: 0.5}"],
            compile: true, [":9:", "planes[0]", "outside the domain"])
    }

    func testNoOutlet() throws {
        try expectError("no-outlet.yaml", [12: ""], ["patches", "no outlet: air has no way out"])
    }

    func testUnknownKeyListsAllowedKeys() throws {
        try expectError(
            "unknown.yaml", [6: "  - {name: a, lo: [0.1, 0, 0], hi: [0.15, 0.05, 0.05], kind: solid, colour: red}"],
            [":6:", "boxes[0].colour", "unknown key 'colour'", "allowed keys: name, lo, hi, kind"])
        try expectError(
            "unknown-top.yaml", [4: "sidez: {bottom: symmetry}"],
            [":4:", "sidez", "allowed keys:", "sides"])
    }

    func testWrongTypes() throws {
        try expectError(
            "type-number.yaml", [3: "grid: {maxSpacing: abc}"], [":3:", "grid.maxSpacing", "must be a number"])
        try expectError(
            "type-list.yaml", [6: "  - {name: a, lo: 3, hi: [0.15, 0.05, 0.05], kind: solid}"],
            [":6:", "boxes[0].lo", "must be a list"])
        try expectError(
            "type-count.yaml", [6: "  - {name: a, lo: [0.1, 0], hi: [0.15, 0.05, 0.05], kind: solid}"],
            [":6:", "boxes[0].lo", "3 numbers"])
        try expectError(
            "type-kind.yaml", [6: "  - {name: a, lo: [0.1, 0, 0], hi: [0.15, 0.05, 0.05], kind: jelly}"],
            [":6:", "boxes[0].kind", "solid, porous, heat"])
        try expectError(
            "type-inf.yaml", [11: "  - {name: in, side: west, kind: velocity, speed: .inf}"],
            [":11:", "patches[0].speed", "finite"])
    }

    func testMissingKey() throws {
        try expectError("missing.yaml", [2: "domain: {}"], [":2:", "domain.size", "missing required key"])
    }

    func testMissingFile() throws {
        let path = dir.appendingPathComponent("absent.yaml").path
        XCTAssertThrowsError(try GenericCase.load(path: path)) { e in
            XCTAssertTrue("\(e)".contains("absent.yaml"), "\(e)")
            XCTAssertTrue("\(e)".contains("not found"), "\(e)")
        }
    }

    func testMalformedYAML() throws {
        let path = try write("broken.yaml", [6: "  - {name: a, lo: [0.1, 0, 0], hi: [0.15, 0.05, 0.05], kind: solid"])
        XCTAssertThrowsError(try GenericCase.load(path: path)) { e in
            let text = "\(e)"
            XCTAssertTrue(text.hasPrefix(path + ":"), text)
            XCTAssertTrue(text.contains("malformed YAML"), text)
            XCTAssertNotNil((e as? InputError)?.line, text)
        }
    }

    func testConfigNodeGetters() throws {
        let n = try ConfigNode.parse(
            yaml: "a: 1.5\nb: 3\nc: hi\nd: true\ne: [1, 2, 3]\nf: [4, 5]\ng: [{x: 1}, {x: 2}]\n", file: "n.yaml")
        XCTAssertEqual(try n.double("a"), 1.5)
        XCTAssertEqual(try n.int("b"), 3)
        XCTAssertEqual(try n.string("c"), "hi")
        XCTAssertEqual(try n.bool("d"), true)
        XCTAssertEqual(try n.vector3("e").2, 3)
        XCTAssertEqual(try n.vector2("f").1, 5)
        XCTAssertEqual(try n.double("z", default: 7), 7)
        XCTAssertNil(try n.optionalDouble("z"))
        let g = try n.array("g")
        XCTAssertEqual(g[1].keyPath, "g[1]")
        XCTAssertEqual(g[1].line, 7)
        XCTAssertEqual(try g[1].double("x"), 2)
        XCTAssertThrowsError(try g[1].double("y")) { XCTAssertEqual("\($0)", "n.yaml:7: g[1].y: missing required key") }
        XCTAssertThrowsError(try n.int("a")) {
            XCTAssertEqual("\($0)", "n.yaml:1: a: must be a whole number (got '1.5')")
        }
        XCTAssertThrowsError(try n.bool("c")) { XCTAssertTrue("\($0)".hasPrefix("n.yaml:3: c: must be true or false")) }
        XCTAssertThrowsError(try n.checkKeys(allowed: ["a"])) {
            XCTAssertTrue("\($0)".contains("n.yaml:2: b: unknown key 'b'; allowed keys: a"))
        }
    }
}
