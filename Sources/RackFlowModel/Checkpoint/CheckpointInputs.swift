import Foundation
import RackFlowNumerics

/// The input files a checkpoint was taken from, each with its SHA-256, against the files the
/// resuming run reads: a changed, vanished or new file refuses the resume, naming the file. One
/// rule for every run that checkpoints (`surge`, `room`, a room surge).
public enum CheckpointInputs {
    /// `recorded`: the checkpoint's inputs; `now`: this run's; `record`: the checkpoint file that
    /// lists them (for the messages); `run`: what starting afresh would start ("surge", "room run").
    public static func check(
        recorded: [SurgeCheckpoint.InputFile], now: [SurgeCheckpoint.InputFile], folder: URL, record: String,
        run: String
    ) throws {
        for f in recorded {
            guard let c = now.first(where: { $0.path == f.path }) else {
                throw InputError(
                    file: f.path, line: nil, keyPath: "",
                    problem:
                        "an input of the checkpointed run (\(record)) that this run no longer reads; resume with the "
                        + "inputs as they were"
                )
            }
            guard c.sha256 == f.sha256 else {
                throw InputError(
                    file: f.path, line: nil, keyPath: "",
                    problem:
                        "changed since the checkpoint \(folder.path) was taken (SHA-256 \(f.sha256.prefix(12))… "
                        + "then, \(c.sha256.prefix(12))… now); resume with the inputs as they were, or start the "
                        + "\(run) afresh"
                )
            }
        }
        if let extra = now.first(where: { n in !recorded.contains { $0.path == n.path } }) {
            throw InputError(
                file: extra.path, line: nil, keyPath: "",
                problem:
                    "read by this run but not by the checkpointed one (\(record)); resume with the inputs as they were"
            )
        }
    }
}

/// A checkpoint folder's `manifest.json` (a room's, a room surge's): its kind and version say
/// which run wrote it and whether this build reads it.
public protocol CheckpointManifest: Decodable {
    var kind: String { get }
    var version: Int { get }
    /// The kind this type reads, the version this build writes, and what it is called in messages.
    static var expectedKind: String { get }
    static var currentVersion: Int { get }
    static var noun: String { get }
}

extension CheckpointManifest {
    /// Reads `<folder>/manifest.json`; errors name the file and the problem.
    public static func read(_ folder: URL) throws -> Self {
        let url = folder.appendingPathComponent("manifest.json")
        let m = try Checkpoint.decode(
            Self.self, at: url,
            missing: "file not found: --resume needs a \(noun) checkpoint folder written by --checkpoint-every or an "
                + "interruption",
            noun: "\(noun) checkpoint manifest")
        guard m.kind == expectedKind else {
            throw InputError(
                file: url.path, line: nil, keyPath: "kind", problem: "a checkpoint of \(m.kind), not of a \(noun)")
        }
        guard m.version == currentVersion else {
            throw InputError(
                file: url.path, line: nil, keyPath: "version",
                problem: "checkpoint version \(m.version), this build reads \(currentVersion)")
        }
        return m
    }
}
