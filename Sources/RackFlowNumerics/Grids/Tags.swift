/// What fills a cell.
public enum CellTag: UInt8, Sendable {
    case fluid = 0
    /// Blocks flow; the cell drops out of the pressure and momentum systems.
    case solid = 1
    /// Darcy–Forchheimer resistance (fin stacks, filters, packed cards).
    case porous = 2
}

/// What sits on a cell face. Thin objects (1 mm sheet metal on a 1–2 cm grid) live on
/// faces rather than in cells, so they cost no cells and block exactly one face.
public enum FaceTag: UInt8, Sendable {
    case open = 0
    /// No flow through the face (chassis panel, glass, shroud).
    case wall = 1
    /// A loss Δp = ζ ½ ρ u_n² (mesh, perforated plate, grille).
    case porousSheet = 2
    /// A pressure jump from a fan curve.
    case fan = 3
}

/// Cell tags and the face tags of the three axes, shaped like the grid's cells and faces.
public struct GridTags: Sendable {
    public let grid: Grid
    public var cells: [CellTag]
    /// Face tags per axis, indexed as `FaceField` of that axis.
    public var faces: [[FaceTag]]

    public init(_ grid: Grid) {
        self.grid = grid
        cells = [CellTag](repeating: .fluid, count: grid.cellCount)
        faces = (0..<3).map { a in
            let n = (grid.nx + (a == 0 ? 1 : 0)) * (grid.ny + (a == 1 ? 1 : 0)) * (grid.nz + (a == 2 ? 1 : 0))
            return [FaceTag](repeating: .open, count: n)
        }
    }

    /// Face-array index of the face on the lower side (along `axis`) of cell (i, j, k).
    @inline(__always) public func faceIndex(axis: Int, _ i: Int, _ j: Int, _ k: Int) -> Int {
        switch axis {
        case 0: return i + (grid.nx + 1) * (j + grid.ny * k)
        case 1: return i + grid.nx * (j + (grid.ny + 1) * k)
        default: return i + grid.nx * (j + grid.ny * k)
        }
    }

    /// Marks the cells whose centres lie inside the box [lo, hi] (metres).
    public mutating func fill(_ tag: CellTag, lo: (Double, Double, Double), hi: (Double, Double, Double)) {
        for k in 0..<grid.nz where grid.z.centres[k] > lo.2 && grid.z.centres[k] < hi.2 {
            for j in 0..<grid.ny where grid.y.centres[j] > lo.1 && grid.y.centres[j] < hi.1 {
                for i in 0..<grid.nx where grid.x.centres[i] > lo.0 && grid.x.centres[i] < hi.0 {
                    cells[grid.index(i, j, k)] = tag
                }
            }
        }
    }

    public func count(of tag: CellTag) -> Int { cells.reduce(0) { $0 + ($1 == tag ? 1 : 0) } }
}
