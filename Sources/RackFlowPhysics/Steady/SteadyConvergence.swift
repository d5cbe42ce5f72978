import Foundation
import RackFlowNumerics

/// The steady convergence rule: monitors that must settle (MonitorSettling.swift), residuals
/// below their tolerances, and `solveSteady`, which runs the steady loop (Run/SteadyLoop.swift)
/// to that rule.
extension FlowSolver {
    /// A quantity watched during a steady solve (a node's flow, the hottest part): the solve
    /// is converged only when every monitor has stopped moving.
    public struct Monitor {
        public var name: String
        public var value: (FlowSolver) -> Double
        /// Tolerance of this monitor relative to its magnitude (nil: the solve's `monitorTolerance`).
        public var tolerance: Double?
        /// Tolerance in the monitor's own units (K for a temperature); replaces `tolerance`.
        public var absoluteTolerance: Double?
        /// The least tolerance in the monitor's own units under a relative one: a quantity
        /// that is nearly zero (an inlet's pressure of 0.01 Pa) is judged against its scale.
        public var floor: Double
        public init(
            _ name: String, tolerance: Double? = nil, absoluteTolerance: Double? = nil, floor: Double = 0,
            _ value: @escaping (FlowSolver) -> Double
        ) {
            self.name = name
            self.value = value
            self.tolerance = tolerance
            self.absoluteTolerance = absoluteTolerance
            self.floor = floor
        }
    }

    /// Iterates to convergence (steady state): residuals below their tolerances, each monitor
    /// settled (`SteadyLoop`'s window and tolerance), and `accept` (e.g. global balances) true.
    /// `progress` is called every iteration.
    @discardableResult
    public func solveSteady(
        monitors: [Monitor] = [], accept: ((FlowSolver) -> Bool)? = nil,
        progress: ((Residuals) -> Void)? = nil
    ) throws -> Residuals {
        // The one run loop (Run/Simulation.swift), with a budget of maxIterations from here: a
        // room's racks call this again on a live solver at every coupling iteration.
        let loop = SteadyLoop(solver: self, monitors: monitors, accept: accept)
        loop.countsCalls = true
        loop.historyAtStart = history.count
        loop.finalStep = history.count + options.maxIterations
        let outcome = try loop.run(progress: progress)
        let last =
            loop.last
            ?? Residuals(
                iteration: history.count, mass: .infinity, velocityChange: .infinity, temperatureChange: .infinity,
                pressureIterations: 0)
        switch outcome {
        case .converged, .interrupted: return last
        case .noSteadyState: throw FlowSolverError.noSteadyState(iteration: last.iteration, last: last)
        case .reachedFinalStep: throw FlowSolverError.notConverged(iterations: options.maxIterations, last: last)
        }
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
                absolute: monitor.absoluteTolerance, floor: monitor.floor)
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
}
