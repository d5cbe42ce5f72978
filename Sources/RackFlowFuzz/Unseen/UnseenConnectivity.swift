import RackFlowModel
import Foundation
import RackFlowNumerics
import RackFlowPhysics

/// Whether air can get from every inlet to an outlet, on the compiled case's cells and faces.
///
/// A flood fill from the outlets through open (fluid and porous) cells, crossing every face that
/// is not a wall (sheets and fans pass air). A velocity or flow inlet whose air cannot reach an
/// outlet has no steady solution (mass has nowhere to go), and a sealed pocket of open cells has
/// no pressure level and, if heated, no steady temperature; the generator redraws such cases.
enum UnseenConnectivity {
    /// nil when every open cell is reached and every inlet face opens onto an open cell;
    /// otherwise what is wrong.
    static func problem(_ flow: FlowCase) -> String? {
        let grid = flow.grid, tags = flow.tags
        var reached = [Bool](repeating: false, count: grid.cellCount)
        var queue: [Int] = []
        queue.reserveCapacity(grid.cellCount)
        for patch in flow.patches {
            guard case .pressureOutlet = patch.kind else { continue }
            for c in boundaryCells(patch, grid) where tags.cells[c] != .solid && !reached[c] {
                reached[c] = true
                queue.append(c)
            }
        }
        guard !queue.isEmpty else { return "no outlet opens onto an open cell" }
        var head = 0
        while head < queue.count {
            let c = queue[head]
            head += 1
            let (i, j, k) = grid.ijk(c)
            let ijk = [i, j, k]
            for axis in 0..<3 {
                for step in [-1, 1] {
                    var n = ijk
                    n[axis] += step
                    guard n[axis] >= 0 && n[axis] < grid.count(axis) else { continue }
                    // The face between the two cells is the lower face of the upper one.
                    let upper = step > 0 ? n : ijk
                    let face = tags.faceIndex(axis: axis, upper[0], upper[1], upper[2])
                    guard tags.faces[axis][face] != .wall else { continue }
                    let m = grid.index(n[0], n[1], n[2])
                    guard !reached[m] && tags.cells[m] != .solid else { continue }
                    reached[m] = true
                    queue.append(m)
                }
            }
        }
        for patch in flow.patches {
            if case .pressureOutlet = patch.kind { continue }
            for c in boundaryCells(patch, grid) {
                if tags.cells[c] == .solid { return "inlet '\(patch.name)' blows into a solid cell \(grid.ijk(c))" }
                if !reached[c] { return "air from inlet '\(patch.name)' cannot reach an outlet" }
            }
        }
        let open = tags.cells.indices.filter { tags.cells[$0] != .solid }
        let sealed = open.filter { !reached[$0] }
        if let first = sealed.first {
            return "\(sealed.count) of \(open.count) open cells are sealed off from every outlet "
                + "(first \(grid.ijk(first)))"
        }
        return nil
    }

    /// The cells next to a patch: those on its side whose boundary-face centre lies strictly
    /// inside its rectangle (`Patch.owners`' rule; generated patches never overlap, so no later
    /// patch takes any of these faces).
    static func boundaryCells(_ patch: Patch, _ grid: Grid) -> [Int] {
        let a = patch.side.axis
        let (p, q) = UnseenDraw.inPlane(patch.side)
        let layer = patch.side.isUpper ? grid.count(a) - 1 : 0
        let ps = inside(grid.axis(p), patch.lo.0, patch.hi.0), qs = inside(grid.axis(q), patch.lo.1, patch.hi.1)
        var cells: [Int] = []
        for u in ps {
            for v in qs {
                var ijk = [0, 0, 0]
                ijk[a] = layer
                ijk[p] = u
                ijk[q] = v
                cells.append(grid.index(ijk[0], ijk[1], ijk[2]))
            }
        }
        return cells
    }

    /// Indices of the cells whose centres lie strictly between `lo` and `hi`.
    static func inside(_ axis: Axis, _ lo: Double, _ hi: Double) -> [Int] {
        axis.centres.indices.filter { axis.centres[$0] > lo && axis.centres[$0] < hi }
    }
}
