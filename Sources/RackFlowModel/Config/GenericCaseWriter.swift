import Foundation
import RackFlowNumerics
import RackFlowPhysics

extension GenericCase {
    /// The case as a generic-case YAML document that `parse(yaml:file:)` reads back to an
    /// equivalent case, so users see exactly what is simulated. Every setting is written out
    /// (defaults included); sheets as their ζ, fan curves as their tables; one box, plane or
    /// patch per line, under its `comment`. Solver settings outside the schema are not written.
    public func yaml() -> String {
        var out = ["# generic case compiled from \(Self.oneLine(file))"]
        out.append("name: \(Self.text(name))")
        out.append("domain: {size: \(Self.list([size.0, size.1, size.2]))}")
        let c = constraints
        out.append(
            "grid: {maxSpacing: \(Self.num(c.maxSpacingM)), maxNeighbourRatio: \(Self.num(c.maxNeighbourRatio)), "
                + "minCellsAcrossPart: \(c.minCellsAcrossPart), minSpacing: \(Self.num(c.minSpacingM))"
                + (c.refinement != 1 ? ", refinement: \(Self.num(c.refinement))}" : "}"))
        physicsLines(&out)
        sideLines(&out)
        boxLines(&out)
        planeLines(&out)
        patchLines(&out)
        let o = options
        out.append(
            "solver: {maxIterations: \(o.maxIterations), tolerance: \(Self.num(o.tolerance)), "
                + "velocityRelaxation: \(Self.num(o.velocityRelaxation)), "
                + (o.steadyVelocityRelaxation.map { "steadyVelocityRelaxation: \(Self.num($0)), " } ?? "")
                + "pseudoCourantMax: \(Self.num(o.pseudoCourantMax)), "
                + "pressureRelaxation: \(Self.num(o.pressureRelaxation)), "
                + "temperatureRelaxation: \(Self.num(o.temperatureRelaxation)), momentumSweeps: \(o.momentumSweeps), "
                + "energySweeps: \(o.energySweeps), secondOrder: \(o.secondOrder), pressureTolerance: "
                + "\(Self.num(o.pressureTolerance)), "
                + "pressureSmoother: \(o.pressureMultigrid.allowLines ? "lines" : "point"), "
                + "temperatureChange: \(o.temperatureChangeRMS ? "rms" : "largest")}")
        return out.joined(separator: "\n") + "\n"
    }

    /// `physics:`: the fluid, gravity, energy, turbulence and initial temperature; `closed:`.
    private func physicsLines(_ out: inout [String]) {
        let f = fluid
        out.append("physics:")
        out.append(
            "  fluid: {density: \(Self.num(f.densityKgPerM3)), viscosity: \(Self.num(f.viscosityPaS)), "
                + "conductivity: \(Self.num(f.conductivityWPerMK)), specificHeat: \(Self.num(f.specificHeatJPerKgK)), "
                + "expansion: \(Self.num(f.expansionPerK)), referenceTemperature: \(Self.num(f.referenceTemperatureC))}"
        )
        out.append("  gravity: \(gravity)")
        out.append("  energy: \(energy)")
        switch turbulence {
        case .laminar: out.append("  turbulence: laminar")
        case let .constantEddyViscosity(mu): out.append("  turbulence: {constantEddyViscosity: \(Self.num(mu))}")
        case let .mixingLength(delta): out.append("  turbulence: {mixingLength: {delta: \(Self.num(delta))}}")
        case .kEpsilon: out.append("  turbulence: kEpsilon")
        }
        out.append("  initialTemperature: \(Self.num(initialTemperatureC))")
        out.append("closed: \(closed)")
    }

    /// `sides:`, the sides that are given.
    private func sideLines(_ out: inout [String]) {
        let written = Side.allCases.filter { sides[$0] != nil }
        if !written.isEmpty {
            out.append("sides:")
            for side in written {
                let v: String
                switch sides[side]! {
                case .symmetry: v = "symmetry"
                case let .wall(u, thermal):
                    var w: [String] = []
                    if u != (0, 0, 0) { w.append("velocity: \(Self.list([u.0, u.1, u.2]))") }
                    if case let .temperatureC(t) = thermal { w.append("temperature: \(Self.num(t))") }
                    v = w.isEmpty ? "wall" : "{wall: {\(w.joined(separator: ", "))}}"
                }
                out.append("  \(Self.sideName[side]!): \(v)")
            }
        }
    }

    /// `boxes:`, one per line under its comment.
    private func boxLines(_ out: inout [String]) {
        if !boxes.isEmpty {
            out.append("boxes:")
            for b in boxes {
                var kv = [
                    "name: \(Self.text(b.name))", "lo: \(Self.list([b.lo.0, b.lo.1, b.lo.2]))",
                    "hi: \(Self.list([b.hi.0, b.hi.1, b.hi.2]))", "kind: \(b.kind.rawValue)",
                ]
                if b.kind == .porous, let pc = b.porous {
                    kv.append("inverseK: \(Self.list([pc.inverseKPerM2.0, pc.inverseKPerM2.1, pc.inverseKPerM2.2]))")
                    kv.append("c2: \(Self.list([pc.c2PerM.0, pc.c2PerM.1, pc.c2PerM.2]))")
                }
                if b.kind == .heat || b.powerW != 0 { kv.append("powerW: \(Self.num(b.powerW))") }
                Self.item(kv, b.comment, &out)
            }
        }
    }

    /// `planes:`, one per line under its comment.
    private func planeLines(_ out: inout [String]) {
        if !planes.isEmpty {
            out.append("planes:")
            for p in planes {
                var kv = [
                    "name: \(Self.text(p.name))", "axis: \(["x", "y", "z"][p.axis])",
                    "position: \(Self.num(p.position))",
                ]
                if let lo = p.lo, let hi = p.hi {
                    let other = [(p.axis + 1) % 3, (p.axis + 2) % 3].sorted()
                    kv += rectangle(lo, hi, other)
                }
                switch p.kind {
                case let .sheet(zeta): kv += ["kind: sheet", "zeta: \(Self.num(zeta))"]
                case .wall: kv.append("kind: wall")
                case let .fan(curve, rpm, direction):
                    kv += [
                        "kind: fan", "direction: \(direction < 0 ? -1 : 1)", "rpm: \(Self.num(rpm))",
                        "curve: \(Self.curve(curve))",
                    ]
                }
                Self.item(kv, p.comment, &out)
            }
        }
    }

    /// `patches:`, one per line under its comment.
    private func patchLines(_ out: inout [String]) {
        if !patches.isEmpty {
            out.append("patches:")
            for ps in patches {
                let p = ps.patch
                var kv = ["name: \(Self.text(p.name))", "side: \(Self.sideName[p.side]!)"]
                let a = p.side.axis
                kv += rectangle(p.lo, p.hi, a == 0 ? [1, 2] : (a == 1 ? [0, 2] : [0, 1]))
                switch p.kind {
                case let .velocityInlet(s, t):
                    kv += ["kind: velocity", "speed: \(Self.num(s))", "temperature: \(Self.num(t))"]
                case let .flowInlet(q, t):
                    kv += ["kind: flow", "flow: \(Self.num(q))", "temperature: \(Self.num(t))"]
                case let .pressureOutlet(pr, t):
                    kv += ["kind: outlet", "pressure: \(Self.num(pr))", "backflowTemperature: \(Self.num(t))"]
                case let .fanInlet(curve, rpm, pr, t):
                    kv += [
                        "kind: fan", "curve: \(Self.curve(curve))", "rpm: \(Self.num(rpm))",
                        "plenumPressure: \(Self.num(pr))", "temperature: \(Self.num(t))",
                    ]
                }
                Self.item(kv, ps.comment, &out)
            }
        }
    }

    /// `lo`/`hi` keys in the given in-plane axes; nothing for the whole side. YAML has no
    /// infinity, so an open bound becomes the domain's edge, which covers the same faces.
    private func rectangle(_ lo: (Double, Double), _ hi: (Double, Double), _ axes: [Int]) -> [String] {
        if [lo.0, lo.1].allSatisfy({ $0 == -.infinity }) && [hi.0, hi.1].allSatisfy({ $0 == .infinity }) { return [] }
        let full = [size.0, size.1, size.2]
        func clamp(_ v: Double, _ a: Int) -> Double { v == -.infinity ? 0 : (v == .infinity ? full[a] : v) }
        return [
            "lo: \(Self.list([clamp(lo.0, axes[0]), clamp(lo.1, axes[1])]))",
            "hi: \(Self.list([clamp(hi.0, axes[0]), clamp(hi.1, axes[1])]))",
        ]
    }

    private static func item(_ kv: [String], _ comment: String?, _ out: inout [String]) {
        if let comment {
            out += comment.split(separator: "\n", omittingEmptySubsequences: false).map { "  # " + $0 }
        }
        out.append("  - {" + kv.joined(separator: ", ") + "}")
    }

    private static func curve(_ c: FanCurve) -> String {
        "{flow: \(list(c.flowM3PerS)), pressure: \(list(c.pressurePa)), rpm: \(num(c.referenceRPM)), "
            + "stoppedLossCoefficient: \(num(c.stoppedLossCoefficient))}"
    }

    /// Shortest text that reads back to the same Double; whole numbers without ".0".
    static func num(_ v: Double) -> String {
        if v == v.rounded() && abs(v) < 1e15 && !(v == 0 && v.sign == .minus) { return String(Int(v)) }
        return v.description
    }

    private static func list(_ v: [Double]) -> String { "[" + v.map(num).joined(separator: ", ") + "]" }

    private static func oneLine(_ s: String) -> String {
        s.replacingOccurrences(of: "\r", with: " ").replacingOccurrences(of: "\n", with: " ")
    }

    /// A plain scalar when it cannot be misread (as a number, boolean, null or YAML syntax),
    /// else double-quoted.
    static func text(_ s: String) -> String {
        let reserved: Set<String> = ["true", "false", "yes", "no", "on", "off", "null", "y", "n"]
        let plain =
            !s.isEmpty && !reserved.contains(s.lowercased())
            && s.unicodeScalars.first.map { CharacterSet.letters.contains($0) || $0 == "_" } == true
            && s.unicodeScalars.allSatisfy {
                CharacterSet.alphanumerics.contains($0) || "_-./".unicodeScalars.contains($0)
            }
        return plain ? s : QuotedText.doubleQuoted(s, uppercaseHex: true)
    }
}

extension GenericCase {
    /// The YAML name of each side (`sideNames` read backwards).
    static let sideName = Dictionary(uniqueKeysWithValues: sideNames.map { ($1, $0) })
}
