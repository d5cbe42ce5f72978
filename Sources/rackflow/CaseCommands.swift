import ArgumentParser
import Foundation
import RackFlowNumerics
import RackFlowModel

/// The default rack, found from the working directory or next to the sources of this build.
enum DefaultCase {
    static let relative = "Meshes/racks/refinery-rack.yaml"
    static var path: String { bundled(relative) }
    static var scenario: String { bundled("Meshes/scenarios/viral-surge.yaml") }
    /// A bundled file: from the working directory when run from the checkout, else from the
    /// checkout this binary was built from, with a note saying so (a copied binary run from an
    /// empty folder read another tree's rack without a word). Neither: the relative path, which
    /// the loader reports as not found.
    static func bundled(_ relative: String) -> String {
        if FileManager.default.fileExists(atPath: relative) { return relative }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let path = root.appendingPathComponent(relative).path
        guard FileManager.default.fileExists(atPath: path) else { return relative }
        if !noted.contains(relative) {
            noted.insert(relative)
            let note =
                "note: no \(relative) in the working directory; using the one this rackflow was built with: \(path)\n"
            FileHandle.standardError.write(note.data(using: .utf8)!)
        }
        return path
    }
    /// The defaults already noted: a default path is asked for more than once per run.
    nonisolated(unsafe) static var noted: Set<String> = []
}

/// A config error ends the run with its one-line message and exit status 1.
func loadCase(_ path: String?, maxSpacing: Double?) throws -> CaseFile {
    var c = try CaseFile.load(path: path ?? DefaultCase.path)
    if let h = maxSpacing {
        guard h > 0, h.isFinite else { throw ValidationError("--max-spacing must be > 0 m (got \(h))") }
        c.setMaxSpacing(h)
    }
    return c
}

struct CaseCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "case",
        abstract:
            "Print the generic case a rack (or case) file compiles to: every box, plane and patch that is simulated."
    )
    @Argument(help: "Rack or case file (default: the bundled refinery rack).") var config: String?
    @Option(help: "Largest grid spacing, m (overrides the file).") var maxSpacing: Double?

    func run() throws {
        let c = try loadCase(config, maxSpacing: maxSpacing)
        print(c.genericCase.yaml(), terminator: "")
    }
}
