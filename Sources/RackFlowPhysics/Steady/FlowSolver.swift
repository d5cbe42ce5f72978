import Foundation
import RackFlowNumerics

/// Settings of the SIMPLEC outer iteration.
public struct SimpleOptions: Sendable {
    /// Under-relaxation of momentum (SIMPLEC tolerates 0.7–0.9).
    public var velocityRelaxation = 0.9
    /// Outer iterations over which velocity relaxation ramps up from 0.5 to
    /// `velocityRelaxation` (0: none). The first iterations from rest carry the largest
    /// corrections; a gentle start keeps fan jets from running away there.
    public var relaxationRampIterations = 0
    /// Under-relaxation of the pressure update (1 for SIMPLEC).
    public var pressureRelaxation = 1.0
    public var temperatureRelaxation = 0.9
    /// Outer-iteration limit of a steady solve: a safeguard, not a budget. At 2,000, three of
    /// 200 generated cases stopped unconverged while still converging, and converged at 2,070,
    /// 2,082 and 2,218 given room; a case with no steady state leaves the steady iteration at
    /// its first stall under the strongest damping, whatever this limit.
    public var maxIterations = 5000
    /// Converged when the normalised mass residual and the measure chosen by `criterion`
    /// are all below this.
    public var tolerance = 1e-6
    /// Tolerance of the temperature change alone (nil: `tolerance`). Stagnant pockets settle
    /// by conduction, far slower than anything a monitor or balance notices.
    public var temperatureTolerance: Double? = nil
    /// Judge temperature by its root-mean-square change instead of the largest: a single cell
    /// whose neighbouring face flips between tiny in- and outflows (upwinding switches) can
    /// rock by a kelvin forever without moving anything a balance or monitor sees.
    public var temperatureChangeRMS = false
    public enum Criterion: Sendable {
        /// Largest per-iteration change of velocity (over the reference speed) and of
        /// temperature (over the reference temperature difference).
        case change
        /// Momentum equations' scaled residuals at the start of the iteration, as OpenFOAM
        /// defines its initial residual (used to compare with it at one tolerance).
        case normalisedResidual
    }
    public var criterion = Criterion.change
    /// Inner solve tolerances (relative residual reduction per outer iteration).
    public var momentumTolerance = 0.1
    /// Momentum inner solver: red–black Gauss–Seidel sweeps (> 0) or, with 0, BiCGSTAB to
    /// `momentumTolerance`. Sweeps make an outer iteration cheaper (0.89 against 1.43 µs per
    /// cell in `bench flow`); BiCGSTAB converges the outer iteration in fewer steps where
    /// momentum dominates (3D cavity 32³: 102 against 253 outer iterations, 2.7 against 5.3 s).
    public var momentumSweeps = 4
    /// The same choice for the energy equation.
    public var energySweeps = 4
    public var pressureTolerance = 0.02
    public var energyTolerance = 0.02
    /// Recompute the mixing-length eddy viscosity every this many outer iterations.
    public var turbulenceUpdate = 5
    /// Rebuild the pressure multigrid hierarchy every this many outer iterations.
    public var pressurePreconditionerRebuild = 10
    /// Multigrid settings of the pressure-correction preconditioner; point smoothing by default
    /// (solver key `pressureSmoother: lines` switches to one sweep of zebra lines along every
    /// axis). On the default rack's system, re-solved from zero to 2e-2, point smoothing needs 21 CG
    /// iterations, lines along x 13, x and z 6, all axes 3 (7 with one sweep): the couplings are
    /// anisotropic in every direction somewhere (4–20 mm cells, fin stacks). But a line V-cycle
    /// costs 1.5–5× a point one even with stored factors (`LineFactors`), and inside SIMPLEC most
    /// solves need few iterations: on the one-node surge, lines cut CG iterations per outer
    /// iteration from 14.3 to 7.6 and the pressure time by only 13 %; on the default rack, two
    /// sweeps along all axes took 1603 CG iterations instead of 4335, and with one sweep the
    /// pressure solve cost 2.8× the momentum assembly against 1.9× with point smoothing.
    public var pressureMultigrid: MultigridOptions = {
        var o = MultigridOptions()
        o.allowLines = false
        return o
    }()
    /// Bounded second-order advection (van Leer, deferred correction) for velocity and
    /// temperature; false gives first-order upwind.
    public var secondOrder = true
    /// Pseudo-transient continuation of steady solves with rewind (Steady/PseudoTransient.swift).
    public var pseudoTransient = true
    /// CFL_0 = 10: on the default rack at 4 cm, 1 took 427 outer iterations, 10 took 368 (369
    /// undamped); the bundled cases and the benchmark converge with either.
    public var pseudoCourantStart = 10.0
    public var pseudoCourantMax = 1e4
    /// Cap of the energy equation's pseudo-time Courant number (Steady/PseudoTransient.swift).
    public var pseudoEnergyCourantMax = 1e4
    /// Momentum relaxation of steady iterations under the pseudo-time term (nil:
    /// `velocityRelaxation`). The pseudo-time term damps by itself and a relaxation α caps the
    /// step at about α/(1 − α) cell transits, so a case may set 1 here and keep
    /// `velocityRelaxation` for the outer iterations of time steps.
    public var steadyVelocityRelaxation: Double? = nil
    public init() {}
}

/// One line of the convergence history.
public struct Residuals: Sendable, Codable {
    public var iteration: Int
    /// Σ|mass imbalance| over cells / reference mass flow.
    public var mass: Double
    /// Largest |Δu| this iteration / reference speed.
    public var velocityChange: Double
    /// Largest |ΔT| this iteration / reference temperature difference.
    public var temperatureChange: Double
    /// Largest scaled momentum residual before this iteration's solves (OpenFOAM's
    /// "initial residual" definition), over the three components.
    public var momentum: Double = 0
    public var pressureIterations: Int
    /// Where the largest velocity and temperature changes happened (face or cell), for diagnosis.
    public var velocityChangeAt: String = ""
    /// Root-mean-square velocity change over all faces of the three components / reference speed.
    public var velocityChangeRMS: Double = 0
    /// Root-mean-square temperature change over all cells / reference temperature difference.
    public var temperatureChangeRMS: Double = 0
    public var temperatureChangeAt: String = ""
}

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
    let boundary: [[BoundaryFace]]
    let isSolid: [Bool]
    var muEff: [Double]
    var kEff: [Double]
    /// Distance to the nearest wall per cell (m), for the mixing-length model.
    public private(set) var wallDistance: [Double] = []

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
            let kt = mut * flow.fluid.specificHeatJPerKgK / 0.85 // turbulent Prandtl 0.85
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

        // Reference scales for normalised residuals.
        var uref = 0.0, inflow = 0.0
        for side in Side.allCases {
            if case let .wall(v, _)? = flow.sides[side] { uref = max(uref, abs(v.0), abs(v.1), abs(v.2)) }
        }
        for (s, faces) in boundary.enumerated() {
            let side = Side(rawValue: s)!
            let a = side.axis
            let (p, q) = a == 0 ? (1, 2) : (a == 1 ? (0, 2) : (0, 1))
            for (m, face) in faces.enumerated() {
                if case let .inlet(speed, _, _) = face {
                    uref = max(uref, abs(speed))
                    inflow += abs(speed) * w[p][m % n[p]] * w[q][m / n[p]]
                }
            }
        }
        // Fan inlets: a fan over the patch's boundary faces, pushing into the domain.
        var allFans = flow.fans
        for (pi, patch) in flow.patches.enumerated() {
            guard case let .fanInlet(curve, rpm, _, _) = patch.kind else { continue }
            let side = patch.side, a = side.axis
            let (t1, t2) = SIMD3<Int>.transverse(a)
            let F = fdim[a]
            var faces: [Int] = [], area = 0.0
            for (m, bf) in boundary[side.rawValue].enumerated() {
                guard case let .outlet(_, _, p) = bf, p == pi else { continue }
                var idx = SIMD3(0, 0, 0)
                idx[a] = side.isUpper ? n[a] : 0
                idx[t1] = m % n[t1]
                idx[t2] = m / n[t1]
                faces.append(idx[0] + F[0] * (idx[1] + F[1] * idx[2]))
                area += w[t1][idx[t1]] * w[t2][idx[t2]]
            }
            allFans.append(
                FanFaces(
                    name: patch.name, axis: a, direction: side.isUpper ? -1 : 1, faces: faces, curve: curve,
                    rpm: rpm, areaM2: area, densityKgPerM3: flow.fluid.densityKgPerM3))
        }
        fans = allFans
        // A fan's shut-off pressure sets the speed it can drive: √(2 Δp₀ / ρ).
        for fan in allFans {
            let dp0 = fan.pressureRise(0)
            if dp0 > 0 { uref = max(uref, (2 * dp0 / flow.fluid.densityKgPerM3).squareRoot()) }
        }
        var dT = 1.0
        var temps: [Double] = [flow.initialTemperatureC]
        for side in Side.allCases {
            if case let .wall(_, .temperatureC(t))? = flow.sides[side] { temps.append(t) }
        }
        for faces in boundary { for f in faces { if case let .inlet(_, t, _) = f { temps.append(t) } } }
        dT = max(temps.max()! - temps.min()!, 1e-3)
        if flow.gravity && flow.solveEnergy {
            let L = max(g.x.length, g.y.length, g.z.length)
            uref = max(uref, (9.80665 * flow.fluid.expansionPerK * dT * L).squareRoot())
        }
        if flow.heatW.count == cells && inflow > 0 {
            let q = flow.heatW.reduce(0, +)
            dT = max(dT, q / (flow.fluid.densityKgPerM3 * flow.fluid.specificHeatJPerKgK * inflow))
        }
        boundarySpeed = max(uref, 1e-6)
        referenceSpeed = boundarySpeed
        referenceTemperatureDifference = dT
        referenceArea = max(g.x.length * g.y.length, g.y.length * g.z.length, g.x.length * g.z.length)
        boundaryInflow = inflow
        try validate()
        setupFixedFaces()
        for a in 0..<3 { applyFixedValues(a) }
    }

    deinit { arrays.free() }

    /// The speed scale of the boundary conditions (inlets, fan shut-off, buoyancy), m/s.
    public var speedScaleMPerS: Double { boundarySpeed }

    func validate() throws {
        if !flow.heatW.isEmpty && flow.heatW.count != flow.grid.cellCount {
            throw FlowInputError("heatW has \(flow.heatW.count) entries for \(flow.grid.cellCount) cells")
        }
        for (i, q) in flow.heatW.enumerated() where !q.isFinite {
            throw FlowInputError("heatW[\(i)] is \(q); heat sources must be finite")
        }
    }

    /// The staggered velocity as field structs (a copy), for post-processing and models.
    public func staggeredVelocity() -> StaggeredVelocity {
        var v = StaggeredVelocity(flow.grid)
        v.u.values = velocity[0].array
        v.v.values = velocity[1].array
        v.w.values = velocity[2].array
        return v
    }

    /// Mixing-length eddy viscosity from the current strain rate: μ_eff = μ + μ_t and
    /// k_eff = k + μ_t c_p / Pr_t per cell.
    func updateEddyViscosity() {
        guard case let .mixingLength(delta) = flow.turbulence else { return }
        let model = MixingLength(deltaM: delta)
        let cells = flow.grid.cellCount
        var strain = [Double](repeating: 0, count: cells), mut = strain
        StrainRate.magnitude(staggeredVelocity(), tags: flow.tags, wallSides: flow.wallSides, into: &strain)
        model.eddyViscosity(
            densityKgPerM3: flow.fluid.densityKgPerM3, wallDistanceM: wallDistance, strainRatePerS: strain, into: &mut)
        let mu = flow.fluid.viscosityPaS, k = flow.fluid.conductivityWPerMK, cp = flow.fluid.specificHeatJPerKgK
        for c in 0..<cells {
            muEff[c] = mu + mut[c]
            kEff[c] = k + mut[c] * cp / model.turbulentPrandtl
        }
    }

    /// Turbulence for artists: kinetic energy k (m²/s²) and intensity √(2k/3)/|U| per cell,
    /// from the mixing-length equilibrium k = (ℓ|S|)²/√C_μ (a laminar or constant-μ_t run
    /// uses ℓ from the wall distance with δ the domain's smallest side).
    public func turbulence() -> (kineticEnergy: [Double], intensity: [Double]) {
        let g = flow.grid
        let delta: Double
        if case let .mixingLength(d) = flow.turbulence {
            delta = d
        } else {
            delta = min(g.x.length, g.y.length, g.z.length)
        }
        let model = MixingLength(deltaM: delta)
        let cells = g.cellCount
        var strain = [Double](repeating: 0, count: cells), speed = strain, k = strain, intensity = strain
        let v = staggeredVelocity()
        StrainRate.magnitude(v, tags: flow.tags, into: &strain)
        StrainRate.cellSpeed(v, tags: flow.tags, into: &speed)
        let d =
            wallDistance.isEmpty
            ? (try? WallDistance.compute(tags: flow.tags, wallSides: Set(Side.allCases)))
                ?? [Double](repeating: .infinity, count: cells) : wallDistance
        model.turbulentKineticEnergy(wallDistanceM: d, strainRatePerS: strain, into: &k)
        model.intensity(turbulentKineticEnergy: k, speedMPerS: speed, into: &intensity)
        return (k, intensity)
    }

    /// Index of the cell (i, j, k).
    @inline(__always) func cell(_ i: Int, _ j: Int, _ k: Int) -> Int { i + nx * (j + ny * k) }

    /// The boundary face of `side` at in-plane position (p, q) of the cell row.
    @inline(__always) func boundaryFace(_ side: Side, _ i: Int, _ j: Int, _ k: Int) -> BoundaryFace {
        switch side.axis {
        case 0: return boundary[side.rawValue][j + ny * k]
        case 1: return boundary[side.rawValue][i + nx * k]
        default: return boundary[side.rawValue][i + nx * j]
        }
    }

    /// Marks imposed faces: domain faces other than outlets, wall-tagged faces, faces
    /// touching a solid; and sets their values (inlet speeds, zero elsewhere).
    func setupFixedFaces() {
        let n = [nx, ny, nz]
        fixed = []
        fixedValue = []
        noSlip = []
        inletFaces = [[], [], []]
        for a in 0..<3 {
            let F = fdim[a]
            var fx = [Bool](repeating: false, count: F[0] * F[1] * F[2])
            var fv = [Double](repeating: 0, count: fx.count)
            var ns = [Bool](repeating: false, count: fx.count)
            for k in 0..<F[2] {
                for j in 0..<F[1] {
                    for i in 0..<F[0] {
                        let f = i + F[0] * (j + F[1] * k)
                        var idx = [i, j, k]
                        let m = idx[a]
                        if flow.tags.faces[a][f] == .wall {
                            fx[f] = true
                            ns[f] = true
                            continue
                        }
                        if m == 0 || m == n[a] {
                            // Domain boundary face: the cell inside is at m or m-1.
                            idx[a] = m == 0 ? 0 : m - 1
                            let side = Side(rawValue: 2 * a + (m == 0 ? 0 : 1))!
                            if isSolid[cell(idx[0], idx[1], idx[2])] {
                                fx[f] = true
                                ns[f] = true
                                continue
                            }
                            switch boundaryFace(side, idx[0], idx[1], idx[2]) {
                            case .wall:
                                fx[f] = true
                                ns[f] = true
                            case .symmetry: fx[f] = true
                            case let .inlet(speed, _, _):
                                fx[f] = true
                                fv[f] = (m == 0 ? speed : -speed) * inflowScale
                                inletFaces[a].append((f, m == 0 ? speed : -speed))
                            case .outlet: break
                            }
                            continue
                        }
                        idx[a] = m - 1
                        let cl = cell(idx[0], idx[1], idx[2])
                        idx[a] = m
                        let cr = cell(idx[0], idx[1], idx[2])
                        if isSolid[cl] || isSolid[cr] {
                            fx[f] = true
                            ns[f] = true
                        }
                    }
                }
            }
            fixed.append(fx)
            fixedValue.append(fv)
            noSlip.append(ns)
        }
    }

    func applyFixedValues(_ a: Int) {
        let u = velocity[a].p
        for f in 0..<fixed[a].count where fixed[a][f] { u[f] = fixedValue[a][f] }
    }

    // MARK: - Outer iterations

    /// One SIMPLEC outer iteration; returns its residuals. A steady iteration that diverges is
    /// rewound to the last healthy state and repeated with more pseudo-time damping
    /// (Steady/PseudoTransient.swift); only when no rewind is left does the divergence escape.
    @discardableResult
    public func iterate() throws -> Residuals {
        guard isSteadyIteration && options.pseudoTransient else { return try outerIteration() }
        while true {
            beforePseudoStep()
            do {
                let r = try outerIteration()
                afterPseudoStep(r)
                return r
            } catch let e as FlowSolverError {
                guard case .diverged = e, rewind(after: e) else { throw e }
            }
        }
    }

    func outerIteration() throws -> Residuals {
        if case .mixingLength = flow.turbulence, history.count % max(options.turbulenceUpdate, 1) == 0 {
            timed("turbulence") { updateEddyViscosity() }
        }
        let fastest = velocity.map { BLAS.maxAbs($0.count, $0.p) }.max()!
        if history.isEmpty { initialSpeed = fastest }
        // Runaway: velocities far beyond every speed scale of the problem.
        if !fastest.isFinite {
            try checkFinite(
                Residuals(
                    iteration: history.count, mass: .nan, velocityChange: .nan, temperatureChange: 0,
                    pressureIterations: 0))
        }
        if fastest > 1e3 * max(boundarySpeed, initialSpeed) || (isSteadyIteration && pseudoRunaway(fastest: fastest)) {
            let maxima = velocity.map { BLAS.maxAbs($0.count, $0.p) }
            let a = maxima.firstIndex(of: maxima.max()!)!
            let face = (0..<velocity[a].count).first { abs(velocity[a].p[$0]) == maxima[a] } ?? 0
            let name = ["u", "v", "w"][a]
            throw FlowSolverError.diverged(
                iteration: history.count, field: name, index: face,
                where_:
                    "\(describe(field: name, index: face)), \(String(format: "%.3g", fastest)) m/s against a speed "
                    + "scale of \(String(format: "%.3g", max(boundarySpeed, initialSpeed))) m/s"
            )
        }
        referenceSpeed = max(boundarySpeed, fastest)
        var maxDU = 0.0, momentumResidual = 0.0, duAt = "", duSquares = 0.0, duCount = 0
        for a in 0..<3 where !fixed[a].allSatisfy({ $0 }) {
            timed("momentum assembly") { assembleMomentum(a) }
            if options.criterion == .normalisedResidual {
                momentumResidual = max(momentumResidual, momentum[a].normalisedResidual(velocity[a], rhs))
            }
            let du = try timed("momentum solve") { try solveMomentum(a) }
            if du > maxDU {
                maxDU = du
                duAt = describe(field: ["u", "v", "w"][a], index: lastChangeIndex)
            }
            duSquares += lastChangeRMS * lastChangeRMS * Double(velocity[a].count)
            duCount += velocity[a].count
        }
        let (massResidual, pIts) = try timed("pressure") { try correctPressure() }
        var maxDT = 0.0, dtAt = "", dtRMS = 0.0
        if flow.solveEnergy {
            timed("energy assembly") { assembleEnergy() }
            maxDT = try timed("energy solve") { try solveEnergy() }
            dtAt = describe(field: "T", index: lastChangeIndex)
            dtRMS = lastChangeRMS
        }
        var r = Residuals(
            iteration: history.count + 1, mass: massResidual, velocityChange: maxDU / referenceSpeed,
            temperatureChange: maxDT / referenceTemperatureDifference, pressureIterations: pIts)
        r.momentum = momentumResidual
        r.velocityChangeAt = duAt
        r.temperatureChangeAt = dtAt
        r.velocityChangeRMS = (duSquares / Double(max(duCount, 1))).squareRoot() / referenceSpeed
        r.temperatureChangeRMS = dtRMS / referenceTemperatureDifference
        history.append(r)
        try checkFinite(r)
        // issue 8: runaway temperature, eddy viscosity, residual growth (Monitors/Divergence.swift)
        try watchDivergence(r)
        return r
    }

    /// A quantity watched during a steady solve (a node's flow, the hottest part): the solve
    /// is converged only when every monitor has stopped moving.
    public struct Monitor {
        public var name: String
        public var value: (FlowSolver) -> Double
        /// Tolerance of this monitor relative to its magnitude (nil: the solve's `monitorTolerance`).
        public var tolerance: Double?
        /// Tolerance in the monitor's own units (K for a temperature); replaces `tolerance`.
        public var absoluteTolerance: Double?
        public init(
            _ name: String, tolerance: Double? = nil, absoluteTolerance: Double? = nil,
            _ value: @escaping (FlowSolver) -> Double
        ) {
            self.name = name
            self.value = value
            self.tolerance = tolerance
            self.absoluteTolerance = absoluteTolerance
        }
    }

    /// Iterates to convergence (steady state): normalised residuals below `tolerance` and
    /// each monitor flat, i.e. its spread over the last `monitorWindow` iterations below
    /// `monitorTolerance` of its magnitude, and `accept` (e.g. global balances) true.
    /// `progress` is called every iteration.
    @discardableResult
    public func solveSteady(
        monitors: [Monitor] = [], monitorWindow: Int = 20, monitorTolerance: Double = 1e-4,
        accept: ((FlowSolver) -> Bool)? = nil,
        progress: ((Residuals) -> Void)? = nil
    ) throws -> Residuals {
        var last = Residuals(
            iteration: 0, mass: .infinity, velocityChange: .infinity, temperatureChange: .infinity,
            pressureIterations: 0)
        var recent: [[Double]] = monitors.map { _ in [] }
        for _ in 0..<options.maxIterations {
            last = try iterate()
            progress?(last)
            if steadyConverged(
                last, monitors: monitors, recent: &recent, monitorWindow: monitorWindow,
                monitorTolerance: monitorTolerance, accept: accept)
            {
                return last
            }
            if pseudo.noSteadyState { throw FlowSolverError.noSteadyState(iteration: last.iteration, last: last) }
        }
        throw FlowSolverError.notConverged(iterations: options.maxIterations, last: last)
    }

    /// The steady convergence rule after iteration `last`: each monitor's value is appended to
    /// its history in `recent` (kept at 2 `monitorWindow` + 1 values) and must have settled to
    /// its tolerance (`MonitorSettling`: flat over the last window and, extrapolated, within the
    /// tolerance of its limit); the residuals must be below the tolerances; `accept` last.
    public func steadyConverged(
        _ last: Residuals, monitors: [Monitor], recent: inout [[Double]], monitorWindow: Int,
        monitorTolerance: Double, accept: ((FlowSolver) -> Bool)?
    ) -> Bool {
        var settled = true
        for (m, monitor) in monitors.enumerated() {
            recent[m].append(monitor.value(self))
            if recent[m].count > 2 * monitorWindow + 1 { recent[m].removeFirst() }
            let rule = MonitorSettling(
                window: monitorWindow, relative: monitor.tolerance ?? monitorTolerance,
                absolute: monitor.absoluteTolerance)
            if !rule.settled(recent[m]) { settled = false }
        }
        let residualsMet = residualDistance(last) < 1
        if settled && residualsMet && (accept?(self) ?? true) { return true }
        if residualsMet {
            pseudoAwaitMonitors(last)
        } else {
            pseudo.monitorWaitStart = 0
        }
        return false
    }

    /// How far the residuals of `r` are from the steady tolerances: the largest of mass, flow
    /// (velocity change or momentum residual, as `criterion` says) and temperature change over
    /// their tolerances; below 1, the residual part of the steady rule holds.
    public func residualDistance(_ r: Residuals) -> Double {
        let flowMeasure = options.criterion == .change ? r.velocityChange : r.momentum
        var d = max(r.mass, flowMeasure) / options.tolerance
        if flow.solveEnergy {
            let t = options.temperatureChangeRMS ? r.temperatureChangeRMS : r.temperatureChange
            d = max(d, t / (options.temperatureTolerance ?? options.tolerance))
        }
        return d.isNaN ? .infinity : d
    }

    func checkFinite(_ r: Residuals) throws {
        guard r.mass.isFinite && r.velocityChange.isFinite && r.temperatureChange.isFinite else {
            let fields: [(String, PaddedVector)] = [
                ("u", velocity[0]), ("v", velocity[1]), ("w", velocity[2]), ("p", pressure), ("T", temperature),
            ]
            for (name, v) in fields {
                for i in 0..<v.count where !v.p[i].isFinite {
                    throw FlowSolverError.diverged(
                        iteration: r.iteration, field: name, index: i,
                        where_: describe(field: name, index: i))
                }
            }
            throw FlowSolverError.diverged(iteration: r.iteration, field: "residual", index: 0, where_: "")
        }
    }

    func describe(field: String, index: Int) -> String {
        let g = flow.grid
        func m(_ v: Double) -> String { String(format: "%.3f", v) }
        if field == "p" || field == "T" {
            let (i, j, k) = (index % nx, (index / nx) % ny, index / (nx * ny))
            return
                "cell (i=\(i), j=\(j), k=\(k)) at (\(m(g.x.centres[i])), \(m(g.y.centres[j])), \(m(g.z.centres[k]))) m"
        }
        let a = ["u": 0, "v": 1, "w": 2][field]!
        let idx = faceIndex(index, axis: a)
        let pos = (0..<3).map { b in
            b == a ? g.axis(b).faces[idx[b]] : g.axis(b).centres[min(idx[b], g.axis(b).count - 1)]
        }
        return
            "face (i=\(idx[0]), j=\(idx[1]), k=\(idx[2])) normal to \(["x", "y", "z"][a]) at (\(m(pos[0])), "
            + "\(m(pos[1])), \(m(pos[2]))) m"
    }
}

public struct FlowInputError: Error, CustomStringConvertible {
    public let description: String
    public init(_ s: String) { description = s }
}

public enum FlowSolverError: Error, CustomStringConvertible {
    case notConverged(iterations: Int, last: Residuals)
    /// The residual stalled under the strongest pseudo-time damping (Steady/PseudoTransient.swift).
    case noSteadyState(iteration: Int, last: Residuals)
    case diverged(iteration: Int, field: String, index: Int, where_: String)
    case linearSolve(equation: String, iteration: Int, underlying: Error)

    public var description: String {
        switch self {
        case let .notConverged(it, r):
            return
                "SIMPLEC did not converge in \(it) iterations (mass residual \(r.mass), velocity change "
                + "\(r.velocityChange), temperature change \(r.temperatureChange)); try more iterations or stronger "
                + "under-relaxation"
        case let .noSteadyState(it, r):
            return "no steady state: the residuals stopped falling at outer iteration \(it) (mass residual \(r.mass)) "
                + "under the strongest pseudo-time damping; the flow is unsteady and needs a time-averaged answer"
        case let .diverged(it, field, _, place):
            return
                "the solution diverged at outer iteration \(it): \(field) is not finite or runs away at \(place); "
                + "try stronger under-relaxation (smaller velocityRelaxation), a smaller time step or a finer grid"
        case let .linearSolve(eq, it, e):
            return "\(eq) solve failed at outer iteration \(it): \(e)"
        }
    }
}
