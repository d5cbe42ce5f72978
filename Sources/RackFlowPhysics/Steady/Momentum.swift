import RackFlowNumerics

extension FlowSolver {

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
        switch a {
        case 0: assembleMomentumRows(AxisX.self)
        case 1: assembleMomentumRows(AxisY.self)
        default: assembleMomentumRows(AxisZ.self)
        }
        let A = momentum[a]
        let F = fdim[a]
        let u = velocity[a].p, aP = A.aP.p, b = rhs.p, dd = d[a].p
        let (t1, t2) = SIMD3<Int>.transverse(a)
        let geo = arrays

        applyFans(a)

        // Under-relaxation and the SIMPLEC factor d = A / (aP/α − Σ a_nb).
        let ramp = options.relaxationRampIterations, it = history.count
        let target =
            isSteadyIteration && options.pseudoTransient
            ? options.steadyVelocityRelaxation ?? options.velocityRelaxation : options.velocityRelaxation
        let alpha = ramp > 0 && it < ramp && target > 0.5 ? 0.5 + (target - 0.5) * Double(it) / Double(ramp) : target
        fixed[a].withUnsafeBufferPointer { fixedP in
            Parallel.forSlabs(F[2], cellsPerSlab: F[0] * F[1]) { k0, k1 in
                for k in k0..<k1 {
                    for j in 0..<F[1] {
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
                    }
                }
            }
        }
    }

    /// The rows of every face of component `Ax` (MomentumKernel), slab-parallel.
    func assembleMomentumRows<Ax: StaggeredAxis>(_: Ax.Type) {
        let a = Ax.a
        let A = momentum[a], F = fdim[a]
        if momentumObjects == nil {
            momentumObjects = MomentumObjects(flow, faceCounts: fdim.map { $0[0] * $0[1] * $0[2] })
        }
        let objects = momentumObjects!
        let st = (fstride[a][0], fstride[a][1], fstride[a][2])
        let vs = (
            (fstride[0][0], fstride[0][1], fstride[0][2]), (fstride[1][0], fstride[1][1], fstride[1][2]),
            (fstride[2][0], fstride[2][1], fstride[2][2])
        )
        let timeOn = timeCoefficient > 0
        fixed[a].withUnsafeBufferPointer { fixedP in
            fixedValue[a].withUnsafeBufferPointer { fixedVP in
                noSlip[a].withUnsafeBufferPointer { noSlipP in
                    muEff.withUnsafeBufferPointer { muP in
                        objects.porousLinear[a].withUnsafeBufferPointer { linP in
                            objects.porousQuadratic[a].withUnsafeBufferPointer { quadP in
                                objects.sheet[a].withUnsafeBufferPointer { sheetP in
                                    let kernel = MomentumKernel<Ax>(
                                        solver: self, nx: nx, ny: ny, nz: nz, F0: F[0], F1: F[1], st: st, vs: vs,
                                        vel: (velocity[0].p, velocity[1].p, velocity[2].p), u: velocity[a].p,
                                        p: pressure.p, T: temperature.p,
                                        aP: A.aP.p, b: rhs.p, dd: d[a].p, lo: (A.aW.p, A.aS.p, A.aB.p),
                                        hi: (A.aE.p, A.aN.p, A.aT.p),
                                        fixed: fixedP.baseAddress!, fixedValue: fixedVP.baseAddress!,
                                        noSlip: noSlipP.baseAddress!, mu: muP.baseAddress!,
                                        porLin: linP.baseAddress!, porQuad: quadP.baseAddress!,
                                        sheet: sheetP.baseAddress!, geo: arrays,
                                        rho: flow.fluid.densityKgPerM3,
                                        rhoBeta: flow.fluid.densityKgPerM3 * flow.fluid.expansionPerK,
                                        T0: flow.fluid.referenceTemperatureC, buoyant: flow.gravity,
                                        secondOrder: options.secondOrder,
                                        timeC: timeCoefficient, pseudoSpeed: pseudoSpeed,
                                        old0: timeOn && timeWeights.count > 0 ? oldVelocity[0][a].p : nil,
                                        oldWeight0: timeOn && timeWeights.count > 0 ? timeWeights[0] : 0,
                                        old1: timeOn && timeWeights.count > 1 ? oldVelocity[1][a].p : nil,
                                        oldWeight1: timeOn && timeWeights.count > 1 ? timeWeights[1] : 0)
                                    Parallel.forSlabs(F[2], cellsPerSlab: F[0] * F[1] * 8) { k0, k1 in
                                        for k in k0..<k1 {
                                            for j in 0..<F[1] { for i in 0..<F[0] { kernel.face(i, j, k) } }
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

    /// A control-volume face of component `a` on the domain boundary normal to `tb` (rare:
    /// kept out of the specialised kernel).
    func momentumBoundary(
        _ a: Int, tb: Int, upper: Bool, f: Int, idx: SIMD3<Int>, hasR: Bool, Ab: Double, mu: Double,
        Fo: Double, uf: Double, fixed: UnsafePointer<Bool>, ap: inout Double, src: inout Double
    ) {
        let geo = arrays
        let n = SIMD3(nx, ny, nz)
        let q = idx[tb]
        let u = velocity[a].p
        let stb = fstride[a][tb]
        let side = Side(rawValue: 2 * tb + (upper ? 1 : 0))!
        var cidx = idx
        if !hasR { cidx[a] -= 1 }
        switch boundaryFace(side, cidx[0], cidx[1], cidx[2]) {
        case let .wall(tangential, _):
            let d0 = 0.5 * geo.width(tb, q)
            let ub = a == 0 ? tangential.0 : (a == 1 ? tangential.1 : tangential.2)
            WallCondition.tangentialMomentum(muA: mu * Ab, d0: d0, wallVelocity: ub, ap: &ap, src: &src)
            let qa = upper ? q - 1 : q + 1
            src -= WallCondition.shearCorrection(
                u, f, away: upper ? f - stb : f + stb,
                awayInside: qa >= 0 && qa < n[tb], fixed: fixed,
                d0: d0, d1: 2 * d0 + 0.5 * geo.width(tb, min(max(qa, 0), n[tb] - 1)),
                wallVelocity: ub, muA: mu * Ab)
        case .symmetry:
            SymmetryCondition.tangentialMomentum()
        case .inlet:
            VelocityInletCondition.tangentialMomentum(
                muA: mu * Ab, d0: 0.5 * geo.width(tb, q), outwardFlux: Fo, ap: &ap)
        case .outlet:
            PressureOutletCondition.momentumBackflow(Fo, uf, ap: &ap, src: &src)
        }
    }

    @inline(__always)
    static func set(
        _ t: (UnsafeMutablePointer<Double>, UnsafeMutablePointer<Double>, UnsafeMutablePointer<Double>), _ a: Int,
        _ f: Int, _ v: Double
    ) {
        if a == 0 { t.0[f] = v } else if a == 1 { t.1[f] = v } else { t.2[f] = v }
    }

    /// Fan pressure jumps, linearised implicitly about the current flow so the operating
    /// point emerges stably: Δp(Q) ≈ Δp(Q*) + s (Q − Q*) with s = dΔp/dQ ≤ 0, Q varying
    /// through a uniform change of the fan's face velocities.
    func applyFans(_ a: Int) {
        let u = velocity[a].p, aP = momentum[a].aP.p, b = rhs.p
        let (t1, t2) = SIMD3<Int>.transverse(a)
        if fanOperatingPoints.count != fans.count { fanOperatingPoints = Array(repeating: (0, 0), count: fans.count) }
        for (fi, fan) in fans.enumerated() where fan.axis == a {
            let (Q, area) = fanFlow(fan)
            let dp = fan.pressureRise(Q), s = min(fan.slope(Q), 0)
            for f in fan.faces where !fixed[a][f] {
                let idx = faceIndex(f, axis: a)
                let Af = w[t1][idx[t1]] * w[t2][idx[t2]]
                aP[f] += -s * area * Af
                b[f] += fan.direction * Af * dp - s * area * Af * u[f]
            }
            fanOperatingPoints[fi] = (Q, dp)
        }
    }

    /// The flow through `fan` along its direction in the present velocity field, and its area.
    func fanFlow(_ fan: FanFaces) -> (flowM3PerS: Double, areaM2: Double) {
        let a = fan.axis
        let u = velocity[a].p
        let (t1, t2) = SIMD3<Int>.transverse(a)
        var Q = 0.0, area = 0.0
        for f in fan.faces {
            let idx = faceIndex(f, axis: a)
            let Af = w[t1][idx[t1]] * w[t2][idx[t2]]
            area += Af
            Q += fan.direction * u[f] * Af
        }
        return (Q, area)
    }

    /// Every fan's operating point from the present field, on its curve: after a time average
    /// has put the mean field in place, the points the last step's assembly left were that
    /// step's, and the report's fan table disagreed with its own patch table (12.8 against
    /// 16.1 L/s in a fan-fed box whose flow swung 16–35 L/s).
    public func refreshFanOperatingPoints() {
        fanOperatingPoints = fans.map { fan in
            let q = fanFlow(fan).flowM3PerS
            return (q, fan.pressureRise(q))
        }
    }

    /// Solves the assembled momentum equation of component `a`; returns max |Δu|.
    func solveMomentum(_ a: Int) throws -> Double {
        try innerSolve(
            momentum[a], velocity[a], sweeps: options.momentumSweeps, tolerance: options.momentumTolerance,
            maxIterations: 50, equation: "momentum (\(SolverField.velocity(a).rawValue))")
    }

    /// Partial solve of an assembled advection–diffusion system from the current iterate:
    /// `sweeps` red–black Gauss–Seidel sweeps, or (sweeps = 0) BiCGSTAB reducing the
    /// residual by `tolerance`. Returns the largest change of the unknown.
    func innerSolve(
        _ A: Stencil, _ x: PaddedVector, sweeps: Int, tolerance: Double, maxIterations: Int, equation: String
    ) throws -> Double {
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
            if d > maxChange {
                maxChange = d
                at = c
            }
        }
        lastChangeIndex = at
        lastChangeRMS = (sq / Double(max(A.count, 1))).squareRoot()
        return maxChange
    }
}
