import XCTest
import RackFlowTestSupport
import Foundation
@testable import RackFlowModel

/// Surge scenario files (issue 6): bad input gets one clear message naming the file, the key
/// and the problem, before anything is solved or written.
final class ScenarioInputTests: XCTestCase {
    static let repoRoot = Repository.root
    var dir: URL!

    override func setUpWithError() throws {
        dir = try TemporaryFolder.make("rackflow-scenario")
        let node = Self.repoRoot.appendingPathComponent("Meshes/nodes/rm44-gb203-3gpu.yaml").path
        try """
        name: two-node
        rack: {innerSize: [0.600, 1.200, 0.600], units: 10, unitHeight: 0.04445, firstUnitZ: 0.0665, frontY: 0.200}
        inlet: {flow: 0.16, temperature: 20}
        exhaust: {pressure: 0}
        nodes:
          - {name: node01, unit: 1, node: \(node)}
          - {name: node02, unit: 5, node: \(node)}
        grid: {maxSpacing: 0.04, maxNeighbourRatio: 2.0, minCellsAcrossPart: 1}
        """.write(to: dir.appendingPathComponent("rack.yaml"), atomically: true, encoding: .utf8)
    }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: dir) }

    func scenario(_ extra: String, duration: String = "2") -> String {
        "name: s\nrack: rack.yaml\nduration: \(duration)\nfps: 12\n" + extra
    }

    /// Parses (and, with `compile`, compiles against the rack); returns the error text.
    func failure(_ yaml: String, compile: Bool = false) -> String? {
        let path = dir.appendingPathComponent("s.yaml").path
        do {
            try yaml.write(toFile: path, atomically: true, encoding: .utf8)
            let s = try Scenario.load(path: path)
            if compile { _ = try SurgeRun(s) }
            return nil
        } catch { return "\(error)" }
    }

    func expect(
        _ yaml: String, compile: Bool = false, _ parts: [String], file: StaticString = #filePath, line: UInt = #line
    ) {
        guard let e = failure(yaml, compile: compile) else {
            return XCTFail("accepted: \(yaml)", file: file, line: line)
        }
        for p in parts { XCTAssertTrue(e.contains(p), "'\(p)' missing from: \(e)", file: file, line: line) }
    }

    func testTheDefaultScenarioLoads() throws {
        let s = try Scenario.load(path: Self.repoRoot.appendingPathComponent("Meshes/scenarios/viral-surge.yaml").path)
        XCTAssertEqual(s.frameCount, 240)
        XCTAssertEqual(s.fps, 24)
        XCTAssertTrue(FileManager.default.fileExists(atPath: s.rackPath))
    }

    /// The bundled room surge: pairs of facing racks from the aisle end, 0.5 s apart, nodes 0.3 s
    /// apart: the last node of the room ignites 1 + 3.5 + 9 × 0.3 = 7.2 s in, within the 10 s.
    func testTheRoomSurgeScenarioLoads() throws {
        let s = try Scenario.load(
            path: Self.repoRoot.appendingPathComponent("Meshes/scenarios/refinery-surge.yaml").path)
        XCTAssertEqual(s.rackCascade.order, .fromAisleEnd)
        let positions = (0..<2).flatMap { row in
            (0..<8).map { RackStarts.Position(name: "\(row == 0 ? "A" : "B")0\($0 + 1)", row: row, index: $0) }
        }
        let starts = try RackStarts.offsetsS(s.rackCascade, racks: positions)
        XCTAssertEqual(starts[7], 0)
        XCTAssertEqual(starts[15], 0)
        XCTAssertEqual(starts[0], 3.5, accuracy: 1e-12)
        let t = try LoadTimeline(s, units: Array(0..<10), names: (1...10).map { "n\($0)" }, rackStartS: starts[0])
        XCTAssertEqual(t.ignitionS.max()!, 7.2, accuracy: 1e-12)
        XCTAssertLessThan(t.ignitionS.max()!, s.durationS)
        XCTAssertTrue(FileManager.default.fileExists(atPath: s.rackPath))
    }

    /// Heatmap bounds: unset (the fixed scale), `auto`, or a number; hot must lie above cold.
    func testHeatmapKeys() throws {
        let path = dir.appendingPathComponent("h.yaml").path
        try scenario("heatmap: {coldC: auto, hotC: 85}\n").write(toFile: path, atomically: true, encoding: .utf8)
        let s = try Scenario.load(path: path)
        XCTAssertTrue(s.heatmapAutoCold)
        XCTAssertFalse(s.heatmapAutoHot)
        XCTAssertNil(s.heatmapColdC)
        XCTAssertEqual(s.heatmapHotC, 85)
        try scenario("").write(toFile: path, atomically: true, encoding: .utf8)
        let d = try Scenario.load(path: path)
        XCTAssertFalse(d.heatmapAutoCold || d.heatmapAutoHot)
        XCTAssertNil(d.heatmapColdC)
        expect(scenario("heatmap: {coldC: 50, hotC: 40}\n"), ["heatmap.hotC", "must be above coldC"])
    }

    func testFrameRateZero() {
        expect("name: s\nrack: rack.yaml\nduration: 2\nfps: 0\n", ["s.yaml:4", "fps", "must be > 0 frames per second"])
    }

    func testNegativeRampTime() {
        expect(scenario("load: {ramp: -1}\n"), ["s.yaml:5", "load.ramp", "must be ≥ 0 s", "-1"])
        expect(scenario("blower: {ramp: -0.5}\n"), ["s.yaml:5", "blower.ramp", "must be ≥ 0 s"])
    }

    func testTimesOutOfOrder() {
        expect(
            scenario("load:\n  profile: [[0.5, 1.0], [2.0, 0.6], [1.0, 0.8]]\n"),
            ["s.yaml:6", "load.profile", "out of order", "1 s comes after 2 s"])
    }

    func testOnsetAfterTheEnd() {
        expect(scenario("load: {onset: 5}\n"), ["s.yaml:5", "load.onset", "after the scenario ends"])
        // The default onset (1 s) after a 0.25 s scenario played idle to its end without a word:
        // refused when the run is compiled (a room's --frames may set its length after loading).
        expect(
            scenario("", duration: "0.25"), compile: true,
            ["s.yaml", "load.onset", "starts at 1 s, when the run has ended (0.25 s)", "nothing would ignite"])
    }

    func testANodeThatDoesNotExist() {
        expect(
            scenario("cascade:\n  order: [node02, node07]\n"), compile: true,
            ["s.yaml:6", "no node 'node07' in the rack", "node01, node02"])
    }

    func testUnknownKeyAndMissingRack() {
        expect(scenario("lod: {idle: 0.1}\n"), ["s.yaml", "lod", "unknown key"])
        expect("name: s\nrack: nowhere.yaml\nduration: 2\n", ["s.yaml:2", "rack", "file not found"])
    }

    func testFanControllerChecks() {
        expect(
            scenario("fans:\n  intake: {sensor: own, low: 30, high: 70}\n"), ["s.yaml:6", "sensor", "gpu blowers only"])
        expect(scenario("fans:\n  gpu: {sensor: own, low: 70, high: 30}\n"), ["s.yaml:6", "high", "must be above low"])
    }

    func testExplicitOrderAndProfileShapeTheTimeline() throws {
        let path = dir.appendingPathComponent("ok.yaml").path
        try scenario(
            "load: {idle: 0.1, onset: 0.5, profile: [[1.0, 1.0], [2.0, 0.5]]}\ncascade: {order: [node02], delay: 0.3}\n"
        )
        .write(toFile: path, atomically: true, encoding: .utf8)
        let s = try Scenario.load(path: path)
        let t = try LoadTimeline(s, units: [1, 5], names: ["node01", "node02"])
        XCTAssertEqual(t.ignitionS[1], 0.5)
        XCTAssertEqual(t.ignitionS[0], .infinity, "a node missing from an explicit order never ignites")
        XCTAssertEqual(t.utilisation(node: 0, timeS: 1.9), 0.1, accuracy: 1e-12)
        XCTAssertEqual(t.utilisation(node: 1, timeS: 1.0), 0.55, accuracy: 1e-12) // halfway from 0.1 to 1.0
        XCTAssertEqual(t.utilisation(node: 1, timeS: 2.0), 0.75, accuracy: 1e-12) // halfway from 1.0 to 0.5
        XCTAssertEqual(t.utilisation(node: 1, timeS: 9.0), 0.5, accuracy: 1e-12)
    }

    func testRandomCascadeIsSeeded() throws {
        let path = dir.appendingPathComponent("r.yaml").path
        try scenario("cascade: {order: random, seed: 42, delay: 1}\n").write(
            toFile: path, atomically: true, encoding: .utf8)
        let s = try Scenario.load(path: path)
        let units = Array(1...10), names = units.map { "n\($0)" }
        let a = try LoadTimeline(s, units: units, names: names).ignitionS,
            b = try LoadTimeline(s, units: units, names: names).ignitionS
        XCTAssertEqual(a, b)
        XCTAssertEqual(Set(a), Set((0..<10).map { 1.0 + Double($0) }))
        XCTAssertNotEqual(a, a.sorted(), "a random order that is bottom-up")
    }
}

/// The cascade's two levels: `cascade.racks` (a room's order across racks) and the node order
/// within a rack, flat or under `cascade.nodes`; each key's errors name the file, line and key.
extension ScenarioInputTests {
    func load(_ extra: String) throws -> Scenario {
        let path = dir.appendingPathComponent("c.yaml").path
        try scenario(extra).write(toFile: path, atomically: true, encoding: .utf8)
        return try Scenario.load(path: path)
    }

    func testFlatKeysKeepTheirMeaningAndRacksDefaultToTogether() throws {
        let s = try load("cascade: {order: top-down, delay: 0.3, seed: 9}\n")
        XCTAssertEqual(s.cascade.order, .topDown)
        XCTAssertEqual(s.cascade.delayS, 0.3)
        XCTAssertEqual(s.cascade.seed, 9)
        XCTAssertEqual(s.rackCascade.order, .together)
        XCTAssertTrue(s.rackCascade.names.isEmpty)
        let d = try load("")
        XCTAssertEqual(d.cascade.order, .bottomUp)
        XCTAssertEqual(d.cascade.delayS, 0.5)
        XCTAssertEqual(d.rackCascade.order, .together)
    }

    func testNodesAndRacksBlocks() throws {
        let s = try load(
            "cascade:\n  racks: {order: from-aisle-end, delay: 4, seed: 3}\n"
                + "  nodes: {order: random, delay: 0.6, seed: 7}\n"
        )
        XCTAssertEqual(s.rackCascade.order, .fromAisleEnd)
        XCTAssertEqual(s.rackCascade.delayS, 4)
        XCTAssertEqual(s.rackCascade.seed, 3)
        XCTAssertEqual(s.cascade.order, .random)
        XCTAssertEqual(s.cascade.delayS, 0.6)
        XCTAssertEqual(s.cascade.seed, 7)
        for order in Scenario.RackOrder.allCases where order != .together {
            let r = try load("cascade: {racks: {order: \(order.rawValue), delay: 2}}\n")
            XCTAssertEqual(r.rackCascade.order, order)
            XCTAssertEqual(r.rackCascade.delayS, 2)
        }
        XCTAssertEqual(try load("cascade: {racks: {order: together}}\n").rackCascade.order, .together)
        // Flat node keys beside a racks block: the flat keys are the nodes'.
        let m = try load("cascade: {order: [node02, node01], delay: 0.2, racks: {order: [B01, A02], delay: 1.5}}\n")
        XCTAssertEqual(m.cascade.names.map(\.name), ["node02", "node01"])
        XCTAssertEqual(m.cascade.delayS, 0.2)
        XCTAssertEqual(m.rackCascade.names.map(\.name), ["B01", "A02"])
        XCTAssertEqual(m.rackCascade.delayS, 1.5)
    }

    func testCascadeErrors() {
        expect(scenario("cascade: {order: rack-by-rack}\n"), ["s.yaml:5", "cascade.order", "cascade.racks.order"])
        expect(
            scenario("cascade:\n  nodes: {order: rack-by-rack}\n"),
            ["s.yaml:6", "cascade.nodes.order", "cascade.racks.order"])
        expect(
            scenario("cascade: {order: sideways}\n"),
            ["s.yaml:5", "cascade.order", "must be one of bottom-up, top-down, random", "sideways"])
        expect(
            scenario("cascade:\n  racks: {order: diagonal, delay: 1}\n"),
            [
                "s.yaml:6", "cascade.racks.order", "together, row-by-row, rack-by-rack, from-aisle-end, random",
                "list of rack names", "'diagonal'",
            ])
        expect(
            scenario("cascade:\n  racks: {order: row-by-row, delay: -2}\n"),
            ["s.yaml:6", "cascade.racks.delay", "must be ≥ 0 s", "-2"])
        expect(
            scenario("cascade:\n  nodes: {delay: -0.1}\n"),
            ["s.yaml:6", "cascade.nodes.delay", "must be ≥ 0 s"])
        expect(
            scenario("cascade:\n  racks: {order: rack-by-rack}\n"),
            ["s.yaml:6", "cascade.racks.delay", "missing required key", "between two racks' starts"])
        expect(scenario("cascade:\n  racks: {delay: 3}\n"), ["s.yaml:6", "cascade.racks.order", "missing"])
        expect(
            scenario("cascade:\n  racks: {order: together, delay: 3}\n"),
            ["s.yaml:6", "cascade.racks.delay", "means nothing for order 'together'"])
        expect(
            scenario("cascade:\n  delay: 0.4\n  nodes: {order: top-down}\n"),
            ["s.yaml:6", "cascade.delay", "move 'delay' there"])
        expect(
            scenario("cascade:\n  racks: {order: [A01, B01, A01], delay: 1}\n"),
            ["s.yaml:6", "cascade.racks.order[2]", "rack 'A01' listed twice"])
        expect(scenario("cascade:\n  racks: {order: [], delay: 1}\n"), ["cascade.racks.order", "at least one"])
        expect(scenario("cascade:\n  order: []\n  delay: 1\n"), ["cascade.order", "at least one node name"])
        expect(
            scenario("cascade:\n  racks: {order: random, delay: 1, seed: -4}\n"),
            ["s.yaml:6", "cascade.racks.seed", "must be ≥ 0"])
        expect(
            scenario("cascade:\n  racks: {order: random, delay: 1, pause: 2}\n"),
            ["s.yaml:6", "cascade.racks.pause", "unknown key", "order, delay, seed"])
        expect(
            scenario("cascade:\n  nodes: {order: top-down, stagger: 1}\n"),
            ["s.yaml:6", "cascade.nodes.stagger", "unknown key"])
    }
}
