import Foundation
import RackFlowNumerics

/// The standard k–ε model with buoyancy, for open spaces and plumes (the room air's by default).
///
/// Description
///   Two transported quantities, the turbulent kinetic energy k (m²/s²) and its dissipation
///   rate ε (m²/s³), give the eddy viscosity μ_t = ρ C_μ k²/ε (Launder & Spalding 1974, "The
///   numerical computation of turbulent flows", Comput. Methods Appl. Mech. Eng. 3:269–289):
///
///     ρ Dk/Dt = ∇·((μ + μ_t/σ_k) ∇k) + P_k + G_b − ρ ε
///     ρ Dε/Dt = ∇·((μ + μ_t/σ_ε) ∇ε) + C_1 (ε/k)(P_k + C_3 G_b) − C_2 ρ ε²/k
///
///   P_k = μ_t |S|² is shear production, |S| = √(2 S_ij S_ij). G_b = ρ g β ⟨w′θ′⟩ is buoyant
///   production (gravity along −z, Boussinesq β), with the heat flux from the generalised
///   gradient hypothesis (KEpsilonProduction.swift); in a horizontally uniform layer it is the
///   simple form −g β (μ_t/Pr_t) ∂T/∂z (Rodi 1980, "Turbulence models and their application in
///   hydraulics", IAHR): positive in unstable stratification, a sink in stable.
///   C_3 = tanh|w/u_h| (Henkes, van der Vlugt & Hoogendoorn 1991, Int. J. Heat Mass Transfer
///   34:377–388): buoyancy production counts fully in a vertical plume, not at all in a
///   horizontal layer.
///
///   Why not the mixing length there: a plume's length scale is its own width, which grows with
///   height. ℓ = κ d from the floor is several times too long and ℓ = 0.09 δ is a constant; on the
///   plane-plume check the mixing length drew in seven times too much air and decayed as z^−0.63
///   instead of z^−1 (docs/validation.md). k–ε carries the length scale k^{3/2}/ε with the flow.
///
///   Numerics. Both equations use the energy equation's kernel with first-order upwind
///   advection (`ScalarTarget.turbulence`). Sources are split so that every row stays an
///   M-matrix and φ positive (Patankar 1980 §7.2): what produces goes to the right-hand side,
///   what destroys goes to the diagonal as (destruction/φ_old)·φ. Walls: a cell with a wall face
///   has its ε set from the log layer's equilibrium, ε = C_μ^{3/4} k^{3/2}/(κ y), with y half its
///   width across that face; k sees no flux through the wall. The momentum equations see the
///   wall cell's μ_t as they see any other (no wall function on the shear). Inflows (inlets, backflow through outlets)
///   carry 5 % intensity of the case's speed scale and an eddy-viscosity ratio of 10, the usual
///   defaults of commercial codes when nothing is known of the incoming turbulence.
///
/// Usage (case files: `physics: {turbulence: kEpsilon}`; the room air with
/// `hall.turbulence: kEpsilon`)
///   | constant | value | source                                  |
///   | C_μ      | 0.09  | Launder & Spalding 1974                 |
///   | C_1      | 1.44  |                                         |
///   | C_2      | 1.92  |                                         |
///   | σ_k, σ_ε | 1.0, 1.3 |                                      |
///   | Pr_t     | 0.85  | as the mixing length (MixingLength.swift) |
public struct KEpsilon: Sendable {
    public static let cMu = 0.09
    public static let c1 = 1.44
    public static let c2 = 1.92
    public static let sigmaK = 1.0
    public static let sigmaEpsilon = 1.3
    public static let turbulentPrandtl = MixingLength.defaultTurbulentPrandtl
    /// Inflow turbulence: intensity I = √(2k/3)/U and eddy-viscosity ratio μ_t/μ.
    public static let inflowIntensity = 0.05
    public static let inflowViscosityRatio = 10.0
    /// μ_t/μ never exceeds this: a runaway guard, far above any room's ratio (about 10³).
    public static let maximumViscosityRatio = 1e5

    /// k and ε of the air that flows in, for a speed scale `speedMPerS` and kinematic viscosity
    /// `nu` (m²/s): k = 3/2 (I U)², ε = C_μ k² / (ν · ratio).
    public static func inflow(speedMPerS: Double, kinematicViscosity nu: Double) -> (k: Double, epsilon: Double) {
        let k = 1.5 * (inflowIntensity * speedMPerS) * (inflowIntensity * speedMPerS)
        return (k, cMu * k * k / (nu * inflowViscosityRatio))
    }

    /// ε of a first cell at wall distance `y` (m) in log-layer equilibrium.
    @inline(__always)
    public static func wallEpsilon(k: Double, wallDistanceM y: Double) -> Double {
        pow(cMu, 0.75) * pow(max(k, 0), 1.5) / (MixingLength.vonKarman * y)
    }

    /// μ_t = ρ C_μ k²/ε (Pa·s), at most `maximumViscosityRatio` μ.
    @inline(__always)
    public static func eddyViscosity(
        densityKgPerM3 rho: Double, k: Double, epsilon: Double, viscosityPaS mu: Double
    )
        -> Double
    {
        min(rho * cMu * k * k / epsilon, maximumViscosityRatio * mu)
    }
}

/// The k–ε fields a solver carries (FlowSolver+KEpsilon.swift), with their values at the start of
/// the present time step and the cells whose ε the wall sets.
final class KEpsilonFields {
    let k: PaddedVector
    let epsilon: PaddedVector
    /// Values at the start of the time step (backward Euler); filled by `startStep`.
    let oldK: PaddedVector
    let oldEpsilon: PaddedVector
    /// Inflow values, and the fluid cells next to a wall with their wall distance (m).
    let inflow: (k: Double, epsilon: Double)
    let wallCells: [(cell: Int, distanceM: Double)]
    /// Cell volumes, m³.
    let volume: [Double]

    init(
        cells: Int, pad: Int, volume: [Double], inflow: (k: Double, epsilon: Double),
        wallCells: [(cell: Int, distanceM: Double)]
    ) {
        k = PaddedVector(count: cells, pad: pad, value: inflow.k)
        epsilon = PaddedVector(count: cells, pad: pad, value: inflow.epsilon)
        oldK = PaddedVector(count: cells, pad: 0, value: inflow.k)
        oldEpsilon = PaddedVector(count: cells, pad: 0, value: inflow.epsilon)
        self.inflow = inflow
        self.wallCells = wallCells
        self.volume = volume
    }

    func startStep() {
        oldK.copy(from: k)
        oldEpsilon.copy(from: epsilon)
    }
}
