/// Why a solve stopped without an answer. Messages name the solver, the iteration and,
/// where it applies, the cell, so a diverging run can be traced to a place.
public enum SolverError: RackFlowError, Equatable {
    case didNotConverge(solver: String, iterations: Int, relativeResidual: Double, tolerance: Double)
    case notFinite(solver: String, iteration: Int, cell: (Int, Int, Int)?)
    case incompatibleRightHandSide(piece: Int, cells: Int, netSource: Double, totalSource: Double)
    case breakdown(solver: String, iteration: Int, what: String)
    /// LAPACK reported a failure through its `info` argument: `info` < 0, argument −info was
    /// illegal; `info` > 0, the factorisation failed at that pivot.
    case lapack(routine: String, info: Int)

    public var description: String {
        switch self {
        case let .didNotConverge(s, it, r, tol):
            return "\(s) did not converge: relative residual \(r) after \(it) iterations (tolerance \(tol))"
        case let .notFinite(s, it, cell):
            let at = cell.map { " at cell (i=\($0.0), j=\($0.1), k=\($0.2))" } ?? ""
            return "\(s) met a non-finite value (NaN or Inf) at iteration \(it)\(at)"
        case let .incompatibleRightHandSide(p, n, net, total):
            return
                "incompatible right-hand side: piece \(p) (\(n) cells) has no fixed value and its sources sum to "
                + "\(net), not 0 (sum of |sources| \(total)); with only flux conditions the sources must balance"
        case let .breakdown(s, it, what):
            return "\(s) broke down at iteration \(it): \(what)"
        case let .lapack(routine, info):
            return info < 0
                ? "\(routine): argument \(-info) had an illegal value"
                : "\(routine): failed at pivot \(info) (matrix singular or not positive definite)"
        }
    }

    public static func == (a: SolverError, b: SolverError) -> Bool { a.description == b.description }
}

extension SolverError {
    /// A linear solve is about no file.
    public var file: String? { nil }
    /// The solver or routine at fault.
    public var keyPath: String {
        switch self {
        case let .didNotConverge(s, _, _, _), let .notFinite(s, _, _), let .breakdown(s, _, _): return s
        case .incompatibleRightHandSide: return ""
        case let .lapack(routine, _): return routine
        }
    }
    public var problem: String { description }
}
