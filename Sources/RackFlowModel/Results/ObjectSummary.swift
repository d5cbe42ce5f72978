import RackFlowPhysics

/// Per-object figures of a solved case: every inlet and outlet patch, and in a generic case
/// every box and plane, so that a user reads the flow through a porous block or a fan without
/// post-processing `fields.vtr`. SI units; temperatures are mixed-cup (`ObjectFlows.swift`).
public struct ObjectSummary: Codable, Sendable {
    public struct PatchFigures: Codable, Sendable {
        public var name: String
        /// "inlet" or "outlet".
        public var kind: String
        /// Flow in the patch's own direction: into the domain for an inlet, out for an outlet
        /// (negative when the air goes the other way), m³/s.
        public var flowM3PerS: Double
        /// Mixed-cup temperature, °C: an inlet's supply; for an outlet, the air leaving through it
        /// (its outflowing faces), or where none leaves the air it lets in.
        public var temperatureC: Double
        /// Area-weighted mean static pressure of the cells along the patch, Pa.
        public var pressurePa: Double
        /// Area of the boundary faces the patch takes, m², and of its rectangle as written
        /// (clipped to the side): they differ when its edges are not grid lines or a later patch
        /// overlaps it (`PatchArea.swift`).
        public var areaM2: Double
        public var writtenAreaM2: Double
    }
    public struct BoxFigures: Codable, Sendable {
        public var name: String
        /// "solid", "porous" or "heat".
        public var kind: String
        public var powerW: Double
        /// Flow entering the box across its surface, m³/s (0 for a solid).
        public var flowM3PerS: Double
        /// Volume-weighted mean and largest air temperature in the box, °C (null for a solid).
        public var meanC: Double
        public var maxC: Double
    }
    public struct PlaneFigures: Codable, Sendable {
        public var name: String
        /// "sheet", "wall" or "fan".
        public var kind: String
        /// "x", "y" or "z": the plane's normal; flows are signed along it.
        public var axis: String
        public var flowM3PerS: Double
        /// Mixed-cup temperature of the air crossing, °C (null when none crosses).
        public var temperatureC: Double
        /// Mean static pressure on the lower side minus the upper side, Pa: a sheet's drop for
        /// flow along +axis, minus a fan's rise.
        public var pressureDropPa: Double
        /// Area of the faces the plane covers after snapping, m².
        public var areaM2: Double
    }
    public var patches: [PatchFigures] = []
    public var boxes: [BoxFigures] = []
    public var planes: [PlaneFigures] = []

    /// Patches always; boxes and planes with `everyObject` (generic cases: a rack's hundreds of
    /// internal boxes are summarised per node and part instead).
    public init(solver s: FlowSolver, genericCase gc: GenericCase, report: VoxelReport, everyObject: Bool) {
        for (p, cov) in zip(gc.patches.map(\.patch), s.flow.patchCoverage()) {
            let (out, mixed) = s.patchFlowAndTemperature(p)
            let cells = s.cells(along: p)
            let pressure = cells.isEmpty ? Double.nan : s.meanPressure(cells: cells)
            let outlet = !CaseMonitors.isInlet(p)
            // An outlet's temperature is that of the air leaving through it, as its monitor's and
            // the exhaust's; where none leaves, that of the air it lets in.
            let leaving = outlet ? s.outflowTemperature(p) : .nan
            let t = leaving.isFinite ? leaving : mixed
            patches.append(
                PatchFigures(
                    name: p.name, kind: outlet ? "outlet" : "inlet", flowM3PerS: outlet ? out : -out,
                    temperatureC: t, pressurePa: pressure, areaM2: cov.coveredAreaM2,
                    writtenAreaM2: cov.writtenAreaM2))
        }
        guard everyObject else { return }
        for b in gc.boxes {
            let cells = report.boxCells[b.name] ?? []
            let stats = b.kind == .solid ? (meanC: Double.nan, maxC: Double.nan) : s.temperatureStats(cells: cells)
            boxes.append(
                BoxFigures(
                    name: b.name, kind: b.kind.rawValue, powerW: b.powerW,
                    flowM3PerS: b.kind == .solid ? 0 : s.throughFlow(cells: cells),
                    meanC: stats.meanC, maxC: stats.maxC.isFinite ? stats.maxC : .nan))
        }
        for p in gc.planes {
            guard let pf = report.planeFaces[p.name] else { continue }
            let kind: String
            switch p.kind {
            case .sheet: kind = "sheet"
            case .wall: kind = "wall"
            case .fan: kind = "fan"
            }
            let (q, t) = s.flowAndTemperature(axis: pf.axis, faces: pf.faces)
            planes.append(
                PlaneFigures(
                    name: p.name, kind: kind, axis: ["x", "y", "z"][pf.axis], flowM3PerS: q,
                    temperatureC: t, pressureDropPa: s.pressureDrop(axis: pf.axis, faces: pf.faces),
                    areaM2: pf.flowAreaM2))
        }
    }
}
