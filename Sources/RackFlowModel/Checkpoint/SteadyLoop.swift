import Foundation
import RackFlowNumerics
import RackFlowPhysics

/// The steady outer loop of `FlowSolver.solveSteady` (same convergence rule, iteration for
/// iteration) with its state in the open, so it can be checkpointed, interrupted and resumed:
/// the monitors' recent values are part of the state (a resumed run must judge flatness over
/// the same window the uninterrupted one would).
public final class SteadyLoop {
    public enum Outcome { case converged, notConverged, interrupted, noSteadyState }
    public let solver: FlowSolver
    public let monitors: [FlowSolver.Monitor]
    public let accept: ((FlowSolver) -> Bool)?
    public let monitorWindow = 20, monitorTolerance = 1e-4
    public var recent: [[Double]]

    public init(solver: FlowSolver, monitors: [FlowSolver.Monitor], accept: ((FlowSolver) -> Bool)?) {
        self.solver = solver
        self.monitors = monitors
        self.accept = accept
        recent = monitors.map { _ in [] }
    }

    /// Iterates until converged or `options.maxIterations` iterations in all (counting those
    /// before a resume). Every `checkpointEvery` iterations, and when `stop()` turns true,
    /// `checkpoint` is called at the next iteration where the solver can be checkpointed
    /// (`FlowSolver.canCheckpoint`); after a stop the loop returns `.interrupted`.
    public func run(
        checkpointEvery: Int? = nil, stop: () -> Bool = { false }, checkpoint: (SteadyLoop) throws -> Void = { _ in },
        progress: ((Residuals) -> Void)? = nil
    ) throws -> Outcome {
        let maxIterations = solver.options.maxIterations
        var due = false
        while solver.history.count < maxIterations {
            if let n = checkpointEvery, n > 0, solver.history.count > 0, solver.history.count % n == 0 { due = true }
            let stopping = stop()
            if (due || stopping) && solver.canCheckpoint && solver.history.count > 0 {
                try checkpoint(self)
                due = false
                if stopping { return .interrupted }
            }
            let last = try solver.iterate()
            progress?(last)
            if solver.steadyConverged(
                last, monitors: monitors, recent: &recent, monitorWindow: monitorWindow,
                monitorTolerance: monitorTolerance, accept: accept)
            {
                return .converged
            }
            if solver.pseudo.noSteadyState { return .noSteadyState }
        }
        return .notConverged
    }
}
