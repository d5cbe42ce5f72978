import Foundation

/// One line of the convergence history.
public struct Residuals: Sendable, Codable {
    public var iteration: Int
    /// Σ|mass imbalance| over cells / reference mass flow.
    public var mass: Double
    /// Largest |Δu| this iteration / reference speed.
    public var velocityChange: Double
    /// Largest |ΔT| this iteration / reference temperature difference.
    public var temperatureChange: Double
    /// Largest scaled momentum residual before this iteration's solves (OpenFOAM's
    /// "initial residual" definition), over the three components.
    public var momentum: Double = 0
    public var pressureIterations: Int
    /// Where the largest velocity and temperature changes happened (face or cell), for diagnosis.
    public var velocityChangeAt: String = ""
    /// Root-mean-square velocity change over all faces of the three components / reference speed.
    public var velocityChangeRMS: Double = 0
    /// Root-mean-square temperature change over all cells / reference temperature difference.
    public var temperatureChangeRMS: Double = 0
    public var temperatureChangeAt: String = ""
}
