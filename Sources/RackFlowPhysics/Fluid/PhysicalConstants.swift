/// Physical constants the solver uses, named once. Material properties live in `Fluid`, model
/// constants beside their models (`MixingLength.defaultTurbulentPrandtl`, the fan and plate
/// correlations in `Objects/`).
public enum PhysicalConstants {
    /// Standard acceleration of gravity g_n, m/s²: exact by definition (3rd CGPM, 1901; CODATA).
    /// Gravity acts along −z in every case (`FlowCase.gravity`).
    public static let standardGravityMPerS2 = 9.80665
}
