/// A boundary condition for a scalar on one side of the box.
public enum ScalarBoundary {
    /// Fixed value φ at the boundary face centre, given as a function of (x, y, z).
    case dirichlet((Double, Double, Double) -> Double)
    /// Fixed k ∂φ/∂n along the outward normal at the face centre. For heat (flux −k∇T)
    /// this is the heat flux density *into* the domain, W/m².
    case neumann((Double, Double, Double) -> Double)

    public static func value(_ v: Double) -> ScalarBoundary { .dirichlet { _, _, _ in v } }
    public static func flux(_ q: Double) -> ScalarBoundary { .neumann { _, _, _ in q } }
    public static let insulated = ScalarBoundary.flux(0)
}

/// The finite-volume discretisation of −∇·(k ∇φ) = f on a tagged grid: the symmetric
/// stencil and the right-hand side (sources integrated over cells plus boundary terms).
///
/// Face conductances are `area / (d⁻/k⁻ + d⁺/k⁺)` with `d±` the distances from the two
/// cell centres to the face: exact for a piecewise-constant coefficient, second order on
/// smoothly varying grids. Wall faces and solid cells conduct nothing (here: the scalar
/// lives in the fluid only). A Dirichlet value sits on the boundary face, half a cell
/// from the centre.
public struct DiffusionProblem {
    public let grid: Grid
    public var tags: GridTags
    /// k per cell.
    public var coefficient: [Double]
    /// Conditions per side; unset sides are insulated.
    public var boundaries: [Side: ScalarBoundary] = [:]

    public init(grid: Grid, coefficient: [Double]? = nil, tags: GridTags? = nil) {
        self.grid = grid
        self.tags = tags ?? GridTags(grid)
        self.coefficient = coefficient ?? [Double](repeating: 1, count: grid.cellCount)
        precondition(self.coefficient.count == grid.cellCount)
    }

    /// Face areas and centre-to-face distances for axis a at cell (i, j, k).
    @inline(__always) private func faceArea(_ a: Int, _ i: Int, _ j: Int, _ k: Int) -> Double {
        a == 0
            ? grid.y.widths[j] * grid.z.widths[k]
            : (a == 1 ? grid.x.widths[i] * grid.z.widths[k] : grid.x.widths[i] * grid.y.widths[j])
    }

    public func stencil() -> SymmetricStencil {
        let g = grid, nx = g.nx, ny = g.ny, nz = g.nz, n = g.cellCount
        let pad = nx * ny + 1
        let east = PaddedVector(count: n, pad: pad), north = PaddedVector(count: n, pad: pad),
            top = PaddedVector(count: n, pad: pad)
        var anchor = [Double](repeating: 0, count: n)
        var active = [Bool](repeating: true, count: n)
        tags.cells.withUnsafeBufferPointer { cells in
            for c in 0..<n where cells[c] == .solid { active[c] = false }
        }
        let dx = g.x.widths, dy = g.y.widths, dz = g.z.widths
        coefficient.withUnsafeBufferPointer { kp in
            tags.faces[0].withUnsafeBufferPointer { fx in
                tags.faces[1].withUnsafeBufferPointer { fy in
                    tags.faces[2].withUnsafeBufferPointer { fz in
                        let ep = east.p, np = north.p, tp = top.p
                        for k in 0..<nz {
                            for j in 0..<ny {
                                let areaX = dy[j] * dz[k]
                                for i in 0..<nx {
                                    let c = i + nx * (j + ny * k)
                                    // 1 / (half-width / k) of this cell along each axis.
                                    let kc = kp[c]
                                    if i + 1 < nx && fx[(i + 1) + (nx + 1) * (j + ny * k)] != .wall {
                                        ep[c] = areaX / (0.5 * dx[i] / kc + 0.5 * dx[i + 1] / kp[c + 1])
                                    }
                                    if j + 1 < ny && fy[i + nx * ((j + 1) + (ny + 1) * k)] != .wall {
                                        np[c] = dx[i] * dz[k] / (0.5 * dy[j] / kc + 0.5 * dy[j + 1] / kp[c + nx])
                                    }
                                    if k + 1 < nz && fz[c + nx * ny] != .wall {
                                        tp[c] = dx[i] * dy[j] / (0.5 * dz[k] / kc + 0.5 * dz[k + 1] / kp[c + nx * ny])
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        forEachBoundaryFace { side, c, area, halfWidth, _ in
            if case .dirichlet = boundaries[side] { anchor[c] += area * coefficient[c] / halfWidth }
        }
        return SymmetricStencil(
            nx: nx, ny: ny, nz: nz, east: east, north: north, top: top, anchor: anchor, active: active)
    }

    /// b = ∫ f dV per cell plus boundary terms: g_B φ_B for a Dirichlet face (g_B its
    /// conductance), +q·A for a Neumann face (−∮k∂φ/∂n dA moved to the right).
    public func rightHandSide(source: (Double, Double, Double) -> Double) -> [Double] {
        let g = grid
        var b = [Double](repeating: 0, count: g.cellCount)
        for k in 0..<g.nz {
            for j in 0..<g.ny {
                for i in 0..<g.nx {
                    b[g.index(i, j, k)] = source(g.x.centres[i], g.y.centres[j], g.z.centres[k]) * g.volume(i, j, k)
                }
            }
        }
        forEachBoundaryFace { side, c, area, halfWidth, at in
            switch boundaries[side] {
            case .dirichlet(let phi)?: b[c] += area * coefficient[c] / halfWidth * phi(at.0, at.1, at.2)
            case .neumann(let q)?: b[c] += q(at.0, at.1, at.2) * area
            case nil: break
            }
        }
        for c in 0..<g.cellCount where tags.cells[c] == .solid { b[c] = 0 }
        return b
    }

    /// Visits every boundary face of a non-solid cell not covered by a wall tag.
    func forEachBoundaryFace(_ body: (Side, Int, Double, Double, (Double, Double, Double)) -> Void) {
        let g = grid
        for side in Side.allCases {
            let a = side.axis
            let n = g.count(a)
            let layer = side.isUpper ? n - 1 : 0
            let facePos = side.isUpper ? g.axis(a).upper : g.axis(a).lower
            let (ra, rb) = a == 0 ? (g.ny, g.nz) : (a == 1 ? (g.nx, g.nz) : (g.nx, g.ny))
            for q in 0..<rb {
                for p in 0..<ra {
                    let (i, j, k) = a == 0 ? (layer, p, q) : (a == 1 ? (p, layer, q) : (p, q, layer))
                    let c = g.index(i, j, k)
                    if tags.cells[c] == .solid { continue }
                    let fi = tags.faceIndex(
                        axis: a, side.isUpper ? i + (a == 0 ? 1 : 0) : i,
                        side.isUpper ? j + (a == 1 ? 1 : 0) : j, side.isUpper ? k + (a == 2 ? 1 : 0) : k)
                    if tags.faces[a][fi] == .wall { continue }
                    let at = (
                        a == 0 ? facePos : g.x.centres[i], a == 1 ? facePos : g.y.centres[j],
                        a == 2 ? facePos : g.z.centres[k]
                    )
                    body(side, c, faceArea(a, i, j, k), 0.5 * g.axis(a).widths[layer], at)
                }
            }
        }
    }
}
