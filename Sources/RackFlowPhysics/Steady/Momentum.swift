import RackFlowNumerics

extension FlowSolver {
    static let gravity = 9.80665

    /// Assembles the momentum equation of velocity component `a` on its faces:
    ///
    ///   aP u_f = Σ a_nb u_nb + (p_L − p_R) A + buoyancy + porous/sheet/fan terms + time terms,
    ///
    /// on the staggered control volume that spans from the centre of the cell below the face
    /// to the centre of the cell above it (half of it at an outlet). Convection is upwind
    /// in the matrix with a van Leer deferred correction; mass fluxes through the control
    /// volume's faces are exact sums of the neighbouring faces' fluxes. The SIMPLEC factor
    /// d = A / (aP/α − Σ a_nb) is stored for the pressure correction. Imposed faces get
    /// the identity row.
    func assembleMomentum(_ a: Int) {
        let A = momentum[a]
        let F = SIMD3(fdim[a][0], fdim[a][1], fdim[a][2])
        let fs = SIMD3(fstride[a][0], fstride[a][1], fstride[a][2])
        let n = SIMD3(nx, ny, nz)
        let cst = SIMD3(cellStride[0], cellStride[1], cellStride[2])
        let rho = flow.fluid.densityKgPerM3, mu0 = flow.fluid.viscosityPaS
        let beta = flow.fluid.expansionPerK, T0 = flow.fluid.referenceTemperatureC
        let buoyant = a == 2 && flow.gravity
        let u = velocity[a].p, p = pressure.p, T = temperature.p
        let vel = (velocity[0].p, velocity[1].p, velocity[2].p)
        let vst = (SIMD3(fstride[0][0], fstride[0][1], fstride[0][2]), SIMD3(fstride[1][0], fstride[1][1], fstride[1][2]),
                   SIMD3(fstride[2][0], fstride[2][1], fstride[2][2]))
        let aP = A.aP.p
        let lo = (A.aW.p, A.aS.p, A.aB.p), hi = (A.aE.p, A.aN.p, A.aT.p)
        let b = rhs.p, dd = d[a].p
        let (t1, t2) = SIMD3<Int>.transverse(a)
        let secondOrder = options.secondOrder
        let geo = arrays
        let timeC = timeCoefficient
        let olds = timeCoefficient > 0 ? timeWeights.enumerated().map { ($0.element, oldVelocity[$0.offset][a].p) } : []
        fixed[a].withUnsafeBufferPointer { fixedP in
        fixedValue[a].withUnsafeBufferPointer { fixedVP in
        noSlip[a].withUnsafeBufferPointer { noSlipP in
        muEff.withUnsafeBufferPointer { muP in
        flow.tags.cells.withUnsafeBufferPointer { tagP in
        flow.tags.faces[a].withUnsafeBufferPointer { faceTagP in
        Parallel.forSlabs(F[2], cellsPerSlab: F[0] * F[1] * 8) { k0, k1 in
        for k in k0..<k1 { for j in 0..<F[1] { for i in 0..<F[0] {
            let f = i + F[0] * (j + F[1] * k)
            lo.0[f] = 0; lo.1[f] = 0; lo.2[f] = 0; hi.0[f] = 0; hi.1[f] = 0; hi.2[f] = 0
            if fixedP[f] { aP[f] = 1; b[f] = fixedVP[f]; dd[f] = 0; continue }
            let idx = SIMD3(i, j, k)
            let m = idx[a]
            let hasL = m > 0, hasR = m < n[a]
            let hL = hasL ? 0.5 * geo.width(a, m - 1) : 0, hR = hasR ? 0.5 * geo.width(a, m) : 0
            let La = hL + hR
            let Aa = geo.width(t1, idx[t1]) * geo.width(t2, idx[t2])
            let V = La * Aa
            let cBase = i * cst[0] + j * cst[1] + k * cst[2]
            let cL = hasL ? cBase - cst[a] : -1
            let cR = hasR ? cBase : -1
            let cAny = hasL ? cL : cR
            let uf = u[f]
            var ap = 0.0, src = 0.0, sumNb = 0.0

            // Faces normal to a, at the two cell centres.
            if hasR {
                let un = u[f + fs[a]]
                let Fh = rho * Aa * 0.5 * (uf + un)
                let D = muP[cR] * Aa / geo.width(a, m)
                let coef = D + max(-Fh, 0)
                FlowSolver.set(hi, a, f, coef); sumNb += coef; ap += D + max(Fh, 0)
                if secondOrder {
                    let farP = hasL ? u[f - fs[a]] : uf
                    let farN = m + 2 <= n[a] ? u[f + 2 * fs[a]] : un
                    src -= Advection.correction(flux: Fh, p: uf, n: un, farP: farP, farN: farN)
                }
            } else {
                // Outlet at the upper side: outflow leaves with u_f; backflow brings u_f too.
                let Fh = rho * Aa * uf
                ap += max(Fh, 0); if Fh < 0 { src -= Fh * uf }
            }
            if hasL {
                let un = u[f - fs[a]]
                let Fo = -rho * Aa * 0.5 * (un + uf)          // outward through the lower face
                let D = muP[cL] * Aa / geo.width(a, m - 1)
                let coef = D + max(-Fo, 0)
                FlowSolver.set(lo, a, f, coef); sumNb += coef; ap += D + max(Fo, 0)
                if secondOrder {
                    let farP = hasR ? u[f + fs[a]] : uf
                    let farN = m >= 2 ? u[f - 2 * fs[a]] : un
                    src -= Advection.correction(flux: Fo, p: uf, n: un, farP: farP, farN: farN)
                }
            } else {
                let Fo = -rho * Aa * uf
                ap += max(Fo, 0); if Fo < 0 { src -= Fo * uf }
            }

            // Faces normal to the two transverse axes.
            for which in 0..<2 {
                let tb = which == 0 ? t1 : t2, other = which == 0 ? t2 : t1
                let wOther = geo.width(other, idx[other])
                let Ab = La * wOther
                let q = idx[tb]
                let vb = tb == 0 ? vel.0 : (tb == 1 ? vel.1 : vel.2)
                let sb = tb == 0 ? vst.0 : (tb == 1 ? vst.1 : vst.2)
                // Lower tb-face of the cells L and R in component tb's face layout.
                let base = i * sb[0] + j * sb[1] + k * sb[2]
                let fLb = base - sb[a], fRb = base
                let Fup = rho * wOther * ((hasL ? vb[fLb + sb[tb]] * hL : 0) + (hasR ? vb[fRb + sb[tb]] * hR : 0))
                let Fdn = -rho * wOther * ((hasL ? vb[fLb] * hL : 0) + (hasR ? vb[fRb] * hR : 0))
                let mu = hasL && hasR ? 0.5 * (muP[cL] + muP[cR]) : muP[cAny]
                for upperSide in 0..<2 {
                    let upper = upperSide == 0
                    let Fo = upper ? Fup : Fdn
                    let inside = upper ? q + 1 < n[tb] : q > 0
                    if inside {
                        let g = upper ? f + fs[tb] : f - fs[tb]
                        // A no-slip neighbour (solid, wall) has its surface on the face between.
                        let wallNeighbour = fixedP[g] && noSlipP[g]
                        let dist = wallNeighbour ? 0.5 * geo.width(tb, q)
                            : (upper ? geo.centre(tb, q + 1) - geo.centre(tb, q) : geo.centre(tb, q) - geo.centre(tb, q - 1))
                        let D = mu * Ab / dist
                        let coef = D + max(-Fo, 0)
                        if upper { FlowSolver.set(hi, tb, f, coef) } else { FlowSolver.set(lo, tb, f, coef) }
                        sumNb += coef; ap += D + max(Fo, 0)
                        if wallNeighbour {
                            src -= wallShearCorrection(u, f, away: upper ? f - fs[tb] : f + fs[tb],
                                                       awayInside: upper ? q > 0 : q + 1 < n[tb], fixed: fixedP,
                                                       d0: dist, d1: dist + geo.width(tb, upper ? max(q - 1, 0) : min(q + 1, n[tb] - 1)) * 0.5 + dist,
                                                       wallVelocity: 0, muA: mu * Ab)
                        }
                        if secondOrder && !wallNeighbour {
                            let farPIdx = upper ? q - 1 : q + 1, farNIdx = upper ? q + 2 : q - 2
                            let un = u[g]
                            let farP = farPIdx >= 0 && farPIdx < n[tb] ? u[upper ? f - fs[tb] : f + fs[tb]] : uf
                            let farN = farNIdx >= 0 && farNIdx < n[tb] ? u[upper ? f + 2 * fs[tb] : f - 2 * fs[tb]] : un
                            src -= Advection.correction(flux: Fo, p: uf, n: un, farP: farP, farN: farN)
                        }
                    } else {
                        let side = Side(rawValue: 2 * tb + (upper ? 1 : 0))!
                        var cidx = idx
                        if !hasR { cidx[a] -= 1 }
                        switch boundaryFace(side, cidx[0], cidx[1], cidx[2]) {
                        case let .wall(tangential, _):
                            let d0 = 0.5 * geo.width(tb, q)
                            let D = mu * Ab / d0
                            let ub = a == 0 ? tangential.0 : (a == 1 ? tangential.1 : tangential.2)
                            ap += D; src += D * ub
                            let qa = upper ? q - 1 : q + 1
                            src -= wallShearCorrection(u, f, away: upper ? f - fs[tb] : f + fs[tb],
                                                       awayInside: qa >= 0 && qa < n[tb], fixed: fixedP,
                                                       d0: d0, d1: 2 * d0 + 0.5 * geo.width(tb, min(max(qa, 0), n[tb] - 1)),
                                                       wallVelocity: ub, muA: mu * Ab)
                        case .symmetry:
                            break
                        case .inlet:
                            // Inflow arrives without tangential velocity.
                            let D = mu * Ab / (0.5 * geo.width(tb, q))
                            ap += D + max(Fo, 0)
                        case .outlet:
                            ap += max(Fo, 0); if Fo < 0 { src -= Fo * uf }
                        }
                    }
                }
            }

            // Pressure: the boundary value at an outlet face.
            let pL = hasL ? p[cL] : outletPressure(a, upper: false, idx)
            let pR = hasR ? p[cR] : outletPressure(a, upper: true, idx)
            src += (pL - pR) * Aa

            // Boussinesq buoyancy on the vertical component (gravity along −z).
            if buoyant {
                let Tf = hasL && hasR ? (T[cL] * hR + T[cR] * hL) / La : T[cAny]
                src += rho * beta * (Tf - T0) * FlowSolver.gravity * V
            }

            // Darcy–Forchheimer in porous halves of the control volume (implicit).
            if hasL && tagP[cL] == .porous, let pc = flow.porous[cL] {
                ap += (mu0 * pc.inverseK(a) + 0.5 * rho * pc.c2(a) * abs(uf)) * hL * Aa
            }
            if hasR && tagP[cR] == .porous, let pc = flow.porous[cR] {
                ap += (mu0 * pc.inverseK(a) + 0.5 * rho * pc.c2(a) * abs(uf)) * hR * Aa
            }
            // Thin perforated sheet on this face: Δp = ζ ½ ρ |u| u (implicit in u).
            if faceTagP[f] == .porousSheet, let zeta = flow.sheetZeta[a][f] {
                ap += zeta * 0.5 * rho * abs(uf) * Aa
            }

            // Time terms (backward Euler / BDF2 weights set by the time stepper).
            if timeC > 0 {
                ap += rho * V * timeC
                for (wgt, old) in olds { src += rho * V * wgt * old[f] }
            }

            aP[f] = ap; b[f] = src
            dd[f] = sumNb   // Σ a_nb for now; turned into d after the fan terms
        } } }
        }
        } } } } } }

        applyFans(a)

        // Under-relaxation and the SIMPLEC factor d = A / (aP/α − Σ a_nb).
        let ramp = options.relaxationRampIterations, it = history.count
        let alpha = ramp > 0 && it < ramp && options.velocityRelaxation > 0.5
            ? 0.5 + (options.velocityRelaxation - 0.5) * Double(it) / Double(ramp) : options.velocityRelaxation
        fixed[a].withUnsafeBufferPointer { fixedP in
            Parallel.forSlabs(F[2], cellsPerSlab: F[0] * F[1]) { k0, k1 in
                for k in k0..<k1 { for j in 0..<F[1] {
                    for i in 0..<F[0] {
                        let f = i + F[0] * (j + F[1] * k)
                        if fixedP[f] { continue }
                        let idx = SIMD3(i, j, k)
                        let Aa = geo.width(t1, idx[t1]) * geo.width(t2, idx[t2])
                        let apR = aP[f] / alpha
                        b[f] += (1 - alpha) * apR * u[f]
                        aP[f] = apR
                        // aP/α − Σ a_nb = aP (1/α − 1) + net outflow; early iterations, far
                        // from continuity, can drive it toward zero: keep d bounded.
                        dd[f] = Aa / max(apR - dd[f], 0.1 * apR)
                    }
                } }
            }
        }
    }

    /// Second-order wall shear by deferred correction. The matrix holds the one-sided
    /// μA (u₀ − u_w)/d₀; the quadratic through the wall, u₀ (at d₀) and the next value
    /// away from the wall u₁ (at d₁) has wall slope (φ₀d₁² − φ₁d₀²)/(d₀d₁(d₁ − d₀)), φ = u − u_w.
    /// Their difference goes to the right-hand side. It removes the O(Δ²) shift of the
    /// one-sided form (1.5 Δ²/h² too little pressure drop in plane Poiseuille flow) and is
    /// exact for a parabolic profile.
    @inline(__always)
    func wallShearCorrection(_ u: UnsafeMutablePointer<Double>, _ f: Int, away g: Int, awayInside: Bool,
                             fixed: UnsafeBufferPointer<Bool>, d0: Double, d1: Double, wallVelocity uw: Double, muA: Double) -> Double {
        guard awayInside, !fixed[g] else { return 0 }
        let p0 = u[f] - uw, p1 = u[g] - uw
        let slope = (p0 * d1 * d1 - p1 * d0 * d0) / (d0 * d1 * (d1 - d0))
        return muA * (slope - p0 / d0)
    }

    @inline(__always)
    static func set(_ t: (UnsafeMutablePointer<Double>, UnsafeMutablePointer<Double>, UnsafeMutablePointer<Double>), _ a: Int, _ f: Int, _ v: Double) {
        if a == 0 { t.0[f] = v } else if a == 1 { t.1[f] = v } else { t.2[f] = v }
    }

    /// Pressure at the outlet face of the boundary row of `idx` (0 if it is not an outlet).
    func outletPressure(_ a: Int, upper: Bool, _ idx: SIMD3<Int>) -> Double {
        var cidx = idx
        if upper { cidx[a] -= 1 }
        let side = Side(rawValue: 2 * a + (upper ? 1 : 0))!
        if case let .outlet(pr, _, _) = boundaryFace(side, cidx[0], cidx[1], cidx[2]) { return pr }
        return 0
    }

    /// Fan pressure jumps, linearised implicitly about the current flow so the operating
    /// point emerges stably: Δp(Q) ≈ Δp(Q*) + s (Q − Q*) with s = dΔp/dQ ≤ 0, Q varying
    /// through a uniform change of the fan's face velocities.
    func applyFans(_ a: Int) {
        let u = velocity[a].p, aP = momentum[a].aP.p, b = rhs.p
        let F = fdim[a]
        let (t1, t2) = a == 0 ? (1, 2) : (a == 1 ? (0, 2) : (0, 1))
        if fanOperatingPoints.count != fans.count { fanOperatingPoints = Array(repeating: (0, 0), count: fans.count) }
        for (fi, fan) in fans.enumerated() where fan.axis == a {
            var Q = 0.0, area = 0.0
            var areas: [Double] = []
            for f in fan.faces {
                let idx = [f % F[0], (f / F[0]) % F[1], f / (F[0] * F[1])]
                let Af = w[t1][idx[t1]] * w[t2][idx[t2]]
                areas.append(Af); area += Af; Q += fan.direction * u[f] * Af
            }
            let dp = fan.pressureRise(Q), s = min(fan.slope(Q), 0)
            for (m, f) in fan.faces.enumerated() where !fixed[a][f] {
                let Af = areas[m]
                aP[f] += -s * area * Af
                b[f] += fan.direction * Af * dp - s * area * Af * u[f]
            }
            fanOperatingPoints[fi] = (Q, dp)
        }
    }

    /// Solves the assembled momentum equation of component `a`; returns max |Δu|.
    func solveMomentum(_ a: Int) throws -> Double {
        try innerSolve(momentum[a], velocity[a], sweeps: options.momentumSweeps, tolerance: options.momentumTolerance,
                       maxIterations: 50, equation: "momentum (\(["u", "v", "w"][a]))")
    }

    /// Partial solve of an assembled advection–diffusion system from the current iterate:
    /// `sweeps` red–black Gauss–Seidel sweeps, or (sweeps = 0) BiCGSTAB reducing the
    /// residual by `tolerance`. Returns the largest change of the unknown.
    func innerSolve(_ A: Stencil, _ x: PaddedVector, sweeps: Int, tolerance: Double, maxIterations: Int, equation: String) throws -> Double {
        BLAS.copy(A.count, x.p, previous.p)
        do {
            if sweeps > 0 {
                A.relax(x, rhs, sweeps: sweeps)
            } else {
                jacobi.update(A)
                var opts = KrylovOptions(tolerance: tolerance, maxIterations: maxIterations)
                opts.throwOnFailure = false
                opts.relativeToInitialResidual = true
                try krylov.solve(rhs, x, preconditioner: jacobi, options: opts, operator: A)
            }
        } catch {
            throw FlowSolverError.linearSolve(equation: equation, iteration: history.count + 1, underlying: error)
        }
        var maxChange = 0.0, at = 0, sq = 0.0
        let xp = x.p, pp = previous.p
        for c in 0..<A.count {
            let d = abs(xp[c] - pp[c])
            sq += d * d
            if d > maxChange { maxChange = d; at = c }
        }
        lastChangeIndex = at
        lastChangeRMS = (sq / Double(max(A.count, 1))).squareRoot()
        return maxChange
    }
}
