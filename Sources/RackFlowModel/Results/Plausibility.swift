import Foundation
import RackFlowPhysics

/// Warnings on an answer that lies outside what RackFlow's air model holds for.
///
/// Description
///   The air has constant properties (ρ, μ, k, c_p at the fluid's reference temperature T_ref),
///   and buoyancy enters only through the Boussinesq term −ρβ(T − T_ref)g. Both hold while
///   |T − T_ref| is small against the absolute temperature: for an ideal gas at constant pressure
///   ρ ∝ 1/T, so 100 K above 20 °C lowers the density by 25 %, and air's conductivity and
///   viscosity rise by about 26 % (k, μ ∝ T^0.8: (393/293)^0.8 = 1.26). Gray & Giorgini (1976, Int. J. Heat Mass
///   Transfer 19, 545–551) bound the Boussinesq approximation for air at 15 °C to ΔT ≤ 28.6 K for
///   property errors within 10 %. Beyond `riseLimitK` (100 K) the figures are no better than
///   qualitative, and such a temperature nearly always means a heat source fed far too little
///   air: a slip in a power, a flow or a unit. The warning says where, how hot, and what rise the
///   heat and the air entering give mixed, ΔT = P / (ρ c_p Q).
///
///   The air is also incompressible. That holds below a Mach number of about 0.3, where the
///   density changes by under 5 % (ρ₀/ρ = (1 + (γ−1)/2 M²)^(1/(γ−1)); Anderson, "Modern
///   Compressible Flow", §3.5): `speedLimitMPerS`, 0.3 × 343 m/s. Faster air in a rack or a
///   duct is a unit slip (a flow in L/s written as m³/s gave 6 km/s and a plenum at 67 MPa).
///
/// Usage
///   | call                                        | result                                   |
///   | Plausibility.warnings(solver, inletFlowM3PerS:) | [] or one sentence per finding       |
///   | riseLimitK, speedLimitMPerS                     | the thresholds (100 K, 103 m/s)      |
public enum Plausibility {
    /// The largest |T − T_ref| (K) of any air cell before the answer is flagged.
    public static let riseLimitK = 100.0

    /// The fastest face speed (m/s) before the answer is flagged: Mach 0.3 at 20 °C.
    public static let speedLimitMPerS = 0.3 * 343.0

    /// A flow read from a file that would cross `areaM2` past `speedLimitMPerS`: its speed (m/s)
    /// and the end of the message, naming the limit and the units; nil when it is plausible. A
    /// flow in L/s or CFM typed as m³/s is caught at its key before any solve (a rack's inlet, a
    /// fan's free delivery).
    public static func unitSlip(flowM3PerS q: Double, areaM2: Double) -> (speedMPerS: Double, units: String)? {
        guard areaM2 > 0, q / areaM2 > speedLimitMPerS else { return nil }
        return (
            q / areaM2,
            "past Mach 0.3 (\(configFormat(speedLimitMPerS.rounded())) m/s): flows are in m³/s "
                + "(1 L/s = 0.001 m³/s, 1 CFM = 4.72e-4 m³/s)"
        )
    }

    /// The findings on the solver's present fields (the mean fields after a time average).
    public static func warnings(_ s: FlowSolver, inletFlowM3PerS: Double) -> [String] {
        var found: [String] = []
        var fastest = 0.0
        for v in s.velocity {
            // NaN fails every comparison, and max(x, NaN) is x: count it explicitly.
            for f in 0..<v.count { fastest = v.p[f].isFinite ? max(fastest, abs(v.p[f])) : .infinity }
        }
        if !(fastest <= speedLimitMPerS) {
            found.append(
                String(
                    format: "the air reaches %.3g m/s, past Mach 0.3 (%.0f m/s) where incompressible air stops "
                        + "holding; check the flows and their units (m³/s, not L/s)", fastest, speedLimitMPerS))
        }
        return found + temperatureWarnings(s, inletFlowM3PerS: inletFlowM3PerS)
    }

    /// |ρ(T) − ρ(T_ref)| / ρ(T_ref) of an ideal gas at constant pressure, ρ ∝ 1/T (absolute):
    /// |T_ref − T| / T, hot or cold.
    static func densityChange(_ c: Double, referenceC: Double) -> Double {
        abs(referenceC - c) / (c + 273.15)
    }

    /// Air more than `riseLimitK` from the properties' reference temperature.
    static func temperatureWarnings(_ s: FlowSolver, inletFlowM3PerS: Double) -> [String] {
        guard s.flow.solveEnergy else { return [] }
        let g = s.flow.grid
        let fluid = s.flow.fluid
        var worst = -1
        var worstK = 0.0
        let t = s.temperature.p
        for c in 0..<g.cellCount where s.flow.tags.cells[c] != .solid {
            let d = abs(t[c] - fluid.referenceTemperatureC)
            if d > worstK || !d.isFinite {
                worst = c
                worstK = d
                if !d.isFinite { break }
            }
        }
        guard worst >= 0, !(worstK <= riseLimitK) else { return [] }
        let (i, j, k) = g.ijk(worst)
        var w = String(
            format: "the air reaches %.0f °C at (%.3f, %.3f, %.3f) m, %.0f K from the %.0f °C at which its "
                + "properties are taken; constant properties and the Boussinesq buoyancy are then far off "
                + "(ρ alone by %.0f %%), so read the figures as qualitative and check the powers, flows and units",
            t[worst], g.x.centres[i], g.y.centres[j], g.z.centres[k], worstK, fluid.referenceTemperatureC,
            100 * densityChange(t[worst], referenceC: fluid.referenceTemperatureC))
        let heatW = s.flow.heatW.reduce(0, +)
        if heatW > 0 && inletFlowM3PerS > 0 {
            w += String(
                format: " (%.4g W into %.3g L/s of air is a mixed rise of %.0f K)", heatW, inletFlowM3PerS * 1000,
                heatW / (fluid.densityKgPerM3 * fluid.specificHeatJPerKgK * inletFlowM3PerS))
        }
        return [w]
    }
}
