import RackFlowModel
import Foundation
import RackFlowNumerics

/// A private copy of the bundled inputs (`Meshes/`) that fuzz cases damage one file at a time,
/// with the file each damaged input is loaded through (its "entry"): a rack or case file is
/// its own entry, a node file is loaded through a one-node rack that uses it, a part file
/// through a rack whose node uses it, a scenario as `surge` loads it.
///
/// The copy's scenarios point at the one-node rack instead of the refinery rack (same keys,
/// a tenth of the cells), so a case costs milliseconds rather than a second.
public final class FuzzCorpus {
    public enum EntryKind: String, Sendable { case caseFile, scenario }
    public struct Target: Sendable {
        /// The file a case mutates, relative to the corpus root (e.g. `parts/connectx-7.yaml`).
        public var file: String
        /// The file the case loads, relative to the root, and how.
        public var entry: String
        public var kind: EntryKind
    }

    public let root: URL
    public private(set) var targets: [Target] = []
    /// Every input file's original bytes, by relative path (restored after each case).
    public private(set) var originals: [String: Data] = [:]

    /// Copies `meshes` (the `Meshes` folder) into a fresh temporary folder.
    public init(meshes: URL) throws {
        let fm = FileManager.default
        root = fm.temporaryDirectory.appendingPathComponent(
            "rackflow-fuzz-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        try fm.createDirectory(at: root, withIntermediateDirectories: true)
        var files: [String] = []
        for dir in ["racks", "nodes", "parts", "scenarios", "cases"] {
            let src = meshes.appendingPathComponent(dir)
            try fm.createDirectory(at: root.appendingPathComponent(dir), withIntermediateDirectories: true)
            for name in (try fm.contentsOfDirectory(atPath: src.path)).sorted() where name.hasSuffix(".yaml") {
                var data = try Data(contentsOf: src.appendingPathComponent(name))
                if dir == "scenarios", let t = String(data: data, encoding: .utf8) {
                    data = Data(
                        t.replacingOccurrences(of: "../racks/refinery-rack.yaml", with: "../racks/one-node.yaml").utf8)
                }
                try data.write(to: root.appendingPathComponent("\(dir)/\(name)"))
                files.append("\(dir)/\(name)")
            }
        }
        // One-node racks for every node type: the entry of that node file and of its parts.
        guard let oneNode = originalsText(meshes, "racks/one-node.yaml") else {
            throw InputError(
                file: meshes.appendingPathComponent("racks/one-node.yaml").path, line: nil, keyPath: "",
                problem: "the fuzz corpus needs the one-node rack")
        }
        var rackOfNode: [String: String] = [:]
        for f in files where f.hasPrefix("nodes/") {
            let node = (f as NSString).lastPathComponent
            let rack = "racks/fuzz-entry-\(node)"
            let text = oneNode.replacingOccurrences(of: "../nodes/rm44-gb203-3gpu.yaml", with: "../nodes/\(node)")
            try Data(text.utf8).write(to: root.appendingPathComponent(rack))
            rackOfNode[f] = rack
        }
        for f in files { originals[f] = try Data(contentsOf: root.appendingPathComponent(f)) }
        for f in files {
            if f.hasPrefix("scenarios/") {
                targets.append(Target(file: f, entry: f, kind: .scenario))
                continue
            }
            if f.hasPrefix("racks/") || f.hasPrefix("cases/") {
                targets.append(Target(file: f, entry: f, kind: .caseFile))
                continue
            }
            if let r = rackOfNode[f] {
                targets.append(Target(file: f, entry: r, kind: .caseFile))
                continue
            }
            // A part: through the first node type that names it (directly or by `extends`).
            let name = (f as NSString).lastPathComponent
            let user = files.filter { $0.hasPrefix("nodes/") }.first {
                String(data: originals[$0]!, encoding: .utf8)?.contains(name) == true
            }
            targets.append(Target(file: f, entry: rackOfNode[user ?? ""] ?? "racks/one-node.yaml", kind: .caseFile))
        }
    }

    private func originalsText(_ meshes: URL, _ rel: String) -> String? {
        try? String(contentsOf: meshes.appendingPathComponent(rel), encoding: .utf8)
    }

    public func path(_ rel: String) -> String { root.appendingPathComponent(rel).path }

    /// Puts `data` in place of `file` (atomically: a case never sees half a file).
    public func replace(_ file: String, with data: Data) throws {
        try data.write(to: root.appendingPathComponent(file), options: .atomic)
    }

    public func restore(_ file: String) throws {
        try originals[file]!.write(to: root.appendingPathComponent(file), options: .atomic)
    }

    public func remove() { try? FileManager.default.removeItem(at: root) }
}
