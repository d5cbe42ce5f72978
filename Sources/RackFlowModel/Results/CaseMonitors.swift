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
///   |   (a fan patch is watched by its patch flow, once)                                      |
///   | each sheet's and wall's flow (m³/s)      | 0.1 % of itself, at least 0.1 % of Q_ref    |
///   | each sheet's and wall's pressure drop    | 0.1 % of itself, at least 0.1 % of ½ρU²     |
///   | each box's flow through it (m³/s)        | 0.1 % of itself, at least 0.1 % of Q_ref    |
///   | each box's mean and hottest air (°C)     | 0.05 K (with energy; boxes with air in them) |
///
///   U is the speed scale of the boundary conditions and Q_ref their inflow (the inlets' flow
///   and the fan patches' free delivery), or U × the largest patch area where nothing flows
///   in at a known rate: the floors judge a nearly zero quantity
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

    /// True for a patch air enters by (velocity, flow and fan patches); an outlet's is false.
    static func isInlet(_ p: Patch) -> Bool {
        if case .pressureOutlet = p.kind { return false }
        return true
    }

    /// The temperature of the air leaving through outlet `p`, mixed-cup over its outflowing
    /// faces; 0 while none leaves (NaN would never settle).
    static func outletTemperature(_ p: Patch) -> (FlowSolver) -> Double {
        { solver in
            let t = solver.outflowTemperature(p)
            return t.isFinite ? t : 0
        }
    }

    /// The non-solid boxes with air in them and their cells (a box whose cells are all solid
    /// has NaN temperatures at every iteration), in the case file's order.
    static func airBoxes(_ gc: GenericCase, report: VoxelReport, solver: FlowSolver) -> [(name: String, cells: [Int])] {
        gc.boxes.compactMap { b in
            guard b.kind != .solid, let cells = report.boxCells[b.name], !cells.isEmpty,
                solver.temperatureStats(cells: cells).meanC.isFinite
            else { return nil }
            return (b.name, cells)
        }
    }

    static func monitors(_ gc: GenericCase, report: VoxelReport, solver s: FlowSolver) -> [FlowSolver.Monitor] {
        let u = s.speedScaleMPerS
        let rho = s.flow.fluid.densityKgPerM3
        let patches = gc.patches.map(\.patch)
        let areas = Patch.coveredAreasM2(patches, on: s.flow.grid)
        let inletAreas = zip(patches, areas).filter { isInlet($0.0) }.map(\.1)
        // The inflow the boundary conditions give (inlets' flow, fan inlets' free delivery); U
        // times an area where there is none. A fan patch's shut-off speed over its area is no
        // flow scale: 16× the 29.5 L/s a 40 Pa blower delivered, a floor of 1.7 % of it.
        // A closed case has neither: the domain's largest cross-section then (a floor of 0 judged
        // a sheet's round-off net flow against itself, and it never settled).
        let g = s.flow.grid
        let section = max(g.x.length * g.y.length, g.y.length * g.z.length, g.x.length * g.z.length)
        let qRef =
            s.inflowScaleM3PerS > 0
            ? s.inflowScaleM3PerS : u * ((inletAreas.isEmpty ? areas : inletAreas).max() ?? section)
        let flowFloor = flowTolerance * qRef
        let pressureFloor = flowTolerance * 0.5 * rho * u * u
        var monitors: [FlowSolver.Monitor] = []
        for p in patches {
            let cells = s.cells(along: p)
            guard !cells.isEmpty else { continue }
            monitors.append(
                FlowSolver.Monitor("\(p.name) flow", tolerance: flowTolerance, floor: flowFloor) {
                    $0.patchFlowAndTemperature(p).outflowM3PerS
                })
            if isInlet(p) {
                monitors.append(
                    FlowSolver.Monitor("\(p.name) pressure", tolerance: flowTolerance, floor: pressureFloor) {
                        $0.meanPressure(cells: cells)
                    })
            } else if s.flow.solveEnergy {
                // An outlet's temperature: that of the air leaving through it (an inlet's is its own).
                monitors.append(
                    FlowSolver.Monitor(
                        "\(p.name) temperature", absoluteTolerance: temperatureToleranceK, outletTemperature(p)))
            }
        }
        // The solver's fans are the fan planes, then the fan patches (`FlowSolver.init`); a fan
        // patch's flow is watched above as its patch's (a name may be shared across the lists).
        for (i, f) in s.fans.enumerated() where i < s.flow.fans.count {
            monitors.append(
                FlowSolver.Monitor("\(f.name) flow", tolerance: flowTolerance, floor: flowFloor) {
                    i < $0.fanOperatingPoints.count ? $0.fanOperatingPoints[i].flowM3PerS : 0
                })
        }
        for p in gc.planes {
            if case .fan = p.kind { continue }
            guard let pf = report.planeFaces[p.name], !pf.faces.isEmpty else { continue }
            monitors.append(
                FlowSolver.Monitor("\(p.name) flow", tolerance: flowTolerance, floor: flowFloor) {
                    $0.flowRate(axis: pf.axis, faces: pf.faces)
                })
            // A plane lying on a solid box has no open face to take a drop across (NaN for good).
            guard s.pressureDrop(axis: pf.axis, faces: pf.faces).isFinite else { continue }
            monitors.append(
                FlowSolver.Monitor("\(p.name) pressure drop", tolerance: flowTolerance, floor: pressureFloor) {
                    $0.pressureDrop(axis: pf.axis, faces: pf.faces)
                })
        }
        for b in gc.boxes where b.kind != .solid {
            guard let cells = report.boxCells[b.name], !cells.isEmpty else { continue }
            let surface = s.surfaceFaces(cells: cells)
            monitors.append(
                FlowSolver.Monitor("\(b.name) flow", tolerance: flowTolerance, floor: flowFloor) {
                    $0.throughFlow(surface: surface)
                })
        }
        if s.flow.solveEnergy {
            for (name, cells) in airBoxes(gc, report: report, solver: s) {
                monitors.append(
                    FlowSolver.Monitor("\(name) air temperature", absoluteTolerance: temperatureToleranceK) {
                        $0.temperatureStats(cells: cells).meanC
                    })
                monitors.append(
                    FlowSolver.Monitor("\(name) hottest air", absoluteTolerance: temperatureToleranceK) {
                        $0.maximumTemperature(cells: cells)
                    })
            }
        }
        return monitors
    }
}
