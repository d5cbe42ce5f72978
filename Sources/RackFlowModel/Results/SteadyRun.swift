import Foundation
import RackFlowNumerics
import RackFlowPhysics

/// One steady solve of a case file, the way `rackflow solve` does it: compile, iterate until
/// the residuals are small, the monitors (every node's flow, the hottest GPU air) are flat and
/// the global balances hold (mass to 1e-6, energy to 0.5 %), then read the summary.
public struct SteadyRun {
    public let genericCase: GenericCase
    public let report: VoxelReport
    public let solver: FlowSolver
    public let summary: SolveSummary

    /// Checkpoints of a steady solve: where, how often, and the state to resume from.
    public struct CheckpointPlan {
        public var folder: URL
        public var every: Int?
        public var resume: (CheckpointFile, SolverState)?
        public var stop: () -> Bool
        public init(
            folder: URL, every: Int?, resume: (CheckpointFile, SolverState)? = nil,
            stop: @escaping () -> Bool = { Interruption.shared.requested }
        ) {
            self.folder = folder
            self.every = every
            self.resume = resume
            self.stop = stop
        }
    }

    /// `configure` may adjust solver options (limits, experiments) before the solve starts.
    /// With `checkpoints`, the solve runs through `SteadyLoop` (the same rule), writes
    /// checkpoints, resumes from one, and stops with `RunInterrupted` when asked to.
    /// `prepare` changes the solver before the first iteration (a sweep's check sets part
    /// powers with `FlowSolver.updateHeat`).
    /// `start`: an earlier solution (`FlowSolver.solutionState()`, from the folder named in
    /// `start.source`) to start from instead of rest, interpolated when its grid differs.
    public static func run(
        _ c: CaseFile, configure: (inout SimpleOptions) -> Void = { _ in },
        log: (String) -> Void = { _ in },
        progress: ((Residuals, FlowSolver) -> Void)? = nil,
        checkpoints: CheckpointPlan? = nil,
        start: (source: String, state: SolverState)? = nil,
        prepare: (FlowSolver, VoxelReport) -> Void = { _, _ in }
    ) throws -> SteadyRun {
        let gc = c.genericCase
        var (flow, options, report) = try gc.compile()
        configure(&options)
        log(
            "case \(gc.name) from \(c.path): \(flow.grid.cellCount) cells (\(flow.grid.nx) × \(flow.grid.ny) × "
                + "\(flow.grid.nz)), largest spacing \(gc.constraints.maxSpacingM) m"
        )
        for w in gc.patchCoverageWarnings(flow) { log(w) }
        let solver = try FlowSolver(flow, options: options)
        if c.layout == nil, let note = gc.laminarNote(speedScaleMPerS: solver.speedScaleMPerS) { log(note) }
        var startedFrom: String?
        if let start, checkpoints?.resume == nil {
            let sameGrid: Bool
            do {
                sameGrid = try solver.start(from: start.state)
            } catch let e as InputError where e.file == nil {
                throw InputError(file: start.source, line: nil, keyPath: "", problem: "cannot start from it: \(e)")
            }
            startedFrom = start.source + (sameGrid ? " (same grid)" : " (interpolated from its grid)")
            log("started from \(startedFrom!)")
        }

        prepare(solver, report)
        let monitors =
            c.layout == nil
            ? CaseMonitors.monitors(gc, report: report, solver: solver)
            : Self.monitors(layout: c.layout, report: report, genericCase: gc)
        let accept = Self.balancesHold
        let t0 = Date()
        var converged = true
        var unsteady = false
        /// Writes the solver's present state as the plan's checkpoint.
        func writeCheckpoint(_ plan: CheckpointPlan, monitorWindows: [[Double]], averaging: Bool = false) throws {
            var state = solver.captureState()
            // Stopped while averaging: the resume averages again at once. Its time steps' outer
            // iterations are in the history, which can exceed the iteration limit by then.
            if averaging { state.scalars["averaging"] = 1 }
            // The run's overrides, so that a resume continues under the same limits and grid.
            state.scalars["maxIterations"] = Double(solver.options.maxIterations)
            state.scalars["maxSpacing"] = gc.constraints.maxSpacingM
            // The cadence too: a resumed run keeps writing checkpoints as this one did.
            if let every = plan.every { state.scalars["checkpointEvery"] = Double(every) }
            try Checkpoint.write(
                to: plan.folder, kind: "solve", input: c.path, caseName: gc.name, cells: flow.grid.cellCount,
                state: state, monitorWindows: monitorWindows)
            log("checkpoint at outer iteration \(solver.history.count): \(plan.folder.path)")
        }
        var monitorWindows: [[Double]] = []
        var resumedAt: Int?
        do {
            if let plan = checkpoints {
                let loop = SteadyLoop(solver: solver, monitors: monitors, accept: accept)
                if let (h, state) = plan.resume {
                    guard h.kind == "solve", h.cells == flow.grid.cellCount, h.monitorWindows.count == monitors.count
                    else {
                        throw InputError(
                            file: plan.folder.path, line: nil, keyPath: "checkpoint.json",
                            problem:
                                "this checkpoint is of another run (\(h.kind), \(h.cells) cells, "
                                + "\(h.monitorWindows.count) monitors; this solve has \(flow.grid.cellCount) cells, "
                                + "\(monitors.count) monitors)"
                        )
                    }
                    try Checkpoint.restore(
                        state, into: solver, file: plan.folder.appendingPathComponent("checkpoint.json").path)
                    loop.recent = h.monitorWindows
                    resumedAt = h.iteration
                    log("resumed from \(plan.folder.path) at outer iteration \(h.iteration)")
                }
                let averaging = plan.resume.map { ($0.1.scalars["averaging"] ?? 0) != 0 } ?? false
                let outcome: Simulation.Outcome =
                    averaging
                    ? .noSteadyState
                    : try loop.run(
                        checkpointEvery: plan.every, stop: plan.stop,
                        checkpoint: { l in try writeCheckpoint(plan, monitorWindows: l.recent) },
                        progress: { r in progress?(r, solver) })
                monitorWindows = loop.recent
                switch outcome {
                case .converged: break
                case .reachedFinalStep:
                    throw FlowSolverError.notConverged(
                        iterations: solver.options.maxIterations, last: solver.history.last!)
                case .noSteadyState: unsteady = true
                case .interrupted:
                    throw RunInterrupted(folder: plan.folder, iteration: solver.history.count, frame: nil)
                }
            } else {
                try solver.solveSteady(monitors: monitors, accept: accept) { r in progress?(r, solver) }
            }
        } catch FlowSolverError.noSteadyState {
            unsteady = true
        } catch FlowSolverError.notConverged(let n, _) {
            converged = false
            log("warning: not converged after \(n) iterations; results are written with converged: false")
        } catch let e as RunInterrupted {
            throw e
        } catch let e as InputError {
            throw e
        } catch {
            // Located (cell, position, part) and carrying the solver, for the failed-run snapshot.
            if let d = Divergence(error, solver: solver, report: report) {
                throw RunDiverged(d, solver: solver, report: report, caseName: gc.name)
            }
            throw error
        }
        for a in solver.pseudo.adaptations { log("adapted at " + a) }
        var average: TimeAverage?
        if unsteady {
            converged = false
            let watch = c.layout == nil ? TimeAverage.watched(gc, report: report, solver: solver) : monitors
            let stop = checkpoints?.stop ?? { false }
            solver.keepPreconditionerSourceForCheckpoint()
            let atStall = solver.captureState()
            do {
                do {
                    average = try TimeAverage.run(solver, watch: watch, stop: stop, log: log)
                } catch let e where Divergence(e, solver: solver, report: report) != nil {
                    // A run-away time step: once more from where the iteration stalled, at half
                    // the step (a laminar case at Re 7,500 ran away after 4,800 outer iterations).
                    log(
                        "the time average ran away (\(String(describing: e).prefix(120))…); stepping again from "
                            + "where the iteration stalled, at half the step")
                    try solver.restore(atStall)
                    average = try TimeAverage.run(
                        solver, watch: watch, stop: stop, stepScale: 0.5, log: log)
                }
            } catch is TimeAverage.Stopped {
                // Asked to stop while averaging (only a checkpoint plan's `stop` asks): the
                // averaging keeps no state of its own, so the checkpoint holds the flow at this
                // step, and a resume iterates from it again.
                let plan = checkpoints!
                solver.keepPreconditionerSourceForCheckpoint()
                try writeCheckpoint(plan, monitorWindows: monitorWindows, averaging: true)
                throw RunInterrupted(folder: plan.folder, iteration: solver.history.count, frame: nil)
            } catch {
                if let d = Divergence(error, solver: solver, report: report) {
                    throw RunDiverged(d, solver: solver, report: report, caseName: gc.name)
                }
                throw error
            }
        }
        let seconds = Date().timeIntervalSince(t0)
        let phases = solver.phaseSeconds.sorted { $0.value > $1.value }.map {
            String(format: "%@ %.1f s", $0.key, $0.value)
        }
        log("time per phase: " + phases.joined(separator: ", "))
        var summary = SolveSummary(solver: solver, genericCase: gc, report: report, layout: c.layout)
        summary.converged = converged
        summary.timeAveraged = average
        if let m = average?.meanBalance {
            summary.balance.massImbalance = m.relativeMassImbalance
            summary.balance.energyError = m.relativeEnergyError(specificHeatJPerKgK: flow.fluid.specificHeatJPerKgK)
            summary.balance.massInKgPerS = m.massInKgPerS
            summary.balance.heatSourcesW = m.heatSourcesW
            summary.balance.heatCarriedOutW = m.heatCarriedOutW
            summary.balance.heatFromWallsW = m.heatFromWallsW
            summary.balance.heatStoredW = m.heatStoredW
        }
        summary.solveSeconds = seconds
        summary.startedFrom = startedFrom
        summary.iterations = solver.history.last?.iteration ?? 0
        summary.resumedAtIteration = resumedAt
        for w in summary.warnings ?? [] { log("warning: " + w) }
        // A resumed run's seconds are its own: per iteration over the iterations it made.
        let made = summary.iterationsThisRun
        log(
            String(
                format: "%d iterations%@ in %.1f s (%.2f s each); mass imbalance %.1e, energy error %.1e",
                summary.iterations, resumedAt.map { " (\(made) after the resume at \($0))" } ?? "", seconds,
                seconds / Double(max(made, 1)), summary.balance.massImbalance, summary.balance.energyError))
        return SteadyRun(genericCase: gc, report: report, solver: solver, summary: summary)
    }

    /// What a rack solve watches, and the stopping rule on them (`MonitorSettling`: flat over 20
    /// iterations and, extrapolated, within the tolerance of its limit): every node's
    /// front-mesh flow to 0.1 %, the hottest GPU air and every part's air temperature to
    /// 0.05 K, and the plenum pressure (inlet patch over exhaust) to 0.1 %. The residuals (change
    /// below 1e-3) and the global balances are the safeguards.
    public static func monitors(
        layout: RackLayout?, report: VoxelReport,
        genericCase gc: GenericCase? = nil
    ) -> [FlowSolver.Monitor] {
        guard let layout else { return [] }
        var monitors: [FlowSolver.Monitor] = []
        for n in layout.nodes {
            guard let pf = report.planeFaces[n.frontPlane] else { continue }
            monitors.append(
                FlowSolver.Monitor(n.name, tolerance: flowTolerance) {
                    $0.flowRate(axis: pf.axis, faces: pf.faces)
                })
        }
        let gpuCells = layout.parts.filter { $0.kind == "gpu" }.flatMap { report.boxCells[$0.regionBox] ?? [] }
        if !gpuCells.isEmpty {
            monitors.append(
                FlowSolver.Monitor("max GPU air", absoluteTolerance: temperatureToleranceK) {
                    $0.maximumTemperature(cells: gpuCells)
                })
        }
        for p in layout.parts {
            let cells = report.boxCells[p.regionBox] ?? []
            guard !cells.isEmpty else { continue }
            monitors.append(
                FlowSolver.Monitor(p.name, absoluteTolerance: temperatureToleranceK) {
                    $0.temperatureStats(cells: cells).meanC
                })
        }
        let inflow = gc?.patches.first { ps in
            if case .pressureOutlet = ps.patch.kind { return false }
            return true
        }
        if let plenum = inflow {
            monitors.append(
                FlowSolver.Monitor("plenum pressure", tolerance: flowTolerance) { s in
                    s.meanPressure(cells: s.cells(along: plenum.patch))
                })
        }
        return monitors
    }

    /// The stopping rule's tolerances for racks (`monitors`), stated in every report.
    public static let flowTolerance = 1e-3
    public static let temperatureToleranceK = 0.05

    /// The global balances a converged steady solve must meet: mass to 1e-6, energy to 0.5 %.
    public static func balancesHold(_ s: FlowSolver) -> Bool {
        let b = s.balance()
        return b.relativeMassImbalance <= 1e-6 && (!s.flow.solveEnergy || b.relativeEnergyError <= 0.005)
    }
}
