import Foundation
import RackFlowNumerics

/// Several YAML mappings read as one: a base (a part or node file), then overrides on top (a
/// node type that `extends` another, a rack slot's `gpus: 4`). The topmost layer that has a key
/// supplies its value; mappings merge key by key; anything else (a number, a list, a file name)
/// replaces what is below. Every value keeps the file and line it came from, so an error in an
/// override points at the override, not at the base file.
public struct Layered {
    /// Lowest first.
    public let layers: [ConfigNode]

    /// Keys the reader of this mapping skips (placement keys next to a part's overrides).
    public var ignoredKeys: [String] = []

    public init(_ layers: [ConfigNode], ignoring: [String] = []) {
        precondition(!layers.isEmpty, "Layered needs at least one layer")
        self.layers = layers
        ignoredKeys = ignoring
    }
    public init(_ node: ConfigNode) { layers = [node] }

    public var top: ConfigNode { layers.last! }

    /// Each layer may use only `allowed` keys (the message names that layer's file and line).
    public func checkKeys(allowed: [String]) throws {
        for l in layers { try l.checkKeys(allowed: allowed + ignoredKeys) }
    }

    /// The topmost node set for `key`.
    public func node(_ key: String) -> ConfigNode? {
        for l in layers.reversed() { if let c = l.child(key) { return c } }
        return nil
    }

    public func has(_ key: String) -> Bool { node(key) != nil }

    public func required(_ key: String) throws -> ConfigNode {
        if let n = node(key) { return n }
        throw top.error(key, "missing required key")
    }

    /// The merged child mapping at `key`: the layers below the topmost non-mapping value are hidden.
    public func child(_ key: String) -> Layered? {
        var found: [ConfigNode] = []
        for l in layers.reversed() {
            guard let c = l.child(key) else { continue }
            found.append(c)
            if !c.isMapping { break }
        }
        guard let first = found.first else { return nil }
        if !first.isMapping { return Layered(first) }
        return Layered(found.filter(\.isMapping).reversed())
    }

    /// An error at the topmost place `key` is set (or at the top layer when it is not set).
    public func error(_ key: String, _ problem: String) -> InputError {
        if let n = node(key) { return n.error(problem) }
        return top.error(key, problem)
    }
    public func error(_ problem: String) -> InputError { top.error(problem) }

    // Typed reads through the topmost layer that sets the key.
    public func double(_ key: String) throws -> Double { try required(key).double() }
    public func double(_ key: String, default d: Double) throws -> Double { try node(key)?.double() ?? d }
    public func int(_ key: String) throws -> Int { try required(key).int() }
    public func int(_ key: String, default d: Int) throws -> Int { try node(key)?.int() ?? d }
    public func string(_ key: String) throws -> String { try required(key).string() }
    public func string(_ key: String, default d: String) throws -> String { try node(key)?.string() ?? d }
    public func bool(_ key: String, default d: Bool) throws -> Bool { try node(key)?.bool() ?? d }
    public func vector2(_ key: String) throws -> (Double, Double) { try required(key).vector2() }
    public func vector3(_ key: String) throws -> (Double, Double, Double) { try required(key).vector3() }
    public func doubles(_ key: String, count: Int? = nil) throws -> [Double] { try required(key).doubles(count: count) }
    public func array(_ key: String) throws -> [ConfigNode] { try required(key).array() }

    /// A positive length in metres.
    public func length(_ key: String) throws -> Double { try double(key, "must be > 0 m") { $0 > 0 } }
    /// A size [x, y, z] (or [a, b]) of positive lengths, m.
    public func lengths(_ key: String, count: Int) throws -> [Double] {
        let n = try required(key)
        let v = try n.doubles(count: count)
        for (i, x) in v.enumerated() where !(x > 0) {
            throw try n.array()[i].error("must be > 0 m (got \(configFormat(x)))")
        }
        return v
    }
    /// A power in W: finite and ≥ 0.
    public func power(_ key: String, default d: Double? = nil) throws -> Double {
        if let d, !has(key) { return d }
        return try double(key, "must be ≥ 0 W") { $0 >= 0 }
    }
}

/// Loads the files a rack refers to: paths relative to the referring file, each file parsed
/// once, and reference cycles (a node type that extends itself through others) reported with
/// the whole chain.
public final class FileResolver {
    private var cache: [String: ConfigNode] = [:]
    private var stack: [String] = []

    public init() {}

    /// The path `ref` (a scalar naming a file) resolves to, relative to the file it is written in.
    public func path(of ref: ConfigNode) throws -> String {
        let name = try ref.string()
        if name.hasPrefix("/") { return Self.normalized(name) }
        let dir = (ref.file as NSString).deletingLastPathComponent
        return Self.normalized((dir as NSString).appendingPathComponent(name))
    }

    /// `p` without `.` and `x/..` components. `standardizingPath` keeps `..` in relative paths,
    /// so `racks/../nodes/a.yaml` and `racks/../nodes/../nodes/a.yaml` would be two files and a
    /// cycle written with `../nodes/…` references would never close (the loader looped forever).
    static func normalized(_ p: String) -> String {
        let absolute = p.hasPrefix("/")
        var out: [Substring] = []
        for c in p.split(separator: "/") where c != "." {
            if c == "..", let last = out.last, last != ".." {
                out.removeLast()
                continue
            }
            if c == "..", absolute, out.isEmpty { continue }
            out.append(c)
        }
        let s = out.joined(separator: "/")
        return absolute ? "/" + s : (s.isEmpty ? "." : s)
    }

    /// Parses the file `ref` names; a missing file or a cycle is an error at `ref`.
    public func load(_ ref: ConfigNode) throws -> ConfigNode {
        let p = try path(of: ref)
        if stack.contains(p) {
            let chain = (stack.drop { $0 != p } + [p]).map { ($0 as NSString).lastPathComponent }
            throw ref.error("reference cycle: \(chain.joined(separator: " → "))")
        }
        if let c = cache[p] { return c }
        guard FileManager.default.fileExists(atPath: p) else {
            throw ref.error("file not found: \(p)")
        }
        let c = try ConfigNode.load(path: p)
        cache[p] = c
        return c
    }

    /// Every file loaded through this resolver (normalised paths, sorted): a run's inputs.
    public var files: [String] { cache.keys.sorted() }

    /// Marks `file` as being resolved, so a reference back to it is a cycle; pair with `endResolving`.
    public func beginResolving(_ file: String) { stack.append(Self.normalized(file)) }
    public func endResolving() { stack.removeLast() }
}

extension Layered: CheckedNumbers {}
