import Foundation
import RackFlowNumerics
import RackFlowPhysics
import RackFlowModel

/// An axis-normal picture plane through the domain.
public struct SlicePlane: Sendable {
    public var name: String
    /// 0: x-normal (y–z picture), 1: y-normal (x–z), 2: z-normal (x–y).
    public var normal: Int
    public var positionM: Double
    public var caption: String
    public init(name: String, normal: Int, positionM: Double, caption: String) {
        self.name = name
        self.normal = normal
        self.positionM = positionM
        self.caption = caption
    }
    /// The picture's (u, v) axes: the two other axes in order.
    public var axes: (Int, Int) { SIMD3<Int>.transverse(normal) }
}

/// Cuts cell fields along a plane and draws them with the parts' outlines and the thin walls,
/// sheets and fans that cross the plane.
public enum Slices {
    static let axisName = ["x (m)", "y (m)", "z (m)"]

    /// The three standard pictures of a rack: side-to-side through the GPU fin stacks, front-to-
    /// back through the middle GPU, and across one node at card height.
    public static func rackPlanes(_ l: RackLayout) -> [SlicePlane] {
        [
            SlicePlane(
                name: "front-to-back", normal: 0, positionM: l.sliceX,
                caption: String(
                    format: "front-to-back section at x = %.3f m (through a GPU of the middle node)", l.sliceX)),
            SlicePlane(
                name: "side-to-side", normal: 1, positionM: l.sliceY,
                caption: String(format: "side-to-side section at y = %.3f m (through the GPU fin stacks)", l.sliceY)),
            SlicePlane(
                name: "node-plan", normal: 2, positionM: l.sliceZ,
                caption: String(format: "plan of the middle node at z = %.3f m (card height)", l.sliceZ)),
        ]
    }

    /// Planes through the middle of the domain for cases without a rack layout.
    public static func centrePlanes(_ g: Grid) -> [SlicePlane] {
        (0..<3).map { a in
            let mid = 0.5 * (g.axis(a).lower + g.axis(a).upper)
            return SlicePlane(
                name: ["x", "y", "z"][a] + "-mid", normal: a, positionM: mid,
                caption: String(format: "section at %@ = %.3f m", ["x", "y", "z"][a], mid))
        }
    }

    /// Edges along u and v, and the values of the cells the plane cuts (u fastest).
    public static func cut(
        _ g: Grid, _ values: [Double], plane p: SlicePlane
    ) -> (u: [Double], v: [Double], values: [Double]) {
        let (a, b) = p.axes
        let m = g.axis(p.normal).cell(containing: p.positionM)
        let nu = g.axis(a).count, nv = g.axis(b).count
        var out = [Double](repeating: 0, count: nu * nv)
        for j in 0..<nv {
            for i in 0..<nu {
                var idx = [0, 0, 0]
                idx[p.normal] = m
                idx[a] = i
                idx[b] = j
                out[i + nu * j] = values[g.index(idx[0], idx[1], idx[2])]
            }
        }
        return (g.axis(a).faces, g.axis(b).faces, out)
    }

    /// Box outlines and plane segments of a case that the slice plane crosses.
    public static func overlays(_ gc: GenericCase, plane p: SlicePlane) -> ([SliceOutline], [SliceSegment]) {
        let (a, b) = p.axes, n = p.normal, x = p.positionM
        var outlines: [SliceOutline] = []
        for bx in gc.boxes {
            let lo = [bx.lo.0, bx.lo.1, bx.lo.2], hi = [bx.hi.0, bx.hi.1, bx.hi.2]
            guard lo[n] < x && x < hi[n] else { continue }
            let short = bx.name.split(separator: "/").last.map(String.init)
            let label = ["fins", "cpu-fins", "psu", "nic"].contains(short ?? "") ? labelFor(bx.name) : nil
            outlines.append(SliceOutline(u: lo[a]...hi[a], v: lo[b]...hi[b], label: label))
        }
        var segments: [SliceSegment] = []
        let size = [gc.size.0, gc.size.1, gc.size.2]
        for pl in gc.planes where pl.axis != n {
            let other = [(pl.axis + 1) % 3, (pl.axis + 2) % 3].sorted()
            let lo: [Double] = pl.lo.map { [$0.0, $0.1] } ?? [0, 0]
            let hi: [Double] = pl.hi.map { [$0.0, $0.1] } ?? [size[other[0]], size[other[1]]]
            // The plane's extent along the slice normal must contain the slice.
            let ni = other.firstIndex(of: n)!
            guard lo[ni] <= x && x <= hi[ni] else { continue }
            let style: SliceSegment.Style
            switch pl.kind {
            case .wall: style = .wall
            case .sheet: style = .sheet
            case .fan: style = .fan
            }
            let s0 = lo[1 - ni], s1 = hi[1 - ni]
            if pl.axis == a { // a line at u = position, running along v
                segments.append(SliceSegment(from: (pl.position, s0), to: (pl.position, s1), style: style))
            } else { // a line at v = position, running along u
                segments.append(SliceSegment(from: (s0, pl.position), to: (s1, pl.position), style: style))
            }
        }
        return (outlines, segments)
    }

    static func labelFor(_ name: String) -> String {
        let parts = name.split(separator: "/")
        if parts.count >= 2 && parts.last == "fins" { return String(parts[parts.count - 2]) }
        if parts.last == "cpu-fins" { return "cpu" }
        return String(parts.last ?? "")
    }

    /// Temperature and speed pictures on each plane; returns the files written (relative names).
    public static func writeFields(
        _ s: FlowSolver, _ gc: GenericCase, planes: [SlicePlane], to dir: URL
    ) throws -> [(file: String, caption: String)] {
        let g = s.flow.grid
        let solid = s.flow.tags.cells.map { $0 == .solid }
        let hatch = notAir(s)
        let fields = VTKWriter.flowFields(s)
        let speed = fields.cellData.first { $0.name == "speed" }!.values
        let temperature = s.temperature.array
        func masked(_ v: [Double]) -> [Double] { zip(v, solid).map { $1 ? .nan : $0 } }
        let tMasked = masked(temperature), sMasked = masked(speed)
        // One range per quantity across all planes, so the pictures compare; from the air alone.
        let tr = airRange(temperature, hatch), sr = 0...max(airRange(speed, hatch).upperBound, 1e-6)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        var written: [(String, String)] = []
        for p in planes {
            let (ol, sg) = overlays(gc, plane: p)
            for (q, vals, unit, cmap, r) in [
                ("temperature", tMasked, "T (°C)", Colormap.thermal, tr),
                ("speed", sMasked, "speed (m/s)", Colormap.viridis, sr),
            ] {
                let c = cut(g, vals, plane: p)
                var plot = SlicePlot(
                    uEdges: c.u, vEdges: c.v, values: c.values, title: "\(gc.name): \(q), \(p.caption)",
                    quantity: unit, uName: axisName[p.axes.0], vName: axisName[p.axes.1], colormap: cmap, range: r)
                plot.outlines = ol
                plot.segments = sg
                plot.hatched = cut(g, hatch.map { $0 ? 1 : 0 }, plane: p).values.map { $0 != 0 }
                let file = "\(q)-\(p.name).png"
                try plot.write(to: dir.appendingPathComponent(file))
                written.append((file, "\(q), \(p.caption)"))
            }
        }
        return written
    }

    /// Geometry pictures (cell tags, thin objects, grid lines) for `rackflow mesh`.
    public static func writeGeometry(
        grid g: Grid, tags: GridTags, _ gc: GenericCase, planes: [SlicePlane], to dir: URL
    ) throws -> [String] {
        let codes = tags.cells.map { Double($0.rawValue) }
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        var written: [String] = []
        for p in planes {
            let c = cut(g, codes, plane: p)
            let (ol, sg) = overlays(gc, plane: p)
            var plot = CategoryPlot(
                uEdges: c.u, vEdges: c.v, codes: c.values.map { Int($0) },
                title: "\(gc.name): grid and geometry, \(p.caption)",
                uName: axisName[p.axes.0], vName: axisName[p.axes.1])
            plot.outlines = ol.map { SliceOutline(u: $0.u, v: $0.v, label: nil) }
            plot.segments = sg
            plot.drawGridLines = true
            let file = "geometry-\(p.name).png"
            try plot.write(to: dir.appendingPathComponent(file))
            written.append(file)
        }
        return written
    }

    /// Cells that are not air (solid or porous): drawn hatched, and kept out of colour ranges.
    public static func notAir(_ s: FlowSolver) -> [Bool] { s.flow.tags.cells.map { $0 != .fluid } }

    /// The range of `v` over the air cells (`notAir` false).
    static func airRange(_ v: [Double], _ notAir: [Bool]) -> ClosedRange<Double> {
        range(zip(v, notAir).map { $1 ? .nan : $0 })
    }

    static func range(_ v: [Double]) -> ClosedRange<Double> {
        var lo = Double.infinity, hi = -Double.infinity
        for x in v where x.isFinite {
            lo = min(lo, x)
            hi = max(hi, x)
        }
        if !(lo < hi) { return lo.isFinite ? (lo - 1)...(lo + 1) : 0...1 }
        return lo...hi
    }
}
