import XCTest
import Foundation

/// Runs the checkers of `Tests/Python` (check_vdb.py, …) with the repository's venv.
public enum PythonCheck {
    /// The repository root (for `.venv` and `Tests/Python`), found from this file's path.
    public static let repoRoot = Repository.root

    /// Runs a script of `Tests/Python` with the repo's venv (DESIGN §7: Debian's python with
    /// system site packages + usd-core, so `pxr` and `pyopenvdb` import in one process) and
    /// returns its exit status and its stdout parsed as JSON. Fails the test, not skips, when
    /// the venv is missing: CI runs ./bootstrap.sh first.
    public static func run(
        _ script: String, _ arguments: [String], file: StaticString = #filePath, line: UInt = #line
    ) throws -> (status: Int32, json: [String: Any])? {
        let python = repoRoot.appendingPathComponent(".venv/bin/python")
        guard FileManager.default.isExecutableFile(atPath: python.path) else {
            XCTFail(
                "\(python.path) is missing: run ./bootstrap.sh (it creates the test venv with pyopenvdb and usd-core)",
                file: file, line: line)
            return nil
        }
        let p = Process()
        p.executableURL = python
        p.arguments = [repoRoot.appendingPathComponent("Tests/Python/\(script)").path] + arguments
        let out = Pipe()
        let errFile = FileManager.default.temporaryDirectory.appendingPathComponent("py-stderr-\(UUID().uuidString)")
        _ = FileManager.default.createFile(atPath: errFile.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: errFile) }
        p.standardOutput = out
        p.standardError = try FileHandle(forWritingTo: errFile)
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile() // before waiting: the output can exceed a pipe buffer
        p.waitUntilExit()
        let stderr = (try? String(contentsOf: errFile, encoding: .utf8)) ?? ""
        guard let json = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
            XCTFail(
                "\(script) printed no JSON (status \(p.terminationStatus)); "
                    + "stderr:\n\(stderr)\nstdout:\n\(String(decoding: data.prefix(2000), as: UTF8.self))",
                file: file, line: line)
            return nil
        }
        return (p.terminationStatus, json)
    }
}
