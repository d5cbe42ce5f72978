import Foundation

/// The repository the tests run from: its root, found from this file's own path, and the
/// bundled inputs under `Meshes/`. Tests read inputs from here and never from outside the
/// repository, so a fresh clone with nothing beside it runs the whole suite.
public enum Repository {
    /// Tests/RackFlowTestSupport/Repository.swift → the repository root.
    public static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    public static let meshes = root.appendingPathComponent("Meshes")

    /// The absolute path of `relative` (e.g. "Meshes/racks/one-node.yaml").
    public static func path(_ relative: String) -> String { root.appendingPathComponent(relative).path }
}
