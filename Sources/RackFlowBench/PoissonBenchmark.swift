import RackFlowNumerics

/// The benchmark Poisson problem of `rackflow bench poisson`: −∇·(k∇φ) = f on the unit
/// cube of N³ cells, k = 10 in the half x > 0.5 and 1 elsewhere (a 10:1 jump), three solid
/// blocks inside, φ = 0 on the west side (x = 0), insulated elsewhere, and a smooth
/// source. With `stretch > 0` the grid clusters toward every wall (tanh map).
public struct PoissonBenchmark {
    public let n: Int
    public let problem: DiffusionProblem
    public let rhs: [Double]

    /// Solid blocks (lower, upper corners) in unit-cube coordinates.
    public static let solids: [((Double, Double, Double), (Double, Double, Double))] = [
        ((0.20, 0.20, 0.30), (0.35, 0.80, 0.45)),
        ((0.60, 0.10, 0.60), (0.80, 0.30, 0.90)),
        ((0.40, 0.55, 0.05), (0.70, 0.70, 0.25)),
    ]

    public init(
        n: Int, stretch: Double = 0, constantCoefficient: Bool = false, allDirichlet: Bool = false,
        withSolids: Bool = true
    ) {
        self.n = n
        let axis = stretch > 0 ? Axis.clustered(n, to: 1, strength: stretch) : Axis.uniform(n, to: 1)
        let grid = Grid(x: axis, y: axis, z: axis)
        var tags = GridTags(grid)
        if withSolids { for (lo, hi) in Self.solids { tags.fill(.solid, lo: lo, hi: hi) } }
        var k = [Double](repeating: 1, count: grid.cellCount)
        if !constantCoefficient {
            for c in 0..<grid.cellCount where grid.x.centres[c % n] > 0.5 { k[c] = 10 }
        }
        var p = DiffusionProblem(grid: grid, coefficient: k, tags: tags)
        p.boundaries[.west] = .value(0)
        if allDirichlet { for s in Side.allCases { p.boundaries[s] = .value(0) } }
        problem = p
        rhs = p.rightHandSide { x, y, z in Self.source(x, y, z) }
    }

    /// The source f(x, y, z): smooth, positive, not aligned with the grid.
    public static func source(_ x: Double, _ y: Double, _ z: Double) -> Double {
        1 + sin(3.1 * x + 0.4) * cos(2.3 * y) * (0.5 + z)
    }
}

#if canImport(Glibc)
    import Glibc
#endif
