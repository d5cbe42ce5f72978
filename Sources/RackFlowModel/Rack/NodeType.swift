import Foundation
import RackFlowPhysics

/// A node type (`Meshes/nodes/*.yaml`): a chassis and the parts placed in it. Positions are in
/// the chassis frame: x across from the left side panel (seen from the front), y from the front
/// mesh towards the back, z up from the chassis floor; metres.
///
/// A node file may `extends:` another and change keys; a rack slot may change keys again
/// (`gpus: 4`). Parts are named by file (`gpu: ../parts/rtx-pro-4500.yaml`) or by a mapping
/// with `part:` and overrides of that part's keys (`gpu: {part: …, powerW: 180}`).
public struct NodeType {
    public struct Placed<Spec> {
        public var spec: Spec
        /// Where the placement is written (errors about position point here).
        public var node: ConfigNode
    }
    public struct MemoryBank {
        public var x: Double, y: Double
        public var count: Int
        public var node: ConfigNode
    }

    public var name: String
    public var file: String
    public var chassis: Placed<ChassisSpec>
    public var board: Placed<BoardSpec>
    public var boardPosition: (Double, Double)
    public var cpu: Placed<CPUSpec>
    public var cooler: Placed<CoolerSpec>
    public var coolerPosition: (Double, Double)
    public var memory: Placed<MemorySpec>
    public var banks: [MemoryBank]
    public var gpu: Placed<GPUSpec>
    /// PCIe slot number of each GPU, in order.
    public var gpuSlots: [Int]
    public var nic: Placed<CardSpec>?
    public var nicSlot: Int
    public var psu: Placed<PSUSpec>
    public var psuPosition: (Double, Double, Double)
    public var fan: Placed<FanSpec>
    /// Each fan-wall fan's speed, rev/min, in the chassis' `fanWall.fans` order (`fans.speeds`;
    /// 0 = stopped, a resistance); nil: every fan at the fan part's `rpm`. One failed fan of
    /// three is a what-if the fan part's `rpm` (all of them) cannot ask.
    public var fanSpeedsRPM: [Double]?
    /// The node type's files and overrides, for errors about its keys.
    public let layers: Layered

    public static let keys = [
        "name", "extends", "chassis", "board", "cpu", "memory", "gpu", "gpus", "gpuSlots", "nic", "psu", "fans",
    ]

    /// Reads a node type from its layers (file chain plus overrides).
    init(_ l: Layered, resolver r: FileResolver) throws {
        try l.checkKeys(allowed: Self.keys)
        layers = l
        name = try l.string("name")
        file = l.top.file

        func part(_ key: String, kind: String, placement: [String] = []) throws -> (Layered, ConfigNode) {
            let ref = try l.child(key).orThrowAny(l, key)
            if ref.top.isScalar {
                let f = try r.load(ref.top)
                return (try checkedKind(Layered(f), kind, at: ref.top), ref.top)
            }
            guard let p = ref.node("part") else { throw ref.error("part", "missing required key (the part file)") }
            try ref.checkKeys(allowed: ["part"] + placement + Self.partKeys[kind]!)
            let f = try r.load(p)
            var layered = Layered([f] + ref.layers, ignoring: ["part"] + placement)
            layered = try checkedKind(layered, kind, at: p)
            return (layered, ref.top)
        }

        let (ch, chN) = try part("chassis", kind: "chassis")
        chassis = Placed(spec: try ChassisSpec.parse(ch), node: chN)

        let (bd, bdN) = try part("board", kind: "board", placement: ["position"])
        board = Placed(spec: try BoardSpec.parse(bd), node: bdN)
        boardPosition = try l.child("board")!.vector2("position")

        let (cp, cpN) = try part("cpu", kind: "cpu", placement: ["cooler", "position"])
        cpu = Placed(spec: try CPUSpec.parse(cp), node: cpN)
        let cpuL = l.child("cpu")!
        guard let coolerRef = cpuL.node("cooler") else {
            throw cpuL.error("cooler", "missing required key (the cooler's part file)")
        }
        let coolerFile = try r.load(coolerRef)
        cooler = Placed(
            spec: try CoolerSpec.parse(try checkedKind(Layered(coolerFile), "cooler", at: coolerRef)), node: coolerRef)
        coolerPosition = try cpuL.vector2("position")

        let (mm, mmN) = try part("memory", kind: "memory", placement: ["banks"])
        memory = Placed(spec: try MemorySpec.parse(mm), node: mmN)
        banks = try l.child("memory")!.array("banks").map { b in
            try b.checkKeys(allowed: ["position", "count"])
            let p = try b.vector2("position"), n = try b.int("count")
            if n < 1 || n > 64 { throw b.error("count", "must be 1–64 modules (got \(n))") }
            return MemoryBank(x: p.0, y: p.1, count: n, node: b)
        }

        let (gp, gpN) = try part("gpu", kind: "gpu")
        gpu = Placed(spec: try GPUSpec.parse(gp), node: gpN)
        let slotsNode = try l.required("gpuSlots")
        let slotList = try slotsNode.array().map { try $0.int() }
        let count = try l.int("gpus")
        guard count >= 0 else { throw l.error("gpus", "must be ≥ 0 (got \(count))") }
        guard count <= slotList.count else {
            throw l.error(
                "gpus",
                "\(count) GPUs but gpuSlots lists only \(slotList.count) slots "
                    + "(\(slotList.map(String.init).joined(separator: ", ")))"
            )
        }
        gpuSlots = Array(slotList.prefix(count))

        if let n = l.child("nic"), n.top.isScalar, (try? n.top.string()) == "none" {
            nic = nil
            nicSlot = 0
        } else {
            let (nc, ncN) = try part("nic", kind: "card", placement: ["slot"])
            nic = Placed(spec: try CardSpec.parse(nc), node: ncN)
            nicSlot = try l.child("nic")!.int("slot")
        }

        let (ps, psN) = try part("psu", kind: "psu", placement: ["position"])
        psu = Placed(spec: try PSUSpec.parse(ps), node: psN)
        psuPosition = try l.child("psu")!.vector3("position")

        let (fn, fnN) = try part("fans", kind: "fan", placement: ["speeds"])
        fan = Placed(spec: try FanSpec.parse(fn), node: fnN)
        if let fansL = l.child("fans"), !fansL.top.isScalar, let speeds = fansL.node("speeds") {
            let wall = chassis.spec.fanCorners.count
            let v = try speeds.doubles()
            guard v.count == wall else {
                throw speeds.error(
                    "must give one speed per fan-wall fan of the chassis (\(chassis.spec.name) has \(wall)), "
                        + "got \(v.count)")
            }
            if let bad = v.first(where: { !($0 >= 0) }) {
                throw speeds.error("speeds are rev/min ≥ 0 (0 = stopped), got \(bad)")
            }
            fanSpeedsRPM = v
        }

        try checkSlots(l)
    }

    /// Part keys a reference may override, per kind.
    static let partKeys: [String: [String]] = [
        "chassis": ["name", "size", "units", "frontMesh", "fanWall", "rearVents", "priceUSD"],
        "board": ["name", "size", "slots", "powerW", "heatRegion", "limitC", "thermal", "priceUSD"],
        "cpu": ["name", "powerW", "peakPowerW", "limitC", "priceUSD"],
        "memory": ["name", "size", "pitch", "powerW", "limitC", "thermal", "priceUSD", "capacityGB"],
        "gpu": GPUSpec.keys.filter { $0 != "kind" },
        "card": ["name", "size", "offset", "fins", "powerW", "limitC", "thermal", "priceUSD"],
        "psu": [
            "name", "size", "ratedPowerW", "efficiency", "fan", "grille", "internals", "limitC", "thermal", "priceUSD",
        ],
        "fan": ["name", "curve", "rpm", "size", "powerW", "priceUSD"],
    ]

    /// Slots exist on the board and no two cards share one (a dual-slot GPU takes two).
    private func checkSlots(_ l: Layered) throws {
        let n = board.spec.slotCount
        var taken: [Int: String] = [:]
        for (i, s) in gpuSlots.enumerated() {
            // The card plugs into slot s; a wide card may overhang the board's last slot (a dual-slot
            // card in slot 7 of 7 uses the chassis's 8th bracket; the chassis check bounds it).
            guard s >= 1 && s <= n else {
                throw l.error("gpuSlots", "GPU \(i + 1) in slot \(s): the board has slots 1–\(n)")
            }
            for k in s..<(s + gpu.spec.slots) {
                if let o = taken[k] {
                    throw l.error("gpuSlots", "GPU \(i + 1) in slot \(s) overlaps \(o) in slot \(k)")
                }
                taken[k] = "GPU \(i + 1)"
            }
        }
        if nic != nil {
            guard nicSlot >= 1 && nicSlot <= n else {
                throw l.child("nic")!.error("slot", "must be a slot of the board, 1–\(n) (got \(nicSlot))")
            }
            if let o = taken[nicSlot] {
                // Report where the later change was made: a slot's `gpus: 4` over the node's NIC, or a NIC moved onto a
                // GPU.
                let nicNode = l.child("nic")!.node("slot") ?? l.node("nic")!
                func level(_ key: String) -> Int { l.layers.lastIndex { $0.has(key) } ?? -1 }
                if level("gpus") > level("nic") {
                    throw l.error(
                        "gpus",
                        "\(o) takes slot \(nicSlot), where the NIC is (\(GenericCase.place(nicNode))); set `nic: "
                            + "none` or move the NIC"
                    )
                }
                throw nicNode.error("slot \(nicSlot) is taken by \(o); move the NIC or set `nic: none`")
            }
        }
    }

    /// Memory modules in all banks.
    public var memoryModules: Int { banks.map(\.count).reduce(0, +) }

    /// x of the low side of PCIe slot `s` in the chassis frame.
    public func slotX(_ s: Int) -> Double {
        boardPosition.0 + board.spec.slot1XM + Double(s - 1) * board.spec.slotPitchM
    }

    /// Loads a node type file, following `extends:` chains, with `overrides` (a rack slot) on top.
    public static func load(
        _ ref: ConfigNode, resolver r: FileResolver, overrides: [ConfigNode] = []
    ) throws -> NodeType {
        var chain: [ConfigNode] = []
        var file = try r.load(ref)
        var pushed = 0
        defer { for _ in 0..<pushed { r.endResolving() } }
        r.beginResolving(try r.path(of: ref))
        pushed += 1
        while true {
            chain.insert(file, at: 0)
            guard let ext = file.child("extends") else { break }
            let next = try r.load(ext)
            r.beginResolving(try r.path(of: ext))
            pushed += 1
            file = next
        }
        return try NodeType(Layered(chain + overrides), resolver: r)
    }
}

/// A part file must say it is the kind the reference expects.
func checkedKind(_ l: Layered, _ kind: String, at ref: ConfigNode) throws -> Layered {
    let k = try l.layers[0].string("kind")
    guard k == kind else {
        throw ref.error(
            "expected a part of kind '\(kind)', but \((l.layers[0].file as NSString).lastPathComponent) is kind '\(k)'")
    }
    return l
}

extension Optional where Wrapped == Layered {
    /// The child (scalar or mapping), or "missing required key".
    func orThrowAny(_ parent: Layered, _ key: String) throws -> Layered {
        guard let v = self else { throw parent.error(key, "missing required key") }
        return v
    }
}
