import RackFlowModel
import RackFlowNumerics
import Foundation
import Yams

/// Mutates the text of an input file the way users, editors and disks damage them: deleted
/// keys, values of the wrong type, extreme and non-finite numbers, truncation, random bytes,
/// deep nesting, huge lists and renamed references. Deterministic for a given generator
/// state, so a failing case is replayed from its seed and index.
///
/// Structural mutations work on the composed YAML tree and serialize it back (so they reach
/// every key, not only the ones a text pattern finds); byte mutations work on the raw bytes
/// (so they also produce invalid UTF-8 and broken syntax).
public struct YAMLMutator {
    public enum Kind: String, CaseIterable, Sendable {
        case deleteKey, wrongType, extremeNumber, nonFinite, truncate, randomBytes, deepNesting, hugeArray,
            renameReference, swapValues
    }

    /// What a mutation did, for the report (`kind` and where).
    public struct Applied: CustomStringConvertible, Sendable {
        public var kind: Kind
        public var detail: String
        public var description: String { "\(kind.rawValue) \(detail)" }
    }

    /// Other files a renamed reference may point at (paths relative to the mutated file, or absolute).
    public var referenceTargets: [String] = []

    public init(referenceTargets: [String] = []) { self.referenceTargets = referenceTargets }

    static let extremes = [
        "0", "-0", "-1", "1e308", "-1e308", "1e-320", "5e-324", "9223372036854775807", "-9223372036854775808",
        "99999999999999999999", "1e15", "1e14", "1e9", "123456789", "1e-9", "0.0000001", "1e400", "-1e400",
        "2147483648",
    ]
    static let nonFinite = [".nan", ".inf", "-.inf", "NaN", "Infinity", "-Infinity", "nan", "inf"]

    /// Applies one to three mutations to `data` (a file's bytes).
    public func mutate(_ data: Data, using g: inout SplitMix64) -> (Data, [Applied]) {
        var d = data
        var applied: [Applied] = []
        let count = g.chance(0.7) ? 1 : (g.chance(0.6) ? 2 : 3)
        for _ in 0..<count {
            let kind = g.pick(Kind.allCases)
            if let (nd, a) = apply(kind, to: d, using: &g) {
                d = nd
                applied.append(a)
            }
        }
        return (d, applied)
    }

    /// One mutation of `kind`; nil when it does not apply (e.g. no key left to delete).
    public func apply(_ kind: Kind, to data: Data, using g: inout SplitMix64) -> (Data, Applied)? {
        switch kind {
        case .truncate:
            guard !data.isEmpty else { return nil }
            let n = g.below(data.count)
            return (data.prefix(n), Applied(kind: kind, detail: "at byte \(n) of \(data.count)"))
        case .randomBytes:
            var d = data
            let n = 1 + g.below(8)
            for _ in 0..<n {
                let b = UInt8(truncatingIfNeeded: g.next())
                if d.isEmpty || g.chance(0.5) {
                    d.insert(b, at: d.isEmpty ? 0 : d.startIndex + g.below(d.count + 1))
                } else {
                    d[d.startIndex + g.below(d.count)] = b
                }
            }
            return (d, Applied(kind: kind, detail: "\(n) bytes"))
        default:
            // A file already past the loader's size limit is refused unread: re-parsing
            // megabytes to damage it further would only slow the run down.
            guard data.count <= InputLimits.maxFileBytes, let text = String(data: data, encoding: .utf8),
                (try? InputLimits.checkNesting(text, file: "")) != nil, let root = try? Yams.compose(yaml: text)
            else { return nil }
            return tree(kind, root, using: &g)
        }
    }

    // MARK: - Tree mutations

    /// A node's place: the key path for the report.
    struct Site {
        var path: String
        var node: Node
    }

    func tree(_ kind: Kind, _ root: Node, using g: inout SplitMix64) -> (Data, Applied)? {
        var sites: [Site] = []
        collect(root, "", &sites)
        let placeholder = "__RACKFLOW_FUZZ__"
        var replacementText: String? = nil
        var target: Site
        var transform: (Node) -> Node? // nil: delete (mapping entries only)
        switch kind {
        case .deleteKey:
            let keyed = sites.filter { $0.path.hasSuffix("]") == false && !$0.path.isEmpty }
            guard !keyed.isEmpty else { return nil }
            target = g.pick(keyed)
            transform = { _ in nil }
        case .wrongType:
            guard !sites.isEmpty else { return nil }
            target = g.pick(sites)
            let choices: [Node] = [
                Node("text"), Node("~"), Node(""), Node([Node("1"), Node("2")]), Node([(Node("a"), Node("1"))]),
                Node("true"), Node([Node]()),
            ]
            let n = g.pick(choices)
            transform = { _ in n }
        case .extremeNumber, .nonFinite:
            let scalars = sites.filter {
                if case .scalar = $0.node { return true }
                return false
            }
            guard !scalars.isEmpty else { return nil }
            target = g.pick(scalars)
            // Prefer numbers, but any scalar may become one.
            let numeric = scalars.filter { Double($0.node.scalar?.string ?? "") != nil }
            if !numeric.isEmpty && g.chance(0.8) { target = g.pick(numeric) }
            let v = g.pick(kind == .nonFinite ? Self.nonFinite : Self.extremes)
            transform = { _ in Node(v) }
        case .deepNesting:
            guard !sites.isEmpty else { return nil }
            target = g.pick(sites)
            let depth = g.pick([64, 1_000, 10_000, 100_000])
            let open = g.chance(0.5) ? "[" : "{a: "
            let close = open == "[" ? "]" : "}"
            replacementText = String(repeating: open, count: depth) + "1" + String(repeating: close, count: depth)
            transform = { _ in Node(placeholder) }
        case .hugeArray:
            guard !sites.isEmpty else { return nil }
            target = g.pick(sites)
            // 60,000 × "0.1, " stays under the 256 KiB file limit, the rest may not
            let n = g.pick([1_000, 20_000, 60_000, 300_000])
            let element = g.chance(0.5) ? "0.1" : "[0, 0, 0]"
            replacementText = "[" + Array(repeating: element, count: n).joined(separator: ", ") + "]"
            transform = { _ in Node(placeholder) }
        case .renameReference:
            guard let (t, v) = renameReference(sites, using: &g) else { return nil }
            target = t
            transform = { _ in v }
        case .swapValues:
            let scalars = sites.filter {
                if case .scalar = $0.node { return true }
                return false
            }
            guard scalars.count >= 2 else { return nil }
            target = g.pick(scalars)
            let other = g.pick(scalars).node
            transform = { _ in other }
        case .truncate, .randomBytes:
            return nil
        }
        var index = 0
        guard let out = rebuild(root, target: target.path, "", &index, transform),
            var text = try? Yams.serialize(node: out)
        else { return nil }
        if let r = replacementText { text = text.replacingOccurrences(of: placeholder, with: r) }
        return (Data(text.utf8), Applied(kind: kind, detail: "at \(target.path.isEmpty ? "(document)" : target.path)"))
    }

    /// `.renameReference`: a reference (a file name, or a name that appears more than once, such
    /// as node names in a cascade or part names; any scalar if there is none) and what it becomes.
    func renameReference(_ sites: [Site], using g: inout SplitMix64) -> (Site, Node)? {
        // References: file names, and names that appear more than once (node names in a cascade, part names).
        let scalars = sites.compactMap { s -> Site? in
            if case .scalar = s.node { return s }
            return nil
        }
        var counts: [String: Int] = [:]
        for s in scalars { counts[s.node.scalar!.string, default: 0] += 1 }
        let refs = scalars.filter {
            let v = $0.node.scalar!.string
            return v.hasSuffix(".yaml") || (counts[v] ?? 0) > 1 && Double(v) == nil
        }
        let pool = refs.isEmpty ? scalars : refs
        guard !pool.isEmpty else { return nil }
        let target = g.pick(pool)
        let old = target.node.scalar!.string
        var options = [
            old + "-renamed", "missing.yaml", "../missing/\(old)", "", ".", "/dev/null", "/dev/zero", "/",
            "/proc/self/mem",
            String(repeating: "x", count: 5_000),
        ]
        options += referenceTargets
        return (target, Node(g.pick(options)))
    }

    func collect(_ n: Node, _ path: String, _ out: inout [Site]) {
        out.append(Site(path: path, node: n))
        switch n {
        case let .mapping(m):
            for (k, v) in m {
                collect(v, path.isEmpty ? (k.scalar?.string ?? "?") : path + "." + (k.scalar?.string ?? "?"), &out)
            }
        case let .sequence(s):
            for (i, v) in s.enumerated() { collect(v, path + "[\(i)]", &out) }
        default: break
        }
    }

    /// The tree with the node at `target` replaced by `f(node)` (or removed when f returns nil).
    func rebuild(_ n: Node, target: String, _ path: String, _ index: inout Int, _ f: (Node) -> Node?) -> Node? {
        if path == target { return f(n) }
        switch n {
        case let .mapping(m):
            var pairs: [(Node, Node)] = []
            for (k, v) in m {
                let p = path.isEmpty ? (k.scalar?.string ?? "?") : path + "." + (k.scalar?.string ?? "?")
                if let nv = rebuild(v, target: target, p, &index, f) { pairs.append((k, nv)) }
            }
            return Node(pairs)
        case let .sequence(s):
            var items: [Node] = []
            for (i, v) in s.enumerated() {
                if let nv = rebuild(v, target: target, path + "[\(i)]", &index, f) { items.append(nv) }
            }
            return Node(items)
        default:
            return n
        }
    }
}
