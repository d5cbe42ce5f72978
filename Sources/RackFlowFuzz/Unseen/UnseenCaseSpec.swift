import RackFlowModel
import Foundation
import RackFlowNumerics

/// One drawn unseen case as plain numbers (m, m/s, m³/s, Pa, W, °C), before it becomes YAML.
///
/// The generator (`UnseenCaseGenerator`) fills it; `yaml()` (UnseenCaseYAML.swift) writes it in
/// the generic-case schema users write. Every number is already rounded to what the YAML text
/// holds (`UnseenNumber`), so the case read back from the text is the case that was checked.
struct UnseenCaseSpec {
    enum BoxKind: String { case solid, porous, heat }

    struct Box {
        var name: String
        var kind: BoxKind
        var loM: [Double]
        var hiM: [Double]
        /// Porous boxes only: Darcy 1/K (1/m²) and Forchheimer C2 (1/m) per axis.
        var inverseKPerM2: [Double] = []
        var c2PerM: [Double] = []
        /// Porous and heat boxes; a heat box always carries some.
        var powerW: Double = 0
    }

    enum FanCurve {
        case tabulated(flowM3PerS: [Double], pressurePa: [Double], rpm: Double)
        case quadratic(maxPressurePa: Double, freeDeliveryM3PerS: Double, rpm: Double)
    }

    enum PlaneKind {
        case wall
        case sheet(freeArea: Double)
        /// `direction` ±1 along the plane's axis; `rpm` nil: the curve's own speed.
        case fan(curve: FanCurve, direction: Int, rpm: Double?)
    }

    struct Plane {
        var name: String
        var axis: Int
        var positionM: Double
        /// In the other two axes in axis order; nil: the whole cross-section.
        var loM: [Double]?
        var hiM: [Double]?
        var kind: PlaneKind
    }

    enum PatchKind {
        case velocity(speedMPerS: Double, temperatureC: Double)
        case flow(flowM3PerS: Double, temperatureC: Double)
        case outlet(backflowTemperatureC: Double)
    }

    struct Patch {
        var name: String
        var side: Side
        /// In the side's two in-plane axes in axis order; nil: the whole side.
        var loM: [Double]?
        var hiM: [Double]?
        var kind: PatchKind
    }

    enum Turbulence {
        case laminar
        case mixingLength(deltaM: Double)
    }

    var name: String
    var seed: UInt64
    var sizeM: [Double]
    var maxSpacingM: Double
    var energy: Bool
    var gravity: Bool
    var turbulence: Turbulence
    var initialTemperatureC: Double
    var boxes: [Box] = []
    var planes: [Plane] = []
    var patches: [Patch] = []
}
