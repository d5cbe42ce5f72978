import Foundation
import RackFlowNumerics

/// One `--vary KEY=FROM:TO:COUNT` of `rackflow sweep`: which parts it sets and to what.
///
/// KEY is a part kind (`gpu`, `cpu`, `memory`, `nic`, `board`), optionally behind node names
/// (`node03/cpu`, `node03,node04,node05/cpu`); the COUNT powers run from FROM to TO watts per
/// part. A key must select at least one part; PSU losses are not a key (they follow the DC
/// load). Every refusal names the key as given.
public struct SweepKey: Sendable {
    public let text: String
    public let kind: String
    /// Selected nodes; nil: every node.
    public let nodes: Set<String>?
    /// Power per selected part, W.
    public let valuesW: [Double]

    public init(parsing s: String, model: ThermalResponse) throws {
        try self.init(parsing: s, groups: model.groups)
    }

    /// Checked against the parts a model has or will have (a rack's layout, before its model
    /// is built: a typo is caught before minutes of solving).
    public init(parsing s: String, groups: [ThermalResponse.Group]) throws {
        func bad(_ problem: String) -> InputError {
            InputError(file: "command line", line: nil, keyPath: "--vary \(s)", problem: problem)
        }
        let halves = s.split(separator: "=", maxSplits: 1).map(String.init)
        guard halves.count == 2 else { throw bad("expected KEY=FROM:TO:COUNT, e.g. gpu=150:300:16") }
        text = halves[0]
        let path = halves[0].split(separator: "/").map(String.init)
        guard path.count == 1 || path.count == 2 else { throw bad("KEY is a part kind, or nodes/kind (node03/cpu)") }
        kind = path.last!
        let kinds = Set(groups.map(\.kind)).subtracting(["psu"]).sorted()
        guard kinds.contains(kind) else {
            let why = kind == "psu" ? "PSU losses follow the node's DC load and are not set" : "no part of that kind"
            throw bad("\(why); kinds: \(kinds.joined(separator: ", "))")
        }
        if path.count == 2 {
            let names = Set(path[0].split(separator: ",").map(String.init))
            let known = Set(groups.map(\.node))
            if let unknown = names.subtracting(known).sorted().first {
                throw bad("no node \(unknown); nodes: \(known.sorted().joined(separator: ", "))")
            }
            nodes = names
        } else {
            nodes = nil
        }
        let range = halves[1].split(separator: ":").map { Double($0) }
        guard range.count == 3, let a = range[0], let b = range[1], let c = range[2],
            a.isFinite, b.isFinite, a >= 0, b >= 0
        else {
            throw bad("expected FROM:TO:COUNT with powers ≥ 0 W, e.g. 150:300:16")
        }
        guard a <= b else { throw bad("FROM must not exceed TO") }
        guard c >= 1, c <= 1001, c == c.rounded() else { throw bad("COUNT must be a whole number from 1 to 1001") }
        guard c > 1 || a == b else { throw bad("COUNT 1 needs FROM = TO") }
        guard c == 1 || a < b else { throw bad("COUNT above 1 needs FROM < TO") }
        let n = Int(c)
        valuesW = n == 1 ? [a] : (0..<n).map { a + (b - a) * Double($0) / Double(n - 1) }
        let (kind, nodes) = (self.kind, self.nodes)
        guard groups.contains(where: { $0.kind == kind && (nodes?.contains($0.node) ?? true) }) else {
            throw bad("selects no part: no \(kind) in \(nodes?.sorted().joined(separator: ", ") ?? "any node")")
        }
    }

    func selects(_ g: ThermalResponse.Group) -> Bool {
        g.kind == kind && (nodes?.contains(g.node) ?? true)
    }
}
