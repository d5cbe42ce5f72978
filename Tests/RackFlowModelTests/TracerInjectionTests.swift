import XCTest
import RackFlowTestSupport
import Foundation
import RackFlowModel
import RackFlowPhysics

/// The smoke tracer of a surge, released where air crosses a sheet (a node's front mesh), in a
/// duct with an eddy viscosity of 1e-3 Pa·s: the mesh Péclet number u h ρ c_p / k_t is about
/// 25, so a tracer pinned at 1 in the cells behind the sheet leaked 3.0 % (about 1/(1 + Pe))
/// into the first cells ahead of it, against the flow.
final class TracerInjectionTests: XCTestCase {
    func testTracerStaysDownstreamOfItsSheet() throws {
        let dir = try TemporaryFolder.make("rackflow-tracer")
        defer { TemporaryFolder.remove(dir) }
        let path = dir.appendingPathComponent("tracer.yaml").path
        try """
        name: tracer-duct
        domain: {size: [1.0, 0.2, 0.05]}
        grid: {maxSpacing: 0.025}
        physics: {energy: false, turbulence: {constantEddyViscosity: 1.0e-3}}
        sides: {bottom: symmetry, top: symmetry}
        planes:
          - {name: mesh, axis: x, position: 0.4, lo: [0.0, 0.0], hi: [0.2, 0.05], kind: sheet, freeArea: 0.7}
        patches:
          - {name: inlet, side: west, kind: velocity, speed: 1.0, temperature: 20}
          - {name: out, side: east, kind: outlet, pressure: 0}
        """.write(toFile: path, atomically: true, encoding: .utf8)
        let run = try SteadyRun.run(try CaseFile.load(path: path))
        XCTAssertTrue(run.summary.converged)
        let s = run.solver
        let g = s.flow.grid
        let mesh = try XCTUnwrap(run.report.planeFaces["mesh"])
        XCTAssertEqual(mesh.axis, 0)
        let smoke = s.makeCellVector(), old = s.makeCellVector()
        // 2 s at 1 m/s: the released air reaches the outlet 0.6 m downstream.
        for _ in 0..<40 {
            for c in 0..<smoke.count { old.p[c] = smoke.p[c] }
            try s.advanceTracer(smoke, old: old, dt: 0.05, injection: [(axis: mesh.axis, faces: mesh.faces)])
        }
        let sheetX = 0.4
        var upstream = 0.0, outlet: [Double] = []
        for k in 0..<g.nz {
            for j in 0..<g.ny {
                for i in 0..<g.nx {
                    let c = g.index(i, j, k)
                    if g.x.centres[i] < sheetX { upstream = max(upstream, abs(smoke.p[c])) }
                    if i == g.nx - 1 { outlet.append(smoke.p[c]) }
                }
            }
        }
        XCTAssertLessThan(upstream, 1e-3, "tracer upstream of the sheet")
        let outletMean = outlet.reduce(0, +) / Double(outlet.count)
        XCTAssertEqual(outletMean, 1, accuracy: 0.02, "tracer at the outlet")
    }
}
