/// The one shape of every error RackFlow reports: where it is (a file, a key path inside it)
/// and what is wrong. The command line prints `description`; tools that judge messages (the
/// input fuzzer, tests) read the three parts.
///
/// The error types, and what each is about:
///
/// | type               | about                                                      | `file`             |
/// |--------------------|------------------------------------------------------------|--------------------|
/// | `InputError`       | an input file, a command-line argument, a model's domain   | the input, if any  |
/// | `SolverError`      | a linear solve (Krylov, multigrid, LAPACK)                 | none               |
/// | `FlowSolverError`  | the nonlinear flow solve (divergence, no steady state)     | none               |
/// | `RunDiverged`      | a run that diverged, with its solver kept for the snapshot | none               |
/// | `RunInterrupted`   | a run stopped on request, checkpoint written               | the checkpoint     |
/// | `RoomError`        | a room's coupling or one of its racks, per MPI rank        | none               |
/// | `ExportError`      | a result file, field, stage or picture                     | a failed write's   |
public protocol RackFlowError: Error, CustomStringConvertible {
    /// The file the problem is in or about, when there is one.
    var file: String? { get }
    /// Where inside it: a key path (`boxes[2].hi`), a parameter (`freeArea`), a field (`T`),
    /// or empty when the problem is with the whole thing.
    var keyPath: String { get }
    /// What is wrong, in one sentence that quotes the offending value.
    var problem: String { get }
}
