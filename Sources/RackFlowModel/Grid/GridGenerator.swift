import RackFlowNumerics
#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Limits the grid generator works under (DESIGN §3 "Grid").
public struct GridConstraints: Sendable, Codable, Equatable {
    /// Largest cell width anywhere (m), e.g. 0.02.
    public var maxSpacingM: Double
    /// Largest ratio of neighbouring cell widths (≥ 1), e.g. 1.3.
    public var maxNeighbourRatio: Double
    /// Fewest cells across each part's extent along an axis (0 or 1: no requirement).
    public var minCellsAcrossPart: Int
    /// Snapping tolerance (m): requested lines closer than this merge into one.
    public var minSpacingM: Double
    /// Uniform refinement (≥ 1): every cell-size cap, including the length of each interval
    /// between object lines, is divided by it — "1.5× finer in every direction" for grid studies.
    public var refinement: Double = 1

    public init(
        maxSpacingM: Double = 0.02, maxNeighbourRatio: Double = 1.3,
        minCellsAcrossPart: Int = 2, minSpacingM: Double = 0.5e-3
    ) {
        self.maxSpacingM = maxSpacingM
        self.maxNeighbourRatio = maxNeighbourRatio
        self.minCellsAcrossPart = minCellsAcrossPart
        self.minSpacingM = minSpacingM
    }
}

/// Places grid lines at object boundaries ("the grid snaps to the parts, not the parts to a
/// coarse grid") and fills between them under `GridConstraints`.
///
/// Per axis: mandatory lines are the domain ends plus every requested edge (clipped to the
/// domain), merged when closer than `minSpacingM` (the first of a cluster is kept; domain ends
/// never move). Every interval between mandatory lines gets a cap `h` = min(maxSpacing, its
/// length, partLength / minCellsAcrossPart for each part covering it). A size field
/// `S(t) = min(H, s_left + κ t, s_right + κ (L − t))` with κ = 0.9 ln(ratio) is then meshed by
/// equidistributing ∫dt/S into exactly n = ⌈∫dt/S⌉ unit steps (H ≤ h is solved so the count is
/// an integer, so no cell exceeds h). Along φ = ∫dt/S, log S is κ-Lipschitz, so neighbouring
/// widths differ by at most e^κ inside an interval and across a line whose two sides start from
/// the same size. Line sizes `s` start at the adjacent caps, are smoothed (s_i ≤ s_j + κ|x_i − x_j|),
/// and are lowered to an adjacent interval's H whenever H undercuts them by more than
/// ratio^0.1 (the slack left by 0.9 ln ratio). Each such update shrinks an `s` by a factor
/// ≥ ratio^0.1 and sizes are bounded below, so the loop ends; it is also capped, and the result
/// is verified before it is returned (a violation throws instead of returning a bad grid).
/// A total ∫dt/S within 1e-9 (relative) of an integer counts as that integer (`cellCount`):
/// 0.3 m at h = 2.5 cm is 12 cells though (0.8 − 0.5) / 0.025 is 12.000000000000002 in doubles;
/// H then stays h and the steps stretch to fit, so cells exceed h by at most that 1e-9.
public enum GridGenerator {
    /// Most cells along one axis (10⁵ lines: far beyond any grid that fits in memory in 3D).
    public static let maxCellsPerAxis = 100_000

    /// One axis on [lower, upper] with grid lines at every `edges` position and at both ends of
    /// each part (merged when closer than `minSpacingM`); each part gets ≥ `minCellsAcrossPart` cells.
    ///
    /// `zones` (lo, hi, spacing): fine zones, e.g. the racks and trays of a room in a hall graded
    /// coarser away from them. Their ends become lines and every interval inside a zone is capped at
    /// its spacing; the grading (ratio) carries the size out to `maxSpacingM` away from them.
    public static func axis(
        lower: Double, upper: Double, edges: [Double], parts: [(Double, Double)],
        constraints c: GridConstraints, zones: [(Double, Double, Double)] = []
    ) throws -> Axis {
        try validate(c)
        guard lower.isFinite, upper.isFinite else {
            throw InputError(key: "lower/upper", "domain ends must be finite (got \(lower), \(upper))")
        }
        guard lower < upper else {
            throw InputError(key: "lower/upper", "lower \(lower) must be < upper \(upper)")
        }
        for e in edges where !e.isFinite { throw InputError(key: "edges", "edge \(e) is not finite") }
        for p in parts where !(p.0.isFinite && p.1.isFinite && p.0 <= p.1) {
            throw InputError(key: "parts", "part (\(p.0), \(p.1)) must be finite with lo ≤ hi")
        }
        // Mandatory lines.
        let clippedParts = parts.map { (max(lower, min(upper, $0.0)), max(lower, min(upper, $0.1))) }
        for z in zones where !(z.0.isFinite && z.1.isFinite && z.0 < z.1 && z.2.isFinite && z.2 > 0) {
            throw InputError(key: "zones", "zone (\(z.0), \(z.1)) at \(z.2) m must be finite, lo < hi, > 0 m")
        }
        var requested = edges + clippedParts.flatMap { [$0.0, $0.1] } + zones.flatMap { [$0.0, $0.1] }
        requested = requested.filter { $0 > lower && $0 < upper }.sorted()
        var lines = [lower]
        for e in requested where e - lines[lines.count - 1] >= c.minSpacingM && e > lines[lines.count - 1] {
            lines.append(e)
        }
        if lines.count > 1 && upper - lines[lines.count - 1] < c.minSpacingM {
            lines[lines.count - 1] = upper
        } else {
            lines.append(upper)
        }
        let m = lines.count - 1 // intervals
        let len = (0..<m).map { lines[$0 + 1] - lines[$0] }

        // Caps per interval.
        let refine = max(c.refinement, 1)
        var cap = (0..<m).map { min(c.maxSpacingM, len[$0]) / refine }
        if c.minCellsAcrossPart >= 2 {
            for p in clippedParts where p.1 > p.0 {
                let hp = (p.1 - p.0) / Double(c.minCellsAcrossPart) / refine
                for k in 0..<m {
                    let mid = 0.5 * (lines[k] + lines[k + 1])
                    if mid > p.0 && mid < p.1 { cap[k] = min(cap[k], hp) }
                }
            }
        }
        for z in zones {
            for k in 0..<m {
                let mid = 0.5 * (lines[k] + lines[k + 1])
                if mid > z.0 && mid < z.1 { cap[k] = min(cap[k], z.2 / refine) }
            }
        }
        let r = c.maxNeighbourRatio
        let kappa = 0.9 * log(r)
        let slack = pow(r, 0.1)

        // Line sizes.
        var s = [Double](repeating: .infinity, count: m + 1)
        for k in 0..<m {
            s[k] = min(s[k], cap[k])
            s[k + 1] = min(s[k + 1], cap[k])
        }
        var H = cap, n = [Int](repeating: 1, count: m)
        var converged = false
        for _ in 0..<10_000 {
            for i in 1...m { s[i] = min(s[i], s[i - 1] + kappa * len[i - 1]) }
            for i in stride(from: m - 1, through: 0, by: -1) { s[i] = min(s[i], s[i + 1] + kappa * len[i]) }
            for k in 0..<m { (H[k], n[k]) = fit(L: len[k], a: s[k], b: s[k + 1], cap: cap[k], kappa: kappa) }
            var changed = false
            for k in 0..<m {
                if H[k] * slack < s[k] {
                    s[k] = H[k]
                    changed = true
                }
                if H[k] * slack < s[k + 1] {
                    s[k + 1] = H[k]
                    changed = true
                }
            }
            if !changed {
                converged = true
                break
            }
        }
        guard converged else {
            throw InputError(
                key: "maxNeighbourRatio",
                "could not grade the grid to ratio \(r) (too close to 1 for the requested lines)")
        }
        // Before any array of that length exists: a tiny spacing (or a huge refinement or
        // cells-per-part request) would otherwise allocate until the machine runs out.
        let total = n.reduce(0) { $0 + min($1, maxCellsPerAxis + 1) }
        guard total <= maxCellsPerAxis else {
            throw InputError(
                key: "maxSpacingM",
                "needs more than \(maxCellsPerAxis) cells along one axis (spacing \(c.maxSpacingM) m, refinement "
                    + "\(c.refinement), \(c.minCellsAcrossPart) cells across each part): raise the spacing"
            )
        }
        // Faces.
        var faces = [lower]
        faces.reserveCapacity(n.reduce(0, +) + 1)
        for k in 0..<m {
            let prof = Profile(L: len[k], a: s[k], b: s[k + 1], H: H[k], kappa: kappa)
            // Unit steps of φ, unless `cellCount` rounded a total just above n down to n: then
            // each step takes its share of the excess (≤ 1e-9), not the last cell all of it.
            let step = max(1, prof.total / Double(n[k]))
            for j in 1..<n[k] { faces.append(lines[k] + prof.position(atPhi: Double(j) * step)) }
            faces.append(lines[k + 1])
        }
        for i in 1..<faces.count where !(faces[i] > faces[i - 1]) {
            throw InputError(
                key: "minSpacingM",
                "grid lines collapsed near \(faces[i]) m; raise minSpacingM (\(c.minSpacingM))")
        }
        let axis = Axis(faces: faces)
        // Verify (the construction should guarantee these; never return a grid that breaks them).
        if let w = axis.widths.max(), w > c.maxSpacingM * (1 + 1e-9) {
            throw InputError(key: "maxSpacingM", "largest width \(w) exceeds \(c.maxSpacingM)")
        }
        if axis.maxNeighbourRatio > r * (1 + 1e-9) {
            throw InputError(key: "maxNeighbourRatio", "achieved ratio \(axis.maxNeighbourRatio) exceeds \(r)")
        }
        return axis
    }

    /// Three axes from axis-aligned boxes (lo, hi corners; each a line pair and a part on every
    /// axis) and planes (thin objects on faces: an axis 0/1/2 and a coordinate; a line only).
    public static func grid(
        domainLo: (Double, Double, Double), domainHi: (Double, Double, Double),
        boxes: [((Double, Double, Double), (Double, Double, Double))],
        planes: [(axis: Int, position: Double)], constraints: GridConstraints,
        zones: [[(Double, Double, Double)]] = [[], [], []]
    ) throws -> Grid {
        func comp(_ p: (Double, Double, Double), _ a: Int) -> Double { a == 0 ? p.0 : (a == 1 ? p.1 : p.2) }
        for p in planes where !(0...2).contains(p.axis) {
            throw InputError(key: "planes", "plane axis \(p.axis) must be 0, 1 or 2")
        }
        var axes: [Axis] = []
        for a in 0..<3 {
            let parts = boxes.map { (comp($0.0, a), comp($0.1, a)) }
            let edges = planes.filter { $0.axis == a }.map { $0.position }
            axes.append(
                try axis(
                    lower: comp(domainLo, a), upper: comp(domainHi, a), edges: edges, parts: parts,
                    constraints: constraints, zones: zones.count == 3 ? zones[a] : []))
        }
        return Grid(x: axes[0], y: axes[1], z: axes[2])
    }

    /// The grid line nearest `x` (ties go to the lower index): its face index and position.
    /// `position - x` is how far a requested coordinate moved when snapped.
    public static func snap(_ x: Double, to axis: Axis) -> (index: Int, position: Double) {
        let f = axis.faces
        var lo = 0, hi = f.count - 1
        if x <= f[0] { return (0, f[0]) }
        if x >= f[hi] { return (hi, f[hi]) }
        while hi - lo > 1 {
            let mid = (lo + hi) / 2
            if f[mid] <= x { lo = mid } else { hi = mid }
        }
        return (x - f[lo] <= f[hi] - x) ? (lo, f[lo]) : (hi, f[hi])
    }

    // MARK: internals

    static func validate(_ c: GridConstraints) throws {
        guard c.maxSpacingM.isFinite, c.maxSpacingM > 0 else {
            throw InputError(key: "maxSpacingM", "must be finite and > 0 (got \(c.maxSpacingM))")
        }
        guard c.maxNeighbourRatio.isFinite, c.maxNeighbourRatio >= 1 else {
            throw InputError(key: "maxNeighbourRatio", "must be finite and ≥ 1 (got \(c.maxNeighbourRatio))")
        }
        guard c.minCellsAcrossPart >= 0 else {
            throw InputError(key: "minCellsAcrossPart", "must be ≥ 0 (got \(c.minCellsAcrossPart))")
        }
        guard c.minSpacingM.isFinite, c.minSpacingM >= 0, c.minSpacingM < c.maxSpacingM else {
            throw InputError(key: "minSpacingM", "must be finite, ≥ 0 and < maxSpacingM (got \(c.minSpacingM))")
        }
    }

    /// Cells for an interval `units` cell widths long (its length over a spacing, or ∫dt/S):
    /// `wholeCount` (RackFlowNumerics/Support/WholeCount.swift) says why it is not a plain ⌈·⌉.
    static func cellCount(_ units: Double) -> Int { wholeCount(units) }

    /// Solve H ≤ cap so that ∫dt/S = n = `cellCount`(∫dt/S(cap)) exactly; when that rounded the
    /// total down (by ≤ 1e-9 relative) H stays at cap and `axis` stretches the steps instead.
    static func fit(L: Double, a: Double, b: Double, cap: Double, kappa: Double) -> (Double, Int) {
        let N0 = Profile(L: L, a: a, b: b, H: cap, kappa: kappa).total
        let n = cellCount(N0)
        if Double(n) - N0 <= 1e-12 * Double(n) { return (cap, n) }
        var lo = L / Double(n), hi = cap // N(lo) ≥ n ≥ N(hi)
        for _ in 0..<200 {
            let mid = 0.5 * (lo + hi)
            if Profile(L: L, a: a, b: b, H: mid, kappa: kappa).total > Double(n) { lo = mid } else { hi = mid }
            if hi - lo <= 1e-15 * hi { break }
        }
        return (hi, n)
    }

    /// Piecewise-linear size field S(t) = min(H, a + κt, b + κ(L − t)) on [0, L].
    struct Profile {
        var t: [Double] = [], S: [Double] = [], phi: [Double] = []
        var total: Double { phi[phi.count - 1] }

        init(L: Double, a: Double, b: Double, H: Double, kappa: Double) {
            func size(_ x: Double) -> Double { min(H, a + kappa * x, b + kappa * (L - x)) }
            var bp = [0.0, L]
            if kappa > 0 {
                for x in [(H - a) / kappa, L - (H - b) / kappa, (b - a + kappa * L) / (2 * kappa)] where x > 0 && x < L
                { bp.append(x) }
            }
            bp.sort()
            t = bp
            S = bp.map(size)
            phi = [0]
            for i in 1..<t.count { phi.append(phi[i - 1] + Profile.segPhi(t[i] - t[i - 1], S[i - 1], S[i])) }
        }

        static func segPhi(_ dt: Double, _ s1: Double, _ s2: Double) -> Double {
            let d = s2 - s1
            if abs(d) <= 1e-12 * s1 { return dt / (0.5 * (s1 + s2)) }
            return dt * log(s2 / s1) / d
        }

        /// Position t where ∫_0^t dt/S = p.
        func position(atPhi p: Double) -> Double {
            var i = 1
            while i < t.count - 1 && phi[i] < p { i += 1 }
            let dt = t[i] - t[i - 1], s1 = S[i - 1], s2 = S[i], q = p - phi[i - 1]
            let d = s2 - s1
            if abs(d) <= 1e-12 * s1 { return t[i - 1] + q * 0.5 * (s1 + s2) }
            let sAt = s1 * exp(q * d / dt)
            return t[i - 1] + (sAt - s1) * dt / d
        }
    }
}
