import XCTest
import RackFlowPhysics

final class FluidTests: XCTestCase {
    func testAirProperties() {
        let air = Fluid.air
        XCTAssertEqual(air.prandtl, 0.71, accuracy: 0.005)
        XCTAssertEqual(air.kinematicViscosity, 1.512e-5, accuracy: 1e-8)
    }
}
