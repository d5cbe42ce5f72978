/// A symmetric 7-point operator on an nx × ny × nz block of cells:
///
///     (A x)_c = diag_c x_c − Σ_nb a_{c,nb} x_nb,   a ≥ 0,
///
/// with the coupling of each face stored once: `east[c]` couples c to c+1 (x), `north[c]`
/// to c+nx (y), `top[c]` to c+nx·ny (z); a coupling is zero across the domain boundary,
/// a wall face and into a solid cell. `diag = Σ a + anchor`, where `anchor ≥ 0` is the
/// conductance to fixed (Dirichlet) values: the discrete −∇·(k∇·) of a finite-volume
/// diffusion problem, and the pressure-correction operator of SIMPLE.
/// Inactive cells (solids) carry `diag = 1` and no couplings, so they solve to 0.
public final class SymmetricStencil {
    public let nx: Int, ny: Int, nz: Int
    public var count: Int { nx * ny * nz }
    public var slab: Int { nx * ny }
    public var pad: Int { nx * ny + 1 }
    public let east: PaddedVector, north: PaddedVector, top: PaddedVector
    public let diag: PaddedVector
    public let invDiag: PaddedVector
    /// Conductance from each cell to Dirichlet values (0 where none).
    public var anchor: [Double]
    /// Cells the caller includes (false for solids); set at creation, may be edited.
    public var included: [Bool]
    /// Cells in the system: included and coupled to something (not walled in on all sides).
    public private(set) var active: [Bool]

    /// Builds from couplings (length nx·ny·nz each, zero where there is no face) and
    /// anchors; cells with `active[c] == false` are decoupled.
    public convenience init(
        nx: Int, ny: Int, nz: Int, east: [Double], north: [Double], top: [Double],
        anchor: [Double], active: [Bool]
    ) {
        let pad = nx * ny + 1
        self.init(
            nx: nx, ny: ny, nz: nz, east: PaddedVector(east, pad: pad), north: PaddedVector(north, pad: pad),
            top: PaddedVector(top, pad: pad), anchor: anchor, active: active)
    }

    /// Takes ownership of the coupling vectors (padded by nx·ny + 1) and edits them in place.
    public init(
        nx: Int, ny: Int, nz: Int, east: PaddedVector, north: PaddedVector, top: PaddedVector,
        anchor: [Double], active: [Bool]
    ) {
        self.nx = nx
        self.ny = ny
        self.nz = nz
        let n = nx * ny * nz, pad = nx * ny + 1
        precondition(east.count == n && north.count == n && top.count == n && anchor.count == n && active.count == n)
        precondition(east.pad == pad && north.pad == pad && top.pad == pad)
        self.east = east
        self.north = north
        self.top = top
        diag = PaddedVector(count: n, pad: pad)
        invDiag = PaddedVector(count: n, pad: pad)
        self.anchor = anchor
        self.included = active
        self.active = active
        refresh()
    }

    /// Recomputes the diagonal after couplings, anchors or `active` were edited in place
    /// (a SIMPLE pressure correction reuses one stencil every outer iteration).
    /// Couplings across the domain boundary and into excluded cells are zeroed; a cell left
    /// with no coupling and no anchor is inactive until a later refresh couples it again.
    public func refresh() {
        let s = slab
        let e = east.p, no = north.p, t = top.p, d = diag.p, inv = invDiag.p
        active = included
        // By slabs on every core (a SIMPLE pressure correction refreshes every outer iteration);
        // each pass writes only its own cells, and the second reads couplings the first finished.
        let nx = self.nx, ny = self.ny, nz = self.nz
        active.withUnsafeMutableBufferPointer { actp in
            anchor.withUnsafeMutableBufferPointer { ancp in
                let a = actp.baseAddress!, an = ancp.baseAddress!
                Parallel.forSlabs(nz, cellsPerSlab: s) { k0, k1 in
                    for k in k0..<k1 {
                        for j in 0..<ny {
                            for i in 0..<nx {
                                let c = i + nx * (j + ny * k)
                                if i == nx - 1 || !a[c] || !a[c + 1] { e[c] = 0 }
                                if j == ny - 1 || !a[c] || !a[c + nx] { no[c] = 0 }
                                if k == nz - 1 || !a[c] || !a[c + s] { t[c] = 0 }
                            }
                        }
                    }
                }
                Parallel.forSlabs(nz, cellsPerSlab: s) { k0, k1 in
                    for c in (k0 * s)..<(k1 * s) {
                        // Pads are zero, so the lower neighbours need no boundary test.
                        d[c] = e[c] + e[c - 1] + no[c] + no[c - nx] + t[c] + t[c - s] + (a[c] && an[c] > 0 ? an[c] : 0)
                        if !a[c] || d[c] <= 0 {
                            // Solid, or a fluid cell walled in on every side: no part of the system.
                            a[c] = false
                            d[c] = 1
                            an[c] = 0
                        }
                        inv[c] = 1 / d[c]
                    }
                }
            }
        }
    }

    /// y ← A x
    public func apply(_ x: PaddedVector, _ y: PaddedVector) {
        let e = east.p, no = north.p, t = top.p, d = diag.p, xp = x.p, yp = y.p
        let nx = self.nx, s = slab
        Parallel.forSlabs(nz, cellsPerSlab: s) { k0, k1 in
            for c in (k0 * s)..<(k1 * s) {
                yp[c] =
                    d[c] * xp[c]
                    - e[c] * xp[c + 1] - e[c - 1] * xp[c - 1]
                    - no[c] * xp[c + nx] - no[c - nx] * xp[c - nx]
                    - t[c] * xp[c + s] - t[c - s] * xp[c - s]
            }
        }
    }

    /// r ← b − A x; returns ‖r‖₂².
    @discardableResult
    public func residual(_ b: PaddedVector, _ x: PaddedVector, _ r: PaddedVector) -> Double {
        let e = east.p, no = north.p, t = top.p, d = diag.p, xp = x.p, bp = b.p, rp = r.p
        let nx = self.nx, s = slab
        return Parallel.sumOverSlabs(nz, cellsPerSlab: s) { k0, k1 in
            var sum = 0.0
            for c in (k0 * s)..<(k1 * s) {
                let v =
                    bp[c] - d[c] * xp[c]
                    + e[c] * xp[c + 1] + e[c - 1] * xp[c - 1]
                    + no[c] * xp[c + nx] + no[c - nx] * xp[c - nx]
                    + t[c] * xp[c + s] + t[c - s] * xp[c - s]
                rp[c] = v
                sum += v * v
            }
            return sum
        }
    }

    /// One half-sweep of red–black Gauss–Seidel on the cells with (i + j + k) % 2 == colour.
    /// Within a colour no cell reads another of the same colour, so slabs run in parallel.
    public func gaussSeidel(_ x: PaddedVector, _ b: PaddedVector, colour: Int) {
        let e = east.p, no = north.p, t = top.p, inv = invDiag.p, xp = x.p, bp = b.p
        let nx = self.nx, ny = self.ny, s = slab
        Parallel.forSlabs(nz, cellsPerSlab: s) { k0, k1 in
            for k in k0..<k1 {
                for j in 0..<ny {
                    let row = nx * (j + ny * k)
                    var c = row + ((j + k + colour) & 1)
                    let end = row + nx
                    while c < end {
                        xp[c] =
                            (bp[c]
                                + e[c] * xp[c + 1] + e[c - 1] * xp[c - 1]
                                + no[c] * xp[c + nx] + no[c - nx] * xp[c - nx]
                                + t[c] * xp[c + s] + t[c - s] * xp[c - s]) * inv[c]
                        c += 2
                    }
                }
            }
        }
    }

    /// Row-sum check used by tests and coarsening: the coupling of c to its neighbour
    /// across the face on the `upper` side along `axis` (0 at the boundary).
    @inline(__always) public func coupling(_ c: Int, axis: Int) -> Double {
        axis == 0 ? east.p[c] : (axis == 1 ? north.p[c] : top.p[c])
    }
}
