import Foundation

/// One of the node types the seed argues about, with its electrical budget and price from its
/// part files, whether or not it is among the compared layouts.
public struct SeedNode: Codable, Sendable {
    /// What the seed calls it: `seed` (3 × PRO 4500 + NIC), `fourGPU` (the render-farm node),
    /// `pro5000` (the drop-in upgrade), `pro6000` (the dismissed flagship).
    public var role: String
    public var name: String
    public var file: String
    public var gpuModel: String
    public var gpus: Int
    public var gpuPowerW: Double
    /// GPUs × board power of one, W: the seed's "GPU power" of a node.
    public var gpuTotalW: Double
    public var hasNIC: Bool
    /// Memory of all the node's GPUs (VRAM), GB, and of one RAM module, GB.
    public var gpuMemoryGB: Double
    public var memoryModuleGB: Double
    public var power: LayoutFigures.NodePower
    public var cost: NodeCost
    /// One card's price (USD) and single-precision TFLOPS, from its part file: the saving claim's
    /// figures.
    public var gpuPriceUSD: Double
    public var gpuFP32TFLOPS: Double
}

/// Reads the seed's node types from `Meshes/nodes` for the claims table. The claims about power
/// are arithmetic on part files, so they need no solve; a missing or unreadable file leaves its
/// claims out of the table.
public enum SeedNodes {
    /// Role and node file stem, in the order the claims use them.
    public static let files: [(role: String, stem: String)] = [
        ("seed", "rm44-gb203-3gpu"), ("fourGPU", "rm44-gb203-4gpu"), ("pro5000", "rm44-gb202-3gpu"),
        ("pro6000", "rm44-gb202-6000"),
    ]

    public static func load(meshes: String) -> [SeedNode] {
        files.compactMap { role, stem in
            let path = URL(fileURLWithPath: meshes + "/nodes/\(stem).yaml").standardizedFileURL.path
            guard FileManager.default.fileExists(atPath: path), let t = try? nodeType(path) else { return nil }
            return SeedNode(
                role: role, name: t.name, file: "nodes/\(stem).yaml", gpuModel: t.gpu.spec.name,
                gpus: t.gpuSlots.count, gpuPowerW: t.gpu.spec.powerW,
                gpuTotalW: Double(t.gpuSlots.count) * t.gpu.spec.powerW, hasNIC: t.nic != nil,
                gpuMemoryGB: Double(t.gpuSlots.count) * t.gpu.spec.memoryGB,
                memoryModuleGB: t.memory.spec.capacityGB,
                power: LayoutFigures.nodePower(t, node: t.name, heatW: .nan), cost: NodeCost(t),
                gpuPriceUSD: t.gpu.spec.priceUSD, gpuFP32TFLOPS: t.gpu.spec.fp32TFLOPS)
        }
    }

    /// The nodes whose cards the seed's saving claim compares (RTX PRO 4500 against RTX PRO
    /// 5000): the seed node and the PRO 5000 drop-in, so the claim is recomputed from the same
    /// part files the layouts use. nil when either node is missing.
    public static func savingPair(_ nodes: [SeedNode]) -> (cheap: SeedNode, dear: SeedNode)? {
        func node(_ role: String) -> SeedNode? { nodes.first { $0.role == role } }
        guard let cheap = node("seed"), let dear = node("pro5000") else { return nil }
        return (cheap, dear)
    }

    /// A node type file on its own, as a rack slot would load it.
    static func nodeType(_ path: String) throws -> NodeType {
        let escaped = path.replacingOccurrences(of: "'", with: "''")
        // The reference is anchored beside the file, not in it: a file resolving itself is a cycle.
        let anchor = (path as NSString).deletingLastPathComponent + "/(seed claims)"
        let doc = try ConfigNode.parse(yaml: "node: '\(escaped)'", file: anchor)
        let r = FileResolver()
        r.beginResolving(anchor)
        defer { r.endResolving() }
        return try NodeType.load(try doc.required("node"), resolver: r)
    }
}
