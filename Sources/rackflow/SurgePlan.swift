import ArgumentParser
import Foundation
import RackFlowModel
import RackFlowPhysics
import RackFlowNumerics

/// The surge command's options resolved against the checkpoint it resumes, if any: the
/// scenario, the frames to write and every option a run needs, each checked once. A resume
/// takes the scenario, folder and options from the checkpoint; options given again must agree.
struct SurgePlan {
    var scenario: Scenario
    var upAxis: String
    var voxelSizeM: Double
    var maxSpacingM: Double?
    /// Frames to write, inclusive; the run stops after the last.
    var frames: ClosedRange<Int>
    /// Writes every k-th frame (the scenario's fps over the output's).
    var every: Int
    /// The checkpoint being resumed, its folder and the command's options it stored.
    var resumed: (CheckpointFile, SolverState, SurgeCheckpoint)?
    var resumeURL: URL?
    var saved: SurgeCommand.Saved?
}

extension SurgeCommand {
    func plan() throws -> SurgePlan {
        if let n = checkpointEvery, n < 1 { throw ValidationError("--checkpoint-every must be ≥ 1 frame (got \(n))") }
        let resumeURL = resume.map { URL(fileURLWithPath: $0) }
        let resumed = try resumeURL.map { try SurgeRun.readCheckpoint($0) }
        var saved: Saved? = nil
        if let (_, _, c) = resumed, let resumeURL { saved = try savedOptions(c, at: resumeURL) }
        let sc = try Scenario.load(path: scenario ?? saved?.scenario ?? DefaultCase.scenario)
        let upAxis = (self.upAxis ?? saved?.upAxis ?? "Y").uppercased()
        let voxelSize = self.voxelSize ?? saved?.voxelSizeM ?? 0.02
        let maxSpacing = self.maxSpacing ?? resumed?.2.maxSpacingM
        guard ["Y", "Z"].contains(upAxis) else { throw ValidationError("--up-axis must be Y or Z (got \(upAxis))") }
        if let h = maxSpacing, !(h > 0 && h.isFinite) {
            throw ValidationError("--max-spacing must be > 0 m (got \(h))")
        }
        guard voxelSize > 0, voxelSize.isFinite else {
            throw ValidationError("--voxel-size must be > 0 m (got \(voxelSize))")
        }
        return SurgePlan(
            scenario: sc, upAxis: upAxis, voxelSizeM: voxelSize, maxSpacingM: maxSpacing,
            frames: try frameRange(sc, saved: saved), every: try frameStride(sc, saved: saved), resumed: resumed,
            resumeURL: resumeURL, saved: saved)
    }

    /// The options the checkpoint at `resumeURL` stored; options given again must agree.
    func savedOptions(_ c: SurgeCheckpoint, at resumeURL: URL) throws -> Saved {
        guard let text = c.command, let v = try? JSONDecoder().decode(Saved.self, from: Data(text.utf8)) else {
            throw InputError(
                file: resumeURL.appendingPathComponent("checkpoint.json").path, line: nil, keyPath: "extra.command",
                problem: "missing or unreadable: the surge command's options are not in this checkpoint")
        }
        func differs(_ name: String, _ given: String?, _ stored: String) throws {
            if let g = given, g != stored {
                throw ValidationError(
                    "--\(name) \(g) differs from the checkpoint's \(stored) (\(resumeURL.path)); resume without "
                        + "it or with the same value"
                )
            }
        }
        try differs("frames", frames, "\(v.firstFrame):\(v.lastFrame)")
        try differs("voxel-size", voxelSize.map { "\($0)" }, "\(v.voxelSizeM)")
        try differs("up-axis", upAxis?.uppercased(), v.upAxis)
        try differs("max-spacing", maxSpacing.map { "\($0)" }, c.maxSpacingM.map { "\($0)" } ?? "(the rack file's)")
        try differs("output", output.map { URL(fileURLWithPath: $0).standardizedFileURL.path }, v.output)
        return v
    }

    /// The frames to write: the checkpoint's, `--frames A:B`, or all.
    func frameRange(_ sc: Scenario, saved: Saved?) throws -> ClosedRange<Int> {
        if let v = saved {
            guard v.firstFrame >= 0, v.lastFrame >= v.firstFrame, v.lastFrame <= sc.frameCount else {
                throw ValidationError(
                    "the checkpoint's frames \(v.firstFrame):\(v.lastFrame) do not fit the scenario's "
                        + "0…\(sc.frameCount)"
                )
            }
            return v.firstFrame...v.lastFrame
        } else if let f = frames {
            let p = f.split(separator: ":", omittingEmptySubsequences: false).map { Int($0) }
            guard p.count == 2, let a = p[0], let b = p[1], a >= 0, b >= a, b <= sc.frameCount else {
                throw ValidationError("--frames must be A:B with 0 ≤ A ≤ B ≤ \(sc.frameCount) (got \(f))")
            }
            return a...b
        }
        return 0...sc.frameCount
    }

    /// Every k-th frame is written: k = the scenario's fps over `--fps` (the checkpoint's k on a resume).
    func frameStride(_ sc: Scenario, saved: Saved?) throws -> Int {
        var every = saved?.every ?? 1
        if let o = fps {
            let k = sc.fps / o
            guard o > 0, abs(k - k.rounded()) < 1e-9, k >= 1 else {
                throw ValidationError("--fps must divide the scenario's \(sc.fps) fps (got \(o))")
            }
            if let v = saved, v.every != Int(k.rounded()) {
                throw ValidationError(
                    "--fps \(o) differs from the checkpoint's \(sc.fps / Double(v.every)) fps; resume without it")
            }
            every = Int(k.rounded())
        }
        return every
    }
}
