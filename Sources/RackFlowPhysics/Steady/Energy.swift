import RackFlowNumerics

extension FlowSolver {
    /// Assembles ρ c_p (∂T/∂t + ∇·(uT)) = ∇·(k_eff ∇T) + q''' on the cells, in watts per
    /// kelvin: upwind convection with van Leer deferred correction, harmonic face
    /// conductances, heat sources (W per cell), walls adiabatic or at a fixed temperature,
    /// inlets at their temperature, outlets passing heat out (backflow at its temperature).
    /// Solid cells are not part of the air: their rows are identity and their faces adiabatic.
    func assembleEnergy() {
        let A = energy
        let rho = flow.fluid.densityKgPerM3, cp = flow.fluid.specificHeatJPerKgK
        let alpha = options.temperatureRelaxation
        let T = temperature.p, aP = A.aP.p, b = rhs.p
        let lo = [A.aW.p, A.aS.p, A.aB.p], hi = [A.aE.p, A.aN.p, A.aT.p]
        let n = [nx, ny, nz]
        let heat = flow.heatW
        let secondOrder = options.secondOrder
        for k in 0..<nz { for j in 0..<ny { for i in 0..<nx {
            let cc = cell(i, j, k)
            for a in 0..<3 { lo[a][cc] = 0; hi[a][cc] = 0 }
            if isSolid[cc] { aP[cc] = 1; b[cc] = T[cc]; continue }
            let idx = [i, j, k]
            var ap = 0.0, src = heat.isEmpty ? 0 : heat[cc]
            for a in 0..<3 {
                let (t1, t2) = a == 0 ? (1, 2) : (a == 1 ? (0, 2) : (0, 1))
                let Af = w[t1][idx[t1]] * w[t2][idx[t2]]
                let F = fdim[a]
                let m = idx[a]
                let fLower = idx[0] + F[0] * (idx[1] + F[1] * idx[2])
                let fUpper = fLower + fstride[a][a]
                for upper in [false, true] {
                    let f = upper ? fUpper : fLower
                    let Fo = rho * cp * velocity[a].p[f] * Af * (upper ? 1 : -1)
                    let inside = upper ? m + 1 < n[a] : m > 0
                    if inside {
                        let cn = upper ? cc + cellStride[a] : cc - cellStride[a]
                        if isSolid[cn] || flow.tags.faces[a][f] == .wall { continue }
                        let D = Af / (0.5 * w[a][m] / kEff[cc] + 0.5 * w[a][upper ? m + 1 : m - 1] / kEff[cn])
                        let coef = D + max(-Fo, 0)
                        if upper { hi[a][cc] = coef } else { lo[a][cc] = coef }
                        ap += D + max(Fo, 0)
                        if secondOrder {
                            let farPm = upper ? m - 1 : m + 1, farNm = upper ? m + 2 : m - 2
                            let farP = farPm >= 0 && farPm < n[a] && !isSolid[upper ? cc - cellStride[a] : cc + cellStride[a]]
                                ? T[upper ? cc - cellStride[a] : cc + cellStride[a]] : T[cc]
                            let farN = farNm >= 0 && farNm < n[a] && !isSolid[upper ? cc + 2 * cellStride[a] : cc - 2 * cellStride[a]]
                                ? T[upper ? cc + 2 * cellStride[a] : cc - 2 * cellStride[a]] : T[cn]
                            src -= Advection.correction(flux: Fo, p: T[cc], n: T[cn], farP: farP, farN: farN)
                        }
                    } else {
                        if flow.tags.faces[a][f] == .wall { continue }
                        let side = Side(rawValue: 2 * a + (upper ? 1 : 0))!
                        let Db = kEff[cc] * Af / (0.5 * w[a][m])
                        switch boundaryFace(side, i, j, k) {
                        case let .wall(_, .temperatureC(tw)): ap += Db; src += Db * tw
                        case .wall(_, .adiabatic), .symmetry: break
                        case let .inlet(_, tin, _): ap += Db + max(Fo, 0); src += (Db + max(-Fo, 0)) * tin
                        case let .outlet(_, tb, _): ap += max(Fo, 0); src += max(-Fo, 0) * tb
                        }
                    }
                }
            }
            if timeCoefficient > 0 {
                let V = w[0][i] * w[1][j] * w[2][k]
                ap += rho * cp * V * timeCoefficient
                for (l, wgt) in timeWeights.enumerated() { src += rho * cp * V * wgt * oldTemperature[l].p[cc] }
            }
            let apR = ap / alpha
            aP[cc] = apR
            b[cc] = src + (1 - alpha) * apR * T[cc]
        } } }
    }

    /// Solves the energy equation; returns max |ΔT| (K).
    func solveEnergy() throws -> Double {
        let A = energy, T = temperature
        BLAS.copy(A.count, T.p, previous.p)
        jacobi.update(A)
        do {
            var opts = KrylovOptions(tolerance: options.energyTolerance, maxIterations: 100)
            opts.throwOnFailure = false
            opts.relativeToInitialResidual = true
            try krylov.solve(rhs, T, preconditioner: jacobi, options: opts, operator: A)
        } catch {
            throw FlowSolverError.linearSolve(equation: "energy", iteration: history.count + 1, underlying: error)
        }
        var maxChange = 0.0
        for cc in 0..<A.count { maxChange = max(maxChange, abs(T.p[cc] - previous.p[cc])) }
        return maxChange
    }
}
