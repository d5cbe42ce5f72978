import RackFlowNumerics

/// Pseudo-transient continuation of the steady outer iteration, with rewind.
///
/// Description
///   A steady solve from rest is damped by a local pseudo-time term in momentum and energy,
///
///     ρ V (φ − φ*) / Δτ,   Δτ = CFL · h_min / U_ref,
///
///   where φ* is the previous iterate, h_min the control volume's smallest extent and U_ref the
///   speed scale of the boundary conditions (inlets, fan shut-off, buoyancy). Per unit volume the
///   term is ρ U_ref / (CFL h_min): a convective coefficient of the reference speed divided by
///   the Courant number. Where the air moves at U_ref it relaxes like an under-relaxation factor
///   CFL/(1 + CFL); in stagnant air, where a laminar row's diagonal is only μA/h and SIMPLEC's
///   pressure-velocity factor d = A/(aP/α − Σ a_nb) is huge, it still gives the row inertia.
///   That is where fixed relaxation ran away (a 5 m/s jet into a tall box: 7e4 m/s at outer
///   iteration 9 with α = 0.9, and still at iteration 32 with α = 0.5).
///
///   The Courant number follows switched evolution relaxation (Mulder & van Leer 1985, "Experiments
///   with implicit upwind methods for the Euler equations", J. Comput. Phys. 59): CFL_n =
///   CFL_0 · R_1 / R_n, the residual R being the normalised mass residual, growing at most ×2 per
///   iteration and capped. The term vanishes as CFL grows, so the converged answer is the steady
///   one; only the path to it changes.
///
///   Rewind: every `snapshotEvery` iterations a healthy state (residual within `healthyGrowth` of
///   its best since the last snapshot) is kept. When an iteration diverges (non-finite values,
///   temperatures out of range, velocities far beyond every speed scale, or velocities growing
///   `runawayGrowth`× past the snapshot's and 10× past the speed scale), the solver returns to
///   the snapshot, divides the Courant cap by 8 and goes on; every rewind is recorded in
///   `adaptations`. Only after `maxRewinds` rewinds does the divergence reach the user.
///
/// Usage (SimpleOptions, and the case file's `solver:` keys where named)
///   | option                     | key                      | default | meaning                        |
///   | pseudoTransient            | —                        | true    | steady solves use the term     |
///   | pseudoCourantStart         | —                        | 10      | CFL_0                          |
///   | pseudoCourantMax           | pseudoCourantMax         | 1e4     | cap before any rewind (case    |
///   |                            |                          |         | and rack files: 100)           |
///   | steadyVelocityRelaxation   | steadyVelocityRelaxation | nil     | momentum relaxation of steady  |
///   |                            |                          |         | iterations (case and rack      |
///   |                            |                          |         | files: 1)                      |
///   | pseudoEnergyCourantMax     | —                        | 1e4     | energy's cap, scaled with the  |
///   |                            |                          |         | momentum cap on cuts           |
///
/// Transient steps (`TimeStepper`) carry a physical time term and never use this one.
public struct PseudoTransientState: Sendable {
    /// The present Courant number (0 before the first steady iteration) and its cap.
    public var courant = 0.0
    public var courantCap = 0.0
    /// The energy equation's Courant number (`energyPseudoSpeed`).
    public var energyCourant = 0.0
    /// R_1, the residual of the first iteration, SER's reference.
    public var referenceResidual = 0.0
    public var rewinds = 0
    /// `residualDistance` at the start of the present stall window, and that iteration.
    public var bestResidual = Double.greatestFiniteMagnitude
    public var bestIteration = 0
    /// The iteration since which the residuals have been within their tolerances while the
    /// monitors or balances have not settled (0: not waiting).
    public var monitorWaitStart = 0
    /// Set when the residual stalls with the Courant number already at its floor: the damped
    /// iteration behaves like a time march and still does not settle, so the flow has no steady
    /// state to find (a laminar jet at Re ≈ 3·10⁴). The caller then averages in time.
    public var noSteadyState = false
    /// Set by `start(from:)`: the iteration continues an earlier solution.
    public var warmStart = false
    /// What was adapted and when, for `log.txt` and `summary.json`.
    public var adaptations: [String] = []
    public init() {}
}

/// The state a rewind returns to.
struct PseudoTransientSnapshot {
    var iteration: Int
    var velocity: [[Double]]
    var pressure: [Double]
    var temperature: [Double]
    var muEff: [Double]
    var kEff: [Double]
    /// k and ε of the k–ε model (empty for the others).
    var turbulence: [[Double]]
    var fastest: Double
    var courant: Double
}

extension FlowSolver {
    static let snapshotEvery = 10
    static let healthyGrowth = 3.0
    static let runawayGrowth = 20.0
    static let maxRewinds = 8
    static let stallIterations = 150

    /// True for an outer iteration of a steady solve (no physical time term).
    var isSteadyIteration: Bool { timeCoefficient == 0 && outerInStep == nil }

    /// The pseudo-time coefficient U_ref / CFL (m/s) the momentum kernels use this iteration; 0: none.
    var pseudoSpeed: Double {
        guard options.pseudoTransient, isSteadyIteration, pseudo.courant > 0 else { return 0 }
        return boundarySpeed / pseudo.courant
    }

    /// The same for the energy equation, whose Courant number follows the same SER rule under a
    /// cap `pseudoEnergyCourantMax / pseudoCourantMax` times the momentum cap. Energy is linear
    /// given the flow and needs no low cap; held at the rack's momentum cap of 100, a stagnant
    /// pocket's temperature crept up by a pseudo-time step of about 0.01 s per iteration, and a
    /// three-node rack at half flow kept a 2 % energy error for 300 iterations with every
    /// residual below its tolerance.
    var energyPseudoSpeed: Double {
        guard options.pseudoTransient, isSteadyIteration, pseudo.energyCourant > 0 else { return 0 }
        return boundarySpeed / pseudo.energyCourant
    }

    /// The energy Courant number's cap: the momentum cap scaled by the options' ratio, so that
    /// stalls and rewinds lower both.
    var energyCourantCap: Double {
        pseudo.courantCap * max(options.pseudoEnergyCourantMax / options.pseudoCourantMax, 1)
    }

    /// Before a steady iteration: start the Courant number, keep a snapshot when one is due.
    func beforePseudoStep() {
        guard options.pseudoTransient else { return }
        if pseudo.courant == 0 {
            pseudo.courant = options.pseudoCourantStart
            pseudo.energyCourant = options.pseudoCourantStart
            pseudo.courantCap = options.pseudoCourantMax
        }
        let n = history.count
        guard n % Self.snapshotEvery == 0 else { return }
        let sinceSnapshot = history.suffix(from: max(pseudoSnapshot.map { $0.iteration } ?? 0, 0))
        let best = sinceSnapshot.map(\.mass).min() ?? .infinity
        let healthy = history.last.map { $0.mass.isFinite && $0.mass <= Self.healthyGrowth * best } ?? true
        guard healthy else { return }
        pseudoSnapshot = PseudoTransientSnapshot(
            iteration: n, velocity: velocity.map(\.array), pressure: pressure.array, temperature: temperature.array,
            muEff: muEff, kEff: kEff,
            turbulence: turbulenceFields.map { [$0.k.array, $0.epsilon.array] } ?? [],
            fastest: velocity.map { BLAS.maxAbs($0.count, $0.p) }.max()!,
            courant: pseudo.courant)
    }

    /// After a steady iteration: the next Courant number from its residual (SER).
    func afterPseudoStep(_ r: Residuals) {
        guard options.pseudoTransient, r.mass.isFinite, r.mass > 0 else { return }
        if pseudo.referenceResidual == 0 {
            // R_1; after `start(from:)` the Courant number already exceeds CFL_0, and SER continues
            // from it instead of falling back to CFL_0.
            pseudo.referenceResidual = r.mass * max(pseudo.courant / options.pseudoCourantStart, 1)
        }
        let ser = options.pseudoCourantStart * pseudo.referenceResidual / r.mass
        pseudo.courant = min(max(ser, options.pseudoCourantStart), 2 * pseudo.courant, pseudo.courantCap)
        let serEnergy = min(max(ser, options.pseudoCourantStart), 2 * pseudo.energyCourant, energyCourantCap)
        // After a warm start (`start(from:)`) the energy Courant number begins at the earlier
        // solve's and only grows here (stalls and rewinds still lower it): SER, whose reference
        // is the new start's first residual, would pull it down to about 100. A 3 cm rack
        // restarted with its supply air 4 K warmer then took 201 outer iterations.
        let held = min(max(serEnergy, pseudo.energyCourant), energyCourantCap)
        pseudo.energyCourant = pseudo.warmStart ? held : serEnergy
        // A stall: over the last `stallIterations` the residuals' distance from the steady
        // tolerances (`residualDistance`) has fallen by less than 10 % while still above them.
        // Undamped, the iteration can settle into a limit cycle (one face beside a perforated
        // sheet rocking by 1 % of the inlet speed for ever); a lower cap damps it, and the fixed
        // point is the same. Slow but steady progress is not a stall: a cap lowered on it would
        // slow the iteration further and look like the next stall (cavity and natural-convection
        // validation cases, tolerance 1e-6 to 1e-7, fell into that loop with a "halve in 150" rule).
        let distance = residualDistance(r)
        guard distance > 1 else {
            pseudo.bestResidual = distance
            pseudo.bestIteration = r.iteration
            return
        }
        if pseudo.bestResidual <= 1 || r.iteration - pseudo.bestIteration < Self.stallIterations {
            if pseudo.bestResidual <= 1 || pseudo.bestResidual == Double.greatestFiniteMagnitude {
                pseudo.bestResidual = distance
                pseudo.bestIteration = r.iteration
            }
            return
        }
        // A window of `stallIterations` has passed since `bestIteration` (its start).
        let stalled = distance > 0.9 * pseudo.bestResidual
        pseudo.bestResidual = distance
        pseudo.bestIteration = r.iteration
        guard stalled else { return }
        if pseudo.courantCap > options.pseudoCourantStart {
            lowerCourantCap(
                at: r.iteration,
                because: "residuals stalled at " + String(format: "%.3g", distance)
                    + "× their tolerances for \(Self.stallIterations) iterations")
        } else if !pseudo.noSteadyState {
            // Stalled for a whole window under the strongest damping, where an iteration is a
            // time step of about h/U: the air itself is moving, in a jet at Re ≈ 3·10⁴ by 10 % of
            // the speed scale per iteration, or in a small limit cycle (a generated case's outlet
            // faces rocking by 2e-5 of it with a continuity error of 3e-7, for 1,000 iterations
            // until the limit). Either way no steady answer is coming; the caller averages in
            // time and reports the mean with its band.
            pseudo.noSteadyState = true
            pseudo.adaptations.append(
                "outer iteration \(r.iteration): residuals stalled at "
                    + String(format: "%.3g", distance) + "× their tolerances, velocities still "
                    + "changing by " + String(format: "%.2g", r.velocityChange)
                    + " of the speed scale per iteration, with the Courant number at its floor; no steady state")
        }
    }

    /// After a steady iteration whose residuals are within their tolerances but whose monitors
    /// or balances have not settled: a stall of its own when it lasts `stallIterations`. The
    /// residuals hide a slow rocking there (a three-node rack at half its flow, its buoyant
    /// exhaust swaying at the node fronts with an energy error of 1.6 % for 500 iterations at
    /// the rack's cap of 100); the cap comes down as for a residual stall.
    func pseudoAwaitMonitors(_ r: Residuals) {
        guard options.pseudoTransient, isSteadyIteration else { return }
        if pseudo.monitorWaitStart == 0 {
            pseudo.monitorWaitStart = r.iteration
            return
        }
        guard r.iteration - pseudo.monitorWaitStart >= Self.stallIterations else { return }
        pseudo.monitorWaitStart = r.iteration
        if pseudo.courantCap > options.pseudoCourantStart {
            lowerCourantCap(
                at: r.iteration,
                because: "residuals within their tolerances but the monitors or "
                    + "balances unsettled for \(Self.stallIterations) iterations")
        }
    }

    /// A stall's remedy: the cap 8× below the lower of the present Courant number and cap, not
    /// below CFL_0, for momentum and (scaled) energy alike; recorded in `adaptations`.
    private func lowerCourantCap(at iteration: Int, because why: String) {
        pseudo.courantCap = max(min(pseudo.courant, pseudo.courantCap) / 8, options.pseudoCourantStart)
        pseudo.courant = min(pseudo.courant, pseudo.courantCap)
        pseudo.energyCourant = min(pseudo.energyCourant, energyCourantCap)
        pseudo.adaptations.append(
            "outer iteration \(iteration): \(why); pseudo-time Courant number capped at "
                + String(format: "%.3g", pseudo.courantCap))
    }

    /// A soft runaway: velocities 10× past every speed scale that have also grown
    /// `runawayGrowth`× since the snapshot (a contraction's fast jet is present at the snapshot too).
    /// Not against the state at rest: a 0.3 m/s inlet draining through a small outlet legitimately
    /// reaches 10 m/s within the first iterations (two generated cases were rewound for it).
    func pseudoRunaway(fastest: Double) -> Bool {
        guard options.pseudoTransient, let s = pseudoSnapshot, s.iteration > 0 else { return false }
        return fastest > 10 * max(boundarySpeed, initialSpeed) && fastest > Self.runawayGrowth * max(s.fastest, 1e-300)
    }

    /// Returns to the snapshot with a Courant cap 8× lower; false when no rewind is left.
    func rewind(after error: FlowSolverError) -> Bool {
        guard options.pseudoTransient, let s = pseudoSnapshot, pseudo.rewinds < Self.maxRewinds else { return false }
        for a in 0..<3 {
            s.velocity[a].withUnsafeBufferPointer { velocity[a].p.update(from: $0.baseAddress!, count: $0.count) }
        }
        s.pressure.withUnsafeBufferPointer { pressure.p.update(from: $0.baseAddress!, count: $0.count) }
        s.temperature.withUnsafeBufferPointer { temperature.p.update(from: $0.baseAddress!, count: $0.count) }
        muEff = s.muEff
        kEff = s.kEff
        if let t = turbulenceFields, s.turbulence.count == 2 {
            for (field, saved) in zip([t.k, t.epsilon], s.turbulence) {
                saved.withUnsafeBufferPointer { field.p.update(from: $0.baseAddress!, count: $0.count) }
            }
        }
        pcSolver = nil // the hierarchy was built from the diverging coefficients
        pseudo.rewinds += 1
        // 8× below the lower of the snapshot's Courant number and the present cap: a second
        // rewind to the same snapshot must damp more than the first (from the snapshot's value
        // alone the cap stayed at CFL_0/8, and two generated cases ran away eight times over).
        pseudo.courantCap = max(min(s.courant, pseudo.courantCap) / 8, options.pseudoCourantStart / 4096)
        pseudo.courant = min(s.courant, pseudo.courantCap)
        pseudo.energyCourant = min(s.courant, energyCourantCap)
        let what = String(describing: error)
        let cut = what.firstIndex(of: ";").map { String(what[..<$0]) } ?? what
        pseudo.adaptations.append(
            "outer iteration \(history.count + 1): \(cut); rewound to iteration \(s.iteration), "
                + "pseudo-time Courant number capped at \(String(format: "%.3g", pseudo.courantCap))")
        return true
    }
}
