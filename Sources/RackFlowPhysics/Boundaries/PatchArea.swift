import RackFlowNumerics

/// Description
///   Which boundary faces a patch takes, and how its rectangle lands on the grid. A patch takes
///   the faces of its side whose centres lie strictly inside its rectangle; where rectangles
///   overlap, the later patch takes the face. Its edges add no grid line, so each edge moves to
///   the nearest cell face: up to half a cell either way. A velocity inlet then carries its
///   speed times the covered area, not the written one. A 5 cm square inlet on 3.26 cm cells
///   covers two cells each way, 6.5 cm, and carries 1.7 × the flow written (docs/validation.md,
///   the square-patch plume). A flow inlet divides its flow by the area it covers, so it
///   delivers what was asked whatever the snapping did. Faces in front of solid cells count as
///   covered here (the imposed velocity sits on them; `FlowSolver.patchFaces`, which measures
///   flows, leaves them out).
///
/// Usage
///
/// | call | gives |
/// | --- | --- |
/// | `Patch.owners(of: side, patches, on: grid)` | per face of the side, the patch taking it (−1 for none) |
/// | `Patch.coveredAreasM2(patches, on: grid)` | per patch, the area of the faces it takes, m² |
/// | `patch.writtenAreaM2(on: grid)` | the rectangle as written, clipped to the side, m² |
/// | `patch.heldAreaM2(on: grid)` | the faces the rectangle holds before later patches take any, m² |
/// | `flow.patchCoverage()` | both areas per patch of a case |
public struct PatchCoverage: Sendable, Equatable {
    public var writtenAreaM2: Double
    /// The faces its rectangle holds, before later patches take any, m².
    public var heldAreaM2: Double
    public var coveredAreaM2: Double
    /// Covered over written area: 1 when the edges are grid lines; ∞ for a rectangle of no area.
    public var ratio: Double { coveredAreaM2 / writtenAreaM2 }
}

extension Patch {
    /// Whether a face centred at (`x`, `y`), the side's in-plane coordinates in axis order,
    /// lies strictly inside the rectangle.
    @inline(__always)
    public func holds(_ x: Double, _ y: Double) -> Bool { x > lo.0 && x < hi.0 && y > lo.1 && y < hi.1 }

    /// For each boundary face of `side`, row-major over the side's two in-plane axes (first
    /// fastest), the index in `patches` of the patch that takes it: the last one whose
    /// rectangle holds the face's centre. −1 where none does.
    public static func owners(of side: Side, _ patches: [Patch], on grid: Grid) -> [Int] {
        let (p, q) = SIMD3<Int>.transverse(side.axis)
        let ap = grid.axis(p), aq = grid.axis(q)
        var owner = [Int](repeating: -1, count: ap.count * aq.count)
        for (pi, patch) in patches.enumerated() where patch.side == side {
            for jq in 0..<aq.count {
                for ip in 0..<ap.count where patch.holds(ap.centres[ip], aq.centres[jq]) {
                    owner[ip + ap.count * jq] = pi
                }
            }
        }
        return owner
    }

    /// The area of the faces each patch takes (`owners`), m², summed in face order.
    public static func coveredAreasM2(_ patches: [Patch], on grid: Grid) -> [Double] {
        var area = [Double](repeating: 0, count: patches.count)
        for side in Side.allCases where patches.contains(where: { $0.side == side }) {
            add(areasOf: owners(of: side, patches, on: grid), side: side, on: grid, to: &area)
        }
        return area
    }

    /// Adds the area of each face of `side` to its owner's entry of `area` (`owners`' layout).
    static func add(areasOf owner: [Int], side: Side, on grid: Grid, to area: inout [Double]) {
        let (p, q) = SIMD3<Int>.transverse(side.axis)
        let wp = grid.axis(p).widths, wq = grid.axis(q).widths
        for (m, pi) in owner.enumerated() where pi >= 0 { area[pi] += wp[m % wp.count] * wq[m / wp.count] }
    }

    /// The area of the faces the rectangle holds on its own (before later patches take any), m².
    public func heldAreaM2(on grid: Grid) -> Double {
        let (p, q) = SIMD3<Int>.transverse(side.axis)
        func width(_ ax: Axis, _ lo: Double, _ hi: Double) -> Double {
            ax.centres.indices.reduce(0.0) { ax.centres[$1] > lo && ax.centres[$1] < hi ? $0 + ax.widths[$1] : $0 }
        }
        return width(grid.axis(p), lo.0, hi.0) * width(grid.axis(q), lo.1, hi.1)
    }

    /// The rectangle as written, clipped to the side (a whole side is the side's area), m².
    public func writtenAreaM2(on grid: Grid) -> Double {
        let (p, q) = SIMD3<Int>.transverse(side.axis)
        func width(_ ax: Axis, _ lo: Double, _ hi: Double) -> Double { max(min(hi, ax.upper) - max(lo, ax.lower), 0) }
        return width(grid.axis(p), lo.0, hi.0) * width(grid.axis(q), lo.1, hi.1)
    }
}

extension FlowCase {
    /// Written and covered area of every patch, in `patches` order.
    public func patchCoverage() -> [PatchCoverage] {
        zip(patches, Patch.coveredAreasM2(patches, on: grid)).map {
            PatchCoverage(
                writtenAreaM2: $0.writtenAreaM2(on: grid), heldAreaM2: $0.heldAreaM2(on: grid), coveredAreaM2: $1)
        }
    }
}
