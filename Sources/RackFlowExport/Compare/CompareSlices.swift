import Foundation
import RackFlowNumerics
import RackFlowPhysics
import RackFlowModel

/// A picture of a comparison: which layout (or difference), plane and quantity.
public struct ComparePicture: Sendable {
    public var file: String
    public var caption: String
    public var plane: String
    public var quantity: String
    public var layout: String
}

/// The comparison's heatmaps: the same planes for every layout (the first layout's rack planes),
/// temperature and speed each on one colour range across all layouts, and the temperature
/// difference of every other layout minus the first on a blue–white–red range symmetric about
/// zero. Each layout's grid has lines at its own parts, so the difference samples the other
/// layout at the centres of the first layout's cells (solid in either: masked).
public enum CompareSlices {
    /// Blue (cooler than the first layout) – white (same) – red (warmer).
    public static let difference = Colormap(
        name: "difference",
        stops: [
            Colormap.Stop(0.0, RGBA(30, 60, 170)),
            Colormap.Stop(0.25, RGBA(120, 160, 230)),
            Colormap.Stop(0.5, RGBA(255, 255, 255)),
            Colormap.Stop(0.75, RGBA(240, 150, 110)),
            Colormap.Stop(1.0, RGBA(180, 30, 20)),
        ])

    /// A file-name-safe form of a layout name.
    public static func safe(_ s: String) -> String {
        String(s.map { $0.isLetter || $0.isNumber || $0 == "." || $0 == "_" || $0 == "-" ? $0 : "-" })
    }

    public static func write(
        runs: [SteadyRun], names: [String], planes: [SlicePlane], to dir: URL
    ) throws -> [ComparePicture] {
        precondition(runs.count == names.count && !runs.isEmpty)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let grids = runs.map { $0.solver.flow.grid }
        func masked(_ r: SteadyRun, _ v: [Double]) -> [Double] {
            zip(v, r.solver.flow.tags.cells).map { $1 == .solid ? .nan : $0 }
        }
        let temps = runs.map { masked($0, $0.solver.temperature.array) }
        let speeds = runs.map { r in
            masked(r, VTKWriter.flowFields(r.solver).cellData.first { $0.name == "speed" }!.values)
        }
        // Ranges over the pictured planes of every layout, so equal colours mean equal values.
        func cuts(_ i: Int, _ f: [Double]) -> [Double] { planes.flatMap { Slices.cut(grids[i], f, plane: $0).values } }
        // From the air alone: solids and porous parts are hatched and would wash out the scale.
        let hatch = runs.map { Slices.notAir($0.solver) }
        func air(_ i: Int, _ f: [Double]) -> [Double] { zip(f, hatch[i]).map { $1 ? .nan : $0 } }
        let tr = Slices.range(runs.indices.flatMap { cuts($0, air($0, temps[$0])) })
        let sr = 0...max(Slices.range(runs.indices.flatMap { cuts($0, air($0, speeds[$0])) }).upperBound, 1e-6)
        var out: [ComparePicture] = []
        for p in planes {
            for (i, r) in runs.enumerated() {
                let (ol, sg) = Slices.overlays(r.genericCase, plane: p)
                for (q, vals, unit, cmap, range) in [
                    ("temperature", temps[i], "T (°C)", Colormap.thermal, tr),
                    ("speed", speeds[i], "speed (m/s)", Colormap.viridis, sr),
                ] {
                    let c = Slices.cut(grids[i], vals, plane: p)
                    var plot = SlicePlot(
                        uEdges: c.u, vEdges: c.v, values: c.values, title: "\(names[i]): \(q), \(p.caption)",
                        quantity: unit, uName: Slices.axisName[p.axes.0], vName: Slices.axisName[p.axes.1],
                        colormap: cmap, range: range)
                    plot.outlines = ol
                    plot.segments = sg
                    plot.hatched = Slices.cut(grids[i], hatch[i].map { $0 ? 1 : 0 }, plane: p).values.map { $0 != 0 }
                    let file = "\(q)-\(p.name)-\(safe(names[i])).png"
                    try plot.write(to: dir.appendingPathComponent(file))
                    out.append(
                        ComparePicture(
                            file: file, caption: "\(names[i]): \(q), \(p.caption)", plane: p.name, quantity: q,
                            layout: names[i]))
                }
            }
            let base = Slices.cut(grids[0], temps[0], plane: p)
            for i in runs.indices.dropFirst() {
                let other = sample(grids[i], temps[i], atCellsOf: grids[0], plane: p)
                let d = zip(other, base.values).map { $0 - $1 }
                let m = max(d.filter(\.isFinite).map(abs).max() ?? 0, 0.1)
                let (ol, sg) = Slices.overlays(runs[i].genericCase, plane: p)
                var plot = SlicePlot(
                    uEdges: base.u, vEdges: base.v, values: d,
                    title: "\(names[i]) minus \(names[0]): temperature, \(p.caption)", quantity: "T diff (K)",
                    uName: Slices.axisName[p.axes.0], vName: Slices.axisName[p.axes.1], colormap: difference,
                    range: -m...m)
                plot.outlines = ol
                plot.segments = sg
                plot.hatched = Slices.cut(grids[0], hatch[0].map { $0 ? 1 : 0 }, plane: p).values.map { $0 != 0 }
                let file = "temperature-difference-\(p.name)-\(safe(names[i]))-minus-\(safe(names[0])).png"
                try plot.write(to: dir.appendingPathComponent(file))
                out.append(
                    ComparePicture(
                        file: file, caption: "\(names[i]) minus \(names[0]): temperature difference, \(p.caption)",
                        plane: p.name, quantity: "temperature difference", layout: "\(names[i]) − \(names[0])"))
            }
        }
        return out
    }

    /// Values of a field on grid `g`, at the centres of the cells of `target` that plane `p`
    /// cuts, in the order of `Slices.cut` on `target` (u fastest).
    static func sample(_ g: Grid, _ values: [Double], atCellsOf target: Grid, plane p: SlicePlane) -> [Double] {
        let (a, b) = p.axes
        let ua = target.axis(a).centres.map { g.axis(a).cell(containing: $0) }
        let vb = target.axis(b).centres.map { g.axis(b).cell(containing: $0) }
        let m = g.axis(p.normal).cell(containing: p.positionM)
        var out: [Double] = []
        out.reserveCapacity(ua.count * vb.count)
        for j in vb {
            for i in ua {
                var idx = [0, 0, 0]
                idx[p.normal] = m
                idx[a] = i
                idx[b] = j
                out.append(values[g.index(idx[0], idx[1], idx[2])])
            }
        }
        return out
    }
}
