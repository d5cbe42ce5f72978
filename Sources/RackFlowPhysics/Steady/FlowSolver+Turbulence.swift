import Foundation
import RackFlowNumerics

/// The flow's turbulence: the mixing-length eddy viscosity the outer iteration refreshes every
/// `turbulenceUpdate` iterations (k–ε: Turbulence/FlowSolver+KEpsilon.swift), and, for artists,
/// the turbulent kinetic energy and intensity that the VDB caches carry (MixingLength.swift has
/// the model and its sources).
extension FlowSolver {
    /// The staggered velocity as field structs (a copy), for post-processing and models.
    public func staggeredVelocity() -> StaggeredVelocity {
        var v = StaggeredVelocity(flow.grid)
        v.u.values = velocity[0].array
        v.v.values = velocity[1].array
        v.w.values = velocity[2].array
        return v
    }

    /// Mixing-length eddy viscosity from the current strain rate: μ_eff = μ + μ_t and
    /// k_eff = k + μ_t c_p / Pr_t per cell.
    func updateEddyViscosity() {
        guard case let .mixingLength(delta) = flow.turbulence else { return }
        let model = MixingLength(deltaM: delta)
        let cells = flow.grid.cellCount
        var strain = [Double](repeating: 0, count: cells), mut = strain
        StrainRate.magnitude(staggeredVelocity(), tags: flow.tags, wallSides: flow.wallSides, into: &strain)
        model.eddyViscosity(
            densityKgPerM3: flow.fluid.densityKgPerM3, wallDistanceM: wallDistance, strainRatePerS: strain, into: &mut)
        let mu = flow.fluid.viscosityPaS, k = flow.fluid.conductivityWPerMK, cp = flow.fluid.specificHeatJPerKgK
        for c in 0..<cells {
            muEff[c] = mu + mut[c]
            kEff[c] = k + mut[c] * cp / model.turbulentPrandtl
        }
    }

    /// Turbulence for artists: kinetic energy k (m²/s²) and intensity √(2k/3)/|U| per cell,
    /// from the mixing-length equilibrium k = (ℓ|S|)²/√C_μ (a laminar or constant-μ_t run
    /// uses ℓ from the wall distance with δ the domain's smallest side).
    public func turbulence() -> (kineticEnergy: [Double], intensity: [Double]) {
        let g = flow.grid
        if let t = turbulenceFields {
            // k–ε: k is solved; the intensity follows from it as for the mixing length.
            var speed = [Double](repeating: 0, count: g.cellCount), intensity = speed
            StrainRate.cellSpeed(staggeredVelocity(), tags: flow.tags, into: &speed)
            let k = isSolid.indices.map { isSolid[$0] ? 0 : t.k.p[$0] }
            MixingLength(deltaM: 1).intensity(turbulentKineticEnergy: k, speedMPerS: speed, into: &intensity)
            return (k, intensity)
        }
        let delta: Double
        if case let .mixingLength(d) = flow.turbulence {
            delta = d
        } else {
            delta = min(g.x.length, g.y.length, g.z.length)
        }
        let model = MixingLength(deltaM: delta)
        let cells = g.cellCount
        var strain = [Double](repeating: 0, count: cells), speed = strain, k = strain, intensity = strain
        let v = staggeredVelocity()
        StrainRate.magnitude(v, tags: flow.tags, into: &strain)
        StrainRate.cellSpeed(v, tags: flow.tags, into: &speed)
        let d =
            wallDistance.isEmpty
            ? (try? WallDistance.compute(tags: flow.tags, wallSides: Set(Side.allCases)))
                ?? [Double](repeating: .infinity, count: cells) : wallDistance
        model.turbulentKineticEnergy(wallDistanceM: d, strainRatePerS: strain, into: &k)
        model.intensity(turbulentKineticEnergy: k, speedMPerS: speed, into: &intensity)
        return (k, intensity)
    }
}
