import XCTest
import RackFlowModel

final class ModelTests: XCTestCase {
    func testModuleLoads() { XCTAssertFalse(RackFlowModel.version.isEmpty) }
}
