import Foundation

/// A flow case the solver refuses before it starts (non-finite heat, sizes that do not match).
public struct FlowInputError: Error, CustomStringConvertible {
    public let description: String
    public init(_ s: String) { description = s }
}

public enum FlowSolverError: Error, CustomStringConvertible {
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
