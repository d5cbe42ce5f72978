import XCTest
import RackFlowTestSupport
import Foundation
import RackFlowNumerics
import RackFlowPhysics
@testable import RackFlowModel

/// The thermal response model (`ThermalResponse`, `rackflow response`) and the power sweep
/// (`PowerSweep`, `rackflow sweep`) on the one-node rack at 6 cm.
final class ThermalResponseTests: XCTestCase {
    struct Built {
        let c: CaseFile
        let run: SteadyRun
        let layout: RackLayout
        let model: ThermalResponse
    }
    static let built: Result<Built, Error> = Result {
        var c = try CaseFile.load(
            path: Repository.root
                .appendingPathComponent("Meshes/racks/one-node.yaml").path)
        c.setMaxSpacing(0.06)
        let run = try SteadyRun.run(c)
        let layout = try XCTUnwrap(c.layout)
        let model = try ThermalResponse.build(from: run, layout: layout, input: c.path, tolerance: 1e-12)
        return Built(c: c, run: run, layout: layout, model: model)
    }

    /// The lockstep batches: consecutive parts of one node, split at the column cap.
    func testBatchesAreRunsOfOneNode() {
        let groups = ["a", "a", "a", "b", "b", "c"].enumerated().map {
            ThermalResponse.Group(name: "p\($0.offset)", node: $0.element, kind: "gpu", basePowerW: 1)
        }
        XCTAssertEqual(ThermalResponse.batches(groups, maxColumns: 2), [0..<2, 2..<3, 3..<5, 5..<6])
        XCTAssertEqual(ThermalResponse.batches(groups), [0..<3, 3..<5, 5..<6])
        XCTAssertEqual(ThermalResponse.batches([]), [])
    }

    /// Any power vector: the model equals a direct solve of the frozen-flow energy equation
    /// with those powers (read the same way, calibrated the same way) to 1e-8 of the rise, for
    /// every part at once (superposition) and for two parts alone.
    func testModelEqualsDirectFrozenFlowSolve() throws {
        let b = try Self.built.get()
        let s = b.run.solver, m = b.model, n = s.flow.grid.cellCount
        XCTAssertTrue(b.run.summary.converged)
        let op = FrozenFlowEnergy(s)
        let reader = ResponseRows(layout: b.layout, report: b.run.report, genericCase: b.run.genericCase)
        let shares = b.layout.heatShares(report: b.run.report, heatW: s.flow.heatW)
        var rng = SplitMix64(seed: 7)
        let random = m.groups.map { $0.basePowerW * Double.random(in: 0.3...1.7, using: &rng) }
        let twoOnly = m.groups.indices.map { $0 == 1 || $0 == 4 ? 150.0 * Double($0) : 0 }
        for powers in [random, twoOnly] {
            let rhs = op.makeVector(), x = op.makeVector()
            BLAS.copy(n, op.boundaryRHS.p, rhs.p)
            for (g, cells) in shares.enumerated() { for (c, w) in cells { rhs.p[c] += powers[g] * w } }
            BLAS.copy(n, s.temperature.p, x.p)
            try op.solve(rhs, x, tolerance: 1e-13, maxIterations: 5000)
            let air = s.withTemperature(x) { reader.air(s, linear: true) }
            let model = m.evaluate(powers)
            for (r, row) in m.rows.enumerated() {
                var expected = row.zeroPowerC + row.calibration * (air[r] - row.zeroPowerC)
                if row.kind == .part {
                    let p = b.layout.parts[r]
                    let v = s.meanSpeed(cells: b.run.report.boxCells[p.regionBox] ?? [])
                    expected += powers[r] * p.thermal.resistance(speedMPerS: v) * p.modelPowerW / p.powerW
                }
                let rise = max(abs(expected - row.zeroPowerC), 1)
                XCTAssertEqual(model[r], expected, accuracy: 1e-8 * rise, row.name)
            }
        }
    }

    /// At the solve's own powers the model gives the solve's answers (the calibration's point),
    /// and the files give back the same model.
    func testBasePowersAndFiles() throws {
        let b = try Self.built.get()
        for row in b.model.rows where row.solveC.isFinite {
            XCTAssertEqual(row.modelC, row.solveC, accuracy: 1e-9, row.name)
            XCTAssertEqual(row.calibration, 1, accuracy: 0.2, "upwind and van Leer rises differ by < 20 %: \(row.name)")
        }
        let dir = try TemporaryFolder.make("rf-response")
        defer { TemporaryFolder.remove(dir) }
        try b.model.write(to: dir)
        let read = try ThermalResponse.read(from: dir)
        XCTAssertEqual(read.matrix, b.model.matrix)
        XCTAssertEqual(read.rows.map(\.name), b.model.rows.map(\.name))
        XCTAssertEqual(read.evaluate(read.basePowersW), b.model.evaluate(b.model.basePowersW))
    }

    /// The largest GPU power brackets the exact crossing: 0.01 W below it every margin is ≥ 0,
    /// 0.01 W above it the limiting part is past its limit.
    func testLimitSearchBracketsTheCrossing() throws {
        let m = try Self.built.get().model
        let sweep = try PowerSweep(model: m, keys: [try SweepKey(parsing: "gpu=100:300:3", model: m)])
        let limit = try XCTUnwrap(sweep.limits().first)
        let x = try XCTUnwrap(limit.largestW)
        XCTAssertGreaterThan(x, 200, "the solve's 200 W per GPU fits")
        let below = sweep.point([x - 0.01]), above = sweep.point([x + 0.01])
        XCTAssertGreaterThanOrEqual(below.marginK, 0)
        XCTAssertLessThan(above.marginK, 0)
        XCTAssertEqual(above.tightestPart, limit.limitingPart)
        // PSU losses follow the DC load: 100 W more per GPU raise the PSU's heat.
        let psu = try XCTUnwrap(m.groups.firstIndex { $0.kind == "psu" })
        XCTAssertGreaterThan(sweep.powers([300])[psu], sweep.powers([200])[psu] + 1)
    }

    /// A full re-solve at a corner of a ±25 % GPU and CPU power box agrees with the model
    /// within 0.5 K at every part.
    func testCheckAgainstFullResolve() throws {
        let b = try Self.built.get()
        let keys = [
            try SweepKey(parsing: "gpu=150:250:3", model: b.model),
            try SweepKey(parsing: "cpu=262.5:437.5:3", model: b.model),
        ]
        let sweep = try PowerSweep(model: b.model, keys: keys)
        XCTAssertEqual(sweep.points.count, 9)
        XCTAssertEqual(sweep.checkPoints.count, 5)
        let check = try SweepCheck.run(
            b.c, layout: b.layout, sweep: sweep, valuesW: [250, 437.5],
            start: (source: "test", state: b.run.solver.solutionState()))
        XCTAssertTrue(check.converged)
        XCTAssertLessThan(check.maxErrorK, 0.5, "worst at \(check.worstPart)")
        XCTAssertGreaterThan(check.maxErrorK, 0, "a re-solve is not the model")
    }

    func testBadKeysAreNamed() throws {
        let m = try Self.built.get().model
        let overlap = [
            try SweepKey(parsing: "gpu=100:200:2", model: m),
            try SweepKey(parsing: "node01/gpu=1:2:2", model: m),
        ]
        XCTAssertThrowsError(try PowerSweep(model: m, keys: overlap)) { e in
            XCTAssertTrue("\(e)".contains("gpu and node01/gpu both set node01/gpu1"), "\(e)")
        }
        for (key, words) in [
            ("psu=1:2:2", ["PSU losses follow"]), ("node09/gpu=1:2:2", ["no node node09", "node01"]),
            ("gpu=300:100:3", ["FROM must not exceed TO"]), ("gpu=1:2", ["FROM:TO:COUNT"]),
            ("fan=1:2:2", ["no part of that kind", "gpu"]),
            ("gpu=200:200:5", ["COUNT above 1 needs FROM < TO"]),
        ] {
            XCTAssertThrowsError(try SweepKey(parsing: key, model: m)) { e in
                let text = "\(e)"
                XCTAssertTrue(text.contains("--vary \(key)"), text)
                for w in words { XCTAssertTrue(text.contains(w), "\(key): \(text)") }
            }
        }
    }
}
