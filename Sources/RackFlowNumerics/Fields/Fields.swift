/// A cell-centred scalar (pressure, temperature, …) on a grid, one `Double` per cell.
public struct CellField: Sendable {
    public let grid: Grid
    public var values: [Double]

    public init(_ grid: Grid, value: Double = 0) {
        self.grid = grid
        self.values = [Double](repeating: value, count: grid.cellCount)
    }

    /// Fills the field from a function of the cell centre.
    public init(_ grid: Grid, _ f: (Double, Double, Double) -> Double) {
        self.init(grid)
        var c = 0
        for k in 0..<grid.nz {
            for j in 0..<grid.ny {
                for i in 0..<grid.nx {
                    values[c] = f(grid.x.centres[i], grid.y.centres[j], grid.z.centres[k])
                    c += 1
                }
            }
        }
    }

    public subscript(i: Int, j: Int, k: Int) -> Double {
        get { values[grid.index(i, j, k)] }
        set { values[grid.index(i, j, k)] = newValue }
    }
}

/// Face-normal values on the staggered (MAC) faces of one axis: for axis 0 there are
/// `(nx + 1) × ny × nz` faces indexed `i + (nx + 1) * (j + ny * k)`, i = 0 … nx, and
/// likewise for y and z. Velocities live here, so continuity is exact per cell.
public struct FaceField: Sendable {
    public let grid: Grid
    public let axis: Int
    /// Face counts along x, y, z for this axis (one more than cells along `axis`).
    public let shape: (Int, Int, Int)
    public var values: [Double]

    public init(_ grid: Grid, axis: Int, value: Double = 0) {
        self.grid = grid
        self.axis = axis
        shape = (grid.nx + (axis == 0 ? 1 : 0), grid.ny + (axis == 1 ? 1 : 0), grid.nz + (axis == 2 ? 1 : 0))
        values = [Double](repeating: value, count: shape.0 * shape.1 * shape.2)
    }

    @inline(__always) public func index(_ i: Int, _ j: Int, _ k: Int) -> Int { i + shape.0 * (j + shape.1 * k) }

    public subscript(i: Int, j: Int, k: Int) -> Double {
        get { values[index(i, j, k)] }
        set { values[index(i, j, k)] = newValue }
    }

    /// Area of face (i, j, k) in m².
    @inline(__always) public func area(_ i: Int, _ j: Int, _ k: Int) -> Double {
        switch axis {
        case 0: return grid.y.widths[j] * grid.z.widths[k]
        case 1: return grid.x.widths[i] * grid.z.widths[k]
        default: return grid.x.widths[i] * grid.y.widths[j]
        }
    }
}

/// The staggered velocity: u on x-faces, v on y-faces, w on z-faces (m/s).
public struct StaggeredVelocity: Sendable {
    public var u: FaceField, v: FaceField, w: FaceField
    public init(_ grid: Grid) {
        u = FaceField(grid, axis: 0)
        v = FaceField(grid, axis: 1)
        w = FaceField(grid, axis: 2)
    }
    public subscript(axis: Int) -> FaceField {
        get { axis == 0 ? u : (axis == 1 ? v : w) }
        set { if axis == 0 { u = newValue } else if axis == 1 { v = newValue } else { w = newValue } }
    }

    /// Net volume flow out of cell (i, j, k) in m³/s: the discrete divergence times volume.
    public func netOutflow(_ i: Int, _ j: Int, _ k: Int) -> Double {
        (u[i + 1, j, k] - u[i, j, k]) * u.area(i, j, k)
            + (v[i, j + 1, k] - v[i, j, k]) * v.area(i, j, k)
            + (w[i, j, k + 1] - w[i, j, k]) * w.area(i, j, k)
    }
}
