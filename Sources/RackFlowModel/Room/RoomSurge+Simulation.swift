import RackFlowPhysics

/// A room's surge as a `SimulationModel` (Physics/Run/Simulation.swift): a step is one frame of
/// every rack, coupled through the plenum; the idle state (`solveIdle`) is frame 0, a
/// checkpoint's frame too (RoomSurgeCheckpoint.swift).
extension RoomSurge: SimulationModel {
    public var step: Int { max(records.count - 1, 0) }
    public var finalStep: Int { frameCount }
    public var canCheckpoint: Bool { !records.isEmpty }
    public var checkpointsStepZero: Bool { true }

    public func advance() throws -> Simulation.Outcome? {
        _ = try advanceFrame(jobs: jobs)
        return nil
    }
}
