/// Description
///   Location-named operators of the staggered (MAC) grid of Harlow & Welch (1965, Phys. Fluids 8,
///   "Numerical calculation of time-dependent viscous incompressible flow of fluid with free
///   surface"): pressure and temperature at cell centres ᶜ, velocity component a on the faces
///   normal to axis a ᶠ. Cells are indexed i + nx (j + ny k); the faces of component a are
///   stored x-fastest on the cell counts with one more along a: (nx+1)×ny×nz, nx×(ny+1)×nz and
///   nx×ny×(nz+1) (`FaceField`). Each name says where its result lives, as Oceananigans.jl's
///   ℑxᶜᵃᵃ does (interpolate along x, result at a centre in x): written once here, and used
///   wherever a writer or a model needs them, so no caller spells out a face layout again.
///
/// Usage
///   | operator                                  | result                                        |
///   | ---                                       | ---                                           |
///   | `grid.ijk(c)`                             | (i, j, k) of cell c (Grid.swift)              |
///   | `grid.faceCounts(a)`                      | the face grid of component a                  |
///   | `grid.faceIndex(a, i, j, k)`              | the face of component a below cell (i, j, k)  |
///   | `grid.faceIJK(a, f)`                      | (i, j, k) of face f of component a            |
///   | `StaggeredOperators.velocityAtCentres`    | ℑxᶜᵃᵃ u, ℑyᵃᶜᵃ v, ℑzᵃᵃᶜ w: each component the |
///   |                                           | mean of the cell's two faces along its axis   |
extension Grid {
    /// Faces of component `a` along x, y and z.
    @inline(__always) public func faceCounts(_ a: Int) -> (Int, Int, Int) {
        (nx + (a == 0 ? 1 : 0), ny + (a == 1 ? 1 : 0), nz + (a == 2 ? 1 : 0))
    }

    /// The face of component `a` on the lower side of cell (i, j, k) along axis a; the upper
    /// face is the next one along a (+1, +nx or +nx·ny).
    @inline(__always) public func faceIndex(_ a: Int, _ i: Int, _ j: Int, _ k: Int) -> Int {
        let (fx, fy, _) = faceCounts(a)
        return i + fx * (j + fy * k)
    }

    /// (i, j, k) of face `f` of component `a`: the cell above it along a, or one past the last.
    @inline(__always) public func faceIJK(_ a: Int, _ f: Int) -> (Int, Int, Int) {
        let (fx, fy, _) = faceCounts(a)
        return (f % fx, (f / fx) % fy, f / (fx * fy))
    }
}

public enum StaggeredOperators {
    /// Cell-centred velocity from face velocities: u at a centre is the mean of the cell's west
    /// and east faces (second-order on a uniform grid, and the value a finite-volume cell holds
    /// on any), v of its south and north, w of its bottom and top. `u`, `v`, `w` are face
    /// arrays of the sizes `grid.faceCounts`; the outputs are cell arrays (`grid.cellCount`).
    public static func velocityAtCentres(
        _ grid: Grid, u: UnsafePointer<Double>, v: UnsafePointer<Double>, w: UnsafePointer<Double>,
        intoU uc: UnsafeMutablePointer<Double>, intoV vc: UnsafeMutablePointer<Double>,
        intoW wc: UnsafeMutablePointer<Double>
    ) {
        let nx = grid.nx, ny = grid.ny, nz = grid.nz
        var c = 0
        for k in 0..<nz {
            for j in 0..<ny {
                var iu = (nx + 1) * (j + ny * k)
                var iv = nx * (j + (ny + 1) * k)
                var iw = nx * (j + ny * k)
                for _ in 0..<nx {
                    uc[c] = 0.5 * (u[iu] + u[iu + 1])
                    vc[c] = 0.5 * (v[iv] + v[iv + nx])
                    wc[c] = 0.5 * (w[iw] + w[iw + nx * ny])
                    c += 1
                    iu += 1
                    iv += 1
                    iw += 1
                }
            }
        }
    }

    /// The same into new arrays.
    public static func velocityAtCentres(
        _ grid: Grid, u: [Double], v: [Double], w: [Double]
    ) -> (u: [Double], v: [Double], w: [Double]) {
        let n = grid.cellCount
        precondition(u.count == (grid.nx + 1) * grid.ny * grid.nz, "u has \(u.count) faces")
        precondition(v.count == grid.nx * (grid.ny + 1) * grid.nz, "v has \(v.count) faces")
        precondition(w.count == grid.nx * grid.ny * (grid.nz + 1), "w has \(w.count) faces")
        var uc = [Double](repeating: 0, count: n), vc = uc, wc = uc
        u.withUnsafeBufferPointer { up in
            v.withUnsafeBufferPointer { vp in
                w.withUnsafeBufferPointer { wp in
                    uc.withUnsafeMutableBufferPointer { ucp in
                        vc.withUnsafeMutableBufferPointer { vcp in
                            wc.withUnsafeMutableBufferPointer { wcp in
                                velocityAtCentres(
                                    grid, u: up.baseAddress!, v: vp.baseAddress!, w: wp.baseAddress!,
                                    intoU: ucp.baseAddress!, intoV: vcp.baseAddress!, intoW: wcp.baseAddress!)
                            }
                        }
                    }
                }
            }
        }
        return (uc, vc, wc)
    }
}
