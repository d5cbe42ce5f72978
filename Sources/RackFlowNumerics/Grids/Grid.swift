/// A 3D Cartesian tensor-product grid: x across the rack (width), y front→back (depth),
/// z up. Cells are indexed `i + nx * (j + ny * k)`, x fastest, so a z-slab is contiguous.
public struct Grid: Equatable, Sendable {
    public let x: Axis, y: Axis, z: Axis

    public init(x: Axis, y: Axis, z: Axis) {
        self.x = x
        self.y = y
        self.z = z
    }

    /// A box of `nx × ny × nz` equal cells with its lower corner at the origin.
    public static func uniform(_ nx: Int, _ ny: Int, _ nz: Int, size: (Double, Double, Double)) -> Grid {
        Grid(x: .uniform(nx, to: size.0), y: .uniform(ny, to: size.1), z: .uniform(nz, to: size.2))
    }

    public var nx: Int { x.count }
    public var ny: Int { y.count }
    public var nz: Int { z.count }
    public var cellCount: Int { nx * ny * nz }
    /// Cells in one z-slab (the stride of k).
    public var slab: Int { nx * ny }

    @inline(__always) public func index(_ i: Int, _ j: Int, _ k: Int) -> Int { i + nx * (j + ny * k) }
    @inline(__always) public func ijk(_ c: Int) -> (Int, Int, Int) { (c % nx, (c / nx) % ny, c / (nx * ny)) }

    @inline(__always) public func volume(_ i: Int, _ j: Int, _ k: Int) -> Double {
        x.widths[i] * y.widths[j] * z.widths[k]
    }

    public func axis(_ a: Int) -> Axis { a == 0 ? x : (a == 1 ? y : z) }
    public func count(_ a: Int) -> Int { axis(a).count }

    /// Smallest and largest cell width over all three axes (metres).
    public var spacingRange: (min: Double, max: Double) {
        let all = x.widths + y.widths + z.widths
        return (all.min()!, all.max()!)
    }

    /// Largest cell aspect ratio (longest side over shortest side) anywhere in the grid.
    public var maxAspectRatio: Double {
        // The extreme ratio pairs each axis's largest width with another's smallest.
        let mx = [x.widths.max()!, y.widths.max()!, z.widths.max()!]
        let mn = [x.widths.min()!, y.widths.min()!, z.widths.min()!]
        var r = 1.0
        for a in 0..<3 { for b in 0..<3 where a != b { r = max(r, mx[a] / mn[b]) } }
        return r
    }
}

/// The six sides of the box domain.
public enum Side: Int, CaseIterable, Sendable {
    case west = 0, east, south, north, bottom, top // x−, x+, y−, y+, z−, z+
    public var axis: Int { rawValue / 2 }
    public var isUpper: Bool { rawValue % 2 == 1 }
}
