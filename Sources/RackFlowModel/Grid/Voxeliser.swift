import RackFlowNumerics

/// An axis-aligned box of cells (metres): a part body, a porous block, a solid obstruction.
public struct VoxelBox: Sendable {
    /// Names the box in errors and in the report.
    public var name: String
    /// Lower and upper corners (m), x y z.
    public var lo: (Double, Double, Double)
    public var hi: (Double, Double, Double)
    /// What the box's cells become.
    public var tag: CellTag

    public init(name: String, lo: (Double, Double, Double), hi: (Double, Double, Double), tag: CellTag) {
        self.name = name
        self.lo = lo
        self.hi = hi
        self.tag = tag
    }
}

/// A thin axis-normal rectangle that lives on cell faces (sheet metal, a grille, a fan plane).
public struct VoxelPlane: Sendable {
    public var name: String
    /// The normal axis: 0 x, 1 y, 2 z.
    public var axis: Int
    /// Requested coordinate along `axis` (m); snapped to the nearest grid line.
    public var positionM: Double
    /// The rectangle (m) in the two other coordinates, in axis order (x,y for axis 2; x,z for axis 1; y,z for axis 0).
    public var lo: (Double, Double)
    public var hi: (Double, Double)
    /// `.wall`, `.porousSheet` or `.fan` (`.open` is rejected).
    public var tag: FaceTag
    /// Placed on whichever grid line is nearest, however far (a wall whose exact position does
    /// not matter and which adds no line of its own): no `maxSnapDistanceM` check.
    public var snapsToNearestLine = false

    public init(name: String, axis: Int, positionM: Double, lo: (Double, Double), hi: (Double, Double), tag: FaceTag) {
        self.name = name
        self.axis = axis
        self.positionM = positionM
        self.lo = lo
        self.hi = hi
        self.tag = tag
    }
}

/// Where one plane landed on the grid.
public struct VoxelPlaneFaces: Sendable, Equatable {
    /// The normal axis (0 x, 1 y, 2 z): `faces` index `GridTags.faces[axis]`.
    public var axis: Int
    /// Face-array indices the plane tagged.
    public var faces: [Int]
    public var requestedPositionM: Double
    /// The grid line it was put on; `snappedPositionM - requestedPositionM` is how far it moved.
    public var snappedPositionM: Double
    /// Summed area of the tagged faces (m²).
    public var flowAreaM2: Double
    /// Area of the requested rectangle (m²).
    public var requestedAreaM2: Double
}

/// What `Voxeliser.apply` did.
public struct VoxelReport: Sendable {
    /// Cells of each tag in the whole grid after voxelising (tags absent from the grid are absent here).
    public var cellCounts: [CellTag: Int]
    /// Cell indices whose centres lie in each box, in cell order (before later boxes override them).
    public var boxCells: [String: [Int]]
    /// Per plane name.
    public var planeFaces: [String: VoxelPlaneFaces]
}

/// Puts boxes on cells and planes on faces of an existing grid (DESIGN §3 "Grid": thin objects
/// live on faces, bodies on cells). A cell belongs to a box when its centre lies strictly
/// inside the box, so a box whose faces are grid lines (as `GridGenerator.grid` places them)
/// is voxelised exactly.
public enum Voxeliser {
    static let axisName = ["x", "y", "z"]

    /// Tags cells whose centres lie inside each box (later boxes override earlier ones) and faces of each plane
    /// (snapped to the nearest grid line along its axis, ties to the lower line; faces whose centres lie
    /// strictly inside the rectangle; later planes override earlier ones).
    ///
    /// Throws `InputError` (leaving `tags` unchanged) for non-finite numbers, an empty box or rectangle, a
    /// box or plane wholly or partly outside the domain, a box that claims no cell centre, a plane snapped
    /// further than `maxSnapDistanceM` (m), a plane covering no face, a bad axis or `.open` plane tag, and a
    /// name used twice among the boxes or among the planes.
    public static func apply(
        boxes: [VoxelBox], planes: [VoxelPlane], to tags: inout GridTags,
        maxSnapDistanceM: Double? = nil
    ) throws -> VoxelReport {
        let g = tags.grid
        var work = tags
        let tol = (0..<3).map { 1e-9 * g.axis($0).length }
        if let m = maxSnapDistanceM, !(m.isFinite && m >= 0) {
            throw InputError(key: "maxSnapDistanceM", "must be finite and ≥ 0 (got \(m))")
        }

        // Boxes.
        var boxCells: [String: [Int]] = [:]
        for b in boxes {
            let lo = [b.lo.0, b.lo.1, b.lo.2], hi = [b.hi.0, b.hi.1, b.hi.2]
            guard (lo + hi).allSatisfy({ $0.isFinite }) else {
                throw InputError(key: b.name, "box corners must be finite (lo \(lo), hi \(hi))")
            }
            guard boxCells[b.name] == nil else {
                throw InputError(key: b.name, "box name used twice")
            }
            boxCells[b.name] = try place(b, on: &work, tolerance: tol)
        }

        // Planes.
        var planeFaces: [String: VoxelPlaneFaces] = [:]
        for p in planes {
            guard (0...2).contains(p.axis) else {
                throw InputError(key: p.name, "plane axis \(p.axis) must be 0, 1 or 2")
            }
            guard p.tag != .open else {
                throw InputError(key: p.name, "plane tag must be wall, porousSheet or fan (got open)")
            }
            guard planeFaces[p.name] == nil else {
                throw InputError(key: p.name, "plane name used twice")
            }
            planeFaces[p.name] = try place(
                p, on: &work, tolerance: tol, maxSnapDistanceM: p.snapsToNearestLine ? nil : maxSnapDistanceM)
        }

        var counts: [CellTag: Int] = [:]
        for c in work.cells { counts[c, default: 0] += 1 }
        tags = work
        return VoxelReport(cellCounts: counts, boxCells: boxCells, planeFaces: planeFaces)
    }

    /// Tags the cells whose centres lie inside box `b` and returns them; throws if the box is
    /// empty, outside the domain or too thin to hold a cell centre.
    static func place(_ b: VoxelBox, on work: inout GridTags, tolerance tol: [Double]) throws -> [Int] {
        let g = work.grid
        let lo = [b.lo.0, b.lo.1, b.lo.2], hi = [b.hi.0, b.hi.1, b.hi.2]
        for a in 0..<3 where !(lo[a] < hi[a]) {
            throw InputError(key: b.name, "empty box: lo \(lo[a]) ≥ hi \(hi[a]) on \(axisName[a])")
        }
        for a in 0..<3 {
            let ax = g.axis(a)
            if hi[a] <= ax.lower + tol[a] || lo[a] >= ax.upper - tol[a] {
                throw InputError(
                    key: b.name,
                    "box lies entirely outside the domain on \(axisName[a]) ([\(lo[a]), \(hi[a])] vs domain "
                        + "[\(ax.lower), \(ax.upper)])"
                )
            }
        }
        for a in 0..<3 {
            let ax = g.axis(a)
            if lo[a] < ax.lower - tol[a] || hi[a] > ax.upper + tol[a] {
                throw InputError(
                    key: b.name,
                    "box extends partly outside the domain on \(axisName[a]) ([\(lo[a]), \(hi[a])] vs domain "
                        + "[\(ax.lower), \(ax.upper)])"
                )
            }
        }
        let r = (0..<3).map { a in inside(g.axis(a).centres, lo[a], hi[a]) }
        for a in 0..<3 where r[a].isEmpty {
            throw InputError(
                key: b.name,
                "box is too thin for the grid: no cell centre lies within [\(lo[a]), \(hi[a])] on "
                    + "\(axisName[a]); represent it as a plane or porous sheet, or refine the spacing there"
            )
        }
        var cells: [Int] = []
        cells.reserveCapacity(r[0].count * r[1].count * r[2].count)
        for k in r[2] {
            for j in r[1] {
                for i in r[0] {
                    let c = g.index(i, j, k)
                    work.cells[c] = b.tag
                    cells.append(c)
                }
            }
        }
        return cells
    }

    /// Tags the faces of plane `p` (snapped to the nearest grid line) and returns them with
    /// their flow area; throws if the rectangle is empty, outside the domain, covers no face,
    /// or snapping moved it more than `maxSnapDistanceM`.
    static func place(
        _ p: VoxelPlane, on work: inout GridTags, tolerance tol: [Double], maxSnapDistanceM: Double?
    ) throws -> VoxelPlaneFaces {
        let g = work.grid
        let lo = [p.lo.0, p.lo.1], hi = [p.hi.0, p.hi.1]
        guard ([p.positionM] + lo + hi).allSatisfy({ $0.isFinite }) else {
            throw InputError(
                key: p.name,
                "plane position and rectangle must be finite (position \(p.positionM), lo \(lo), hi \(hi))"
            )
        }
        let a = p.axis, other = [(a + 1) % 3, (a + 2) % 3].sorted()
        let ax = g.axis(a)
        if p.positionM < ax.lower - tol[a] || p.positionM > ax.upper + tol[a] {
            throw InputError(
                key: p.name,
                "plane lies entirely outside the domain: \(axisName[a]) = \(p.positionM) not in "
                    + "[\(ax.lower), \(ax.upper)]"
            )
        }
        try checkRectangle(p, lo: lo, hi: hi, other: other, grid: g, tolerance: tol)
        let s = GridGenerator.snap(p.positionM, to: ax)
        let moved = abs(s.position - p.positionM)
        if let m = maxSnapDistanceM, moved > m {
            throw InputError(
                key: p.name,
                "plane snapped \(moved) m (from \(p.positionM) to \(s.position) on \(axisName[a])), more "
                    + "than maxSnapDistanceM \(m): spacing too coarse to resolve the sheet's position"
            )
        }
        let r0 = inside(g.axis(other[0]).centres, lo[0], hi[0])
        let r1 = inside(g.axis(other[1]).centres, lo[1], hi[1])
        if r0.isEmpty || r1.isEmpty {
            throw InputError(
                key: p.name,
                "plane rectangle covers no face centre (too narrow for the grid on "
                    + "\(axisName[r0.isEmpty ? other[0] : other[1]])); widen it or refine the spacing there"
            )
        }
        var faces: [Int] = []
        faces.reserveCapacity(r0.count * r1.count)
        var area = 0.0
        for v in r1 {
            for u in r0 {
                var ijk = [0, 0, 0]
                ijk[a] = s.index
                ijk[other[0]] = u
                ijk[other[1]] = v
                let f = work.faceIndex(axis: a, ijk[0], ijk[1], ijk[2])
                work.faces[a][f] = p.tag
                faces.append(f)
                area += g.axis(other[0]).widths[u] * g.axis(other[1]).widths[v]
            }
        }
        return VoxelPlaneFaces(
            axis: a, faces: faces, requestedPositionM: p.positionM,
            snappedPositionM: s.position, flowAreaM2: area,
            requestedAreaM2: (hi[0] - lo[0]) * (hi[1] - lo[1]))
    }

    /// A plane's rectangle is non-empty and within the domain on its two in-plane axes `other`.
    static func checkRectangle(
        _ p: VoxelPlane, lo: [Double], hi: [Double], other: [Int], grid g: Grid, tolerance tol: [Double]
    ) throws {
        for (n, b) in other.enumerated() where !(lo[n] < hi[n]) {
            throw InputError(
                key: p.name, "empty rectangle: lo \(lo[n]) ≥ hi \(hi[n]) on \(axisName[b])")
        }
        for (n, b) in other.enumerated() {
            let bx = g.axis(b)
            if hi[n] <= bx.lower + tol[b] || lo[n] >= bx.upper - tol[b] {
                throw InputError(
                    key: p.name,
                    "plane lies entirely outside the domain on \(axisName[b]) ([\(lo[n]), \(hi[n])] vs "
                        + "domain [\(bx.lower), \(bx.upper)])"
                )
            }
        }
        for (n, b) in other.enumerated() {
            let bx = g.axis(b)
            if lo[n] < bx.lower - tol[b] || hi[n] > bx.upper + tol[b] {
                throw InputError(
                    key: p.name,
                    "plane extends partly outside the domain on \(axisName[b]) ([\(lo[n]), \(hi[n])] vs "
                        + "domain [\(bx.lower), \(bx.upper)])"
                )
            }
        }
    }

    /// Pairs of `.solid` boxes whose volumes intersect with positive volume (an "overlapping solids" input
    /// error); boxes that only touch (shared face, edge or corner) and non-solid boxes are ignored.
    /// Pairs are (earlier, later) in input order.
    public static func overlaps(_ boxes: [VoxelBox]) -> [(String, String)] {
        let solids = boxes.filter { $0.tag == .solid }
        var out: [(String, String)] = []
        for i in 0..<solids.count {
            for j in (i + 1)..<solids.count {
                let a = solids[i], b = solids[j]
                let dx = min(a.hi.0, b.hi.0) - max(a.lo.0, b.lo.0)
                let dy = min(a.hi.1, b.hi.1) - max(a.lo.1, b.lo.1)
                let dz = min(a.hi.2, b.hi.2) - max(a.lo.2, b.lo.2)
                if dx > 0 && dy > 0 && dz > 0 { out.append((a.name, b.name)) }
            }
        }
        return out
    }

    /// Indices of the (increasing) `centres` strictly inside (lo, hi).
    static func inside(_ centres: [Double], _ lo: Double, _ hi: Double) -> Range<Int> {
        var first = centres.count, last = centres.count
        for (i, c) in centres.enumerated() where c > lo {
            first = i
            break
        }
        last = first
        while last < centres.count && centres[last] < hi { last += 1 }
        return first..<last
    }
}
