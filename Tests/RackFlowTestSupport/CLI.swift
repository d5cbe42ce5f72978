import XCTest
import Foundation

/// The `rackflow` binary and its child processes, for the tests that drive the command line
/// (checkpoints and resume, MPI runs, room stages and surges, comparisons).
public enum CLI {
    public static let repoRoot = Repository.root

    /// The binary beside the test bundle (what `swift test` built), else one of the package's builds.
    public static func rackflow() throws -> URL {
        let beside = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent(
            "rackflow")
        let candidates =
            [beside]
            + [".build/release/rackflow", ".build-compare/release/rackflow", ".build/debug/rackflow"].map {
                repoRoot.appendingPathComponent($0)
            }
        guard let bin = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0.path) }) else {
            throw XCTSkip("no rackflow binary (looked at \(candidates.map(\.path).joined(separator: ", ")))")
        }
        return bin
    }

    public static func mpirun() -> URL? {
        ["/usr/bin/mpirun", "/usr/local/bin/mpirun"].map(URL.init(fileURLWithPath:)).first {
            FileManager.default.isExecutableFile(atPath: $0.path)
        }
    }

    /// Starts `exe args…`; stderr goes to a file (read it after the process ends).
    public static func start(_ exe: URL, _ args: [String], stderr: URL) throws -> Process {
        let p = Process()
        p.executableURL = exe
        p.arguments = args
        _ = FileManager.default.createFile(atPath: stderr.path, contents: nil)
        p.standardError = try FileHandle(forWritingTo: stderr)
        p.standardOutput = FileHandle.nullDevice
        try p.run()
        return p
    }

    /// Runs `exe args…` to its end; its status and stderr (kept in a file in `dir`).
    public static func runToEnd(_ exe: URL, _ args: [String], in dir: URL) throws -> (status: Int32, stderr: String) {
        let err = dir.appendingPathComponent("stderr-\(UUID().uuidString).txt")
        let p = try start(exe, args, stderr: err)
        p.waitUntilExit()
        return (p.terminationStatus, (try? String(contentsOf: err, encoding: .utf8)) ?? "")
    }

    /// Every file of a result folder, relative path → bytes.
    public static func files(_ folder: URL) throws -> [String: Data] {
        var out: [String: Data] = [:]
        let base = folder.standardizedFileURL.path
        guard let walk = FileManager.default.enumerator(at: folder, includingPropertiesForKeys: [.isRegularFileKey])
        else { return out }
        for case let url as URL in walk
        where (try url.resourceValues(forKeys: [.isRegularFileKey])).isRegularFile == true {
            out[String(url.standardizedFileURL.path.dropFirst(base.count + 1))] = try Data(contentsOf: url)
        }
        return out
    }
}
