/// Description
///   A volume flow rate into a rectangle of a side, spread uniformly over the patch's
///   snapped area (the area of the boundary faces whose centres fall inside it). Once its
///   speed is known it is a velocity inlet in every equation (`VelocityInletCondition`).
///
/// Usage (a patch of a generic case)
///
/// | key | meaning | default |
/// | --- | --- | --- |
/// | `kind: flow` | this condition | — |
/// | `side` | west, east, south, north, bottom or top | required |
/// | `lo`, `hi` | the rectangle in the side's in-plane axes, m | the whole side |
/// | `flow` | inward volume flow, m³/s, > 0 | required |
/// | `temperature` | supply temperature, °C | 20 |
///
/// The snapped area, not the rectangle's, divides the flow, so the grid delivers exactly the
/// flow asked for whatever the snapping did.
enum FlowRateInletCondition {
    /// The resolved boundary face: the speed that carries `flowM3PerS` through `areaM2`
    /// (0 if the patch covers no face, which `GenericCase.compile` reports as an error).
    static func face(flowM3PerS q: Double, areaM2 area: Double, temperatureC: Double, patch: Int) -> BoundaryFace {
        VelocityInletCondition.face(
            speedMPerS: speed(flowM3PerS: q, areaM2: area), temperatureC: temperatureC, patch: patch)
    }

    /// The inward speed that carries `q` through `area`, m/s (0 over no area).
    static func speed(flowM3PerS q: Double, areaM2 area: Double) -> Double { area > 0 ? q / area : 0 }
}
