/// What an iterative solve did: iterations and the relative residual after each.
public struct SolveReport: Sendable {
    public var solver: String
    public var iterations: Int = 0
    /// ‖b − A x‖₂ / ‖b‖₂ after 0, 1, 2, … iterations.
    public var residualHistory: [Double] = []
    public var relativeResidual: Double { residualHistory.last ?? .nan }
    public init(solver: String) { self.solver = solver }
}

/// Finds the first non-finite entry of a vector, as grid indices.
func firstNonFinite(_ v: PaddedVector, nx: Int, ny: Int) -> (Int, Int, Int)? {
    for c in 0..<v.count where !v.p[c].isFinite { return (c % nx, (c / nx) % ny, c / (nx * ny)) }
    return nil
}
