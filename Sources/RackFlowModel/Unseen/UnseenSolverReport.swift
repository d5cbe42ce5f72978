import RackFlowPhysics

/// What the solver says about a solve beyond `SolveSummary`, read in one place so that the
/// unseen runner follows the solver as it learns to report more: the adaptations it made on
/// its own (a pseudo-time rewind, a Courant cap cut) and whether it ended on a time average.
/// This solver reports neither, so both are empty; delete or fill this file when it does.
extension FlowSolver {
    var unseenAdaptations: [String] { [] }
    var unseenEndedTimeAveraged: Bool { false }
}
