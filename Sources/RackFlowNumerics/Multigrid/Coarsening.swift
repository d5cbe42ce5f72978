/// Geometric coarsening of a `SymmetricStencil`: 2×2×2 (or fewer, where an axis is too
/// short) fine cells make one coarse cell.
///
/// The coarse coupling across a coarse face is built from the fine faces on that plane,
/// each taken in series with half of the fine couplings inside the two coarse cells (the
/// path from one coarse centre to the next). On a uniform grid this reproduces the
/// geometric coarse operator exactly (a coupling of k·(2h)²/(2h)); across a coefficient
/// jump it is the harmonic mean; a wall or solid on the fine plane simply contributes
/// nothing, so walls and solids keep their meaning on every level. Restriction sums the
/// fine residuals of the children (the equations are volume integrals); prolongation
/// copies a coarse value to its children. Both are each other's transpose, which keeps
/// the V-cycle symmetric, as conjugate gradients needs.
struct Coarsening {
    let fine: (Int, Int, Int)
    let coarse: (Int, Int, Int)
    let coarsened: (Bool, Bool, Bool)
    /// Fine index → coarse index per axis.
    let mapX: [Int], mapY: [Int], mapZ: [Int]

    init(nx: Int, ny: Int, nz: Int, coarsen: (Bool, Bool, Bool)) {
        fine = (nx, ny, nz)
        coarsened = coarsen
        coarse = (coarsen.0 ? (nx + 1) / 2 : nx, coarsen.1 ? (ny + 1) / 2 : ny, coarsen.2 ? (nz + 1) / 2 : nz)
        mapX = (0..<nx).map { coarsen.0 ? $0 / 2 : $0 }
        mapY = (0..<ny).map { coarsen.1 ? $0 / 2 : $0 }
        mapZ = (0..<nz).map { coarsen.2 ? $0 / 2 : $0 }
    }

    /// Fine cells (first, count) inside coarse index `I` along an axis.
    @inline(__always) static func children(_ I: Int, coarsened: Bool, fineCount: Int) -> (Int, Int) {
        coarsened ? (2 * I, min(2, fineCount - 2 * I)) : (I, 1)
    }

    func coarsen(_ A: SymmetricStencil) -> SymmetricStencil {
        let (nx, ny, nz) = fine, (NX, NY, NZ) = coarse
        let N = NX * NY * NZ
        var east = [Double](repeating: 0, count: N), north = east, top = east, anchor = east
        var active = [Bool](repeating: false, count: N)
        let e = A.east.p, no = A.north.p, t = A.top.p
        @inline(__always) func fc(_ i: Int, _ j: Int, _ k: Int) -> Int { i + nx * (j + ny * k) }
        let cx = coarsened.0, cy = coarsened.1, cz = coarsened.2

        for K in 0..<NZ {
            let (k0, kn) = Coarsening.children(K, coarsened: cz, fineCount: nz)
            for J in 0..<NY {
                let (j0, jn) = Coarsening.children(J, coarsened: cy, fineCount: ny)
                for I in 0..<NX {
                    let (i0, iN) = Coarsening.children(I, coarsened: cx, fineCount: nx)
                    let C = I + NX * (J + NY * K)
                    var anc = 0.0, act = false
                    for k in k0..<(k0 + kn) {
                        for j in j0..<(j0 + jn) {
                            for i in i0..<(i0 + iN) {
                                let c = fc(i, j, k)
                                anc += A.anchor[c]
                                act = act || A.active[c]
                            }
                        }
                    }
                    // The coarse centre lies further from a Dirichlet face than the fine
                    // one: half the summed fine anchors is the geometric coarse value.
                    anchor[C] = (cx || cy || cz) ? 0.5 * anc : anc
                    active[C] = act

                    // x-face between coarse I and I+1.
                    if I + 1 < NX {
                        let (r0, rN) = Coarsening.children(I + 1, coarsened: cx, fineCount: nx)
                        let iL = i0 + iN - 1
                        var g = 0.0
                        for k in k0..<(k0 + kn) {
                            for j in j0..<(j0 + jn) {
                                g += Coarsening.series(
                                    e[fc(iL, j, k)],
                                    inner: iN == 2 ? e[fc(i0, j, k)] : 0,
                                    innerNext: rN == 2 ? e[fc(r0, j, k)] : 0)
                            }
                        }
                        east[C] = g
                    }
                    if J + 1 < NY {
                        let (r0, rN) = Coarsening.children(J + 1, coarsened: cy, fineCount: ny)
                        let jL = j0 + jn - 1
                        var g = 0.0
                        for k in k0..<(k0 + kn) {
                            for i in i0..<(i0 + iN) {
                                g += Coarsening.series(
                                    no[fc(i, jL, k)],
                                    inner: jn == 2 ? no[fc(i, j0, k)] : 0,
                                    innerNext: rN == 2 ? no[fc(i, r0, k)] : 0)
                            }
                        }
                        north[C] = g
                    }
                    if K + 1 < NZ {
                        let (r0, rN) = Coarsening.children(K + 1, coarsened: cz, fineCount: nz)
                        let kL = k0 + kn - 1
                        var g = 0.0
                        for j in j0..<(j0 + jn) {
                            for i in i0..<(i0 + iN) {
                                g += Coarsening.series(
                                    t[fc(i, j, kL)],
                                    inner: kn == 2 ? t[fc(i, j, k0)] : 0,
                                    innerNext: rN == 2 ? t[fc(i, j, r0)] : 0)
                            }
                        }
                        top[C] = g
                    }
                }
            }
        }
        return SymmetricStencil(
            nx: NX, ny: NY, nz: NZ, east: east, north: north, top: top, anchor: anchor, active: active)
    }

    /// Conductance of a fine interface face `g` in series with half of the inner fine
    /// couplings on either side. An inner coupling of 0 (a wall or solid inside the
    /// coarse cell) is left out: the coarse cell then lumps its open part.
    @inline(__always) static func series(_ g: Double, inner: Double, innerNext: Double) -> Double {
        guard g > 0 else { return 0 }
        var r = 1 / g
        if inner > 0 { r += 0.5 / inner }
        if innerNext > 0 { r += 0.5 / innerNext }
        return 1 / r
    }

    /// coarse ← Σ children of fine (restriction of a residual).
    func restrict(_ fine: PaddedVector, _ coarseVec: PaddedVector) {
        let (nx, ny, nz) = self.fine, (NX, NY, NZ) = coarse
        let f = fine.p, cp = coarseVec.p
        let cx = coarsened.0, cy = coarsened.1, cz = coarsened.2
        Parallel.forSlabs(NZ, cellsPerSlab: 8 * NX * NY) { K0, K1 in
            for K in K0..<K1 {
                let (k0, kn) = Coarsening.children(K, coarsened: cz, fineCount: nz)
                let base = NX * NY * K
                for m in 0..<(NX * NY) { cp[base + m] = 0 }
                for k in k0..<(k0 + kn) {
                    for j in 0..<ny {
                        let J = cy ? j >> 1 : j
                        let row = nx * (j + ny * k), crow = base + NX * J
                        if cx {
                            var i = 0
                            while i + 1 < nx {
                                cp[crow + (i >> 1)] += f[row + i] + f[row + i + 1]
                                i += 2
                            }
                            if i < nx { cp[crow + (i >> 1)] += f[row + i] }
                        } else {
                            for i in 0..<nx { cp[crow + i] += f[row + i] }
                        }
                    }
                }
            }
        }
    }

    /// fine += P coarse (piecewise-constant prolongation of a correction).
    func prolongAdd(_ coarseVec: PaddedVector, _ fine: PaddedVector) {
        let (nx, ny, nz) = self.fine, (NX, NY, _) = coarse
        let f = fine.p, cp = coarseVec.p
        let cx = coarsened.0, cy = coarsened.1, cz = coarsened.2
        Parallel.forSlabs(nz, cellsPerSlab: nx * ny) { k0, k1 in
            for k in k0..<k1 {
                let K = cz ? k >> 1 : k
                for j in 0..<ny {
                    let J = cy ? j >> 1 : j
                    let row = nx * (j + ny * k), crow = NX * (J + NY * K)
                    if cx {
                        for i in 0..<nx { f[row + i] += cp[crow + (i >> 1)] }
                    } else {
                        for i in 0..<nx { f[row + i] += cp[crow + i] }
                    }
                }
            }
        }
    }
}
