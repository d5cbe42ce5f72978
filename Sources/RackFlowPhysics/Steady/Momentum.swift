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
        let F = fdim[a], fs = fstride[a]
        let n = [nx, ny, nz]
        let rho = flow.fluid.densityKgPerM3
        let beta = flow.fluid.expansionPerK, T0 = flow.fluid.referenceTemperatureC
        let alpha = options.velocityRelaxation
        let u = velocity[a].p, p = pressure.p, T = temperature.p
        let aP = A.aP.p
        let lo = [A.aW.p, A.aS.p, A.aB.p], hi = [A.aE.p, A.aN.p, A.aT.p]
        let b = rhs.p, dd = d[a].p
        let (t1, t2) = a == 0 ? (1, 2) : (a == 1 ? (0, 2) : (0, 1))
        let secondOrder = options.secondOrder
        let fixedA = fixed[a], fixedV = fixedValue[a], noSlipA = noSlip[a]
        let sheetZeta = flow.sheetZeta[a]
        let cellTags = flow.tags.cells
        let faceTags = flow.tags.faces[a]

        for k in 0..<F[2] { for j in 0..<F[1] { for i in 0..<F[0] {
            let f = i + F[0] * (j + F[1] * k)
            lo[0][f] = 0; lo[1][f] = 0; lo[2][f] = 0; hi[0][f] = 0; hi[1][f] = 0; hi[2][f] = 0
            if fixedA[f] { aP[f] = 1; b[f] = fixedV[f]; dd[f] = 0; continue }
            let idx = [i, j, k]
            let m = idx[a]
            let hasL = m > 0, hasR = m < n[a]
            let hL = hasL ? 0.5 * w[a][m - 1] : 0, hR = hasR ? 0.5 * w[a][m] : 0
            let La = hL + hR
            let Aa = w[t1][idx[t1]] * w[t2][idx[t2]]
            let V = La * Aa
            let cL = hasL ? idx[0] + nx * (idx[1] + ny * idx[2]) - cellStride[a] : -1
            let cR = hasR ? idx[0] + nx * (idx[1] + ny * idx[2]) : -1
            let cAny = hasL ? cL : cR
            let uf = u[f]
            var ap = 0.0, src = 0.0, sumNb = 0.0

            // Faces normal to a, at the two cell centres.
            if hasR {
                let un = u[f + fs[a]]
                let Fh = rho * Aa * 0.5 * (uf + un)
                let D = muEff[cR] * Aa / w[a][m]
                let coef = D + max(-Fh, 0)
                hi[a][f] = coef; sumNb += coef; ap += D + max(Fh, 0)
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
                let D = muEff[cL] * Aa / w[a][m - 1]
                let coef = D + max(-Fo, 0)
                lo[a][f] = coef; sumNb += coef; ap += D + max(Fo, 0)
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
            for tb in [t1, t2] {
                let other = tb == t1 ? t2 : t1
                let Ab = La * w[other][idx[other]]
                let q = idx[tb]
                let vb = velocity[tb].p, sb = fstride[tb]
                // Lower tb-face of the cells L and R in component tb's face layout.
                let base = idx[0] * sb[0] + idx[1] * sb[1] + idx[2] * sb[2]
                let fLb = base - sb[a], fRb = base
                let Fup = rho * w[other][idx[other]] * ((hasL ? vb[fLb + sb[tb]] * hL : 0) + (hasR ? vb[fRb + sb[tb]] * hR : 0))
                let Fdn = -rho * w[other][idx[other]] * ((hasL ? vb[fLb] * hL : 0) + (hasR ? vb[fRb] * hR : 0))
                let mu = hasL && hasR ? 0.5 * (muEff[cL] + muEff[cR]) : muEff[cAny]
                for upper in [true, false] {
                    let Fo = upper ? Fup : Fdn
                    let inside = upper ? q + 1 < n[tb] : q > 0
                    if inside {
                        let g = upper ? f + fs[tb] : f - fs[tb]
                        // A no-slip neighbour (solid, wall) has its surface on the face between.
                        let dist = fixedA[g] && noSlipA[g] ? 0.5 * w[tb][q] : (upper ? c[tb][q + 1] - c[tb][q] : c[tb][q] - c[tb][q - 1])
                        let D = mu * Ab / dist
                        let coef = D + max(-Fo, 0)
                        if upper { hi[tb][f] = coef } else { lo[tb][f] = coef }
                        sumNb += coef; ap += D + max(Fo, 0)
                        if secondOrder {
                            let qn = upper ? q + 1 : q - 1
                            let farPIdx = upper ? q - 1 : q + 1, farNIdx = upper ? q + 2 : q - 2
                            let un = u[g]
                            let farP = farPIdx >= 0 && farPIdx < n[tb] ? u[upper ? f - fs[tb] : f + fs[tb]] : uf
                            let farN = farNIdx >= 0 && farNIdx < n[tb] ? u[upper ? f + 2 * fs[tb] : f - 2 * fs[tb]] : un
                            _ = qn
                            if !(fixedA[g] && noSlipA[g]) {
                                src -= Advection.correction(flux: Fo, p: uf, n: un, farP: farP, farN: farN)
                            }
                        }
                    } else {
                        let side = Side(rawValue: 2 * tb + (upper ? 1 : 0))!
                        switch boundaryFace(side, idx[0] - (hasR ? 0 : (a == 0 ? 1 : 0)), idx[1] - (hasR ? 0 : (a == 1 ? 1 : 0)), idx[2] - (hasR ? 0 : (a == 2 ? 1 : 0))) {
                        case let .wall(tangential, _):
                            let D = mu * Ab / (0.5 * w[tb][q])
                            let ub = a == 0 ? tangential.0 : (a == 1 ? tangential.1 : tangential.2)
                            ap += D; src += D * ub
                        case .symmetry:
                            break
                        case .inlet:
                            // Inflow arrives without tangential velocity.
                            let D = mu * Ab / (0.5 * w[tb][q])
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
            if a == 2 && flow.gravity {
                let Tf = hasL && hasR ? (T[cL] * hR + T[cR] * hL) / La : T[cAny]
                src += rho * beta * (Tf - T0) * FlowSolver.gravity * V
            }

            // Darcy–Forchheimer in porous halves of the control volume (implicit).
            if hasL && cellTags[cL] == .porous, let pc = flow.porous[cL] {
                ap += (flow.fluid.viscosityPaS * pc.inverseK(a) + 0.5 * rho * pc.c2(a) * abs(uf)) * hL * Aa
            }
            if hasR && cellTags[cR] == .porous, let pc = flow.porous[cR] {
                ap += (flow.fluid.viscosityPaS * pc.inverseK(a) + 0.5 * rho * pc.c2(a) * abs(uf)) * hR * Aa
            }
            // Thin perforated sheet on this face: Δp = ζ ½ ρ |u| u (implicit in u).
            if faceTags[f] == .porousSheet, let zeta = sheetZeta[f] {
                ap += zeta * 0.5 * rho * abs(uf) * Aa
            }

            // Time terms (backward Euler / BDF2 weights set by the time stepper).
            if timeCoefficient > 0 {
                ap += rho * V * timeCoefficient
                for (l, wgt) in timeWeights.enumerated() { src += rho * V * wgt * oldVelocity[l][a].p[f] }
            }

            aP[f] = ap; b[f] = src
            dd[f] = sumNb   // temporarily Σ a_nb; finished after the fan terms
        } } }

        applyFans(a)

        // Under-relaxation and the SIMPLEC factor d = A / (aP/α − Σ a_nb).
        for k in 0..<F[2] { for j in 0..<F[1] { for i in 0..<F[0] {
            let f = i + F[0] * (j + F[1] * k)
            if fixedA[f] { continue }
            let idx = [i, j, k]
            let Aa = w[t1][idx[t1]] * w[t2][idx[t2]]
            let apR = aP[f] / alpha
            b[f] += (1 - alpha) * apR * u[f]
            aP[f] = apR
            // aP/α − Σ a_nb = aP (1/α − 1) + net outflow; early iterations, far from
            // continuity, can drive it toward zero: keep d bounded by a share of aP.
            dd[f] = Aa / max(apR - dd[f], 0.1 * apR)
        } } }
        _ = previous
    }

    /// Pressure at the outlet face of the boundary row of `idx` (0 if it is not an outlet).
    func outletPressure(_ a: Int, upper: Bool, _ idx: [Int]) -> Double {
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
        if a == 0 { fanOperatingPoints = [] }
        for fan in flow.fans where fan.axis == a {
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
            fanOperatingPoints.append((Q, dp))
        }
    }

    /// Solves the assembled momentum equation of component `a`; returns max |Δu|.
    func solveMomentum(_ a: Int) throws -> Double {
        let A = momentum[a]
        let u = velocity[a]
        BLAS.copy(A.count, u.p, previous.p)
        jacobi.update(A)
        do {
            var opts = KrylovOptions(tolerance: options.momentumTolerance, maxIterations: 50)
            opts.throwOnFailure = false
            opts.relativeToInitialResidual = true
            try krylov.solve(rhs, u, preconditioner: jacobi, options: opts, operator: A)
        } catch {
            throw FlowSolverError.linearSolve(equation: "momentum (\(["u", "v", "w"][a]))", iteration: history.count + 1, underlying: error)
        }
        var maxChange = 0.0
        let up = u.p, pp = previous.p
        for f in 0..<A.count { maxChange = max(maxChange, abs(up[f] - pp[f])) }
        return maxChange
    }
}
