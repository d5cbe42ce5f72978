import Foundation
import RackFlowNumerics
import RackFlowPhysics

/// Checkpoints of a surge, taken at frame ends: the solver (fields, both BDF2 time levels, the
/// eddy viscosity, the coefficients the multigrid hierarchy was last built from, the residual
/// history that phases the next rebuild), the smoke tracer, every part's heat state, every fan
/// controller's duty, the timeline position, the energy books and every frame recorded so far
/// (the stage, telemetry.csv, fans.csv and the preview are written from them at the end). What
/// the command adds (its options, the staging folder holding the frames already written, the
/// log) travels in `command`. A resume with other inputs is refused: every input file's SHA-256
/// is stored and compared.
public struct SurgeCheckpoint: Codable {
    /// Heat state of one part (the rest of `PartHeat` comes from the inputs).
    public struct Part: Codable { public var temperatureC, sinkC, heatToAirW, powerW: Double }
    public struct InputFile: Codable, Equatable {
        public var path: String
        public var sha256: String
    }

    public var timeS: Double
    public var energy: SurgeRun.Energy
    public var frames: [SurgeRun.Frame]
    public var idleIterations: Int
    public var idleConverged: Bool
    public var airHeat0J: Double, partHeat0J: Double
    public var parts: [Part]
    public var fanDuties: [Double]
    public var stepperTimeS: Double
    public var stepperSteps: Int
    public var stepperOuterIterations: [Int]
    /// The scenario, the rack file and every node and part file it pulled in.
    public var inputs: [InputFile]
    /// The largest grid spacing the run was compiled with, m (nil: the rack file's).
    public var maxSpacingM: Double?
    /// What the command stores (options, staging folder, log), as JSON text.
    public var command: String?

    /// Frame the checkpoint stands at (0 = the idle state).
    public var frame: Int { frames.count - 1 }

    static func encoder() -> JSONEncoder { JSONCoding.encoder([.sortedKeys]) }
    static func decoder() -> JSONDecoder { JSONCoding.decoder() }

    /// The scenario file, the rack file and the files it pulled in (absolute paths), each with its SHA-256.
    public static func inputs(of run: SurgeRun) throws -> [InputFile] {
        var seen = Set<String>()
        let paths = ([run.scenario.file, run.caseFile.path] + run.caseFile.inputFiles).map(absolute).filter {
            seen.insert($0).inserted
        }
        return try paths.map { InputFile(path: $0, sha256: try Checkpoint.sha256(of: $0)) }
    }

    static func absolute(_ p: String) -> String {
        FileResolver.normalized(URL(fileURLWithPath: p).standardizedFileURL.path)
    }

    /// Refuses a checkpoint of another run: another scenario, a changed input file (named), another rack.
    public func check(against run: SurgeRun, folder: URL) throws {
        let now = try Self.inputs(of: run)
        let header = folder.appendingPathComponent("checkpoint.json").path
        if let first = inputs.first, first.path != now[0].path {
            throw InputError(
                file: run.scenario.file, line: nil, keyPath: "",
                problem:
                    "not the scenario the checkpoint \(folder.path) was taken from (\(first.path)); resume without a "
                    + "scenario argument"
            )
        }
        try CheckpointInputs.check(recorded: inputs, now: now, folder: folder, record: header, run: "surge")
        guard parts.count == run.parts.count, fanDuties.count == run.fans.count else {
            throw InputError(
                file: header, line: nil, keyPath: "extra",
                problem:
                    "the checkpoint has \(parts.count) parts and \(fanDuties.count) fans, this rack "
                    + "\(run.parts.count) and \(run.fans.count)"
            )
        }
    }
}

extension SurgeRun {
    /// The run's state at the end of the last frame, for `Checkpoint.write` (solver arrays plus
    /// the smoke tracer) and the surge's own part.
    public func captureCheckpoint(command: String? = nil) throws -> (SolverState, SurgeCheckpoint) {
        var (s, c) = captureFrameState()
        c.inputs = try SurgeCheckpoint.inputs(of: self)
        c.command = command
        return (s, c)
    }

    /// The same state kept in memory, without the input hashes: a room surge takes one at each
    /// frame start and puts it back (`restoreFrameState`) to re-step the frame at the flows the
    /// plenum coupling corrected.
    public func captureFrameState() -> (SolverState, SurgeCheckpoint) {
        var s = solver.captureState()
        s.arrays["smoke"] = smoke.array
        let c = SurgeCheckpoint(
            timeS: time, energy: energy, frames: frames, idleIterations: idleIterations, idleConverged: idleConverged,
            airHeat0J: airHeat0, partHeat0J: partHeat0,
            parts: parts.map {
                .init(temperatureC: $0.temperatureC, sinkC: $0.sinkC, heatToAirW: $0.heatToAirW, powerW: $0.powerW)
            },
            fanDuties: fans.map(\.duty), stepperTimeS: stepper.time, stepperSteps: stepper.steps,
            stepperOuterIterations: stepper.outerIterations, inputs: [], maxSpacingM: maxSpacingM, command: nil)
        return (s, c)
    }

    /// Writes the checkpoint folder (see `Checkpoint.write`: a kill at any moment leaves the
    /// previous or the new checkpoint, complete).
    public func writeCheckpoint(to folder: URL, command: String? = nil) throws {
        let (s, c) = try captureCheckpoint(command: command)
        let extra = String(decoding: try SurgeCheckpoint.encoder().encode(c), as: UTF8.self)
        try Checkpoint.write(
            to: folder, kind: "surge", input: scenario.file, caseName: scenario.name, cells: solver.flow.grid.cellCount,
            state: s, monitorWindows: [], extra: extra)
    }

    /// Reads a surge checkpoint folder; errors name the file and what is wrong.
    public static func readCheckpoint(_ folder: URL) throws -> (CheckpointFile, SolverState, SurgeCheckpoint) {
        let (h, s) = try Checkpoint.read(folder)
        let header = folder.appendingPathComponent("checkpoint.json").path
        guard h.kind == "surge" else {
            throw InputError(
                file: header, line: nil, keyPath: "kind",
                problem:
                    "a checkpoint of rackflow \(h.kind), not of a surge; resume it with rackflow \(h.kind) --resume "
                    + "\(folder.path)"
            )
        }
        guard let extra = h.extra else {
            throw InputError(
                file: header, line: nil, keyPath: "extra",
                problem: "missing: the surge's state is not in this checkpoint")
        }
        do {
            return (h, s, try SurgeCheckpoint.decoder().decode(SurgeCheckpoint.self, from: Data(extra.utf8)))
        } catch {
            throw InputError(file: header, line: nil, keyPath: "extra", problem: "not a surge state (\(error))")
        }
    }

    /// Puts a checkpoint back into a run built from the same inputs (checked first), in place of
    /// `solveIdle` and the frames it covers; the next `advanceFrame` continues bitwise as the
    /// uninterrupted run would.
    public func restore(_ h: CheckpointFile, _ s: SolverState, _ c: SurgeCheckpoint, folder: URL) throws {
        try c.check(against: self, folder: folder)
        guard h.cells == solver.flow.grid.cellCount else {
            throw InputError(
                file: folder.appendingPathComponent("checkpoint.json").path, line: nil, keyPath: "cells",
                problem:
                    "the checkpoint's grid has \(h.cells) cells, this run's \(solver.flow.grid.cellCount) (another "
                    + "--max-spacing?)"
            )
        }
        try restoreFrameState(s, c, file: folder.appendingPathComponent("checkpoint.json").path)
    }

    /// Puts a captured state of this same run back (no input check): the next `advanceFrame`
    /// repeats bitwise what followed the capture, unless an input (an inflow override) changed.
    public func restoreFrameState(_ s: SolverState, _ c: SurgeCheckpoint, file: String = "(in memory)") throws {
        try Checkpoint.restore(s, into: solver, file: file)
        guard let sm = s.arrays["smoke"], sm.count == smoke.count else {
            throw InputError(
                file: file, line: nil, keyPath: "smoke", problem: "the smoke tracer is missing or of the wrong size")
        }
        sm.withUnsafeBufferPointer { smoke.p.update(from: $0.baseAddress!, count: sm.count) }
        for (i, p) in c.parts.enumerated() {
            parts[i].temperatureC = p.temperatureC
            parts[i].sinkC = p.sinkC
            parts[i].heatToAirW = p.heatToAirW
            parts[i].powerW = p.powerW
        }
        for (i, d) in c.fanDuties.enumerated() { fans[i].duty = d }
        time = c.timeS
        energy = c.energy
        frames = c.frames
        idleIterations = c.idleIterations
        idleConverged = c.idleConverged
        airHeat0 = c.airHeat0J
        partHeat0 = c.partHeat0J
        stepper.restore(timeS: c.stepperTimeS, steps: c.stepperSteps, outerIterations: c.stepperOuterIterations)
    }
}
