import XCTest
import RackFlowNumerics

final class GridTests: XCTestCase {
    func testAxesAndIndexing() {
        let a = Axis(faces: [0, 0.1, 0.15, 0.35, 1.0])
        XCTAssertEqual(a.count, 4)
        XCTAssertEqual(a.widths[2], 0.2, accuracy: 1e-15)
        XCTAssertEqual(a.centres[1], 0.125, accuracy: 1e-15)
        XCTAssertEqual(a.cell(containing: 0.3), 2)
        XCTAssertEqual(a.cell(containing: -1), 0)
        XCTAssertEqual(a.cell(containing: 2), 3)
        let g = Grid(x: a, y: .uniform(3, to: 0.3), z: .clustered(5, to: 2, strength: 1.5))
        XCTAssertEqual(g.cellCount, 60)
        let c = g.index(3, 2, 4)
        XCTAssertTrue(g.ijk(c) == (3, 2, 4))
        XCTAssertEqual(g.z.upper, 2, accuracy: 1e-14)
        XCTAssertGreaterThan(g.z.widths[2], g.z.widths[0]) // clustered toward the ends
    }

    func testStaggeredFieldsConserveMass() {
        let g = Grid(x: .uniform(4, to: 1), y: .clustered(3, to: 1, strength: 1), z: .uniform(2, to: 0.5))
        var vel = StaggeredVelocity(g)
        XCTAssertEqual(vel.u.values.count, 5 * 3 * 2)
        XCTAssertEqual(vel.v.values.count, 4 * 4 * 2)
        XCTAssertEqual(vel.w.values.count, 4 * 3 * 3)
        // A uniform stream through the box: every cell's net outflow is zero.
        for i in 0..<vel.u.values.count { vel.u.values[i] = 2 }
        for i in 0..<3 {
            for j in 0..<3 { for k in 0..<2 { XCTAssertEqual(vel.netOutflow(i, j, k), 0, accuracy: 1e-15) } }
        }
        vel.u[2, 1, 1] = 3
        XCTAssertEqual(vel.netOutflow(1, 1, 1), 1 * vel.u.area(2, 1, 1), accuracy: 1e-15)
    }

    func testTags() {
        var t = GridTags(Grid.uniform(10, 10, 10, size: (1, 1, 1)))
        t.fill(.solid, lo: (0.2, 0.2, 0.2), hi: (0.4, 0.6, 0.5))
        XCTAssertEqual(t.count(of: .solid), 2 * 4 * 3)
        t.fill(.porous, lo: (0.8, 0, 0), hi: (1, 1, 1))
        XCTAssertEqual(t.count(of: .porous), 200)
        XCTAssertEqual(t.faces[0].count, 11 * 100)
    }
}
