import Foundation
import RackFlowNumerics
import RackFlowPhysics

/// The answer to a steady question when the flow has no steady state: a time average.
///
/// When the steady iteration stalls under its strongest damping (`FlowSolver.pseudo.noSteadyState`),
/// the flow is stepped in time (BDF2, `TimeStepper`) from where the iteration stopped: first a
/// spin-up of one flow-through time τ = L / U (largest domain side over the boundary speed scale),
/// ended, where the air's heat relaxes over more than two τ, by uniform shifts of the air's
/// temperature that remove the heat it would still store (Results/AirWarming.swift, a
/// flow-through each), then an averaging window that grows a τ at a time until every watched quantity's running mean
/// over the whole window agrees with its mean over the window's first half to within
/// max(1e-3 |mean|, 2 % of its band), or 10 τ have been averaged. The fields are averaged too
/// and left in the solver, so every figure, picture and field file shows the mean flow (a
/// linear combination of divergence-free steps is divergence-free). Each watched quantity is
/// reported with its band, max − min over the window.
///
/// Step: τ / 100, at most 4 h_min / U (a Courant number of 4 on the finest cells at the speed
/// scale; implicit BDF2 is stable beyond it, and 4 keeps the eddies it resolves).
public struct TimeAverage: Codable, Sendable {
    public struct Band: Codable, Sendable {
        public var name: String
        public var mean: Double
        public var min: Double
        public var max: Double
    }
    public var flowThroughS: Double
    public var stepS: Double
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
        public var relativeMassImbalance: Double {
            massInKgPerS > 0 ? abs(massInKgPerS - massOutKgPerS) / massInKgPerS : 0
        }
        /// Over the heat put in, as `FlowSolver.balance()` measures it.
        public func relativeEnergyError(specificHeatJPerKgK cp: Double) -> Double {
            Balance.relativeEnergyError(
                sourcesW: heatSourcesW, wallsW: heatFromWallsW, wallsInW: heatInFromWallsW ?? 0,
                advectedOutW: heatCarriedOutW, massInKgPerS: massInKgPerS, specificHeatJPerKgK: cp)
        }
    }

    /// Thrown when the caller's `stop` asks the averaging to end (SIGINT, SIGTERM).
    public struct Stopped: Error {}

    static let spinUpFlowThroughs = 1.0
    static let maxWindowFlowThroughs = 10.0
    static let stepsPerFlowThrough = 100.0

    /// Steps `solver` in time and averages; `watch` are the quantities reported with bands.
    public static func run(
        _ solver: FlowSolver, watch: [FlowSolver.Monitor], stop: () -> Bool = { false },
        stepScale: Double = 1, log: (String) -> Void
    ) throws -> TimeAverage {
        let balanceNames = balanceWatched(solver)
        let g = solver.flow.grid
        let u = solver.speedScaleMPerS
        let length = max(g.x.length, g.y.length, g.z.length)
        let tau = length / u
        let hMin = [g.x.widths, g.y.widths, g.z.widths].map { $0.min() ?? length }.min() ?? length
        let dt = stepScale * min(tau / stepsPerFlowThrough, 4 * hMin / u)
        var so = TimeStepOptions()
        so.minOuter = 2
        so.maxOuter = 6
        so.tolerance = 1e-3
        let stepper = TimeStepper(solver, options: so)
        log(String(format: "no steady state: stepping in time, step %.3g s, flow-through time %.3g s", dt, tau))

        var spinUp = Int((spinUpFlowThroughs * tau / dt).rounded(.up))
        let stored = try StoredHeat.step(stepper, count: spinUp, dt: dt, stop: stop)
        let airWarming = try settleAirHeat(
            solver, stepper: stepper, dt: dt, tau: tau, stored: stored, stop: stop, log: log)
        spinUp += airWarming?.steps ?? 0
        var sums = MeanBalance(
            massInKgPerS: 0, massOutKgPerS: 0, heatSourcesW: 0, heatFromWallsW: 0, heatCarriedOutW: 0,
            heatInFromWallsW: 0)

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
                Double(steps) * dt, steps, outer, Double(spinUp) * dt,
                settled ? "every running mean settled" : "running means still moving at the 10 flow-through limit"))
        return TimeAverage(
            flowThroughS: tau, stepS: dt, spinUpS: Double(spinUp) * dt, windowS: Double(steps) * dt,
            steps: steps, outerIterations: outer, settled: settled, quantities: bands, airWarming: airWarming,
            meanBalance: steps > 0
                ? MeanBalance(
                    massInKgPerS: sums.massInKgPerS / Double(steps), massOutKgPerS: sums.massOutKgPerS / Double(steps),
                    heatSourcesW: sums.heatSourcesW / Double(steps),
                    heatFromWallsW: sums.heatFromWallsW / Double(steps),
                    heatCarriedOutW: sums.heatCarriedOutW / Double(steps),
                    heatInFromWallsW: sums.heatInFromWallsW! / Double(steps)) : nil)
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
