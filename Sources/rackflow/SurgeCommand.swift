import ArgumentParser
import Foundation
import RackFlowNumerics
import RackFlowPhysics
import RackFlowModel
import RackFlowExport

struct SurgeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "surge",
        abstract:
            "Play a surge scenario (default: Meshes/scenarios/viral-surge.yaml) in time and write frames for artists.",
        discussion: """
            Solves the idle steady state, then steps in time frame by frame. Writes Results/<scenario>/: \
            vdb/fields.NNNN.vdb, \
            refinery.usda with assets/, telemetry.csv, fans.csv, preview.png, report.md, report.html, summary.json and \
            log.txt; the frames go to a hidden \
            staging folder beside it as they are computed, the whole folder appears when the run ends. Ctrl-C or \
            SIGTERM stops at \
            the end of the frame in progress, writes <output>.checkpoint/ and prints the resume command (exit 130 / \
            143).
            """
    )
    @Argument(help: "Scenario file (default: Meshes/scenarios/viral-surge.yaml; on --resume, the checkpoint's).")
    var scenario: String?
    @Option(help: "Result folder (default: Results/<scenario name>; on --resume, the checkpoint's).") var output:
        String?
    @Option(help: "Frames to write, A:B inclusive (0 is the idle state); the run stops after B.") var frames: String?
    @Option(help: "Output frame rate (a divisor of the scenario's): writes every k-th frame.") var fps: Double?
    @Option(help: "Largest grid spacing, m (overrides the rack file).") var maxSpacing: Double?
    @Option(help: "Voxel size of the VDB caches, m (default 0.02; the default rack's solver cells are 2–20 mm).")
    var voxelSize: Double?
    @Option(help: "Up axis of the USD stage and VDB transforms: Y (Houdini, default) or Z.") var upAxis: String?
    @Flag(help: "No progress line, no summary on stdout.") var quiet = false
    @Option(
        help: ArgumentHelp(
            "Write <output>.checkpoint/ every N frames (N time steps at the default solver.stepsPerFrame 1), frame 0 "
                + "(the idle state) included. --resume keeps the checkpoint's N unless given again.")
    )
    var checkpointEvery: Int?
    @Option(
        help: ArgumentHelp(
            "Continue the surge a checkpoint folder holds (written by --checkpoint-every or by Ctrl-C / SIGTERM), "
                + "with its options.")
    )
    var resume: String?

    /// What the command keeps in a checkpoint besides the run's state: its options, the staging
    /// folder with the frames already written, the log and the time spent so far.
    struct Saved: Codable {
        var scenario: String
        var output: String
        var staging: String
        var firstFrame: Int, lastFrame: Int
        var every: Int
        /// --checkpoint-every, kept so that a resumed surge writes checkpoints as this one did
        /// (nil: not given, or a checkpoint from before it was kept).
        var checkpointEvery: Int?
        var voxelSizeM: Double
        var upAxis: String
        var log: String
        var wallSeconds: Double, idleSeconds: Double, stepSeconds: Double, writeSeconds: Double
    }

    func run() throws {
        let t0 = Date()
        SignalHandlers.install()
        let session = try SurgeSession(
            try plan(), output: output, quiet: quiet, checkpointEvery: checkpointEvery, started: t0)
        try session.execute()
    }
}

/// Frame, simulated time, hottest GPU and ETA on one terminal line; silent in pipes and CI.
final class FrameProgress {
    let enabled: Bool
    let total: Int
    var last = Date.distantPast
    init(enabled: Bool, total: Int) {
        self.enabled = enabled && isatty(STDERR_FILENO) != 0
        self.total = total
    }
    func update(_ f: SurgeRun.Frame, elapsed: Double) {
        guard enabled, Date().timeIntervalSince(last) > 0.25 || f.index == total else { return }
        last = Date()
        let eta = elapsed / Double(max(f.index, 1)) * Double(total - f.index)
        let gpu = f.nodes.map(\.gpuMaxC).max() ?? .nan
        let line = String(
            format: "\r  frame %4d/%d  t %.2f s  outer %d  GPU ≤ %.1f °C  blower %.0f %%  ETA %.0f s   ", f.index,
            total, f.timeS,
            f.outerIterations, gpu, 100 * f.blowerFraction, eta)
        FileHandle.standardError.write(line.data(using: .utf8)!)
    }
    func finish() { if enabled && last != .distantPast { FileHandle.standardError.write("\n".data(using: .utf8)!) } }
}

/// A solver divergence during the idle solve or a frame, located and dated (step, frame, time).
func diverged(_ error: Error, _ run: SurgeRun, frame: Int?) -> RunDiverged? {
    guard var d = Divergence(error, solver: run.solver, report: run.report, transient: frame != nil) else { return nil }
    if let frame {
        d.frame = frame
        d.step = run.stepper.steps + 1
        d.timeS = run.time + run.dt
    }
    return RunDiverged(d, solver: run.solver, report: run.report, caseName: run.scenario.name)
}

extension SurgeCommand {
    /// Mean CG iterations of the 1st, 2nd, … outer iteration of a time step (the pressure
    /// correction of a step's first iteration carries the step's change; later ones mend it).
    static func byPosition(_ cg: ArraySlice<Int>, steps: [Int]) -> String {
        guard steps.reduce(0, +) == cg.count, let deepest = steps.max(), deepest > 0 else { return "" }
        var sum = [Int](repeating: 0, count: deepest), count = sum
        var i = cg.startIndex
        for n in steps {
            for j in 0..<n {
                sum[j] += cg[i]
                count[j] += 1
                i += 1
            }
        }
        return "; by outer iteration of the step: "
            + (0..<deepest).map { String(format: "%.1f (%d)", Double(sum[$0]) / Double(max(count[$0], 1)), count[$0]) }
            .joined(separator: ", ")
    }
}
