import RackFlowNumerics

extension FlowSolver {
    /// SIMPLEC pressure correction. With u_f = u*_f + d_f (p'_L − p'_R) on every solved face,
    /// continuity in each cell becomes the symmetric system
    ///
    ///   Σ_f ρ d_f A_f (p'_c − p'_nb) = −(net mass outflow of u*),
    ///
    /// whose couplings ρ d A live in one reused `SymmetricStencil`; outlet faces (p' = 0
    /// outside) are anchors; imposed faces couple nothing. Solved by multigrid-preconditioned
    /// CG, the hierarchy rebuilt every few outer iterations. A closed domain is a floating
    /// problem: its small net imbalance is projected out. Returns the mass residual before
    /// correction (Σ|imbalance| / reference mass flow) and the CG iteration count.
    func correctPressure() throws -> (Double, Int) {
        let rho = flow.fluid.densityKgPerM3
        let e = pc.east.p, no = pc.north.p, t = pc.top.p
        let u = velocity[0].p, v = velocity[1].p, wv = velocity[2].p
        let du = d[0].p, dv = d[1].p, dw = d[2].p
        let b = pcRHS.p
        let F0 = fdim[0], F1 = fdim[1], F2 = fdim[2]
        let w0 = arrays.wx, w1 = arrays.wy, w2 = arrays.wz
        let nx = self.nx, ny = self.ny, nz = self.nz
        pc.anchor.withUnsafeMutableBufferPointer { anchorBuf in
            let anchorP = anchorBuf.baseAddress!
            isSolid.withUnsafeBufferPointer { solid in
                Parallel.forSlabs(nz, cellsPerSlab: nx * ny * 4) { k0, k1 in
                    for k in k0..<k1 {
                        for j in 0..<ny {
                            let ayz = w1[j] * w2[k]
                            for i in 0..<nx {
                                let cc = i + nx * (j + ny * k)
                                anchorP[cc] = 0
                                if solid[cc] {
                                    e[cc] = 0
                                    no[cc] = 0
                                    t[cc] = 0
                                    b[cc] = 0
                                    continue
                                }
                                let axz = w0[i] * w2[k], axy = w0[i] * w1[j]
                                let fx = i + F0[0] * (j + F0[1] * k), fy = i + F1[0] * (j + F1[1] * k),
                                    fz = i + F2[0] * (j + F2[1] * k)
                                e[cc] = i + 1 < nx ? rho * du[fx + 1] * ayz : 0
                                no[cc] = j + 1 < ny ? rho * dv[fy + F1[0]] * axz : 0
                                t[cc] = k + 1 < nz ? rho * dw[fz + F2[0] * F2[1]] * axy : 0
                                // Outlet faces on the domain boundary: p' = 0 beyond them.
                                var anchor = 0.0
                                if i == 0 { anchor += rho * du[fx] * ayz }
                                if i == nx - 1 { anchor += rho * du[fx + 1] * ayz }
                                if j == 0 { anchor += rho * dv[fy] * axz }
                                if j == ny - 1 { anchor += rho * dv[fy + F1[0]] * axz }
                                if k == 0 { anchor += rho * dw[fz] * axy }
                                if k == nz - 1 { anchor += rho * dw[fz + F2[0] * F2[1]] * axy }
                                anchorP[cc] = anchor
                                let out =
                                    rho
                                    * ((u[fx + 1] - u[fx]) * ayz + (v[fy + F1[0]] - v[fy]) * axz
                                        + (wv[fz + F2[0] * F2[1]] - wv[fz]) * axy)
                                b[cc] = -out
                            }
                        }
                    }
                }
            }
        }
        // Summed afterwards in cell order: the residual does not depend on the thread count.
        var absImbalance = 0.0
        for cc in 0..<pc.count { absImbalance += abs(b[cc]) }
        pc.refresh()
        let iteration = history.count
        if pcSolver == nil || iteration % max(options.pressurePreconditionerRebuild, 1) == 0 {
            try timed("pressure setup") {
                if let s = pcSolver {
                    try s.rebuildPreconditioner(options: options.pressureMultigrid)
                } else {
                    pcSolver = try MultigridCG(pc, multigrid: options.pressureMultigrid)
                }
            }
            if keepsPreconditionerSource { preconditionerSource = capturePreconditionerSource() }
        }
        if let k = outerInStep, k < stepCorrections.count {
            pcSol.copy(from: stepCorrections[k])
        } else {
            pcSol.fill(0)
        }
        var opts = KrylovOptions(tolerance: options.pressureTolerance, maxIterations: 200)
        opts.throwOnFailure = false
        let report: SolveReport
        do {
            report = try timed("pressure solve") {
                try pcSolver!.solve(pcRHS, pcSol, options: opts, nullSpace: .project)
            }
        } catch {
            throw FlowSolverError.linearSolve(
                equation: "pressure correction", iteration: iteration + 1, underlying: error)
        }

        if let k = outerInStep {
            while stepCorrections.count <= k { stepCorrections.append(PaddedVector(count: pcSol.count, pad: 0)) }
            stepCorrections[k].copy(from: pcSol)
        }

        // Velocity and pressure corrections.
        let pp = pcSol.p
        for a in 0..<3 {
            let F = fdim[a], s = cellStride[a]
            let vel = velocity[a].p, da = d[a].p
            let n = [nx, ny, nz][a]
            Parallel.forSlabs(F[2], cellsPerSlab: F[0] * F[1]) { k0, k1 in
                for k in k0..<k1 {
                    for j in 0..<F[1] {
                        for i in 0..<F[0] {
                            let f = i + F[0] * (j + F[1] * k)
                            let dfa = da[f]
                            if dfa == 0 { continue }
                            let m = a == 0 ? i : (a == 1 ? j : k)
                            let cR = m < n ? i + nx * (j + ny * k) : -1
                            let pL = m > 0 ? pp[(m < n ? cR : i + nx * (j + ny * k)) - s] : 0
                            let pR = cR >= 0 ? pp[cR] : 0
                            vel[f] += dfa * (pL - pR)
                        }
                    }
                }
            }
        }
        let alphaP = options.pressureRelaxation
        let p = pressure.p
        isSolid.withUnsafeBufferPointer { solid in
            for cc in 0..<pc.count where !solid[cc] { p[cc] += alphaP * pp[cc] }
        }
        return (absImbalance / referenceMassFlow, report.iterations)
    }
}

extension FlowSolver {
    /// The last outer iteration's pressure-correction system, operator and right-hand side, for a
    /// benchmark that times its solve alone (`RackFlowBench.PressureBenchmark`). These are the
    /// solver's own objects, not copies: a caller reads them and must not change them.
    public var lastPressureSystem: (matrix: SymmetricStencil, rhs: PaddedVector) { (pc, pcRHS) }
}
