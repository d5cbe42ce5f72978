import XCTest
import RackFlowTestSupport
import Foundation
import RackFlowModel
import RackFlowExport
import RackFlowPhysics

/// A short surge on a one-node rack, written like `rackflow surge` does and read back through
/// the real libraries (issue 6): the stage validates, every frame has its VDB and samples,
/// and a hot GPU's voxel in the cache lands inside that GPU's box in the USD geometry.
final class SurgeExportTests: XCTestCase {
    func testHotGPUVoxelLandsInItsUSDBox() throws {
        let dir = try TemporaryFolder.make("rackflow-surge-export")
        defer { TemporaryFolder.remove(dir) }
        let scenario =
            "name: mini\nrack: \(PythonCheck.repoRoot.path)/Meshes/racks/one-node.yaml\nduration: 0.25\n"
            + "fps: 12\nload: {onset: 0.0, ramp: 0.1}\n"
        try scenario.write(to: dir.appendingPathComponent("s.yaml"), atomically: true, encoding: .utf8)

        let run = try SurgeRun(try Scenario.load(path: dir.appendingPathComponent("s.yaml").path))
        try run.solveIdle()
        let out = dir.appendingPathComponent("out")
        try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
        let writer = SurgeWriter(run: run, folder: out, voxelSizeM: 0.01, zUp: false)
        try writer.writeFrame(run.frames[0])
        while run.frames.count <= run.scenario.frameCount { try writer.writeFrame(try run.advanceFrame()) }
        try writer.finish()
        let stage = out.appendingPathComponent("refinery.usda").path
        // No heatmap key: the fixed scale from the supply air to the GPU limit, whatever the frames.
        XCTAssertEqual(writer.heatmapRange(), 20...90)

        // The stage: no validator errors, a sample on every frame, kinds, instances, files resolve.
        guard let (status, usd) = try PythonCheck.run("check_usd.py", [stage]) else { return }
        XCTAssertEqual(status, 0, "\(usd["problems"] ?? "")")
        XCTAssertEqual(usd["problems"] as? [String], [])
        // Every VDB: the named grids with their types and the voxel size.
        for f in 0...run.scenario.frameCount {
            let expect = dir.appendingPathComponent("expect.json")
            let grids =
                #"{"temperature": {"type": "float"}, "pressure": {"type": "float"}, "#
                + #""density": {"type": "float", "class": "fog volume"}, "speed": {"type": "float"}, "#
                + #""turbulence": {"type": "float"}, "vel": {"type": "vec3s"}}"#
            try #"{"grids": \#(grids), "only_grids": true, "voxel_size": [0.01, 0.01, 0.01]}"#
                .write(to: expect, atomically: true, encoding: .utf8)
            guard
                let (s, v) = try PythonCheck.run(
                    "check_vdb.py",
                    [
                        out.appendingPathComponent(String(format: "vdb/fields.%04d.vdb", f)).path, "--expect",
                        expect.path,
                    ]
                )
            else { return }
            XCTAssertEqual(s, 0, "frame \(f): \(v["failures"] ?? "")")
        }

        // The hottest GPU at the last frame, its hottest fin cell, and the voxel taken from it.
        let last = run.scenario.frameCount
        let gpus = run.parts.filter { $0.info.kind == "gpu" }
        let hot = try XCTUnwrap(gpus.max { $0.temperatureC < $1.temperatureC })
        let cell = try XCTUnwrap(hot.cells.max { run.solver.temperature.p[$0] < run.solver.temperature.p[$1] })
        let g = run.solver.flow.grid
        let target = (cell % g.nx, (cell / g.nx) % g.ny, cell / (g.nx * g.ny))
        let lattice = try VDBLattice(flow: run.solver.flow, voxelSizeM: 0.01)
        var voxel: (Int, Int, Int)?
        search: for K in 0..<lattice.dims.2 {
            for J in 0..<lattice.dims.1 {
                for I in 0..<lattice.dims.0 {
                    let c = lattice.solverCell(ofVoxel: I, J, K).cell
                    if c == target {
                        voxel = (I, J, K)
                        break search
                    }
                }
            }
        }
        let v = try XCTUnwrap(voxel, "no voxel samples the hottest fin cell")
        guard let (s2, hit) = try PythonCheck.run("check_hot_gpu.py", [stage, "\(last)", "\(v.0)", "\(v.1)", "\(v.2)"])
        else { return }
        XCTAssertEqual(s2, 0)
        // Through OpenVDB: the voxel holds the solver's temperature of that cell (float32) ...
        let value = try XCTUnwrap(hit["valueC"] as? Double)
        XCTAssertEqual(value, run.solver.temperature.p[cell], accuracy: 1e-4 * abs(run.solver.temperature.p[cell]))
        // ... and through USD: its world position lies inside that GPU's boxes, not another's.
        let containing = try XCTUnwrap(hit["containing"] as? [String])
        let gpuName = String(hot.info.name.split(separator: "/").last!) // e.g. gpu2
        XCTAssertTrue(
            containing.contains { $0.contains("/Node_01/") && $0.contains("\(gpuName)_fins") },
            "\(containing) for \(gpuName)")
        XCTAssertFalse(containing.contains { $0.contains("gpu") && !$0.contains(gpuName) }, "\(containing)")
    }
}
