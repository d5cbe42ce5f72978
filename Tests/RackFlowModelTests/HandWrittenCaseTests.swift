import XCTest
import RackFlowTestSupport
import Foundation
@testable import RackFlowModel
import RackFlowPhysics

/// Cases written as a new user writes them, from the manual alone, solved with no solver
/// settings: what the default stopping rule, the summary's inlet figures, the energy balance
/// and the load-time checks do with them.
final class HandWrittenCaseTests: XCTestCase {
    var dir: URL!
    override func setUpWithError() throws { dir = try TemporaryFolder.make("rackflow-handwritten") }
    override func tearDown() { TemporaryFolder.remove(dir) }

    /// The names of the generic stopping rule's monitors of `c`, as its solve builds them.
    static func monitorNames(_ c: CaseFile) throws -> [String] {
        var names: [String] = []
        _ = try SteadyRun.run(
            c, configure: { $0.maxIterations = 1 },
            prepare: { solver, report in
                names = CaseMonitors.monitors(c.genericCase, report: report, solver: solver).map(\.name)
            })
        return names
    }

    func load(_ name: String, _ yaml: String) throws -> CaseFile {
        let url = dir.appendingPathComponent(name + ".yaml")
        try yaml.write(to: url, atomically: true, encoding: .utf8)
        return try CaseFile.load(path: url.path)
    }

    /// Two wall planes leaving a 3 mm slot on 38 mm cells close the duct: the inlet's air has no
    /// way out, and the case is refused at the inlet patch when it is compiled (it used to end
    /// 452 iterations later in a conjugate-gradient breakdown naming no file or key). With the slot
    /// 0.1 m wide, the same case compiles.
    func testInletClosedOffFromEveryOutletIsRefused() throws {
        func slot(_ top: Double) -> String {
            """
            name: slot
            domain: {size: [1.0, 0.5, 0.5]}
            grid: {maxSpacing: 0.04}
            physics: {energy: false}
            planes:
              - {name: wall-low, axis: x, position: 0.4, lo: [0.0, 0.0], hi: [0.5, 0.2], kind: wall}
              - {name: wall-high, axis: x, position: 0.4, lo: [0.0, \(top)], hi: [0.5, 0.5], kind: wall}
            patches:
              - {name: inlet, side: west, kind: flow, flow: 0.005}
              - {name: outlet, side: east, kind: outlet}

            """
        }
        XCTAssertThrowsError(try load("slot", slot(0.203)).genericCase.compile()) { e in
            for x in ["slot.yaml:9", "patches[0]", "no way out", "narrower than the grid's cells"] {
                XCTAssert("\(e)".contains(x), "'\(x)' not in: \(e)")
            }
        }
        XCTAssertNoThrow(try load("wide-slot", slot(0.3)).genericCase.compile())
    }

    /// A domain typed in millimetres is too big a grid for the machine; the message blames the
    /// units at `domain.size`, not `grid.maxSpacing` (which it used to tell the user to raise).
    func testDomainInMillimetresBlamesTheUnits() throws {
        let c = try load(
            "domain-mm",
            """
            name: domain-mm
            domain: {size: [1000, 200, 100]}
            patches:
              - {name: in, side: west, kind: velocity, speed: 1}
              - {name: out, side: east, kind: outlet}

            """)
        XCTAssertThrowsError(try c.genericCase.buildGrid(availableBytes: 1e9)) { e in
            for x in ["domain-mm.yaml:2", "domain.size", "largest side is 1000 m", "lengths are in metres", "1 m)"] {
                XCTAssert("\(e)".contains(x), "'\(x)' not in: \(e)")
            }
        }
    }

    static let duct = """
        name: duct-fan-sheet
        domain: {size: [1.0, 0.2, 0.1]}
        grid: {maxSpacing: 0.02}
        planes:
          - {name: fan, axis: x, position: 0.3, kind: fan, direction: 1,
             curve: {flow: [0, 0.01, 0.02], pressure: [75, 50, 0], rpm: 3000}}
          - {name: mesh, axis: x, position: 0.6, kind: sheet, freeArea: 0.5}
        patches:
          - {name: in, side: west, kind: outlet, pressure: 0}
          - {name: out, side: east, kind: outlet, pressure: 0}

        """

    /// The duct with a 30 W heater between its fan and its sheet.
    static let heatedDuct =
        duct + """
            physics: {energy: true}
            boxes:
              - {name: heater, lo: [0.45, 0.0, 0.0], hi: [0.55, 0.2, 0.1], kind: heat, powerW: 30}

            """

    /// A duct driven by a fan between two open ends. With the residuals alone at 1e-6 it
    /// stalled at a velocity change of 1.3e-5 (a limit cycle of one face beside the sheet), was
    /// declared unsteady after 1,351 iterations and time-averaged. Its figures settle long
    /// before: the default rule stops on them, within their 0.1 % of a solve held to residuals
    /// of 1e-4, which takes far more iterations.
    func testFanDuctConvergesOnItsFigures() throws {
        let run = try SteadyRun.run(try load("duct", Self.duct))
        XCTAssertTrue(run.summary.converged)
        XCTAssertNil(run.summary.timeAveraged)
        let tight = try SteadyRun.run(
            try load("duct-tight", Self.duct + "solver: {tolerance: 1.0e-4}\n"))
        XCTAssertTrue(tight.summary.converged)
        XCTAssertLessThan(run.summary.iterations, tight.summary.iterations)
        let q = try XCTUnwrap(run.summary.objects?.patches.first { $0.name == "out" }?.flowM3PerS)
        let qTight = try XCTUnwrap(tight.summary.objects?.patches.first { $0.name == "out" }?.flowM3PerS)
        XCTAssertGreaterThan(q, 0.01)
        XCTAssertEqual(q, qTight, accuracy: CaseMonitors.flowTolerance * qTight)
        // No inlet patch: the flow is the air entering through the open ends, with no inlet pressure.
        XCTAssertEqual(run.summary.inletFlowM3PerS, q, accuracy: 1e-6 * q)
        XCTAssertTrue(run.summary.plenumPressurePa.isNaN)
    }

    /// A box fed by a blower patch, heated by 50 W, with a grille before its outlet.
    static let fanBox = """
        name: fan-box
        domain: {size: [0.5, 0.3, 0.2]}
        grid: {maxSpacing: 0.02}
        physics:
          energy: true
          turbulence: {mixingLength: {delta: 0.1}}
        boxes:
          - {name: heater, lo: [0.2, 0.1, 0.05], hi: [0.3, 0.2, 0.15], kind: heat, powerW: 50}
        planes:
          - {name: grille, axis: x, position: 0.45, kind: sheet, freeArea: 0.4, thickness: 0.002,
             holeDiameter: 0.004}
        patches:
          - {name: blower, side: west, kind: fan, curve: {maxPressure: 40, freeDelivery: 0.03, rpm: 3000},
             temperature: 22}
          - {name: out, side: east, kind: outlet}

        """

    /// A box fed by a blower patch (a pressure boundary with a fan curve) and heated by 50 W.
    /// The temperature scale of its residuals ignored the fan patch's supply temperature and
    /// flow, so it sat at its floor of 1 mK against a rise of 1.4 K: the RMS temperature change,
    /// 1e-4 K per iteration, never met its tolerance, and the solve was time-averaged after
    /// 1,351 iterations. It converges on its figures now, and the outlet carries the heat away:
    /// T_out = T_in + P / (ρ c_p Q).
    func testFanFedHeatedBoxConverges() throws {
        let c = try load("fan-box", Self.fanBox)
        let run = try SteadyRun.run(c)
        XCTAssertTrue(run.summary.converged)
        XCTAssertNil(run.summary.timeAveraged)
        XCTAssertLessThan(run.summary.iterations, 500)
        let out = try XCTUnwrap(run.summary.objects?.patches.first { $0.name == "out" })
        XCTAssertGreaterThan(out.flowM3PerS, 0.01)
        let air = c.genericCase.fluid
        let rise = 50 / (air.densityKgPerM3 * air.specificHeatJPerKgK * out.flowM3PerS)
        XCTAssertEqual(out.temperatureC, 22 + rise, accuracy: CaseMonitors.temperatureToleranceK)
        XCTAssertLessThanOrEqual(run.solver.balance().relativeEnergyError, 0.005)
        XCTAssertNil(run.summary.warnings)
    }

    /// A heater fed far too little air (50 W into 0.1 L/s, a mixed rise of 410 K): the answer
    /// is outside what constant-property air holds for, and the summary, log and report say so
    /// with the mixed rise that explains it, instead of printing hundreds of °C without a word.
    func testStarvedHeaterIsFlaggedAsOutsideTheAirModel() throws {
        let c = try load(
            "starved",
            """
            name: starved
            domain: {size: [0.3, 0.1, 0.1]}
            grid: {maxSpacing: 0.02}
            physics: {energy: true}
            boxes:
              - {name: heater, lo: [0.1, 0.0, 0.0], hi: [0.2, 0.1, 0.1], kind: heat, powerW: 50}
            patches:
              - {name: in, side: west, kind: flow, flow: 0.0001}
              - {name: out, side: east, kind: outlet}

            """)
        let run = try SteadyRun.run(c)
        let w = try XCTUnwrap(run.summary.warnings?.first)
        XCTAssertTrue(w.contains("qualitative"), w)
        XCTAssertTrue(w.contains("mixed rise of 41"), w)
        let out = try XCTUnwrap(run.summary.objects?.patches.first { $0.name == "out" })
        XCTAssertGreaterThan(out.temperatureC, 20 + Plausibility.riseLimitK)
    }

    /// A heated duct open at both ends, driven by a fan plane: air is drawn in at one outlet
    /// patch and blown out at the other. Mixed over the patches' net flows, the exhaust divided
    /// the heat carried by a net flow of nearly zero and read 1.8e11 °C. The exhaust and each
    /// outlet's row are the air leaving (its outflowing faces); the intake's row is the air it
    /// lets in, at its backflow temperature. Judged after 300 iterations: the figures' own
    /// definitions, not convergence, are under test.
    func testExhaustOfADuctOpenAtBothEndsIsTheAirLeaving() throws {
        let c = try load(
            "heated-duct",
            Self.heatedDuct)
        let s = try SteadyRun.run(c, configure: { $0.maxIterations = 300 }).summary
        let rows = try XCTUnwrap(s.objects?.patches)
        let intake = try XCTUnwrap(rows.first { $0.name == "in" })
        let out = try XCTUnwrap(rows.first { $0.name == "out" })
        XCTAssertLessThan(intake.flowM3PerS, -0.005)
        XCTAssertEqual(intake.temperatureC, 20, accuracy: 1e-12)
        XCTAssertGreaterThan(out.temperatureC, 20.5)
        XCTAssertLessThan(out.temperatureC, 25)
        XCTAssertEqual(s.exhaustC, out.temperatureC, accuracy: 1e-12)
    }

    /// The generic stopping rule watches every figure the report gives: each patch's flow, an
    /// outlet's temperature, each fan's flow, each sheet's flow and pressure drop, each box's
    /// flow and mean and hottest air. (A rewrite once dropped the fans' flows unnoticed.)
    func testStoppingRuleWatchesEveryReportedFigure() throws {
        let c = try load(
            "watched-duct",
            Self.heatedDuct)
        let names = try Self.monitorNames(c)
        XCTAssertEqual(Set(names).count, names.count, "a figure watched twice: \(names)")
        for expected in [
            "in flow", "out flow", "in temperature", "out temperature", "fan flow", "mesh flow", "mesh pressure drop",
            "heater flow", "heater air temperature", "heater hottest air",
        ] {
            XCTAssertTrue(names.contains(expected), "\(expected) not watched: \(names)")
        }
    }

    /// A fan patch is a patch and a fan of the solver: it is watched once, by its patch flow.
    func testFanPatchIsWatchedOnce() throws {
        let c = try load("fan-box-watched", Self.fanBox)
        let names = try Self.monitorNames(c)
        XCTAssertEqual(names.filter { $0.hasPrefix("blower flow") }, ["blower flow"])
        XCTAssertEqual(Set(names).count, names.count, "a figure watched twice: \(names)")
    }

    /// A closed cavity heated at one wall and cooled at the other: no heat source and no
    /// through-flow, so the energy balance's scale is the heat the hot wall passes in. Measured
    /// against the walls' net (round-off) it read 1 at every iteration, and the solve ran to its
    /// limit of 5,000 with its residuals at 3e-16.
    func testClosedCavityBalancesItsWalls() throws {
        let c = try load(
            "cavity",
            """
            name: cavity
            domain: {size: [0.2, 0.05, 0.2]}
            grid: {maxSpacing: 0.01}
            physics: {energy: true, gravity: true}
            closed: true
            sides:
              west: {wall: {temperature: 30}}
              east: {wall: {temperature: 10}}
              south: symmetry
              north: symmetry

            """)
        let run = try SteadyRun.run(c)
        XCTAssertTrue(run.summary.converged)
        XCTAssertLessThan(run.summary.iterations, 2000)
        XCTAssertLessThanOrEqual(run.solver.balance().relativeEnergyError, 0.005)
    }

    /// Two inlets at 15 and 35 °C carrying 4 and 2 L/s: the inlet figures are the mix,
    /// 21.67 °C and 6 L/s, in either order. Before, the last inlet listed stood for both.
    func testTwoInletsReportTheirMix() throws {
        func yaml(_ first: String, _ second: String) -> String {
            """
            name: two-inlets
            domain: {size: [0.8, 0.4, 0.2]}
            grid: {maxSpacing: 0.04}
            physics: {energy: true}
            patches:
              - \(first)
              - \(second)
              - {name: out, side: east, kind: outlet, pressure: 0}

            """
        }
        let cold = "{name: cold, side: west, lo: [0.0, 0.0], hi: [0.2, 0.2], kind: flow, flow: 0.004, temperature: 15}"
        let warm = "{name: warm, side: south, lo: [0.1, 0.0], hi: [0.3, 0.2], kind: flow, flow: 0.002, temperature: 35}"
        for (name, text) in [("ab", yaml(cold, warm)), ("ba", yaml(warm, cold))] {
            // The flows are set at the inlets from the first iteration on; a few iterations do.
            let s = try SteadyRun.run(try load(name, text), configure: { $0.maxIterations = 3 }).summary
            XCTAssertEqual(s.inletC, (0.004 * 15 + 0.002 * 35) / 0.006, accuracy: 1e-9, name)
            XCTAssertEqual(s.inletFlowM3PerS, 0.006, accuracy: 1e-12, name)
            XCTAssertTrue(s.plenumPressurePa.isFinite, name)
        }
    }

    /// Mistakes caught when the file is read, at their line and key.
    func testLoadTimeChecks() throws {
        let box = """
            name: box
            domain: {size: [0.6, 0.4, 0.3]}
            physics: {energy: true}

            """
        let cases: [(String, String, [String])] = [
            (
                "past-side",
                box + """
                    patches:
                      - {name: in, side: west, lo: [0.3, 0.1], hi: [0.6, 0.2], kind: flow, flow: 0.01}
                      - {name: out, side: east, kind: outlet}

                    """,
                ["past-side.yaml:5", "patches[0].hi", "y from 0.3 to 0.6 m", "spans 0 to 0.4 m"]
            ),
            (
                "millimetres",
                """
                name: millimetres
                domain: {size: [1.0, 0.4, 0.3]}
                grid: {maxSpacing: 20}
                patches:
                  - {name: in, side: west, kind: velocity, speed: 1}
                  - {name: out, side: east, kind: outlet}

                """,
                ["millimetres.yaml:3", "grid.maxSpacing", "20 m is larger than the whole domain", "1 m"]
            ),
            (
                "fan-in-cfm",
                box + """
                    patches:
                      - {name: fan, side: west, lo: [0.16, 0.11], hi: [0.24, 0.19], kind: fan,
                         curve: {flow: [0, 8, 17, 25], pressure: [40, 30, 15, 0], rpm: 3000}}
                      - {name: out, side: east, kind: outlet}

                    """,
                ["fan-in-cfm.yaml:6", "patches[0].curve", "25 m³/s at 3000 rev/min", "0.0064 m²", "Mach 0.3"]
            ),
            (
                "backwards",
                box + """
                    patches:
                      - {name: in, side: west, kind: velocity, speed: -1}
                      - {name: out, side: east, kind: outlet}

                    """,
                ["backwards.yaml:5", "patches[0].speed", "must be ≥ 0 m/s", "(got -1)"]
            ),
            (
                "sealed-heater",
                box + """
                    closed: true
                    boxes:
                      - {name: heater, lo: [0.2, 0.1, 0.05], hi: [0.3, 0.2, 0.15], kind: heat, powerW: 200}

                    """,
                ["sealed-heater.yaml:4", "closed", "releases 200 W", "no way out"]
            ),
        ]
        for (name, text, expected) in cases {
            XCTAssertThrowsError(try load(name, text), name) { e in
                for x in expected { XCTAssert("\(e)".contains(x), "\(name): '\(x)' not in: \(e)") }
            }
        }
    }
}
