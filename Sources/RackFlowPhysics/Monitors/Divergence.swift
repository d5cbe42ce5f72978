import RackFlowNumerics

/// Watches an outer iteration for the divergence `iterate()`'s own checks do not see (they
/// catch non-finite residuals and velocities 10³ × every speed scale): temperatures leaving
/// any physical range, a non-finite eddy viscosity, a mass residual that has grown by orders
/// of magnitude. Called once per outer iteration from `FlowSolver.iterate()` (one-line hook),
/// so steady solves and every transient step share it.
extension FlowSolver {
    /// Temperatures no iterate of a healthy solve reaches, °C. Not a physical range: the first
    /// outer iterations of healthy rack solves overshoot to 2,700 °C and undershoot to −604 °C
    /// in single cells (the full suite caught bounds of −273…2,000 °C firing on the compare and
    /// rack tests), so ±10⁵ °C applies at first and ±10⁴ °C after `divergenceSettleIterations`.
    public static let divergenceTemperatureRangeC = -10_000.0...10_000.0
    public static let divergenceStartupRangeC = -100_000.0...100_000.0
    public static let divergenceSettleIterations = 50
    /// A mass residual this many times its smallest value so far (after the first iterations,
    /// where it is still falling from the initial guess) is a runaway.
    public static let divergenceResidualGrowth = 1e8

    func watchDivergence(_ r: Residuals) throws {
        let n = temperature.count
        if flow.solveEnergy {
            let p = temperature.p
            let range =
                history.count > Self.divergenceSettleIterations
                ? Self.divergenceTemperatureRangeC : Self.divergenceStartupRangeC
            // A plain loop over the cells: a fraction of one energy sweep.
            var worst = -1
            for c in 0..<n where !range.contains(p[c]) {
                worst = c
                break
            }
            if worst >= 0 {
                throw FlowSolverError.diverged(
                    iteration: r.iteration, field: .T, index: worst,
                    where_: describe(field: .T, index: worst)
                        + ", T = \(p[worst]) °C outside \(range.lowerBound)…\(range.upperBound) °C")
            }
        }
        if let c = muEff.firstIndex(where: { !$0.isFinite }) {
            throw FlowSolverError.diverged(
                iteration: r.iteration, field: .eddyViscosity, index: c, where_: describe(field: .p, index: c))
        }
        if history.count > 20 {
            let smallest = history.dropFirst(5).map(\.mass).min() ?? r.mass
            if smallest > 0, r.mass > Self.divergenceResidualGrowth * smallest, r.mass > 1 {
                let c = worstMassCell()
                throw FlowSolverError.diverged(
                    iteration: r.iteration, field: .massResidual, index: c,
                    where_: describe(field: .p, index: c)
                        + String(format: ", residual %.3g after %.3g at best", r.mass, smallest))
            }
        }
    }

    /// The cell with the largest pressure, standing in for where continuity fails worst
    /// (the pressure correction piles up there first).
    func worstMassCell() -> Int {
        let p = pressure.p
        var best = 0, value = -Double.infinity
        for c in 0..<pressure.count where abs(p[c]) > value {
            value = abs(p[c])
            best = c
        }
        return best
    }
}
