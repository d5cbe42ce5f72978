import RackFlowPhysics

/// What a generic case's steady solve watches: the figures its report gives.
///
/// Description
///   A rack's solve stops on its monitors (node flows, part air temperatures, plenum pressure)
///   settled by `MonitorSettling`, with the change residuals below 1e-3 as a safeguard. A
///   generic case is judged the same way, on what its summary reports for each object:
///
///   | monitor                                  | tolerance                                   |
///   | each patch's flow out (m³/s)             | 0.1 % of itself, at least 0.1 % of Q_ref    |
///   | each outlet's outflow temperature (°C)   | 0.05 K (with energy; mixed-cup, out only)   |
///   | each inlet patch's mean pressure (Pa)    | 0.1 % of itself, at least 0.1 % of ½ρU²     |
///   | each fan plane's flow (m³/s)             | 0.1 % of itself, at least 0.1 % of Q_ref    |
///   | each box's mean air temperature (°C)     | 0.05 K (with energy; boxes with air in them) |
///
///   U is the speed scale of the boundary conditions and Q_ref = U × the largest inlet patch
///   area (every patch's where there is no inlet): the floors judge a nearly zero quantity
///   against the flow's own scale, not against itself. An outlet's temperature mixes its
///   outflowing faces only: over the net flow, an opening that breathes both ways divides by
///   nearly zero. One that lets no air out has none (NaN); it counts as 0, so that it settles.
///
///   Why not the residuals alone, at 1e-6: a tiny limit cycle (one face beside a sheet
///   rocking by 1e-5 of the speed scale) or one cell beside a face whose flow flips direction
///   (0.26 K per iteration) held hand-written cases above it for good. Their figures had
///   settled long before, and the solve then went on to a time average or its limit.
public enum CaseMonitors {
    public static let flowTolerance = 1e-3
    public static let temperatureToleranceK = 0.05

    static func monitors(_ gc: GenericCase, report: VoxelReport, solver s: FlowSolver) -> [FlowSolver.Monitor] {
        let u = s.speedScaleMPerS
        let rho = s.flow.fluid.densityKgPerM3
        let inlets = gc.patches.filter {
            if case .pressureOutlet = $0.patch.kind { return false }
            return true
        }
        let areas = Patch.coveredAreasM2(gc.patches.map(\.patch), on: s.flow.grid)
        let inletAreas = zip(gc.patches, areas).filter { ps, _ in inlets.contains { $0.patch.name == ps.patch.name } }
        let qRef = u * ((inletAreas.isEmpty ? areas : inletAreas.map(\.1)).max() ?? 0)
        let flowFloor = flowTolerance * qRef
        let pressureFloor = flowTolerance * 0.5 * rho * u * u
        var monitors: [FlowSolver.Monitor] = []
        for ps in gc.patches where !s.cells(along: ps.patch).isEmpty {
            let p = ps.patch
            monitors.append(
                FlowSolver.Monitor("\(p.name) flow", tolerance: flowTolerance, floor: flowFloor) {
                    $0.patchFlowAndTemperature(p).outflowM3PerS
                })
            // An outlet's temperature: that of the air leaving through it (an inlet's is its own).
            if case .pressureOutlet = p.kind, s.flow.solveEnergy {
                monitors.append(
                    FlowSolver.Monitor("\(p.name) temperature", absoluteTolerance: temperatureToleranceK) {
                        let t = $0.outflowTemperature(p)
                        return t.isFinite ? t : 0
                    })
            }
        }
        for ps in inlets {
            let cells = s.cells(along: ps.patch)
            guard !cells.isEmpty else { continue }
            monitors.append(
                FlowSolver.Monitor("\(ps.patch.name) pressure", tolerance: flowTolerance, floor: pressureFloor) {
                    $0.meanPressure(cells: cells)
                })
        }
        for (i, f) in s.fans.enumerated() {
            monitors.append(
                FlowSolver.Monitor("\(f.name) flow", tolerance: flowTolerance, floor: flowFloor) {
                    i < $0.fanOperatingPoints.count ? $0.fanOperatingPoints[i].flowM3PerS : 0
                })
        }
        if s.flow.solveEnergy {
            for (name, cells) in report.boxCells.sorted(by: { $0.key < $1.key }) where !cells.isEmpty {
                // Solid boxes hold no air: their mean is NaN whatever the iteration.
                guard s.temperatureStats(cells: cells).meanC.isFinite else { continue }
                monitors.append(
                    FlowSolver.Monitor("\(name) air temperature", absoluteTolerance: temperatureToleranceK) {
                        $0.temperatureStats(cells: cells).meanC
                    })
            }
        }
        return monitors
    }
}
