import RackFlowNumerics

/// Prandtl's mixing-length eddy viscosity, the algebraic model electronics-cooling codes
/// use when a two-equation model is too costly or too fragile for cluttered geometry:
///
///     ℓ   = min(κ d, capFactor · δ)        κ = 0.41, capFactor = 0.09
///     μ_t = ρ ℓ² |S|                       |S| = sqrt(2 S_ij S_ij)
///
/// d is the wall distance (`WallDistance`); δ is the length scale of the flow as a whole
/// (the domain's or a passage's hydraulic diameter, or a user value). Near walls ℓ grows
/// as κ d, the log-law slope; away from them it saturates at 0.09 δ, the classic value for
/// free shear layers and pipe cores (Wilcox, *Turbulence Modeling for CFD*, §3.3).
///
/// For pictures the model also gives a turbulent kinetic energy and intensity from the
/// equilibrium of production and dissipation (see `turbulentKineticEnergy`).
public struct MixingLength: Sendable, Equatable {
    /// von Kármán constant.
    public static let vonKarman = 0.41
    /// ℓ_max / δ.
    public static let defaultCapFactor = 0.09
    /// Turbulent Prandtl number Pr_t = μ_t c_p / k_t. 0.85 is the usual value for air in
    /// wall-bounded flow (Kays 1994; the default of most CFD codes): turbulence mixes heat
    /// slightly faster than momentum.
    public static let defaultTurbulentPrandtl = 0.85
    /// C_μ of the k–ε model, used only to turn ν_t and |S| into k.
    public static let defaultCMu = 0.09

    public var kappa: Double
    /// Length scale δ (m) of the cap ℓ ≤ capFactor · δ.
    public var deltaM: Double
    public var capFactor: Double
    public var turbulentPrandtl: Double
    public var cMu: Double
    /// Speeds below this (m/s) are raised to it when dividing by |U| for the intensity, so
    /// near-stagnant cells give a bounded intensity rather than 0/0 or a spike. 5 cm/s is
    /// below the slowest air that matters in a rack and above solver noise.
    public var speedFloorMPerS: Double

    public init(
        deltaM: Double, kappa: Double = MixingLength.vonKarman, capFactor: Double = MixingLength.defaultCapFactor,
        turbulentPrandtl: Double = MixingLength.defaultTurbulentPrandtl, cMu: Double = MixingLength.defaultCMu,
        speedFloorMPerS: Double = 0.05
    ) {
        precondition(deltaM > 0 && kappa > 0 && capFactor > 0 && turbulentPrandtl > 0 && cMu > 0 && speedFloorMPerS > 0)
        self.deltaM = deltaM
        self.kappa = kappa
        self.capFactor = capFactor
        self.turbulentPrandtl = turbulentPrandtl
        self.cMu = cMu
        self.speedFloorMPerS = speedFloorMPerS
    }

    /// Hydraulic diameter 4A/P (m) of a passage of flow area A (m²) and wetted perimeter P
    /// (m): a natural δ (a w × h duct gives 2wh/(w + h)).
    public static func hydraulicDiameterM(flowAreaM2: Double, wettedPerimeterM: Double) -> Double {
        4 * flowAreaM2 / wettedPerimeterM
    }

    /// Largest mixing length, capFactor · δ (m).
    public var maximumLengthM: Double { capFactor * deltaM }

    /// ℓ = min(κ d, capFactor · δ) in metres. `d = .infinity` (no wall reaches) gives the cap.
    @inline(__always)
    public func length(wallDistanceM d: Double) -> Double {
        min(kappa * d, capFactor * deltaM)
    }

    /// μ_t = ρ ℓ² |S| in Pa·s, with |S| (`strainRate`) in 1/s.
    @inline(__always)
    public func eddyViscosity(densityKgPerM3 rho: Double, wallDistanceM d: Double, strainRate s: Double) -> Double {
        let l = length(wallDistanceM: d)
        return rho * l * l * s
    }

    /// Turbulent kinetic energy k (m²/s² = J/kg) at equilibrium: production ν_t |S|² equals
    /// dissipation ε = C_μ k² / ν_t, so k = ν_t |S| / sqrt(C_μ) = (ℓ |S|)² / sqrt(C_μ).
    @inline(__always)
    public func turbulentKineticEnergy(wallDistanceM d: Double, strainRate s: Double) -> Double {
        let l = length(wallDistanceM: d)
        return l * l * s * s / cMu.squareRoot()
    }

    /// Turbulence intensity I = sqrt(2k/3) / max(|U|, speedFloorMPerS), dimensionless
    /// (0.05 is "5 %"): the fluctuation's r.m.s. per component over the mean speed.
    @inline(__always)
    public func intensity(turbulentKineticEnergy k: Double, speedMPerS u: Double) -> Double {
        (2.0 / 3.0 * max(k, 0)).squareRoot() / max(u, speedFloorMPerS)
    }

    /// Turbulent thermal conductivity k_t = μ_t c_p / Pr_t in W/(m·K), to add to the air's
    /// conductivity in the energy equation.
    @inline(__always)
    public func turbulentConductivity(eddyViscosityPaS muT: Double, specificHeatJPerKgK cp: Double) -> Double {
        muT * cp / turbulentPrandtl
    }

    // MARK: Fields (one value per cell, written into caller-provided arrays)

    /// μ_t per cell (Pa·s) from wall distance and strain rate per cell.
    public func eddyViscosity(
        densityKgPerM3 rho: Double, wallDistanceM d: [Double], strainRatePerS s: [Double],
        into muT: inout [Double]
    ) {
        precondition(d.count == s.count && muT.count == d.count)
        let cap = capFactor * deltaM, kap = kappa
        d.withUnsafeBufferPointer { dp in
            s.withUnsafeBufferPointer { sp in
                muT.withUnsafeMutableBufferPointer { mp in
                    for c in 0..<dp.count {
                        let l = min(kap * dp[c], cap)
                        mp[c] = rho * l * l * sp[c]
                    }
                }
            }
        }
    }

    /// k per cell (m²/s²) from wall distance and strain rate per cell.
    public func turbulentKineticEnergy(wallDistanceM d: [Double], strainRatePerS s: [Double], into k: inout [Double]) {
        precondition(d.count == s.count && k.count == d.count)
        let cap = capFactor * deltaM, kap = kappa, inv = 1 / cMu.squareRoot()
        d.withUnsafeBufferPointer { dp in
            s.withUnsafeBufferPointer { sp in
                k.withUnsafeMutableBufferPointer { kp in
                    for c in 0..<dp.count {
                        let ls = min(kap * dp[c], cap) * sp[c]
                        kp[c] = ls * ls * inv
                    }
                }
            }
        }
    }

    /// Intensity per cell (dimensionless) from k (m²/s²) and speed (m/s) per cell.
    public func intensity(turbulentKineticEnergy k: [Double], speedMPerS u: [Double], into out: inout [Double]) {
        precondition(k.count == u.count && out.count == k.count)
        let floor = speedFloorMPerS
        k.withUnsafeBufferPointer { kp in
            u.withUnsafeBufferPointer { up in
                out.withUnsafeMutableBufferPointer { op in
                    for c in 0..<kp.count {
                        op[c] = (2.0 / 3.0 * max(kp[c], 0)).squareRoot() / max(up[c], floor)
                    }
                }
            }
        }
    }
}

/// Cell-centred measures of a staggered velocity field on a non-uniform grid.
public enum StrainRate {
    /// |S| = sqrt(2 S_ij S_ij) per cell (1/s), S_ij = ½(∂u_i/∂x_j + ∂u_j/∂x_i), written into
    /// `strainRatePerS` (one value per cell; 0 in solids).
    ///
    /// Normal derivatives come straight from the cell's two faces (∂u/∂x = (u_e − u_w)/Δx):
    /// exact for the discrete, divergence-free field. Cross derivatives use the neighbours'
    /// cell-centre velocities (the mean of each cell's two faces) and the three-point
    /// non-uniform central difference, exact for quadratic profiles on any spacing. Across
    /// a wall (solid neighbour, `.wall` face, or a domain side in `wallSides`) the neighbour
    /// is the no-slip wall itself, velocity 0 half a cell away, so the wall shear — the
    /// largest strain in the cell — is captured in the first cell. At a domain side that
    /// is not a wall (inlet, outlet, symmetry) the difference is one-sided.
    /// Without `tags`, no cell is solid and no face is a wall.
    public static func magnitude(
        _ velocity: StaggeredVelocity, tags: GridTags? = nil, wallSides: Set<Side> = [],
        into strainRatePerS: inout [Double]
    ) {
        let g = velocity.u.grid, n = g.cellCount, nx = g.nx, ny = g.ny, nz = g.nz, s = g.slab
        precondition(strainRatePerS.count == n)
        precondition(tags == nil || tags!.grid == g, "tags and velocity must share a grid")
        let mask = NearWallMask(tags: tags ?? GridTags(g), wallSides: wallSides)
        let su = nx + 1, svz = nx * (ny + 1) // u's y-stride and v's z-stride
        g.x.widths.withUnsafeBufferPointer { dxb in
            g.y.widths.withUnsafeBufferPointer { dyb in
                g.z.widths.withUnsafeBufferPointer { dzb in
                    mask.bits.withUnsafeBufferPointer { mb in
                        velocity.u.values.withUnsafeBufferPointer { ub in
                            velocity.v.values.withUnsafeBufferPointer { vb in
                                velocity.w.values.withUnsafeBufferPointer { wb in
                                    strainRatePerS.withUnsafeMutableBufferPointer { ob in
                                        let dx = dxb.baseAddress!, dy = dyb.baseAddress!, dz = dzb.baseAddress!,
                                            m = mb.baseAddress!
                                        let u = ub.baseAddress!, v = vb.baseAddress!, w = wb.baseAddress!,
                                            out = ob.baseAddress!
                                        Parallel.forSlabs(nz, cellsPerSlab: s) { k0, k1 in
                                            for k in k0..<k1 {
                                                for j in 0..<ny {
                                                    for i in 0..<nx {
                                                        let c = i + nx * (j + ny * k)
                                                        let bits = m[c]
                                                        if bits & NearWallMask.solid != 0 {
                                                            out[c] = 0
                                                            continue
                                                        }
                                                        let iu = i + su * (j + ny * k) // u-face west of the cell
                                                        let iv = i + nx * (j + (ny + 1) * k) // v-face south of the cell
                                                        let hx = dx[i], hy = dy[j], hz = dz[k]
                                                        // Neighbour widths (unused where the neighbour does not exist).
                                                        let hxm = i > 0 ? dx[i - 1] : hx,
                                                            hxp = i + 1 < nx ? dx[i + 1] : hx
                                                        let hym = j > 0 ? dy[j - 1] : hy,
                                                            hyp = j + 1 < ny ? dy[j + 1] : hy
                                                        let hzm = k > 0 ? dz[k - 1] : hz,
                                                            hzp = k + 1 < nz ? dz[k + 1] : hz

                                                        let dudx = (u[iu + 1] - u[iu]) / hx
                                                        let dvdy = (v[iv + nx] - v[iv]) / hy
                                                        let dwdz = (w[c + s] - w[c]) / hz

                                                        // Cell-centre velocities: this cell and its neighbours, read
                                                        // only where the neighbour is a fluid cell (the mask says so),
                                                        // so no index leaves the arrays.
                                                        let uc = 0.5 * (u[iu] + u[iu + 1]),
                                                            vc = 0.5 * (v[iv] + v[iv + nx]),
                                                            wc = 0.5 * (w[c] + w[c + s])
                                                        let yOpenM = bits & NearWallMask.closed(.south) == 0
                                                        let yOpenP = bits & NearWallMask.closed(.north) == 0
                                                        let zOpenM = bits & NearWallMask.closed(.bottom) == 0
                                                        let zOpenP = bits & NearWallMask.closed(.top) == 0
                                                        let xOpenM = bits & NearWallMask.closed(.west) == 0
                                                        let xOpenP = bits & NearWallMask.closed(.east) == 0

                                                        let dudy = StrainRate.slope(
                                                            bits, .south, .north, uc,
                                                            yOpenM ? 0.5 * (u[iu - su] + u[iu - su + 1]) : 0,
                                                            yOpenP ? 0.5 * (u[iu + su] + u[iu + su + 1]) : 0, hy, hym,
                                                            hyp)
                                                        let dudz = StrainRate.slope(
                                                            bits, .bottom, .top, uc,
                                                            zOpenM ? 0.5 * (u[iu - su * ny] + u[iu - su * ny + 1]) : 0,
                                                            zOpenP ? 0.5 * (u[iu + su * ny] + u[iu + su * ny + 1]) : 0,
                                                            hz, hzm, hzp)
                                                        let dvdx = StrainRate.slope(
                                                            bits, .west, .east, vc,
                                                            xOpenM ? 0.5 * (v[iv - 1] + v[iv - 1 + nx]) : 0,
                                                            xOpenP ? 0.5 * (v[iv + 1] + v[iv + 1 + nx]) : 0, hx, hxm,
                                                            hxp)
                                                        let dvdz = StrainRate.slope(
                                                            bits, .bottom, .top, vc,
                                                            zOpenM ? 0.5 * (v[iv - svz] + v[iv - svz + nx]) : 0,
                                                            zOpenP ? 0.5 * (v[iv + svz] + v[iv + svz + nx]) : 0, hz,
                                                            hzm, hzp)
                                                        let dwdx = StrainRate.slope(
                                                            bits, .west, .east, wc,
                                                            xOpenM ? 0.5 * (w[c - 1] + w[c - 1 + s]) : 0,
                                                            xOpenP ? 0.5 * (w[c + 1] + w[c + 1 + s]) : 0, hx, hxm, hxp)
                                                        let dwdy = StrainRate.slope(
                                                            bits, .south, .north, wc,
                                                            yOpenM ? 0.5 * (w[c - nx] + w[c - nx + s]) : 0,
                                                            yOpenP ? 0.5 * (w[c + nx] + w[c + nx + s]) : 0, hy, hym, hyp
                                                        )

                                                        let sxy = 0.5 * (dudy + dvdx), sxz = 0.5 * (dudz + dwdx),
                                                            syz = 0.5 * (dvdz + dwdy)
                                                        let ss =
                                                            dudx * dudx + dvdy * dvdy + dwdz * dwdz + 2
                                                            * (sxy * sxy + sxz * sxz + syz * syz)
                                                        out[c] = (2 * ss).squareRoot()
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
            }
        }
    }

    /// Cell-centre speed |U| per cell (m/s), each component the mean of the cell's two
    /// faces, written into `speedMPerS` (0 in solids when `tags` are given).
    public static func cellSpeed(_ velocity: StaggeredVelocity, tags: GridTags? = nil, into speedMPerS: inout [Double])
    {
        let g = velocity.u.grid, nx = g.nx, ny = g.ny, nz = g.nz, s = g.slab
        precondition(speedMPerS.count == g.cellCount)
        precondition(tags == nil || tags!.grid == g, "tags and velocity must share a grid")
        let su = nx + 1
        let solid = tags?.cells
        velocity.u.values.withUnsafeBufferPointer { ub in
            velocity.v.values.withUnsafeBufferPointer { vb in
                velocity.w.values.withUnsafeBufferPointer { wb in
                    speedMPerS.withUnsafeMutableBufferPointer { ob in
                        let u = ub.baseAddress!, v = vb.baseAddress!, w = wb.baseAddress!, out = ob.baseAddress!
                        Parallel.forSlabs(nz, cellsPerSlab: s) { k0, k1 in
                            for k in k0..<k1 {
                                for j in 0..<ny {
                                    var iu = su * (j + ny * k), iv = nx * (j + (ny + 1) * k), c = nx * (j + ny * k)
                                    for _ in 0..<nx {
                                        let uc = 0.5 * (u[iu] + u[iu + 1]), vc = 0.5 * (v[iv] + v[iv + nx]),
                                            wc = 0.5 * (w[c] + w[c + s])
                                        out[c] = (uc * uc + vc * vc + wc * wc).squareRoot()
                                        iu += 1
                                        iv += 1
                                        c += 1
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        if let solid {
            for c in 0..<g.cellCount where solid[c] == .solid { speedMPerS[c] = 0 }
        }
    }

    /// ∂f/∂x_a at a cell centre from its lower and upper neighbours along one axis.
    /// A wall neighbour is f = 0 (no slip) half a cell away; a non-wall domain side drops
    /// that neighbour (one-sided difference); with neither neighbour the slope is 0.
    @inline(__always)
    static func slope(
        _ bits: UInt16, _ lower: Side, _ upper: Side, _ fc: Double, _ fLower: Double, _ fUpper: Double,
        _ h: Double, _ hLower: Double, _ hUpper: Double
    ) -> Double {
        let openLower = bits & NearWallMask.boundary(lower) != 0, openUpper = bits & NearWallMask.boundary(upper) != 0
        let fm = bits & NearWallMask.wall(lower) != 0 ? 0 : fLower
        let hm = bits & NearWallMask.wall(lower) != 0 ? 0.5 * h : 0.5 * (h + hLower)
        let fp = bits & NearWallMask.wall(upper) != 0 ? 0 : fUpper
        let hp = bits & NearWallMask.wall(upper) != 0 ? 0.5 * h : 0.5 * (h + hUpper)
        if openLower { return openUpper ? 0 : (fp - fc) / hp }
        if openUpper { return (fc - fm) / hm }
        return WallDistance.threePoint(fm, hm, fc, fp, hp)
    }
}
