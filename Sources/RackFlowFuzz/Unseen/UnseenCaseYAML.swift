import RackFlowModel
import Foundation
import RackFlowNumerics

extension UnseenCaseSpec {
    /// The case as generic-case YAML, the schema of `GenericCase` (docs/configuration.md, "Generic
    /// case"), with no `solver:` section: an unseen case runs on the solver's defaults, which is
    /// what it is for. One box, plane or patch per line.
    func yaml() -> String {
        typealias N = UnseenNumber
        var out = [
            "# \(name): an unseen case drawn by `rackflow unseen` from seed \(seed) (RackFlowModel/Unseen).",
            "# No solver settings: the defaults must do. Units: m, m/s, m³/s, Pa, W, °C.",
            "name: \(name)",
            "domain: {size: \(N.list(sizeM, N.metres))}",
            "grid: {maxSpacing: \(N.number(maxSpacingM))}",
            "physics:",
            "  energy: \(energy)",
            "  gravity: \(gravity)",
        ]
        switch turbulence {
        case .laminar: out.append("  turbulence: laminar")
        case let .mixingLength(delta): out.append("  turbulence: {mixingLength: {delta: \(N.metres(delta))}}")
        }
        out.append("  initialTemperature: \(N.number(initialTemperatureC))")
        if !boxes.isEmpty {
            out.append("boxes:")
            for b in boxes { out.append("  - {" + b.yamlFields().joined(separator: ", ") + "}") }
        }
        if !planes.isEmpty {
            out.append("planes:")
            for p in planes { out.append("  - {" + p.yamlFields().joined(separator: ", ") + "}") }
        }
        out.append("patches:")
        for p in patches { out.append("  - {" + p.yamlFields().joined(separator: ", ") + "}") }
        return out.joined(separator: "\n") + "\n"
    }
}

extension UnseenCaseSpec.Box {
    func yamlFields() -> [String] {
        typealias N = UnseenNumber
        var kv = [
            "name: \(name)", "lo: \(N.list(loM, N.metres))", "hi: \(N.list(hiM, N.metres))",
            "kind: \(kind.rawValue)",
        ]
        if kind == .porous {
            kv.append("inverseK: \(N.list(inverseKPerM2) { N.number($0, significant: 3) })")
            kv.append("c2: \(N.list(c2PerM) { N.number($0, significant: 3) })")
        }
        if kind == .heat || powerW > 0 { kv.append("powerW: \(N.number(powerW))") }
        return kv
    }
}

extension UnseenCaseSpec.Plane {
    func yamlFields() -> [String] {
        typealias N = UnseenNumber
        var kv = ["name: \(name)", "axis: \(["x", "y", "z"][axis])", "position: \(N.metres(positionM))"]
        if let loM, let hiM { kv += ["lo: \(N.list(loM, N.metres))", "hi: \(N.list(hiM, N.metres))"] }
        switch kind {
        case .wall:
            kv.append("kind: wall")
        case let .sheet(freeArea):
            kv += ["kind: sheet", "freeArea: \(N.number(freeArea, significant: 2))"]
        case let .fan(curve, direction, rpm):
            kv += ["kind: fan", "direction: \(direction)"]
            if let rpm { kv.append("rpm: \(N.number(rpm))") }
            switch curve {
            case let .tabulated(flow, pressure, curveRPM):
                let flows = N.list(flow) { N.number($0) }, pressures = N.list(pressure) { N.number($0) }
                kv.append("curve: {flow: \(flows), pressure: \(pressures), rpm: \(N.number(curveRPM))}")
            case let .quadratic(maxPressure, freeDelivery, curveRPM):
                kv.append(
                    "curve: {maxPressure: \(N.number(maxPressure)), freeDelivery: \(N.number(freeDelivery)), "
                        + "rpm: \(N.number(curveRPM))}")
            }
        }
        return kv
    }
}

extension UnseenCaseSpec.Patch {
    static let sideNames: [Side: String] = [
        .west: "west", .east: "east", .south: "south", .north: "north",
        .bottom: "bottom", .top: "top",
    ]

    func yamlFields() -> [String] {
        typealias N = UnseenNumber
        var kv = ["name: \(name)", "side: \(Self.sideNames[side]!)"]
        if let loM, let hiM { kv += ["lo: \(N.list(loM, N.metres))", "hi: \(N.list(hiM, N.metres))"] }
        switch kind {
        case let .velocity(speed, t):
            kv += ["kind: velocity", "speed: \(N.number(speed))", "temperature: \(N.number(t))"]
        case let .flow(flow, t):
            kv += ["kind: flow", "flow: \(N.number(flow))", "temperature: \(N.number(t))"]
        case let .outlet(t):
            kv += ["kind: outlet", "pressure: 0", "backflowTemperature: \(N.number(t))"]
        }
        return kv
    }
}

/// The text forms of the numbers an unseen case writes, and the values they read back as.
enum UnseenNumber {
    /// Lengths to 0.1 mm (fixed decimals): the same lattice point always prints the same,
    /// and distinct points stay far apart against `grid.minSpacing` (0.5 mm).
    static func metres(_ v: Double) -> String {
        trim(String(format: "%.4f", v))
    }

    /// Four significant digits; outside 1e-3…1e5 in exponent form with a point and a signed
    /// exponent (`1.235e+06`), which YAML 1.1 and 1.2 both read as a float.
    static func number(_ v: Double, significant: Int = 4) -> String {
        guard v != 0, v.isFinite else { return "0" }
        let e = Int(floor(log10(abs(v))))
        if e >= -3 && e < 5 {
            return trim(String(format: "%.*f", max(0, significant - 1 - e), v))
        }
        return String(format: "%.*e", significant - 1, v)
    }

    /// The value `metres(v)` reads back as.
    static func roundedMetres(_ v: Double) -> Double { Double(metres(v))! }

    /// The value `number(v)` reads back as.
    static func rounded(_ v: Double, significant: Int = 4) -> Double { Double(number(v, significant: significant))! }

    static func list(_ v: [Double], _ format: (Double) -> String) -> String {
        "[" + v.map(format).joined(separator: ", ") + "]"
    }

    private static func trim(_ s: String) -> String {
        guard s.contains(".") else { return s }
        var t = s
        while t.hasSuffix("0") { t.removeLast() }
        if t.hasSuffix(".") { t.removeLast() }
        return t == "-0" ? "0" : t
    }
}
