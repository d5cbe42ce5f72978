import Foundation
import RackFlowNumerics

public enum FlowSolverError: RackFlowError {
    case notConverged(iterations: Int, last: Residuals)
    /// The residual stalled under the strongest pseudo-time damping (Steady/PseudoTransient.swift).
    case noSteadyState(iteration: Int, last: Residuals)
    case diverged(iteration: Int, field: SolverField, index: Int, where_: String)
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
                "the solution diverged at outer iteration \(it): \(field.rawValue) is not finite or runs away at "
                + "\(place); "
                + "try stronger under-relaxation (smaller velocityRelaxation), a smaller time step or a finer grid"
        case let .linearSolve(eq, it, e):
            return "\(eq) solve failed at outer iteration \(it): \(e)"
        }
    }
}

extension FlowSolverError {
    /// The flow solve is about no file.
    public var file: String? { nil }
    /// The field that ran away, or the equation whose solve failed.
    public var keyPath: String {
        switch self {
        case .notConverged, .noSteadyState: return ""
        case let .diverged(_, field, _, _): return field.rawValue
        case let .linearSolve(equation, _, _): return equation
        }
    }
    public var problem: String { description }
}
