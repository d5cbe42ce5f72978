import XCTest
import RackFlowTestSupport
import Foundation
@testable import RackFlowModel

/// A room's cascade on a 4-rack room in 2 rows (A01 A02 facing B01 B02): each order's rack
/// starts, and the nodes' ignition times (rack start + node order) of a two-node rack, exactly.
final class RackStartsTests: XCTestCase {
    static let room = [
        RackStarts.Position(name: "A01", row: 0, index: 0), RackStarts.Position(name: "A02", row: 0, index: 1),
        RackStarts.Position(name: "B01", row: 1, index: 0), RackStarts.Position(name: "B02", row: 1, index: 1),
    ]
    var dir: URL!

    override func setUpWithError() throws {
        dir = try TemporaryFolder.make("rackflow-rackstarts")
        try "name: r\nrack: {innerSize: [0.6, 1.2, 0.6]}\n".write(
            to: dir.appendingPathComponent("rack.yaml"), atomically: true, encoding: .utf8)
    }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: dir) }

    /// The scenario with `cascade` as its cascade block (load onset 1 s).
    func scenario(_ cascade: String) throws -> Scenario {
        let path = dir.appendingPathComponent("s.yaml").path
        try "name: s\nrack: rack.yaml\nduration: 60\nload: {onset: 1}\ncascade: \(cascade)\n".write(
            toFile: path, atomically: true, encoding: .utf8)
        return try Scenario.load(path: path)
    }

    func starts(_ racks: String) throws -> [Double] {
        try RackStarts.offsetsS(try scenario("{racks: \(racks)}").rackCascade, racks: Self.room)
    }

    func testEveryOrderOnTwoRowsOfTwo() throws {
        // In room order A01, A02, B01, B02.
        XCTAssertEqual(try starts("{order: together}"), [0, 0, 0, 0])
        XCTAssertEqual(try starts("{order: rack-by-rack, delay: 4}"), [0, 4, 8, 12])
        XCTAssertEqual(try starts("{order: row-by-row, delay: 4}"), [0, 0, 4, 4])
        XCTAssertEqual(try starts("{order: from-aisle-end, delay: 4}"), [4, 0, 4, 0])
        XCTAssertEqual(try starts("{order: [B02, A01], delay: 2.5}"), [2.5, .infinity, .infinity, 0])
        XCTAssertEqual(try starts("{order: [A02, B01, A01, B02], delay: 1}"), [2, 0, 1, 3])
        // Random: a seeded shuffle of the rack-by-rack order, the same on every machine (values
        // checked against an independent SplitMix64 Fisher–Yates).
        XCTAssertEqual(
            try starts("{order: random, delay: 4, seed: 7}"), try starts("{order: random, delay: 4, seed: 7}"))
        XCTAssertEqual(try starts("{order: random, delay: 4, seed: 7}"), [8, 0, 4, 12])
        XCTAssertEqual(try starts("{order: random, delay: 4, seed: 1}"), [4, 12, 0, 8])
        // The listing order of the positions does not change who starts when.
        let shuffled = [2, 0, 3, 1]
        let c = try scenario("{racks: {order: rack-by-rack, delay: 4}}").rackCascade
        XCTAssertEqual(try RackStarts.offsetsS(c, racks: shuffled.map { Self.room[$0] }), [8, 0, 12, 4])
    }

    func testAnUnknownRackNameNamesTheScenarioLine() throws {
        let c = try scenario("\n  racks: {order: [A01, C03], delay: 1}").rackCascade
        XCTAssertThrowsError(try RackStarts.offsetsS(c, racks: Self.room)) { e in
            let text = "\(e)"
            for part in ["s.yaml:6", "cascade.racks.order[1]", "no rack 'C03' in the room", "A01, A02, B01, B02"] {
                XCTAssertTrue(text.contains(part), "'\(part)' missing from: \(text)")
            }
        }
    }

    /// Ignition = onset + rack start + node rank × node delay, for each order.
    func testNodeIgnitionsFollowTheRackStart() throws {
        let units = [5, 1], names = ["upper", "lower"]
        let expected: [String: [[Double]]] = [
            // per rack A01, A02, B01, B02: (upper, lower); bottom-up: lower first.
            "rack-by-rack": [[1.5, 1], [5.5, 5], [9.5, 9], [13.5, 13]],
            "row-by-row": [[1.5, 1], [1.5, 1], [5.5, 5], [5.5, 5]],
            "from-aisle-end": [[5.5, 5], [1.5, 1], [5.5, 5], [1.5, 1]],
            "together": [[1.5, 1], [1.5, 1], [1.5, 1], [1.5, 1]],
        ]
        for (order, want) in expected {
            let delay = order == "together" ? "" : ", delay: 4"
            let s = try scenario("{racks: {order: \(order)\(delay)}, nodes: {order: bottom-up, delay: 0.5}}")
            let t0 = try RackStarts.offsetsS(s.rackCascade, racks: Self.room)
            let got = try t0.map { try LoadTimeline(s, units: units, names: names, rackStartS: $0).ignitionS }
            XCTAssertEqual(got, want, order)
        }
        // A rack that never starts keeps every node idle.
        let s = try scenario("{racks: {order: [A02], delay: 3}, nodes: {order: top-down, delay: 0.5}}")
        let t0 = try RackStarts.offsetsS(s.rackCascade, racks: Self.room)
        XCTAssertEqual(try LoadTimeline(s, units: units, names: names, rackStartS: t0[1]).ignitionS, [1, 1.5])
        let never = try LoadTimeline(s, units: units, names: names, rackStartS: t0[0])
        XCTAssertEqual(never.ignitionS, [.infinity, .infinity])
        XCTAssertEqual(never.utilisation(node: 0, timeS: 59), s.load.idle)
    }
}
