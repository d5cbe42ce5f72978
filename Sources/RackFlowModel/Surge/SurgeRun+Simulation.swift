import RackFlowPhysics

/// A surge as a `SimulationModel` (Physics/Run/Simulation.swift): a step is one frame, the
/// idle state (frame 0) is worth a checkpoint, and a checkpoint can be written after any frame.
extension SurgeRun: SimulationModel {
    public var step: Int { frames.count - 1 }
    public var finalStep: Int { lastFrame }
    public var canCheckpoint: Bool { true }
    public var checkpointsStepZero: Bool { true }

    public func advance() throws -> Simulation.Outcome? {
        _ = try advanceFrame()
        return nil
    }
}
