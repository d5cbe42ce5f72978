import Foundation
import RackFlowNumerics
import RackFlowPhysics

/// The answer to a steady question when the flow has no steady state: a time average.
///
/// When the steady iteration stalls under its strongest damping (`FlowSolver.pseudo.noSteadyState`),
/// the flow is stepped in time (BDF2, `TimeStepper`) from where the iteration stopped, on two
/// times measured on that flow (Transient/FlowSpeeds.swift): first a spin-up of one transit time
/// L / max(U, U_rms) (largest domain side over the larger of the boundary conditions' speed
/// scale and the field's root-mean-square speed), ended, where the air's heat relaxes over more
/// than two transit times, by uniform shifts of the air's temperature that remove the heat it
/// would still store (Results/AirWarming.swift, a transit each), then an averaging window that
/// grows a flow-through time τ = L / U_rms (U_rms at least a tenth of U, for a field still near
/// rest) at a time until every watched quantity's running mean over the whole window agrees with
/// its mean over the window's first half to within max(1e-3 |mean|, 2 % of its band), or 10 τ
/// have been averaged. The fields are averaged too and left in the solver, so every figure,
/// picture and field file shows the mean flow (a linear combination of divergence-free steps is
/// divergence-free). Each watched quantity is reported with its band, max − min over the window,
/// and the heat the air stored over the window counts in the window's balance (`MeanBalance`).
///
/// Step: a hundredth of the phase's time (transit or τ), shortened to a Courant number of 2 on
/// the field's own cells (its Courant rate, FlowSpeeds.swift), but never below a four-hundredth.
/// Implicit BDF2 is stable beyond Courant 1, and 2 keeps the eddies it resolves; the floor keeps
/// a window affordable where a thin jet is far faster than the air around it (a 3 mm slot at
/// 3 m/s into a 0.25 m³ box: there the step's Courant number is larger, and reported). Sized on
/// the speed scale alone, a fan's shut-off speed five times the rms made the window of a laminar
/// enclosure 0.54 s against the 0.71 s its air's heat takes to relax (energy error 0.71), and a
/// slow inlet's scale gave that slot steps at Courant 205.
public struct TimeAverage: Codable, Sendable {
    public struct Band: Codable, Sendable {
        public var name: String
        public var mean: Double
        public var min: Double
        public var max: Double
    }
    public var flowThroughS: Double
    /// The speed τ is sized on (m/s) and the step's Courant number at the start; optional so
    /// that summaries written before they existed still decode.
    public var flowSpeedMPerS: Double?
    public var courantNumber: Double?
    public var stepS: Double
    /// The transit time L / max(U, U_rms) the spin-up lasts (s), and its step; optional so that
    /// summaries written before they existed still decode (their spin-up lasted `flowThroughS`
    /// at `stepS`).
    public var transitS: Double?
    public var spinUpStepS: Double?
    public var spinUpS: Double
    public var windowS: Double
    public var steps: Int
    public var outerIterations: Int
    /// True when every running mean settled before the 10 τ limit.
    public var settled: Bool
    public var quantities: [Band]
    /// The spin-up's corrections of the air's slow heat mode (Results/AirWarming.swift); nil
    /// when the air's heat relaxes within the spin-up (and in summaries written before).
    public var airWarming: AirWarming?
    /// The global balances averaged over the window step by step (optional so that summaries
    /// written before it existed still decode). The balance of the averaged fields misses the
    /// heat the fluctuations carry, ⟨u T⟩ − ⟨u⟩⟨T⟩: a mixing box with no heat source read −1.8 W
    /// carried out, an energy error of 11.
    public var meanBalance: MeanBalance?

    public struct MeanBalance: Codable, Sendable {
        public var massInKgPerS: Double
        public var massOutKgPerS: Double
        public var heatSourcesW: Double
        public var heatFromWallsW: Double
        public var heatCarriedOutW: Double
        /// Heat in through the walls, face by face (`Balance.heatInFromWallsW`); optional so that
        /// summaries written before it existed still decode.
        public var heatInFromWallsW: Double?
        /// The heat the air gained over the window over the window's length (W): the change of
        /// Σ ρ c_p V T over the fluid cells from its first step to its last. A chaotic flow's
        /// air warms and cools in bursts: a laminar enclosure whose air's mean temperature
        /// swings by a kelvin stores ±C · 1 K, and over a window of three relaxation times C / G
        /// that alone is a sixth of its heat. Nil without energy and in summaries written before.
        public var heatStoredW: Double?
        public var relativeMassImbalance: Double {
            massInKgPerS > 0 ? abs(massInKgPerS - massOutKgPerS) / massInKgPerS : 0
        }
        /// Over the heat put in, as `FlowSolver.balance()` measures it, the heat the air stored
        /// over the window counted: heat in = heat out + heat stored is what the window's steps
        /// conserve (BDF2's storage terms telescope to the change of content, up to one step's).
        public func relativeEnergyError(specificHeatJPerKgK cp: Double) -> Double {
            Balance.relativeEnergyError(
                sourcesW: heatSourcesW, wallsW: heatFromWallsW, wallsInW: heatInFromWallsW ?? 0,
                advectedOutW: heatCarriedOutW + (heatStoredW ?? 0), massInKgPerS: massInKgPerS,
                specificHeatJPerKgK: cp)
        }
    }

    /// Thrown when the caller's `stop` asks the averaging to end (SIGINT, SIGTERM).
    public struct Stopped: Error {}

    static let spinUpFlowThroughs = 1.0
    static let maxWindowFlowThroughs = 10.0
    static let stepsPerFlowThrough = 100.0
    static let maxStepsPerFlowThrough = 400.0
    static let targetCourantNumber = 2.0
    static let minSpeedOfScale = 0.1

    /// Steps `solver` in time and averages; `watch` are the quantities reported with bands.
    public static func run(
        _ solver: FlowSolver, watch: [FlowSolver.Monitor], stop: () -> Bool = { false },
        stepScale: Double = 1, log: (String) -> Void
    ) throws -> TimeAverage {
        let balanceNames = balanceWatched(solver)
        let g = solver.flow.grid
        let length = max(g.x.length, g.y.length, g.z.length)
        // Two times (Transient/FlowSpeeds.swift): the transit of the fastest air, over the larger
        // of the boundary conditions' speed scale and the field's rms speed, for the spin-up;
        // the circulation of the bulk, over the rms speed (at least a tenth of the scale, for a
        // field still near rest), for the window.
        let rms = solver.rmsSpeedMPerS()
        let transit = length / max(solver.speedScaleMPerS, rms)
        let flowSpeed = max(rms, minSpeedOfScale * solver.speedScaleMPerS)
        let tau = length / flowSpeed
        let rate = solver.courantRatePerS()
        let courantStep = rate > 0 ? targetCourantNumber / rate : tau
        func step(over time: Double) -> Double {
            stepScale * min(time / stepsPerFlowThrough, max(courantStep, time / maxStepsPerFlowThrough))
        }
        let spinUpStep = step(over: transit)
        let dt = step(over: tau)
        var so = TimeStepOptions()
        so.minOuter = 2
        so.maxOuter = 6
        so.tolerance = 1e-3
        let stepper = TimeStepper(solver, options: so)
        // Levels a resumed or retried run left are not this run's steps.
        stepper.restartHistory()
        let speedName = rms >= flowSpeed ? "the air's rms speed" : "a tenth of the speed scale, above the rms"
        log(
            String(
                format: "no steady state: stepping in time; spin-up over a transit time %.3g s at steps of %.3g s, "
                    + "then an average over flow-through times of %.3g s (the largest side over %@, %.3g m/s) at "
                    + "steps of %.3g s (Courant number %.2g)", transit, spinUpStep, tau, speedName, flowSpeed, dt,
                dt * rate))

        let spinUpSteps = Int((spinUpFlowThroughs * transit / spinUpStep).rounded(.up))
        let stored = try StoredHeat.step(stepper, count: spinUpSteps, dt: spinUpStep, stop: stop)
        let airWarming = try settleAirHeat(
            solver, stepper: stepper, dt: spinUpStep, tau: transit, stored: stored, stop: stop, log: log)
        let spinUpS = Double(spinUpSteps + (airWarming?.steps ?? 0)) * spinUpStep
        // The window's longer step starts from backward Euler, not from a BDF2 across the change.
        if dt != spinUpStep { stepper.restartHistory() }
        var sums = MeanBalance(
            massInKgPerS: 0, massOutKgPerS: 0, heatSourcesW: 0, heatFromWallsW: 0, heatCarriedOutW: 0,
            heatInFromWallsW: 0)

        let heatAtStartJ = solver.flow.solveEnergy ? solver.airHeatContentJ() : 0
        let fields = solver.averagedFields
        var fieldSums = fields.map { [Double](repeating: 0, count: $0.count) }
        var samples: [[Double]] = (watch.map(\.name) + balanceNames).map { _ in [] }
        let rho = solver.flow.fluid.densityKgPerM3
        let perFlowThrough = Int((tau / dt).rounded(.up))
        var steps = 0
        var settled = false
        while Double(steps) * dt < maxWindowFlowThroughs * tau {
            for _ in 0..<perFlowThrough {
                if stop() { throw Stopped() }
                try stepper.advance(dt: dt)
                steps += 1
                let b = solver.balance()
                sums.massInKgPerS += b.massInKgPerS
                sums.massOutKgPerS += b.massOutKgPerS
                sums.heatSourcesW += b.heatSourcesW
                sums.heatFromWallsW += b.heatFromWallsW
                sums.heatCarriedOutW += b.heatAdvectedOutW
                sums.heatInFromWallsW! += b.heatInFromWallsW
                for (f, v) in fields.enumerated() {
                    fieldSums[f].withUnsafeMutableBufferPointer { BLAS.axpy(v.count, 1, v.p, $0.baseAddress!) }
                }
                for (m, monitor) in watch.enumerated() { samples[m].append(monitor.value(solver)) }
                samples[watch.count].append(b.massInKgPerS / rho)
                if balanceNames.count > 1 { samples[watch.count + 1].append(b.heatAdvectedOutW) }
            }
            if steps >= 2 * perFlowThrough && samples.allSatisfy(settledMean) {
                settled = true
                break
            }
        }
        let heatAtEndJ = solver.flow.solveEnergy ? solver.airHeatContentJ() : 0
        let storedW = (heatAtEndJ - heatAtStartJ) / (Double(steps) * dt)
        if solver.flow.solveEnergy && steps > 0 {
            log(
                String(
                    format: "over the window the air stored %.4g W on average (its mean temperature moved %+.3g K)",
                    storedW, (heatAtEndJ - heatAtStartJ) / solver.airHeatCapacityJPerK))
        }
        for (f, v) in fields.enumerated() {
            fieldSums[f].withUnsafeBufferPointer { BLAS.copy(v.count, $0.baseAddress!, v.p) }
            BLAS.scal(v.count, 1 / Double(steps), v.p)
        }
        // With k–ε the eddy viscosity follows the mean k and ε, not the last step's; the fans'
        // operating points follow the mean flow.
        solver.setEddyViscosityFromKEpsilon()
        solver.refreshFanOperatingPoints()
        let bands = zip(watch.map(\.name) + balanceNames, samples).map { name, all in
            // NaN samples are steps the quantity did not exist (no air leaving an outlet).
            let s = all.filter(\.isFinite)
            return Band(
                name: name, mean: s.isEmpty ? .nan : s.reduce(0, +) / Double(s.count),
                min: s.min() ?? .nan, max: s.max() ?? .nan)
        }
        let outer = stepper.outerIterations.reduce(0, +)
        log(
            String(
                format: "time-averaged over %.3g s (%d steps, %d outer iterations) after %.3g s of spin-up; %@",
                Double(steps) * dt, steps, outer, spinUpS,
                settled ? "every running mean settled" : "running means still moving at the 10 flow-through limit"))
        return TimeAverage(
            flowThroughS: tau, flowSpeedMPerS: flowSpeed, courantNumber: dt * rate, stepS: dt,
            transitS: transit, spinUpStepS: spinUpStep, spinUpS: spinUpS, windowS: Double(steps) * dt,
            steps: steps, outerIterations: outer, settled: settled, quantities: bands, airWarming: airWarming,
            meanBalance: steps > 0
                ? MeanBalance(
                    massInKgPerS: sums.massInKgPerS / Double(steps), massOutKgPerS: sums.massOutKgPerS / Double(steps),
                    heatSourcesW: sums.heatSourcesW / Double(steps),
                    heatFromWallsW: sums.heatFromWallsW / Double(steps),
                    heatCarriedOutW: sums.heatCarriedOutW / Double(steps),
                    heatInFromWallsW: sums.heatInFromWallsW! / Double(steps),
                    heatStoredW: solver.flow.solveEnergy ? storedW : nil) : nil)
    }

    /// The balance figures watched in every average, beside the caller's, so that no window is
    /// judged on nothing (a duct between two open ends with no heat had no watched quantity and
    /// stopped after 0.18 s) and none is called settled while the air still warms (a room
    /// reported 281 W carried out of 500 W): the air entering, and with energy the heat carried
    /// out. Sampled from the step's one `balance()`, which the averaged balance sums as well.
    static func balanceWatched(_ solver: FlowSolver) -> [String] {
        solver.flow.solveEnergy ? ["air entering (m³/s)", "heat carried out (W)"] : ["air entering (m³/s)"]
    }

    /// The mean over all samples agrees with the mean over the first half within
    /// max(1e-3 |mean|, 2 % of the band).
    /// Steps where the quantity did not exist (NaN) are left out; one that never exists has
    /// settled.
    static func settledMean(_ all: [Double]) -> Bool {
        let s = all.filter(\.isFinite)
        if s.isEmpty && !all.isEmpty { return true }
        guard s.count >= 2 else { return false }
        let mean = s.reduce(0, +) / Double(s.count)
        let half = s.prefix(s.count / 2)
        let halfMean = half.reduce(0, +) / Double(half.count)
        let band = (s.max() ?? 0) - (s.min() ?? 0)
        return abs(mean - halfMean) <= max(1e-3 * abs(mean), 0.02 * band)
    }

    /// What a generic case is watched by while averaging: each box's mean air temperature (with
    /// energy; boxes with air in them), each inlet's mean pressure and each outlet's mixed-cup
    /// temperature (the one its report row gives; an area mean weights slow corners like the jet).
    public static func watched(_ gc: GenericCase, report: VoxelReport, solver: FlowSolver) -> [FlowSolver.Monitor] {
        var w: [FlowSolver.Monitor] = []
        if solver.flow.solveEnergy {
            for (name, cells) in CaseMonitors.airBoxes(gc, report: report, solver: solver) {
                w.append(
                    FlowSolver.Monitor("\(name) mean temperature (°C)") { $0.temperatureStats(cells: cells).meanC })
            }
        }
        for p in gc.patches.map(\.patch) {
            let cells = solver.cells(along: p)
            guard !cells.isEmpty else { continue }
            if CaseMonitors.isInlet(p) {
                w.append(FlowSolver.Monitor("\(p.name) pressure (Pa)") { $0.meanPressure(cells: cells) })
            } else if solver.flow.solveEnergy {
                // NaN while no air leaves: left out of the mean, and none at all is reported null.
                w.append(FlowSolver.Monitor("\(p.name) temperature (°C)") { $0.outflowTemperature(p) })
            }
        }
        return w
    }
}
