import Foundation

/// Figures derived for one layout of a comparison, from its part files (power, prices, TFLOPS)
/// and its solve (flows, temperatures). SI units and US dollars; "room" is `racksPerRoom` racks.
public struct LayoutFigures: Codable, Sendable {
    /// One node's electrical budget, with the terms of its arithmetic.
    public struct NodePower: Codable, Sendable {
        public var node: String
        public var type: String
        public var boardW: Double
        public var memoryModules: Int
        public var memoryModuleW: Double
        public var cpuW: Double
        public var cpuPeakW: Double
        public var gpus: Int
        public var gpuW: Double
        public var nicW: Double
        /// Chassis fans, GPU blowers, cooler and PSU fans (their part files' `powerW`).
        public var fansW: Double
        /// DC load on the PSU at nominal load (CPU at TDP) and with the CPU at its peak (PBO).
        public var dcNominalW: Double
        public var dcPeakW: Double
        public var efficiency: Double
        public var psuLossNominalW: Double
        public var psuLossPeakW: Double
        /// Drawn from the wall: DC load / η.
        public var wallNominalW: Double
        public var wallPeakW: Double
        public var psuRatedW: Double
        public var psuLoadNominalPct: Double
        public var psuLoadPeakPct: Double
        public var psuHeadroomNominalW: Double
        public var psuHeadroomPeakW: Double
        /// Heat the solver released in the node (parts at nominal load plus PSU losses; fans' power excluded, as the
        /// compiler does).
        public var heatW: Double
    }
    public struct Power: Codable, Sendable {
        /// The node with the highest peak load (all nodes alike in a uniform rack).
        public var node: NodePower
        public var heatPerNodeW: Double
        public var rackWallNominalKW: Double
        public var rackWallPeakKW: Double
        public var roomWallNominalKW: Double
        public var roomWallPeakKW: Double
        public var rackHeatKW: Double
    }
    public struct PartAt: Codable, Sendable {
        public var part: String
        public var node: String
        public var model: String
        public var slot: Int?
        public var temperatureC: Double
        public var limitC: Double
        public var marginK: Double
    }
    public struct Thermal: Codable, Sendable {
        public var inletFlowM3PerS: Double
        public var nodeFlowMinM3PerS: Double
        public var nodeFlowMeanM3PerS: Double
        public var nodeFlowMaxM3PerS: Double
        public var leastFedNode: String
        /// (max − min) / mean of the node flows, %.
        public var flowSpreadPct: Double
        /// Flow that carries the heaviest node's heat at `maxRiseK`: ρ c_p Q ΔT = P.
        public var requiredNodeFlowM3PerS: Double
        public var maxRiseK: Double
        /// Largest node exhaust rise (flow-weighted exit air − intake air), K, and whose.
        public var exhaustRiseMaxK: Double
        public var hottestExhaustNode: String
        /// Rack exhaust (roof) air − supply air, K.
        public var rackExhaustRiseK: Double
        public var hottestGPU: PartAt?
        public var hottestCPU: PartAt?
        public var tightestPart: PartAt?
        /// Static pressure the plenum blowers must supply for this airflow, Pa.
        public var blowerPressurePa: Double
    }
    public struct Compute: Codable, Sendable {
        public var gpuModel: String
        public var gpusPerNode: Int
        public var gpusPerRack: Int
        public var gpusPerRoom: Int
        public var fp32TFLOPSPerGPU: Double
        public var fp32TFLOPSPerNode: Double
        public var fp32TFLOPSPerRack: Double
        public var fp32TFLOPSPerRoom: Double
        public var gpuPriceUSD: Double
        public var gpuCostPerNodeUSD: Double
        public var gpuCostPerRackUSD: Double
        public var gpuCostPerRoomUSD: Double
        /// FP32 TFLOPS per $1,000 of GPUs.
        public var tflopsPerKUSD: Double
        /// FP32 TFLOPS per kW drawn from the wall at nominal load.
        public var tflopsPerKW: Double
        public var nicModel: String?
        public var nicCostPerNodeUSD: Double
    }
    /// A limit a layout crosses.
    public struct Crossing: Codable, Sendable {
        public var kind: String
        public var what: String
        public var value: Double
        public var limit: Double
        /// For a PSU: "at nominal load" or "with the CPU at peak".
        public var condition: String = ""
        public var text: String
    }

    public var name: String
    public var origin: String
    public var nodes: Int
    public var nodeTypes: [String]
    public var power: Power
    public var thermal: Thermal
    public var compute: Compute
    /// The price of the node with the most GPUs, from every priced part, and of the rack and room.
    public var cost: NodeCost
    public var rackPriceUSD: Double
    public var roomPriceUSD: Double
    /// Nodes without a NIC: they lack the RDMA the seed's inference role requires.
    public var nodesWithoutNIC: Int
    /// The rack's supply as set (flow or blower, and temperature), to tell layouts fed alike.
    public var supplySetting: String
    public var crossings: [Crossing]
    public var converged: Bool
}

/// Thresholds for limit crossings and the room size.
public struct CompareSettings: Codable, Sendable {
    /// Racks in the room (seed: 16 racks, 8 facing 8).
    public var racksPerRoom = 16
    /// PSU load above this is a crossing (% of rating).
    public var psuMaxLoadPct = 90.0
    /// A node whose flow cannot carry its heat at this rise is below its minimum flow (K, *assumed*).
    public var maxRiseK = 15.0
    /// What "~" and "≈" allow in a claim of the seed, % of the claimed figure (*assumed*).
    public var approximatePct = 10.0
    /// Nemotron-3 340B quantised to INT8 (seed), GB.
    public var modelWeightsGB = 340.0
    /// RAM kept for the OS and the inference server, GB (*assumed*).
    public var osReserveGB = 32.0
    /// The seed's inference role needs the NIC's RDMA: a layout without one cannot serve it.
    public var requireNIC = true
    /// A part within this many kelvin of its limit gets advice (as one past it does).
    public var adviceWithinK = 2.0
    /// Least margins closer than this (K) to the largest are a tie: twice the solves'
    /// part-temperature tolerance (`SteadyRun.temperatureToleranceK`), below which two solves do
    /// not tell layouts apart.
    public var marginTieK = 2 * SteadyRun.temperatureToleranceK
    public init() {}
}

extension LayoutFigures {
    /// Slot of a GPU from its model string ("RTX PRO 4500 (slot 3)").
    static func slot(of model: String) -> Int? {
        guard let r = model.range(of: "(slot ") else { return nil }
        return Int(model[r.upperBound...].prefix { $0.isNumber })
    }

    static func at(_ p: SolveSummary.Part?) -> PartAt? {
        guard let p else { return nil }
        return PartAt(
            part: p.name, node: p.node, model: p.model, slot: p.kind == "gpu" ? slot(of: p.model) : nil,
            temperatureC: p.temperatureC, limitC: p.limitC, marginK: p.marginK)
    }

    /// One node's budget from its node type; `heatW` is what the compiler released.
    static func nodePower(_ t: NodeType, node: String, heatW: Double) -> NodePower {
        let modules = t.memoryModules
        let gpus = t.gpuSlots.count
        let nic = t.nic?.spec.powerW ?? 0
        let fans =
            Double(t.chassis.spec.fanCorners.count) * t.fan.spec.powerW + Double(gpus) * t.gpu.spec.blower.powerW
            + t.cooler.spec.fan.powerW + t.psu.spec.fan.powerW
        let rest =
            t.board.spec.powerW + Double(modules) * t.memory.spec.powerW + Double(gpus) * t.gpu.spec.powerW + nic + fans
        let dcN = rest + t.cpu.spec.powerW, dcP = rest + t.cpu.spec.peakPowerW
        let eta = t.psu.spec.efficiency, rated = t.psu.spec.ratedPowerW
        return NodePower(
            node: node, type: t.name, boardW: t.board.spec.powerW, memoryModules: modules,
            memoryModuleW: t.memory.spec.powerW,
            cpuW: t.cpu.spec.powerW, cpuPeakW: t.cpu.spec.peakPowerW, gpus: gpus, gpuW: t.gpu.spec.powerW, nicW: nic,
            fansW: fans,
            dcNominalW: dcN, dcPeakW: dcP, efficiency: eta,
            psuLossNominalW: dcN * (1 / eta - 1), psuLossPeakW: dcP * (1 / eta - 1),
            wallNominalW: dcN / eta, wallPeakW: dcP / eta, psuRatedW: rated,
            psuLoadNominalPct: 100 * dcN / rated, psuLoadPeakPct: 100 * dcP / rated,
            psuHeadroomNominalW: rated - dcN, psuHeadroomPeakW: rated - dcP, heatW: heatW)
    }

    /// Limits crossed: parts past their limit, PSUs above the load limit (at nominal load, else
    /// with the CPU at peak), nodes whose flow cannot carry their heat at the rise limit.
    static func crossings(
        _ s: SolveSummary, budgets: [NodePower], heatW heat: [String: Double], rhoCp: Double, settings: CompareSettings
    ) -> [Crossing] {
        var c: [Crossing] = []
        for p in s.parts where p.marginK < 0 {
            c.append(
                Crossing(
                    kind: "part", what: p.name, value: p.temperatureC, limit: p.limitC,
                    text: String(format: "%@ at %.1f °C is past its %.0f °C limit", p.name, p.temperatureC, p.limitC)))
        }
        for b in budgets {
            if b.psuLoadNominalPct > settings.psuMaxLoadPct {
                c.append(
                    Crossing(
                        kind: "psu", what: b.node, value: b.psuLoadNominalPct, limit: settings.psuMaxLoadPct,
                        condition: "at nominal load",
                        text: String(
                            format: "%@'s PSU at %.1f %% at nominal load (limit %.0f %%)", b.node, b.psuLoadNominalPct,
                            settings.psuMaxLoadPct)))
            } else if b.psuLoadPeakPct > settings.psuMaxLoadPct {
                c.append(
                    Crossing(
                        kind: "psu", what: b.node, value: b.psuLoadPeakPct, limit: settings.psuMaxLoadPct,
                        condition: "with the CPU at peak",
                        text: String(
                            format: "%@'s PSU at %.1f %% with the CPU at peak (limit %.0f %%)", b.node,
                            b.psuLoadPeakPct, settings.psuMaxLoadPct)))
            }
        }
        for n in s.nodes {
            let need = (heat[n.name] ?? 0) / (rhoCp * settings.maxRiseK)
            if n.flowM3PerS < need {
                c.append(
                    Crossing(
                        kind: "flow", what: n.name, value: n.flowM3PerS, limit: need,
                        text: String(
                            format: "%@ gets %.1f L/s, below the %.1f L/s that carries its heat at a %.0f K rise",
                            n.name, 1000 * n.flowM3PerS, 1000 * need, settings.maxRiseK)))
            }
        }
        return c
    }

    public init(layout l: CompareLayout, summary s: SolveSummary, settings: CompareSettings) {
        name = l.name
        origin = l.origin
        let slots = l.rack.slots
        nodes = slots.count
        var types: [String] = []
        for t in slots.map(\.type.name) where !types.contains(t) { types.append(t) }
        nodeTypes = types
        converged = s.converged
        let heat = Dictionary(uniqueKeysWithValues: (l.caseFile.layout?.nodes ?? []).map { ($0.name, $0.heatW) })
        let budgets = slots.map { Self.nodePower($0.type, node: $0.name, heatW: heat[$0.name] ?? .nan) }
        let worst = budgets.max { $0.dcPeakW < $1.dcPeakW }!
        let room = Double(settings.racksPerRoom)
        let rackN = budgets.map(\.wallNominalW).reduce(0, +) / 1000,
            rackP = budgets.map(\.wallPeakW).reduce(0, +) / 1000
        let rackHeat = budgets.map(\.heatW).reduce(0, +) / 1000
        power = Power(
            node: worst, heatPerNodeW: 1000 * rackHeat / Double(max(nodes, 1)), rackWallNominalKW: rackN,
            rackWallPeakKW: rackP,
            roomWallNominalKW: room * rackN, roomWallPeakKW: room * rackP, rackHeatKW: rackHeat)

        // Thermal, from the solve.
        let flows = s.nodes.map(\.flowM3PerS)
        let mean = flows.isEmpty ? .nan : flows.reduce(0, +) / Double(flows.count)
        let least = s.nodes.min { $0.flowM3PerS < $1.flowM3PerS }
        let rises = s.nodes.map { ($0.name, $0.outletC - $0.inletC) }.filter { $0.1.isFinite }
        let hotRise = rises.max { $0.1 < $1.1 }
        let gc = l.caseFile.genericCase
        let rhoCp = gc.fluid.densityKgPerM3 * gc.fluid.specificHeatJPerKgK
        let heaviest = budgets.map(\.heatW).max() ?? 0
        thermal = Thermal(
            inletFlowM3PerS: s.inletFlowM3PerS, nodeFlowMinM3PerS: flows.min() ?? .nan, nodeFlowMeanM3PerS: mean,
            nodeFlowMaxM3PerS: flows.max() ?? .nan, leastFedNode: least?.name ?? "",
            flowSpreadPct: flows.isEmpty ? .nan : 100 * (flows.max()! - flows.min()!) / mean,
            requiredNodeFlowM3PerS: heaviest / (rhoCp * settings.maxRiseK), maxRiseK: settings.maxRiseK,
            exhaustRiseMaxK: hotRise?.1 ?? .nan, hottestExhaustNode: hotRise?.0 ?? "",
            rackExhaustRiseK: s.exhaustC - s.inletC,
            hottestGPU: Self.at(s.parts.filter { $0.kind == "gpu" }.max { $0.temperatureC < $1.temperatureC }),
            hottestCPU: Self.at(s.parts.filter { $0.kind == "cpu" }.max { $0.temperatureC < $1.temperatureC }),
            tightestPart: Self.at(s.tightestPart), blowerPressurePa: s.plenumPressurePa)

        // Compute and money (GPU model of the node with the most GPUs).
        let gpuNode = slots.max { $0.type.gpuSlots.count < $1.type.gpuSlots.count }!.type
        let g = gpuNode.gpu.spec
        let gpusRack = slots.map { $0.type.gpuSlots.count }.reduce(0, +)
        let tflopsRack = slots.map { Double($0.type.gpuSlots.count) * $0.type.gpu.spec.fp32TFLOPS }.reduce(0, +)
        let costRack = slots.map { Double($0.type.gpuSlots.count) * $0.type.gpu.spec.priceUSD }.reduce(0, +)
        compute = Compute(
            gpuModel: g.name, gpusPerNode: gpuNode.gpuSlots.count, gpusPerRack: gpusRack,
            gpusPerRoom: gpusRack * settings.racksPerRoom,
            fp32TFLOPSPerGPU: g.fp32TFLOPS, fp32TFLOPSPerNode: Double(gpuNode.gpuSlots.count) * g.fp32TFLOPS,
            fp32TFLOPSPerRack: tflopsRack, fp32TFLOPSPerRoom: room * tflopsRack,
            gpuPriceUSD: g.priceUSD, gpuCostPerNodeUSD: Double(gpuNode.gpuSlots.count) * g.priceUSD,
            gpuCostPerRackUSD: costRack, gpuCostPerRoomUSD: room * costRack,
            tflopsPerKUSD: costRack > 0 ? 1000 * tflopsRack / costRack : .nan,
            tflopsPerKW: rackN > 0 ? tflopsRack / rackN : .nan,
            nicModel: gpuNode.nic?.spec.name, nicCostPerNodeUSD: gpuNode.nic?.spec.priceUSD ?? 0)

        cost = NodeCost(gpuNode)
        let rackPrice = slots.map { NodeCost($0.type).totalUSD }.reduce(0, +)
        rackPriceUSD = rackPrice
        roomPriceUSD = room * rackPrice
        nodesWithoutNIC = slots.filter { $0.type.nic == nil }.count
        switch l.rack.inlet {
        case let .flow(q):
            supplySetting = "\(q) m³/s at \(l.rack.inletTemperatureC) °C"
        case let .blower(curve, rpm, plenum):
            supplySetting = "blower \(curve) at \(rpm) rpm, plenum \(plenum) Pa, at \(l.rack.inletTemperatureC) °C"
        }

        crossings = Self.crossings(s, budgets: budgets, heatW: heat, rhoCp: rhoCp, settings: settings)
    }
}
