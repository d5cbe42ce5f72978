import Foundation
import RackFlowNumerics

/// The staggered finite-volume flow solver: SIMPLEC on a MAC grid (pressure and
/// temperature at cell centres, each velocity component on the faces normal to it).
///
/// Per outer iteration: assemble and under-relax the three momentum equations and solve
/// them approximately (BiCGSTAB); assemble the SIMPLEC pressure correction (a symmetric
/// 7-point operator with couplings ρ d A) and solve it with multigrid-preconditioned CG;
/// correct velocities (exact discrete continuity up to the pressure tolerance) and
/// pressure; then the energy equation. Steady runs loop to convergence; transient runs
/// (`TimeStepper`) call `iterate` a few times per step with the time terms switched on.
public final class FlowSolver {
    /// Mutable only through the run-time controls (heat, fan speeds, inflow scale) of a transient run.
    public internal(set) var flow: FlowCase
    public var options: SimpleOptions
    let nx: Int, ny: Int, nz: Int
    let w: [[Double]], c: [[Double]] // widths and centres per axis
    let arrays: GridArrays
    /// Face-array dimensions per component and their strides.
    let fdim: [[Int]], fstride: [[Int]]
    let cellStride: [Int]
    let pad: Int

    /// Velocity components on their faces (m/s), pressure (Pa, gauge) and temperature (°C).
    public let velocity: [PaddedVector]
    public let pressure: PaddedVector
    public let temperature: PaddedVector

    /// Per component: faces whose velocity is imposed (walls, solids, inlets, symmetry),
    /// their value, and whether the imposed zero is a no-slip surface for shear.
    var fixed: [[Bool]], fixedValue: [[Double]], noSlip: [[Bool]]
    /// Per component: inlet faces and their signed speed at inflow scale 1 (for `setInflowScale`).
    var inletFaces: [[(Int, Double)]] = [[], [], []]
    /// Per side: resolved boundary faces.
    var boundary: [[BoundaryFace]]
    let isSolid: [Bool]
    var muEff: [Double]
    var kEff: [Double]
    /// Distance to the nearest wall per cell (m), for the mixing-length model.
    public private(set) var wallDistance: [Double] = []
    /// k and ε of the k–ε model (nil for every other turbulence model).
    var turbulenceFields: KEpsilonFields?

    let momentum: [Stencil]
    let d: [PaddedVector]
    let rhs: PaddedVector, previous: PaddedVector
    let krylov: BiCGSTAB
    let jacobi: JacobiPreconditioner
    let energy: Stencil
    let pc: SymmetricStencil
    var pcSolver: MultigridCG?
    /// When set, every multigrid rebuild keeps a copy of the coefficients it was built from
    /// (`preconditionerSource`), so a checkpoint taken between rebuilds restores bitwise
    /// (Checkpoint/SolverState.swift). Off for steady solves, whose checkpoints fall on rebuilds.
    public var keepsPreconditionerSource = false
    var preconditionerSource: [String: [Double]]?
    let pcRHS: PaddedVector, pcSol: PaddedVector
    /// Inside a time step, the outer iteration's index in the step (set by `TimeStepper`); nil
    /// in a steady solve.
    public var outerInStep: Int?
    /// The pressure corrections of the last step's outer iterations, by index in the step: the
    /// initial guesses of this step's (Transient/TimeStepper.swift says why).
    var stepCorrections: [PaddedVector] = []
    /// Dense porous and sheet coefficients for the momentum kernel (built on first use).
    var momentumObjects: MomentumObjects?

    /// Pseudo-time Courant number, its cap and the record of rewinds (Steady/PseudoTransient.swift).
    public internal(set) var pseudo = PseudoTransientState()
    var pseudoSnapshot: PseudoTransientSnapshot?

    /// Multiplies every inlet's speed (a blower ramp in a transient run).
    var inflowScale = 1.0
    /// Time terms: set by the time stepper (0 = steady).
    var timeCoefficient = 0.0 // c0/Δt (1/s)
    var oldVelocity: [[PaddedVector]] = [] // [level][component], levels n, n−1
    var oldTemperature: [PaddedVector] = []
    var timeWeights: [Double] = [] // c1, c2 … multiplying old levels /Δt
    var timeStepS = 0.0 // Δt of the step under way (s), 0 = steady: k–ε's backward Euler reads it

    // internal(set): restored from checkpoints (Checkpoint/SolverState.swift)
    public internal(set) var history: [Residuals] = []
    /// The case's fans plus one per fan-inlet patch (named after the patch).
    public internal(set) var fans: [FanFaces] = []
    /// Speed scale from the boundary conditions (lid, inlets, buoyancy); the residuals use
    /// the larger of it and the fastest velocity present (an initial field, a fan jet).
    let boundarySpeed: Double
    var referenceSpeed: Double
    let referenceArea: Double
    let boundaryInflow: Double
    var referenceMassFlow: Double { flow.fluid.densityKgPerM3 * max(boundaryInflow, referenceSpeed * referenceArea) }
    let referenceTemperatureDifference: Double
    var initialSpeed = 0.0
    /// Index of the largest change in the last inner solve, and the root-mean-square change.
    var lastChangeIndex = 0
    var lastChangeRMS = 0.0
    /// Wall seconds spent per phase of the outer iterations so far (where the time goes).
    public private(set) var phaseSeconds: [String: Double] = [:]
    func timed<T>(_ phase: String, _ body: () throws -> T) rethrows -> T {
        let t0 = DispatchTime.now().uptimeNanoseconds
        defer { phaseSeconds[phase, default: 0] += Double(DispatchTime.now().uptimeNanoseconds - t0) * 1e-9 }
        return try body()
    }
    /// Fan state after the last momentum assembly, in the order of `fans`: flow (m³/s) and pressure rise (Pa).
    public internal(set) var fanOperatingPoints: [(flowM3PerS: Double, pressureRisePa: Double)] = []

    public init(_ flow: FlowCase, options: SimpleOptions = SimpleOptions()) throws {
        self.flow = flow
        self.options = options
        let g = flow.grid
        nx = g.nx
        ny = g.ny
        nz = g.nz
        w = [g.x.widths, g.y.widths, g.z.widths]
        c = [g.x.centres, g.y.centres, g.z.centres]
        arrays = GridArrays(widths: w, centres: c)
        let n = [nx, ny, nz]
        fdim = (0..<3).map { a in (0..<3).map { n[$0] + ($0 == a ? 1 : 0) } }
        fstride = fdim.map { [1, $0[0], $0[0] * $0[1]] }
        cellStride = [1, nx, nx * ny]
        pad = (nx + 1) * (ny + 1) + 1
        let cells = g.cellCount
        let faceCounts = fdim.map { $0[0] * $0[1] * $0[2] }
        let capacity = faceCounts.max()!
        let pad = self.pad
        velocity = (0..<3).map { PaddedVector(count: faceCounts[$0], pad: pad) }
        pressure = PaddedVector(count: cells, pad: pad)
        temperature = PaddedVector(count: cells, pad: pad, value: flow.initialTemperatureC)
        isSolid = flow.tags.cells.map { $0 == .solid }
        boundary = Side.allCases.map { flow.boundaryFaces($0) }
        muEff = [Double](repeating: flow.fluid.viscosityPaS, count: cells)
        kEff = [Double](repeating: flow.fluid.conductivityWPerMK, count: cells)
        if case let .constantEddyViscosity(mut) = flow.turbulence {
            muEff = muEff.map { $0 + mut }
            let kt = mut * flow.fluid.specificHeatJPerKgK / MixingLength.defaultTurbulentPrandtl
            kEff = kEff.map { $0 + kt }
        }
        let fdim = self.fdim
        if case .mixingLength = flow.turbulence {
            wallDistance = try WallDistance.compute(tags: flow.tags, wallSides: flow.wallSides)
        }
        momentum = (0..<3).map { Stencil(nx: fdim[$0][0], ny: fdim[$0][1], nz: fdim[$0][2]) }
        d = (0..<3).map { PaddedVector(count: faceCounts[$0], pad: 0) }
        rhs = PaddedVector(count: capacity, pad: pad)
        previous = PaddedVector(count: capacity, pad: pad)
        krylov = BiCGSTAB(capacity: capacity, pad: pad, momentum[0])
        jacobi = JacobiPreconditioner(momentum[0], capacity: capacity)
        energy = Stencil(nx: nx, ny: ny, nz: nz)
        let ppad = nx * ny + 1
        pc = SymmetricStencil(
            nx: nx, ny: ny, nz: nz, east: PaddedVector(count: cells, pad: ppad),
            north: PaddedVector(count: cells, pad: ppad), top: PaddedVector(count: cells, pad: ppad),
            anchor: [Double](repeating: 0, count: cells), active: isSolid.map { !$0 })
        pcRHS = PaddedVector(count: cells, pad: ppad)
        pcSol = PaddedVector(count: cells, pad: ppad)
        fixed = []
        fixedValue = []
        noSlip = []

        // Fan inlets: a fan over the patch's boundary faces, pushing into the domain.
        var allFans = flow.fans
        for (pi, patch) in flow.patches.enumerated() {
            guard case let .fanInlet(curve, rpm, _, _) = patch.kind else { continue }
            allFans.append(
                FanCurveInletCondition.fan(
                    patch: pi, named: patch.name, side: patch.side, curve: curve, rpm: rpm,
                    boundary: boundary[patch.side.rawValue], n: n, faceCounts: fdim[patch.side.axis], w: w,
                    densityKgPerM3: flow.fluid.densityKgPerM3))
        }
        fans = allFans
        let scales = ReferenceScales(flow, boundary: boundary, widths: w, fans: allFans)
        boundarySpeed = scales.speedMPerS
        referenceSpeed = boundarySpeed
        referenceTemperatureDifference = scales.temperatureDifferenceK
        referenceArea = scales.areaM2
        boundaryInflow = scales.inflowM3PerS
        try validate()
        if case .kEpsilon = flow.turbulence {
            turbulenceFields = kEpsilonFields()
            // μ_t of the initial k and ε, so that the first update has production to work with.
            setEddyViscosityFromKEpsilon()
        }
        setupFixedFaces()
        for a in 0..<3 { applyFixedValues(a) }
    }

    deinit { arrays.free() }

    /// The speed scale of the boundary conditions (inlets, fan shut-off, buoyancy), m/s.
    public var speedScaleMPerS: Double { boundarySpeed }
    /// The inflow scale of the boundary conditions (m³/s): the inlets' flow and the fan inlets'
    /// free delivery (`ReferenceScales`); 0 without either.
    public var inflowScaleM3PerS: Double { boundaryInflow }

    func validate() throws {
        if !flow.heatW.isEmpty && flow.heatW.count != flow.grid.cellCount {
            throw InputError("heatW has \(flow.heatW.count) entries for \(flow.grid.cellCount) cells")
        }
        for (i, q) in flow.heatW.enumerated() where !q.isFinite {
            throw InputError("heatW[\(i)] is \(q); heat sources must be finite")
        }
    }
}
