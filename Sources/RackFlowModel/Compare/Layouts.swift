import Foundation
import Yams
import RackFlowNumerics

/// One column of a comparison: a rack, compiled, with the rack spec kept for the figures that
/// come from the part files (prices, TFLOPS, PSU rating, CPU peak power).
public struct CompareLayout {
    /// Column name (unique within a comparison).
    public var name: String
    /// The command-line argument it came from.
    public var argument: String
    /// What it is, for the report ("rack file …", "… with gpus=4 in every slot").
    public var origin: String
    public var caseFile: CaseFile
    public var rack: RackSpec
}

/// Turns `rackflow compare` arguments into racks. A layout is
/// - a rack file (`Meshes/racks/x.yaml`), solved as it is;
/// - a node-type file (`Meshes/nodes/x.yaml`): the base rack with that node type in every slot;
/// - a bare name (`rm44-gb202-3gpu`): the file of that name under `Meshes/racks` or `Meshes/nodes`;
/// - overrides `KEY=VALUE[,KEY=VALUE…]` on the base rack: node-type keys (`gpus=4`, `nic=none`,
///   `gpu.powerW=250`) go into every slot, rack keys (`inlet.flow=0.6`) into the rack;
///   `name=LABEL` names the column. Values are YAML (`gpuSlots=[1,3,5,7]`).
public enum Layouts {
    /// Node-type keys that name a part: an override below them (`gpu.powerW`) needs the part file.
    static let partKeys: Set<String> = ["chassis", "board", "cpu", "memory", "gpu", "nic", "psu", "fans"]
    static var slotKeys: [String] { NodeType.keys.filter { $0 != "name" && $0 != "extends" } }
    static var rackKeys: [String] { RackSpec.keys.filter { $0 != "name" && $0 != "nodes" } }

    /// Resolves every argument against `baseRack`; names must be unique.
    public static func resolve(_ arguments: [String], baseRack: String, meshes: String) throws -> [CompareLayout] {
        var out: [CompareLayout] = []
        for a in arguments {
            let l = try resolve(a, baseRack: baseRack, meshes: meshes)
            if let other = out.first(where: { $0.name == l.name }) {
                throw InputError(
                    "two layouts are named '\(l.name)' ('\(other.argument)' and '\(a)'); give each a different name "
                        + "(`name:` in a rack file, or name=LABEL in an override list such as "
                        + "'gpus=4,nic=none,name=four')"
                )
            }
            out.append(l)
        }
        return out
    }

    public static func resolve(_ argument: String, baseRack: String, meshes: String) throws -> CompareLayout {
        let fm = FileManager.default
        if !fm.fileExists(atPath: argument) && argument.contains("=") {
            return try overridden(argument, baseRack: baseRack)
        }
        var path = argument
        if !fm.fileExists(atPath: path) {
            let candidates = ["racks", "nodes"].flatMap { d in
                [argument, argument + ".yaml"].map { "\(meshes)/\(d)/\($0)" }
            }
            guard let found = candidates.first(where: { fm.fileExists(atPath: $0) }) else {
                throw InputError(
                    "unknown layout '\(argument)': no such file, no rack or node type of that name under "
                        + "\(meshes)/racks or \(meshes)/nodes, and not an override KEY=VALUE"
                )
            }
            path = found
        }
        let root = try ConfigNode.load(path: path)
        if RackSpec.isRack(root) {
            let r = FileResolver()
            r.beginResolving(path)
            defer { r.endResolving() }
            let spec = try RackSpec(root, resolver: r)
            return CompareLayout(
                name: spec.name, argument: argument, origin: "rack file `\(path)`",
                caseFile: try compiled(spec, path: path), rack: spec)
        }
        guard root.has("chassis") || root.has("extends") || root.has("gpus") else {
            throw InputError(
                "layout '\(argument)': \(path) is neither a rack (rack:, nodes:) nor a node type (chassis:, "
                    + "extends:); compare needs racks or node types"
            )
        }
        // A node type: the base rack with this node in every slot.
        let absolute = URL(fileURLWithPath: path).standardizedFileURL.path
        let base = try ConfigNode.load(path: baseRack)
        let typeName = try root.string(
            "name", default: ConfigNode.stem(of: path))
        let edited = try editSlots(base) { _, slot in setting(["node"], to: Node(absolute), in: slot) }
        let spec = try load(edited, path: baseRack, argument: argument, name: typeName)
        return CompareLayout(
            name: typeName, argument: argument,
            origin: "`\(baseRack)` with node type `\(path)` in every slot",
            caseFile: try compiled(spec, path: baseRack), rack: spec)
    }

    /// `KEY=VALUE[,KEY=VALUE…]` on the base rack.
    static func overridden(_ argument: String, baseRack: String) throws -> CompareLayout {
        var name = argument
        var slotSets: [([String], Node)] = [], rackSets: [([String], Node)] = []
        for item in splitTopLevel(argument) {
            guard let eq = item.firstIndex(of: "="), eq != item.startIndex else {
                throw InputError("layout '\(argument)': '\(item)' is not KEY=VALUE")
            }
            let key = String(item[..<eq]), text = String(item[item.index(after: eq)...])
            let path = key.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
            if path.contains(where: \.isEmpty) {
                throw InputError("layout '\(argument)': '\(key)' is not a key path (a.b.c)")
            }
            if key == "name" {
                name = text
                continue
            }
            let value: Node
            do { value = try Yams.compose(yaml: text) ?? Node("") } catch {
                throw InputError("layout '\(argument)': value of '\(key)' is not valid YAML: \(text)")
            }
            if slotKeys.contains(path[0]) {
                slotSets.append((path, value))
            } else if rackKeys.contains(path[0]) {
                rackSets.append((path, value))
            } else {
                throw InputError(
                    "layout '\(argument)': override '\(item)' names no key: '\(path[0])' is neither a node-type key "
                        + "(\(slotKeys.joined(separator: ", "))) nor a rack key (\(rackKeys.joined(separator: ", ")))"
                )
            }
        }
        if name.isEmpty { throw InputError("layout '\(argument)': name= needs a name") }
        let base = try ConfigNode.load(path: baseRack)
        // Part files of the base rack's slots, for overrides below a part key.
        let baseSpec = try load(base, path: baseRack, argument: argument, name: name)
        var edited = try editSlots(base) { i, slot in
            var s = slot
            for (path, value) in slotSets {
                if path.count > 1, partKeys.contains(path[0]), path[1] != "part", i < baseSpec.slots.count,
                    let file = partFile(path[0], of: baseSpec.slots[i].type)
                {
                    s = setting([path[0], "part"], to: Node(file), in: s)
                }
                s = setting(path[...], to: value, in: s)
            }
            return s
        }
        var root = edited.node
        for (path, value) in rackSets { root = setting(path[...], to: value, in: root) }
        edited = ConfigNode(node: root, file: baseRack)
        let spec = try load(edited, path: baseRack, argument: argument, name: name)
        let what = argument.split(separator: ",").filter { !$0.hasPrefix("name=") }.joined(separator: ", ")
        return CompareLayout(
            name: name, argument: argument, origin: "`\(baseRack)` with \(what.isEmpty ? "no change" : what)",
            caseFile: try compiled(spec, path: baseRack), rack: spec)
    }

    /// Splits on commas outside brackets (`gpuSlots=[1,3],gpus=2`).
    static func splitTopLevel(_ s: String) -> [String] {
        var out: [String] = [], cur = "", depth = 0
        for ch in s {
            if ch == "[" || ch == "{" { depth += 1 }
            if ch == "]" || ch == "}" { depth -= 1 }
            if ch == "," && depth == 0 {
                out.append(cur)
                cur = ""
            } else {
                cur.append(ch)
            }
        }
        out.append(cur)
        return out.filter { !$0.isEmpty }
    }

    /// The absolute path of the part file a node type names under `key`.
    static func partFile(_ key: String, of t: NodeType) -> String? {
        guard let l = t.layers.child(key) else { return nil }
        let ref = l.top.isScalar ? l.top : l.node("part")
        guard let ref, let p = try? FileResolver().path(of: ref) else { return nil }
        return URL(fileURLWithPath: p).standardizedFileURL.path
    }

    /// The rack document with each `nodes[i]` entry replaced by `edit(i, entry)`.
    static func editSlots(_ root: ConfigNode, _ edit: (Int, Node) -> Node) throws -> ConfigNode {
        guard case let .mapping(m) = root.node else {
            throw InputError(file: root.file, line: nil, keyPath: "", problem: "a rack must be a mapping")
        }
        var pairs: [(Node, Node)] = []
        for (k, v) in m {
            if k.scalar?.string == "nodes", case let .sequence(seq) = v {
                let items = seq.enumerated().map { edit($0.offset, $0.element) }
                pairs.append((k, .sequence(Node.Sequence(items, seq.tag, seq.style, seq.mark))))
            } else {
                pairs.append((k, v))
            }
        }
        return ConfigNode(node: .mapping(Node.Mapping(pairs, m.tag, m.style, m.mark)), file: root.file)
    }

    /// `node` with the value at `path` set (mappings created or merged on the way; anything
    /// else on the way is replaced).
    static func setting(_ path: ArraySlice<String>, to value: Node, in node: Node?) -> Node {
        guard let k = path.first else { return value }
        var pairs: [(Node, Node)] = []
        var found = false
        if case let .mapping(m)? = node {
            for (key, v) in m {
                if key.scalar?.string == k {
                    pairs.append((key, setting(path.dropFirst(), to: value, in: v)))
                    found = true
                } else {
                    pairs.append((key, v))
                }
            }
        }
        if !found { pairs.append((Node(k), setting(path.dropFirst(), to: value, in: nil))) }
        return .mapping(Node.Mapping(pairs))
    }

    /// Reads an edited rack document; its errors are prefixed with the layout argument.
    static func load(_ root: ConfigNode, path: String, argument: String, name: String) throws -> RackSpec {
        let r = FileResolver()
        r.beginResolving(path)
        defer { r.endResolving() }
        do {
            var spec = try RackSpec(root, resolver: r)
            spec.name = name
            spec.base.name = name
            return spec
        } catch let e as InputError {
            throw InputError(
                file: e.file, line: e.line, keyPath: e.keyPath, problem: "\(e.problem) (layout '\(argument)')")
        }
    }

    static func compiled(_ spec: RackSpec, path: String) throws -> CaseFile {
        let c = try RackCompiler.compile(spec)
        return CaseFile(path: path, genericCase: c.genericCase, layout: c.layout)
    }

    // MARK: - Same grid settings for all

    /// Refuses layouts whose domain or grid settings differ: every layout's grid is then built by
    /// the same rule (lines at its own parts' edges, the same caps), so the figures compare.
    /// (A union of all layouts' lines would make the grids identical, but it put a 0.5 mm sliver
    /// next to slot 7 of the default rack and doubled the iterations; fields are compared by
    /// sampling at the first layout's cells instead.)
    public static func checkGridSettings(_ layouts: [CompareLayout]) throws {
        guard let first = layouts.first else { return }
        let a = first.caseFile.genericCase
        func describe(_ g: GenericCase) -> String {
            let c = g.constraints
            return
                "domain \(configFormat(g.size.0)) × \(configFormat(g.size.1)) × \(configFormat(g.size.2)) m, grid "
                + "{maxSpacing: \(configFormat(c.maxSpacingM)), maxNeighbourRatio: "
                + "\(configFormat(c.maxNeighbourRatio)), minCellsAcrossPart: \(c.minCellsAcrossPart), minSpacing: "
                + "\(configFormat(c.minSpacingM))}"
        }
        for l in layouts.dropFirst() {
            let b = l.caseFile.genericCase
            let same =
                abs(a.size.0 - b.size.0) < 1e-12 && abs(a.size.1 - b.size.1) < 1e-12 && abs(a.size.2 - b.size.2) < 1e-12
                && a.constraints == b.constraints
            if !same {
                throw InputError(
                    "layouts on different grids: '\(first.name)' has \(describe(a)), '\(l.name)' has \(describe(b)); "
                        + "compare solves every layout with the same grid settings"
                )
            }
        }
    }
}
