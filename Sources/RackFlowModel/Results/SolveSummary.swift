import Foundation
import RackFlowNumerics
import RackFlowPhysics

/// Everything a steady solve measured, in SI units, stable names (written as `summary.json`).
public struct SolveSummary: Codable, Sendable {
    public struct Node: Codable, Sendable {
        public var name: String
        public var type: String
        public var unit: Int
        public var flowM3PerS: Double
        public var inletC: Double
        public var outletC: Double
        /// Heat released in the node (parts plus PSU losses), W.
        public var powerW: Double
        public var gpus: Int
        public var nic: Bool
    }
    public struct Part: Codable, Sendable {
        public var name: String
        public var node: String
        public var kind: String
        public var model: String
        public var powerW: Double
        /// Mean air temperature and speed around the part (its region), °C and m/s.
        public var airC: Double
        public var airSpeedMPerS: Double
        public var temperatureC: Double
        public var limitC: Double
        public var marginK: Double
    }
    public struct Fan: Codable, Sendable {
        public var name: String
        public var node: String
        public var kind: String
        public var flowM3PerS: Double
        public var pressureRisePa: Double
        public var rpm: Double
    }
    public struct BalanceSummary: Codable, Sendable {
        /// |in − out| / in.
        public var massImbalance: Double
        /// |sources + walls − carried out| / (sources + the walls' heat in), as
        /// `Balance.relativeEnergyError`; of a time average, less the heat the air stored over
        /// the window (`heatStoredW`).
        public var energyError: Double
        public var massInKgPerS: Double
        public var heatSourcesW: Double
        public var heatCarriedOutW: Double
        /// Net heat into the air by conduction through the boundary, W (negative: out): walls held
        /// at a temperature, and inlets' faces; optional so that summaries written before it
        /// existed still decode.
        public var heatFromWallsW: Double?
        /// Of a time average: the heat the air gained over the window over its length, W
        /// (`TimeAverage.MeanBalance.heatStoredW`); nil for a steady answer.
        public var heatStoredW: Double?
    }
    public struct GridSummary: Codable, Sendable {
        public var cells: Int
        public var nx: Int, ny: Int, nz: Int
        /// Smallest and largest cell width over all axes, m.
        public var spacingM: [Double]
        public var maxSpacingSettingM: Double
    }

    public var caseName: String
    public var nodes: [Node] = []
    public var parts: [Part] = []
    public var fans: [Fan] = []
    public var inletFlowM3PerS: Double = 0
    public var inletC: Double = 0
    /// Mixed-cup temperature of the air leaving through the outlets (flow-weighted), °C.
    public var exhaustC: Double = 0
    /// A rack's roof exhaust tile by tile (`ExhaustProfile`: outflow and mixed-cup temperature per
    /// tile of at most 5 cm); nil for a generic case or a rack without a roof outlet.
    public var exhaustProfile: ExhaustProfile? = nil
    /// Static pressure over the inlet, relative to the exhaust: what the plenum blowers must supply, Pa.
    public var plenumPressurePa: Double = 0
    public var balance: BalanceSummary
    public var grid: GridSummary
    public var iterations: Int = 0
    public var converged: Bool = false
    /// Set when the flow has no steady state: every figure is then a time average, and these are
    /// the averaging window and the bands (max − min) of the watched quantities.
    public var timeAveraged: TimeAverage?
    /// What the steady solve adapted on its own and when (pseudo-time rewinds and caps), in order
    /// (optional so that summaries written before it existed still decode).
    public var adaptations: [String]?
    /// Every patch, and in a generic case every box and plane (optional so that summaries
    /// written before it existed still decode).
    public var objects: ObjectSummary?
    public var wallSeconds: Double = 0
    public var solveSeconds: Double = 0
    /// The earlier solution a warm restart started from (its folder), and whether it was
    /// interpolated from another grid; nil for a start from rest.
    public var startedFrom: String?
    /// The outer iteration a checkpoint resumed this solve at; nil for a run from its start. The
    /// seconds are this run's, spent on the iterations after it.
    public var resumedAtIteration: Int?
    /// Outer iterations this run made (all of them, less those before a resume).
    public var iterationsThisRun: Int { iterations - (resumedAtIteration ?? 0) }
    /// Findings on an answer outside what the air model holds for (`Plausibility`); nil or
    /// empty when there are none (optional so that summaries written before it still decode).
    public var warnings: [String]?

    /// Reads the solution: node flows through their meshes, part temperatures from their compact
    /// models, fan operating points, the inlet's pressure, balances.
    public init(solver s: FlowSolver, genericCase gc: GenericCase, report: VoxelReport, layout: RackLayout?) {
        let g = s.flow.grid
        caseName = gc.name
        let b = s.balance()
        balance = BalanceSummary(
            massImbalance: b.relativeMassImbalance, energyError: b.relativeEnergyError,
            massInKgPerS: b.massInKgPerS, heatSourcesW: b.heatSourcesW, heatCarriedOutW: b.heatAdvectedOutW,
            heatFromWallsW: b.heatFromWallsW)
        let widths = (0..<3).flatMap { g.axis($0).widths }
        grid = GridSummary(
            cells: g.cellCount, nx: g.nx, ny: g.ny, nz: g.nz, spacingM: [widths.min()!, widths.max()!],
            maxSpacingSettingM: gc.constraints.maxSpacingM)
        inletFlowM3PerS = b.massInKgPerS / s.flow.fluid.densityKgPerM3
        iterations = s.history.last?.iteration ?? 0
        adaptations = s.pseudo.adaptations

        (inletFlowM3PerS, inletC, plenumPressurePa) = Self.inlets(s, gc, throughFlowM3PerS: inletFlowM3PerS)
        objects = ObjectSummary(solver: s, genericCase: gc, report: report, everyObject: layout == nil)
        let findings = Plausibility.warnings(s, inletFlowM3PerS: inletFlowM3PerS)
        warnings = findings.isEmpty ? nil : findings
        // A rack's exhaust is the net heat's carrier, handed on to the room; a generic case's is
        // the air leaving (its outlets may also draw air in).
        exhaustC =
            layout == nil
            ? s.leavingTemperature(outlets: Self.exhaustPatches(gc))
            : s.mixedCupTemperature(outlets: Self.exhaustPatches(gc))
        if layout != nil, let roof = gc.roofExhaust?.patch {
            exhaustProfile = s.exhaustProfile(roof)
        }

        // Fans, by the solver's own operating points.
        let kinds = Dictionary(uniqueKeysWithValues: (layout?.fans ?? []).map { ($0.name, $0) })
        var rpm: [String: Double] = [:]
        for p in gc.planes { if case let .fan(_, r, _) = p.kind { rpm[p.name] = r } }
        for p in gc.patches { if case let .fanInlet(_, r, _, _) = p.patch.kind { rpm[p.patch.name] = r } }
        for (i, f) in s.fans.enumerated() where i < s.fanOperatingPoints.count {
            let op = s.fanOperatingPoints[i]
            fans.append(
                Fan(
                    name: f.name, node: kinds[f.name]?.node ?? "", kind: kinds[f.name]?.kind ?? "fan",
                    flowM3PerS: op.flowM3PerS, pressureRisePa: op.pressureRisePa, rpm: rpm[f.name] ?? .nan))
        }

        guard let layout else { return }
        for n in layout.nodes {
            var flowIn = 0.0, tIn = Double.nan
            if let pf = report.planeFaces[n.frontPlane] {
                flowIn = s.flowRate(axis: pf.axis, faces: pf.faces)
                tIn = s.bulkTemperature([(pf.axis, pf.faces)])
            }
            nodes.append(
                Node(
                    name: n.name, type: n.type, unit: n.unit, flowM3PerS: flowIn, inletC: tIn,
                    outletC: Self.outletC(s, report: report, node: n), powerW: n.heatW, gpus: n.gpuCount,
                    nic: n.hasNIC))
        }
        for p in layout.parts {
            let cells = report.boxCells[p.regionBox] ?? []
            let air = s.temperatureStats(cells: cells).meanC
            let v = s.meanSpeed(cells: cells)
            let t = p.thermal.temperatureC(airC: air, speedMPerS: v, powerW: p.modelPowerW)
            parts.append(
                Part(
                    name: p.name, node: p.node, kind: p.kind, model: p.model, powerW: p.powerW, airC: air,
                    airSpeedMPerS: v, temperatureC: t, limitC: p.limitC, marginK: p.limitC - t))
        }
    }

    /// A node's outlet temperature, °C: the bulk temperature of the air leaving through its
    /// rear openings, H / (ρ c_p Q) over them together, with H the heat the energy equation
    /// carries across them (`FlowSolver.heatFlow`; NaN when no air leaves). With the inlet
    /// temperature built the same way at the front mesh, ρ c_p Q (T_out − T_in) is the node's heat
    /// to the solve's convergence; the upwind mixed cup fell 1.2 % short of it.
    /// `secondOrder` as in `FlowSolver.heatFlow` (false: upwind and linear in T, for the response model).
    public static func outletC(
        _ s: FlowSolver, report: VoxelReport, node n: RackLayout.NodeInfo, secondOrder: Bool? = nil
    ) -> Double {
        s.bulkTemperature(n.exitFaces(report), secondOrder: secondOrder)
    }

    /// The patches air leaves by (those without a supply temperature).
    public static func exhaustPatches(_ gc: GenericCase) -> [Patch] {
        gc.patches.map(\.patch).filter { $0.kind.supplyTemperatureC == nil }
    }

    /// The part with the least margin.
    public var tightestPart: Part? { parts.min { $0.marginK < $1.marginK } }
}

extension SolveSummary {
    /// The inlet figures: the flow through the inlet patches, its mixed temperature (the patches'
    /// own, weighted by the flow each delivers), and the inlets' mean pressure above the outlets'
    /// (each weighted by its flow; equal weights where no air passes). With several inlets the
    /// last one's figures stood for all (two inlets at 15 and 35 °C reported 35 °C). Without an
    /// inlet patch (a duct between two open ends) the flow is all the air entering, at its mixed
    /// temperature, and there is no inlet pressure (NaN, written as null).
    static func inlets(
        _ s: FlowSolver, _ gc: GenericCase, throughFlowM3PerS: Double
    ) -> (flowM3PerS: Double, temperatureC: Double, pressurePa: Double) {
        var inlets: [(q: Double, t: Double, p: Double)] = []
        var outlets: [(q: Double, p: Double)] = []
        var entering: [(q: Double, t: Double)] = []
        for ps in gc.patches {
            let p = ps.patch
            let cells = s.cells(along: p)
            guard !cells.isEmpty else { continue }
            let (out, t) = s.patchFlowAndTemperature(p)
            switch p.kind {
            case let .flowInlet(_, supply), let .velocityInlet(_, supply), let .fanInlet(_, _, _, supply):
                // The supply's own temperature: an inlet carrying nothing has no mixed-cup one (NaN).
                inlets.append((max(-out, 0), supply, s.meanPressure(cells: cells)))
            case let .pressureOutlet(p0, _):
                outlets.append((max(out, 0), p0))
                if out < 0 && t.isFinite { entering.append((-out, t)) }
            }
        }
        func weighted(_ xs: [(w: Double, x: Double)]) -> Double {
            guard !xs.isEmpty else { return .nan }
            let total = xs.reduce(0) { $0 + $1.w }
            if total > 0 { return xs.reduce(0) { $0 + $1.w * $1.x } / total }
            return xs.reduce(0) { $0 + $1.x } / Double(xs.count)
        }
        guard !inlets.isEmpty else {
            return (throughFlowM3PerS, weighted(entering.map { ($0.q, $0.t) }), .nan)
        }
        let pOut = outlets.isEmpty ? 0 : weighted(outlets.map { ($0.q, $0.p) })
        return (
            inlets.reduce(0) { $0 + $1.q }, weighted(inlets.map { ($0.q, $0.t) }),
            weighted(inlets.map { ($0.q, $0.p) }) - pOut
        )
    }
}
