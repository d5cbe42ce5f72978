import RackFlowNumerics
import RackFlowPhysics

/// Every inlet's air must reach a way out.
///
/// Description
///   The air of the case is split into connected regions: fluid and porous cells joined across
///   every face that is not a wall (sheets and fans let air through), solid cells in none. A
///   region fed by a fixed inflow (a `velocity` or `flow` patch with air coming in) that touches
///   no pressure boundary (an outlet or a fan patch) has nowhere to put that air: the pressure
///   equation has no solution there. Two wall planes leaving a 3 mm slot on 38 mm cells closed
///   a duct in this way without a word, and the solve ended 452 iterations later in "conjugate
///   gradients broke down (pᵀAp ≤ 0)" with no file or key named. The case is refused at the
///   inlet patch instead.
///
/// Usage
///   | checked                           | refused at                                  |
///   | each `velocity`/`flow` patch       | the patch, when its region has no outlet    |
extension GenericCase {
    static func checkInflowsReachAnOutlet(_ flow: FlowCase, patches: [PatchSpec]) throws {
        let g = flow.grid
        let tags = flow.tags
        let (nx, ny, nz) = (g.nx, g.ny, g.nz)
        let regions = DisjointSets(count: g.cellCount)
        defer { regions.deallocate() }
        let open = tags.cells.map { $0 != .solid }
        for k in 0..<nz {
            for j in 0..<ny {
                for i in 0..<nx {
                    let c = g.index(i, j, k)
                    guard open[c] else { continue }
                    // The neighbour below along each axis, across that axis's face at this cell.
                    for a in 0..<3 {
                        let (exists, n) = a == 0 ? (i > 0, c - 1) : (a == 1 ? (j > 0, c - nx) : (k > 0, c - nx * ny))
                        guard exists && open[n] else { continue }
                        guard tags.faces[a][tags.faceIndex(axis: a, i, j, k)] != .wall else { continue }
                        regions.union(c, n)
                    }
                }
            }
        }
        var fed: [Int: Int] = [:] // region → the first patch feeding it
        var drained: Set<Int> = []
        for side in Side.allCases {
            let a = side.axis
            let (p, q) = SIMD3<Int>.transverse(a)
            let n = [nx, ny, nz]
            for (m, face) in flow.boundaryFaces(side).enumerated() {
                var ijk = [0, 0, 0]
                ijk[a] = side.isUpper ? n[a] - 1 : 0
                ijk[p] = m % n[p]
                ijk[q] = m / n[p]
                let c = g.index(ijk[0], ijk[1], ijk[2])
                guard open[c] else { continue }
                switch face {
                case let .inlet(speed, _, pi) where speed > 0:
                    let r = regions.find(c)
                    if fed[r] == nil { fed[r] = pi }
                case .outlet: drained.insert(regions.find(c))
                default: break
                }
            }
        }
        for (r, pi) in fed.sorted(by: { $0.value < $1.value }) where !drained.contains(r) {
            throw patches[pi].node.error(
                "the air it brings in has no way out: walls, planes or solid boxes close the region it feeds off "
                    + "from every outlet (a gap narrower than the grid's cells is closed: refine the spacing there "
                    + "or widen the gap)")
        }
    }
}
