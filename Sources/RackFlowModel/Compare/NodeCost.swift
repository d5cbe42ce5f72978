import Foundation

/// What one node costs, from every priced part of its node type.
///
/// Description
///   The part files carry `priceUSD` (seed prices for the GPUs, *assumed* ones for the rest).
///   A node's price is the sum over its parts of count × unit price: chassis, board, CPU,
///   cooler, memory modules, GPUs, NIC, PSU and the chassis fans. Blowers, the cooler's fan and
///   the PSU's fan are part of their cards, cooler and PSU, so they are not counted again.
///
///   The seed calls system RAM "the fuel tank" of LLM inference, the part that makes the node
///   dear: `memorySharePct` is its share of the node price, 100 × memory / total.
///
/// Usage
///   | field            | meaning                                             |
///   | items            | part, count, unit and line price (USD)              |
///   | totalUSD         | the node's price                                    |
///   | memoryUSD        | the memory modules' line                            |
///   | memorySharePct   | 100 × memoryUSD / totalUSD                          |
///   | memoryGB         | modules × capacity of one (the part's `capacityGB`) |
public struct NodeCost: Codable, Sendable {
    public struct Item: Codable, Sendable {
        public var part: String
        public var model: String
        public var count: Int
        public var unitUSD: Double
        public var lineUSD: Double
    }
    public var items: [Item]
    public var totalUSD: Double
    public var memoryUSD: Double
    public var memorySharePct: Double
    public var memoryGB: Double

    public init(_ t: NodeType) {
        var items: [Item] = []
        func add(_ part: String, _ model: String, _ count: Int, _ unit: Double) {
            guard count > 0 else { return }
            items.append(Item(part: part, model: model, count: count, unitUSD: unit, lineUSD: Double(count) * unit))
        }
        let modules = t.memoryModules
        add("chassis", t.chassis.spec.name, 1, t.chassis.spec.priceUSD)
        add("board", t.board.spec.name, 1, t.board.spec.priceUSD)
        add("cpu", t.cpu.spec.name, 1, t.cpu.spec.priceUSD)
        add("cooler", t.cooler.spec.name, 1, t.cooler.spec.priceUSD)
        add("memory", t.memory.spec.name, modules, t.memory.spec.priceUSD)
        add("gpu", t.gpu.spec.name, t.gpuSlots.count, t.gpu.spec.priceUSD)
        if let nic = t.nic { add("nic", nic.spec.name, 1, nic.spec.priceUSD) }
        add("psu", t.psu.spec.name, 1, t.psu.spec.priceUSD)
        add("fans", t.fan.spec.name, t.chassis.spec.fanCorners.count, t.fan.spec.priceUSD)
        self.items = items
        totalUSD = items.map(\.lineUSD).reduce(0, +)
        memoryUSD = Double(modules) * t.memory.spec.priceUSD
        memorySharePct = totalUSD > 0 ? 100 * memoryUSD / totalUSD : .nan
        memoryGB = Double(modules) * t.memory.spec.capacityGB
    }
}
