import RackFlowNumerics

/// What the convection–diffusion kernel assembles: the energy equation, or a passive tracer
/// (smoke) carried by the same air with the same diffusivity, no sources, nothing entering
/// through inlets and no flux through walls, stepped with backward Euler from `old`.
enum ScalarTarget {
    case temperature
    case tracer(field: PaddedVector, old: PaddedVector, dt: Double)
    /// The steady energy operator of the present flow with first-order upwind advection: no
    /// heat, no relaxation, no pseudo-time; linear in temperature (Response/FrozenFlowEnergy).
    case frozenTemperature
    /// k or ε of the k–ε model (Turbulence/FlowSolver+KEpsilon.swift).
    case turbulence(TurbulenceRows)
}

/// One turbulence quantity φ (k or ε) as the kernel assembles it: ρ(∂φ/∂t + ∇·(uφ)) =
/// ∇·(Γ∇φ) + S − s φ per unit volume, integrated over each cell. First-order upwind (the
/// sources are stiff and φ must stay positive); inflows carry `inflow`; walls pass no flux
/// (the wall cells' ε is fixed afterwards); the energy equation's pseudo-time damping in a
/// steady solve, backward Euler from `old` inside a time step.
struct TurbulenceRows {
    var field: PaddedVector
    /// Γ per cell (Pa·s): μ + μ_t/σ.
    var diffusivity: [Double]
    /// S·V per cell (kg·φ/s) and s·V per cell (kg/s): the explicit and the implicit source.
    var source: [Double]
    var sink: [Double]
    var inflow: Double
    /// The value at the start of the time step, and 1/Δt (1/s); nil and 0 in a steady solve.
    var old: PaddedVector?
    var oldWeight: Double
    var relaxation: Double
}

extension FlowSolver {
    /// Assembles ρ c_p (∂T/∂t + ∇·(uT)) = ∇·(k_eff ∇T) + q''' on the cells, in watts per
    /// kelvin: upwind convection with van Leer deferred correction, harmonic face
    /// conductances, heat sources (W per cell), walls adiabatic or at a fixed temperature,
    /// inlets at their temperature, outlets passing heat out (backflow at its temperature).
    /// Solid cells are not part of the air: their rows are identity and their faces adiabatic.
    ///
    /// Convection is assembled in advective form: the conservative row's aP = Σ(D + max(F, 0))
    /// equals Σ a_nb + (net mass outflow) c_p, and the continuity error of an unconverged flow
    /// (a pressure correction solved to 2 %, the first iterations from rest) makes that net
    /// outflow negative in places, so aP < Σ a_nb. Gauss–Seidel then amplifies instead of
    /// smoothing: the bundled duct reached 4e5 °C at outer iteration 2. Subtracting
    /// T_P ∇·(ρ c_p u), zero at convergence, leaves aP = Σ a_nb + boundary, sink and time terms,
    /// an M-matrix for any velocity field (Patankar 1980 §5.2.3 on dropping the continuity term;
    /// OpenFOAM's `fvm::div(phi, T) − fvm::Sp(fvc::div(phi), T)`).
    ///
    /// The same kernel assembles a tracer and k and ε (`ScalarTarget`): c_p is then 1 and the
    /// diffusivity Γ replaces k_eff.
    func assembleEnergy(_ target: ScalarTarget = .temperature) {
        let A = energy
        let rho = flow.fluid.densityKgPerM3
        var cp = flow.fluid.specificHeatJPerKgK
        let carried: Double?, alpha: Double, T: UnsafeMutablePointer<Double>, timeC: Double, pseudoSpeed: Double
        var olds: [(Double, UnsafeMutablePointer<Double>)] = []
        var secondOrder = options.secondOrder, diffusivity = kEff, source = flow.heatW, sink: [Double] = []
        switch target {
        case .temperature:
            (carried, alpha, T, timeC, pseudoSpeed) = (
                nil, options.temperatureRelaxation, temperature.p, timeCoefficient, energyPseudoSpeed
            )
            olds = timeC > 0 ? timeWeights.enumerated().map { ($0.element, oldTemperature[$0.offset].p) } : []
        case let .tracer(field, old, dt):
            (carried, alpha, T, timeC, pseudoSpeed) = (0, 1, field.p, 1 / dt, 0)
            olds = [(1 / dt, old.p)]
            source = []
        case .frozenTemperature:
            (carried, alpha, T, timeC, pseudoSpeed) = (nil, 1, temperature.p, 0, 0)
            secondOrder = false
            source = []
        case let .turbulence(rows):
            (carried, alpha, T, timeC) = (rows.inflow, rows.relaxation, rows.field.p, rows.oldWeight)
            pseudoSpeed = rows.old == nil ? energyPseudoSpeed : 0
            olds = rows.old.map { [(rows.oldWeight, $0.p)] } ?? []
            (cp, secondOrder, diffusivity, source, sink) = (1, false, rows.diffusivity, rows.source, rows.sink)
        }
        let walls = flow.tags.faces
        source.withUnsafeBufferPointer { heat in
            sink.withUnsafeBufferPointer { sinkP in
                isSolid.withUnsafeBufferPointer { solid in
                    diffusivity.withUnsafeBufferPointer { kP in
                        walls[0].withUnsafeBufferPointer { w0 in
                            walls[1].withUnsafeBufferPointer { w1 in
                                walls[2].withUnsafeBufferPointer { w2 in
                                    let kernel = EnergyKernel(
                                        solver: self, nx: nx, ny: ny, nz: nz,
                                        F: (
                                            (fdim[0][0], fdim[0][1]), (fdim[1][0], fdim[1][1]), (fdim[2][0], fdim[2][1])
                                        ),
                                        vel: (velocity[0].p, velocity[1].p, velocity[2].p),
                                        wall: (w0.baseAddress!, w1.baseAddress!, w2.baseAddress!),
                                        T: T, aP: A.aP.p, b: rhs.p, lo: (A.aW.p, A.aS.p, A.aB.p),
                                        hi: (A.aE.p, A.aN.p, A.aT.p),
                                        solid: solid.baseAddress!, k: kP.baseAddress!,
                                        heat: heat.isEmpty ? nil : heat.baseAddress!,
                                        sink: sinkP.isEmpty ? nil : sinkP.baseAddress!, geo: arrays,
                                        rho: rho, cp: cp, alpha: alpha, secondOrder: secondOrder, carried: carried,
                                        timeC: timeC, pseudoSpeed: pseudoSpeed,
                                        old0: olds.count > 0 ? olds[0].1 : nil,
                                        oldWeight0: olds.count > 0 ? olds[0].0 : 0,
                                        old1: olds.count > 1 ? olds[1].1 : nil,
                                        oldWeight1: olds.count > 1 ? olds[1].0 : 0)
                                    Parallel.forSlabs(nz, cellsPerSlab: nx * ny * 8) { k0, k1 in
                                        for k in k0..<k1 {
                                            for j in 0..<ny { for i in 0..<nx { kernel.cell(i, j, k) } }
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

    /// A cell face of the energy equation on the domain boundary (rare: kept out of the kernel).
    func energyBoundary(
        _ a: Int, upper: Bool, _ i: Int, _ j: Int, _ k: Int, Db: Double, Fo: Double, carried: Double?,
        ap: inout Double, src: inout Double
    ) {
        let side = Side(rawValue: 2 * a + (upper ? 1 : 0))!
        switch boundaryFace(side, i, j, k) {
        case let .wall(_, thermal):
            WallCondition.energy(thermal, Db: Db, carried: carried, ap: &ap, src: &src)
        case .symmetry:
            SymmetryCondition.energy()
        case let .inlet(_, tin, _):
            VelocityInletCondition.energy(
                temperatureC: tin, Db: Db, outwardFlux: Fo, carried: carried, ap: &ap, src: &src)
        case let .outlet(_, tb, _):
            PressureOutletCondition.energy(backflowC: tb, outwardFlux: Fo, carried: carried, ap: &ap, src: &src)
        }
    }

    /// Advances a passive tracer by `dt` with the current velocity: backward Euler from `old`
    /// into `field`. The tracer is released where air crosses the `injection` faces (a node's
    /// front mesh): the air entering the cell beyond a face carries `value`, like an inlet's.
    ///
    /// Each injection face is cut out of the operator. The cell the air enters takes its
    /// neighbour across the face as a fixed value (b += a_nb · value, a_nb = 0). The cell the
    /// air comes from sees an outlet there: its coefficient, which with flow leaving it is the
    /// face's diffusion conductance alone, leaves both its row and its diagonal (zero gradient;
    /// the advective-form diagonal is Σ a_nb, so it stays an M-matrix). Smoke is thus the air
    /// that crossed the face, and none diffuses back against the flow. Pinning the cells beyond
    /// the face at `value` instead let the eddy diffusivity carry it upstream: 0.36–0.50 just
    /// ahead of a node's mesh, above 1e-3 down the supply column.
    public func advanceTracer(
        _ field: PaddedVector, old: PaddedVector, dt: Double,
        injection: [(axis: Int, faces: [Int])], value: Double = 1
    ) throws {
        precondition(field.count == flow.grid.cellCount && old.count == field.count)
        assembleEnergy(.tracer(field: field, old: old, dt: dt))
        let A = energy, b = rhs.p
        let lower = [A.aW.p, A.aS.p, A.aB.p], upper = [A.aE.p, A.aN.p, A.aT.p]
        for (a, faces) in injection {
            let u = velocity[a].p
            for f in faces {
                guard let (lo, hi) = cellsBeside(face: f, axis: a), !isSolid[lo] && !isSolid[hi] else { continue }
                // Downstream cell `into` and its coefficient towards the upstream cell `from`.
                let forward = u[f] >= 0
                let (into, from) = forward ? (hi, lo) : (lo, hi)
                let toFrom = forward ? lower[a] : upper[a]
                let toInto = forward ? upper[a] : lower[a]
                b[into] += toFrom[into] * value
                toFrom[into] = 0
                A.aP.p[from] -= toInto[from]
                toInto[from] = 0
            }
        }
        _ = try innerSolve(
            energy, field, sweeps: options.energySweeps, tolerance: options.energyTolerance,
            maxIterations: 100, equation: "tracer")
    }

    /// Solves the energy equation; returns max |ΔT| (K).
    func solveEnergy() throws -> Double {
        try innerSolve(
            energy, temperature, sweeps: options.energySweeps, tolerance: options.energyTolerance,
            maxIterations: 100, equation: "energy")
    }
}
