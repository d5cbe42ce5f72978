import RackFlowNumerics

/// Settings of the Poisson wall-distance solve.
public struct WallDistanceOptions: Sendable {
    /// Relative residual of the Poisson solve. The distance is a length scale for the
    /// turbulence model, not a conserved quantity: at 1e-5 it is within ~3e-6 (relative)
    /// of the fully converged distance everywhere (100³ box with blocks and a wall plane:
    /// 8 CG iterations; 1e-4 gives 2e-5 in 7, 1e-3 gives 3e-4 in 5–6, 1e-6 gives 4e-7 in 9).
    public var tolerance: Double = 1e-5
    public var maxIterations: Int = 200
    /// Adds the wall-face correction that makes the discrete φ exact for parallel plates
    /// (see `WallDistance`). Off gives the plain finite-volume Dirichlet condition, whose
    /// φ is too large by h²/8 next to each wall.
    public var nearWallCorrection: Bool = true
    public var multigrid = MultigridOptions()
    public init() {}
}

/// Distance (m) from every fluid cell centre to the nearest wall, by the Poisson method
/// (Spalding; Fares & Schröder 2002; Tucker 2003).
///
/// Solve ∇²φ = −1 in the fluid with φ = 0 on walls and ∂φ/∂n = 0 on non-wall domain
/// sides, then
///
///     d = −|∇φ| + sqrt(|∇φ|² + 2φ)   (evaluated as 2φ / (|∇φ| + sqrt(|∇φ|² + 2φ))),
///
/// which is exact when φ is the one-dimensional solution between two parallel walls (or a
/// wall and a symmetry plane), and tends to the true distance next to any wall, where φ
/// looks locally one-dimensional. One multigrid-preconditioned CG solve, instead of a
/// search over wall faces: cost proportional to the cell count, with no geometry search.
///
/// Walls are: solid cells (the wall is their face), faces tagged `.wall` (inside the
/// domain or on its boundary), and the domain sides listed in `wallSides`. Inlets,
/// outlets and symmetry planes are not walls. Porous cells, porous sheets and fans are
/// open: air passes through them.
///
/// Discretisation: the finite-volume stencil of `DiffusionProblem` with k = 1. A wall
/// face is an anchor (conductance area / (h/2) to φ = 0 at the face, h the cell width
/// normal to it). That plain condition takes the flux to the wall as 2φ_c/h, the slope of
/// φ at a quarter cell: for φ'' = −1 the flux at the face is 2φ_c/h + h/4, so φ comes out
/// h²/8 too large. At a flat wall φ vanishes along the wall, so its tangential second
/// derivatives vanish and ∂²φ/∂n² = −1 exactly; the missing A·h/4 per wall face is moved
/// to the right-hand side, which makes φ (and d) exact for parallel plates on a uniform
/// grid. In a cell with walls across several axes (a corner), ∂²φ/∂n² is shared among
/// them: each axis takes 1/(number of walled axes), which keeps the source ≥ half its
/// volume and φ positive.
///
/// Accuracy (measured in `WallDistanceTests`):
/// - parallel plates, or a wall facing a symmetry plane: exact to the solver tolerance on
///   a uniform grid (1e-8 at tolerance 1e-11); on a stretched grid the interior stencil's
///   O(h²) error remains (0.12 % on a tanh grid with neighbour ratio 1.2);
/// - next to the middle of a flat wall face: d = h/2 in the first cell, within 0.3 %;
/// - near edges and corners it is approximate, as the method is: the first cell along a
///   convex edge of a block reads up to 12 % high, the cell diagonally off that edge
///   (touching no wall face) about 2× high (the continuous method already gives 1.5× on
///   the bisector of a convex corner, where φ ~ r^(2/3)); the corner cell of a concave
///   90° corner reads 0.71 × h/2, and the middle of a square duct 23 % low (√(2φ_max)
///   with φ_max ≈ 0.074 L²). Away from walls d is a smooth length scale rather than a
///   true distance, which is all a mixing length capped at 0.09 δ asks of it.
///
/// Gradients are central differences on the non-uniform grid; next to a wall the wall's
/// own φ = 0, half a cell away, serves as the neighbour (a one-sided three-point
/// formula, exact for the quadratic φ of the plates), and at a non-wall domain side the
/// mirror image of the cell (zero normal gradient, as the boundary condition says).
///
/// Fluid pieces that no wall reaches (a domain with no walls at all) have no Poisson
/// solution; their cells get `.infinity`, which a mixing length caps to 0.09 δ.
public struct WallDistance: Sendable {
    /// Distance to the nearest wall per cell (m): 0 in solids, `.infinity` where no wall
    /// reaches.
    public let distanceM: [Double]
    /// The Poisson solve.
    public let report: SolveReport
    /// Fluid cells in pieces that no wall reaches (their distance is `.infinity`).
    public let unreachedCells: Int

    /// Computes the wall distance on a tagged grid.
    public init(tags: GridTags, wallSides: Set<Side>, options: WallDistanceOptions = WallDistanceOptions()) throws {
        let g = tags.grid, n = g.cellCount, nx = g.nx, ny = g.ny, nz = g.nz, s = g.slab
        let mask = NearWallMask(tags: tags, wallSides: wallSides)
        let pad = s + 1
        let east = PaddedVector(count: n, pad: pad), north = PaddedVector(count: n, pad: pad),
            top = PaddedVector(count: n, pad: pad)
        let b = PaddedVector(count: n, pad: pad)
        var anchor = [Double](repeating: 0, count: n)
        var active = [Bool](repeating: true, count: n)
        let correct = options.nearWallCorrection

        // Assembly: each cell writes only its own entries, so slabs run in parallel.
        g.x.widths.withUnsafeBufferPointer { dxb in
            g.y.widths.withUnsafeBufferPointer { dyb in
                g.z.widths.withUnsafeBufferPointer { dzb in
                    mask.bits.withUnsafeBufferPointer { mb in
                        anchor.withUnsafeMutableBufferPointer { ab in
                            active.withUnsafeMutableBufferPointer { actb in
                                let dx = dxb.baseAddress!, dy = dyb.baseAddress!, dz = dzb.baseAddress!,
                                    m = mb.baseAddress!
                                let an = ab.baseAddress!, act = actb.baseAddress!
                                let ep = east.p, np = north.p, tp = top.p, bp = b.p
                                Parallel.forSlabs(nz, cellsPerSlab: s) { k0, k1 in
                                    for k in k0..<k1 {
                                        for j in 0..<ny {
                                            for i in 0..<nx {
                                                let c = i + nx * (j + ny * k)
                                                let bits = m[c]
                                                if bits & NearWallMask.solid != 0 {
                                                    act[c] = false
                                                    continue
                                                }
                                                let ax = dy[j] * dz[k], ay = dx[i] * dz[k], az = dx[i] * dy[j]
                                                // Couplings to the upper neighbours through open interior faces.
                                                if bits & NearWallMask.closed(.east) == 0 {
                                                    ep[c] = ax / (0.5 * (dx[i] + dx[i + 1]))
                                                }
                                                if bits & NearWallMask.closed(.north)
                                                    == 0
                                                {
                                                    np[c] = ay / (0.5 * (dy[j] + dy[j + 1]))
                                                }
                                                if bits & NearWallMask.closed(.top) == 0 {
                                                    tp[c] = az / (0.5 * (dz[k] + dz[k + 1]))
                                                }
                                                // Anchors to φ = 0 on wall faces, and the near-wall flux correction.
                                                var anc = 0.0, lost = 0.0
                                                let wx =
                                                    (bits & NearWallMask.wall(.west) != 0 ? 1.0 : 0)
                                                    + (bits & NearWallMask.wall(.east) != 0 ? 1.0 : 0)
                                                let wy =
                                                    (bits & NearWallMask.wall(.south) != 0 ? 1.0 : 0)
                                                    + (bits & NearWallMask.wall(.north) != 0 ? 1.0 : 0)
                                                let wz =
                                                    (bits & NearWallMask.wall(.bottom) != 0 ? 1.0 : 0)
                                                    + (bits & NearWallMask.wall(.top) != 0 ? 1.0 : 0)
                                                if wx + wy + wz > 0 {
                                                    let walledAxes =
                                                        (wx > 0 ? 1.0 : 0) + (wy > 0 ? 1.0 : 0) + (wz > 0 ? 1.0 : 0)
                                                    // Per wall face: conductance A/(h/2); missing flux A·h/4·(share of
                                                    // φ_nn).
                                                    anc += wx * ax / (0.5 * dx[i])
                                                    lost += wx * ax * dx[i]
                                                    anc += wy * ay / (0.5 * dy[j])
                                                    lost += wy * ay * dy[j]
                                                    anc += wz * az / (0.5 * dz[k])
                                                    lost += wz * az * dz[k]
                                                    lost *= 0.25 / walledAxes
                                                }
                                                an[c] = anc
                                                let volume = dx[i] * dy[j] * dz[k]
                                                bp[c] = correct ? volume - lost : volume
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }

        let A = SymmetricStencil(
            nx: nx, ny: ny, nz: nz, east: east, north: north, top: top, anchor: anchor, active: active)
        let cg = try MultigridCG(A, multigrid: options.multigrid)
        // A piece no wall reaches has no solution (its sources cannot balance): leave it
        // out of the solve and report it as infinitely far from any wall.
        let floating = cg.pieces.floating
        var unreached = 0
        if !floating.isEmpty {
            let label = cg.pieces.label, anchored = cg.pieces.anchored
            for c in 0..<n where label[c] >= 0 && !anchored[Int(label[c])] {
                b.p[c] = 0
                unreached += 1
            }
        }
        let phi = PaddedVector(count: n, pad: pad)
        var krylov = KrylovOptions(tolerance: options.tolerance, maxIterations: options.maxIterations)
        krylov.throwOnFailure = true
        report = try cg.solve(b, phi, options: krylov)

        var d = [Double](repeating: 0, count: n)
        g.x.widths.withUnsafeBufferPointer { dxb in
            g.y.widths.withUnsafeBufferPointer { dyb in
                g.z.widths.withUnsafeBufferPointer { dzb in
                    mask.bits.withUnsafeBufferPointer { mb in
                        d.withUnsafeMutableBufferPointer { db in
                            let dx = dxb.baseAddress!, dy = dyb.baseAddress!, dz = dzb.baseAddress!, m = mb.baseAddress!
                            let dp = db.baseAddress!, f = phi.p
                            Parallel.forSlabs(nz, cellsPerSlab: s) { k0, k1 in
                                for k in k0..<k1 {
                                    for j in 0..<ny {
                                        for i in 0..<nx {
                                            let c = i + nx * (j + ny * k)
                                            let bits = m[c]
                                            if bits & NearWallMask.solid != 0 {
                                                dp[c] = 0
                                                continue
                                            }
                                            let fc = f[c]
                                            let gx = WallDistance.slope(
                                                bits, .west, .east, fc, f[c - 1], f[c + 1],
                                                dx[i], i > 0 ? dx[i - 1] : 0, i + 1 < nx ? dx[i + 1] : 0)
                                            let gy = WallDistance.slope(
                                                bits, .south, .north, fc, f[c - nx], f[c + nx],
                                                dy[j], j > 0 ? dy[j - 1] : 0, j + 1 < ny ? dy[j + 1] : 0)
                                            let gz = WallDistance.slope(
                                                bits, .bottom, .top, fc, f[c - s], f[c + s],
                                                dz[k], k > 0 ? dz[k - 1] : 0, k + 1 < nz ? dz[k + 1] : 0)
                                            let g2 = gx * gx + gy * gy + gz * gz
                                            let twoPhi = 2 * max(fc, 0)
                                            // −|g| + sqrt(g² + 2φ) without the cancellation when φ ≪ g².
                                            let root = (g2 + twoPhi).squareRoot()
                                            let denominator = g2.squareRoot() + root
                                            dp[c] = denominator > 0 ? twoPhi / denominator : 0
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        if unreached > 0 {
            let label = cg.pieces.label, anchored = cg.pieces.anchored
            for c in 0..<n where label[c] >= 0 && !anchored[Int(label[c])] { d[c] = .infinity }
        }
        distanceM = d
        unreachedCells = unreached
    }

    /// The distance per cell (m) alone: 0 in solids, `.infinity` where no wall reaches.
    public static func compute(
        tags: GridTags, wallSides: Set<Side>,
        options: WallDistanceOptions = WallDistanceOptions()
    ) throws -> [Double] {
        try WallDistance(tags: tags, wallSides: wallSides, options: options).distanceM
    }

    /// ∂φ/∂x_a at a cell centre from the lower and upper neighbours along one axis.
    /// A wall neighbour is φ = 0 half a cell away; a non-wall domain side is the cell's
    /// mirror image (φ_c one cell away), i.e. zero normal gradient at that side.
    @inline(__always)
    static func slope(
        _ bits: UInt16, _ lower: Side, _ upper: Side, _ fc: Double, _ fLower: Double, _ fUpper: Double,
        _ h: Double, _ hLower: Double, _ hUpper: Double
    ) -> Double {
        var fm = fLower, hm = 0.5 * (h + hLower)
        if bits & NearWallMask.wall(lower) != 0 {
            fm = 0
            hm = 0.5 * h
        } else if bits & NearWallMask.boundary(lower) != 0 {
            fm = fc
            hm = h
        }
        var fp = fUpper, hp = 0.5 * (h + hUpper)
        if bits & NearWallMask.wall(upper) != 0 {
            fp = 0
            hp = 0.5 * h
        } else if bits & NearWallMask.boundary(upper) != 0 {
            fp = fc
            hp = h
        }
        return threePoint(fm, hm, fc, fp, hp)
    }

    /// First derivative at the middle of three points, the lower `hm` and the upper `hp`
    /// away: exact for quadratics on any spacing (the non-uniform central difference).
    @inline(__always)
    static func threePoint(_ fm: Double, _ hm: Double, _ fc: Double, _ fp: Double, _ hp: Double) -> Double {
        (hm * hm * (fp - fc) + hp * hp * (fc - fm)) / (hm * hp * (hm + hp))
    }
}

/// What lies across each of a cell's six faces, one `UInt16` per cell: bit `side` is set
/// when that face is a wall (solid neighbour, `.wall` face tag, or a domain side listed as
/// a wall), bit `8 + side` when it is a domain boundary that is not a wall, and bit 15
/// marks the cell itself as solid. Built once per call so the hot loops need no tag
/// lookups or branches on indices.
struct NearWallMask {
    static let solid: UInt16 = 1 << 15
    @inline(__always) static func wall(_ side: Side) -> UInt16 { 1 << UInt16(side.rawValue) }
    @inline(__always) static func boundary(_ side: Side) -> UInt16 { 1 << UInt16(8 + side.rawValue) }
    /// A wall or a domain boundary on `side`: no neighbour to difference against there.
    @inline(__always) static func closed(_ side: Side) -> UInt16 { wall(side) | boundary(side) }

    let bits: [UInt16]

    init(tags: GridTags, wallSides: Set<Side>) {
        let g = tags.grid, nx = g.nx, ny = g.ny, nz = g.nz, s = g.slab
        var bits = [UInt16](repeating: 0, count: g.cellCount)
        // Per side: the bit a boundary face gets when it is not tagged `.wall`.
        let sideBits: [UInt16] = Side.allCases.map {
            wallSides.contains($0) ? NearWallMask.wall($0) : NearWallMask.boundary($0)
        }
        let w0 = sideBits[0], w1 = sideBits[1], w2 = sideBits[2], w3 = sideBits[3], w4 = sideBits[4], w5 = sideBits[5]
        let wallW = NearWallMask.wall(.west), wallE = NearWallMask.wall(.east), wallS = NearWallMask.wall(.south),
            wallN = NearWallMask.wall(.north)
        let wallB = NearWallMask.wall(.bottom), wallT = NearWallMask.wall(.top)
        tags.cells.withUnsafeBufferPointer { cb in
            tags.faces[0].withUnsafeBufferPointer { fxb in
                tags.faces[1].withUnsafeBufferPointer { fyb in
                    tags.faces[2].withUnsafeBufferPointer { fzb in
                        bits.withUnsafeMutableBufferPointer { bb in
                            let cells = cb.baseAddress!, fx = fxb.baseAddress!, fy = fyb.baseAddress!,
                                fz = fzb.baseAddress!
                            let out = bb.baseAddress!
                            Parallel.forSlabs(nz, cellsPerSlab: s) { k0, k1 in
                                for k in k0..<k1 {
                                    for j in 0..<ny {
                                        for i in 0..<nx {
                                            let c = i + nx * (j + ny * k)
                                            if cells[c] == .solid {
                                                out[c] = NearWallMask.solid
                                                continue
                                            }
                                            var m: UInt16 = 0
                                            let ix = i + (nx + 1) * (j + ny * k) // x-face below
                                            let iy = i + nx * (j + (ny + 1) * k) // y-face below
                                            // West / east.
                                            if fx[ix] == .wall {
                                                m |= wallW
                                            } else if i == 0 {
                                                m |= w0
                                            } else if cells[c - 1] == .solid {
                                                m |= wallW
                                            }
                                            if fx[ix + 1] == .wall {
                                                m |= wallE
                                            } else if i == nx - 1 {
                                                m |= w1
                                            } else if cells[c + 1] == .solid {
                                                m |= wallE
                                            }
                                            // South / north.
                                            if fy[iy] == .wall {
                                                m |= wallS
                                            } else if j == 0 {
                                                m |= w2
                                            } else if cells[c - nx] == .solid {
                                                m |= wallS
                                            }
                                            if fy[iy + nx] == .wall {
                                                m |= wallN
                                            } else if j == ny - 1 {
                                                m |= w3
                                            } else if cells[c + nx] == .solid {
                                                m |= wallN
                                            }
                                            // Bottom / top (z-faces are indexed like cells, k = 0 … nz).
                                            if fz[c] == .wall {
                                                m |= wallB
                                            } else if k == 0 {
                                                m |= w4
                                            } else if cells[c - s] == .solid {
                                                m |= wallB
                                            }
                                            if fz[c + s] == .wall {
                                                m |= wallT
                                            } else if k == nz - 1 {
                                                m |= w5
                                            } else if cells[c + s] == .solid {
                                                m |= wallT
                                            }
                                            out[c] = m
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        self.bits = bits
    }
}
