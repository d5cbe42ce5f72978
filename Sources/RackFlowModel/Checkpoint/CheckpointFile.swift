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
    public struct Entry: Codable { public var name: String; public var offset: Int; public var count: Int }

    public var solverState: SolverState {
        var s = SolverState()
        s.history = history; s.scalars = scalars; s.timeWeights = timeWeights; s.oldLevels = oldLevels
        return s
    }
}

public enum Checkpoint {
    public static func sha256(of path: String) throws -> String {
        try SHA256.hex(Data(contentsOf: URL(fileURLWithPath: path)))
    }

    /// Writes `state` to `folder` (replacing an older checkpoint only once the new one is complete).
    public static func write(to folder: URL, kind: String, input: String, caseName: String, cells: Int,
                             state: SolverState, monitorWindows: [[Double]], extra: String? = nil) throws {
        var entries: [CheckpointFile.Entry] = []
        var blob = Data()
        for name in state.arrays.keys.sorted() {
            let a = state.arrays[name]!
            entries.append(.init(name: name, offset: blob.count, count: a.count))
            a.withUnsafeBytes { blob.append(contentsOf: $0) }   // x86-64 and arm64: little-endian
        }
        let header = CheckpointFile(kind: kind, input: input, inputSHA256: try sha256(of: input), caseName: caseName, cells: cells,
                                    iteration: state.history.count, history: state.history, scalars: state.scalars,
                                    timeWeights: state.timeWeights, oldLevels: state.oldLevels, monitorWindows: monitorWindows,
                                    extra: extra, arrays: entries)
        let enc = JSONEncoder(); enc.outputFormatting = [.sortedKeys, .prettyPrinted]
        let fm = FileManager.default
        let parent = folder.deletingLastPathComponent()
        try fm.createDirectory(at: parent, withIntermediateDirectories: true)
        let tmp = parent.appendingPathComponent(".\(folder.lastPathComponent).partial-\(getpid())")
        try? fm.removeItem(at: tmp)
        try fm.createDirectory(at: tmp, withIntermediateDirectories: false)
        try writeSynced(blob, to: tmp.appendingPathComponent("fields.bin"))
        try writeSynced(try enc.encode(header), to: tmp.appendingPathComponent("checkpoint.json"))
        let old = parent.appendingPathComponent(".\(folder.lastPathComponent).old-\(getpid())")
        try? fm.removeItem(at: old)
        if fm.fileExists(atPath: folder.path) { try fm.moveItem(at: folder, to: old) }
        try fm.moveItem(at: tmp, to: folder)
        try? fm.removeItem(at: old)
    }

    static func writeSynced(_ data: Data, to url: URL) throws {
        guard FileManager.default.createFile(atPath: url.path, contents: data) else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: url.path])
        }
        let fd = open(url.path, O_RDONLY)
        if fd >= 0 { fsync(fd); close(fd) }
    }

    /// Reads a checkpoint folder; errors name the folder and what is wrong.
    public static func read(_ folder: URL) throws -> (CheckpointFile, SolverState) {
        let headerURL = folder.appendingPathComponent("checkpoint.json")
        guard let hd = try? Data(contentsOf: headerURL) else {
            throw ConfigError(file: headerURL.path, line: nil, keyPath: "", problem: "file not found: --resume needs a checkpoint folder written by --checkpoint-every or an interruption")
        }
        let h: CheckpointFile
        do { h = try JSONDecoder().decode(CheckpointFile.self, from: hd) } catch {
            throw ConfigError(file: headerURL.path, line: nil, keyPath: "", problem: "not a checkpoint header (\(error))")
        }
        guard h.version == CheckpointFile.version else {
            throw ConfigError(file: headerURL.path, line: nil, keyPath: "version", problem: "checkpoint version \(h.version), this build reads \(CheckpointFile.version)")
        }
        let blob = try Data(contentsOf: folder.appendingPathComponent("fields.bin"))
        var s = h.solverState
        for e in h.arrays {
            guard e.offset >= 0, e.count >= 0, e.offset + e.count * 8 <= blob.count else {
                throw ConfigError(file: folder.appendingPathComponent("fields.bin").path, line: nil, keyPath: e.name, problem: "truncated")
            }
            var a = [Double](repeating: 0, count: e.count)
            _ = a.withUnsafeMutableBytes { dst in blob.copyBytes(to: dst, from: e.offset..<(e.offset + e.count * 8)) }
            s.arrays[e.name] = a
        }
        return (h, s)
    }
}
