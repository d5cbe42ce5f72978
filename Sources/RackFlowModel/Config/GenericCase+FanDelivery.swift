import Foundation
import RackFlowNumerics
import RackFlowPhysics

/// A fan curve whose free delivery could not pass through the fan's own opening below Mach 0.3.
///
/// Description
///   A fan's free delivery Q₀ (its flow at zero pressure rise, at its speed) over the area A it
///   covers is the fastest mean speed it can drive through itself. When Q₀ / A is past Mach
///   0.3 (`Plausibility.speedLimitMPerS`, 103 m/s, where the incompressible model stops holding),
///   the curve's flows are in the wrong unit: CFM or L/s typed as m³/s. Such a curve used to
///   solve to a plausible-looking 18.6 L/s at 40 Pa with no word (flows 8–42 typed as m³/s for
///   an 80 mm fan: 4,000 m/s through its opening). The case is refused at the fan's `curve`.
///
/// Usage
///   | checked                          | area                                                  |
///   | `planes` of `kind: fan`          | the plane's rectangle, clipped to the cross-section   |
///   | `patches` of `kind: fan`         | the patch's rectangle, clipped to its side            |
extension GenericCase {
    static func checkFanDeliveries(planes: [Plane], patches: [PatchSpec], size: (Double, Double, Double)) throws {
        let full = [size.0, size.1, size.2]
        /// The rectangle's area on the plane normal to `axis`, clipped to the domain; its
        /// corners are in the plane's two other axes, in axis order.
        func area(normal axis: Int, _ lo: (Double, Double)?, _ hi: (Double, Double)?) -> Double {
            let (t1, t2) = SIMD3<Int>.transverse(axis)
            let l = lo ?? (0, 0)
            let h = hi ?? (full[t1], full[t2])
            let a = max(0, min(h.0, full[t1]) - max(l.0, 0))
            let b = max(0, min(h.1, full[t2]) - max(l.1, 0))
            return a * b
        }
        func check(_ curve: FanCurve, rpm: Double, areaM2: Double, node: ConfigNode) throws {
            let q = curve.freeDeliveryM3PerS(rpm: rpm)
            guard let slip = Plausibility.unitSlip(flowM3PerS: q, areaM2: areaM2) else { return }
            throw node.error(
                "curve",
                "its free delivery, \(configFormat(q)) m³/s at \(configFormat(rpm)) rev/min, would cross the "
                    + "fan's \(String(format: "%.3g", areaM2)) m² at \(configFormat(slip.speedMPerS.rounded())) m/s, "
                    + slip.units)
        }
        for p in planes {
            guard case let .fan(curve, rpm, _) = p.kind else { continue }
            try check(curve, rpm: rpm, areaM2: area(normal: p.axis, p.lo, p.hi), node: p.node)
        }
        for s in patches {
            guard case let .fanInlet(curve, rpm, _, _) = s.patch.kind else { continue }
            try check(curve, rpm: rpm, areaM2: area(normal: s.patch.side.axis, s.patch.lo, s.patch.hi), node: s.node)
        }
    }
}
