import RackFlowNumerics

/// A solved state carried onto another grid of the same domain: a warm restart from an earlier
/// solution, on the same grid or a changed one.
///
/// Description
///   `solutionState()` records the fields with the grid they live on (face positions per axis)
///   and the solid mask. `start(from:)` interpolates them trilinearly at each quantity's own
///   staggered location: u at x-faces (x on the source's face positions, y and z on its cell
///   centres), v and w likewise, and p and T at cell centres. The eddy viscosity is not carried:
///   the mixing-length model recomputes it from the velocity before the first iteration. Outside the outermost
///   source points a value is held constant (the first and last centres lie half a cell inside
///   the walls). Solid source cells carry no meaningful p or T, so cell-centred weights are
///   renormalised over fluid cells; velocities on solid faces are zero, which is the no-slip
///   value the interpolation should see. On the same grid every weight is 0 or 1 and the fields
///   are copied exactly. The grids are rectilinear and need not nest: the generator snaps lines
///   to part edges, so one grid's lines are not a subset of another's.
///
///   A changed input (powers, fans, inflow, a changed grid) leaves the transferred velocity out
///   of balance; the first outer iteration's pressure correction projects it, as full
///   multigrid's prolongation is followed by smoothing (Brandt 1977, "Multi-level adaptive
///   solutions to boundary-value problems", Math. Comp. 31, §7). Fixed faces (inlets, walls,
///   solid faces) take their own values again. The pseudo-time Courant number continues from
///   the source's, so the damping of a start from rest is not repeated.
///
/// Usage
///   | call                                | effect                                            |
///   | let s = solver.solutionState()      | fields, grid lines, solid mask                    |
///   | try other.start(from: s)            | all of it interpolated onto `other`'s grid;       |
///   |                                     | returns true when the grids were the same         |
extension FlowSolver {
    /// This solver's solution with the grid it lives on, for `start(from:)`.
    public func solutionState() -> SolverState {
        var s = SolverState()
        for a in 0..<3 { s.arrays["velocity\(a)"] = velocity[a].array }
        s.arrays["pressure"] = pressure.array
        s.arrays["temperature"] = temperature.array
        let g = flow.grid
        s.arrays["grid.x"] = g.x.faces
        s.arrays["grid.y"] = g.y.faces
        s.arrays["grid.z"] = g.z.faces
        s.arrays["solid"] = isSolid.map { $0 ? 1 : 0 }
        s.scalars = ["pseudoCourant": pseudo.courant, "pseudoEnergyCourant": pseudo.energyCourant]
        return s
    }

    /// Starts from a recorded solution (`solutionState()`), interpolated onto this grid; returns
    /// true when the two grids are the same. Throws when the record is not a solution of a
    /// domain of this size.
    @discardableResult
    public func start(from state: SolverState) throws -> Bool {
        func array(_ name: String) throws -> [Double] {
            guard let a = state.arrays[name] else { throw InputError("the solution has no \(name)") }
            return a
        }
        var faces: [[Double]] = []
        for axis in ["x", "y", "z"] {
            let f = try array("grid." + axis)
            guard f.count >= 2, f.allSatisfy(\.isFinite), zip(f, f.dropFirst()).allSatisfy({ $0 < $1 }) else {
                throw InputError("the solution's grid.\(axis) lines are not increasing")
            }
            faces.append(f)
        }
        let sg = Grid(x: Axis(faces: faces[0]), y: Axis(faces: faces[1]), z: Axis(faces: faces[2]))
        let tg = flow.grid
        for a in 0..<3 {
            let (s, t) = (sg.axis(a), tg.axis(a))
            let slack = 1e-9 * max(t.length, 1)
            guard abs(s.lower - t.lower) <= slack, abs(s.upper - t.upper) <= slack else {
                let name = ["x", "y", "z"][a]
                throw InputError(
                    "the solution's domain spans \(s.lower)…\(s.upper) m along \(name), "
                        + "this case's \(t.lower)…\(t.upper) m")
            }
        }
        let n = [sg.nx, sg.ny, sg.nz]
        let cells = sg.cellCount
        let velocities = try (0..<3).map { try array("velocity\($0)") }
        for a in 0..<3 where velocities[a].count != cells / n[a] * (n[a] + 1) {
            throw InputError("the solution's velocity\(a) has \(velocities[a].count) values for its grid")
        }
        let cellArrays = try ["pressure", "temperature", "solid"].map { try array($0) }
        for (name, v) in zip(["pressure", "temperature", "solid"], cellArrays) where v.count != cells {
            throw InputError("the solution's \(name) has \(v.count) values for \(cells) cells")
        }
        let fluid = cellArrays[2].map { $0 == 0 }
        let sourceCentres = [sg.x.centres, sg.y.centres, sg.z.centres]
        let targetCentres = [tg.x.centres, tg.y.centres, tg.z.centres]
        for a in 0..<3 {
            let from = (0..<3).map { $0 == a ? faces[$0] : sourceCentres[$0] }
            let to = (0..<3).map { $0 == a ? tg.axis($0).faces : targetCentres[$0] }
            velocities[a].withUnsafeBufferPointer {
                Self.interpolate($0.baseAddress!, on: from, into: velocity[a].p, on: to, fluid: nil)
            }
            applyFixedValues(a)
        }
        cellArrays[0].withUnsafeBufferPointer {
            Self.interpolate($0.baseAddress!, on: sourceCentres, into: pressure.p, on: targetCentres, fluid: fluid)
        }
        cellArrays[1].withUnsafeBufferPointer {
            Self.interpolate($0.baseAddress!, on: sourceCentres, into: temperature.p, on: targetCentres, fluid: fluid)
        }
        if let c = state.scalars["pseudoCourant"], c > 0 {
            pseudo.courantCap = options.pseudoCourantMax
            pseudo.courant = min(c, pseudo.courantCap)
            pseudo.energyCourant = min(state.scalars["pseudoEnergyCourant"] ?? c, energyCourantCap)
            pseudo.warmStart = true
        }
        pcSolver = nil
        return sg == tg
    }

    /// One axis's bracketing: for each target coordinate, the lower source index and the weight
    /// of the upper one (0 below the first source point, 1 above the last).
    static func bracket(_ target: [Double], in source: [Double]) -> (lower: [Int], weight: [Double]) {
        var lower = [Int](repeating: 0, count: target.count)
        var weight = [Double](repeating: 0, count: target.count)
        guard source.count > 1 else { return (lower, weight) }
        var i = 0
        for (t, x) in target.enumerated() {
            while i < source.count - 2 && source[i + 1] < x { i += 1 }
            lower[t] = i
            weight[t] = min(max((x - source[i]) / (source[i + 1] - source[i]), 0), 1)
        }
        return (lower, weight)
    }

    /// Trilinear interpolation of a field stored x-fastest on the tensor points `from` into
    /// the tensor points `to`. With `fluid`, source points marked false carry no weight and the
    /// rest are renormalised; a target whose eight neighbours are all excluded keeps its value.
    static func interpolate(
        _ s: UnsafePointer<Double>, on from: [[Double]], into t: UnsafeMutablePointer<Double>,
        on to: [[Double]], fluid: [Bool]?
    ) {
        let bx = bracket(to[0], in: from[0]), by = bracket(to[1], in: from[1]), bz = bracket(to[2], in: from[2])
        let sx = from[0].count, sy = from[1].count, sz = from[2].count
        let tx = to[0].count, ty = to[1].count
        for k in 0..<to[2].count {
            let k0 = bz.lower[k], k1 = min(k0 + 1, sz - 1), wz = bz.weight[k]
            for j in 0..<ty {
                let j0 = by.lower[j], j1 = min(j0 + 1, sy - 1), wy = by.weight[j]
                for i in 0..<tx {
                    let i0 = bx.lower[i], i1 = min(i0 + 1, sx - 1), wx = bx.weight[i]
                    var sum = 0.0, weights = 0.0
                    for corner in 0..<8 {
                        // Bit 0 picks the upper x point, bit 1 the upper y, bit 2 the upper z.
                        let fx = corner & 1 == 0 ? 1 - wx : wx
                        let fy = corner & 2 == 0 ? 1 - wy : wy
                        let fz = corner & 4 == 0 ? 1 - wz : wz
                        let f = fx * fy * fz
                        guard f > 0 else { continue }
                        let m =
                            (corner & 1 == 0 ? i0 : i1) + sx
                            * ((corner & 2 == 0 ? j0 : j1)
                                + sy * (corner & 4 == 0 ? k0 : k1))
                        if let fluid, !fluid[m] { continue }
                        sum += f * s[m]
                        weights += f
                    }
                    if weights > 1e-12 { t[i + tx * (j + ty * k)] = sum / weights }
                }
            }
        }
    }
}
