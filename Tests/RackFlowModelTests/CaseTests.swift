import XCTest
import RackFlowTestSupport
import Foundation
import RackFlowModel
import RackFlowNumerics
import RackFlowPhysics

/// The generic case format end to end: the bundled example, and a tiny case solved.
final class CaseTests: XCTestCase {
    /// Meshes/cases/ of this package, found from this file's path.
    static let casesDir = Repository.root.appendingPathComponent("Meshes/cases")

    func testExampleLoadsAndCompiles() throws {
        let c = try GenericCase.load(path: Self.casesDir.appendingPathComponent("duct-with-sheet.yaml").path)
        XCTAssertEqual(c.name, "duct-with-sheet")
        let (flow, options, report) = try c.compile()
        let g = flow.grid
        XCTAssertEqual(g.x.lower, 0)
        XCTAssertEqual(g.x.upper, 1.0, accuracy: 1e-12)
        XCTAssertEqual(g.y.upper, 0.2, accuracy: 1e-12)
        XCTAssertEqual(g.z.upper, 0.05, accuracy: 1e-12)
        XCTAssertGreaterThanOrEqual(g.nx, 40)
        XCTAssertGreaterThanOrEqual(g.ny, 8)
        XCTAssertGreaterThanOrEqual(g.nz, 2)
        XCTAssertEqual(report.cellCounts.values.reduce(0, +), g.cellCount)
        // Cell counts match the boxes exactly (box faces are grid lines).
        func volume(_ cells: [Int]) -> Double {
            cells.reduce(0) { s, c in
                let (i, j, k) = g.ijk(c)
                return s + g.volume(i, j, k)
            }
        }
        XCTAssertEqual(volume(report.boxCells["block"]!), 0.1 * 0.1 * 0.05, accuracy: 1e-12)
        XCTAssertEqual(volume(report.boxCells["sink"]!), 0.1 * 0.1 * 0.05, accuracy: 1e-12)
        XCTAssertEqual(report.cellCounts[.solid], report.boxCells["block"]!.count)
        XCTAssertEqual(report.cellCounts[.porous], report.boxCells["sink"]!.count)
        XCTAssertEqual(flow.porous.count, report.boxCells["sink"]!.count)
        // Heat: 30 W + 5 W spread over the boxes.
        XCTAssertEqual(flow.heatW.reduce(0, +), 35, accuracy: 1e-9)
        XCTAssertTrue(flow.solveEnergy)
        // Sheet faces tagged with the sharp-edged ζ of 70 % free area.
        let mesh = report.planeFaces["mesh"]!
        XCTAssertEqual(mesh.axis, 0)
        XCTAssertEqual(mesh.snappedPositionM, 0.5, accuracy: 1e-12)
        XCTAssertFalse(mesh.faces.isEmpty)
        XCTAssertEqual(flow.sheetZeta[0].count, mesh.faces.count)
        let zeta = try PerforatedPlate.sharpEdgedZeta(freeArea: 0.7)
        for f in mesh.faces {
            XCTAssertEqual(flow.tags.faces[0][f], .porousSheet)
            XCTAssertEqual(flow.sheetZeta[0][f]!, zeta, accuracy: 1e-12)
        }
        XCTAssertEqual(mesh.flowAreaM2, 0.2 * 0.05, accuracy: 1e-12)
        // Fan present, on its faces, with the curve at 3000 rpm.
        XCTAssertEqual(flow.fans.count, 1)
        let fan = flow.fans[0]
        XCTAssertEqual(fan.name, "fan")
        XCTAssertEqual(fan.axis, 0)
        XCTAssertEqual(fan.direction, 1)
        XCTAssertEqual(fan.faces.sorted(), report.planeFaces["fan"]!.faces.sorted())
        XCTAssertEqual(fan.pressureRise(0), 75, accuracy: 1e-9)
        XCTAssertEqual(fan.pressureRise(0.02), 0, accuracy: 1e-9)
        // Wall plane, patches, sides, options.
        XCTAssertTrue(report.planeFaces["baffle"]!.faces.allSatisfy { flow.tags.faces[1][$0] == .wall })
        XCTAssertEqual(flow.patches.map(\.name), ["inlet", "out"])
        if case .symmetry = flow.sides[.top]! {} else { XCTFail("top should be symmetry") }
        if case let .wall(_, th) = flow.sides[.north]! {
            XCTAssertEqual(th, .temperatureC(30))
        } else {
            XCTFail("north wall")
        }
        XCTAssertEqual(options.maxIterations, 2000)
        XCTAssertEqual(options.momentumSweeps, 4)
    }

    func testAlternativeForms() throws {
        let yaml = """
            domain: {size: [0.4, 0.1, 0.05]}
            grid: {maxSpacing: 0.025}
            physics:
              fluid: {density: 1.1}
              turbulence: {mixingLength: {delta: 0.05}}
            planes:
              - {name: p1, axis: x, position: 0.1, kind: sheet, zeta: 1.6}
              - {name: p2, axis: x, position: 0.3, kind: sheet, freeArea: 0.5, thickness: 0.002, holeDiameter: 0.004}
              - {name: f, axis: x, position: 0.2, kind: fan, direction: -1, rpm: 1500, curve: {maxPressure: 40, \
            freeDelivery: 0.02, rpm: 3000}}
            patches:
              - {name: supply, side: west, kind: flow, flow: 0.001, temperature: 18}
              - {name: blower, side: east, kind: fan, curve: {maxPressure: 30, freeDelivery: 0.01, rpm: 2000}}
            """
        let c = try GenericCase.parse(yaml: yaml, file: "alt.yaml")
        XCTAssertEqual(c.name, "alt")
        let (flow, _, report) = try c.compile()
        XCTAssertEqual(flow.fluid.densityKgPerM3, 1.1)
        if case let .mixingLength(d) = flow.turbulence { XCTAssertEqual(d, 0.05) } else { XCTFail("turbulence") }
        let p1 = report.planeFaces["p1"]!.faces, p2 = report.planeFaces["p2"]!.faces
        XCTAssertEqual(flow.sheetZeta[0][p1[0]], 1.6)
        XCTAssertEqual(
            flow.sheetZeta[0][p2[0]]!, try PerforatedPlate.thickEdgedZeta(freeArea: 0.5, relativeThickness: 0.5),
            accuracy: 1e-12)
        XCTAssertEqual(flow.fans[0].direction, -1)
        XCTAssertEqual(flow.fans[0].pressureRise(0), 10, accuracy: 1e-9) // 40 Pa × (1500/3000)²
        if case .fanInlet = flow.patches[1].kind {} else { XCTFail("fan patch") }
    }

    /// A patch takes the boundary faces whose centres lie in its rectangle, a later patch the
    /// faces where rectangles overlap. Cells of 1.5/46 m along x and 0.1/4 m along y (by hand
    /// from the face positions): `supply` (x 0–0.11, y 0.02–0.06) holds the faces at x cells 0–2
    /// and y cell 1, and `jet` (x 0.05–0.2, whole y) takes x cell 2 from it; `supply` keeps 2 ×
    /// 1 cells, 0.0016304 m² of its written 0.0044 (with its axes swapped it would hold 1 × 4).
    /// Its flow is spread over those faces, so it delivers what was asked. `jet` covers 4 × 4
    /// cells, 0.013043 m² of its written 0.015, and at 0.2 m/s carries 2.61 L/s, not 3.
    func testPatchCoverageIsReported() throws {
        let yaml = """
            domain: {size: [1.5, 0.1, 0.5]}
            grid: {maxSpacing: 0.0333}
            patches:
              - {name: supply, side: bottom, lo: [0, 0.02], hi: [0.11, 0.06], kind: flow, flow: 0.001}
              - {name: jet, side: bottom, lo: [0.05, 0], hi: [0.2, 0.1], kind: velocity, speed: 0.2}
              - {name: out, side: top, kind: outlet}
            """
        let gc = try GenericCase.parse(yaml: yaml, file: "patch.yaml")
        let (flow, _, _) = try gc.compile()
        let g = flow.grid
        XCTAssertEqual(g.x.count, 46)
        XCTAssertEqual(g.y.count, 4)
        let hx = 1.5 / 46, hy = 0.1 / 4
        let cov = flow.patchCoverage()
        XCTAssertEqual(cov[0].writtenAreaM2, 0.11 * 0.04, accuracy: 1e-15)
        XCTAssertEqual(cov[0].coveredAreaM2, 2 * hx * hy, accuracy: 1e-15)
        XCTAssertEqual(cov[1].writtenAreaM2, 0.15 * 0.1, accuracy: 1e-15)
        XCTAssertEqual(cov[1].coveredAreaM2, 4 * hx * 0.1, accuracy: 1e-15)
        XCTAssertEqual(cov[2].writtenAreaM2, 1.5 * 0.1, accuracy: 1e-12)
        XCTAssertEqual(cov[2].ratio, 1, accuracy: 1e-12)
        // The solver's faces: the supply's are x cells 0–1 at y cell 1, each at flow / covered area.
        var supplied = 0.0
        for (m, face) in flow.boundaryFaces(.bottom).enumerated() {
            guard case let .inlet(speed, _, 0) = face else { continue }
            XCTAssertTrue(m % 46 < 2 && m / 46 == 1, "supply face \(m)")
            XCTAssertEqual(speed, 0.001 / cov[0].coveredAreaM2, accuracy: 1e-12)
            supplied += speed * hx * hy
        }
        XCTAssertEqual(supplied, 0.001, accuracy: 1e-15)
        // The flows and pressures reported per patch see the same faces: the supply's 2, the jet's 16.
        let solver = try FlowSolver(flow, options: SimpleOptions())
        XCTAssertEqual(solver.patchFaces(flow.patches[0]).count, 2)
        XCTAssertEqual(solver.patchFaces(flow.patches[1]).count, 16)
        XCTAssertEqual(solver.cells(along: flow.patches[0]).count, 2)
        let lines = gc.patchCoverageWarnings(flow)
        XCTAssertEqual(lines.count, 2, "\(lines)")
        XCTAssertTrue(lines[0].hasPrefix("note: patch.yaml:4 patches[0] patch 'supply'"), lines[0])
        XCTAssertTrue(lines[0].contains("later patches take 0.000815 m² of its faces"), lines[0])
        XCTAssertTrue(lines[1].hasPrefix("warning: patch.yaml:5 patches[1] patch 'jet'"), lines[1])
        XCTAssertTrue(lines[1].contains("carries 2.61 L/s, not 3 L/s"), lines[1])
    }

    /// A patch whose faces are all taken by a later one is an error at its own line.
    func testPatchWithEveryFaceTakenIsAnError() throws {
        let yaml = """
            domain: {size: [1.0, 0.1, 0.5]}
            patches:
              - {name: hidden, side: bottom, lo: [0.2, 0], hi: [0.4, 0.1], kind: velocity, speed: 0.2}
              - {name: over, side: bottom, lo: [0.1, 0], hi: [0.5, 0.1], kind: velocity, speed: 0.2}
              - {name: out, side: top, kind: outlet}
            """
        XCTAssertThrowsError(try GenericCase.parse(yaml: yaml, file: "hidden.yaml").compile()) { e in
            let text = "\(e)"
            XCTAssertTrue(text.contains("hidden.yaml:3"), text)
            XCTAssertTrue(text.contains("all taken by patches listed after it"), text)
        }
    }

    func testTinyCaseSolves() throws {
        let yaml = """
            # A 0.4 × 0.1 × 0.05 m duct, 2D (symmetry top and bottom), with a sheet and a heater.
            domain: {size: [0.4, 0.1, 0.05]}
            grid: {maxSpacing: 0.025}
            physics: {energy: true}
            sides: {bottom: symmetry, top: symmetry}
            boxes:
              - {name: block, lo: [0.1, 0, 0], hi: [0.15, 0.05, 0.05], kind: solid}
              - {name: heater, lo: [0.25, 0.0, 0.0], hi: [0.3, 0.05, 0.05], kind: heat, powerW: 2}
            planes:
              - {name: mesh, axis: x, position: 0.2, kind: sheet, freeArea: 0.6}
            patches:
              - {name: in, side: west, kind: velocity, speed: 0.2, temperature: 20}
              - {name: out, side: east, kind: outlet}
            solver: {maxIterations: 3000, tolerance: 1e-6}
            """
        let (flow, options, _) = try GenericCase.parse(yaml: yaml, file: "tiny.yaml").compile()
        XCTAssertLessThanOrEqual(flow.grid.cellCount, 500)
        let solver = try FlowSolver(flow, options: options)
        let r = try solver.solveSteady()
        let b = solver.balance()
        print(
            "tiny case: \(flow.grid.cellCount) cells, \(r.iteration) iterations, mass imbalance "
                + "\(b.relativeMassImbalance), energy error \(b.relativeEnergyError)"
        )
        XCTAssertLessThanOrEqual(b.relativeMassImbalance, 1e-6)
        XCTAssertEqual(b.massInKgPerS, 1.204 * 0.2 * 0.1 * 0.05, accuracy: 1e-9)
    }
}

final class ClosedCaseTests: XCTestCase {
    /// A closed box (a natural-convection cavity) is legal only when declared `closed: true`.
    func testClosedCaseNeedsTheFlag() throws {
        let body = """
            domain: {size: [0.1, 0.1, 0.01]}
            grid: {maxSpacing: 0.02}
            sides: {bottom: symmetry, top: symmetry}
            """
        XCTAssertThrowsError(try GenericCase.parse(yaml: body, file: "cavity.yaml")) { error in
            XCTAssertTrue("\(error)".contains("no outlet"), "\(error)")
        }
        let closed = try GenericCase.parse(yaml: "closed: true\n" + body, file: "cavity.yaml")
        let (flow, _, _) = try closed.compile()
        XCTAssertTrue(flow.patches.isEmpty)
        XCTAssertThrowsError(
            try GenericCase.parse(
                yaml: "closed: true\n" + body + "\npatches:\n  - {name: out, side: east, kind: outlet}\n",
                file: "c.yaml")
        ) { error in
            XCTAssertTrue("\(error)".contains("closed"), "\(error)")
        }
    }
}
