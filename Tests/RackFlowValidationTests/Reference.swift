import Foundation

/// Reads the published tables in `Resources/` (copied from `../shared/reference/`, see
/// `Resources/README.md`) and finds the case files kept there: bundled with the target, so the
/// tests need nothing beside the repository.
enum Reference {
    struct Missing: Error, CustomStringConvertible {
        let name: String
        var description: String { "\(name) is not among the test bundle's resources" }
    }

    /// A file of `Resources/` (a table, or a case file such as `plane-plume.yaml`).
    static func url(_ name: String) throws -> URL {
        guard let url = Bundle.module.url(forResource: name, withExtension: nil, subdirectory: "Resources") else {
            throw Missing(name: name)
        }
        return url
    }

    static func lines(_ name: String) throws -> [Substring] {
        let text = try String(contentsOf: try url(name), encoding: .utf8)
        return text.split(separator: "\n").filter { !$0.hasPrefix("#") }
    }

    /// Rows of a CSV file, skipping `#` comments and the header.
    static func table(_ name: String) throws -> [[Double]] {
        try lines(name).dropFirst().map {
            $0.split(separator: ",").map { Double($0.trimmingCharacters(in: .whitespaces))! }
        }
    }

    /// Column names of a CSV file: its first line that is not a `#` comment.
    static func header(_ name: String) throws -> [String] {
        try lines(name).first.map { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } } ?? []
    }
}
