import Foundation
import RackFlowNumerics

/// One SIMPLEC outer iteration (Van Doormaal & Raithby 1984): momentum predictor, pressure
/// correction, energy; and `iterate`, which wraps it in the pseudo-transient rewind of a steady
/// solve (PseudoTransient.swift).
extension FlowSolver {
    /// One SIMPLEC outer iteration; returns its residuals. A steady iteration that diverges is
    /// rewound to the last healthy state and repeated with more pseudo-time damping
    /// (Steady/PseudoTransient.swift); only when no rewind is left does the divergence escape.
    @discardableResult
    public func iterate() throws -> Residuals {
        guard isSteadyIteration && options.pseudoTransient else { return try outerIteration() }
        while true {
            beforePseudoStep()
            do {
                let r = try outerIteration()
                afterPseudoStep(r)
                return r
            } catch let e as FlowSolverError {
                guard case .diverged = e, rewind(after: e) else { throw e }
            }
        }
    }

    func outerIteration() throws -> Residuals {
        if case .mixingLength = flow.turbulence, history.count % max(options.turbulenceUpdate, 1) == 0 {
            timed("turbulence") { updateEddyViscosity() }
        }
        if case .kEpsilon = flow.turbulence, !history.isEmpty {
            // From the second iteration: the first has no flow to produce turbulence from.
            try timed("turbulence") { try updateKEpsilon() }
        }
        let fastest = velocity.map { BLAS.maxAbs($0.count, $0.p) }.max()!
        if history.isEmpty { initialSpeed = fastest }
        // Runaway: velocities far beyond every speed scale of the problem.
        if !fastest.isFinite {
            try checkFinite(
                Residuals(
                    iteration: history.count, mass: .nan, velocityChange: .nan, temperatureChange: 0,
                    pressureIterations: 0))
        }
        if fastest > 1e3 * max(boundarySpeed, initialSpeed) || (isSteadyIteration && pseudoRunaway(fastest: fastest)) {
            let maxima = velocity.map { BLAS.maxAbs($0.count, $0.p) }
            let a = maxima.firstIndex(of: maxima.max()!)!
            let face = (0..<velocity[a].count).first { abs(velocity[a].p[$0]) == maxima[a] } ?? 0
            let name = SolverField.velocity(a)
            throw FlowSolverError.diverged(
                iteration: history.count, field: name, index: face,
                where_:
                    "\(describe(field: name, index: face)), \(String(format: "%.3g", fastest)) m/s against a speed "
                    + "scale of \(String(format: "%.3g", max(boundarySpeed, initialSpeed))) m/s"
            )
        }
        referenceSpeed = max(boundarySpeed, fastest)
        var maxDU = 0.0, momentumResidual = 0.0, duAt = "", duSquares = 0.0, duCount = 0
        for a in 0..<3 where !fixed[a].allSatisfy({ $0 }) {
            timed("momentum assembly") { assembleMomentum(a) }
            if options.criterion == .normalisedResidual {
                momentumResidual = max(momentumResidual, momentum[a].normalisedResidual(velocity[a], rhs))
            }
            let du = try timed("momentum solve") { try solveMomentum(a) }
            if du > maxDU {
                maxDU = du
                duAt = describe(field: .velocity(a), index: lastChangeIndex)
            }
            duSquares += lastChangeRMS * lastChangeRMS * Double(velocity[a].count)
            duCount += velocity[a].count
        }
        let (massResidual, pIts) = try timed("pressure") { try correctPressure() }
        var maxDT = 0.0, dtAt = "", dtRMS = 0.0
        if flow.solveEnergy {
            timed("energy assembly") { assembleEnergy() }
            maxDT = try timed("energy solve") { try solveEnergy() }
            dtAt = describe(field: .T, index: lastChangeIndex)
            dtRMS = lastChangeRMS
        }
        var r = Residuals(
            iteration: history.count + 1, mass: massResidual, velocityChange: maxDU / referenceSpeed,
            temperatureChange: maxDT / referenceTemperatureDifference, pressureIterations: pIts)
        r.momentum = momentumResidual
        r.velocityChangeAt = duAt
        r.temperatureChangeAt = dtAt
        r.velocityChangeRMS = (duSquares / Double(max(duCount, 1))).squareRoot() / referenceSpeed
        r.temperatureChangeRMS = dtRMS / referenceTemperatureDifference
        history.append(r)
        try checkFinite(r)
        // Runaway temperature, eddy viscosity, residual growth (Monitors/Divergence.swift).
        try watchDivergence(r)
        return r
    }
}
