import XCTest

@testable import RackFlowExport

/// The 8 moments of the room preview are spread evenly over the frames, both ends included; the
/// chart's ticks are round and labelled with enough decimals; an ignition's frame is the first
/// frame past it, from the frames' own times.
final class RoomSurgePreviewTests: XCTestCase {
    func testMomentsSpreadEvenlyWithBothEnds() {
        XCTAssertEqual(RoomSurgePreview.moments(frames: 241), [0, 34, 69, 103, 137, 171, 206, 240])
        XCTAssertEqual(RoomSurgePreview.moments(frames: 4), [0, 1, 2, 3])
        XCTAssertEqual(RoomSurgePreview.moments(frames: 1), [0])
        XCTAssertEqual(RoomSurgePreview.moments(frames: 8), Array(0..<8))
    }

    func testLineChartTicksAreRound() {
        XCTAssertEqual(LineChart.tickStep(10, count: 5), 2)
        XCTAssertEqual(LineChart.tickStep(0.7, count: 8), 0.1, accuracy: 1e-12)
        XCTAssertEqual(LineChart.tickStep(63, count: 5), 20)
        XCTAssertEqual([20, 1, 0.5, 0.1, 0.05, 0.02].map(LineChart.decimals), [0, 0, 1, 1, 2, 2])
    }

    func testCascadeFramesAreTheFirstFramesPastTheIgnition() {
        let times = (0...4).map { Double($0) * 0.1 }
        let g = RoomSurgeTelemetry.RackIgnition(
            rack: "A01", startS: 0.1, nodes: ["n1", "n2"], ignitionS: [0.1, 3 * 0.1])
        let never = RoomSurgeTelemetry.RackIgnition(rack: "B01", startS: nil, nodes: ["n1"], ignitionS: [nil])
        let late = RoomSurgeTelemetry.RackIgnition(rack: "B02", startS: 0.9, nodes: ["n1"], ignitionS: [0.9])
        let md = RoomSurgeReport.cascade([never, late, g], frameTimesS: times)
        // 0.1 s is frame 1's time: its load shows from frame 2; 3 × 0.1 (0.30000000000000004) too.
        XCTAssertTrue(md.contains("| A01 | 0.10 | 0.10 (2) | 0.30 (4) |"), md)
        XCTAssertTrue(md.contains("| B02 | 0.90 | 0.90 (after the run) | 0.90 (after the run) |"), md)
        XCTAssertTrue(md.contains("| B01 | never | never (–) | never (–) |"), md)
        let rows = md.split(separator: "\n").filter { $0.hasPrefix("| A") || $0.hasPrefix("| B") }
        XCTAssertEqual(rows.map { String($0.prefix(5)) }, ["| A01", "| B02", "| B01"])
    }
}
