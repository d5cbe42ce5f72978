import XCTest
import Foundation
@testable import RackFlowModel
@testable import RackFlowPhysics
import RackFlowNumerics

/// A rack's exhaust profile (`ExhaustProfile`) and the sub-ducts the room air feeds it through
/// (`ExhaustDucts`): the profile's tiles add up to the outlet's own flow and mixed cup on a solved
/// case, it survives packing for the collectives, and the sub-ducts deliver exactly the rack's
/// flow and heat with each sub-duct's share.
final class ExhaustProfileTests: XCTestCase {
    /// A 0.3 × 0.2 × 0.4 m box fed 0.01 m³/s through its floor at 20 °C, a heater in one corner,
    /// out through the whole roof (no air re-enters): the roof's profile sums to what the outlet
    /// carries.
    func testTilesAddUpToTheOutletOnASolvedCase() throws {
        let yaml = """
            domain: {size: [0.3, 0.2, 0.4]}
            grid: {maxSpacing: 0.02}
            physics: {energy: true}
            boxes:
              - {name: heater, lo: [0.2, 0.0, 0.05], hi: [0.3, 0.1, 0.15], kind: heat, powerW: 30}
            patches:
              - {name: in, side: bottom, kind: flow, flow: 0.01, temperature: 20}
              - {name: out, side: top, kind: outlet}
            """
        let (flow, options, _) = try GenericCase.parse(yaml: yaml, file: "box.yaml").compile()
        let solver = try FlowSolver(flow, options: options)
        _ = try solver.solveSteady()
        let roof = try XCTUnwrap(ExhaustProfile.roofOutlet(flow.patches))
        XCTAssertEqual(roof.name, "out")
        let p = try XCTUnwrap(solver.exhaustProfile(roof))
        // 0.3 × 0.2 m in tiles of at most 5 cm: 6 × 4, the rectangle clipped to the roof (2 cm cells:
        // faces straddle tiles, and are shared).
        XCTAssertEqual(p.tiles, [6, 4])
        XCTAssertEqual(p.loM, [0, 0])
        XCTAssertEqual(p.hiM[0], 0.3, accuracy: 1e-12)
        XCTAssertEqual(p.hiM[1], 0.2, accuracy: 1e-12)
        let (out, t) = solver.patchFlowAndTemperature(roof)
        let total = try XCTUnwrap(p.total)
        // No air re-enters here, so the tiles' outflow is the outlet's net flow and their mixed cup its own.
        XCTAssertEqual(total.outflowM3PerS, out, accuracy: 1e-9 * out)
        XCTAssertEqual(total.temperatureC, t, accuracy: 1e-9)
        XCTAssertTrue(p.outflowM3PerS.allSatisfy { $0 >= 0 })
        // Without gravity the flow is mirror-symmetric about x = 0.15 m, and so are the tiles'
        // outflows, although 2 cm cells fill the 5 cm tiles unevenly (counting each face in the
        // tile of its centre gave 2 cells to the first tile and 3 to the last).
        for j in 0..<4 {
            for i in 0..<3 {
                let (a, b) = (p.outflowM3PerS[i + 6 * j], p.outflowM3PerS[5 - i + 6 * j])
                XCTAssertEqual(a, b, accuracy: 1e-3 * max(a, b), "tiles (\(i), \(j)) and (\(5 - i), \(j))")
            }
        }
        // Not uniform: the heater's side runs warmer than the other.
        let (lo, hi) = (p.temperatureC.min()!, p.temperatureC.max()!)
        XCTAssertGreaterThan(hi - lo, 0.1, "\(p.temperatureC)")
    }

    func testPackingRoundTripsAndZerosAreNoProfile() throws {
        var p = ExhaustProfile.uniform(lo: (0.1, 0.2), hi: (0.7, 0.54), tileM: 0.05, temperatureC: 31)
        XCTAssertEqual(p.tiles, [12, 7])
        p.outflowM3PerS = p.outflowM3PerS.indices.map { 0.001 * Double($0) }
        p.temperatureC = p.temperatureC.indices.map { 25 + 0.1 * Double($0) }
        var v = [Double](repeating: 0, count: 3 + 2 * ExhaustProfile.packedCount)
        p.pack(into: &v, at: 3)
        XCTAssertEqual(ExhaustProfile(packed: v[3..<(3 + ExhaustProfile.packedCount)]), p)
        XCTAssertNil(ExhaustProfile(packed: v[(3 + ExhaustProfile.packedCount)...]))
        // A long opening stops at 16 tiles per axis.
        XCTAssertEqual(ExhaustProfile.tileCount(lengthM: 2.0, tileM: 0.05), 16)
        XCTAssertEqual(ExhaustProfile.tileCount(lengthM: 0.3, tileM: 0.05), 6)
        XCTAssertEqual(ExhaustProfile.tileCount(lengthM: 0.01, tileM: 0.05), 1)
        // A face's flow is shared by the tiles it overlaps, by area, and a face reaching past the
        // rectangle keeps all its flow in the part inside.
        let split = FlowSolver.tileOverlaps(0.04, 0.06, 0, 0.1, 2)
        XCTAssertEqual(split.map(\.0), [0, 1])
        XCTAssertEqual(split[0].1, 0.5, accuracy: 1e-12)
        XCTAssertEqual(split[1].1, 0.5, accuracy: 1e-12)
        let edge = FlowSolver.tileOverlaps(-0.01, 0.02, 0, 0.1, 2)
        XCTAssertEqual(edge.map(\.0), [0])
        XCTAssertEqual(edge[0].1, 1, accuracy: 1e-12)
        // Half a turn: tile (i, j) becomes (n₀ − 1 − i, n₁ − 1 − j); unturned, the tiles stay.
        let q = p.placed(loM: p.loM, hiM: p.hiM, turned: true)
        XCTAssertEqual(q.outflowM3PerS[0], p.outflowM3PerS[11 + 12 * 6])
        XCTAssertEqual(q.temperatureC[1 + 12 * 2], p.temperatureC[10 + 12 * 4])
        let moved = p.placed(loM: [3, 4], hiM: [3.6, 4.34], turned: false)
        XCTAssertEqual(moved.outflowM3PerS, p.outflowM3PerS)
        XCTAssertEqual(moved.temperatureC, p.temperatureC)
        XCTAssertEqual(moved.loM, [3, 4])
        XCTAssertEqual(moved.hiM, [3.6, 4.34])
        XCTAssertEqual(moved.tiles, p.tiles)
    }

    /// A 0.6 × 0.34 m opening in 12 × 7 tiles at a 5 cm hall: 6 × 3 sub-ducts of 2 × (2, 3, 2)
    /// tiles, walls at the group edges; the sub-ducts carry the rack's flow and heat exactly, each
    /// its tiles' share; without a profile, one duct at the rack's values.
    func testSubDuctsCarryTheRacksFlowAndHeatWithTheProfilesShares() throws {
        var p = ExhaustProfile.uniform(lo: (1.0, 2.0), hi: (1.6, 2.34), tileM: 0.05, temperatureC: 0)
        for j in 0..<7 {
            for i in 0..<12 {
                p.outflowM3PerS[i + 12 * j] = 0.001 * Double(1 + i)
                p.temperatureC[i + 12 * j] = 25 + Double(j)
            }
        }
        let e = TrayProbes.Exhaust(
            rack: "A01", loM: SIMD2(1.0, 2.0), hiM: SIMD2(1.6, 2.34), roofZM: 2.1, flowM3PerS: 0.9,
            temperatureC: 31.5, profile: p)
        let margin = 0.5
        let opening = ((1.5, 2.1), (2.5, 2.84))
        let (ducts, wallsX, wallsY) = ExhaustDucts.layout(e, opening: opening, shiftM: margin, spacingM: 0.05)
        XCTAssertEqual(ducts.count, 18)
        XCTAssertEqual(ducts.map { $0.tiles[0].count }.prefix(6), [2, 2, 2, 2, 2, 2])
        XCTAssertEqual(Set(ducts.map { $0.tiles[1].count }), [2, 3])
        XCTAssertEqual(wallsX.count, 5)
        XCTAssertEqual(wallsX[0], 1.6, accuracy: 1e-12)
        XCTAssertEqual(wallsY.count, 2)
        XCTAssertEqual(wallsY[0], 2.5 + 2 * 0.34 / 7, accuracy: 1e-12)
        XCTAssertEqual(ducts.reduce(0) { $0 + $1.areaShare }, 1, accuracy: 1e-12)
        let v = ExhaustDucts.values(ducts, e)
        XCTAssertEqual(v.reduce(0) { $0 + $1.flowM3PerS }, 0.9, accuracy: 1e-12)
        XCTAssertEqual(v.reduce(0) { $0 + $1.flowM3PerS * $1.temperatureC }, 0.9 * 31.5, accuracy: 1e-10)
        // Shares from the tiles: duct 0 holds tiles 0–1 of rows 0–1 (outflows 1 + 2 per row).
        let total = p.outflowM3PerS.reduce(0, +)
        XCTAssertEqual(v[0].flowM3PerS, 0.9 * 0.001 * 3 * 2 / total, accuracy: 1e-12)
        XCTAssertGreaterThan(v[5].flowM3PerS, 3 * v[0].flowM3PerS)
        // Temperatures keep their differences (rows 0–1 against rows 5–6: 5 K apart).
        XCTAssertEqual(v[12].temperatureC - v[0].temperatureC, 5, accuracy: 1e-9)

        var uniform = e
        uniform.profile = nil
        let one = ExhaustDucts.layout(uniform, opening: opening, shiftM: margin, spacingM: 0.05)
        XCTAssertEqual(one.ducts.count, 1)
        XCTAssertEqual(one.ducts[0].name, "exhaust-A01")
        XCTAssertTrue(one.wallsX.isEmpty && one.wallsY.isEmpty)
        let u = ExhaustDucts.values(one.ducts, uniform)
        XCTAssertEqual(u[0].flowM3PerS, 0.9)
        XCTAssertEqual(u[0].temperatureC, 31.5)
        // A coarse hall (15 cm): two sub-ducts across, one deep.
        XCTAssertEqual(ExhaustDucts.layout(e, opening: opening, shiftM: margin, spacingM: 0.15).ducts.count, 2)
    }
}
