import RackFlowNumerics

/// Darcy–Forchheimer coefficients of a porous cell, per axis: the momentum sink is
/// S_a = −(μ / K_a) u_a − ½ ρ C2_a |u| u_a, with `inverseK` = 1/K (1/m²) and `c2` (1/m).
public struct PorousCoefficients: Sendable, Equatable {
    public var inverseKPerM2: (Double, Double, Double)
    public var c2PerM: (Double, Double, Double)
    public init(inverseKPerM2: (Double, Double, Double), c2PerM: (Double, Double, Double)) {
        self.inverseKPerM2 = inverseKPerM2
        self.c2PerM = c2PerM
    }
    public static func == (a: Self, b: Self) -> Bool {
        a.inverseKPerM2 == b.inverseKPerM2 && a.c2PerM == b.c2PerM
    }
    @inline(__always) func inverseK(_ a: Int) -> Double {
        a == 0 ? inverseKPerM2.0 : (a == 1 ? inverseKPerM2.1 : inverseKPerM2.2)
    }
    @inline(__always) func c2(_ a: Int) -> Double { a == 0 ? c2PerM.0 : (a == 1 ? c2PerM.1 : c2PerM.2) }
}

/// Eddy viscosity model.
public enum TurbulenceModel: Sendable {
    case laminar
    /// A constant turbulent viscosity μ_t (Pa·s) added to μ.
    case constantEddyViscosity(Double)
    /// Prandtl mixing length ℓ = min(κ d, 0.09 δ) from the wall distance d, μ_t = ρ ℓ² |S|,
    /// turbulent Prandtl number 0.85; δ is the flow's size (e.g. a hydraulic diameter), m.
    case mixingLength(deltaM: Double)
    /// The standard k–ε model with buoyant production (Turbulence/KEpsilon.swift): the length
    /// scale travels with the flow, as a plume's width does.
    case kEpsilon
}

/// A set of faces carrying a fan's pressure jump Δp(Q, N) along `axis`, pushing toward
/// +axis (`direction` +1) or −axis (−1).
public struct FanFaces: Sendable {
    public var name: String
    public var axis: Int
    public var direction: Double
    /// Indices into the face array of `axis` (as `FaceField`).
    public var faces: [Int]
    /// Δp at the current speed for a flow Q (m³/s, along `direction`), and dΔp/dQ.
    public var pressureRise: @Sendable (Double) -> Double
    public var slope: @Sendable (Double) -> Double
    public init(
        name: String, axis: Int, direction: Double, faces: [Int],
        pressureRise: @escaping @Sendable (Double) -> Double, slope: @escaping @Sendable (Double) -> Double
    ) {
        self.name = name
        self.axis = axis
        self.direction = direction
        self.faces = faces
        self.pressureRise = pressureRise
        self.slope = slope
    }
}

/// Everything the flow solver needs, in SI units: a tagged grid, the fluid, boundary
/// conditions, and the objects on it. It knows nothing about racks.
public struct FlowCase {
    public var grid: Grid
    public var tags: GridTags
    public var fluid: Fluid = .air
    /// Conditions of whole sides (default: stationary adiabatic walls).
    public var sides: [Side: SideCondition] = [:]
    /// Inlets and outlets; a face covered by several takes the last.
    public var patches: [Patch] = []
    /// Gravity −9.80665 m/s² along z with Boussinesq buoyancy.
    public var gravity = false
    public var solveEnergy = false
    /// Heat released into each cell, W (length = cells, or empty).
    public var heatW: [Double] = []
    /// Porous coefficients of cells tagged `.porous`, by cell index.
    public var porous: [Int: PorousCoefficients] = [:]
    /// Loss coefficient ζ of faces tagged `.porousSheet`: per axis, face index → ζ.
    public var sheetZeta: [[Int: Double]] = [[:], [:], [:]]
    public var fans: [FanFaces] = []
    public var turbulence: TurbulenceModel = .laminar
    public var initialTemperatureC: Double = 20

    public init(grid: Grid, tags: GridTags? = nil) {
        self.grid = grid
        self.tags = tags ?? GridTags(grid)
    }

    /// Sides that are walls for the wall distance and the near-wall strain rate: every side
    /// but symmetry planes (patches on a wall side count as wall there).
    public var wallSides: Set<Side> {
        Set(
            Side.allCases.filter { side in
                if case .symmetry? = sides[side] { return false }
                return true
            })
    }

    /// The condition of each boundary face of a side, row-major over the side's two in-plane
    /// axes (first axis fastest).
    public func boundaryFaces(_ side: Side) -> [BoundaryFace] {
        let a = side.axis
        let (p, q) = SIMD3<Int>.transverse(a)
        let ap = grid.axis(p), aq = grid.axis(q)
        let base: BoundaryFace
        switch sides[side] ?? .wall() {
        case let .wall(v, th): base = .wall(tangential: v, thermal: th)
        case .symmetry: base = .symmetry
        }
        var out = [BoundaryFace](repeating: base, count: ap.count * aq.count)
        // The faces each patch takes (the last patch whose rectangle holds a face's centre), and
        // their area, which a flow-rate inlet divides its flow by.
        let owner = Patch.owners(of: side, patches, on: grid)
        var area = [Double](repeating: 0, count: patches.count)
        Patch.add(areasOf: owner, side: side, on: grid, to: &area)
        let faces = patches.indices.map { pi -> BoundaryFace in
            switch patches[pi].kind {
            case let .velocityInlet(s, t):
                return VelocityInletCondition.face(speedMPerS: s, temperatureC: t, patch: pi)
            case let .flowInlet(q, t):
                return FlowRateInletCondition.face(flowM3PerS: q, areaM2: area[pi], temperatureC: t, patch: pi)
            case let .pressureOutlet(pr, t):
                return PressureOutletCondition.face(pressurePa: pr, backflowTemperatureC: t, patch: pi)
            case let .fanInlet(_, _, pr, t):
                return FanCurveInletCondition.face(plenumPressurePa: pr, temperatureC: t, patch: pi)
            }
        }
        for (m, pi) in owner.enumerated() where pi >= 0 { out[m] = faces[pi] }
        return out
    }
}
