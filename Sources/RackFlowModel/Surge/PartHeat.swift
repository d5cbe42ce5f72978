import Foundation
import RackFlowPhysics

/// A part as one or two lumped thermal masses between its electrical power and the air:
///
///     C_j dT_j/dt = P(t) − (T_j − T_s) / R_js           junction (die, package, base)
///     C_s dT_s/dt = (T_j − T_s) / R_js − (T_s − T_air) / R_sa(v)    heat sink
///
/// with R_js + R_sa(v) = R(v), the part's compact-model resistance at the local air speed
/// (DESIGN §2), so the steady state is the steady solve's T = T_air + P R. A die heats in about
/// a second (small C_j), its heat sink over a minute (large C_s), and the air sees only what the
/// sink releases: the lag a GPU shows after ignition. Without a junction the part is one mass.
/// Stepped implicitly with the air of the step's start (stable, no overshoot for any Δt); what
/// the sink releases, (T_s − T_air)/R_sa, becomes the air's heat source.
public struct PartHeat {
    public let info: RackLayout.PartInfo
    /// Index of the part's node in the layout.
    public let node: Int
    /// Cells the part releases heat into and the share of each (sums to 1).
    public let cells: [Int]
    public let weights: [Double]
    /// Electrical power at idle and at full utilisation, W (whole part: a memory bank's modules).
    public let idleW: Double, fullW: Double
    /// Heat capacities of the whole part, J/K: sink (or the only mass) and junction (0: none).
    public let capacityJPerK: Double
    public let junctionCapacityJPerK: Double
    /// R_js as a share of the reference resistance.
    public let junctionShare: Double
    let modelShare: Double

    /// Reported part temperature (the junction when there is one) and the sink's, °C.
    public var temperatureC = 0.0
    public var sinkC = 0.0
    /// Heat released into the air over the last step, W, and electrical power now, W.
    public var heatToAirW = 0.0
    public var powerW = 0.0

    public init(
        info: RackLayout.PartInfo, node: Int, cells: [Int], weights: [Double], idleW: Double,
        capacityJPerK: Double, junction: Scenario.Junction? = nil
    ) {
        self.info = info
        self.node = node
        self.cells = cells
        self.weights = weights
        self.idleW = idleW
        fullW = info.powerW
        // Memory banks: the model is per module, so capacities scale with the module count and
        // resistances divide by it.
        modelShare = info.powerW > 0 ? info.modelPowerW / info.powerW : 1
        self.capacityJPerK = capacityJPerK / max(modelShare, 1e-12)
        junctionCapacityJPerK = (junction?.capacityJPerK ?? 0) / max(modelShare, 1e-12)
        junctionShare = junction?.resistanceShare ?? 0
    }

    /// Whole-part resistances at speed v: junction–sink and sink–air, K/W.
    func resistances(_ v: Double) -> (js: Double, sa: Double) {
        let R = info.thermal.resistance(speedMPerS: v) * modelShare
        guard junctionCapacityJPerK > 0 else { return (0, R) }
        let js = junctionShare * info.thermal.resistanceKPerW * modelShare
        return (js, max(R - js, 0.05 * R))
    }

    /// Energy held above 0 °C, J (differences are the heat stored). A part with no resistance
    /// is at its air's temperature and passes its power straight on: it stores nothing.
    public var heatContentJ: Double {
        info.thermal.resistanceKPerW > 0 ? capacityJPerK * sinkC + junctionCapacityJPerK * temperatureC : 0
    }

    /// The part at steady state in air at `airC`, speed `v`, with power `p`.
    public mutating func settle(powerW p: Double, airC: Double, speedMPerS v: Double) {
        powerW = p
        let r = resistances(v)
        sinkC = airC + p * r.sa
        temperatureC = sinkC + p * r.js
        heatToAirW = p
    }

    /// One implicit step of `dt` seconds with power `p` in air at `airC`, speed `v`.
    public mutating func step(dt: Double, powerW p: Double, airC: Double, speedMPerS v: Double) {
        powerW = p
        let r = resistances(v)
        guard r.sa > 0 else {
            temperatureC = airC
            sinkC = airC
            heatToAirW = p
            return
        }
        let b = capacityJPerK / dt, g2 = 1 / r.sa
        if junctionCapacityJPerK > 0 && r.js > 0 {
            // [a+g1, −g1; −g1, b+g1+g2] [Tj; Ts] = [a Tj + P; b Ts + g2 Ta]
            let a = junctionCapacityJPerK / dt, g1 = 1 / r.js
            let r1 = a * temperatureC + p, r2 = b * sinkC + g2 * airC
            let m11 = a + g1, m22 = b + g1 + g2
            let det = m11 * m22 - g1 * g1
            sinkC = (m11 * r2 + g1 * r1) / det
            temperatureC = (r1 + g1 * sinkC) / m11
        } else {
            sinkC = (b * sinkC + p + g2 * airC) / (b + g2)
            temperatureC = sinkC
        }
        heatToAirW = g2 * (sinkC - airC)
    }
}
