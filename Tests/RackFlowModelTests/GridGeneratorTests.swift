import XCTest
@testable import RackFlowModel
import RackFlowNumerics

final class GridGeneratorTests: XCTestCase {
    let c = GridConstraints(maxSpacingM: 0.02, maxNeighbourRatio: 1.3, minCellsAcrossPart: 2, minSpacingM: 0.5e-3)

    /// Spacing and ratio limits on one axis.
    func checkLimits(_ a: Axis, _ c: GridConstraints, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertLessThanOrEqual(a.widths.max()!, c.maxSpacingM * (1 + 1e-12), "max width", file: file, line: line)
        for i in 1..<max(1, a.count) {
            let r = max(a.widths[i] / a.widths[i - 1], a.widths[i - 1] / a.widths[i])
            XCTAssertLessThanOrEqual(r, c.maxNeighbourRatio + 1e-9, "ratio at face \(i)", file: file, line: line)
        }
    }
    func distanceToLine(_ x: Double, _ a: Axis) -> Double { a.faces.map { abs($0 - x) }.min()! }
    func cellsInside(_ p: (Double, Double), _ a: Axis) -> Int { a.centres.filter { $0 > p.0 && $0 < p.1 }.count }

    func testEdgesLandOnLines() throws {
        let edges = [0.05, 0.051, 0.0512, 0.3, 0.7333, 0.9, 1.19999, -0.2, 1.5]
        let a = try GridGenerator.axis(lower: 0, upper: 1.2, edges: edges, parts: [], constraints: c)
        XCTAssertEqual(a.lower, 0)
        XCTAssertEqual(a.upper, 1.2)
        // Exact (not merged): these are ≥ minSpacing from every earlier kept line.
        for e in [0.05, 0.051, 0.3, 0.7333, 0.9] { XCTAssertLessThanOrEqual(distanceToLine(e, a), 1e-12, "edge \(e)") }
        // Merged: 0.0512 into 0.051, 1.19999 into the domain end.
        XCTAssertFalse(a.faces.contains(0.0512))
        XCTAssertLessThan(distanceToLine(0.0512, a), c.minSpacingM)
        XCTAssertFalse(a.faces.contains(1.19999))
        XCTAssertLessThan(distanceToLine(1.19999, a), c.minSpacingM)
        checkLimits(a, c)
    }

    func testMergeKeepsFirstAndIsWithinMinSpacing() throws {
        var cc = c
        cc.minSpacingM = 2e-3
        let a = try GridGenerator.axis(lower: 0, upper: 1.2, edges: [0.051, 0.05], parts: [], constraints: cc)
        XCTAssertLessThanOrEqual(distanceToLine(0.05, a), 1e-12)
        XCTAssertFalse(a.faces.contains(0.051))
        XCTAssertLessThanOrEqual(distanceToLine(0.051, a), cc.minSpacingM)
        checkLimits(a, cc)
    }

    func testPartsGetMinCells() throws {
        var cc = c
        cc.minCellsAcrossPart = 4
        let parts = [(0.1, 0.14), (0.3, 0.301), (0.5, 0.9), (0.62, 0.66)] // overlapping parts too
        let a = try GridGenerator.axis(lower: 0, upper: 1.2, edges: [0.12], parts: parts, constraints: cc)
        for p in parts {
            XCTAssertGreaterThanOrEqual(cellsInside(p, a), 4, "part \(p)")
            XCTAssertLessThanOrEqual(distanceToLine(p.0, a), 1e-12)
            XCTAssertLessThanOrEqual(distanceToLine(p.1, a), 1e-12)
        }
        checkLimits(a, cc)
    }

    func testRealisticRackDepth() throws {
        // 1 mm sheets at 0.05 and 0.051, a 40 mm card at 0.4…0.44.
        let edges = [0.05, 0.051]
        let card = (0.4, 0.44)
        let kept = try GridGenerator.axis(lower: 0, upper: 1.2, edges: edges, parts: [card], constraints: c)
        var coarse = c
        coarse.minSpacingM = 2e-3
        let merged = try GridGenerator.axis(lower: 0, upper: 1.2, edges: edges, parts: [card], constraints: coarse)
        print("rack depth 1.2 m: \(kept.count) cells with both sheets kept, \(merged.count) with sheets merged")
        for a in [kept, merged] {
            checkLimits(a, c)
            XCTAssertGreaterThanOrEqual(cellsInside(card, a), 2)
        }
        XCTAssertLessThanOrEqual(distanceToLine(0.051, kept), 1e-12)
        XCTAssertFalse(merged.faces.contains(0.051))
        XCTAssertLessThan(kept.count, 150)
        XCTAssertLessThan(merged.count, 150)
        XCTAssertGreaterThanOrEqual(kept.count, 60) // 1.2 / 0.02
        XCTAssertEqual(GridGenerator.snap(0.0507, to: kept).position, 0.051)
    }

    func testRack3D() throws {
        let boxes: [((Double, Double, Double), (Double, Double, Double))] = [
            ((0.05, 0.10, 0.20), (0.55, 0.90, 0.244)), // a 1U-ish node
            ((0.05, 0.10, 0.30), (0.55, 0.90, 0.388)), // a 2U node
            ((0.20, 0.40, 0.244), (0.24, 0.70, 0.29)), // a 40 mm card standing up
            ((0.0, 1.15, 0.0), (0.6, 1.2, 2.0)), // rear door heat exchanger
        ]
        let planes: [(axis: Int, position: Double)] = [(1, 0.05), (1, 0.051), (2, 1.0), (0, 0.3)]
        let g = try GridGenerator.grid(
            domainLo: (0, 0, 0), domainHi: (0.6, 1.2, 2.0), boxes: boxes, planes: planes, constraints: c)
        print("rack 3D 0.6×1.2×2.0 m: \(g.nx) × \(g.ny) × \(g.nz) = \(g.cellCount) cells")
        for a in 0..<3 { checkLimits(g.axis(a), c) }
        XCTAssertLessThan(g.cellCount, 1_000_000)
        XCTAssertGreaterThanOrEqual(g.cellCount, 30 * 60 * 100)
        for b in boxes {
            for (a, lo, hi) in [(0, b.0.0, b.1.0), (1, b.0.1, b.1.1), (2, b.0.2, b.1.2)] {
                XCTAssertLessThanOrEqual(distanceToLine(lo, g.axis(a)), 1e-12)
                XCTAssertLessThanOrEqual(distanceToLine(hi, g.axis(a)), 1e-12)
                XCTAssertGreaterThanOrEqual(cellsInside((lo, hi), g.axis(a)), 2)
            }
        }
        for p in planes { XCTAssertLessThanOrEqual(distanceToLine(p.position, g.axis(p.axis)), 1e-12) }
    }

    func testManyRandomEdgesHoldLimits() throws {
        var seed: UInt64 = 12345
        func rnd() -> Double {
            seed = seed &* 6364136223846793005 &+ 1442695040888963407
            return Double(seed >> 11) / Double(1 << 53)
        }
        for trial in 0..<30 {
            let edges = (0..<(5 + trial)).map { _ in rnd() * 1.2 }
            let parts = (0..<3).map { _ -> (Double, Double) in
                let x = rnd() * 1.1
                return (x, x + 0.002 + rnd() * 0.1)
            }
            let cc = GridConstraints(
                maxSpacingM: 0.005 + rnd() * 0.05, maxNeighbourRatio: 1.05 + rnd() * 0.5,
                minCellsAcrossPart: Int(rnd() * 5), minSpacingM: 0.2e-3)
            let a = try GridGenerator.axis(lower: 0, upper: 1.2, edges: edges, parts: parts, constraints: cc)
            checkLimits(a, cc)
            for e in edges { XCTAssertLessThan(distanceToLine(e, a), cc.minSpacingM) }
        }
    }

    func expectError(_ key: String, _ body: () throws -> Axis, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try body(), file: file, line: line) { e in
            XCTAssertTrue("\(e)".contains(key), "message '\(e)' should name \(key)", file: file, line: line)
        }
    }

    func testErrors() {
        var z = c
        z.maxSpacingM = 0
        expectError("maxSpacingM") { try GridGenerator.axis(lower: 0, upper: 1, edges: [], parts: [], constraints: z) }
        var r = c
        r.maxNeighbourRatio = 0.9
        expectError("maxNeighbourRatio") {
            try GridGenerator.axis(lower: 0, upper: 1, edges: [], parts: [], constraints: r)
        }
        expectError("edges") {
            try GridGenerator.axis(lower: 0, upper: 1, edges: [.nan], parts: [], constraints: self.c)
        }
        expectError("lower") { try GridGenerator.axis(lower: 1, upper: 1, edges: [], parts: [], constraints: self.c) }
        expectError("upper") { try GridGenerator.axis(lower: 2, upper: 1, edges: [], parts: [], constraints: self.c) }
        var m = c
        m.minCellsAcrossPart = -1
        expectError("minCellsAcrossPart") {
            try GridGenerator.axis(lower: 0, upper: 1, edges: [], parts: [], constraints: m)
        }
    }

    func testDeterministic() throws {
        let edges = [0.05, 0.051, 0.3, 0.3004, 0.77]
        let parts = [(0.4, 0.44), (0.6, 0.95)]
        let a = try GridGenerator.axis(lower: 0, upper: 1.2, edges: edges, parts: parts, constraints: c)
        let b = try GridGenerator.axis(lower: 0, upper: 1.2, edges: edges.reversed(), parts: parts, constraints: c)
        XCTAssertEqual(a.faces, b.faces)
        let a2 = try GridGenerator.axis(lower: 0, upper: 1.2, edges: edges, parts: parts, constraints: c)
        XCTAssertEqual(a.faces, a2.faces)
    }

    func testSnapAndCodable() throws {
        let a = Axis(faces: [0, 0.01, 0.02, 0.04])
        XCTAssertEqual(GridGenerator.snap(0.012, to: a).index, 1)
        XCTAssertEqual(GridGenerator.snap(0.016, to: a).index, 2)
        XCTAssertEqual(GridGenerator.snap(-1, to: a).index, 0)
        XCTAssertEqual(GridGenerator.snap(9, to: a).position, 0.04)
        let data = try JSONEncoder().encode(c)
        XCTAssertEqual(try JSONDecoder().decode(GridConstraints.self, from: data), c)
    }

    /// A 2.5 cm cap: 0.5 m is exactly 20 of them and 0.3 m exactly 12, but not in doubles.
    let quarter = GridConstraints(
        maxSpacingM: 0.025, maxNeighbourRatio: 1.3,
        minCellsAcrossPart: 2, minSpacingM: 0.5e-3)

    /// 0.8 − 0.5 is 0.30000000000000004 in doubles and 0.30000000000000004 / 0.025 is
    /// 12.000000000000002: an interval twelve caps long must still get twelve cells, not thirteen.
    func testIntervalThatIsAMultipleOfTheCapGetsThatCount() throws {
        let a = try GridGenerator.axis(lower: 0, upper: 0.8, edges: [], parts: [(0, 0.5)], constraints: quarter)
        XCTAssertEqual(cellsInside((0.5, 0.8), a), 12)
        XCTAssertEqual(a.count, 32) // 0.5 / 0.025 + 0.3 / 0.025
        XCTAssertEqual(a.widths.min()!, 0.025, accuracy: 1e-12) // uniform: no squeezed interval
        XCTAssertEqual(a.widths.max()!, 0.025, accuracy: 1e-12)
        checkLimits(a, quarter)
    }

    /// 12.001 caps is not a multiple: it rounds up to 13 cells, each under the cap.
    func testIntervalJustAboveAMultipleOfTheCapRoundsUp() throws {
        let upper = 0.5 + 12.001 * 0.025
        let a = try GridGenerator.axis(lower: 0, upper: upper, edges: [], parts: [(0, 0.5)], constraints: quarter)
        XCTAssertEqual(cellsInside((0.5, upper), a), 13)
        checkLimits(a, quarter)
    }

    /// Twelve caps and 5e-10 more (inside the tolerance): still 12 cells, the excess shared
    /// out, so no cell is wider than the cap by more than the generator's own 1e-9 check allows.
    func testIntervalWithinToleranceSharesTheExcess() throws {
        let upper = 0.5 + 0.3 * (1 + 5e-10)
        let a = try GridGenerator.axis(lower: 0, upper: upper, edges: [], parts: [(0, 0.5)], constraints: quarter)
        XCTAssertEqual(cellsInside((0.5, upper), a), 12)
        XCTAssertLessThanOrEqual(a.widths.max()!, 0.025 * (1 + 1e-9))
    }

    /// The rule itself: within 1e-9 (relative) of an integer is that integer, otherwise round up.
    func testCellCountRule() {
        XCTAssertEqual(GridGenerator.cellCount(12.000000000000002), 12)
        XCTAssertEqual(GridGenerator.cellCount(12 + 1e-8), 12) // 8.3e-10 relative
        XCTAssertEqual(GridGenerator.cellCount(12 + 2e-8), 13) // 1.7e-9 relative
        XCTAssertEqual(GridGenerator.cellCount(12.001), 13)
        XCTAssertEqual(GridGenerator.cellCount(11.999), 12)
        XCTAssertEqual(GridGenerator.cellCount(0.3), 1)
        XCTAssertEqual(GridGenerator.cellCount(1e-20), 1)
    }

    /// A fine zone (a room's racks in its hall): cells inside it at most its spacing, lines at its
    /// ends, graded to the largest spacing away from it under the neighbour ratio.
    func testFineZoneCapsItsCellsAndGradesOut() throws {
        let c = GridConstraints(maxSpacingM: 0.25, maxNeighbourRatio: 1.2, minCellsAcrossPart: 1)
        let a = try GridGenerator.axis(
            lower: 0, upper: 6, edges: [], parts: [], constraints: c, zones: [(2.0, 3.0, 0.05)])
        XCTAssertTrue(a.faces.contains { abs($0 - 2) < 1e-12 })
        XCTAssertTrue(a.faces.contains { abs($0 - 3) < 1e-12 })
        for (i, w) in a.widths.enumerated() where a.centres[i] > 2 && a.centres[i] < 3 {
            XCTAssertLessThanOrEqual(w, 0.05 * (1 + 1e-9))
        }
        XCTAssertEqual(a.widths.max()!, 0.25, accuracy: 0.25 * 0.2)
        XCTAssertLessThanOrEqual(a.maxNeighbourRatio, 1.2 * (1 + 1e-9))
        XCTAssertLessThan(a.count, 60) // graded, not 5 cm everywhere (120 cells)
        XCTAssertThrowsError(
            try GridGenerator.axis(lower: 0, upper: 1, edges: [], parts: [], constraints: c, zones: [(0.5, 0.4, 0.1)]))
    }
}
