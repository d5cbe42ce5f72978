import XCTest
import RackFlowTestSupport
import Foundation
import RackFlowNumerics
import RackFlowPhysics
import RackFlowModel
import RackFlowExport

final class VDBTests: XCTestCase {
    var dir: URL!

    override func setUpWithError() throws {
        dir = try TemporaryFolder.make("rackflow-vdb")
    }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: dir) }

    /// 5 × 4 × 3 non-uniform cells over 0.12 × 0.15 × 0.08 m (lower corner not at the
    /// origin along y), with a solid block; 1 cm voxels give 12 × 15 × 8 of them.
    let grid = Grid(
        x: Axis(faces: [0, 0.02, 0.05, 0.07, 0.1, 0.12]),
        y: Axis(faces: [0.3, 0.33, 0.4, 0.41, 0.45]),
        z: Axis(faces: [0, 0.035, 0.06, 0.08]))

    func tags() -> [CellTag] {
        var t = GridTags(grid)
        t.fill(.solid, lo: (0.05, 0.33, 0.035), hi: (0.1, 0.41, 0.08))
        t.cells[grid.index(0, 0, 0)] = .porous
        return t.cells
    }

    /// Distinct values in every cell and on every face.
    func frame() -> VDBFrame {
        let n = grid.cellCount
        let t = (0..<n).map { 20 + 0.37 * Double($0) + 1.0 / 3.0 }
        let p = (0..<n).map { -3.5 + 0.11 * Double($0 * $0 % 17) }
        let d = (0..<n).map { Double($0 % 7) / 6 }
        let k = (0..<n).map { 0.01 * Double($0 % 11) }
        let u = (0..<(grid.nx + 1) * grid.ny * grid.nz).map { sin(Double($0)) }
        let v = (0..<grid.nx * (grid.ny + 1) * grid.nz).map { cos(0.7 * Double($0)) }
        let w = (0..<grid.nx * grid.ny * (grid.nz + 1)).map { 0.5 - 0.01 * Double($0) }
        return VDBFrame(
            temperatureC: t, pressurePa: p, density: d, turbulence: k, u: u, v: v, w: w, temperatureBackgroundC: 18.5)
    }

    /// Cell-centred velocity of cell (i, j, k), written out independently of the writer.
    func cellVelocity(_ f: VDBFrame, _ i: Int, _ j: Int, _ k: Int) -> (Double, Double, Double) {
        let nx = grid.nx, ny = grid.ny
        let iu = i + (nx + 1) * (j + ny * k), iv = i + nx * (j + (ny + 1) * k), iw = i + nx * (j + ny * k)
        return (0.5 * (f.u[iu] + f.u[iu + 1]), 0.5 * (f.v[iv] + f.v[iv + nx]), 0.5 * (f.w[iw] + f.w[iw + nx * ny]))
    }

    /// The expectation file for check_vdb.py: every voxel of the lattice, its world centre
    /// from the DESIGN §7 mapping (worked out here, not taken from the lattice), the values
    /// of the solver cell containing it, and its active state.
    func expectation(
        _ f: VDBFrame, tags: [CellTag], h: Double, upAxis: VDBUpAxis, turns: Int, offset: (Double, Double, Double)
    ) -> [String: Any] {
        let n = (0..<3).map { Int((grid.axis($0).length / h).rounded()) }
        // Solver-frame voxel centres.
        let centre = (0..<3).map { a in (0..<n[a]).map { grid.axis(a).lower + (Double($0) + 0.5) * h } }
        // World of a solver point: turn about z, shift, then the up-axis map.
        func world(_ p: (Double, Double, Double)) -> (Double, Double, Double) {
            var (x, y) = (p.0, p.1)
            for _ in 0..<((turns % 4 + 4) % 4) { (x, y) = (-y, x) }
            let q = (x + offset.0, y + offset.1, p.2 + offset.2)
            return upAxis == .y ? (q.0, q.2, -q.1) : q
        }
        func rotate(_ v: (Double, Double, Double)) -> (Double, Double, Double) {
            var (x, y) = (v.0, v.1)
            for _ in 0..<((turns % 4 + 4) % 4) { (x, y) = (-y, x) }
            return upAxis == .y ? (x, v.2, -y) : (x, y, v.2)
        }
        // World positions of all voxel centres, and the lattice origin (smallest per axis).
        var all: [((Double, Double, Double), (Int, Int, Int))] = []
        for c in 0..<n[2] {
            for b in 0..<n[1] {
                for a in 0..<n[0] {
                    all.append((world((centre[0][a], centre[1][b], centre[2][c])), (a, b, c)))
                }
            }
        }
        let lo = (all.map { $0.0.0 }.min()!, all.map { $0.0.1 }.min()!, all.map { $0.0.2 }.min()!)
        var samples: [[String: Any]] = []
        for (wpos, abc) in all {
            let I = Int(((wpos.0 - lo.0) / h).rounded()), J = Int(((wpos.1 - lo.1) / h).rounded()),
                K = Int(((wpos.2 - lo.2) / h).rounded())
            let i = grid.x.cell(containing: centre[0][abc.0]), j = grid.y.cell(containing: centre[1][abc.1]),
                k = grid.z.cell(containing: centre[2][abc.2])
            let c = grid.index(i, j, k)
            let active = tags[c] != .solid
            var values: [String: Any]
            if active {
                let uvw = cellVelocity(f, i, j, k)
                let wv = rotate(uvw)
                values = [
                    "temperature": f.temperatureC[c], "pressure": f.pressurePa[c], "density": f.density[c],
                    "turbulence": f.turbulence[c],
                    "speed": (uvw.0 * uvw.0 + uvw.1 * uvw.1 + uvw.2 * uvw.2).squareRoot(),
                    "vel": [wv.0, wv.1, wv.2],
                ]
            } else {
                values = [
                    "temperature": f.temperatureBackgroundC!, "pressure": 0.0, "density": 0.0, "turbulence": 0.0,
                    "speed": 0.0, "vel": [0.0, 0.0, 0.0],
                ]
            }
            samples.append([
                "ijk": [I, J, K], "world": [wpos.0, wpos.1, wpos.2], "values": values,
                "active": Dictionary(uniqueKeysWithValues: VDBWriter.gridNames.map { ($0, active) }),
            ])
        }
        func meta(_ units: String) -> [String: Any] { ["units": units] }
        return [
            "grids": [
                "temperature": ["type": "float", "metadata": meta("degC")],
                "pressure": ["type": "float", "metadata": meta("Pa")],
                "density": ["type": "float", "class": "fog volume", "metadata": meta("1")],
                "speed": ["type": "float", "metadata": meta("m/s")],
                "turbulence": ["type": "float", "metadata": ["units": "m2/s2", "turbulence_kind": "kineticEnergy"]],
                "vel": [
                    "type": "vec3s", "vector_type": "contravariant relative",
                    "metadata": ["units": "m/s", "is_local_space": false],
                ],
            ],
            "only_grids": true,
            "voxel_size": [h, h, h],
            "map": "UniformScaleTranslateMap",
            "file_metadata": ["up_axis": upAxis.rawValue, "meters_per_unit": 1.0, "voxel_size_m": h, "frame": "7"],
            "samples": samples,
            // float32 storage of doubles: relative 2^-24 plus a little.
            "rel_tol": 1.5e-7, "abs_tol": 1e-30, "world_tol": 1e-9,
        ]
    }

    func check(upAxis: VDBUpAxis, turns: Int = 0, offset: (Double, Double, Double) = (0, 0, 0)) throws {
        let f = frame(), t = tags(), h = 0.01
        let lattice = try VDBLattice(
            grid: grid, cellTags: t, voxelSizeM: h, upAxis: upAxis,
            placement: VDBPlacement(offsetM: offset, quarterTurns: turns))
        let sub = dir.appendingPathComponent("\(upAxis.rawValue)-\(turns)", isDirectory: true)
        try FileManager.default.createDirectory(at: sub, withIntermediateDirectories: true)
        let url = sub.appendingPathComponent("fields.0007.vdb")
        let report = try VDBWriter.write(f, lattice: lattice, to: url, metadata: ["frame": "7"])
        XCTAssertEqual(
            try FileManager.default.contentsOfDirectory(atPath: sub.path), ["fields.0007.vdb"],
            "no temporary files left")
        XCTAssertGreaterThan(report.bytes, 0)
        XCTAssertEqual(report.voxels, 12 * 15 * 8)
        let solidVoxels = (0..<report.voxels).filter { v in
            let (I, J, K) = (
                v % lattice.dims.0, (v / lattice.dims.0) % lattice.dims.1, v / (lattice.dims.0 * lattice.dims.1)
            )
            return !lattice.solverCell(ofVoxel: I, J, K).active
        }.count
        XCTAssertGreaterThan(solidVoxels, 0)
        XCTAssertEqual(report.activeVoxels, report.voxels - solidVoxels)

        let expect = expectation(f, tags: t, h: h, upAxis: upAxis, turns: turns, offset: offset)
        let expectURL = sub.appendingPathComponent("expect.json")
        try JSONSerialization.data(withJSONObject: expect).write(to: expectURL)
        guard let (status, json) = try PythonCheck.run("check_vdb.py", [url.path, "--expect", expectURL.path]) else {
            return
        }
        let failures = json["failures"] as? [String] ?? ["no failures list"]
        XCTAssertEqual(
            status, 0, "check_vdb.py: \(failures.count) failures, first: \(failures.prefix(10).joined(separator: "\n"))"
        )
        XCTAssertEqual(json["ok"] as? Bool, true)
        XCTAssertEqual((json["samples"] as? [Any])?.count, report.voxels)
        let grids = json["grids"] as? [String: [String: Any]] ?? [:]
        XCTAssertEqual(Set(grids.keys), Set(VDBWriter.gridNames))
        for (name, g) in grids { XCTAssertEqual(g["active_voxels"] as? Int, report.activeVoxels, name) }
        // The same check through the lattice's own description of its transform.
        let w = lattice.world(voxel: 3, 2, 1)
        let hot = lattice.world(fromSolver: (grid.x.lower + 3.5 * h, grid.y.lower + 0.5 * h, grid.z.lower + 0.5 * h))
        if upAxis == .y && turns == 0 && offset == (0, 0, 0) {
            // Voxel (3, 2, 1): x = 0.035, z (up) = 0.025, and K = 1 is the second voxel from the back.
            XCTAssertEqual(w.0, 0.035, accuracy: 1e-12)
            XCTAssertEqual(w.1, 0.025, accuracy: 1e-12)
            XCTAssertEqual(w.2, -(0.45 - 0.015), accuracy: 1e-12)
            XCTAssertEqual(hot.0, 0.035, accuracy: 1e-12)
            XCTAssertEqual(hot.1, 0.005, accuracy: 1e-12)
            XCTAssertEqual(hot.2, -0.305, accuracy: 1e-12)
        }
    }

    func testYUpMatchesSolverFields() throws { try check(upAxis: .y) }
    func testZUpMatchesSolverFields() throws { try check(upAxis: .z) }
    func testPlacedAndTurnedRack() throws {
        try check(upAxis: .y, turns: 2, offset: (3.0, -1.25, 0.1))
        try check(upAxis: .z, turns: 1, offset: (-0.5, 2.0, 0))
    }

    /// Real solver fields (a few SIMPLEC iterations of a heated duct past the solid block),
    /// through `VDBFrame(solver:)` and the one-call `write(solver:)`.
    func testSolverFields() throws {
        var t = GridTags(grid)
        t.cells = tags()
        var fc = FlowCase(grid: grid, tags: t)
        fc.solveEnergy = true
        fc.heatW = (0..<grid.cellCount).map { $0 == grid.index(1, 2, 1) ? 5.0 : 0 }
        fc.patches = [
            .whole("inlet", .south, .velocityInlet(speedMPerS: 0.5, temperatureC: 22)),
            .whole("outlet", .north, .pressureOutlet(pressurePa: 0, backflowTemperatureC: 22)),
        ]
        let s = try FlowSolver(fc)
        for _ in 0..<20 { _ = try s.iterate() }
        let density = (0..<grid.cellCount).map { Double($0 % 5) / 4 }
        let f = VDBFrame(solver: s, density: density, temperatureBackgroundC: 22)
        XCTAssertEqual(f.temperatureC, s.temperature.array)
        XCTAssertGreaterThan(f.u.map(abs).max()! + f.v.map(abs).max()!, 0.1, "the flow moves")
        let lattice = try VDBLattice(flow: fc, voxelSizeM: 0.01)
        let url = dir.appendingPathComponent("solver.vdb")
        try VDBWriter.write(f, lattice: lattice, to: url)
        let expectURL = dir.appendingPathComponent("expect.json")
        try JSONSerialization.data(
            withJSONObject: expectation(f, tags: t.cells, h: 0.01, upAxis: .y, turns: 0, offset: (0, 0, 0))
                .filter { $0.key != "file_metadata" }
        ).write(to: expectURL)
        guard let (status, json) = try PythonCheck.run("check_vdb.py", [url.path, "--expect", expectURL.path]) else {
            return
        }
        XCTAssertEqual(status, 0, "\((json["failures"] as? [String] ?? []).prefix(10))")
        // The one-call form: default lattice, background from the fluid's coldest cell.
        let url2 = dir.appendingPathComponent("solver2.vdb")
        let r = try VDBWriter.write(solver: s, density: density, to: url2, metadata: ["rack": "test"])
        XCTAssertEqual(r.voxels, lattice.voxelCount)
        guard let (status2, json2) = try PythonCheck.run("check_vdb.py", [url2.path]) else { return }
        XCTAssertEqual(status2, 0)
        XCTAssertEqual((json2["file_metadata"] as? [String: Any])?["rack"] as? String, "test")
        let coldest = zip(s.temperature.array, t.cells).filter { $0.1 != .solid }.map(\.0).min()!
        let bg = ((json2["grids"] as? [String: [String: Any]])?["temperature"]?["background"] as? Double) ?? .nan
        XCTAssertEqual(bg, coldest, accuracy: 1e-5 * max(1, abs(coldest)))
    }

    func testBadInputIsAnErrorAndWritesNothing() throws {
        let lattice = try VDBLattice(grid: grid, cellTags: tags())
        let url = dir.appendingPathComponent("f.vdb")
        var f = frame()
        f.temperatureC[grid.index(4, 3, 2)] = .nan // a fluid cell
        XCTAssertThrowsError(try VDBWriter.write(f, lattice: lattice, to: url)) { e in
            XCTAssertEqual(e as? ExportError, .nonFinite(field: "temperature", cell: (4, 3, 2), value: .nan))
            XCTAssertTrue("\(e)".contains("temperature"), "\(e)")
        }
        f = frame()
        f.u.removeLast()
        XCTAssertThrowsError(try VDBWriter.write(f, lattice: lattice, to: url)) { e in
            XCTAssertTrue("\(e)".contains("velocity u"), "\(e)")
        }
        f = frame()
        f.density = [1, 2]
        XCTAssertThrowsError(try VDBWriter.write(f, lattice: lattice, to: url))
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path), [], "nothing written")
        // A folder that does not exist: an error message from OpenVDB, no crash.
        XCTAssertThrowsError(
            try VDBWriter.write(frame(), lattice: lattice, to: dir.appendingPathComponent("no/such/f.vdb"))
        ) { e in
            XCTAssertTrue("\(e)".contains("no/such"), "\(e)")
        }
        XCTAssertThrowsError(try VDBLattice(grid: grid, cellTags: tags(), voxelSizeM: 0))
        XCTAssertThrowsError(try VDBLattice(grid: grid, cellTags: tags(), voxelSizeM: 1e-6)) // too many voxels
        XCTAssertThrowsError(try VDBLattice(grid: grid, cellTags: [.fluid]))
        // An existing file is replaced whole.
        let keep = dir.appendingPathComponent("keep.vdb")
        try Data("old".utf8).write(to: keep)
        f = frame()
        f.pressurePa[0] = .infinity
        XCTAssertThrowsError(try VDBWriter.write(f, lattice: lattice, to: keep))
        XCTAssertEqual(try String(contentsOf: keep, encoding: .utf8), "old")
        try VDBWriter.write(frame(), lattice: lattice, to: keep)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path), ["keep.vdb"])
    }
}
