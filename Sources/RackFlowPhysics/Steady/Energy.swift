import RackFlowNumerics

/// What the convection–diffusion kernel assembles: the energy equation, or a passive tracer
/// (smoke) carried by the same air with the same diffusivity, no sources, nothing entering
/// through inlets and no flux through walls, stepped with backward Euler from `old`.
enum ScalarTarget {
    case temperature
    case tracer(field: PaddedVector, old: PaddedVector, dt: Double)
}

extension FlowSolver {
    /// Assembles ρ c_p (∂T/∂t + ∇·(uT)) = ∇·(k_eff ∇T) + q''' on the cells, in watts per
    /// kelvin: upwind convection with van Leer deferred correction, harmonic face
    /// conductances, heat sources (W per cell), walls adiabatic or at a fixed temperature,
    /// inlets at their temperature, outlets passing heat out (backflow at its temperature).
    /// Solid cells are not part of the air: their rows are identity and their faces adiabatic.
    func assembleEnergy(_ target: ScalarTarget = .temperature) {
        let A = energy
        let rho = flow.fluid.densityKgPerM3, cp = flow.fluid.specificHeatJPerKgK
        let tracer: Bool, alpha: Double, T: UnsafeMutablePointer<Double>, timeC: Double, olds: [(Double, UnsafeMutablePointer<Double>)]
        switch target {
        case .temperature:
            tracer = false; alpha = options.temperatureRelaxation; T = temperature.p; timeC = timeCoefficient
            olds = timeC > 0 ? timeWeights.enumerated().map { ($0.element, oldTemperature[$0.offset].p) } : []
        case let .tracer(field, old, dt):
            tracer = true; alpha = 1; T = field.p; timeC = 1 / dt; olds = [(1 / dt, old.p)]
        }
        let aP = A.aP.p, b = rhs.p
        let lo = (A.aW.p, A.aS.p, A.aB.p), hi = (A.aE.p, A.aN.p, A.aT.p)
        let vel = (velocity[0].p, velocity[1].p, velocity[2].p)
        let n = SIMD3(nx, ny, nz)
        let cst = SIMD3(cellStride[0], cellStride[1], cellStride[2])
        let F = (SIMD3(fdim[0][0], fdim[0][1], fdim[0][2]), SIMD3(fdim[1][0], fdim[1][1], fdim[1][2]), SIMD3(fdim[2][0], fdim[2][1], fdim[2][2]))
        let secondOrder = options.secondOrder
        let geo = arrays
        let hasHeat = !flow.heatW.isEmpty && !tracer
        flow.heatW.withUnsafeBufferPointer { heat in
        isSolid.withUnsafeBufferPointer { solid in
        kEff.withUnsafeBufferPointer { kP in
        Parallel.forSlabs(nz, cellsPerSlab: nx * ny * 8) { k0, k1 in
        for k in k0..<k1 { for j in 0..<ny { for i in 0..<nx {
            let cc = i + nx * (j + ny * k)
            lo.0[cc] = 0; lo.1[cc] = 0; lo.2[cc] = 0; hi.0[cc] = 0; hi.1[cc] = 0; hi.2[cc] = 0
            if solid[cc] { aP[cc] = 1; b[cc] = T[cc]; continue }
            let idx = SIMD3(i, j, k)
            var ap = 0.0, src = hasHeat ? heat[cc] : 0
            for a in 0..<3 {
                let (t1, t2) = SIMD3<Int>.transverse(a)
                let Af = geo.width(t1, idx[t1]) * geo.width(t2, idx[t2])
                let Fa = a == 0 ? F.0 : (a == 1 ? F.1 : F.2)
                let va = a == 0 ? vel.0 : (a == 1 ? vel.1 : vel.2)
                let m = idx[a], s = cst[a]
                let fLower = i + Fa[0] * (j + Fa[1] * k)
                let fUpper = fLower + (a == 0 ? 1 : (a == 1 ? Fa[0] : Fa[0] * Fa[1]))
                for upperSide in 0..<2 {
                    let upper = upperSide == 1
                    let f = upper ? fUpper : fLower
                    let Fo = rho * cp * va[f] * Af * (upper ? 1 : -1)
                    let inside = upper ? m + 1 < n[a] : m > 0
                    let wallFace = flow.tags.faces[a][f] == .wall
                    if inside {
                        let cn = upper ? cc + s : cc - s
                        if solid[cn] || wallFace { continue }
                        let D = Af / (0.5 * geo.width(a, m) / kP[cc] + 0.5 * geo.width(a, upper ? m + 1 : m - 1) / kP[cn])
                        let coef = D + max(-Fo, 0)
                        if upper { FlowSolver.set(hi, a, cc, coef) } else { FlowSolver.set(lo, a, cc, coef) }
                        ap += D + max(Fo, 0)
                        if secondOrder {
                            let farPm = upper ? m - 1 : m + 1, farNm = upper ? m + 2 : m - 2
                            let cfp = upper ? cc - s : cc + s, cfn = upper ? cc + 2 * s : cc - 2 * s
                            let farP = farPm >= 0 && farPm < n[a] && !solid[cfp] ? T[cfp] : T[cc]
                            let farN = farNm >= 0 && farNm < n[a] && !solid[cfn] ? T[cfn] : T[cn]
                            src -= Advection.correction(flux: Fo, p: T[cc], n: T[cn], farP: farP, farN: farN)
                        }
                    } else {
                        if wallFace { continue }
                        let side = Side(rawValue: 2 * a + (upper ? 1 : 0))!
                        let Db = kP[cc] * Af / (0.5 * geo.width(a, m))
                        switch boundaryFace(side, i, j, k) {
                        case let .wall(_, .temperatureC(tw)): if !tracer { ap += Db; src += Db * tw }
                        case .wall(_, .adiabatic), .symmetry: break
                        case let .inlet(_, tin, _): ap += Db + max(Fo, 0); src += (Db + max(-Fo, 0)) * (tracer ? 0 : tin)
                        case let .outlet(_, tb, _): ap += max(Fo, 0); src += max(-Fo, 0) * (tracer ? 0 : tb)
                        }
                    }
                }
            }
            if timeC > 0 {
                let V = geo.wx[i] * geo.wy[j] * geo.wz[k]
                ap += rho * cp * V * timeC
                for (wgt, old) in olds { src += rho * cp * V * wgt * old[cc] }
            }
            let apR = ap / alpha
            aP[cc] = apR
            b[cc] = src + (1 - alpha) * apR * T[cc]
        } } }
        }
        } } }
    }

    /// Advances a passive tracer by `dt` with the current velocity: backward Euler from `old`
    /// into `field`, held at `value` in `sourceCells` (where smoke is injected).
    public func advanceTracer(_ field: PaddedVector, old: PaddedVector, dt: Double, sourceCells: [Int], value: Double = 1) throws {
        precondition(field.count == flow.grid.cellCount && old.count == field.count)
        assembleEnergy(.tracer(field: field, old: old, dt: dt))
        let A = energy, b = rhs.p
        for c in sourceCells {
            A.aW.p[c] = 0; A.aE.p[c] = 0; A.aS.p[c] = 0; A.aN.p[c] = 0; A.aB.p[c] = 0; A.aT.p[c] = 0
            A.aP.p[c] = 1; b[c] = value
        }
        _ = try innerSolve(energy, field, sweeps: options.energySweeps, tolerance: options.energyTolerance,
                           maxIterations: 100, equation: "tracer")
    }

    /// Solves the energy equation; returns max |ΔT| (K).
    func solveEnergy() throws -> Double {
        try innerSolve(energy, temperature, sweeps: options.energySweeps, tolerance: options.energyTolerance,
                       maxIterations: 100, equation: "energy")
    }
}
