/// Constant properties of the working fluid (SI units). Defaults: dry air at 20 °C and
/// 1 atm, as tabulated in `../shared/reference/README.md`; every run reports the values it used.
public struct Fluid: Sendable, Codable, Equatable {
    /// Density ρ, kg/m³.
    public var densityKgPerM3: Double = 1.204
    /// Dynamic viscosity μ, Pa·s.
    public var viscosityPaS: Double = 1.82e-5
    /// Thermal conductivity k, W/(m·K).
    public var conductivityWPerMK: Double = 0.0257
    /// Specific heat c_p, J/(kg·K).
    public var specificHeatJPerKgK: Double = 1006
    /// Thermal expansion coefficient β, 1/K (ideal gas: 1/T, here at 20 °C).
    public var expansionPerK: Double = 1 / 293.15
    /// Reference temperature of the Boussinesq term, °C.
    public var referenceTemperatureC: Double = 20

    public init() {}

    public static let air = Fluid()

    /// Kinematic viscosity ν = μ/ρ, m²/s.
    public var kinematicViscosity: Double { viscosityPaS / densityKgPerM3 }
    /// Thermal diffusivity α = k/(ρ c_p), m²/s.
    public var thermalDiffusivity: Double { conductivityWPerMK / (densityKgPerM3 * specificHeatJPerKgK) }
    /// Prandtl number μ c_p / k.
    public var prandtl: Double { viscosityPaS * specificHeatJPerKgK / conductivityWPerMK }
}
