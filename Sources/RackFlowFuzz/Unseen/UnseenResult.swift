import RackFlowModel
import Foundation

/// How an unseen case ended.
public enum UnseenOutcome: String, Codable, Sendable, CaseIterable {
    /// Every convergence rule held (`SteadyRun`: residuals, monitors, balances).
    case converged
    /// The steady iteration found no steady state (it stalled under its strongest damping) and
    /// the solve answered with a time average of the flow stepped in time (`TimeAverage`).
    case timeAveraged = "time-averaged"
    /// `maxIterations` reached; the fields are finite but not converged.
    case notConverged = "not-converged"
    /// The solver gave up on non-finite or runaway values (its message is kept).
    case diverged
    /// No case at all: the generator found no valid draw for the seed, or the written case was
    /// refused on loading. A bug of the generator, never of the solver.
    case failed
}

/// One unseen case's record: a row of `cases.csv` and an entry of `summary.json`.
public struct UnseenResult: Codable, Sendable {
    public var seed: UInt64
    public var name: String
    public var cells: Int?
    /// Draws the generator took for the seed (`UnseenCase.attempts`).
    public var draws: Int?
    public var outcome: UnseenOutcome
    /// Outer iterations run (for a divergence, the iteration it happened at).
    public var iterations: Int?
    /// Loading, compiling and solving the written case, s.
    public var wallSeconds: Double
    /// The solve alone (`SolveSummary.solveSeconds`), s.
    public var solveSeconds: Double?
    /// Relative mass imbalance and energy error at the end (`SolveSummary.balance`).
    public var massImbalance: Double?
    public var energyError: Double?
    /// For a time-averaged case: whether every running mean settled before the window's limit.
    public var averageSettled: Bool?
    /// What the solver changed on its own during the solve (`FlowSolver.pseudo.adaptations`).
    public var adaptations: [String]
    /// The divergence or failure message.
    public var error: String?

    /// Every key is written, a missing quantity as null (not left out).
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(seed, forKey: .seed)
        try c.encode(name, forKey: .name)
        try c.encode(cells, forKey: .cells)
        try c.encode(draws, forKey: .draws)
        try c.encode(outcome, forKey: .outcome)
        try c.encode(iterations, forKey: .iterations)
        try c.encode(wallSeconds, forKey: .wallSeconds)
        try c.encode(solveSeconds, forKey: .solveSeconds)
        try c.encode(massImbalance, forKey: .massImbalance)
        try c.encode(energyError, forKey: .energyError)
        try c.encode(averageSettled, forKey: .averageSettled)
        try c.encode(adaptations, forKey: .adaptations)
        try c.encode(error, forKey: .error)
    }
}
