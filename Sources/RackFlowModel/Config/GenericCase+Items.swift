import Foundation
import RackFlowNumerics
import RackFlowPhysics

/// Reading a generic case's items: `boxes:`, `planes:` and `patches:` (the keys and defaults are
/// listed in GenericCase.swift), and the fan curves planes and patches carry. Names are unique per
/// list; each item's keys depend on its kind.
extension GenericCase {
    /// `boxes:`: solid, porous and heat boxes.
    static func readBoxes(_ root: ConfigNode) throws -> [Box] {
        var boxes: [Box] = []
        var boxNames: Set<String> = []
        for b in try root.optionalArray("boxes") {
            _ = try b.mapping()
            let kindS = try b.choice("kind", ["solid", "porous", "heat"])
            let kind = BoxKind(rawValue: kindS)!
            var allowed = ["name", "lo", "hi", "kind"]
            switch kind {
            case .solid: break
            case .porous: allowed += ["inverseK", "c2", "powerW"]
            case .heat: allowed += ["powerW"]
            }
            try b.checkKeys(allowed: allowed)
            let name = try b.string("name")
            try Self.checkUnique(name, "box", &boxNames, b)
            let lo = try b.vector3("lo"), hi = try b.vector3("hi")
            try Self.checkBounds(Box(name: name, lo: lo, hi: hi, kind: kind, node: b))
            var porous: PorousCoefficients? = nil
            var power = 0.0
            if kind == .porous {
                let ik = try b.vector3("inverseK"), c2 = try b.vector3("c2")
                for (key, v) in [("inverseK", ik), ("c2", c2)] {
                    for (i, x) in [v.0, v.1, v.2].enumerated() where x < 0 {
                        throw try b.required(key).array()[i].error("must be ≥ 0 (got \(configFormat(x)))")
                    }
                }
                porous = PorousCoefficients(inverseKPerM2: ik, c2PerM: c2)
                power = try b.double("powerW", default: 0, "must be ≥ 0") { $0 >= 0 }
            } else if kind == .heat {
                power = try b.double("powerW", "must be ≥ 0") { $0 >= 0 }
            }
            boxes.append(Box(name: name, lo: lo, hi: hi, kind: kind, porous: porous, powerW: power, node: b))
        }
        return boxes
    }

    /// `planes:`: perforated sheets, thin walls and fans.
    static func readPlanes(_ root: ConfigNode) throws -> [Plane] {
        var planes: [Plane] = []
        var planeNames: Set<String> = []
        for p in try root.optionalArray("planes") {
            _ = try p.mapping()
            let kindS = try p.choice("kind", ["sheet", "wall", "fan"])
            var allowed = ["name", "axis", "position", "lo", "hi", "kind"]
            switch kindS {
            case "sheet": allowed += ["freeArea", "zeta", "thickness", "holeDiameter"]
            case "fan": allowed += ["direction", "rpm", "curve"]
            default: break
            }
            try p.checkKeys(allowed: allowed)
            let name = try p.string("name")
            try Self.checkUnique(name, "plane", &planeNames, p)
            let axis = Self.axisNames[try p.choice("axis", ["x", "y", "z"])]!
            let position = try p.double("position")
            let lo = try p.optionalVector2("lo"), hi = try p.optionalVector2("hi")
            try Self.checkRectangle(lo, hi, p, whole: "whole cross-section")
            let kind: PlaneKind
            switch kindS {
            case "sheet":
                kind = .sheet(zeta: try sheetZeta(Layered(p))) // one reader for sheets in cases and parts
            case "fan":
                let curveNode = try p.required("curve")
                let curve = try Self.fanCurve(curveNode)
                let rpm = try p.double("rpm", default: curve.referenceRPM, "must be ≥ 0 rev/min") { $0 >= 0 }
                let dir = try p.int("direction", default: 1)
                guard dir == 1 || dir == -1 else { throw p.error("direction", "must be 1 or -1 (got \(dir))") }
                kind = .fan(curve: curve, rpm: rpm, direction: Double(dir))
            default:
                kind = .wall
            }
            planes.append(Plane(name: name, axis: axis, position: position, lo: lo, hi: hi, kind: kind, node: p))
        }
        return planes
    }

    /// `patches:`: inlets and outlets on rectangles of the sides.
    static func readPatches(_ root: ConfigNode) throws -> [PatchSpec] {
        var patches: [PatchSpec] = []
        var patchNames: Set<String> = []
        for p in try root.optionalArray("patches") {
            _ = try p.mapping()
            let kindS = try p.choice("kind", ["velocity", "flow", "outlet", "fan"])
            var allowed = ["name", "side", "lo", "hi", "kind"]
            switch kindS {
            case "velocity": allowed += ["speed", "temperature"]
            case "flow": allowed += ["flow", "temperature"]
            case "outlet": allowed += ["pressure", "backflowTemperature"]
            default: allowed += ["curve", "rpm", "plenumPressure", "temperature"]
            }
            try p.checkKeys(allowed: allowed)
            let name = try p.string("name")
            try Self.checkUnique(name, "patch", &patchNames, p)
            let side = Self.sideNames[try p.choice("side", ["west", "east", "south", "north", "bottom", "top"])]!
            let lo = try p.optionalVector2("lo"), hi = try p.optionalVector2("hi")
            try Self.checkRectangle(lo, hi, p, whole: "whole side")
            func temp(_ k: String) throws -> Double {
                try p.double(k, default: 20, "must be above absolute zero (°C)") { $0 > -273.15 }
            }
            let kind: Patch.Kind
            switch kindS {
            case "velocity":
                // Inward only: a negative speed or flow drew air out with the inlet's boundary
                // treatment and left the mass balance at 100 %. An outlet is `kind: outlet`.
                let speed = try p.double("speed", "must be ≥ 0 m/s, into the domain (an outlet is kind: outlet)") {
                    $0 >= 0
                }
                kind = .velocityInlet(speedMPerS: speed, temperatureC: try temp("temperature"))
            case "flow":
                let flow = try p.double("flow", "must be ≥ 0 m³/s, into the domain (an outlet is kind: outlet)") {
                    $0 >= 0
                }
                kind = .flowInlet(flowM3PerS: flow, temperatureC: try temp("temperature"))
            case "outlet":
                kind = .pressureOutlet(
                    pressurePa: try p.double("pressure", default: 0),
                    backflowTemperatureC: try temp("backflowTemperature"))
            default:
                let curve = try Self.fanCurve(try p.required("curve"))
                let rpm = try p.double("rpm", default: curve.referenceRPM, "must be ≥ 0 rev/min") { $0 >= 0 }
                kind = .fanInlet(
                    curve: curve, rpm: rpm, plenumPressurePa: try p.double("plenumPressure", default: 0),
                    temperatureC: try temp("temperature"))
            }
            let patch = Patch(
                name: name, side: side, lo: lo ?? (-.infinity, -.infinity), hi: hi ?? (.infinity, .infinity), kind: kind
            )
            patches.append(PatchSpec(patch: patch, node: p))
        }
        return patches
    }

    /// A fan curve from `{flow: […], pressure: […], rpm, stoppedLossCoefficient?}` or
    /// `{maxPressure, freeDelivery, rpm}`; FanCurve's own errors are reported at the key.
    static func fanCurve(_ n: ConfigNode) throws -> FanCurve {
        _ = try n.mapping()
        let tabulated = n.has("flow") || n.has("pressure")
        try n.checkKeys(
            allowed: tabulated
                ? ["flow", "pressure", "rpm", "stoppedLossCoefficient"]
                : ["maxPressure", "freeDelivery", "rpm", "flow", "pressure", "stoppedLossCoefficient"])
        let rpm = try n.double("rpm")
        let keyMap = [
            "flowM3PerS": "flow", "pressurePa": "pressure", "referenceRPM": "rpm",
            "stoppedLossCoefficient": "stoppedLossCoefficient", "maxPressurePa": "maxPressure",
            "freeDeliveryM3PerS": "freeDelivery",
        ]
        do {
            if tabulated {
                return try FanCurve(
                    flowM3PerS: try n.required("flow").doubles(), pressurePa: try n.required("pressure").doubles(),
                    referenceRPM: rpm,
                    stoppedLossCoefficient: try n.double(
                        "stoppedLossCoefficient", default: FanCurve.defaultStoppedLossCoefficient))
            } else {
                if n.has("stoppedLossCoefficient") {
                    throw n.error("stoppedLossCoefficient", "only with a tabulated curve (flow, pressure)")
                }
                return try FanCurve.quadratic(
                    maxPressurePa: try n.double("maxPressure"), freeDeliveryM3PerS: try n.double("freeDelivery"),
                    rpm: rpm)
            }
        } catch let e as InputError where e.file == nil {
            // "pressurePa[3]" → child "pressure", element 3.
            var base = e.keyPath, index: Int? = nil
            if let b = e.keyPath.firstIndex(of: "["), let close = e.keyPath.firstIndex(of: "]") {
                base = String(e.keyPath[..<b])
                index = Int(e.keyPath[e.keyPath.index(after: b)..<close])
            }
            let key = keyMap[base] ?? base
            if let c = n.child(key) {
                if let index, let items = try? c.array(), index < items.count { throw items[index].error(e.problem) }
                throw c.error(e.problem)
            }
            throw n.error(key, e.problem)
        }
    }
}
