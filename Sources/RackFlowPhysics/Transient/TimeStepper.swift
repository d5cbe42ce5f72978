import RackFlowNumerics

/// Implicit time integration of the flow solver's equations.
public enum TimeScheme: String, Sendable, Codable {
    /// First order: (φ − φⁿ)/Δt.
    case backwardEuler
    /// Second order: (3φ − 4φⁿ + φⁿ⁻¹)/(2Δt); its first step is backward Euler. When the step
    /// changes, from Δtₙ₋₁ to Δt with ω = Δt/Δtₙ₋₁, the variable-step form
    /// ((1+2ω)/(1+ω) φ − (1+ω) φⁿ + ω²/(1+ω) φⁿ⁻¹)/Δt keeps second order (Hairer, Nørsett &
    /// Wanner 1993, Solving ODEs I, §III.5).
    case bdf2
}

public struct TimeStepOptions: Sendable {
    public var scheme: TimeScheme = .bdf2
    /// Outer (SIMPLEC) iterations per step: at least `minOuter`, at most `maxOuter`,
    /// stopping when the step's residuals fall below `tolerance`.
    public var minOuter = 2
    public var maxOuter = 20
    public var tolerance = 1e-6
    /// Start each pressure correction from the last step's at the same outer iteration (see
    /// `advance`). Default rack, surge frames 37–72 (resumed from one checkpoint): CG
    /// iterations per outer iteration ≈ 41 → 17, pressure solve 78.5 → 35.0 s, flow steps
    /// 106.5 → 66.0 s; node airflows the same to 1.4e-4 relative, exhausts to 0.0015 °C.
    public var pressureGuess = true
    public init() {}
}

/// Advances a `FlowSolver` in time one step at a time: every step stores the old levels,
/// switches on the time terms (ρV/Δt weights) in momentum and energy and runs a few
/// SIMPLEC outer iterations, each ending with exact discrete continuity up to the
/// pressure tolerance.
public final class TimeStepper {
    public let solver: FlowSolver
    public var options: TimeStepOptions
    public private(set) var time = 0.0
    public private(set) var steps = 0
    /// Outer iterations used by each step.
    public private(set) var outerIterations: [Int] = []
    /// The last step's length (s); nil before the first and after a restore, which the
    /// surge's fixed steps resume at alike.
    public private(set) var lastStepS: Double?

    public init(_ solver: FlowSolver, options: TimeStepOptions = TimeStepOptions()) {
        self.solver = solver
        self.options = options
    }

    /// Puts back the counters of a checkpointed run (the solver's own state, old levels
    /// included, goes through `FlowSolver.restore`).
    public func restore(timeS: Double, steps: Int, outerIterations: [Int]) {
        time = timeS
        self.steps = steps
        self.outerIterations = outerIterations
        lastStepS = nil
    }

    /// Chooses a step from the output interval and a Courant limit: the largest step that
    /// divides `outputInterval` into whole steps with u Δt / Δx ≤ `courant` for the given speed.
    public static func step(
        outputIntervalS: Double, maxSpeedMPerS: Double, minSpacingM: Double, courant: Double
    ) -> Double {
        let limit = maxSpeedMPerS > 0 ? courant * minSpacingM / maxSpeedMPerS : outputIntervalS
        let n = wholeCount(outputIntervalS / limit)
        return outputIntervalS / Double(n)
    }

    /// Forgets the old time levels, so that the next step is backward Euler and BDF2 starts
    /// afresh from it: for a change of step larger than variable-step BDF2 bears well (its old
    /// level's weight grows as ω² / (1 + ω), 9.1 at ω = 10, and it is zero-stable only for
    /// ω < 1 + √2; Hairer, Nørsett & Wanner 1993, §III.5), or levels another run left.
    public func restartHistory() {
        solver.oldVelocity.removeAll()
        solver.oldTemperature.removeAll()
        lastStepS = nil
    }

    /// One step of length `dt` seconds.
    @discardableResult
    public func advance(dt: Double) throws -> Residuals {
        precondition(dt > 0 && dt.isFinite)
        let s = solver
        // Shift the old levels: [n, n−1]; the oldest level's buffers are reused for the newest
        // (fresh multi-megabyte buffers every step cost page faults).
        let recycled = s.oldVelocity.count >= 2 ? (s.oldVelocity.removeLast(), s.oldTemperature.removeLast()) : nil
        let newest = recycled?.0 ?? (0..<3).map { PaddedVector(count: s.velocity[$0].count, pad: 0) }
        let newestT = recycled?.1 ?? PaddedVector(count: s.temperature.count, pad: 0)
        for a in 0..<3 { newest[a].copy(from: s.velocity[a]) }
        newestT.copy(from: s.temperature)
        s.oldVelocity.insert(newest, at: 0)
        s.oldTemperature.insert(newestT, at: 0)
        s.startTurbulenceStep()

        if options.scheme == .bdf2 && s.oldVelocity.count == 2 {
            let w = lastStepS.map { dt / $0 } ?? 1
            s.timeCoefficient = (1 + 2 * w) / ((1 + w) * dt)
            s.timeWeights = [(1 + w) / dt, -w * w / ((1 + w) * dt)]
        } else {
            s.timeCoefficient = 1 / dt
            s.timeWeights = [1 / dt]
        }
        s.timeStepS = dt
        defer {
            s.timeCoefficient = 0
            s.timeWeights = []
            s.timeStepS = 0
            s.outerInStep = nil
        }
        var last: Residuals!
        var used = 0
        for it in 0..<options.maxOuter {
            // The k-th pressure correction of this step starts from the k-th of the last step
            // (FlowSolver.stepCorrections): steps in a surge change the flow alike from one to
            // the next, so the guess holds the smooth, far-reaching part of the correction that
            // the multigrid's point smoothing is slowest on, and CG stops at the same tolerance
            // relative to ‖b‖ in fewer iterations (a guess worse than zero is dropped).
            s.outerInStep = options.pressureGuess ? it : nil
            last = try s.iterate()
            used = it + 1
            if used >= options.minOuter && last.mass < options.tolerance && last.velocityChange < options.tolerance
                && (!s.flow.solveEnergy || last.temperatureChange < options.tolerance)
            {
                break
            }
        }
        outerIterations.append(used)
        lastStepS = dt
        time += dt
        steps += 1
        return last
    }
}
