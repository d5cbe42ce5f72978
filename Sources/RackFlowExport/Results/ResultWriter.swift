import Foundation
import RackFlowNumerics
import RackFlowPhysics
import RackFlowModel

/// Writes a solve's folder: summary.json, residuals.csv, fields.vtr / fields.vti, report.md
/// and slices/*.png. Everything goes into the (staging) folder it is given.
public enum ResultWriter {

    public static func writeSummary(_ s: SolveSummary, to dir: URL) throws {
        try AtomicFile.write(json(s), to: dir.appendingPathComponent("summary.json"))
    }

    /// Pretty, key-sorted JSON; a quantity that does not exist (a node with no outflow) is null, never NaN.
    public static func json<T: Encodable>(_ value: T) throws -> String {
        try JSONCoding.textWithNulls(value)
    }

    public static func write(
        summary: SolveSummary, solver: FlowSolver, genericCase gc: GenericCase, layout: RackLayout?,
        report: VoxelReport, source: String, to dir: URL, vtiSpacingM: Double, log: inout some TextOutputStreamLike
    ) throws {
        try AtomicFile.write(ResidualsCSV.text(solver.history), to: dir.appendingPathComponent("residuals.csv"))

        // ParaView: the solver's own grid (exact), and a uniform resampling as image data.
        let fields = VTKWriter.flowFields(solver)
        let t0 = Date()
        try VTKWriter.rectilinear(
            grid: solver.flow.grid, cellData: fields.cellData, vectors: fields.vectors,
            to: dir.appendingPathComponent("fields.vtr"))
        let (ug, map) = Resample.uniform(solver.flow.grid, spacingM: vtiSpacingM)
        try VTKWriter.imageData(
            grid: ug, cellData: fields.cellData.map { f in (f.name, map.map { f.values[$0] }) },
            vectors: fields.vectors.map { f in (f.name, map.map { f.x[$0] }, map.map { f.y[$0] }, map.map { f.z[$0] })
            },
            float32: true, to: dir.appendingPathComponent("fields.vti"))
        // Pictures and the report.
        let planes = layout.map(Slices.rackPlanes) ?? Slices.centrePlanes(solver.flow.grid)
        let pictures = try Slices.writeFields(solver, gc, planes: planes, to: dir.appendingPathComponent("slices"))
        let md = ReportWriter.markdown(summary, genericCase: gc, source: source, pictures: pictures)
        try AtomicFile.write(md, to: dir.appendingPathComponent("report.md"))
        try AtomicFile.write(
            ReportHTML.html(markdown: md, title: "RackFlow report: \(summary.caseName)", folder: dir),
            to: dir.appendingPathComponent("report.html"))
        log.say(
            String(
                format: "fields.vtr (%d cells) and fields.vti (%d × %d × %d at %.0f mm) in %.1f s",
                solver.flow.grid.cellCount,
                ug.nx, ug.ny, ug.nz, vtiSpacingM * 1000, Date().timeIntervalSince(t0)))
    }

    /// Inlet, plenum (a generic case's inlet) pressure and exhaust in one line; a figure a case
    /// does not have (no inlet patch, no air leaving) is named as missing instead of printed as nan.
    static func inletLine(_ s: SolveSummary) -> String {
        let inlet =
            s.plenumPressurePa.isNaN
            ? String(format: "no inlet patch; %.4g m³/s (%.3g L/s) enters", s.inletFlowM3PerS, s.inletFlowM3PerS * 1000)
                + (s.inletC.isFinite ? String(format: " at %.1f °C", s.inletC) : "")
            : String(
                format: "inlet %.4g m³/s (%.3g L/s) at %.1f °C, %@ %.1f Pa", s.inletFlowM3PerS,
                s.inletFlowM3PerS * 1000, s.inletC,
                s.nodes.isEmpty ? "inlet pressure above the outlets" : "plenum pressure", s.plenumPressurePa)
        let exhaust = s.exhaustC.isFinite ? String(format: "exhaust %.2f °C (mixed-cup)", s.exhaustC) : "no air leaves"
        return inlet + ", " + exhaust
    }

    /// The per-node table printed at the end of a solve.
    public static func consoleTable(_ s: SolveSummary, folder: String) -> String {
        let state =
            s.timeAveraged != nil
            ? "no steady state; time-averaged after"
            : (s.converged ? "converged in" : "NOT converged in")
        var out = "\n\(s.caseName): \(state) \(s.iterations) iterations, \(String(format: "%.1f", s.wallSeconds)) s\n"
        out += Self.inletLine(s) + "\n"
        if s.nodes.isEmpty, let o = s.objects {
            out += objectLines(o)
        } else {
            out += "node      flow (m³/s)  in (°C)  out (°C)  power (W)  least margin\n"
        }
        for n in s.nodes {
            let hot = s.parts.filter { $0.node == n.name }.min { $0.marginK < $1.marginK }
            let h =
                hot.map {
                    String(
                        format: "%@ %.1f °C (margin %.1f K)",
                        $0.name.split(separator: "/").dropFirst().joined(separator: "/"), $0.temperatureC, $0.marginK)
                } ?? ""
            out += String(
                format: "%-9@ %11.4f  %7.1f  %8.1f  %9.0f  %@\n", n.name, n.flowM3PerS, n.inletC, n.outletC, n.powerW, h
            )
        }
        out += String(
            format: "mass imbalance %.1e, energy error %.1e\n", s.balance.massImbalance, s.balance.energyError)
        out += "results: \(folder)/report.md\n"
        return out
    }

    /// A generic case's objects on the console: patches, boxes, planes, one line each.
    static func objectLines(_ o: ObjectSummary) -> String {
        func f(_ v: Double, _ d: Int) -> String { v.isFinite ? String(format: "%.\(d)f", v) : "–" }
        var out = ""
        for p in o.patches {
            out += "\(p.kind) \(p.name): \(f(p.flowM3PerS * 1000, 2)) L/s at \(f(p.temperatureC, 2)) °C, "
            out += "\(f(p.pressurePa, 2)) Pa\n"
        }
        for b in o.boxes where b.kind != "solid" {
            out += "\(b.kind) box \(b.name): \(f(b.flowM3PerS * 1000, 2)) L/s through it, "
            out += "air \(f(b.meanC, 2)) °C mean, "
            out += "\(f(b.maxC, 2)) °C hottest\n"
        }
        for p in o.planes where p.kind != "wall" {
            out += "\(p.kind) \(p.name): \(f(p.flowM3PerS * 1000, 2)) L/s along +\(p.axis), "
            out += "pressure drop \(f(p.pressureDropPa, 2)) Pa\n"
        }
        return out
    }
}

/// Where log lines go (the CLI's run log).
public protocol TextOutputStreamLike { mutating func say(_ s: String) }

/// Lines for a run's log.txt, echoed to stderr when wanted.
public struct RunLog: TextOutputStreamLike {
    public var echo: Bool
    public var text = ""
    public init(echo: Bool) { self.echo = echo }
    public mutating func say(_ s: String) {
        text += s + "\n"
        if echo { FileHandle.standardError.write((s + "\n").data(using: .utf8)!) }
    }
}

/// Nearest-cell resampling of a non-uniform grid onto a uniform one (for VTK image data).
public enum Resample {
    public static func uniform(_ g: Grid, spacingM h: Double) -> (Grid, [Int]) {
        let axes = (0..<3).map { a -> Axis in
            let ax = g.axis(a)
            return Axis.uniform(max(1, Int((ax.length / h).rounded())), from: ax.lower, to: ax.upper)
        }
        let ug = Grid(x: axes[0], y: axes[1], z: axes[2])
        let idx = (0..<3).map { a in axes[a].centres.map { g.axis(a).cell(containing: $0) } }
        var map = [Int](repeating: 0, count: ug.cellCount)
        for k in 0..<ug.nz {
            for j in 0..<ug.ny {
                for i in 0..<ug.nx {
                    map[ug.index(i, j, k)] = g.index(idx[0][i], idx[1][j], idx[2][k])
                }
            }
        }
        return (ug, map)
    }
}
