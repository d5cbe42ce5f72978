import Foundation
import RackFlowNumerics

/// Settings of the SIMPLEC outer iteration.
public struct SimpleOptions: Sendable {
    /// Under-relaxation of momentum (SIMPLEC tolerates 0.7–0.9).
    public var velocityRelaxation = 0.9
    /// Outer iterations over which velocity relaxation ramps up from 0.5 to
    /// `velocityRelaxation` (0: none). The first iterations from rest carry the largest
    /// corrections; a gentle start keeps fan jets from running away there.
    public var relaxationRampIterations = 0
    /// Under-relaxation of the pressure update (1 for SIMPLEC).
    public var pressureRelaxation = 1.0
    public var temperatureRelaxation = 0.9
    /// Outer-iteration limit of a steady solve: a safeguard, not a budget. At 2,000, three of
    /// 200 generated cases stopped unconverged while still converging, and converged at 2,070,
    /// 2,082 and 2,218 given room; a case with no steady state leaves the steady iteration at
    /// its first stall under the strongest damping, whatever this limit.
    public var maxIterations = 5000
    /// Converged when the normalised mass residual and the measure chosen by `criterion`
    /// are all below this.
    public var tolerance = 1e-6
    /// Tolerance of the temperature change alone (nil: `tolerance`). Stagnant pockets settle
    /// by conduction, far slower than anything a monitor or balance notices.
    public var temperatureTolerance: Double? = nil
    /// Judge temperature by its root-mean-square change instead of the largest: a single cell
    /// whose neighbouring face flips between tiny in- and outflows (upwinding switches) can
    /// rock by a kelvin forever without moving anything a balance or monitor sees.
    public var temperatureChangeRMS = false
    public enum Criterion: Sendable {
        /// Largest per-iteration change of velocity (over the reference speed) and of
        /// temperature (over the reference temperature difference).
        case change
        /// Momentum equations' scaled residuals at the start of the iteration, as OpenFOAM
        /// defines its initial residual (used to compare with it at one tolerance).
        case normalisedResidual
    }
    public var criterion = Criterion.change
    /// Inner solve tolerances (relative residual reduction per outer iteration).
    public var momentumTolerance = 0.1
    /// Momentum inner solver: red–black Gauss–Seidel sweeps (> 0) or, with 0, BiCGSTAB to
    /// `momentumTolerance`. Sweeps make an outer iteration cheaper (0.89 against 1.43 µs per
    /// cell in `bench flow`); BiCGSTAB converges the outer iteration in fewer steps where
    /// momentum dominates (3D cavity 32³: 102 against 253 outer iterations, 2.7 against 5.3 s).
    public var momentumSweeps = 4
    /// The same choice for the energy equation.
    public var energySweeps = 4
    public var pressureTolerance = 0.02
    public var energyTolerance = 0.02
    /// Recompute the mixing-length eddy viscosity every this many outer iterations.
    public var turbulenceUpdate = 5
    /// Rebuild the pressure multigrid hierarchy every this many outer iterations.
    public var pressurePreconditionerRebuild = 10
    /// Multigrid settings of the pressure-correction preconditioner: point smoothing, coarse
    /// levels made of the connected pieces of 2×2×2 blocks (`ConnectedBlocks`). On the 3 cm
    /// rack's system, re-solved from zero to 2e-2, plain geometric blocks needed 30 CG
    /// iterations (179 ms), connected blocks 10 (74 ms; V-cycle 5.7 against 4.4 ms, set-up 84
    /// against 13 ms); the whole 3 cm solve took the same 184 outer iterations with the same
    /// answers, 31.5 s against 42.3 s wall. Solver key `pressureSmoother: lines` switches to one
    /// sweep of zebra lines along every axis on plain blocks (9–14 iterations but a V-cycle of
    /// 12–24 ms: lines pay only where the coarse levels are right and the smoother is the limit).
    public var pressureMultigrid: MultigridOptions = {
        var o = MultigridOptions()
        o.allowLines = false
        o.coarseLevels = .connectedBlocks
        return o
    }()
    /// Bounded second-order advection (van Leer, deferred correction) for velocity and
    /// temperature; false gives first-order upwind.
    public var secondOrder = true
    /// Pseudo-transient continuation of steady solves with rewind (Steady/PseudoTransient.swift).
    public var pseudoTransient = true
    /// CFL_0 = 10: on the default rack at 4 cm, 1 took 427 outer iterations, 10 took 368 (369
    /// undamped); the bundled cases and the benchmark converge with either.
    public var pseudoCourantStart = 10.0
    public var pseudoCourantMax = 1e4
    /// Cap of the energy equation's pseudo-time Courant number (Steady/PseudoTransient.swift).
    public var pseudoEnergyCourantMax = 1e4
    /// Momentum relaxation of steady iterations under the pseudo-time term (nil:
    /// `velocityRelaxation`). The pseudo-time term damps by itself and a relaxation α caps the
    /// step at about α/(1 − α) cell transits, so a case may set 1 here and keep
    /// `velocityRelaxation` for the outer iterations of time steps.
    public var steadyVelocityRelaxation: Double? = nil
    public init() {}
}
