import Foundation
import RackFlowNumerics

/// A steady solve as a `SimulationModel`: a step is one outer iteration, done when the steady
/// rule holds (`FlowSolver.steadyConverged`: monitors settled, residuals below their
/// tolerances, the balances accepted) or the flow has no steady state. Its state is in the
/// open, so it can be checkpointed, interrupted and resumed: the monitors' recent values are
/// part of it (a resumed run must judge flatness over the same window the uninterrupted one
/// would).
public final class SteadyLoop: SimulationModel {
    public let solver: FlowSolver
    public let monitors: [FlowSolver.Monitor]
    public let accept: ((FlowSolver) -> Bool)?
    /// The settling rule's window (iterations) and relative tolerance of a monitor without its own
    /// (MonitorSettling.swift): the one place these defaults are written.
    public let monitorWindow: Int, monitorTolerance: Double
    public var recent: [[Double]]
    /// The iteration the loop stops at: `options.maxIterations` in all (a resumed run counts the
    /// iterations before it) unless set otherwise.
    public var finalStep: Int
    /// Called with the residuals of every iteration.
    public var progress: ((Residuals) -> Void)?
    /// The residuals of the last iteration.
    public private(set) var last: Residuals?

    public init(
        solver: FlowSolver, monitors: [FlowSolver.Monitor], accept: ((FlowSolver) -> Bool)?, monitorWindow: Int = 20,
        monitorTolerance: Double = 1e-4
    ) {
        self.solver = solver
        self.monitorWindow = monitorWindow
        self.monitorTolerance = monitorTolerance
        self.monitors = monitors
        self.accept = accept
        recent = monitors.map { _ in [] }
        finalStep = solver.options.maxIterations
    }

    /// Count outer-iteration calls instead of the solver's history (`FlowSolver.solveSteady`:
    /// an iteration rewound after a runaway leaves its entry in the history, and a call's budget
    /// is `maxIterations` calls, as a room's racks expect on a live solver).
    public var countsCalls = false
    var calls = 0
    var historyAtStart = 0

    public var step: Int { countsCalls ? historyAtStart + calls : solver.history.count }
    public var canCheckpoint: Bool { solver.canCheckpoint }
    public var checkpointsStepZero: Bool { false }

    public func advance() throws -> Simulation.Outcome? {
        calls += 1
        let r = try solver.iterate()
        last = r
        progress?(r)
        if solver.steadyConverged(
            r, monitors: monitors, recent: &recent, monitorWindow: monitorWindow,
            monitorTolerance: monitorTolerance, accept: accept)
        {
            return .converged
        }
        return solver.pseudo.noSteadyState ? .noSteadyState : nil
    }

    /// Iterates until converged or `finalStep` iterations in all. Every `checkpointEvery`
    /// iterations, and when `stop()` turns true, `checkpoint` is called at the next iteration
    /// where the solver can be checkpointed (`FlowSolver.canCheckpoint`); after a stop the loop
    /// returns `.interrupted`, at the iteration limit `.reachedFinalStep`.
    public func run(
        checkpointEvery: Int? = nil, stop: () -> Bool = { false }, checkpoint: (SteadyLoop) throws -> Void = { _ in },
        progress: ((Residuals) -> Void)? = nil
    ) throws -> Simulation.Outcome {
        self.progress = progress
        defer { self.progress = nil }
        return try Simulation(self, checkpointEvery: checkpointEvery).run(
            stop: stop, checkpoint: { try checkpoint(self) })
    }
}
