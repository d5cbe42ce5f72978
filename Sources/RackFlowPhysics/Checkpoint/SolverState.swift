import Foundation
import RackFlowNumerics

/// Everything a `FlowSolver` carries from one outer iteration to the next, for checkpoints:
/// the fields (velocity on faces, pressure, temperature), the effective viscosity and
/// conductivity (the eddy viscosity's last update), imposed face values (inlet ramps), the
/// residual history (its length sets the phases of the eddy-viscosity update and of the
/// multigrid rebuild), the speed scales, the inflow scale and the time levels of a transient.
///
/// What is not stored is rebuilt identically: the multigrid hierarchy is rebuilt at every
/// iteration that is a multiple of `pressurePreconditionerRebuild`, and a checkpoint is only
/// taken at such an iteration (`canCheckpoint`), so the resumed run rebuilds it from the same
/// coefficients the uninterrupted run would; coefficients, scratch vectors and Krylov state
/// are recomputed inside every iteration. A surge checkpoints at frame ends, between rebuilds:
/// with `keepsPreconditionerSource` the coefficients of the last rebuild travel along
/// (`pcSource.*`) and the restore rebuilds the hierarchy from them.
public struct SolverState {
    public var arrays: [String: [Double]] = [:]
    public var history: [Residuals] = []
    public var scalars: [String: Double] = [:]
    public var timeWeights: [Double] = []
    public var oldLevels = 0

    public init() {}
}

extension FlowSolver {
    /// True between two outer iterations where a checkpoint restores bitwise: both the
    /// multigrid rebuild and the eddy-viscosity update fall due at the next iteration.
    public var canCheckpoint: Bool {
        let n = history.count
        return n % max(options.pressurePreconditionerRebuild, 1) == 0 && n % max(options.turbulenceUpdate, 1) == 0
    }

    public func captureState() -> SolverState {
        var s = SolverState()
        for a in 0..<3 {
            s.arrays["velocity\(a)"] = velocity[a].array
            s.arrays["fixedValue\(a)"] = fixedValue[a]
        }
        s.arrays["pressure"] = pressure.array
        s.arrays["temperature"] = temperature.array
        s.arrays["muEff"] = muEff
        s.arrays["kEff"] = kEff
        if let t = turbulenceFields {
            s.arrays["turbulenceK"] = t.k.array
            s.arrays["turbulenceEpsilon"] = t.epsilon.array
            s.arrays["turbulenceOldK"] = t.oldK.array
            s.arrays["turbulenceOldEpsilon"] = t.oldEpsilon.array
        }
        for (l, level) in oldVelocity.enumerated() {
            for a in 0..<3 { s.arrays["old\(l)velocity\(a)"] = level[a].array }
            s.arrays["old\(l)temperature"] = oldTemperature[l].array
        }
        s.oldLevels = oldVelocity.count
        for (k, v) in stepCorrections.enumerated() { s.arrays["stepCorrection\(k)"] = v.array }
        if let src = preconditionerSource { for (k, v) in src { s.arrays["pcSource.\(k)"] = v } }
        s.timeWeights = timeWeights
        s.history = history
        s.scalars = [
            "referenceSpeed": referenceSpeed, "initialSpeed": initialSpeed, "inflowScale": inflowScale,
            "timeCoefficient": timeCoefficient, "lastChangeIndex": Double(lastChangeIndex),
            "lastChangeRMS": lastChangeRMS,
            "pseudoCourant": pseudo.courant, "pseudoCourantCap": pseudo.courantCap,
            "pseudoReferenceResidual": pseudo.referenceResidual, "pseudoRewinds": Double(pseudo.rewinds),
            "pseudoBestResidual": pseudo.bestResidual, "pseudoBestIteration": Double(pseudo.bestIteration),
            "pseudoMonitorWaitStart": Double(pseudo.monitorWaitStart),
            "pseudoWarmStart": pseudo.warmStart ? 1 : 0,
            "pseudoEnergyCourant": pseudo.energyCourant,
        ]
        return s
    }

    /// The scalar state: reference speed, inflow scale, time coefficient, last change, and the
    /// pseudo-time continuation's Courant numbers, cap, rewinds and best residual.
    func restoreScalars(_ scalars: [String: Double]) {
        referenceSpeed = scalars["referenceSpeed"] ?? referenceSpeed
        initialSpeed = scalars["initialSpeed"] ?? initialSpeed
        inflowScale = scalars["inflowScale"] ?? inflowScale
        timeCoefficient = scalars["timeCoefficient"] ?? timeCoefficient
        lastChangeIndex = Int(scalars["lastChangeIndex"] ?? 0)
        lastChangeRMS = scalars["lastChangeRMS"] ?? 0
        pseudo.courant = scalars["pseudoCourant"] ?? 0
        pseudo.energyCourant = scalars["pseudoEnergyCourant"] ?? pseudo.courant
        pseudo.courantCap = scalars["pseudoCourantCap"] ?? 0
        pseudo.referenceResidual = scalars["pseudoReferenceResidual"] ?? 0
        pseudo.rewinds = Int(scalars["pseudoRewinds"] ?? 0)
        pseudo.bestResidual = scalars["pseudoBestResidual"] ?? .greatestFiniteMagnitude
        pseudo.bestIteration = Int(scalars["pseudoBestIteration"] ?? 0)
        pseudo.monitorWaitStart = Int(scalars["pseudoMonitorWaitStart"] ?? 0)
        pseudo.warmStart = (scalars["pseudoWarmStart"] ?? 0) != 0
    }

    /// Puts a captured state back into a solver built from the same case and options.
    public func restore(_ s: SolverState) throws {
        func put(_ name: String, _ v: PaddedVector) throws {
            guard let a = s.arrays[name], a.count == v.count else {
                throw InputError("checkpoint: \(name) missing or of the wrong size for this grid")
            }
            a.withUnsafeBufferPointer { v.p.update(from: $0.baseAddress!, count: a.count) }
        }
        func take(_ name: String, count: Int) throws -> [Double] {
            guard let a = s.arrays[name], a.count == count else {
                throw InputError("checkpoint: \(name) missing or of the wrong size for this grid")
            }
            return a
        }
        for a in 0..<3 {
            try put("velocity\(a)", velocity[a])
            fixedValue[a] = try take("fixedValue\(a)", count: fixedValue[a].count)
        }
        try put("pressure", pressure)
        try put("temperature", temperature)
        muEff = try take("muEff", count: muEff.count)
        kEff = try take("kEff", count: kEff.count)
        if let t = turbulenceFields {
            try put("turbulenceK", t.k)
            try put("turbulenceEpsilon", t.epsilon)
            try put("turbulenceOldK", t.oldK)
            try put("turbulenceOldEpsilon", t.oldEpsilon)
        }
        oldVelocity = []
        oldTemperature = []
        for l in 0..<s.oldLevels {
            let level = try (0..<3).map { a -> PaddedVector in
                let v = PaddedVector(count: velocity[a].count, pad: 0)
                try put("old\(l)velocity\(a)", v)
                return v
            }
            let t = PaddedVector(count: temperature.count, pad: 0)
            try put("old\(l)temperature", t)
            oldVelocity.append(level)
            oldTemperature.append(t)
        }
        stepCorrections = []
        while s.arrays["stepCorrection\(stepCorrections.count)"] != nil {
            let v = PaddedVector(count: pcSol.count, pad: 0)
            try put("stepCorrection\(stepCorrections.count)", v)
            stepCorrections.append(v)
        }
        timeWeights = s.timeWeights
        history = s.history
        restoreScalars(s.scalars)
        pcSolver = nil // rebuilt at the next iteration, as the uninterrupted run does there (canCheckpoint)
        // Between two rebuilds (a surge checkpoints at frame ends, wherever the iteration count
        // stands): rebuild the hierarchy from the coefficients the running solver built it from.
        // The next iteration assembles every coefficient afresh, as the uninterrupted run does.
        let names = ["east", "north", "top", "anchor"]
        if history.count % max(options.pressurePreconditionerRebuild, 1) != 0,
            names.allSatisfy({ s.arrays["pcSource.\($0)"] != nil })
        {
            var src: [String: [Double]] = [:]
            for n in names { src[n] = try take("pcSource.\(n)", count: pc.count) }
            for (n, v) in [("east", pc.east), ("north", pc.north), ("top", pc.top)] {
                src[n]!.withUnsafeBufferPointer { v.p.update(from: $0.baseAddress!, count: pc.count) }
            }
            pc.anchor = src["anchor"]!
            pc.refresh()
            pcSolver = try MultigridCG(pc, multigrid: options.pressureMultigrid)
            preconditionerSource = src
        } else if history.count % max(options.pressurePreconditionerRebuild, 1) != 0 && !history.isEmpty {
            throw InputError(
                "checkpoint: taken between two multigrid rebuilds (outer iteration \(history.count)) without the "
                    + "coefficients of the last rebuild (pcSource.*); it cannot resume bitwise"
            )
        }
    }

    /// Before a checkpoint that cannot land on a rebuild (a time average stopped on request,
    /// whose resume iterates again and so is not bitwise anyway): the present coefficients
    /// stand for the last rebuild's, so that the restore can build a hierarchy from them.
    public func keepPreconditionerSourceForCheckpoint() {
        if preconditionerSource == nil { preconditionerSource = capturePreconditionerSource() }
    }

    /// The pressure-correction coefficients the multigrid hierarchy is being built from.
    func capturePreconditionerSource() -> [String: [Double]] {
        ["east": pc.east.array, "north": pc.north.array, "top": pc.top.array, "anchor": pc.anchor]
    }
}
