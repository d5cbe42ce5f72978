import XCTest

@testable import RackFlowExport

/// The 8 moments of the room preview are spread evenly over the frames, both ends included.
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
    }
}
