import RackFlowModel
import Foundation
import RackFlowNumerics
import RackFlowPhysics

/// Drawing an unseen case's planes (thin walls, perforated sheets and fans) on the lattice:
/// each fits among the others and carries a share of the inflow that keeps the case sane.
extension UnseenDraw {
    /// A drawn plane in lattice units: its axis and position, and its rectangle in the other
    /// two axes (nil: the whole cross-section).
    struct DrawnPlane {
        var axis: Int
        var position: Int
        var lo: [Int]?
        var hi: [Int]?
    }

    mutating func drawPlanes(inflowM3PerS: Double) {
        let wanted = g.below(4)
        var drawn: [DrawnPlane] = []
        var counts: [String: Int] = [:]
        func next(_ kind: String) -> String {
            counts[kind, default: 0] += 1
            return "\(kind)\(counts[kind]!)"
        }
        for _ in 0..<20 where drawn.count < wanted {
            let r = g.uniform(0, 1)
            if r < 0.3, let (axis, gap, direction) = separatingAxis() {
                var inWall = wanted - drawn.count >= 2 && g.chance(0.5)
                guard var fan = drawFanPlane(axis: axis, gap: gap, inWall: inWall) else { continue }
                if inWall && inflowM3PerS / area(fan) > Self.drawnSpeedBoundMPerS {
                    // An opening too small for the flow: the fan spans the cross-section instead.
                    inWall = false
                    fan.lo = nil
                    fan.hi = nil
                }
                let wall = DrawnPlane(axis: axis, position: fan.position, lo: nil, hi: nil)
                guard fits(wall, among: drawn) else { continue }
                let name = next("fan")
                if inWall {
                    drawn.append(wall)
                    spec.planes.append(metres(wall, name: name + "-wall", kind: .wall))
                }
                drawn.append(fan)
                let curve = drawFanCurve(inflowM3PerS: inflowM3PerS, areaM2: area(fan))
                let kind = UnseenCaseSpec.PlaneKind.fan(curve: curve.curve, direction: direction, rpm: curve.rpm)
                spec.planes.append(metres(fan, name: name, kind: kind))
                continue
            }
            let axis = g.below(3)
            let whole = r >= 0.65 && g.chance(0.5)
            guard let plane = drawPlane(axis: axis, whole: whole), fits(plane, among: drawn) else { continue }
            drawn.append(plane)
            if r < 0.65 {
                spec.planes.append(metres(plane, name: next("wall"), kind: .wall))
            } else {
                let freeArea = UnseenNumber.rounded(g.uniform(0.3, 0.9), significant: 2)
                spec.planes.append(metres(plane, name: next("sheet"), kind: .sheet(freeArea: freeArea)))
            }
        }
    }

    /// Position 20–80 % along the axis; a partial rectangle 30–80 % of each side (walls are
    /// always partial: a whole wall would seal the domain).
    private mutating func drawPlane(axis: Int, whole: Bool) -> DrawnPlane? {
        let n = lattice.units[axis]
        let first = Int((0.2 * Double(n)).rounded(.up)), last = Int((0.8 * Double(n)).rounded(.down))
        guard first <= last else { return nil }
        let position = first + g.below(last - first + 1)
        if whole { return DrawnPlane(axis: axis, position: position, lo: nil, hi: nil) }
        let (p, q) = Self.otherAxes(axis)
        let (lp, hp) = span(lattice.units[p], min: 0.3, max: 0.8, floor: 4)
        let (lq, hq) = span(lattice.units[q], min: 0.3, max: 0.8, floor: 4)
        return DrawnPlane(axis: axis, position: position, lo: [lp, lq], hi: [hp, hq])
    }

    private mutating func drawFanPlane(axis: Int, gap: (Int, Int), inWall: Bool) -> DrawnPlane? {
        let n = lattice.units[axis]
        let first = max(gap.0 + 2, Int((0.2 * Double(n)).rounded(.up)))
        let last = min(gap.1 - 2, Int((0.8 * Double(n)).rounded(.down)))
        guard first <= last else { return nil }
        let position = first + g.below(last - first + 1)
        guard inWall else { return DrawnPlane(axis: axis, position: position, lo: nil, hi: nil) }
        let (p, q) = Self.otherAxes(axis)
        let (lp, hp) = span(lattice.units[p], min: 0.3, max: 0.7, floor: 4)
        let (lq, hq) = span(lattice.units[q], min: 0.3, max: 0.7, floor: 4)
        return DrawnPlane(axis: axis, position: position, lo: [lp, lq], hi: [hp, hq])
    }

    /// The plane's rectangle in the other two axes (in axis order), as full ranges.
    func rectangle(_ p: DrawnPlane) -> (lo: [Int], hi: [Int]) {
        let (a, b) = Self.otherAxes(p.axis)
        return (p.lo ?? [0, 0], p.hi ?? [lattice.units[a], lattice.units[b]])
    }

    /// A plane must not cut through a box, nor lie over another plane at the same place.
    func fits(_ p: DrawnPlane, among drawn: [DrawnPlane]) -> Bool {
        let (a, b) = Self.otherAxes(p.axis)
        let r = rectangle(p)
        for box in boxes where box.lo[p.axis] < p.position && p.position < box.hi[p.axis] {
            if r.lo[0] < box.hi[a] && box.lo[a] < r.hi[0] && r.lo[1] < box.hi[b] && box.lo[b] < r.hi[1] { return false }
        }
        for o in drawn where o.axis == p.axis && o.position == p.position {
            let s = rectangle(o)
            if r.lo[0] < s.hi[0] && s.lo[0] < r.hi[0] && r.lo[1] < s.hi[1] && s.lo[1] < r.hi[1] { return false }
        }
        return true
    }

    func area(_ p: DrawnPlane) -> Double {
        let (a, b) = Self.otherAxes(p.axis)
        let r = rectangle(p)
        let wa = lattice.metres(a, r.hi[0]) - lattice.metres(a, r.lo[0])
        return wa * (lattice.metres(b, r.hi[1]) - lattice.metres(b, r.lo[1]))
    }

    func metres(_ p: DrawnPlane, name: String, kind: UnseenCaseSpec.PlaneKind) -> UnseenCaseSpec.Plane {
        let (a, b) = Self.otherAxes(p.axis)
        return .init(
            name: name, axis: p.axis, positionM: lattice.metres(p.axis, p.position),
            loM: p.lo.map { [lattice.metres(a, $0[0]), lattice.metres(b, $0[1])] },
            hiM: p.hi.map { [lattice.metres(a, $0[0]), lattice.metres(b, $0[1])] }, kind: kind)
    }

    /// An axis along which every inlet lies on one side of a gap and every outlet on the other:
    /// the gap (open, in lattice units) and the direction from the inlets to the outlets.
    private mutating func separatingAxis() -> (Int, (Int, Int), Int)? {
        var found: [(Int, (Int, Int), Int)] = []
        for a in 0..<3 {
            func extent(_ p: DrawnPatch) -> (Int, Int) {
                if p.side.axis == a { return p.side.isUpper ? (lattice.units[a], lattice.units[a]) : (0, 0) }
                let (b, _) = Self.inPlane(p.side)
                let i = b == a ? 0 : 1
                return p.lo.map { ($0[i], p.hi![i]) } ?? (0, lattice.units[a])
            }
            let ins = patches.filter(\.isInlet).map(extent), outs = patches.filter { !$0.isInlet }.map(extent)
            let inLo = ins.map(\.0).min()!, inHi = ins.map(\.1).max()!
            let outLo = outs.map(\.0).min()!, outHi = outs.map(\.1).max()!
            if inHi < outLo { found.append((a, (inHi, outLo), 1)) }
            if outHi < inLo { found.append((a, (outHi, inLo), -1)) }
        }
        return found.isEmpty ? nil : g.pick(found)
    }

    /// Free delivery 1.5–4 × the inflow, shut-off 4–12 dynamic pressures of the free-delivery
    /// face velocity (at least 1 Pa); tabulated (3–5 points of 1 − (Q/Q_free)^e, e in 1.5–2.5)
    /// or the {maxPressure, freeDelivery} parabola; sometimes run below its curve's speed, the
    /// curve then drawn at the reference speed so that the operating curve is the one sized.
    private mutating func drawFanCurve(
        inflowM3PerS: Double, areaM2: Double
    )
        -> (curve: UnseenCaseSpec.FanCurve, rpm: Double?)
    {
        let freeM3PerS = inflowM3PerS * g.uniform(1.5, 4)
        let faceMPerS = freeM3PerS / areaM2
        let shutOffPa = max(1, g.uniform(4, 12) * 0.5 * fluid.densityKgPerM3 * faceMPerS * faceMPerS)
        let referenceRPM = g.pick([1500.0, 2000, 2500, 3000, 4000, 6000])
        let s = g.chance(0.3) ? g.uniform(0.7, 1) : 1
        let rpm: Double? = s < 1 ? UnseenNumber.rounded(referenceRPM * s) : nil
        let scale = (rpm ?? referenceRPM) / referenceRPM
        let qRef = freeM3PerS / scale, pRef = shutOffPa / (scale * scale)
        if g.chance(0.5) {
            let p0 = UnseenNumber.rounded(pRef), q0 = UnseenNumber.rounded(qRef)
            let curve = UnseenCaseSpec.FanCurve.quadratic(maxPressurePa: p0, freeDeliveryM3PerS: q0, rpm: referenceRPM)
            return (curve, rpm)
        }
        let points = 3 + g.below(3), e = g.uniform(1.5, 2.5)
        let x = (0..<points).map { Double($0) / Double(points - 1) }
        let flow = x.map { UnseenNumber.rounded(qRef * $0) }
        let pressure = x.map { UnseenNumber.rounded(pRef * (1 - pow($0, e))) }
        return (.tabulated(flowM3PerS: flow, pressurePa: pressure, rpm: referenceRPM), rpm)
    }
}
