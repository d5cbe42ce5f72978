import RackFlowNumerics

/// Description
///   Where a patch's rectangle lands on the grid. A patch takes the boundary faces whose
///   centres lie strictly inside its rectangle (`FlowCase.boundaryFaces`), and its edges add
///   no grid line, so each edge moves to the nearest cell face: up to half a cell either way.
///   A velocity inlet then carries its speed times the covered area, not the written one. A
///   5 cm square inlet on 3.26 cm cells covers two cells each way, 6.5 cm, and carries 1.7 ×
///   the flow written (docs/validation.md, the square-patch plume). A flow inlet divides its
///   flow by the covered area, so it delivers what was asked whatever the snapping did.
///
/// Usage
///
/// | call | gives |
/// | --- | --- |
/// | `patch.coveredAreaM2(on: grid)` | the area of the faces the patch takes, m² |
/// | `patch.writtenAreaM2(on: grid)` | the rectangle as written, clipped to the side, m² |
/// | `patch.coverage(on: grid)` | both, and their ratio |
public struct PatchCoverage: Sendable, Equatable {
    public var writtenAreaM2: Double
    public var coveredAreaM2: Double
    /// Covered over written area (1 when the edges are grid lines; ∞ for a written area of 0).
    public var ratio: Double { coveredAreaM2 / writtenAreaM2 }
}

extension Patch {
    /// The side's two in-plane axes, in the order `lo` and `hi` give them.
    var inPlaneAxes: (Int, Int) { SIMD3<Int>.transverse(side.axis) }

    /// Area of the boundary faces whose centres lie strictly inside the rectangle, m².
    public func coveredAreaM2(on grid: Grid) -> Double {
        let (p, q) = inPlaneAxes
        func width(_ ax: Axis, _ lo: Double, _ hi: Double) -> Double {
            ax.centres.indices.reduce(0.0) { ax.centres[$1] > lo && ax.centres[$1] < hi ? $0 + ax.widths[$1] : $0 }
        }
        return width(grid.axis(p), lo.0, hi.0) * width(grid.axis(q), lo.1, hi.1)
    }

    /// The rectangle as written, clipped to the side (a whole side is the side's area), m².
    public func writtenAreaM2(on grid: Grid) -> Double {
        let (p, q) = inPlaneAxes
        func width(_ ax: Axis, _ lo: Double, _ hi: Double) -> Double {
            max(min(hi, ax.upper) - max(lo, ax.lower), 0)
        }
        return width(grid.axis(p), lo.0, hi.0) * width(grid.axis(q), lo.1, hi.1)
    }

    public func coverage(on grid: Grid) -> PatchCoverage {
        PatchCoverage(writtenAreaM2: writtenAreaM2(on: grid), coveredAreaM2: coveredAreaM2(on: grid))
    }
}
