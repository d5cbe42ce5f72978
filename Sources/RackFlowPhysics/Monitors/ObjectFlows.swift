import RackFlowNumerics

/// Flows and temperatures of one object of a case: an inlet or outlet patch, a box, a plane.
///
/// Description
///   A temperature reported for air that leaves or crosses something is the mixed-cup
///   (bulk) temperature, the one the energy balance sees:
///
///     T_b = Σ_f ṁ_f T_f / Σ_f ṁ_f,
///
///   with T_f the temperature the discretisation advects through face f: the upwind cell's,
///   or, where air enters through an outlet (backflow) or an inlet, the patch's own. A plain
///   mean over the outlet cells weights slow, hot corners like the jet core; on a channel with
///   a heated block it read 2.4–2.9 K below the temperature the energy balance gives, which
///   the mixed-cup value equals to the balance's own error (Incropera & DeWitt, "Fundamentals
///   of Heat and Mass Transfer", §8.2, the mean or bulk temperature).
extension FlowSolver {
    /// The open boundary faces of a patch (fluid cells along it, wall-tagged faces left out),
    /// each with its cell, the cell's (i, j, k) and the flow out of the domain through it, m³/s
    /// (negative where air enters).
    public func patchFaces(_ p: Patch) -> [(cell: Int, ijk: SIMD3<Int>, outflowM3PerS: Double)] {
        let a = p.side.axis
        let (t1, t2) = SIMD3<Int>.transverse(a)
        let F = fdim[a]
        let sign = p.side.isUpper ? 1.0 : -1.0
        let grid = flow.grid
        var faces: [(cell: Int, ijk: SIMD3<Int>, outflowM3PerS: Double)] = []
        for cc in cells(along: p) where !isSolid[cc] {
            let (ci, cj, ck) = grid.ijk(cc)
            let c = SIMD3(ci, cj, ck)
            var face = c
            if p.side.isUpper { face[a] += 1 }
            let f = face[0] + F[0] * (face[1] + F[1] * face[2])
            if flow.tags.faces[a][f] == .wall { continue }
            faces.append((cc, c, sign * velocity[a].p[f] * arrays.width(t1, c[t1]) * arrays.width(t2, c[t2])))
        }
        return faces
    }

    /// Net flow (m³/s) out of the domain through a patch, and the mixed-cup temperature (°C)
    /// of that flow (for an inlet the flow is negative and the temperature the supply's).
    public func patchFlowAndTemperature(_ p: Patch) -> (outflowM3PerS: Double, temperatureC: Double) {
        var q = 0.0, qt = 0.0
        for (cc, c, flux) in patchFaces(p) {
            var carried = temperature.p[cc]
            switch boundaryFace(p.side, c[0], c[1], c[2]) {
            case let .inlet(_, tin, _): carried = tin
            case let .outlet(_, tb, _): if flux < 0 { carried = tb }
            default: break
            }
            q += flux
            qt += flux * carried
        }
        return (q, abs(q) > 0 ? qt / q : .nan)
    }

    /// Mixed-cup temperature (°C) of the air leaving through a patch, its outflowing faces only
    /// (NaN where none): over the net flow, an opening that breathes both ways (a box's only
    /// opening) divides by nearly zero and swings without bound.
    public func outflowTemperature(_ p: Patch) -> Double {
        var q = 0.0, qt = 0.0
        for (cc, _, flux) in patchFaces(p) where flux > 0 {
            q += flux
            qt += flux * temperature.p[cc]
        }
        return q > 0 ? qt / q : .nan
    }

    /// Mixed-cup temperature (°C) of the net flow out through `outlets` together, Σ q T / Σ q
    /// over the patches: the temperature that carries their net heat out, as a rack's exhaust
    /// hands it to the room (backflow counted at the temperature it enters with).
    public func mixedCupTemperature(outlets: [Patch]) -> Double {
        var q = 0.0, qt = 0.0
        for p in outlets {
            let (out, t) = patchFlowAndTemperature(p)
            guard out.isFinite, t.isFinite else { continue }
            q += out
            qt += out * t
        }
        return q > 0 ? qt / q : .nan
    }

    /// Mixed-cup temperature (°C) of the air leaving through `outlets` together: their
    /// outflowing faces only (NaN where none). Over the net flows, a duct open at both ends (air
    /// drawn in at one outlet patch, blown out at the other) divided 3.3 W of difference by a
    /// net flow of 1e-13 m³/s and reported an exhaust of 3.6e11 °C.
    public func leavingTemperature(outlets: [Patch]) -> Double {
        var q = 0.0, qt = 0.0
        for p in outlets {
            for (cc, _, flux) in patchFaces(p) where flux > 0 {
                q += flux
                qt += flux * temperature.p[cc]
            }
        }
        return q > 0 ? qt / q : .nan
    }

    /// One face across which air can enter a body of cells: the velocity component `axis`, the
    /// face's flat index in that component, the sign that turns the face velocity into inflow
    /// (+1 on a lower face, −1 on an upper one) and the face's area, m².
    public struct SurfaceFace: Sendable {
        public let axis: Int
        public let face: Int
        public let inwardSign: Double
        public let areaM2: Double
    }

    /// The surface of a body of cells: faces between a member and a non-member, and domain faces
    /// of members. Built once per body, so that a monitor evaluated every outer iteration
    /// allocates nothing (`throughFlow(surface:)`).
    public func surfaceFaces(cells: [Int]) -> [SurfaceFace] {
        guard !cells.isEmpty else { return [] }
        var member = [Bool](repeating: false, count: nx * ny * nz)
        for c in cells { member[c] = true }
        let n = SIMD3(nx, ny, nz)
        let grid = flow.grid
        var surface: [SurfaceFace] = []
        for cc in cells {
            let (ci, cj, ck) = grid.ijk(cc)
            let c = SIMD3(ci, cj, ck)
            for a in 0..<3 {
                let (t1, t2) = SIMD3<Int>.transverse(a)
                let F = fdim[a]
                let area = arrays.width(t1, c[t1]) * arrays.width(t2, c[t2])
                for upper in [false, true] {
                    var nb = c
                    nb[a] += upper ? 1 : -1
                    if nb[a] >= 0 && nb[a] < n[a] && member[nb[0] + nx * (nb[1] + ny * nb[2])] { continue }
                    var face = c
                    if upper { face[a] += 1 }
                    surface.append(
                        SurfaceFace(
                            axis: a, face: face[0] + F[0] * (face[1] + F[1] * face[2]),
                            inwardSign: upper ? -1 : 1, areaM2: area))
                }
            }
        }
        return surface
    }

    /// Flow (m³/s) through a body: the sum of the fluxes entering it across its surface,
    /// Σ_f max(s_f u_f, 0) A_f. At a steady state it equals the flow leaving.
    public func throughFlow(surface: [SurfaceFace]) -> Double {
        var inflow = 0.0
        for f in surface {
            inflow += max(f.inwardSign * velocity[f.axis].p[f.face], 0) * f.areaM2
        }
        return inflow
    }

    /// Flow (m³/s) through a body of cells (`throughFlow(surface:)` over `surfaceFaces(cells:)`).
    public func throughFlow(cells: [Int]) -> Double {
        throughFlow(surface: surfaceFaces(cells: cells))
    }

    /// Area-weighted mean of p(upstream side) − p(downstream side) over faces of component
    /// `axis` (the static pressure drop across a sheet or rise across a fan, along +axis), Pa.
    /// Faces on the domain boundary have no cell on one side and are skipped.
    public func pressureDrop(axis: Int, faces: [Int]) -> Double {
        let (t1, t2) = SIMD3<Int>.transverse(axis)
        var sum = 0.0, area = 0.0
        for f in faces {
            guard let (lo, hi) = cellsBeside(face: f, axis: axis), !isSolid[lo] && !isSolid[hi] else { continue }
            let idx = faceIndex(f, axis: axis)
            let A = arrays.width(t1, idx[t1]) * arrays.width(t2, idx[t2])
            sum += (pressure.p[lo] - pressure.p[hi]) * A
            area += A
        }
        return area > 0 ? sum / area : .nan
    }
}
