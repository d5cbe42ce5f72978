import XCTest
import RackFlowModel
import RackFlowNumerics

final class VoxeliserTests: XCTestCase {
    /// 8 × 8 × 8 cells of 0.125 m on a 1 m cube: every face and centre is exact in binary.
    let grid = Grid.uniform(8, 8, 8, size: (1, 1, 1))

    /// Runs `body`, expects an `InputError` naming `object` whose description contains `phrase`.
    func expectError(
        _ object: String, _ phrase: String, file: StaticString = #filePath, line: UInt = #line,
        _ body: () throws -> Void
    ) {
        do {
            try body()
            XCTFail("expected an error for \(object)", file: file, line: line)
        } catch let e as InputError {
            XCTAssertEqual(e.keyPath, object, file: file, line: line)
            XCTAssertTrue(e.description.contains(object), "\(e)", file: file, line: line)
            XCTAssertTrue(e.description.contains(phrase), "'\(phrase)' missing from: \(e)", file: file, line: line)
        } catch {
            XCTFail("unexpected error \(error)", file: file, line: line)
        }
    }

    func testBoxCellCounts() throws {
        var tags = GridTags(grid)
        let boxes = [
            VoxelBox(name: "gpu", lo: (0.25, 0, 0), hi: (0.625, 1, 0.375), tag: .solid), // 3 × 8 × 3
            VoxelBox(name: "fins", lo: (0, 0.5, 0.5), hi: (0.25, 0.75, 1), tag: .porous), // 2 × 2 × 4
        ]
        let r = try Voxeliser.apply(boxes: boxes, planes: [], to: &tags)
        XCTAssertEqual(r.cellCounts[.solid], 72)
        XCTAssertEqual(r.cellCounts[.porous], 16)
        XCTAssertEqual(r.cellCounts[.fluid], 512 - 72 - 16)
        XCTAssertEqual(tags.count(of: .solid), 72)
        XCTAssertEqual(r.boxCells["gpu"]?.count, 72)
        XCTAssertEqual(r.boxCells["fins"]?.count, 16)
        for c in r.boxCells["gpu"]! {
            let (i, j, k) = grid.ijk(c)
            XCTAssertTrue((2...4).contains(i) && (0...7).contains(j) && (0...2).contains(k), "cell \(i),\(j),\(k)")
        }
        XCTAssertTrue(r.planeFaces.isEmpty)
    }

    func testLaterBoxesOverride() throws {
        let a = VoxelBox(name: "chassis", lo: (0, 0, 0), hi: (0.5, 0.5, 0.5), tag: .solid) // 64 cells
        let b = VoxelBox(name: "filter", lo: (0.25, 0.25, 0.25), hi: (0.75, 0.75, 0.75), tag: .porous) // 64, 8 shared
        var t1 = GridTags(grid)
        let r1 = try Voxeliser.apply(boxes: [a, b], planes: [], to: &t1)
        XCTAssertEqual(r1.cellCounts[.solid], 56)
        XCTAssertEqual(r1.cellCounts[.porous], 64)
        XCTAssertEqual(r1.boxCells["chassis"]?.count, 64) // claimed, even where overridden
        XCTAssertEqual(t1.cells[grid.index(3, 3, 3)], .porous)
        var t2 = GridTags(grid)
        let r2 = try Voxeliser.apply(boxes: [b, a], planes: [], to: &t2)
        XCTAssertEqual(r2.cellCounts[.solid], 64)
        XCTAssertEqual(r2.cellCounts[.porous], 56)
        XCTAssertEqual(t2.cells[grid.index(3, 3, 3)], .solid)
    }

    func testPlaneOnGridLineIsExact() throws {
        var tags = GridTags(grid)
        let p = VoxelPlane(name: "panel", axis: 1, positionM: 0.375, lo: (0.25, 0), hi: (0.75, 0.5), tag: .wall)
        let r = try Voxeliser.apply(boxes: [], planes: [p], to: &tags)
        let f = try XCTUnwrap(r.planeFaces["panel"])
        XCTAssertEqual(f.axis, 1)
        XCTAssertEqual(f.snappedPositionM, 0.375)
        XCTAssertEqual(f.requestedPositionM, 0.375)
        XCTAssertEqual(f.flowAreaM2, 0.25)
        XCTAssertEqual(f.requestedAreaM2, 0.25)
        XCTAssertEqual(f.faces.count, 16)
        XCTAssertEqual(tags.faces[1].filter { $0 == .wall }.count, 16)
        XCTAssertEqual(tags.faces[0].filter { $0 != .open }.count + tags.faces[2].filter { $0 != .open }.count, 0)
        // The faces are the y-faces at line j = 3 with x cells 2…5 and z cells 0…3.
        var expected: [Int] = []
        for k in 0...3 { for i in 2...5 { expected.append(tags.faceIndex(axis: 1, i, 3, k)) } }
        XCTAssertEqual(Set(f.faces), Set(expected))
        XCTAssertEqual(r.cellCounts[.fluid], 512)
    }

    func testPlaneBetweenLinesSnapsToNearest() throws {
        var tags = GridTags(grid)
        let planes = [
            // y = 0.4 lies 0.025 from line 0.375 and 0.1 from 0.5. x (0.3, 0.7) holds 4 centres, z (0, 0.5) 4.
            VoxelPlane(name: "grille", axis: 1, positionM: 0.4, lo: (0.3, 0), hi: (0.7, 0.5), tag: .porousSheet),
            // x = 0.9 → 0.875 (line 7); rectangle in (y, z).
            VoxelPlane(name: "fan", axis: 0, positionM: 0.9, lo: (0, 0.25), hi: (0.25, 1), tag: .fan),
            // z = 0.56 → 0.5 (line 4); rectangle in (x, y).
            VoxelPlane(name: "shelf", axis: 2, positionM: 0.56, lo: (0, 0), hi: (1, 0.125), tag: .wall),
        ]
        let r = try Voxeliser.apply(boxes: [], planes: planes, to: &tags, maxSnapDistanceM: 0.07)
        let g = try XCTUnwrap(r.planeFaces["grille"])
        XCTAssertEqual(g.requestedPositionM, 0.4)
        XCTAssertEqual(g.snappedPositionM, 0.375)
        XCTAssertEqual(g.flowAreaM2, 0.25, accuracy: 1e-15)
        XCTAssertEqual(g.requestedAreaM2, 0.2, accuracy: 1e-15)
        XCTAssertEqual(g.faces.count, 16)
        XCTAssertEqual(tags.faces[1][tags.faceIndex(axis: 1, 2, 3, 0)], .porousSheet)
        XCTAssertEqual(tags.faces[1][tags.faceIndex(axis: 1, 2, 4, 0)], .open)

        let fan = try XCTUnwrap(r.planeFaces["fan"])
        XCTAssertEqual(fan.snappedPositionM, 0.875)
        XCTAssertEqual(fan.flowAreaM2, 0.25 * 0.75, accuracy: 1e-15)
        XCTAssertEqual(fan.faces.count, 2 * 6)
        XCTAssertEqual(tags.faces[0][tags.faceIndex(axis: 0, 7, 1, 2)], .fan)
        XCTAssertEqual(tags.faces[0][tags.faceIndex(axis: 0, 7, 2, 2)], .open)

        let shelf = try XCTUnwrap(r.planeFaces["shelf"])
        XCTAssertEqual(shelf.snappedPositionM, 0.5)
        XCTAssertEqual(shelf.flowAreaM2, 0.125, accuracy: 1e-15)
        XCTAssertEqual(shelf.faces.count, 8)
        XCTAssertEqual(tags.faces[2][tags.faceIndex(axis: 2, 5, 0, 4)], .wall)
        XCTAssertEqual(tags.faces[2].filter { $0 == .wall }.count, 8)
    }

    func testErrorsNameTheObject() {
        func box(_ name: String, _ lo: (Double, Double, Double), _ hi: (Double, Double, Double)) throws {
            var t = GridTags(grid)
            _ = try Voxeliser.apply(boxes: [VoxelBox(name: name, lo: lo, hi: hi, tag: .solid)], planes: [], to: &t)
        }
        func plane(
            _ name: String, axis: Int = 1, _ pos: Double, _ lo: (Double, Double), _ hi: (Double, Double),
            maxSnap: Double? = nil
        ) throws {
            var t = GridTags(grid)
            _ = try Voxeliser.apply(
                boxes: [], planes: [VoxelPlane(name: name, axis: axis, positionM: pos, lo: lo, hi: hi, tag: .wall)],
                to: &t, maxSnapDistanceM: maxSnap)
        }
        expectError("psu", "partly outside") { try box("psu", (-0.1, 0, 0), (0.5, 0.5, 0.5)) }
        expectError("psu", "partly outside") { try box("psu", (0, 0, 0.5), (0.5, 0.5, 1.2)) }
        expectError("ghost", "entirely outside") { try box("ghost", (1.5, 0, 0), (2, 0.5, 0.5)) }
        expectError("flat", "empty box") { try box("flat", (0.2, 0, 0), (0.2, 0.5, 0.5)) }
        expectError("flat", "empty box") { try box("flat", (0, 0.6, 0), (0.5, 0.5, 0.5)) }
        expectError("foil", "too thin") { try box("foil", (0.26, 0, 0), (0.3, 0.5, 0.5)) }
        expectError("nan box", "finite") { try box("nan box", (.nan, 0, 0), (0.5, 0.5, 0.5)) }
        expectError("door", "entirely outside") { try plane("door", 1.5, (0, 0), (1, 1)) }
        expectError("door", "entirely outside") { try plane("door", 0.5, (1.1, 0), (1.5, 1)) }
        expectError("door", "partly outside") { try plane("door", 0.5, (-0.1, 0), (0.5, 1)) }
        expectError("mesh", "spacing too coarse") { try plane("mesh", 0.43, (0, 0), (1, 1), maxSnap: 0.01) }
        expectError("strip", "covers no face") { try plane("strip", 0.5, (0.2, 0), (0.3, 1)) }
        expectError("sliver", "empty rectangle") { try plane("sliver", 0.5, (0.5, 0), (0.5, 1)) }
        expectError("inf plane", "finite") { try plane("inf plane", .infinity, (0, 0), (1, 1)) }
        expectError("twisted", "axis") { try plane("twisted", axis: 3, 0.5, (0, 0), (1, 1)) }

        // A failed call leaves the tags untouched.
        var t = GridTags(grid)
        XCTAssertThrowsError(
            try Voxeliser.apply(
                boxes: [
                    VoxelBox(name: "ok", lo: (0, 0, 0), hi: (0.5, 0.5, 0.5), tag: .solid),
                    VoxelBox(name: "bad", lo: (0, 0, 0), hi: (2, 0.5, 0.5), tag: .solid),
                ],
                planes: [], to: &t))
        XCTAssertEqual(t.count(of: .fluid), 512)
    }

    func testOverlapsFindsIntersectingSolidsOnly() {
        let boxes = [
            VoxelBox(name: "a", lo: (0, 0, 0), hi: (0.5, 0.5, 0.5), tag: .solid),
            VoxelBox(name: "b", lo: (0.4, 0.4, 0.4), hi: (0.6, 0.6, 0.6), tag: .solid), // overlaps a
            VoxelBox(name: "c", lo: (0.5, 0, 0), hi: (1, 0.5, 0.5), tag: .solid), // shares a's x = 0.5 face; overlaps b
            // touches a at a corner; overlaps b
            VoxelBox(name: "d", lo: (0.5, 0.5, 0.5), hi: (0.7, 0.7, 0.7), tag: .solid),
            VoxelBox(name: "e", lo: (0, 0, 0), hi: (1, 1, 1), tag: .porous), // not solid
            VoxelBox(name: "f", lo: (0.1, 0.1, 0.1), hi: (0.2, 0.2, 0.2), tag: .fluid), // not solid
        ]
        let pairs = Voxeliser.overlaps(boxes).map { "\($0.0)-\($0.1)" }
        XCTAssertEqual(Set(pairs), ["a-b", "b-c", "b-d"])
        XCTAssertEqual(pairs.count, 3)
        XCTAssertTrue(Voxeliser.overlaps([boxes[0], boxes[2]]).isEmpty)
    }

    /// Boxes with awkward edges on a generated non-uniform grid land exactly on cell faces.
    func testGeneratedGridVoxelisesBoxVolumesExactly() throws {
        let specs: [(String, (Double, Double, Double), (Double, Double, Double), CellTag)] = [
            ("gpu0", (0.0131, 0.0517, 0.0213), (0.1443, 0.3011, 0.0437), .solid),
            ("heatsink", (0.0291, 0.0701, 0.0437), (0.1203, 0.2377, 0.0889), .porous),
            ("psu", (0.3117, 0.4123, 0.0071), (0.4319, 0.5931, 0.0823), .solid),
        ]
        let c = GridConstraints(maxSpacingM: 0.02, maxNeighbourRatio: 1.3, minCellsAcrossPart: 2, minSpacingM: 0.5e-3)
        let g = try GridGenerator.grid(
            domainLo: (0, 0, 0), domainHi: (0.45, 0.6, 0.1),
            boxes: specs.map { ($0.1, $0.2) }, planes: [], constraints: c)
        XCTAssertGreaterThan(g.x.maxNeighbourRatio, 1.01) // really non-uniform
        var tags = GridTags(g)
        let boxes = specs.map { VoxelBox(name: $0.0, lo: $0.1, hi: $0.2, tag: $0.3) }
        let r = try Voxeliser.apply(boxes: boxes, planes: [], to: &tags)
        for b in boxes {
            let cells = try XCTUnwrap(r.boxCells[b.name])
            let vol = cells.reduce(0.0) { s, cell in
                let (i, j, k) = g.ijk(cell)
                return s + g.volume(i, j, k)
            }
            let exact = (b.hi.0 - b.lo.0) * (b.hi.1 - b.lo.1) * (b.hi.2 - b.lo.2)
            XCTAssertEqual(vol, exact, accuracy: 1e-12, b.name)
        }
        XCTAssertTrue(Voxeliser.overlaps(boxes).isEmpty) // gpu0 and heatsink only share the z = 0.0437 face
    }
}
