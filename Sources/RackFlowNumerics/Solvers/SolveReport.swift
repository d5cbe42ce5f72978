/// What an iterative solve did: iterations and the relative residual after each.
public struct SolveReport: Sendable {
    public var solver: String
    public var iterations: Int = 0
    /// ‖b − A x‖₂ / ‖b‖₂ after 0, 1, 2, … iterations.
    public var residualHistory: [Double] = []
    public var relativeResidual: Double { residualHistory.last ?? .nan }
    public init(solver: String) { self.solver = solver }
}

/// Why a solve stopped without an answer. Messages name the solver, the iteration and,
/// where it applies, the cell, so a diverging run can be traced to a place.
public enum SolverError: Error, CustomStringConvertible, Equatable {
    case didNotConverge(solver: String, iterations: Int, relativeResidual: Double, tolerance: Double)
    case notFinite(solver: String, iteration: Int, cell: (Int, Int, Int)?)
    case incompatibleRightHandSide(piece: Int, cells: Int, netSource: Double, totalSource: Double)
    case breakdown(solver: String, iteration: Int, what: String)

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
        }
    }

    public static func == (a: SolverError, b: SolverError) -> Bool { a.description == b.description }
}

/// Finds the first non-finite entry of a vector, as grid indices.
func firstNonFinite(_ v: PaddedVector, nx: Int, ny: Int) -> (Int, Int, Int)? {
    for c in 0..<v.count where !v.p[c].isFinite { return (c % nx, (c / nx) % ny, c / (nx * ny)) }
    return nil
}
