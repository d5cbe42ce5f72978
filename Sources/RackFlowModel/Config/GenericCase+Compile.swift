import Foundation
import RackFlowNumerics
import RackFlowPhysics

/// Compiling a generic case: the grid, the voxelised boxes and planes, and the `FlowCase` with
/// its options.
extension GenericCase {
    /// Builds the grid (lines at every box corner and plane position), voxelises boxes and
    /// planes, and fills a `FlowCase` with porous coefficients, heat, sheet losses, fans,
    /// patches, sides and physics.
    public func compile() throws -> (FlowCase, SimpleOptions, report: VoxelReport) {
        let grid = try buildGrid()
        let vboxes = boxes.map { b in
            VoxelBox(
                name: b.name, lo: b.lo, hi: b.hi,
                tag: b.kind == .solid ? .solid : (b.kind == .porous ? .porous : .fluid))
        }
        return try compile(on: grid, vboxes)
    }

    /// The grid lines alone (no per-cell array exists yet), after the overlap check and the
    /// resource check: a grid larger than the machine's memory is refused here with its
    /// estimate of cells, memory and time, before anything is allocated.
    public func buildGrid(availableBytes: Double? = ResourceEstimate.availableBytes()) throws -> Grid {
        // Overlapping solids.
        let vboxes = boxes.map { b in
            VoxelBox(
                name: b.name, lo: b.lo, hi: b.hi,
                tag: b.kind == .solid ? .solid : (b.kind == .porous ? .porous : .fluid))
        }
        if let (a, b) = Voxeliser.overlaps(vboxes).first {
            let na = boxes.first { $0.name == a }!.node, nb = boxes.first { $0.name == b }!.node
            throw nb.error("solid boxes '\(a)' (set at \(Self.place(na))) and '\(b)' overlap")
        }
        // Grid.
        let grid: Grid
        do {
            grid = try GridGenerator.grid(
                domainLo: (0, 0, 0), domainHi: size,
                boxes: boxes.map { ($0.lo, $0.hi) },
                planes: planes.filter { !$0.onNearestLine }.map { (axis: $0.axis, position: $0.position) },
                constraints: constraints)
        } catch let e as InputError where e.file == nil {
            if let h = maxSpacingOverrideM, e.keyPath == "minSpacingM", h <= constraints.minSpacingM {
                throw InputError(
                    file: file, line: nil, keyPath: "--max-spacing",
                    problem: "must be above the file's grid.minSpacing, \(configFormat(constraints.minSpacingM)) m "
                        + "(got \(configFormat(h)) m)")
            }
            let key = [
                "maxSpacingM": "maxSpacing", "maxNeighbourRatio": "maxNeighbourRatio",
                "minCellsAcrossPart": "minCellsAcrossPart", "minSpacingM": "minSpacing",
            ][e.keyPath]
            if let key, let g = root.child("grid") { throw g.error(key, e.problem) }
            throw root.error("grid", "\(e.keyPath): \(e.problem)")
        }
        let estimate = ResourceEstimate(
            nx: grid.nx, ny: grid.ny, nz: grid.nz,
            iterations: ResourceEstimate.typicalIterations)
        if let why = estimate.refusal(available: availableBytes) {
            // A kilometre-long domain is a unit slip (millimetres typed as metres), not a spacing to
            // raise: [1000, 200, 100] was blamed on grid.maxSpacing. Past a hundred metres (a large
            // hall, or the same slip) the spacing stays blamed, and the units are named as the
            // other possibility.
            let largest = max(size.0, size.1, size.2)
            let units =
                "lengths are in metres (\(configFormat(largest)) mm is \(configFormat(largest / 1000)) m)"
            if largest >= Self.unitSlipSideM, let d = root.child("domain") {
                throw d.error("size", "its largest side is \(configFormat(largest)) m: \(units); \(why)")
            }
            let hint = largest > Self.largestHallSideM ? "; or, if domain.size is in millimetres, \(units)" : ""
            if let g = root.child("grid") { throw g.error("maxSpacing", why + hint) }
            throw root.error("grid", why + hint)
        }
        return grid
    }

    /// Boxes on cells and planes on faces (`Voxeliser`); its errors point at the box's or
    /// plane's lines.
    func voxelise(on grid: Grid, _ vboxes: [VoxelBox]) throws -> (GridTags, VoxelReport) {
        let full = [size.0, size.1, size.2]
        let vplanes = planes.map { p -> VoxelPlane in
            let other = [(p.axis + 1) % 3, (p.axis + 2) % 3].sorted()
            let tag: FaceTag
            switch p.kind {
            case .sheet: tag = .porousSheet
            case .wall: tag = .wall
            case .fan: tag = .fan
            }
            var v = VoxelPlane(
                name: p.name, axis: p.axis, positionM: p.position,
                lo: p.lo ?? (0, 0), hi: p.hi ?? (full[other[0]], full[other[1]]), tag: tag)
            v.snapsToNearestLine = p.onNearestLine
            return v
        }
        try checkPlanesResolved(grid)
        var tags = GridTags(grid)
        let report: VoxelReport
        do {
            report = try Voxeliser.apply(
                boxes: vboxes, planes: vplanes, to: &tags, maxSnapDistanceM: maxPlaneSnapM(grid))
        } catch let e as InputError where e.file == nil {
            if let b = boxes.first(where: { $0.name == e.keyPath }) { throw b.node.error(e.problem) }
            if let p = planes.first(where: { $0.name == e.keyPath }) { throw p.node.error(e.problem) }
            throw root.error(e.problem)
        }
        return (tags, report)
    }

    /// Porous boxes' coefficients on their porous cells; each box's power spread over its
    /// non-solid cells by volume.
    func addPorousAndHeat(to flow: inout FlowCase, _ report: VoxelReport) throws {
        let grid = flow.grid
        let tags = flow.tags
        var heat = [Double](repeating: 0, count: grid.cellCount)
        var anyHeat = false
        for b in boxes {
            let cells = report.boxCells[b.name] ?? []
            if let pc = b.porous {
                for c in cells where tags.cells[c] == .porous { flow.porous[c] = pc }
            }
            if b.powerW > 0 {
                let live = cells.filter { tags.cells[c: $0] != .solid }
                let vol = live.reduce(0.0) { s, c in
                    let (i, j, k) = grid.ijk(c)
                    return s + grid.volume(i, j, k)
                }
                guard vol > 0 else {
                    throw b.node.error(
                        "powerW",
                        "no fluid or porous cell is left in the box to release the power (later solid boxes cover it)")
                }
                for c in live {
                    let (i, j, k) = grid.ijk(c)
                    heat[c] += b.powerW * grid.volume(i, j, k) / vol
                }
                anyHeat = true
            }
        }
        if anyHeat { flow.heatW = heat }
    }

    /// Sheets' loss coefficients and fans on their faces (faces a later plane re-tagged are dropped).
    func addSheetsAndFans(to flow: inout FlowCase, _ report: VoxelReport) throws {
        let tags = flow.tags
        for p in planes {
            guard let pf = report.planeFaces[p.name] else { continue }
            switch p.kind {
            case let .sheet(zeta):
                for f in pf.faces where tags.faces[pf.axis][f] == .porousSheet { flow.sheetZeta[pf.axis][f] = zeta }
            case let .fan(curve, rpm, direction):
                let faces = pf.faces.filter { tags.faces[pf.axis][$0] == .fan }
                guard !faces.isEmpty else { throw p.node.error("every face of the fan is covered by a later plane") }
                flow.fans.append(
                    FanFaces(
                        name: p.name, axis: pf.axis, direction: direction, faces: faces, curve: curve,
                        rpm: rpm, areaM2: pf.flowAreaM2, densityKgPerM3: fluid.densityKgPerM3))
            case .wall:
                break
            }
        }
    }

    func compile(on grid: Grid, _ vboxes: [VoxelBox]) throws -> (FlowCase, SimpleOptions, report: VoxelReport) {
        let (tags, report) = try voxelise(on: grid, vboxes)

        var flow = FlowCase(grid: grid, tags: tags)
        flow.fluid = fluid
        flow.gravity = gravity
        flow.solveEnergy = energy
        flow.turbulence = turbulence
        flow.initialTemperatureC = initialTemperatureC
        flow.sides = sides

        try addPorousAndHeat(to: &flow, report)

        try addSheetsAndFans(to: &flow, report)

        // Patches: each must take at least one boundary face (`PatchArea.swift`).
        flow.patches = patches.map(\.patch)
        for (ps, c) in zip(patches, flow.patchCoverage()) where c.coveredAreaM2 <= 0 {
            throw ps.node.error(
                c.heldAreaM2 > 0
                    ? "patch's faces are all taken by patches listed after it (where rectangles overlap, the later "
                        + "patch takes the face)"
                    : "patch covers no boundary face of side \(ps.patch.side) (check lo/hi, in the side's in-plane "
                        + "axes)")
        }
        try Self.checkInflowsReachAnOutlet(flow, patches: patches)
        return (flow, options, report: report)
    }
}

extension GenericCase {
    /// `FILE:LINE KEY.PATH` of a node, for messages that point at a second place.
    static func place(_ n: ConfigNode) -> String {
        let f = (n.file as NSString).lastPathComponent
        return f + (n.line.map { ":\($0)" } ?? "") + (n.keyPath.isEmpty ? "" : " " + n.keyPath)
    }

    /// How far a plane may move when snapped to its grid line: half of `minSpacing` (lines
    /// closer than `minSpacing` merge, so a plane only moves when it merged with a nearby line),
    /// and never less than rounding.
    func maxPlaneSnapM(_ grid: Grid) -> Double {
        let axes = [grid.x, grid.y, grid.z]
        return max(constraints.minSpacingM / 2, 1e-9 * axes.map(\.length).max()!)
    }

    /// "Spacing too coarse to resolve a plane's position": every plane gets a grid line at its
    /// position unless lines closer than `grid.minSpacing` merge. Merging is an error when it
    /// moves a plane by more than half of `minSpacing`, puts it onto the domain boundary, or puts
    /// it on the same line as another plane with a different position whose rectangle overlaps
    /// its own (one would silently replace the other's faces).
    func checkPlanesResolved(_ grid: Grid) throws {
        let axes = [grid.x, grid.y, grid.z], names = ["x", "y", "z"]
        let maxMove = maxPlaneSnapM(grid)
        var onLine: [[Int: [Int]]] = [[:], [:], [:]]
        func m(_ v: Double) -> String { configFormat((v * 1e6).rounded() / 1e6) } // to the micrometre
        func rect(_ p: Plane) -> ((Double, Double), (Double, Double)) {
            (p.lo ?? (-.infinity, -.infinity), p.hi ?? (.infinity, .infinity))
        }
        func overlap(_ p: Plane, _ q: Plane) -> Bool {
            let (a, b) = (rect(p), rect(q))
            return min(a.1.0, b.1.0) > max(a.0.0, b.0.0) && min(a.1.1, b.1.1) > max(a.0.1, b.0.1)
        }
        for (i, p) in planes.enumerated() {
            guard (0...2).contains(p.axis), p.position.isFinite else { continue } // the voxeliser reports these
            let ax = axes[p.axis], eps = 1e-9 * ax.length, n = names[p.axis]
            guard p.position >= ax.lower - eps && p.position <= ax.upper + eps else { continue }
            let s = GridGenerator.snap(p.position, to: ax)
            let moved = abs(s.position - p.position)
            let why =
                "spacing too coarse to resolve the plane's position (grid.minSpacing \(m(constraints.minSpacingM)) m "
                + "merges grid lines closer than that); move the plane or lower grid.minSpacing"
            if moved > eps && (s.index == 0 || s.index == ax.faces.count - 1) {
                throw p.node.error(
                    "plane '\(p.name)' at \(n) = \(m(p.position)) m lands on the domain boundary \(n) = "
                        + "\(m(s.position)) m: \(why)"
                )
            }
            for j in onLine[p.axis][s.index, default: []] {
                let q = planes[j]
                guard abs(q.position - p.position) > eps, overlap(p, q) else { continue }
                // Report the plane that moved further (its position is the one lost).
                let (lost, kept) = abs(q.position - s.position) > moved ? (q, p) : (p, q)
                throw lost.node.error(
                    "plane '\(lost.name)' at \(n) = \(m(lost.position)) m lands on the grid line of plane "
                        + "'\(kept.name)' at \(n) = \(m(kept.position)) m (set at \(Self.place(kept.node))): \(why)"
                )
            }
            if moved > maxMove && !p.onNearestLine {
                throw p.node.error(
                    "plane '\(p.name)' at \(n) = \(m(p.position)) m is snapped \(m(moved)) m to the grid line at "
                        + "\(m(s.position)) m: \(why)"
                )
            }
            onLine[p.axis][s.index, default: []].append(i)
        }
    }
}

private extension Array where Element == CellTag {
    subscript(c c: Int) -> CellTag { self[c] }
}
