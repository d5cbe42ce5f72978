import Foundation
import RackFlowPhysics

/// The rows of a response model and how to read each from the solver's temperature field.
struct ResponseRows {
    let layout: RackLayout
    let report: VoxelReport
    let exhausts: [Patch]
    let names: [String], kinds: [ThermalResponse.Row.Kind], nodes: [String], limits: [Double?]
    var count: Int { names.count }

    init(layout: RackLayout, report: VoxelReport, genericCase gc: GenericCase) {
        self.layout = layout
        self.report = report
        exhausts = SolveSummary.exhaustPatches(gc)
        names = layout.parts.map(\.name) + layout.nodes.map { "\($0.name)/outlet" } + ["exhaust"]
        kinds = layout.parts.map { _ in .part } + layout.nodes.map { _ in .nodeOutlet } + [.exhaust]
        nodes = layout.parts.map(\.node) + layout.nodes.map(\.name) + [""]
        limits = layout.parts.map { $0.limitC } + layout.nodes.map { _ in nil } + [nil]
    }

    /// The air temperature behind every row in the solver's present field, °C: a part's
    /// region mean (its compact model is added by the caller), a node's outlet, the exhaust.
    /// `linear`: node outlets read with upwind heat flows, linear in T, for the model's response
    /// fields (the calibration maps them to the solve's); else as the solve's summary reads them.
    func air(_ s: FlowSolver, linear: Bool) -> [Double] {
        layout.parts.map { s.temperatureStats(cells: report.boxCells[$0.regionBox] ?? []).meanC }
            + layout.nodes.map {
                SolveSummary.outletC(s, report: report, node: $0, secondOrder: linear ? false : nil)
            }
            + [s.mixedCupTemperature(outlets: exhausts)]
    }

    /// The full solve's values of the rows: part temperatures, outlets, exhaust.
    func solved(_ summary: SolveSummary) -> [Double] {
        let parts = Dictionary(summary.parts.map { ($0.name, $0.temperatureC) }, uniquingKeysWith: { a, _ in a })
        return layout.parts.map { parts[$0.name] ?? .nan } + outletsAndExhaust(summary)
    }

    /// The same with each part's air temperature instead of the part's.
    func solvedAir(_ summary: SolveSummary) -> [Double] {
        let air = Dictionary(summary.parts.map { ($0.name, $0.airC) }, uniquingKeysWith: { a, _ in a })
        return layout.parts.map { air[$0.name] ?? .nan } + outletsAndExhaust(summary)
    }

    func outletsAndExhaust(_ summary: SolveSummary) -> [Double] {
        let outlets = Dictionary(summary.nodes.map { ($0.name, $0.outletC) }, uniquingKeysWith: { a, _ in a })
        return layout.nodes.map { outlets[$0.name] ?? .nan } + [summary.exhaustC]
    }
}
