import XCTest
import Foundation
import RackFlowModel
import RackFlowNumerics
import RackFlowPhysics

/// `GenericCase.yaml()` reads back to the same case; `validate()` checks cases built in code.
final class GenericCaseWriterTests: XCTestCase {
    static let example = CaseTests.casesDir.appendingPathComponent("duct-with-sheet.yaml").path

    /// Writes `c`, parses the text, and checks both compile to the same `FlowCase`.
    @discardableResult
    func assertRoundTrip(
        _ c: GenericCase, file: StaticString = #filePath, line: UInt = #line
    ) throws -> (String, GenericCase) {
        let text = c.yaml()
        let back: GenericCase
        do { back = try GenericCase.parse(yaml: text, file: "written.yaml") } catch {
            XCTFail("written case does not parse: \(error)\n\(text)", file: file, line: line)
            throw error
        }
        // Item comments do not survive parsing; everything else is a fixed point.
        func body(_ t: String) -> [Substring] {
            t.split(separator: "\n").filter { !$0.hasPrefix("#") && !$0.hasPrefix("  #") }
        }
        XCTAssertEqual(body(back.yaml()), body(text), "writing is a fixed point", file: file, line: line)
        let (a, oa, ra) = try c.compile()
        let (b, ob, rb) = try back.compile()
        XCTAssertEqual(a.grid.cellCount, b.grid.cellCount, file: file, line: line)
        for ax in 0..<3 {
            XCTAssertEqual(a.grid.axis(ax).faces, b.grid.axis(ax).faces, file: file, line: line)
            XCTAssertEqual(a.grid.axis(ax).widths, b.grid.axis(ax).widths, file: file, line: line)
        }
        XCTAssertEqual(a.grid, b.grid, file: file, line: line)
        XCTAssertEqual(a.tags.cells, b.tags.cells, file: file, line: line)
        XCTAssertEqual(a.tags.faces, b.tags.faces, file: file, line: line)
        XCTAssertEqual(ra.cellCounts, rb.cellCounts, file: file, line: line)
        XCTAssertEqual(a.sheetZeta, b.sheetZeta, file: file, line: line)
        XCTAssertEqual(a.porous, b.porous, file: file, line: line)
        XCTAssertEqual(a.heatW.count, b.heatW.count, file: file, line: line)
        XCTAssertEqual(a.heatW.reduce(0, +), b.heatW.reduce(0, +), accuracy: 1e-12, file: file, line: line)
        XCTAssertEqual(a.fluid, b.fluid, file: file, line: line)
        XCTAssertEqual(a.gravity, b.gravity, file: file, line: line)
        XCTAssertEqual(a.solveEnergy, b.solveEnergy, file: file, line: line)
        XCTAssertEqual(a.initialTemperatureC, b.initialTemperatureC, file: file, line: line)
        XCTAssertEqual("\(a.turbulence)", "\(b.turbulence)", file: file, line: line)
        XCTAssertEqual(Set(a.sides.keys), Set(b.sides.keys), file: file, line: line)
        for s in a.sides.keys { XCTAssertEqual("\(a.sides[s]!)", "\(b.sides[s]!)", file: file, line: line) }
        // Fans: same faces and the same curve (checked on the compiled closures across flows).
        XCTAssertEqual(a.fans.map(\.name), b.fans.map(\.name), file: file, line: line)
        for (fa, fb) in zip(a.fans, b.fans) {
            XCTAssertEqual(fa.faces, fb.faces, file: file, line: line)
            XCTAssertEqual(fa.direction, fb.direction, file: file, line: line)
            for q in stride(from: -0.01, through: 0.05, by: 0.0025) {
                XCTAssertEqual(fa.pressureRise(q), fb.pressureRise(q), file: file, line: line)
            }
        }
        for (pa, pb) in zip(c.planes, back.planes) {
            if case let .fan(ca, ra, da) = pa.kind, case let .fan(cb, rb, db) = pb.kind {
                XCTAssertEqual(ca, cb, file: file, line: line)
                XCTAssertEqual(ra, rb, file: file, line: line)
                XCTAssertEqual(da, db, file: file, line: line)
            }
        }
        XCTAssertEqual(a.patches.count, b.patches.count, file: file, line: line)
        XCTAssertEqual(a.boundaryFacesDescription, b.boundaryFacesDescription, file: file, line: line)
        for (pa, pb) in zip(a.patches, b.patches) {
            XCTAssertEqual(pa.name, pb.name, file: file, line: line)
            XCTAssertEqual(pa.side, pb.side, file: file, line: line)
            XCTAssertEqual("\(pa.kind)", "\(pb.kind)", file: file, line: line)
        }
        XCTAssertEqual(oa.maxIterations, ob.maxIterations, file: file, line: line)
        XCTAssertEqual(oa.tolerance, ob.tolerance, file: file, line: line)
        XCTAssertEqual(oa.velocityRelaxation, ob.velocityRelaxation, file: file, line: line)
        XCTAssertEqual(oa.steadyVelocityRelaxation, ob.steadyVelocityRelaxation, file: file, line: line)
        XCTAssertEqual(oa.pseudoCourantMax, ob.pseudoCourantMax, file: file, line: line)
        XCTAssertEqual(oa.pressureRelaxation, ob.pressureRelaxation, file: file, line: line)
        XCTAssertEqual(oa.temperatureRelaxation, ob.temperatureRelaxation, file: file, line: line)
        XCTAssertEqual(oa.momentumSweeps, ob.momentumSweeps, file: file, line: line)
        XCTAssertEqual(oa.energySweeps, ob.energySweeps, file: file, line: line)
        XCTAssertEqual(oa.secondOrder, ob.secondOrder, file: file, line: line)
        return (text, back)
    }

    func testExampleRoundTrips() throws {
        let c = try GenericCase.load(path: Self.example)
        let (text, back) = try assertRoundTrip(c)
        print(text)
        XCTAssertTrue(text.hasPrefix("# generic case compiled from \(Self.example)\n"))
        XCTAssertEqual(back.name, "duct-with-sheet")
        // Short numbers, the sheet as its ζ, the fan as its table, a whole-side patch without bounds.
        XCTAssertTrue(text.contains("maxSpacing: 0.025,"), text)
        XCTAssertTrue(text.contains("- {name: block, lo: [0.3, 0, 0], hi: [0.4, 0.1, 0.05], kind: solid}"), text)
        XCTAssertTrue(text.contains("kind: sheet, zeta: "), text)
        XCTAssertTrue(
            text.contains(
                "curve: {flow: [0, 0.01, 0.02], pressure: [75, 50, 0], rpm: 3000, stoppedLossCoefficient: 2}"), text)
        XCTAssertTrue(
            text.contains("- {name: out, side: east, kind: outlet, pressure: 0, backflowTemperature: 20}"), text)
        XCTAssertFalse(text.contains("inf"), text)
    }

    /// Every feature, built in code (as the rack compiler does), with item comments.
    func testCaseBuiltInCodeRoundTrips() throws {
        let n = { (k: String) in ConfigNode.anchor(file: "rack.yaml", keyPath: k, line: 3) }
        let curve = try FanCurve(
            flowM3PerS: [0, 0.004, 0.009, 0.0137], pressurePa: [61.3, 44.1, 20.7, 0],
            referenceRPM: 4200, stoppedLossCoefficient: 1.7)
        var fluid = Fluid()
        fluid.densityKgPerM3 = 1.1
        fluid.viscosityPaS = 1.9e-5
        fluid.conductivityWPerMK = 0.027
        fluid.specificHeatJPerKgK = 1007.5
        fluid.expansionPerK = 1 / 300.15
        fluid.referenceTemperatureC = 25
        var options = SimpleOptions()
        options.maxIterations = 321
        options.tolerance = 3e-7
        options.velocityRelaxation = 0.7
        options.steadyVelocityRelaxation = 0.95
        options.pseudoCourantMax = 250
        options.pressureRelaxation = 0.95
        options.temperatureRelaxation = 0.8
        options.momentumSweeps = 0
        options.energySweeps = 6
        options.secondOrder = false
        let c = GenericCase(
            name: "server 1: \"front\"", file: "rack.yaml", size: (0.6, 0.3, 0.1),
            constraints: GridConstraints(
                maxSpacingM: 0.02, maxNeighbourRatio: 1.25, minCellsAcrossPart: 2, minSpacingM: 1e-4),
            fluid: fluid, gravity: true, energy: true, turbulence: .mixingLength(deltaM: 0.07),
            initialTemperatureC: 22.5,
            sides: [
                .bottom: .symmetry, .top: .wall(velocityMPerS: (0.1, 0, 0), thermal: .temperatureC(35.25)),
                .south: .wall(), .north: .wall(thermal: .temperatureC(18)),
            ],
            boxes: [
                .init(
                    name: "psu", lo: (0.1, 0, 0), hi: (0.2, 0.1, 0.1), kind: .solid, comment: "node server1\npart psu",
                    node: n("nodes[0]")),
                .init(
                    name: "sink", lo: (0.3, 0.1, 0), hi: (0.4, 0.2, 0.1), kind: .porous,
                    porous: PorousCoefficients(inverseKPerM2: (1e6, 2.5e7, 2.5e7), c2PerM: (12.5, 300, 300)),
                    powerW: 45.5,
                    node: n("nodes[1]")),
                .init(
                    name: "cpu", lo: (0.3, 0.2, 0), hi: (0.35, 0.25, 0.1), kind: .heat, powerW: 100 / 3,
                    node: n("nodes[2]")),
            ],
            planes: [
                .init(
                    name: "fans", axis: 0, position: 0.05, lo: (0, 0), hi: (0.3, 0.1),
                    kind: .fan(curve: curve, rpm: 3900, direction: 1),
                    comment: "fan wall", node: n("fans")),
                .init(
                    name: "grille", axis: 0, position: 0.55, kind: .sheet(zeta: 2.345678901234567), node: n("grille")),
                .init(
                    name: "divider", axis: 1, position: 0.15, lo: (0.45, 0), hi: (0.5, 0.1), kind: .wall,
                    node: n("divider")),
                .init(
                    name: "back fan", axis: 2, position: 0.05, lo: (0.5, 0), hi: (0.6, 0.1),
                    kind: .fan(curve: curve, rpm: 0, direction: -1), node: n("backfan")),
            ],
            patches: [
                .init(
                    patch: Patch(
                        name: "cold", side: .west, lo: (0, 0), hi: (0.15, 0.1),
                        kind: .velocityInlet(speedMPerS: 0.8, temperatureC: 19)),
                    comment: "cold aisle", node: n("cold")),
                .init(
                    patch: Patch(
                        name: "supply", side: .west, lo: (0.15, -.infinity), hi: (.infinity, .infinity),
                        kind: .flowInlet(flowM3PerS: 0.0012, temperatureC: 17.5)), node: n("supply")),
                .init(
                    patch: .whole("hot", .east, .pressureOutlet(pressurePa: -1.5, backflowTemperatureC: 30)),
                    node: n("hot")),
                .init(
                    patch: Patch(
                        name: "blower", side: .bottom, lo: (0.5, 0.2), hi: (0.6, 0.3),
                        kind: .fanInlet(curve: curve, rpm: 4000, plenumPressurePa: 2, temperatureC: 21)),
                    node: n("blower")),
            ],
            options: options)
        try c.validate()
        let (text, back) = try assertRoundTrip(c)
        print(text)
        XCTAssertEqual(back.name, c.name)
        XCTAssertTrue(text.contains("  # node server1\n  # part psu\n  - {name: psu,"), text)
        XCTAssertTrue(text.contains("  # cold aisle\n  - {name: cold,"), text)
        XCTAssertTrue(text.contains("zeta: 2.345678901234567}"), text)
        XCTAssertTrue(text.contains("turbulence: {mixingLength: {delta: 0.07}}"), text)
        XCTAssertTrue(text.contains("name: \"server 1: \\\"front\\\"\"\n"), text)
        XCTAssertTrue(text.contains("tolerance: 3e-07,"), text)
        XCTAssertTrue(text.contains("- {name: hot, side: east, kind: outlet, pressure: -1.5,"), text)
        // An open bound becomes the domain's edge.
        XCTAssertTrue(text.contains("- {name: supply, side: west, lo: [0.15, 0], hi: [0.3, 0.1], kind: flow,"), text)
        guard case let .sheet(z) = back.planes[1].kind else { return XCTFail("grille is a sheet") }
        XCTAssertEqual(z, 2.345678901234567)
        XCTAssertEqual(back.boxes[2].powerW, 100 / 3)
    }

    func testConstantEddyViscosityAndClosedRoundTrip() throws {
        let c = GenericCase(
            name: "cavity", file: "c.yaml", size: (0.1, 0.1, 0.1), energy: true,
            turbulence: .constantEddyViscosity(2e-5), closed: true,
            sides: [.west: .wall(thermal: .temperatureC(30)), .east: .wall(thermal: .temperatureC(10))])
        try c.validate()
        try assertRoundTrip(c)
    }

    // MARK: - validate()

    func valid(boxes: [GenericCase.Box] = [], patches: [GenericCase.PatchSpec]? = nil) -> GenericCase {
        let n = ConfigNode.anchor(file: "rack.yaml", keyPath: "patches.out", line: 9)
        return GenericCase(
            name: "v", file: "rack.yaml", size: (1, 1, 1), boxes: boxes,
            patches: patches ?? [
                .init(patch: .whole("out", .east, .pressureOutlet(pressurePa: 0, backflowTemperatureC: 20)), node: n)
            ])
    }

    func expectError(_ c: GenericCase, _ phrases: [String], file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try c.validate(), file: file, line: line) { error in
            let text = "\(error)"
            XCTAssertTrue(error is InputError, text, file: file, line: line)
            for p in phrases { XCTAssertTrue(text.contains(p), "'\(p)' missing from: \(text)", file: file, line: line) }
        }
    }

    func testValidateCatchesDuplicateName() {
        let b = { (k: String) in
            GenericCase.Box(
                name: "psu", lo: (0, 0, 0), hi: (0.1, 0.1, 0.1), kind: .solid,
                node: .anchor(file: "rack.yaml", keyPath: k, line: 4))
        }
        expectError(
            valid(boxes: [b("nodes.a"), b("nodes.b")]), ["rack.yaml:4: nodes.b.name: box name 'psu' used twice"])
    }

    func testValidateCatchesInvertedBox() {
        let b = GenericCase.Box(
            name: "psu", lo: (0, 0.2, 0), hi: (0.1, 0.2, 0.1), kind: .solid,
            node: .anchor(file: "rack.yaml", keyPath: "nodes.a.psu", line: 7))
        expectError(valid(boxes: [b]), ["rack.yaml:7: nodes.a.psu.hi:", "must exceed lo on y", "'psu'"])
    }

    func testValidateCatchesMissingOutlet() {
        let c = GenericCase(
            name: "v", file: "rack.yaml", size: (1, 1, 1),
            patches: [
                .init(
                    patch: .whole("in", .west, .velocityInlet(speedMPerS: 1, temperatureC: 20)),
                    node: .anchor(file: "rack.yaml", keyPath: "in"))
            ])
        expectError(c, ["rack.yaml: patches: no outlet: air has no way out"])
        var closed = c
        closed.closed = true
        expectError(closed, ["closed: a closed case has no patches, but 1 are given"])
        XCTAssertNoThrow(try valid().validate())
    }

    /// The YAML reader and validate() give the same message for the same fault.
    func testYAMLAndValidateAgree() throws {
        let text = try String(contentsOfFile: Self.example, encoding: .utf8)
            .replacingOccurrences(of: "name: heater", with: "name: sink")
        XCTAssertThrowsError(try GenericCase.parse(yaml: text, file: "d.yaml")) { error in
            XCTAssertTrue("\(error)".contains("boxes[2].name: box name 'sink' used twice"), "\(error)")
        }
        var c = try GenericCase.load(path: Self.example)
        c.boxes[2].name = "sink"
        XCTAssertThrowsError(try c.validate()) { error in
            XCTAssertTrue("\(error)".contains("boxes[2].name: box name 'sink' used twice"), "\(error)")
        }
    }
}

private extension FlowCase {
    /// Every side's resolved boundary faces, as text, to compare patch coverage.
    var boundaryFacesDescription: String { Side.allCases.map { "\(boundaryFaces($0))" }.joined(separator: "\n") }
}
