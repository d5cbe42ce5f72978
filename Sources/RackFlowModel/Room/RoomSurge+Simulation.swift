import RackFlowPhysics

/// A room's surge as a `SimulationModel` (Physics/Run/Simulation.swift): a step is one frame of
/// every rack, coupled through the plenum; the idle state (`start`) is frame 0. It writes no
/// checkpoints yet.
extension RoomSurge: SimulationModel {
    public var step: Int { max(records.count - 1, 0) }
    public var finalStep: Int { frameCount }
    public var canCheckpoint: Bool { false }
    public var checkpointsStepZero: Bool { false }

    public func advance() throws -> Simulation.Outcome? {
        _ = try advanceFrame(jobs: jobs)
        return nil
    }
}
