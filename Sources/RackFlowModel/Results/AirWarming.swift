import Foundation
import RackFlowPhysics

/// The end of a time average's spin-up when the air stores heat longer than the window lasts.
///
/// Description
///   The spin-up of a time average lasts a transit time τ = L / max(U, U_rms), and its window
///   at most ten flow-through times of the bulk (Results/TimeAverage.swift). The air's heat
///   content relaxes over C / G instead (`FlowSolver.bulkConductanceWPerK`), the residence time
///   V / Q when outlets carry the heat away: 624 s in a 4 × 3 × 2.7 m room fed 50 L/s, against
///   τ = 7.7 s, so a 77 s window was still warming the air and its mean balance missed 5 % of
///   the heat. When C / G exceeds two τ, the spin-up's last half measures the heat the air still
///   stores, S (W), and every air cell is shifted by δ = S / G, the uniform part of the warming
///   still to come. One transit time is then stepped to let the jets and plumes carry the shift
///   where it belongs, S is measured again over its second half, and so on, until S is within
///   0.5 % of the heat put in (the steady energy criterion) or three shifts are made.
///
///   Two guards keep it from doing harm where the stored heat is not the uniform mode. A shift
///   is made only while the heat stored is steady over the measurement (`StoredHeat`): a
///   chaotic flow's exchange through an outlet comes in bursts, and a burst is not a mode. And
///   a shift that does not at least halve the heat stored is taken back (the flow is put back
///   as it was before it, so the transit stepped since is spent for nothing) and the
///   shifting ends: on an unseen case whose spin-up still held faster modes, a −4.2 K shift
///   left the air storing heat the other way, worth +2.8 K, and merely removing its heat again
///   left the average on another chaotic path (energy error 0.013 became 0.049).
///
/// Usage
///   | call                               | result                                          |
///   | TimeAverage.settleAirHeat(…)       | the shifts made and the steps they took, or nil |
public struct AirWarming: Codable, Sendable {
    /// C / G (s): the time the air's heat content takes to relax, against the transit time.
    public var relaxationS: Double
    /// The heat the air is given (W), the scale stored heat is judged on (`FlowSolver.heatScaleW`).
    public var heatInW: Double
    /// The uniform shifts kept, in order (K), and the heat the air stored before each (W).
    public var shiftsK: [Double]
    public var storedW: [Double]
    /// A shift made and taken back because it did not halve the heat stored (K), if any.
    public var takenBackK: Double?
    /// The heat the air stored at the end (W), and the time steps the shifts took.
    public var remainingW: Double
    public var steps: Int

    static let slowerThanFlowThroughs = 2.0
    static let maxShifts = 3
    static let tolerance = 0.005
}

/// The heat the air stores per second (W) over the last half of a run of time steps, and over
/// that half's two halves: a slow mode stores alike in both, a burst of a chaotic flow does not.
struct StoredHeat {
    var meanW = 0.0
    var quartersW = (0.0, 0.0)

    /// Steady enough to act on: both quarters store in the same direction, within half the mean
    /// of each other. On unseen cases whose exchange flows come in bursts, shifts made from one
    /// half flow-through's mean swung −4.2 K then +2.8 K and left the balance worse.
    var isSteady: Bool {
        quartersW.0 * quartersW.1 > 0 && abs(quartersW.0 - quartersW.1) < 0.5 * abs(meanW)
    }

    /// Steps `count` steps of `dt` and measures what the air stored over the last half.
    static func step(
        _ stepper: TimeStepper, count: Int, dt: Double, stop: () -> Bool
    ) throws -> StoredHeat {
        let solver = stepper.solver
        var sums = (0.0, 0.0), counts = (0, 0)
        for s in 0..<count {
            if stop() { throw TimeAverage.Stopped() }
            try stepper.advance(dt: dt)
            // Without energy there is no heat to store, and nothing reads it.
            guard solver.flow.solveEnergy, 2 * s >= count else { continue }
            let w = solver.storedHeatW(solver.balance())
            if 4 * s < 3 * count {
                sums.0 += w
                counts.0 += 1
            } else {
                sums.1 += w
                counts.1 += 1
            }
        }
        let total = sums.0 + sums.1
        return StoredHeat(
            meanW: total / Double(max(counts.0 + counts.1, 1)),
            quartersW: (sums.0 / Double(max(counts.0, 1)), sums.1 / Double(max(counts.1, 1))))
    }
}

extension TimeAverage {
    /// Removes the air's slow heat mode at the end of the spin-up (`AirWarming`); `stored` is
    /// what the air stored over the spin-up's last half. Returns nil when there is nothing to
    /// remove (no energy, or the air relaxes within two transit times).
    static func settleAirHeat(
        _ solver: FlowSolver, stepper: TimeStepper, dt: Double, tau: Double, stored spinUp: StoredHeat,
        stop: () -> Bool, log: (String) -> Void
    ) throws -> AirWarming? {
        guard solver.flow.solveEnergy else { return nil }
        var g = solver.bulkConductanceWPerK()
        let relaxation = solver.airHeatCapacityJPerK / g
        guard g > 0, relaxation > AirWarming.slowerThanFlowThroughs * tau else { return nil }
        let scale = solver.heatScaleW(solver.balance(), conductanceWPerK: g)
        var record = AirWarming(
            relaxationS: relaxation, heatInW: scale, shiftsK: [], storedW: [], remainingW: spinUp.meanW, steps: 0)
        var stored = spinUp
        let segment = Int((tau / dt).rounded(.up))
        while record.shiftsK.count < AirWarming.maxShifts && abs(stored.meanW) > AirWarming.tolerance * scale {
            guard stored.isSteady else {
                log(
                    String(
                        format: "the air's heat relaxes over %.3g s (%.3g transit times); the heat it stores "
                            + "swings (%.4g W, then %.4g W), so no shift", relaxation, relaxation / tau,
                        stored.quartersW.0, stored.quartersW.1))
                break
            }
            let delta = stored.meanW / g
            // A restore between two multigrid rebuilds needs the coefficients to rebuild from
            // (Checkpoint/SolverState.swift); the room's air average had not kept them.
            solver.keepPreconditionerSourceForCheckpoint()
            let unshifted = solver.captureState()
            solver.warmAir(byK: delta)
            record.shiftsK.append(delta)
            record.storedW.append(stored.meanW)
            log(
                String(
                    format: "the air's heat relaxes over %.3g s (%.3g transit times) and still stored %.4g W "
                        + "of %.4g W: every air cell shifted by %+.4g K", relaxation, relaxation / tau,
                    stored.meanW, scale, delta))
            let before = stored.meanW
            do {
                stored = try StoredHeat.step(stepper, count: segment, dt: dt, stop: stop)
            } catch let e as TimeAverage.Stopped {
                // A checkpoint must not keep a shift that was never judged.
                try solver.restore(unshifted)
                throw e
            }
            record.steps += segment
            record.remainingW = stored.meanW
            if abs(stored.meanW) > 0.5 * abs(before) {
                // Not the mode that stored the heat: the flow as it was before the shift, and stop.
                try solver.restore(unshifted)
                record.shiftsK.removeLast()
                record.storedW.removeLast()
                record.takenBackK = delta
                record.remainingW = before
                log(
                    String(
                        format: "the %+.4g K shift left %.4g W stored (from %.4g W): taken back", delta,
                        stored.meanW, before))
                break
            }
            g = solver.bulkConductanceWPerK()
            guard g > 0 else { break }
        }
        return record
    }
}
