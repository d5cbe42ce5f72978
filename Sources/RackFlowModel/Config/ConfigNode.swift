import Foundation
import Yams
import RackFlowNumerics

/// Formats a number for error messages: integers without a fraction, others as Swift prints them.
func configFormat(_ v: Double) -> String {
    if v.isFinite && v == v.rounded() && abs(v) < 1e15 { return String(Int(v)) }
    return "\(v)"
}

/// A node of a YAML document (composed by Yams, comments allowed) that knows the file it came
/// from, its key path and its line, so every error can point at the offending text.
///
/// Typed getters reject wrong types and non-finite numbers; `checkKeys(allowed:)` rejects
/// unknown keys and lists the allowed ones. Getters taking a key read a child of a mapping:
/// the plain form requires it, `default:` supplies a value when it is absent, the `optional…`
/// forms return nil when it is absent.
public struct ConfigNode {
    public let node: Node
    public let file: String
    public let keyPath: String

    /// Line reported when the node has no mark of its own (anchors; Yams cannot make a `Mark`).
    let fallbackLine: Int?

    public init(node: Node, file: String, keyPath: String = "") {
        self.node = node
        self.file = file
        self.keyPath = keyPath
        fallbackLine = nil
    }

    /// An empty mapping standing for `keyPath` of `file` (at `line`, when known), for objects
    /// built in code rather than read from YAML: its errors read like those of a parsed node.
    public static func anchor(file: String, keyPath: String = "", line: Int? = nil) -> ConfigNode {
        ConfigNode(node: .mapping(Node.Mapping([])), file: file, keyPath: keyPath, fallbackLine: line)
    }

    init(node: Node, file: String, keyPath: String, fallbackLine: Int?) {
        self.node = node
        self.file = file
        self.keyPath = keyPath
        self.fallbackLine = fallbackLine
    }

    /// 1-based line of the node in the file.
    public var line: Int? { node.mark?.line ?? fallbackLine }

    // MARK: - Loading

    /// Reads and composes a YAML file. A missing or unreadable file, malformed YAML and an empty
    /// document are `InputError`s naming the file (and the line of a syntax error).
    public static func load(path: String) throws -> ConfigNode {
        guard FileManager.default.fileExists(atPath: path) else {
            throw InputError(file: path, line: nil, keyPath: "", problem: "file not found")
        }
        return try parse(yaml: try InputLimits.read(path: path), file: path)
    }

    /// Composes YAML text; `file` names it in errors.
    public static func parse(yaml: String, file: String) throws -> ConfigNode {
        try InputLimits.checkNesting(yaml, file: file)
        let root: Node?
        do { root = try Yams.compose(yaml: yaml) } catch let e as YamlError {
            var line: Int? = nil
            var problem = "malformed YAML"
            switch e {
            case let .scanner(context, p, mark, _), let .parser(context, p, mark, _),
                let .composer(context, p, mark, _):
                line = mark.line
                problem = "malformed YAML: \(p)" + (context.map { " (\($0.text))" } ?? "")
            case let .reader(p, _, _, _):
                problem = "malformed YAML: \(p)"
            case let .duplicatedKeysInMapping(duplicates, context):
                line = context.mark.line
                problem = "malformed YAML: duplicate keys \(duplicates.joined(separator: ", "))"
            default:
                problem = "malformed YAML: \(e)"
            }
            throw InputError(file: file, line: line, keyPath: "", problem: problem)
        } catch {
            throw InputError(file: file, line: nil, keyPath: "", problem: "malformed YAML: \(error)")
        }
        guard let root else { throw InputError(file: file, line: nil, keyPath: "", problem: "empty document") }
        return ConfigNode(node: root, file: file)
    }

    // MARK: - Errors

    /// An error at this node.
    public func error(_ problem: String) -> InputError {
        InputError(file: file, line: line, keyPath: keyPath, problem: problem)
    }

    /// An error at child `key` (at its line if present, else at this mapping's line).
    public func error(_ key: String, _ problem: String) -> InputError {
        if let c = child(key) { return c.error(problem) }
        return InputError(file: file, line: line, keyPath: path(key), problem: problem)
    }

    func path(_ key: String) -> String { keyPath.isEmpty ? key : keyPath + "." + key }

    // MARK: - Structure

    var kindName: String {
        switch node {
        case .scalar: return "a scalar"
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case .alias: return "an alias"
        }
    }

    public var isMapping: Bool {
        if case .mapping = node { return true }
        return false
    }
    public var isScalar: Bool {
        if case .scalar = node { return true }
        return false
    }

    /// An error about this node's type; at the top, "the document must be …" (there is no key to name).
    func typeError(_ problem: String) -> InputError { error(keyPath.isEmpty ? "the document " + problem : problem) }

    func mapping() throws -> Node.Mapping {
        guard case let .mapping(m) = node else {
            throw typeError("must be a mapping ({key: value, …}), got \(kindName)")
        }
        return m
    }

    /// Keys of this mapping, in file order.
    public func keys() throws -> [String] {
        try mapping().compactMap { $0.key.scalar?.string }
    }

    /// Rejects keys not in `allowed` (and non-scalar keys), listing the allowed ones.
    public func checkKeys(allowed: [String]) throws {
        for (k, v) in try mapping() {
            guard let ks = k.scalar?.string else {
                throw InputError(
                    file: file, line: k.mark?.line ?? line, keyPath: keyPath, problem: "keys must be plain names")
            }
            if !allowed.contains(ks) {
                throw InputError(
                    file: file, line: k.mark?.line ?? v.mark?.line ?? line, keyPath: path(ks),
                    problem: "unknown key '\(ks)'; allowed keys: \(allowed.joined(separator: ", "))")
            }
        }
    }

    /// The child at `key`, nil when absent (or when this is not a mapping).
    public func child(_ key: String) -> ConfigNode? {
        guard case let .mapping(m) = node else { return nil }
        for (k, v) in m where k.scalar?.string == key {
            return ConfigNode(node: v, file: file, keyPath: path(key))
        }
        return nil
    }

    public func has(_ key: String) -> Bool { child(key) != nil }

    /// The child at `key`; a missing key is an error.
    public func required(_ key: String) throws -> ConfigNode {
        _ = try mapping()
        guard let c = child(key) else {
            throw InputError(file: file, line: line, keyPath: path(key), problem: "missing required key")
        }
        return c
    }

    /// Elements of a list, each with its `[i]` key path.
    public func array() throws -> [ConfigNode] {
        guard case let .sequence(s) = node else { throw typeError("must be a list ([a, b, …]), got \(kindName)") }
        return s.enumerated().map { ConfigNode(node: $1, file: file, keyPath: keyPath + "[\($0)]") }
    }

    // MARK: - Scalars

    func scalarString() throws -> String {
        guard case let .scalar(s) = node else { throw typeError("must be a single value, got \(kindName)") }
        return s.string
    }

    public func string() throws -> String {
        let s = try scalarString()
        if let sc = node.scalar, sc.style == .plain, s == "~" || s == "null" || s.isEmpty {
            throw error("must be a text value, got null")
        }
        return s
    }

    public func double() throws -> Double {
        let s = try scalarString().trimmingCharacters(in: .whitespaces)
        let lower = s.lowercased()
        if [".inf", "+.inf", "-.inf", ".nan", "inf", "+inf", "-inf", "nan", "infinity", "-infinity", "+infinity"]
            .contains(lower)
        {
            throw error("must be a finite number (got \(s))")
        }
        guard let v = Double(s.replacingOccurrences(of: "_", with: "")) else {
            throw error("must be a number (got '\(s)')")
        }
        guard v.isFinite else { throw error("must be a finite number (got \(s))") }
        return v
    }

    public func int() throws -> Int {
        let s = try scalarString().trimmingCharacters(in: .whitespaces)
        if let v = Int(s.replacingOccurrences(of: "_", with: "")) { return v }
        if let d = Double(s), d.isFinite, d == d.rounded(), abs(d) < 1e15 { return Int(d) }
        throw error("must be a whole number (got '\(s)')")
    }

    public func bool() throws -> Bool {
        let s = try scalarString()
        switch s.lowercased() {
        case "true", "yes", "on": return true
        case "false", "no", "off": return false
        default: throw error("must be true or false (got '\(s)')")
        }
    }

    public func doubles(count: Int? = nil) throws -> [Double] {
        let items = try array()
        if let count, items.count != count {
            throw error("must be a list of \(count) numbers, got \(items.count)")
        }
        return try items.map { try $0.double() }
    }

    public func vector3() throws -> (Double, Double, Double) {
        let v = try doubles(count: 3)
        return (v[0], v[1], v[2])
    }

    public func vector2() throws -> (Double, Double) {
        let v = try doubles(count: 2)
        return (v[0], v[1])
    }

    // MARK: - Keyed getters

    public func double(_ key: String) throws -> Double { try required(key).double() }
    public func double(_ key: String, default d: Double) throws -> Double { try child(key)?.double() ?? d }
    public func optionalDouble(_ key: String) throws -> Double? { try child(key)?.double() }
    public func int(_ key: String) throws -> Int { try required(key).int() }
    public func int(_ key: String, default d: Int) throws -> Int { try child(key)?.int() ?? d }
    public func optionalInt(_ key: String) throws -> Int? { try child(key)?.int() }
    public func string(_ key: String) throws -> String { try required(key).string() }
    public func string(_ key: String, default d: String) throws -> String { try child(key)?.string() ?? d }
    public func optionalString(_ key: String) throws -> String? { try child(key)?.string() }
    public func bool(_ key: String) throws -> Bool { try required(key).bool() }
    public func bool(_ key: String, default d: Bool) throws -> Bool { try child(key)?.bool() ?? d }
    public func optionalBool(_ key: String) throws -> Bool? { try child(key)?.bool() }
    public func vector3(_ key: String) throws -> (Double, Double, Double) { try required(key).vector3() }
    public func vector3(_ key: String, default d: (Double, Double, Double)) throws -> (Double, Double, Double) {
        try child(key)?.vector3() ?? d
    }
    public func optionalVector3(_ key: String) throws -> (Double, Double, Double)? { try child(key)?.vector3() }
    public func vector2(_ key: String) throws -> (Double, Double) { try required(key).vector2() }
    public func optionalVector2(_ key: String) throws -> (Double, Double)? { try child(key)?.vector2() }
    public func array(_ key: String) throws -> [ConfigNode] { try required(key).array() }
    /// An absent key is an empty list.
    public func optionalArray(_ key: String) throws -> [ConfigNode] { try child(key)?.array() ?? [] }

    /// A string that must be one of `choices`.
    public func choice(_ key: String, _ choices: [String], default d: String? = nil) throws -> String {
        guard let c = child(key) else {
            if let d { return d }
            throw InputError(
                file: file, line: line, keyPath: path(key),
                problem: "missing required key (one of \(choices.joined(separator: ", ")))")
        }
        let s = try c.string()
        guard choices.contains(s) else {
            throw c.error("must be one of \(choices.joined(separator: ", ")) (got '\(s)')")
        }
        return s
    }
}

extension ConfigNode: CheckedNumbers {}
