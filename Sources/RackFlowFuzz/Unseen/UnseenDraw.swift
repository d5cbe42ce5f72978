import RackFlowModel
import Foundation
import RackFlowNumerics
import RackFlowPhysics

/// The random choices of one unseen case, made on a lattice of about half the expected cell
/// width: every box corner, plane position and patch edge is a lattice point, so two features
/// are either on the same grid line or at least half a cell apart (no sliver cells that would
/// grade the grid out of its cell range), and features are at least 2.5 expected cells thick.
///
/// What is drawn (ranges of the `rackflow unseen` brief; m, m/s, m³/s, Pa, W, °C):
/// - a box domain, each side log-uniform in 0.2–2 m;
/// - 1–2 inlets (velocity, or the same speed as a flow rate) and 1–2 pressure outlets, each on
///   any side, a rectangle or the whole side, never overlapping another patch;
/// - speeds log-uniform in 0.2–10 m/s, capped so that the mean speed through the outlets and
///   through a fan's opening stays below `UnseenCaseCheck.maxMeanSpeedMPerS`; a laminar case
///   (one in three) keeps every inlet's Reynolds number on its hydraulic diameter below 2300,
///   the classic transition value of pipe flow (White, *Fluid Mechanics*, 7th ed., §6.1), so a
///   laminar case is not a case that would be turbulent in reality; otherwise mixing length
///   with δ the hydraulic diameter of the domain's cross-section normal to its longest side (δ
///   is "the domain's or a passage's hydraulic diameter", `MixingLength`);
/// - 1–4 boxes (solid, porous, heat), inside the domain, never overlapping, and kept out of a
///   slab in front of every patch so no inlet blows into a wall of solid; porous 1/K
///   log-uniform 1e2–1e7 1/m² and C2 uniform 0–200 1/m per axis; a porous box may span the
///   domain along an axis (a filter across a duct);
/// - 0–3 planes: partial thin walls, perforated sheets (free area 0.3–0.9), and fans, which
///   only stand where they separate every inlet from every outlet and always blow from the
///   inlets' side to the outlets' side, with free delivery 1.5–4 × the inflow (so the forced
///   flow is below free delivery and the fan helps it) and a shut-off pressure 4–12 dynamic
///   pressures of the free-delivery face velocity (a 120 mm, 3000 rev/min axial fan: 0.05 m³/s
///   through 0.011 m², 4.4 m/s, 12 Pa dynamic; 50–100 Pa shut-off); a fan either spans the
///   cross-section or sits in a wall across it.
///
/// Heat, energy and buoyancy are drawn later by the generator, once the grid gives the inflow.
struct UnseenDraw {
    /// Lattice points per axis; point k of axis a is at `sizeM[a] · k / units[a]`.
    struct Lattice {
        var sizeM: [Double]
        var units: [Int]
        func metres(_ axis: Int, _ k: Int) -> Double {
            UnseenNumber.roundedMetres(sizeM[axis] * Double(k) / Double(units[axis]))
        }
    }

    /// An axis-aligned block of lattice cells, [lo, hi) per axis.
    struct Block {
        var lo: [Int]
        var hi: [Int]
        func overlaps(_ o: Block) -> Bool {
            (0..<3).allSatisfy { lo[$0] < o.hi[$0] && o.lo[$0] < hi[$0] }
        }
    }

    struct DrawnPatch {
        var side: Side
        /// In the side's in-plane axes; nil: the whole side.
        var lo: [Int]?
        var hi: [Int]?
        var isInlet: Bool
    }

    static let inletReynoldsLimit = 2300.0
    static let speedRangeMPerS = 0.2...10.0

    var g: SplitMix64
    var lattice: Lattice
    var fluid = Fluid()
    var patches: [DrawnPatch] = []
    var boxes: [Block] = []
    var spec: UnseenCaseSpec

    /// The two axes other than `axis`, in axis order (a plane's or a side's in-plane axes).
    static func otherAxes(_ axis: Int) -> (Int, Int) {
        SIMD3<Int>.transverse(axis)
    }

    static func inPlane(_ side: Side) -> (Int, Int) { otherAxes(side.axis) }

    /// Draws the domain: sides log-uniform in 0.2–2 m (to the centimetre), redrawn until the
    /// thinnest side holds at least 6 cells at the spacing that gives `targetCells`.
    init(seed: UInt64, attempt: Int, targetCells: Double) throws {
        var g = SplitMix64.forCase(seed: seed, index: attempt)
        var size: [Double] = []
        var spacing = 0.0
        for _ in 0..<500 {
            size = []
            for _ in 0..<3 { size.append((g.logUniform(0.2, 2) * 100).rounded() / 100) }
            spacing = cbrt(size.reduce(1, *) / targetCells)
            if size.min()! >= 6 * spacing { break }
        }
        guard size.min()! >= 6 * spacing else {
            throw InputError("no domain of sides 0.2–2 m holds 6 cells across at \(Int(targetCells)) cells")
        }
        let units = size.map { max(12, Int(($0 / (spacing / 2)).rounded())) }
        self.g = g
        lattice = Lattice(sizeM: size, units: units)
        spec = UnseenCaseSpec(
            name: "unseen-\(seed)", seed: seed, sizeM: size, maxSpacingM: spacing,
            energy: false, gravity: false, turbulence: .laminar, initialTemperatureC: 20)
    }

    // MARK: - Patches

    mutating func drawPatches() throws {
        let inlets = 1 + (g.chance(0.35) ? 1 : 0), outlets = 1 + (g.chance(0.35) ? 1 : 0)
        for i in 0..<(inlets + outlets) {
            guard let p = drawPatch(isInlet: i < inlets) else { throw InputError("no room for patch \(i + 1)") }
            patches.append(p)
        }
    }

    private mutating func drawPatch(isInlet: Bool) -> DrawnPatch? {
        for _ in 0..<40 {
            let side = Side(rawValue: g.below(6))!
            let onSide = patches.filter { $0.side == side }
            if onSide.contains(where: { $0.lo == nil }) { continue }
            if onSide.isEmpty && g.chance(0.25) { return DrawnPatch(side: side, lo: nil, hi: nil, isInlet: isInlet) }
            let (b, c) = Self.inPlane(side)
            let (lb, hb) = span(lattice.units[b], min: 0.15, max: 0.6, floor: 4)
            let (lc, hc) = span(lattice.units[c], min: 0.15, max: 0.6, floor: 4)
            let clash = onSide.contains { o in
                guard let olo = o.lo, let ohi = o.hi else { return true }
                return lb < ohi[0] && olo[0] < hb && lc < ohi[1] && olo[1] < hc
            }
            if !clash { return DrawnPatch(side: side, lo: [lb, lc], hi: [hb, hc], isInlet: isInlet) }
        }
        return nil
    }

    /// A random interval of `n` lattice units whose length is between the fractions `min` and
    /// `max` of `n` (at least `floor` units, at most `n`).
    mutating func span(_ n: Int, min: Double, max: Double, floor: Int) -> (Int, Int) {
        let shortest = Swift.min(n, Swift.max(floor, Int((min * Double(n)).rounded(.up))))
        let longest = Swift.min(n, Swift.max(shortest, Int((max * Double(n)).rounded(.down))))
        let length = shortest + g.below(longest - shortest + 1)
        let start = g.below(n - length + 1)
        return (start, start + length)
    }

    /// The slab in front of a patch (15 % of the domain deep, at least 3 units) that no box enters.
    func keepOut(_ p: DrawnPatch) -> Block {
        let a = p.side.axis, (b, c) = Self.inPlane(p.side), n = lattice.units
        let depth = max(3, Int((0.15 * Double(n[a])).rounded(.up)))
        var lo = [0, 0, 0], hi = n
        lo[a] = p.side.isUpper ? n[a] - depth : 0
        hi[a] = p.side.isUpper ? n[a] : depth
        if let plo = p.lo, let phi = p.hi {
            lo[b] = plo[0]
            hi[b] = phi[0]
            lo[c] = plo[1]
            hi[c] = phi[1]
        }
        return Block(lo: lo, hi: hi)
    }

    /// Area (m²) and hydraulic diameter 4A/P (m) of a patch as drawn.
    func patchGeometry(_ p: DrawnPatch) -> (areaM2: Double, hydraulicDiameterM: Double) {
        let (b, c) = Self.inPlane(p.side)
        let wb = p.lo.map { lattice.metres(b, p.hi![0]) - lattice.metres(b, $0[0]) } ?? lattice.sizeM[b]
        let wc = p.lo.map { lattice.metres(c, p.hi![1]) - lattice.metres(c, $0[1]) } ?? lattice.sizeM[c]
        return (wb * wc, 2 * wb * wc / (wb + wc))
    }

    // MARK: - Flow and turbulence

    /// The speed bound drawn to: 90 % of the check's, as the grid's patch areas differ a little
    /// from the drawn rectangles.
    static var drawnSpeedBoundMPerS: Double { 0.9 * UnseenCaseCheck.maxMeanSpeedMPerS }

    /// Inlet speeds, kinds and temperatures, outlets, and the turbulence model. Returns the
    /// nominal inflow (m³/s, on the drawn rectangles) for sizing fans.
    mutating func drawFlow() throws -> Double {
        let nu = fluid.viscosityPaS / fluid.densityKgPerM3
        let geometry = patches.map(patchGeometry)
        let inletArea = zip(patches, geometry).filter { $0.0.isInlet }.reduce(0) { $0 + $1.1.areaM2 }
        let outletArea = zip(patches, geometry).filter { !$0.0.isInlet }.reduce(0) { $0 + $1.1.areaM2 }
        // Every inlet at this speed puts the bound through the outlets.
        let fastest = min(Self.speedRangeMPerS.upperBound, Self.drawnSpeedBoundMPerS * outletArea / inletArea)
        guard fastest >= Self.speedRangeMPerS.lowerBound else {
            throw InputError("outlets too small for the slowest inlet")
        }
        var laminar = g.chance(1.0 / 3)
        let limits = zip(patches, geometry).filter { $0.0.isInlet }.map { _, geo in
            min(fastest, Self.inletReynoldsLimit * nu / geo.hydraulicDiameterM)
        }
        if limits.contains(where: { $0 < Self.speedRangeMPerS.lowerBound }) { laminar = false }
        let sorted = lattice.sizeM.sorted()
        spec.turbulence =
            laminar
            ? .laminar
            : .mixingLength(deltaM: UnseenNumber.roundedMetres(2 * sorted[0] * sorted[1] / (sorted[0] + sorted[1])))

        var inflowM3PerS = 0.0, temperatures: [Double] = []
        var inletIndex = 0, outletIndex = 0
        var drawnKinds: [UnseenCaseSpec.PatchKind?] = []
        for (p, geo) in zip(patches, geometry) {
            guard p.isInlet else {
                drawnKinds.append(nil)
                continue
            }
            let top = laminar ? limits[inletIndex] : fastest
            let speed = UnseenNumber.rounded(g.logUniform(Self.speedRangeMPerS.lowerBound, top))
            var t = (g.uniform(16, 30) * 10).rounded() / 10
            if let first = temperatures.first, g.chance(0.5) { t = first }
            temperatures.append(t)
            inletIndex += 1
            if g.chance(0.4) {
                let flow = UnseenNumber.rounded(speed * geo.areaM2)
                inflowM3PerS += flow
                drawnKinds.append(.flow(flowM3PerS: flow, temperatureC: t))
            } else {
                inflowM3PerS += speed * geo.areaM2
                drawnKinds.append(.velocity(speedMPerS: speed, temperatureC: t))
            }
        }
        let meanC = (temperatures.reduce(0, +) / Double(temperatures.count) * 10).rounded() / 10
        spec.initialTemperatureC = temperatures[0]
        inletIndex = 0
        spec.patches = zip(patches, drawnKinds).map { p, kind in
            let (b, c) = Self.inPlane(p.side)
            let lo = p.lo.map { [lattice.metres(b, $0[0]), lattice.metres(c, $0[1])] }
            let hi = p.hi.map { [lattice.metres(b, $0[0]), lattice.metres(c, $0[1])] }
            if let kind {
                inletIndex += 1
                return .init(name: "inlet\(inletIndex)", side: p.side, loM: lo, hiM: hi, kind: kind)
            }
            outletIndex += 1
            return .init(
                name: "outlet\(outletIndex)", side: p.side, loM: lo, hiM: hi,
                kind: .outlet(backflowTemperatureC: meanC))
        }
        return inflowM3PerS
    }

    // MARK: - Boxes

    mutating func drawBoxes() throws {
        let count = 1 + g.below(4)
        let keepOuts = patches.map(keepOut)
        var counts: [UnseenCaseSpec.BoxKind: Int] = [:]
        for _ in 0..<count {
            let r = g.uniform(0, 1)
            let kind: UnseenCaseSpec.BoxKind = r < 0.35 ? .solid : (r < 0.8 ? .porous : .heat)
            guard let block = drawBlock(spanning: kind == .porous, avoiding: keepOuts) else { continue }
            boxes.append(block)
            counts[kind, default: 0] += 1
            let stem: String
            switch kind {
            case .solid: stem = "block"
            case .porous: stem = "porous"
            case .heat: stem = "heater"
            }
            let name = stem + "\(counts[kind]!)"
            var box = UnseenCaseSpec.Box(
                name: name, kind: kind, loM: (0..<3).map { lattice.metres($0, block.lo[$0]) },
                hiM: (0..<3).map { lattice.metres($0, block.hi[$0]) })
            if kind == .porous {
                box.inverseKPerM2 = (0..<3).map { _ in UnseenNumber.rounded(g.logUniform(1e2, 1e7), significant: 3) }
                box.c2PerM = (0..<3).map { _ in UnseenNumber.rounded(g.uniform(0, 200), significant: 3) }
            }
            spec.boxes.append(box)
        }
        guard !boxes.isEmpty else { throw InputError("no box fits beside the patches") }
    }

    /// 10–45 % of the domain per axis (at least 5 units); a porous box may span an axis whole.
    private mutating func drawBlock(spanning: Bool, avoiding keepOuts: [Block]) -> Block? {
        for _ in 0..<40 {
            var lo = [0, 0, 0], hi = lattice.units
            for a in 0..<3 where !(spanning && g.chance(0.2)) {
                (lo[a], hi[a]) = span(lattice.units[a], min: 0.1, max: 0.45, floor: 5)
            }
            let b = Block(lo: lo, hi: hi)
            if !keepOuts.contains(where: b.overlaps) && !boxes.contains(where: b.overlaps) { return b }
        }
        return nil
    }
}

extension UnseenDraw {
    /// Heat, once the grid gives the inflow Q (m³/s): up to 5 kW over the porous and heat
    /// boxes, at most 98 % of what keeps the mean rise P / (ρ c_p Q) within
    /// `UnseenCaseCheck.maxMeanRiseK`; a case with a heat box always carries heat, others in
    /// three cases of four. Energy is solved with heat (and in three cases of ten without, where
    /// inlets of different temperatures mix); gravity acts in half of the cases with energy.
    mutating func drawHeat(inflowM3PerS q: Double) {
        let heated = spec.boxes.indices.filter { spec.boxes[$0].kind != .solid }
        let mustHeat = spec.boxes.contains { $0.kind == .heat }
        var powerW = 0.0
        if !heated.isEmpty && (mustHeat || g.chance(0.75)) {
            let perKelvinW = fluid.densityKgPerM3 * fluid.specificHeatJPerKgK * q
            powerW = min(5000, 0.98 * UnseenCaseCheck.maxMeanRiseK * perKelvinW) * g.uniform(0.05, 1)
        }
        if powerW > 0 {
            var weights = heated.map { spec.boxes[$0].kind == .heat || g.chance(0.7) ? g.uniform(0.2, 1) : 0 }
            if weights.allSatisfy({ $0 == 0 }) { weights[0] = 1 }
            let sum = weights.reduce(0, +)
            for (i, w) in zip(heated, weights) where w > 0 {
                spec.boxes[i].powerW = UnseenNumber.rounded(powerW * w / sum)
            }
        }
        spec.energy = powerW > 0 || g.chance(0.3)
        spec.gravity = spec.energy && g.chance(0.5)
    }
}

extension SplitMix64 {
    /// Uniform in [a, b).
    mutating func uniform(_ a: Double, _ b: Double) -> Double {
        a + (b - a) * Double(next() >> 11) / Double(1 << 53)
    }

    /// Log-uniform in [a, b), a > 0: every decade equally likely.
    mutating func logUniform(_ a: Double, _ b: Double) -> Double {
        exp(uniform(log(a), log(b)))
    }
}
