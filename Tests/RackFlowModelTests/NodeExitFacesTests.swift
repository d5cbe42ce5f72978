import XCTest
@testable import RackFlowModel

final class NodeExitFacesTests: XCTestCase {
    /// A rear vent behind the PSU's grille: the grille, placed later, shares faces 3 and 4 with
    /// the vent, and each plane keeps its own list. The node's exits give every face once, so
    /// its outlet temperature counts that air and heat once.
    func testOverlappingExitsGiveEachFaceOnce() {
        func plane(_ axis: Int, _ faces: [Int]) -> VoxelPlaneFaces {
            VoxelPlaneFaces(
                axis: axis, faces: faces, requestedPositionM: 0, snappedPositionM: 0, flowAreaM2: 0,
                requestedAreaM2: 0)
        }
        let report = VoxelReport(
            cellCounts: [:], boxCells: [:],
            planeFaces: [
                "n1/vent": plane(1, [1, 2, 3, 4]), "n1/psu/grille": plane(1, [3, 4, 5]), "n1/side": plane(0, [3]),
            ])
        let node = RackLayout.NodeInfo(
            name: "n1", type: "t", unit: 1, lo: (0, 0, 0), hi: (1, 1, 1), frontPlane: "n1/front",
            exitPlanes: ["n1/vent", "n1/psu/grille", "n1/side", "n1/missing"], dcPowerW: 0, heatW: 0, gpuCount: 0,
            hasNIC: false)
        let exits = node.exitFaces(report)
        XCTAssertEqual(exits.map(\.axis), [1, 1, 0])
        XCTAssertEqual(exits.map(\.faces), [[1, 2, 3, 4], [5], [3]], "a face shared along one axis counts once")
    }
}
