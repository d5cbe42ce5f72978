import RackFlowNumerics
#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A fan or blower described by its static-pressure curve, tabulated at a reference speed.
///
/// The table gives the static pressure rise `Δp_ref` (Pa) the fan develops at each volume
/// flow `Q` (m³/s) when running at `referenceRPM`, as read off a datasheet. Other speeds
/// follow the fan affinity laws (`Q ∝ N`, `Δp ∝ N²`): with `s = N / N_ref`,
/// `Δp(Q, N) = s² · Δp_ref(Q / s)`.
///
/// **Interpolation.** Between the tabulated points the curve is a monotone cubic Hermite
/// interpolant (Fritsch–Carlson; interior slopes by the Fritsch–Butland weighted harmonic
/// mean, as in PCHIP). It passes through every datasheet point, never rises where the
/// table does not, and, unlike a piecewise-linear curve, has a continuous slope: the flow
/// solver linearises the fan as `Δp ≈ Δp(Q*) + slope·(Q − Q*)`, and a slope that jumps
/// at the table points makes that iteration chatter when the operating point sits on one.
///
/// **Outside the table** the curve continues as a straight line, C¹ with the cubic:
/// - beyond the last point (free-delivery side) with the last segment's slope, so past
///   free delivery `Δp < 0` and the fan acts as a resistance to flow forced through it;
/// - below the first point, including reverse flow `Q < 0`, with the first segment's
///   slope, so the rise keeps growing as flow is pushed backwards through the fan (as an
///   axial fan's curve does in the reverse-flow quadrant, though a real one is steeper);
///   a curve whose first segment is flat holds its shut-off pressure there.
///
/// **Stopped fan.** At `rpm == 0` the affinity laws give no pressure rise at all, which
/// would make a stopped fan an open hole. A stopped impeller, hub and frame still block
/// the face, so the object carries a loss coefficient `stoppedLossCoefficient` and
/// `stoppedPressureDrop(flowM3PerS:areaM2:densityKgPerM3:)` gives the resistance the
/// solver must apply instead of `pressureRise` when the fan is stopped.
public struct FanCurve: Sendable, Codable, Equatable {
    /// Tabulated volume flows, m³/s, strictly increasing from ≥ 0.
    public let flowM3PerS: [Double]
    /// Static pressure rise at each flow, Pa, at `referenceRPM`; non-increasing, first > 0.
    public let pressurePa: [Double]
    /// Speed at which the table was measured, rev/min.
    public let referenceRPM: Double
    /// Loss coefficient ζ of the stopped fan, referred to the mean velocity over its face
    /// area (`Δp = ζ ½ ρ v²`). Defaults to `defaultStoppedLossCoefficient`.
    public let stoppedLossCoefficient: Double

    /// dΔp_ref/dQ at each table point, Pa·s/m³: the Hermite slopes of the monotone cubic.
    private let knotSlopes: [Double]
    /// Flow at which the reference curve crosses Δp = 0, m³/s.
    private let referenceFreeDeliveryM3PerS: Double

    /// Assumed ζ of a stationary axial impeller with its hub, struts and frame: **an
    /// assumption, not a measured or published value.** Reasoning: hub and blades block
    /// roughly 40 % of the face, and a sharp-edged plate of 60 % free area has ζ ≈ 2.3
    /// (`PerforatedPlate.sharpEdgedZeta`); thin, partly flow-aligned blades lose somewhat
    /// less than a plate, so 2.0. Replace it with a measured value where one exists.
    public static let defaultStoppedLossCoefficient = 2.0

    private enum CodingKeys: String, CodingKey {
        case flowM3PerS, pressurePa, referenceRPM, stoppedLossCoefficient
    }

    /// Builds a curve from datasheet points, rejecting tables the solver cannot use.
    ///
    /// Requirements (each failure is an `InputError` naming the field, with the
    /// index for table entries, e.g. `"pressurePa[3]"`):
    /// - at least 2 points, as many pressures as flows, all finite;
    /// - flows strictly increasing, the first ≥ 0;
    /// - pressure rise > 0 at the first point and non-increasing with flow. A real curve
    ///   with a stall dip must be made monotone before use (drop or flatten the points
    ///   left of the dip): on a rising branch the operating point is not unique;
    /// - the curve must reach free delivery: the last segment may not be flat at a
    ///   positive pressure (the fan would then deliver any flow at all);
    /// - `referenceRPM` finite and > 0; `stoppedLossCoefficient` finite and > 0.
    public init(
        flowM3PerS: [Double], pressurePa: [Double], referenceRPM: Double,
        stoppedLossCoefficient: Double = FanCurve.defaultStoppedLossCoefficient
    ) throws {
        try Self.validate(
            flowM3PerS: flowM3PerS, pressurePa: pressurePa, referenceRPM: referenceRPM,
            stoppedLossCoefficient: stoppedLossCoefficient)
        self.flowM3PerS = flowM3PerS
        self.pressurePa = pressurePa
        self.referenceRPM = referenceRPM
        self.stoppedLossCoefficient = stoppedLossCoefficient
        let slopes = Self.monotoneSlopes(flowM3PerS: flowM3PerS, pressurePa: pressurePa)
        knotSlopes = slopes
        referenceFreeDeliveryM3PerS = Self.freeDelivery(
            flowM3PerS: flowM3PerS, pressurePa: pressurePa,
            knotSlopes: slopes)
    }

    /// Decodes and validates like `init(flowM3PerS:pressurePa:referenceRPM:stoppedLossCoefficient:)`,
    /// so a curve read from a rack file is held to the same rules; `stoppedLossCoefficient`
    /// may be omitted.
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        try self.init(
            flowM3PerS: c.decode([Double].self, forKey: .flowM3PerS),
            pressurePa: c.decode([Double].self, forKey: .pressurePa),
            referenceRPM: c.decode(Double.self, forKey: .referenceRPM),
            stoppedLossCoefficient: c.decodeIfPresent(Double.self, forKey: .stoppedLossCoefficient)
                ?? Self.defaultStoppedLossCoefficient)
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(flowM3PerS, forKey: .flowM3PerS)
        try c.encode(pressurePa, forKey: .pressurePa)
        try c.encode(referenceRPM, forKey: .referenceRPM)
        try c.encode(stoppedLossCoefficient, forKey: .stoppedLossCoefficient)
    }

    // MARK: - Curve at any speed

    /// Static pressure rise, Pa, at flow `Q` (m³/s, positive in the fan's direction) and
    /// speed `rpm`: `s² Δp_ref(Q / s)`, `s = rpm / referenceRPM`.
    ///
    /// Negative beyond free delivery, larger than the shut-off pressure for reverse flow.
    /// `rpm ≤ 0` gives 0: a stopped fan develops no pressure, and its resistance comes
    /// from `stoppedPressureDrop` instead. (Negative speeds are not a reversed fan.)
    public func pressureRise(flowM3PerS q: Double, rpm: Double) -> Double {
        let s = rpm / referenceRPM
        if s <= 0 { return 0 }
        return s * s * reference(q / s).pressurePa
    }

    /// dΔp/dQ at flow `Q` and speed `rpm`, Pa·s/m³, always ≤ 0; `s · Δp_ref'(Q / s)`.
    ///
    /// For the implicit linearisation `Δp ≈ Δp(Q*) + slope·(Q − Q*)`. 0 when `rpm ≤ 0`.
    public func slope(flowM3PerS q: Double, rpm: Double) -> Double {
        let s = rpm / referenceRPM
        if s <= 0 { return 0 }
        return s * reference(q / s).slope
    }

    /// Flow at which the pressure rise falls to zero, m³/s; scales as `s`.
    public func freeDeliveryM3PerS(rpm: Double) -> Double {
        let s = rpm / referenceRPM
        if s <= 0 { return 0 }
        return s * referenceFreeDeliveryM3PerS
    }

    /// Shut-off pressure (the rise at zero flow), Pa; scales as `s²`. If the table starts
    /// above zero flow it is the first segment extended back to Q = 0.
    public func maxPressurePa(rpm: Double) -> Double {
        pressureRise(flowM3PerS: 0, rpm: rpm)
    }

    /// Where the fan curve meets the system curve `Δp_sys(Q) = k Q² + c Q`.
    ///
    /// Because the fan curve is non-increasing and the system curve increasing, the root
    /// is unique and lies between 0 (fan above system) and free delivery (fan at or below);
    /// it is found by bisection to a relative width of 1e-13 (about 45 curve evaluations:
    /// this is a set-up and reporting helper, not an inner-loop one). The returned
    /// pressure is the system curve's at that flow. A stopped fan (`rpm == 0`) gives (0, 0).
    ///
    /// - Parameters:
    ///   - systemK: quadratic coefficient `k`, Pa·s²/m⁶, ≥ 0.
    ///   - systemLinear: linear coefficient `c`, Pa·s/m³, ≥ 0.
    ///   - rpm: fan speed, rev/min, ≥ 0.
    public func operatingPoint(
        systemK k: Double, systemLinear c: Double = 0,
        rpm: Double
    ) throws -> (flowM3PerS: Double, pressurePa: Double) {
        guard k.isFinite, k >= 0 else {
            throw InputError(key: "systemK", "must be finite and ≥ 0 Pa·s²/m⁶, got \(k)")
        }
        guard c.isFinite, c >= 0 else {
            throw InputError(key: "systemLinear", "must be finite and ≥ 0 Pa·s/m³, got \(c)")
        }
        guard rpm.isFinite, rpm >= 0 else {
            throw InputError(key: "rpm", "fan speed must be finite and ≥ 0 rev/min, got \(rpm)")
        }
        if rpm == 0 { return (0, 0) }
        let qFree = freeDeliveryM3PerS(rpm: rpm)
        if k == 0 && c == 0 { return (qFree, 0) }
        let q = Self.bisectNonIncreasing(lo: 0, hi: qFree) { q in
            pressureRise(flowM3PerS: q, rpm: rpm) - (k * q + c) * q
        }
        return (q, (k * q + c) * q)
    }

    // MARK: - Stopped fan

    /// Pressure drop across the stopped fan, Pa: `ζ · ½ ρ v |v|` with `v = Q / A` the mean
    /// velocity over the fan's face area `A` (m², > 0; e.g. the frame's square opening)
    /// and ζ = `stoppedLossCoefficient`.
    ///
    /// Signed like the flow, so it always opposes it; the stopped fan's "rise" is minus
    /// this. Positive and growing quadratically for Q > 0.
    public func stoppedPressureDrop(flowM3PerS q: Double, areaM2: Double, densityKgPerM3: Double) -> Double {
        PerforatedPlate.pressureDrop(
            zeta: stoppedLossCoefficient, densityKgPerM3: densityKgPerM3,
            velocityMPerS: q / areaM2)
    }

    // MARK: - Datasheet units and idealised curves

    /// Pascals per conventional millimetre of water (ISO 80000-4 / BIPM conventional value).
    public static let pascalsPerMmH2O = 9.80665

    /// m³/h → m³/s.
    public static func m3PerHour(_ x: Double) -> Double { x / 3600 }
    /// mm H₂O → Pa (9.80665 Pa per mm H₂O).
    public static func mmH2O(_ x: Double) -> Double { x * pascalsPerMmH2O }
    /// ft³/min (CFM, US datasheets) → m³/s; 1 ft = 0.3048 m exactly.
    public static func cfm(_ x: Double) -> Double { x * (0.3048 * 0.3048 * 0.3048) / 60 }
    /// in H₂O (US datasheets) → Pa; 25.4 conventional mm H₂O.
    public static func inH2O(_ x: Double) -> Double { x * 25.4 * pascalsPerMmH2O }

    /// An idealised fan curve `Δp = p₀ (1 − (Q / Q_max)²)` sampled at `points` equally
    /// spaced flows from 0 to `Q_max` inclusive.
    ///
    /// For when a datasheet gives only the two end numbers (shut-off pressure and free
    /// delivery). Real axial-fan curves are not this shape: they sag in the middle and
    /// usually have a stall dip; use the datasheet's curve when there is one. The table
    /// reproduces `p₀` and `Q_max` exactly; between its points the interpolant is within
    /// ~0.3 % of `p₀` of the parabola at the default 9 points.
    public static func quadratic(
        maxPressurePa p0: Double, freeDeliveryM3PerS qMax: Double, rpm: Double,
        points: Int = 9
    ) throws -> FanCurve {
        guard points >= 2 else {
            throw InputError(key: "points", "an idealised curve needs at least 2 points, got \(points)")
        }
        guard p0.isFinite, p0 > 0 else {
            throw InputError(key: "maxPressurePa", "must be finite and > 0 Pa, got \(p0)")
        }
        guard qMax.isFinite, qMax > 0 else {
            throw InputError(key: "freeDeliveryM3PerS", "must be finite and > 0 m³/s, got \(qMax)")
        }
        let last = Double(points - 1)
        // i / last hits exactly 1 at the end, so the last point is exactly (Q_max, 0).
        let flows = (0..<points).map { qMax * (Double($0) / last) }
        let pressures = (0..<points).map { i -> Double in
            let r = Double(i) / last
            return p0 * (1 - r * r)
        }
        return try FanCurve(flowM3PerS: flows, pressurePa: pressures, referenceRPM: rpm)
    }

    // MARK: - Reference curve

    /// Δp_ref and dΔp_ref/dQ at flow `x` on the reference curve.
    private func reference(_ x: Double) -> (pressurePa: Double, slope: Double) {
        Self.interpolate(x, flowM3PerS: flowM3PerS, pressurePa: pressurePa, knotSlopes: knotSlopes)
    }

    /// The monotone cubic through (q, p) with Hermite slopes `knotSlopes`, extended by
    /// straight lines; value and derivative at `x`.
    private static func interpolate(
        _ x: Double, flowM3PerS q: [Double], pressurePa p: [Double],
        knotSlopes: [Double]
    ) -> (pressurePa: Double, slope: Double) {
        let n = q.count
        if x <= q[0] {
            return (p[0] + knotSlopes[0] * (x - q[0]), knotSlopes[0])
        }
        if x >= q[n - 1] {
            return (p[n - 1] + knotSlopes[n - 1] * (x - q[n - 1]), knotSlopes[n - 1])
        }
        // Segment [q[lo], q[hi]) holding x (a NaN x falls through to segment 0 and stays NaN).
        var lo = 0, hi = n - 1
        while hi - lo > 1 {
            let mid = (lo + hi) / 2
            if q[mid] <= x { lo = mid } else { hi = mid }
        }
        let h = q[hi] - q[lo]
        let t = (x - q[lo]) / h
        let d0 = knotSlopes[lo], d1 = knotSlopes[hi]
        let omt = 1 - t
        // Cubic Hermite basis on the segment.
        let value =
            (1 + 2 * t) * omt * omt * p[lo] + t * omt * omt * h * d0
            + t * t * (3 - 2 * t) * p[hi] + t * t * (t - 1) * h * d1
        let derivative =
            6 * t * (t - 1) * (p[lo] - p[hi]) / h
            + (1 - 4 * t + 3 * t * t) * d0 + (3 * t * t - 2 * t) * d1
        // Monotone by construction; the clamp only removes round-off of either sign near
        // flat segments, so the linearisation never sees a (destabilising) rising fan.
        return (value, min(derivative, 0))
    }

    /// Hermite slopes that keep the cubic monotone (Fritsch & Carlson 1980, SIAM J. Numer.
    /// Anal. 17(2); interior slopes by Fritsch & Butland's weighted harmonic mean, the
    /// choice of Moler's PCHIP). They lie within 3× the neighbouring secants, inside
    /// Fritsch–Carlson's sufficient region, and are 0 next to a flat segment. The end
    /// slopes are the end segments' secants, which is also the slope of the straight-line
    /// extrapolation, so the curve is C¹ across the ends of the table.
    private static func monotoneSlopes(flowM3PerS q: [Double], pressurePa p: [Double]) -> [Double] {
        let n = q.count
        let h = (0..<(n - 1)).map { q[$0 + 1] - q[$0] }
        let secant = (0..<(n - 1)).map { (p[$0 + 1] - p[$0]) / h[$0] }
        var d = [Double](repeating: 0, count: n)
        d[0] = secant[0]
        d[n - 1] = secant[n - 2]
        for k in 1..<(n - 1) where secant[k - 1] * secant[k] > 0 {
            let w1 = 2 * h[k] + h[k - 1], w2 = h[k] + 2 * h[k - 1]
            d[k] = (w1 + w2) / (w1 / secant[k - 1] + w2 / secant[k])
        }
        return d
    }

    /// The first flow at which the reference curve reaches Δp = 0.
    private static func freeDelivery(
        flowM3PerS q: [Double], pressurePa p: [Double],
        knotSlopes: [Double]
    ) -> Double {
        let n = q.count
        if let i = p.firstIndex(where: { $0 <= 0 }) {
            // i ≥ 1 since p[0] > 0; the cubic falls monotonically from p[i-1] > 0 to p[i].
            if p[i] == 0 { return q[i] }
            return bisectNonIncreasing(lo: q[i - 1], hi: q[i]) {
                interpolate($0, flowM3PerS: q, pressurePa: p, knotSlopes: knotSlopes).pressurePa
            }
        }
        // Validation guarantees the last segment falls, so the extension reaches zero.
        return q[n - 1] - p[n - 1] / knotSlopes[n - 1]
    }

    /// Root of a non-increasing `f` with `f(lo) > 0 ≥ f(hi)`, by bisection until the
    /// bracket is narrower than 1e-13 of its upper end (or cannot shrink further).
    private static func bisectNonIncreasing(lo: Double, hi: Double, _ f: (Double) -> Double) -> Double {
        var lo = lo, hi = hi
        while hi - lo > 1e-13 * abs(hi) {
            let mid = 0.5 * (lo + hi)
            if mid <= lo || mid >= hi { break }
            let v = f(mid)
            if v > 0 { lo = mid } else if v < 0 { hi = mid } else { return mid }
        }
        return 0.5 * (lo + hi)
    }

    // MARK: - Validation

    private static func validate(
        flowM3PerS q: [Double], pressurePa p: [Double], referenceRPM: Double,
        stoppedLossCoefficient: Double
    ) throws {
        guard q.count >= 2 else {
            throw InputError(key: "flowM3PerS", "a fan curve needs at least 2 points, got \(q.count)")
        }
        guard p.count == q.count else {
            throw InputError(
                key: "pressurePa",
                "has \(p.count) values for \(q.count) flows; they must pair up")
        }
        for i in q.indices where !q[i].isFinite {
            throw InputError(key: "flowM3PerS[\(i)]", "must be finite, got \(q[i])")
        }
        for i in p.indices where !p[i].isFinite {
            throw InputError(key: "pressurePa[\(i)]", "must be finite, got \(p[i])")
        }
        guard q[0] >= 0 else {
            throw InputError(
                key: "flowM3PerS[0]", "the curve must start at a flow ≥ 0 m³/s, got \(q[0])")
        }
        for i in 1..<q.count where !(q[i] > q[i - 1]) {
            throw InputError(
                key: "flowM3PerS[\(i)]",
                "flows must increase strictly, but \(q[i]) m³/s follows \(q[i - 1]) m³/s")
        }
        guard p[0] > 0 else {
            throw InputError(
                key: "pressurePa[0]",
                "the pressure rise at the first point must be > 0 Pa, got \(p[0])")
        }
        for i in 1..<p.count where p[i] > p[i - 1] {
            throw InputError(
                key: "pressurePa[\(i)]",
                "the curve must not rise with flow, but \(p[i]) Pa at \(q[i]) m³/s exceeds "
                    + "\(p[i - 1]) Pa at \(q[i - 1]) m³/s; flatten or drop the points of a stall dip")
        }
        let n = p.count
        guard p[n - 1] < p[n - 2] || p[n - 1] <= 0 else {
            throw InputError(
                key: "pressurePa[\(n - 1)]",
                "the curve must reach free delivery, but it ends flat at \(p[n - 1]) Pa > 0, "
                    + "so the fan would deliver unbounded flow")
        }
        guard referenceRPM.isFinite, referenceRPM > 0 else {
            throw InputError(key: "referenceRPM", "must be finite and > 0 rev/min, got \(referenceRPM)")
        }
        guard stoppedLossCoefficient.isFinite, stoppedLossCoefficient > 0 else {
            throw InputError(
                key: "stoppedLossCoefficient",
                "a stopped fan must resist flow: ζ must be finite and > 0, got \(stoppedLossCoefficient)")
        }
    }
}
