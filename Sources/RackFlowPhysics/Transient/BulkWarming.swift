import RackFlowNumerics

/// The air's bulk thermal mode: what a uniform warming of all the air does to the heat balance.
///
/// Description
///   The air's heat content C = ρ c_p V_air relaxes towards its balance with time constant
///   C / G, where G (W/K) is how much faster heat leaves when every air cell is 1 K warmer:
///
///     G = Σ_outflow ṁ c_p + Σ_{inlets, walls at a fixed temperature} k_eff A / (Δx / 2),
///
///   the enthalpy carried out through the outflowing faces plus the conduction lost through
///   the faces that hold a temperature. With C / G = V / Q (the residence time) many
///   flow-through times long, a time step of the flow resolves the eddies but needs that many
///   flow-throughs before the air stops storing heat. A uniform shift δ = S / G of every air
///   cell, S the heat stored per second (sources + walls − carried out), removes that slow
///   mode at once: the outflow warms by δ and carries S more, while the flow's own pattern is
///   left to the time steps. It is the one-unknown coarse-space correction of the energy
///   equation (the coarsest level of an additive correction multigrid, Hutchinson & Raithby
///   1986, Numer. Heat Transfer 9).
///
///   G is read off `balance()` by a 1 K finite difference on the field: the balance is linear
///   in the temperatures, so it is exact and holds whatever the boundary mix.
///
/// Usage
///   | call                          | result                                                |
///   | airHeatCapacityJPerK          | C = ρ c_p Σ V over the fluid cells                    |
///   | bulkConductanceWPerK()        | G: d(net heat out)/d(uniform warming), W/K            |
///   | warmAir(byK: δ)               | every fluid cell, at every stored time level, + δ     |
///   | heatScaleW(b, conductanceWPerK:) | the heat the air is given, W                       |
extension FlowSolver {
    /// ρ c_p times the volume of the fluid cells (J/K).
    public var airHeatCapacityJPerK: Double {
        flow.fluid.densityKgPerM3 * flow.fluid.specificHeatJPerKgK * fluidVolumeIntegral(nil)
    }

    /// The volume-weighted mean temperature of the fluid cells (°C).
    public var airMeanTemperatureC: Double { airHeatContentJ() / airHeatCapacityJPerK }

    /// How much the heat leaving the air grows per kelvin of uniform warming (W/K), at the
    /// present flow.
    public func bulkConductanceWPerK() -> Double {
        let n = nx * ny * nz
        let saved = PaddedVector(count: n, pad: 0)
        BLAS.copy(n, temperature.p, saved.p)
        let before = storedHeatW(balance())
        warmAir(byK: 1, oldLevels: false)
        let after = storedHeatW(balance())
        // Copied back, not shifted back: T + 1 − 1 is not T in floating point, and a chaotic
        // flow's average would then depend on having measured G.
        BLAS.copy(n, saved.p, temperature.p)
        return before - after
    }

    /// Adds `delta` to every fluid cell's temperature, and with `oldLevels` to the stored time
    /// levels as well, so that the time derivative does not see the shift as a jump.
    public func warmAir(byK delta: Double, oldLevels: Bool = true) {
        let fields = [temperature] + (oldLevels ? oldTemperature : [])
        for f in fields {
            let p = f.p
            for c in 0..<(nx * ny * nz) where !isSolid[c] { p[c] += delta }
        }
    }

    /// The heat the air gains per second (W): sources and walls in, less the heat carried out.
    public func storedHeatW(_ b: Balance) -> Double {
        b.heatSourcesW + b.heatFromWallsW - b.heatAdvectedOutW
    }

    /// The heat the air is given (W), the scale stored heat is judged on: the energy error's
    /// (`Balance.heatScaleW`), or the enthalpy the inflows bring across the spread of the
    /// imposed temperatures, G ΔT_ref, if larger. A room heated through exhaust inlets has no
    /// source at all; its heat arrives as the inlets' enthalpy.
    public func heatScaleW(_ b: Balance, conductanceWPerK g: Double) -> Double {
        max(
            Balance.heatScaleW(
                sourcesW: b.heatSourcesW, wallsW: b.heatFromWallsW, wallsInW: b.heatInFromWallsW,
                massInKgPerS: b.massInKgPerS, specificHeatJPerKgK: flow.fluid.specificHeatJPerKgK),
            g * referenceTemperatureDifference)
    }
}
