import RackFlowNumerics
#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Loss coefficient of thin perforated plates, meshes and grilles (front doors, rear
/// panels, card-cage grilles), after Idelchik, *Handbook of Hydraulic Resistance*.
///
/// The loss is referred to the approach (face) velocity `v`, the volume flow divided by
/// the plate's whole area, which is what a face of the grid carries:
/// `Δp = ζ · ½ ρ v²`. The free-area ratio `f = A_open / A_total` is in (0, 1].
///
/// Both forms are Idelchik's turbulent ones (Reynolds number in the holes ≳ 1e5; in
/// practice the quadratic law holds well down to ~1e4). Below that the real loss is
/// higher; RackFlow does not model that transition.
public enum PerforatedPlate {
    /// Darcy friction factor of the hole walls in the thick-edged form's `λ l̄` term;
    /// Idelchik takes λ ≈ 0.02 for the short, rough-entry passages of a plate.
    public static let holeFrictionFactor = 0.02

    /// Idelchik's τ(l̄) table for thick-edged orifices and thickened perforated plates.
    /// τ falls to zero at l̄ = 2.4, where the jet has reattached inside the hole.
    ///
    /// Source: I. E. Idelchik, *Handbook of Hydraulic Resistance*, diagram 4-15 (orifices
    /// with thickened edges) and diagram 8-3 (thickened perforated plates), which share
    /// this table. The values were supplied with the task and could not be checked
    /// against a scan of the handbook; they were cross-checked against:
    /// - an independent public transcription of the same diagram (a perforated-sheet
    ///   loss calculator), which agrees exactly for l̄ = 0 … 1.0 and at l̄ = 2.0
    ///   (τ = 0.02), and gives τ(1.4) = 0.10 where this table interpolates 0.115;
    /// - Idelchik's own fitted curve `τ = (2.4 − l̄)·10^−φ`,
    ///   `φ = 0.25 + 0.535 l̄⁸ / (0.05 + l̄⁸)` (quoted from the 3rd edition, 2006, by the
    ///   Modelica FluidDissipation library), which matches at l̄ = 0, 0.4, 1.0 and 2.4
    ///   but lies 0.05–0.1 off between (it is a smooth fit to the same plotted curve).
    /// The table is used rather than the fit because it is what the diagram tabulates.
    public static let tauTableRelativeThickness: [Double] = [0, 0.2, 0.4, 0.6, 0.8, 1.0, 1.2, 1.6, 2.0, 2.4]
    /// τ at each entry of `tauTableRelativeThickness`.
    public static let tauTableValues: [Double] = [1.35, 1.22, 1.10, 0.84, 0.42, 0.24, 0.16, 0.07, 0.02, 0]

    // MARK: - Loss coefficients

    /// ζ of a thin, sharp-edged perforated plate or mesh:
    /// `ζ = [(1 − f) + 0.707 (1 − f)^0.375]² / f²`.
    ///
    /// f = 1 (no plate) gives exactly 0.
    public static func sharpEdgedZeta(freeArea f: Double) throws -> Double {
        try validateFreeArea(f)
        let blocked = 1 - f
        let root = blocked + 0.707 * pow(blocked, 0.375)
        return root * root / (f * f)
    }

    /// ζ of a plate whose thickness is comparable to its holes, from the relative
    /// thickness `l̄ = l / d_h`:
    /// `ζ = [0.5 (1 − f)^0.75 + τ(l̄) (1 − f)^1.375 + (1 − f)² + λ l̄] / f²`, λ = 0.02.
    ///
    /// The first three terms are the inlet contraction, the part of the jet's expansion
    /// loss that a thicker plate recovers (τ), and the sudden expansion behind the plate;
    /// the last is friction along the hole.
    public static func thickEdgedZeta(freeArea f: Double, relativeThickness lBar: Double) throws -> Double {
        try validateFreeArea(f)
        let t = try tau(relativeThickness: lBar)
        let blocked = 1 - f
        let numerator =
            0.5 * pow(blocked, 0.75) + t * pow(blocked, 1.375)
            + blocked * blocked + holeFrictionFactor * lBar
        return numerator / (f * f)
    }

    /// ζ of a thick-edged plate from its thickness and hole hydraulic diameter
    /// (`4 × hole area / hole perimeter`; the diameter for round holes).
    public static func thickEdgedZeta(freeArea f: Double, thicknessM: Double, holeDiameterM: Double) throws -> Double {
        try validateThickness(thicknessM)
        try validateHoleDiameter(holeDiameterM)
        return try thickEdgedZeta(freeArea: f, relativeThickness: thicknessM / holeDiameterM)
    }

    /// ζ of a plate, choosing the form from what is known about it: the thick-edged form
    /// when both the thickness and the hole size are given, the sharp-edged form otherwise.
    ///
    /// A zero thickness with a hole size still takes the thick-edged form (τ(0) = 1.35,
    /// at most 2.3 % below the sharp-edged ζ, whose cross term carries 2 × 0.707 = 1.414).
    public static func zeta(
        freeArea f: Double, thicknessM: Double? = nil, holeDiameterM: Double? = nil
    ) throws -> Double {
        if let thicknessM, let holeDiameterM {
            return try thickEdgedZeta(freeArea: f, thicknessM: thicknessM, holeDiameterM: holeDiameterM)
        }
        // Validate whichever of the two was given, so a bad value is not silently ignored.
        if let thicknessM { try validateThickness(thicknessM) }
        if let holeDiameterM { try validateHoleDiameter(holeDiameterM) }
        return try sharpEdgedZeta(freeArea: f)
    }

    /// Idelchik's τ(l̄), linearly interpolated in the table; 0 for l̄ ≥ 2.4.
    public static func tau(relativeThickness lBar: Double) throws -> Double {
        guard lBar.isFinite, lBar >= 0 else {
            throw InputError(
                key: "relativeThickness",
                "plate thickness / hole diameter must be finite and ≥ 0, got \(lBar)")
        }
        let xs = tauTableRelativeThickness, ys = tauTableValues
        guard lBar < xs[xs.count - 1] else { return 0 }
        // Nine intervals: a linear scan is as fast as a bisection and plainly correct.
        var i = 0
        while lBar > xs[i + 1] { i += 1 }
        let w = (lBar - xs[i]) / (xs[i + 1] - xs[i])
        return ys[i] + w * (ys[i + 1] - ys[i])
    }

    // MARK: - Pressure drop

    /// Pressure drop across a sheet, `ζ · ½ ρ v |v|`, in Pa.
    ///
    /// Signed like the velocity: positive for flow in the +normal direction, so the
    /// drop (upstream minus downstream pressure) always opposes the flow; zero at rest.
    public static func pressureDrop(zeta: Double, densityKgPerM3: Double, velocityMPerS v: Double) -> Double {
        zeta * 0.5 * densityKgPerM3 * v * abs(v)
    }

    // MARK: - Validation

    static func validateFreeArea(_ f: Double) throws {
        guard f.isFinite, f > 0, f <= 1 else {
            throw InputError(
                key: "freeArea",
                "free-area ratio A_open / A_total must be in (0, 1], got \(f)")
        }
    }

    static func validateThickness(_ l: Double) throws {
        guard l.isFinite, l >= 0 else {
            throw InputError(key: "thicknessM", "plate thickness must be finite and ≥ 0 m, got \(l)")
        }
    }

    static func validateHoleDiameter(_ d: Double) throws {
        guard d.isFinite, d > 0 else {
            throw InputError(
                key: "holeDiameterM",
                "hole hydraulic diameter must be finite and > 0 m, got \(d)")
        }
    }
}
