import RackFlowNumerics

/// Where a staggered face sits: its (i, j, k) and the cells on either side.
///
/// Description
///   The faces of velocity component `a` are stored x-fastest on an (n_a + 1) × n_t1 × n_t2
///   lattice (`fdim[a]`): face index i_a along `a` lies between cells i_a − 1 and i_a, and the
///   transverse indices are those of the cells it touches. Faces 0 and n_a lie on the domain
///   boundary and have a cell on one side only.
///
/// Usage
///   | call                          | result                                                |
///   | faceIndex(f, axis: a)         | (i, j, k) of face f of component a                    |
///   | cellsBeside(face: f, axis: a) | (lower, upper) cells, or nil on the domain boundary   |
extension FlowSolver {
    /// The (i, j, k) of face `f` of velocity component `a`; index `a` counts faces, not cells.
    @inline(__always)
    func faceIndex(_ f: Int, axis a: Int) -> SIMD3<Int> {
        let F = fdim[a]
        return SIMD3(f % F[0], (f / F[0]) % F[1], f / (F[0] * F[1]))
    }

    /// The cells below and above face `f` along `a`; nil for a face on the domain boundary.
    @inline(__always)
    func cellsBeside(face f: Int, axis a: Int) -> (lower: Int, upper: Int)? {
        var idx = faceIndex(f, axis: a)
        let n = a == 0 ? nx : (a == 1 ? ny : nz)
        guard idx[a] > 0 && idx[a] < n else { return nil }
        let upper = cell(idx[0], idx[1], idx[2])
        idx[a] -= 1
        return (cell(idx[0], idx[1], idx[2]), upper)
    }
}
