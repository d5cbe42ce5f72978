import Foundation
import RackFlowNumerics
import RackFlowPhysics

/// A checkpoint folder: `checkpoint.json` (what run, where it stood, the residual history,
/// scalars, and where each array lies in the binary file) and `fields.bin` (the arrays as
/// little-endian float64, bit for bit). Written beside the folder and renamed into place, so
/// a run killed while writing leaves the previous checkpoint intact.
public struct CheckpointFile: Codable {
    public static let version = 1
    public var version = Self.version
    /// "solve" or "surge".
    public var kind: String
    /// The input file as given, and its bytes' hash: a resume refuses a changed input.
    public var input: String
    public var inputSHA256: String
    public var caseName: String
    public var cells: Int
    public var iteration: Int
    public var history: [Residuals]
    public var scalars: [String: Double]
    public var timeWeights: [Double]
    public var oldLevels: Int
    /// Monitor values of the last iterations (the steady convergence window).
    public var monitorWindows: [[Double]]
    /// Run-specific state as JSON text (the surge's parts, fans, frames…), nil for a solve.
    public var extra: String?
    public var arrays: [Entry]
    /// The binary file the arrays lie in (nil: `fields.bin`, the first layout).
    public var blob: String?
    public struct Entry: Codable {
        public var name: String
        public var offset: Int
        public var count: Int
    }

    public var solverState: SolverState {
        var s = SolverState()
        s.history = history
        s.scalars = scalars
        s.timeWeights = timeWeights
        s.oldLevels = oldLevels
        return s
    }
}

public enum Checkpoint {
    /// Puts `state` back into `solver`. A state that does not fit it (an array missing or of
    /// another size) is reported at the `arrays` of `file`, the checkpoint it came from.
    public static func restore(_ state: SolverState, into solver: FlowSolver, file: String) throws {
        do { try solver.restore(state) } catch let e as InputError where e.file == nil {
            throw InputError(file: file, line: nil, keyPath: "arrays", problem: e.problem)
        }
    }

    public static func sha256(of path: String) throws -> String {
        try SHA256.hex(Data(contentsOf: URL(fileURLWithPath: path)))
    }

    /// Writes `state` to `folder` (replacing an older checkpoint only once the new one is complete).
    public static func write(
        to folder: URL, kind: String, input: String, caseName: String, cells: Int,
        state: SolverState, monitorWindows: [[Double]], extra: String? = nil
    ) throws {
        var entries: [CheckpointFile.Entry] = []
        var blob = Data()
        for name in state.arrays.keys.sorted() {
            let a = state.arrays[name]!
            entries.append(.init(name: name, offset: blob.count, count: a.count))
            a.withUnsafeBytes { blob.append(contentsOf: $0) } // x86-64 and arm64: little-endian
        }
        let header = CheckpointFile(
            kind: kind, input: input, inputSHA256: try sha256(of: input), caseName: caseName, cells: cells,
            iteration: state.history.count, history: state.history, scalars: state.scalars,
            timeWeights: state.timeWeights, oldLevels: state.oldLevels, monitorWindows: monitorWindows,
            extra: extra, arrays: entries)
        let enc = JSONEncoder()
        enc.outputFormatting = [.sortedKeys, .prettyPrinted]
        let fm = FileManager.default
        let parent = folder.deletingLastPathComponent()
        try fm.createDirectory(at: parent, withIntermediateDirectories: true)
        if fm.fileExists(atPath: folder.appendingPathComponent("checkpoint.json").path) {
            // Replace in place, with checkpoint.json as the single commit point: the arrays go to
            // a new fields.<iteration>.bin (temporary name, fsync, rename), then the header naming
            // it replaces the old header the same way, then the old arrays are deleted. A kill at
            // any moment leaves a complete checkpoint (the old or the new) under the same name.
            var h = header
            let blobName = "fields.\(state.history.count).bin"
            h.blob = blobName
            try writeAtomically(blob, to: folder.appendingPathComponent(blobName))
            try writeAtomically(try enc.encode(h), to: folder.appendingPathComponent("checkpoint.json"))
            for name in (try? fm.contentsOfDirectory(atPath: folder.path)) ?? []
            where name != blobName && name != "checkpoint.json" {
                if name.hasPrefix("fields") || name.hasPrefix(".") {
                    try? fm.removeItem(at: folder.appendingPathComponent(name))
                }
            }
            return
        }
        // The first checkpoint: a complete folder written beside and renamed in.
        let tmp = StagingName.beside(folder, .partial, suffix: "\(getpid())")
        try? fm.removeItem(at: tmp)
        try fm.createDirectory(at: tmp, withIntermediateDirectories: false)
        try writeSynced(blob, to: tmp.appendingPathComponent("fields.bin"))
        try writeSynced(try enc.encode(header), to: tmp.appendingPathComponent("checkpoint.json"))
        let old = StagingName.beside(folder, .old, suffix: "\(getpid())")
        try? fm.removeItem(at: old)
        // a folder without a header: not a checkpoint
        if fm.fileExists(atPath: folder.path) { try fm.moveItem(at: folder, to: old) }
        try fm.moveItem(at: tmp, to: folder)
        try? fm.removeItem(at: old)
        syncDirectory(parent)
    }

    /// Temporary name in the same folder, fsync, rename over `url`, fsync the folder.
    static func writeAtomically(_ data: Data, to url: URL) throws {
        let tmp = StagingName.beside(url, .tmp, suffix: "\(getpid())")
        try writeSynced(data, to: tmp)
        guard rename(tmp.path, url.path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(tmp.path)
            throw CocoaError(
                .fileWriteUnknown,
                userInfo: [
                    NSFilePathErrorKey: url.path,
                    NSLocalizedDescriptionKey: "rename over \(url.path) failed: \(reason)",
                ])
        }
        syncDirectory(url.deletingLastPathComponent())
    }

    static func syncDirectory(_ dir: URL) {
        let fd = open(dir.path, O_RDONLY | O_DIRECTORY)
        if fd >= 0 {
            fsync(fd)
            close(fd)
        }
    }

    static func writeSynced(_ data: Data, to url: URL) throws {
        guard FileManager.default.createFile(atPath: url.path, contents: data) else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: url.path])
        }
        let fd = open(url.path, O_RDONLY)
        if fd >= 0 {
            fsync(fd)
            close(fd)
        }
    }

    /// Decodes the JSON file at `url` (by default as the checkpoints write it); errors name the
    /// file: `missing` when it cannot be read, "not a `noun` (…)" when it does not decode.
    static func decode<T: Decodable>(
        _ type: T.Type, at url: URL, missing: String, noun: String, decoder: JSONDecoder = SurgeCheckpoint.decoder()
    ) throws -> T {
        guard let d = try? Data(contentsOf: url) else {
            throw InputError(file: url.path, line: nil, keyPath: "", problem: missing)
        }
        do { return try decoder.decode(T.self, from: d) } catch {
            throw InputError(file: url.path, line: nil, keyPath: "", problem: "not a \(noun) (\(error))")
        }
    }

    /// Reads a checkpoint folder; errors name the folder and what is wrong.
    public static func read(_ folder: URL) throws -> (CheckpointFile, SolverState) {
        let headerURL = folder.appendingPathComponent("checkpoint.json")
        let h = try decode(
            CheckpointFile.self, at: headerURL,
            missing: "file not found: --resume needs a checkpoint folder written by --checkpoint-every or an "
                + "interruption",
            noun: "checkpoint header", decoder: JSONDecoder())
        guard h.version == CheckpointFile.version else {
            throw InputError(
                file: headerURL.path, line: nil, keyPath: "version",
                problem: "checkpoint version \(h.version), this build reads \(CheckpointFile.version)")
        }
        let blobURL = folder.appendingPathComponent(h.blob ?? "fields.bin")
        guard let blob = try? Data(contentsOf: blobURL) else {
            throw InputError(
                file: blobURL.path, line: nil, keyPath: "",
                problem: "file not found or unreadable: the checkpoint's arrays (named by checkpoint.json) are missing")
        }
        var s = h.solverState
        for e in h.arrays {
            guard e.offset >= 0, e.count >= 0, e.offset + e.count * 8 <= blob.count else {
                throw InputError(
                    file: blobURL.path, line: nil, keyPath: e.name,
                    problem:
                        "truncated: the array needs bytes \(e.offset)…\(e.offset + e.count * 8), the file has "
                        + "\(blob.count)"
                )
            }
            var a = [Double](repeating: 0, count: e.count)
            _ = a.withUnsafeMutableBytes { dst in blob.copyBytes(to: dst, from: e.offset..<(e.offset + e.count * 8)) }
            s.arrays[e.name] = a
        }
        return (h, s)
    }
}
