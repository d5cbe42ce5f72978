import Foundation

/// A document RackFlow reads from one YAML file: a generic case, a scenario, a room. Reading
/// goes one way for all of them: the file is read under the input limits (`InputLimits`),
/// composed into a `ConfigNode` that remembers each key's file and line, and the document's
/// initialiser checks its keys, so an error always names the file, the key path and the
/// problem. (A rack file also resolves the node and part files it names: `RackSpec.load`.)
public protocol ConfigDocument {
    init(_ root: ConfigNode) throws
}

extension ConfigDocument {
    /// Reads and validates the file at `path`.
    public static func load(path: String) throws -> Self {
        try Self(try ConfigNode.load(path: path))
    }

    /// Reads and validates YAML text; `file` names it in errors.
    public static func parse(yaml: String, file: String) throws -> Self {
        try Self(try ConfigNode.parse(yaml: yaml, file: file))
    }
}

extension ConfigNode {
    /// The file's name without folder or extension: a document's default name.
    public var fileStem: String { Self.stem(of: file) }

    /// `path`'s file name without folder or extension ("Meshes/racks/one-node.yaml" → "one-node").
    public static func stem(of path: String) -> String {
        ((path as NSString).lastPathComponent as NSString).deletingPathExtension
    }
}
