import RackFlowNumerics

/// Errors of a room run that are not input errors: coupling failures and failing racks.
public enum RoomError: RackFlowError {
    case coupling(String)
    /// A rack's solve failed (`rank` is the MPI rank that owned it, 0 without MPI).
    case rack(name: String, rank: Int, reason: String)
    /// The first failing rank's reason, as every rank of the job reports it.
    case failed(rank: Int, reason: String)

    public var description: String {
        switch self {
        case let .coupling(s): return "plenum coupling: \(s)"
        case let .rack(name, rank, reason): return "rank \(rank): rack \(name): \(reason)"
        case let .failed(rank, reason): return "rank \(rank): \(reason)"
        }
    }

    /// A room's run failure is about no file.
    public var file: String? { nil }
    /// The rack that failed, when one did.
    public var keyPath: String {
        if case let .rack(name, _, _) = self { return name }
        return ""
    }
    public var problem: String { description }
}
