/// The one run loop of RackFlow: it advances a model step by step, asks it whether it is done,
/// and is the only place where checkpoints, interruption and per-step output meet.
///
/// Description
///   After Oceananigans' `Simulation` and its `run!`: whatever the model (a steady solve, whose
///   step is one outer iteration; a surge, whose step is one frame), the loop is
///
///     while step < finalStep:
///         a checkpoint is due every `checkpointEvery` steps (and on a stop request); it is
///         written at the first step where the model can write one, never twice for a step
///         (not for the step a run resumed at), and not at step 0 unless the model says so;
///         after a stop request and its checkpoint → .interrupted
///         outcome ← model.advance();  afterStep()
///         a finished outcome (converged, no steady state) → return it
///     → .reachedFinalStep
///
///   The model says what a step is and when it is done; the callers say what is written after
///   each step (frames, progress) and how a checkpoint is written (Model/Checkpoint).
///
/// Usage
///   | call                                   | meaning                                             |
///   | Simulation(model, checkpointEvery:)     | the loop over a `SimulationModel`                   |
///   | run(stop:checkpoint:afterStep:)         | runs to an outcome; `stop` is polled before a step  |
///   | resumedAt                               | the step a resumed run starts at (no checkpoint of it again) |
public protocol SimulationModel: AnyObject {
    /// Steps taken so far (outer iterations, frames), counting those before a resume.
    var step: Int { get }
    /// The run stops after this step (an iteration limit, the last frame).
    var finalStep: Int { get }
    /// Whether a checkpoint can be written at the present step.
    var canCheckpoint: Bool { get }
    /// Whether step 0 (before any step) is worth a checkpoint (a surge's idle state is).
    var checkpointsStepZero: Bool { get }
    /// Takes one step; a non-nil outcome ends the run.
    func advance() throws -> Simulation.Outcome?
}

public final class Simulation {
    public enum Outcome: Equatable {
        case converged, noSteadyState, reachedFinalStep, interrupted
    }
    public let model: SimulationModel
    public let checkpointEvery: Int?
    /// The step a resumed run starts at: its checkpoint exists already.
    public var resumedAt: Int?

    public init(_ model: SimulationModel, checkpointEvery: Int? = nil, resumedAt: Int? = nil) {
        self.model = model
        self.checkpointEvery = checkpointEvery
        self.resumedAt = resumedAt
    }

    public func run(
        stop: () throws -> Bool = { false }, checkpoint: () throws -> Void = {}, afterStep: () throws -> Void = {}
    ) throws -> Outcome {
        var lastCheckpoint = resumedAt ?? -1
        var due = false
        while model.step < model.finalStep {
            let s = model.step
            let allowed = (s > 0 || model.checkpointsStepZero) && s != lastCheckpoint
            if let n = checkpointEvery, n > 0, s % n == 0, allowed { due = true }
            let stopping = try stop()
            if (due || stopping) && allowed && model.canCheckpoint {
                try checkpoint()
                due = false
                lastCheckpoint = s
            }
            if stopping && lastCheckpoint == s { return .interrupted }
            let outcome = try model.advance()
            try afterStep()
            if let outcome { return outcome }
        }
        return .reachedFinalStep
    }
}
