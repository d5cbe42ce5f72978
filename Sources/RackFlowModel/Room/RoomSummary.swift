import Foundation
import RackFlowPhysics

/// Everything a room run measured (written as `summary.json`), SI units, stable names.
public struct RoomSummary: Codable, Sendable {
    public struct Rack: Codable, Sendable {
        public var name: String
        public var row: String
        public var position: Int
        public var rackFile: String
        /// Plan footprint (x, y) lower corner, m, and door direction.
        public var originM: [Double]
        public var doorFacesPlusY: Bool
        /// The flow the rack was solved at (the coupling's final flow), m³/s, and what its
        /// solved fields carry in (mass in / ρ).
        public var inletFlowM3PerS: Double
        public var measuredInletFlowM3PerS: Double
        /// This rack's fraction of the blower flow.
        public var share: Double
        /// Slot pressure the rack needs (relative to its exhaust), its duct's loss, and the
        /// plenum minus both (the coupling's pressure residual), Pa.
        public var inletPressurePa: Double
        public var ductDropPa: Double
        public var pressureResidualPa: Double
        public var slotBlockage: Double
        public var exhaustC: Double
        public var heatW: Double
        public var nodes: [SolveSummary.Node]
        public var hottestGPU: SolveSummary.Part?
        public var tightestPart: SolveSummary.Part?
        public var cells: Int
        public var converged: Bool
        /// Outer iterations per coupling iteration, and seconds of all its solves.
        public var outerIterations: [Int]
        public var solveSeconds: Double
        public var massImbalance: Double
        public var energyError: Double
        /// Its roof exhaust tile by tile (its solve's `exhaustProfile`): what the room air is fed.
        public var exhaustProfile: ExhaustProfile? = nil
    }
    public struct Blower: Codable, Sendable {
        public var name: String
        public var count: Int
        public var rpm: Double
        public var flowEachM3PerS: Double
        public var risePa: Double
    }
    public struct Coupling: Codable, Sendable {
        public var converged: Bool
        public var tolerance: Double
        public var iterations: [RoomCoupling.Iteration]
        /// Flow residual of each iteration (max rack flow change / mean rack flow).
        public var flowResiduals: [Double]
        public var pressureResidualsPa: [Double]
    }
    public struct Timings: Codable, Sendable {
        public var compileSeconds: Double
        public var couplingSeconds: Double
        public var writeSeconds: Double
        public var wallSeconds: Double
        /// The room-air solve (`--room-air`): building and solving the hall and writing `room/`.
        public var roomAirSeconds: Double = 0
        public init(compileSeconds: Double, couplingSeconds: Double, writeSeconds: Double, wallSeconds: Double) {
            self.compileSeconds = compileSeconds
            self.couplingSeconds = couplingSeconds
            self.writeSeconds = writeSeconds
            self.wallSeconds = wallSeconds
        }
    }

    public var room: String
    public var file: String
    public var racks: [Rack]
    public var blowers: [Blower]
    public var blowerFlowM3PerS: Double
    public var blowerRisePa: Double
    public var plenumPressurePa: Double
    public var supplyDropPa: Double
    /// |Σ measured rack inlet flows − blower flow| / blower flow.
    public var massConservationError: Double
    /// The blowers' curve flow at their rise against Σ rack flows, relative.
    public var blowerCurveMismatch: Double
    public var cableTrays: [RoomSpec.CableTray]
    /// Velocity and temperature along each cable tray: from the room-air solve when it ran
    /// (`roomAir`, which keeps the jet model's values as its check), else the racks' exhaust jets
    /// (`TrayProbes`). `trayProbesSource` says which: "room air" or "jet model".
    public var trayProbes: [TrayProbes.Tray]? = nil
    public var trayProbesSource: String? = nil
    /// The room-air solve (`rackflow room --room-air`), nil when it did not run.
    public var roomAir: RoomAirSummary? = nil
    public var coupling: Coupling
    public var ranks: Int
    public var jobsPerRank: Int
    /// CPU seconds (user + system) each rank spent until the racks were written: on a shared
    /// machine the wall clock also measures the neighbours, this only the run's own work.
    public var cpuSecondsPerRank: [Double] = []
    public var cells: Int
    public var timings: Timings
}

extension RoomSummary {
    /// Assembles the room's summary from the coupling result and every rack's solve summary
    /// (gathered from whichever rank solved it).
    public init(
        spec: RoomSpec, network: PlenumNetwork, coupling c: RoomCoupling.Result, rackSummaries: [SolveSummary],
        ranks: Int, jobsPerRank: Int, timings: Timings
    ) {
        room = spec.name
        file = spec.file
        let total = c.blowerFlowM3PerS
        racks = spec.racks.indices.map { k in
            let p = spec.racks[k]
            let s = rackSummaries[k]
            let gpus = s.parts.filter { $0.kind == "gpu" }
            return Rack(
                name: p.name, row: p.row == 0 ? "A" : "B", position: p.index + 1, rackFile: p.rackFile,
                originM: [p.originM.0, p.originM.1], doorFacesPlusY: p.doorFacesPlusY,
                inletFlowM3PerS: c.rackFlowsM3PerS[k], measuredInletFlowM3PerS: c.rackResults[k].measuredFlowM3PerS,
                share: c.rackFlowsM3PerS[k] / total, inletPressurePa: c.rackResults[k].inletPressurePa,
                ductDropPa: network.ducts[k].dropPa(c.rackFlowsM3PerS[k]), pressureResidualPa: c.pressureResidualsPa[k],
                slotBlockage: p.slotBlockage, exhaustC: s.exhaustC, heatW: s.balance.heatSourcesW, nodes: s.nodes,
                hottestGPU: gpus.max { $0.temperatureC < $1.temperatureC }, tightestPart: s.tightestPart,
                cells: s.grid.cells, converged: c.rackResults[k].converged,
                outerIterations: c.iterations.map { $0.rackOuterIterations[k] },
                solveSeconds: s.solveSeconds, massImbalance: s.balance.massImbalance,
                energyError: s.balance.energyError,
                exhaustProfile: s.exhaustProfile)
        }
        blowers = spec.blowers.indices.map { b in
            Blower(
                name: spec.blowers[b].name, count: spec.blowers[b].count, rpm: spec.blowers[b].rpm,
                flowEachM3PerS: c.perBlowerFlowM3PerS[b], risePa: c.blowerRisePa)
        }
        blowerFlowM3PerS = total
        blowerRisePa = c.blowerRisePa
        plenumPressurePa = c.plenumPressurePa
        supplyDropPa = network.supply.dropPa(total)
        massConservationError = abs(c.rackResults.map(\.measuredFlowM3PerS).reduce(0, +) - total) / total
        blowerCurveMismatch = c.blowerCurveMismatch
        cableTrays = spec.trays
        coupling = Coupling(
            converged: c.converged, tolerance: spec.couplingTolerance, iterations: c.iterations,
            flowResiduals: c.iterations.map(\.flowResidual), pressureResidualsPa: c.iterations.map(\.pressureResidualPa)
        )
        self.ranks = ranks
        self.jobsPerRank = jobsPerRank
        cells = racks.reduce(0) { $0 + $1.cells }
        self.timings = timings
    }
}
