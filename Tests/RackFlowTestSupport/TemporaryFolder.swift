import Foundation

/// A scratch folder per test, unique across concurrent test processes:
///
///     let dir = try TemporaryFolder.make("rackflow-warm")
///     defer { TemporaryFolder.remove(dir) }
///
/// A test that leaves its folder behind (a failed assertion still runs `defer`) would fill the
/// machine's temporary space over many CI runs.
public enum TemporaryFolder {
    /// Creates `<temporary directory>/<prefix>-<UUID>/` and returns it.
    public static func make(_ prefix: String) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent(
            "\(prefix)-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// Removes the folder and everything in it; a folder already gone is not an error.
    public static func remove(_ url: URL) {
        try? FileManager.default.removeItem(at: url)
    }
}

extension TemporaryFolder {
    /// A unique path under the temporary directory that does not exist yet, for code that must
    /// create its folder itself (a checkpoint, a result folder written atomically).
    public static func unique(_ prefix: String) -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent(
            "\(prefix)-\(UUID().uuidString)", isDirectory: true)
    }
}
