import Foundation
import CVDB
import RackFlowNumerics
import RackFlowPhysics

/// The uniform voxel lattice a solver grid is resampled onto, and its transform. Built once
/// per grid and reused for every frame (it holds the voxel → cell map and the active mask).
///
/// Voxels are cubes of exactly `voxelSizeM`; along each solver axis there are
/// `max(1, round(L/h))` of them (every voxel whose centre lies in the domain), starting at
/// the domain's lower corner, and each takes the value of the solver cell containing its
/// centre (nearest-cell, as `Resample.uniform` does; that one stretches the spacing to fit
/// the box exactly, which VDB tools dislike). A voxel is active when that cell is not
/// solid (fluid and porous cells are active).
///
/// Index space: the solver → world rotation (up-axis mapping and placement turn, always a
/// signed permutation) is folded into the voxel order, so VDB index axes run along the
/// world axes and the transform is a plain scale and translation: voxel (I, J, K), I along
/// world X, has its centre at `origin + h·(I, J, K)` in metres. With Y up, K runs from the
/// back of the rack (largest solver y) to the front.
public final class VDBLattice: Sendable {
    public let grid: Grid
    public let voxelSizeM: Double
    public let upAxis: VDBUpAxis
    public let placement: VDBPlacement
    /// Voxels per VDB index axis (world X, Y, Z order).
    public let dims: (Int, Int, Int)
    /// World position (m) of the centre of voxel (0, 0, 0).
    public let originM: (Double, Double, Double)
    /// Index → world, row-major 4×4, world = M·(I, J, K, 1)ᵀ.
    public let matrix: [Double]
    /// The 3×3 solver → world rotation (row-major, entries −1, 0, 1).
    public let rotation: [Int]
    public var voxelCount: Int { dims.0 * dims.1 * dims.2 }
    public let activeVoxelCount: Int

    /// Per voxel (VDB order, I fastest): the solver cell it samples.
    let cellOf: [Int32]
    /// Per voxel: 1 active (fluid / porous), 0 inactive (solid).
    let active: [UInt8]

    /// - Parameters:
    ///   - cellTags: the solver's cell tags (`FlowCase.tags.cells`); `.solid` → inactive.
    ///   - voxelSizeM: edge of the cubic voxels, metres (> 0).
    public init(
        grid: Grid, cellTags: [CellTag], voxelSizeM: Double = 0.01, upAxis: VDBUpAxis = .y,
        placement: VDBPlacement = .identity
    ) throws {
        guard voxelSizeM > 0, voxelSizeM.isFinite else {
            throw ExportError.io(
                path: "VDB lattice", operation: "choose voxels", reason: "voxel size must be > 0 m (got \(voxelSizeM))")
        }
        guard cellTags.count == grid.cellCount else {
            throw ExportError.sizeMismatch(field: "cell tags", expected: grid.cellCount, actual: cellTags.count)
        }
        let h = voxelSizeM
        let n = (0..<3).map { max(1, Int((grid.axis($0).length / h).rounded())) }
        guard n[0] <= 1 << 16, n[1] <= 1 << 16, n[2] <= 1 << 16, n[0] * n[1] * n[2] <= 1 << 31 else {
            throw ExportError.io(
                path: "VDB lattice", operation: "choose voxels",
                reason: "\(n[0]) × \(n[1]) × \(n[2]) voxels of \(h) m is too many; use larger voxels")
        }
        self.grid = grid
        self.voxelSizeM = h
        self.upAxis = upAxis
        self.placement = placement

        // Solver → world rotation L = A·R: R the placement turn about z, A the up-axis map.
        let q = ((placement.quarterTurns % 4) + 4) % 4
        let cosT = [1, 0, -1, 0][q], sinT = [0, 1, 0, -1][q]
        let R = [cosT, -sinT, 0, sinT, cosT, 0, 0, 0, 1]
        let A = upAxis == .y ? [1, 0, 0, 0, 0, 1, 0, -1, 0] : [1, 0, 0, 0, 1, 0, 0, 0, 1]
        var L = [Int](repeating: 0, count: 9)
        for r in 0..<3 { for c in 0..<3 { for m in 0..<3 { L[3 * r + c] += A[3 * r + m] * R[3 * m + c] } } }
        rotation = L
        // World axis r runs along solver axis src[r] with sign sign[r].
        var src = [0, 0, 0], sign = [1, 1, 1]
        for r in 0..<3 {
            for c in 0..<3 where L[3 * r + c] != 0 {
                src[r] = c
                sign[r] = L[3 * r + c]
            }
        }
        let wd = (0..<3).map { n[src[$0]] }
        dims = (wd[0], wd[1], wd[2])

        // World centre of solver voxel (a, b, c): L·(lower + h(a+½, b+½, c+½)) + A·offset.
        let first = (0..<3).map { grid.axis($0).lower + 0.5 * h }
        let off = [placement.offsetM.x, placement.offsetM.y, placement.offsetM.z]
        var origin = [0.0, 0.0, 0.0]
        for r in 0..<3 {
            var x = 0.0
            for c in 0..<3 { x += Double(L[3 * r + c]) * first[c] + Double(A[3 * r + c]) * off[c] }
            // Index I_r counts voxels along +world r; a reversed solver axis starts at its far end.
            origin[r] = sign[r] > 0 ? x : x - h * Double(n[src[r]] - 1)
        }
        originM = (origin[0], origin[1], origin[2])
        matrix = [h, 0, 0, origin[0], 0, h, 0, origin[1], 0, 0, h, origin[2], 0, 0, 0, 1]

        (cellOf, active, activeVoxelCount) = Self.sample(
            grid, cellTags, voxelsPerAxis: n, worldAxes: (src, sign), worldDims: wd, voxelSizeM: h)
    }

    /// The solver cell each voxel samples (the cell containing its centre) and whether it is
    /// active (not solid), in VDB order (I fastest); world axis r runs along solver axis
    /// `src[r]` with sign `sign[r]`. Returns the active count too.
    static func sample(
        _ grid: Grid, _ cellTags: [CellTag], voxelsPerAxis n: [Int], worldAxes: ([Int], [Int]), worldDims wd: [Int],
        voxelSizeM h: Double
    ) -> ([Int32], [UInt8], Int) {
        let (src, sign) = worldAxes
        // For world axis r and index I: the solver cell index along src[r], times its stride.
        let stride = [1, grid.nx, grid.nx * grid.ny]
        let part: [[Int]] = (0..<3).map { r in
            let a = src[r], ax = grid.axis(a)
            return (0..<n[a]).map { I in
                let solverIdx = sign[r] > 0 ? I : n[a] - 1 - I
                return ax.cell(containing: ax.lower + (Double(solverIdx) + 0.5) * h) * stride[a]
            }
        }
        let count = wd[0] * wd[1] * wd[2]
        var cellOf = [Int32](repeating: 0, count: count)
        var active = [UInt8](repeating: 0, count: count)
        var nActive = 0
        cellTags.withUnsafeBufferPointer { tags in
            cellOf.withUnsafeMutableBufferPointer { co in
                active.withUnsafeMutableBufferPointer { ac in
                    let p0 = part[0], p1 = part[1], p2 = part[2]
                    var vox = 0
                    for K in 0..<wd[2] {
                        for J in 0..<wd[1] {
                            let base = p1[J] + p2[K]
                            for I in 0..<wd[0] {
                                let c = base + p0[I]
                                co[vox] = Int32(c)
                                let on: UInt8 = tags[c] == .solid ? 0 : 1
                                ac[vox] = on
                                nActive += Int(on)
                                vox += 1
                            }
                        }
                    }
                }
            }
        }
        return (cellOf, active, nActive)
    }

    public convenience init(
        flow: FlowCase, voxelSizeM: Double = 0.01, upAxis: VDBUpAxis = .y,
        placement: VDBPlacement = .identity
    ) throws {
        try self.init(
            grid: flow.grid, cellTags: flow.tags.cells, voxelSizeM: voxelSizeM, upAxis: upAxis, placement: placement)
    }

    /// World position (m) of a point given in solver coordinates (m).
    public func world(fromSolver p: (Double, Double, Double)) -> (Double, Double, Double) {
        let A = upAxis == .y ? [1, 0, 0, 0, 0, 1, 0, -1, 0] : [1, 0, 0, 0, 1, 0, 0, 0, 1]
        let o = placement.offsetM, s = [p.0, p.1, p.2], off = [o.x, o.y, o.z]
        var w = [0.0, 0.0, 0.0]
        for r in 0..<3 { for c in 0..<3 { w[r] += Double(rotation[3 * r + c]) * s[c] + Double(A[3 * r + c]) * off[c] } }
        return (w[0], w[1], w[2])
    }

    /// World position (m) of the centre of voxel (I, J, K).
    public func world(voxel I: Int, _ J: Int, _ K: Int) -> (Double, Double, Double) {
        (originM.0 + voxelSizeM * Double(I), originM.1 + voxelSizeM * Double(J), originM.2 + voxelSizeM * Double(K))
    }

    /// The solver cell (i, j, k) voxel (I, J, K) samples, and whether the voxel is active.
    public func solverCell(ofVoxel I: Int, _ J: Int, _ K: Int) -> (cell: (Int, Int, Int), active: Bool) {
        let v = I + dims.0 * (J + dims.1 * K)
        return (grid.ijk(Int(cellOf[v])), active[v] != 0)
    }
}
