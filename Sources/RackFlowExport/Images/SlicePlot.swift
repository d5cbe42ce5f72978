import Foundation

/// An axis-aligned rectangle on a slice (a part's outline), in metres, with an optional
/// short label drawn inside it when it fits.
public struct SliceOutline: Sendable {
    public var u: ClosedRange<Double>
    public var v: ClosedRange<Double>
    public var label: String?
    public init(u: ClosedRange<Double>, v: ClosedRange<Double>, label: String? = nil) {
        self.u = u
        self.v = v
        self.label = label
    }
}

/// A line segment on a slice, in metres: a thin wall, sheet or fan lying on cell faces.
public struct SliceSegment: Sendable {
    public enum Style: Sendable {
        /// Solid black, 2 px.
        case wall
        /// Perforated sheet or mesh: dashed, 2 px.
        case sheet
        /// Fan plane: red, 3 px.
        case fan
    }
    public var from: (u: Double, v: Double)
    public var to: (u: Double, v: Double)
    public var style: Style
    public init(from: (u: Double, v: Double), to: (u: Double, v: Double), style: Style) {
        self.from = from
        self.to = to
        self.style = style
    }
}

/// One class of a categorical picture: cells whose code is `code` are drawn in `color`
/// and listed in the legend as `name`.
public struct SliceCategory: Sendable {
    public var code: Int
    public var name: String
    public var color: RGBA
    public init(code: Int, name: String, color: RGBA) {
        self.code = code
        self.name = name
        self.color = color
    }

    /// The cell tags of `CellTag` (fluid 0, solid 1, porous 2).
    public static let cellTags = [
        SliceCategory(code: 0, name: "fluid", color: .white),
        SliceCategory(code: 1, name: "solid", color: RGBA(80, 80, 80)),
        SliceCategory(code: 2, name: "porous", color: RGBA(210, 180, 140)),
    ]
}

/// Where things landed in a rendered picture, for callers that annotate it and for tests.
public struct SliceLayout: Sendable {
    public var imageWidth: Int
    public var imageHeight: Int
    /// The field: cell colours only, the frame is drawn just outside it.
    public var field: PixelRect
    /// The band the title is centred in.
    public var title: PixelRect
    /// The colour bar's coloured pixels (scalar plots); row 0 is the top of the range.
    public var colorBar: PixelRect?
    /// The legend's box (categorical plots).
    public var legend: PixelRect?
    /// The colour range used (scalar plots).
    public var range: ClosedRange<Double>?
    /// Left edge of the right-hand panel.
    let panelX: Int
    let u0: Double, u1: Double, v0: Double, v1: Double

    /// Pixel column of the boundary at `u` (the first column at or right of it).
    public func x(u: Double) -> Int { field.x + Int(((u - u0) / (u1 - u0) * Double(field.width)).rounded()) }
    /// Pixel row of the boundary at `v` (v grows upward, rows downward).
    public func y(v: Double) -> Int { field.y + Int(((v1 - v) / (v1 - v0) * Double(field.height)).rounded()) }
}

/// A heatmap of one scalar on a plane through the grid, for people: title, axes in metres,
/// colour bar with units, part outlines and thin walls. Each pixel shows the cell holding
/// its centre (no smoothing), so a sharp change stays sharp.
public struct SlicePlot: Sendable {
    /// nu + 1 increasing cell edges along the horizontal axis, metres.
    public var uEdges: [Double]
    /// nv + 1 increasing cell edges along the vertical axis, metres (v grows upward).
    public var vEdges: [Double]
    /// nu × nv values, index `iu + nu * iv`; NaN marks masked cells (solid), drawn grey.
    public var values: [Double]
    public var title: String
    /// The colour bar's label with its unit, e.g. "T (°C)".
    public var quantity: String
    public var uName: String
    public var vName: String
    public var colormap: Colormap
    /// Fixed colour range; nil takes the finite values' min and max.
    public var range: ClosedRange<Double>?
    public var outlines: [SliceOutline] = []
    public var segments: [SliceSegment] = []
    /// Cells drawn hatched (solids, porous parts): nu × nv flags, or empty for none. Their values
    /// stay out of the automatic colour range, so that a heat sink at 80 °C does not wash out
    /// air that peaks at 44 °C; a value outside the range is drawn at its end, under the hatching.
    public var hatched: [Bool] = []
    /// Light grey lines on every cell edge.
    public var drawGridLines = false
    /// Pixels along the field's longer side; the other follows the physical aspect ratio.
    public var longSide = 900
    /// Text size in font pixels per image pixel (2: 12 px per character).
    public var fontScale = 2
    /// Draw the field square, whatever its axes span: a map over two quantities of different
    /// units (a sweep's margin map), where the physical aspect ratio means nothing.
    public var square = false

    public init(
        uEdges: [Double], vEdges: [Double], values: [Double], title: String, quantity: String,
        uName: String, vName: String, colormap: Colormap = .thermal, range: ClosedRange<Double>? = nil
    ) {
        self.uEdges = uEdges
        self.vEdges = vEdges
        self.values = values
        self.title = title
        self.quantity = quantity
        self.uName = uName
        self.vName = vName
        self.colormap = colormap
        self.range = range
    }

    /// The colour range: `range` checked, or the data's; a constant field is widened a little.
    public func resolvedRange() throws -> ClosedRange<Double> {
        var lo: Double, hi: Double
        if let r = range {
            (lo, hi) = (r.lowerBound, r.upperBound)
            guard lo.isFinite, hi.isFinite else { throw ExportError.badColourRange(lower: lo, upper: hi) }
        } else {
            lo = .infinity
            hi = -.infinity
            for (c, x) in values.enumerated() where x.isFinite && !(c < hatched.count && hatched[c]) {
                lo = min(lo, x)
                hi = max(hi, x)
            }
            guard lo <= hi else { throw ExportError.noFiniteValues(field: title) }
        }
        if hi - lo <= 1e-12 * max(1, abs(lo)) {
            if lo == 0 {
                hi = 1
            } else {
                let d = 0.05 * abs(lo)
                lo -= d
                hi += d
            }
        }
        return lo...hi
    }

    public func layout() throws -> SliceLayout {
        try renderer().layout
    }

    public func render() throws -> PNGImage {
        let r = try renderer()
        let range = r.layout.range!
        let span = range.upperBound - range.lowerBound
        let colors = values.map { colormap.color(at: ($0 - range.lowerBound) / span) }
        return r.draw(cellColors: colors) { img, L in
            let bar = L.colorBar!
            for row in 0..<bar.height {
                let t = bar.height > 1 ? 1 - Double(row) / Double(bar.height - 1) : 1
                img.fillRect(x: bar.x, y: bar.y + row, width: bar.width, height: 1, color: colormap.color(at: t))
            }
            img.strokeRect(x: bar.x - 1, y: bar.y - 1, width: bar.width + 2, height: bar.height + 2, color: .ink)
            let s = fontScale
            img.drawText(quantity, x: bar.x, y: L.field.y, color: .ink, scale: s)
            let ticks = SliceRenderer.ticks(
                lo: range.lowerBound, hi: range.upperBound, pixels: bar.height, scale: s, horizontal: false)
            for (t, label) in ticks {
                let y = bar.y + Int(((range.upperBound - t) / span * Double(bar.height - 1)).rounded())
                img.fillRect(x: bar.maxX + 1, y: y, width: SliceRenderer.tickLength(s), height: 1, color: .ink)
                img.drawText(
                    label, x: bar.maxX + 1 + SliceRenderer.tickLength(s) + 2 * s,
                    y: y - BitmapFont.height(scale: s) / 2 + s,
                    color: .ink, scale: s)
            }
        }
    }

    /// Renders and writes the PNG atomically.
    public func write(to url: URL) throws {
        try render().write(to: url)
    }

    private func renderer() throws -> SliceRenderer {
        let range = try resolvedRange()
        let s = max(1, fontScale)
        guard hatched.isEmpty || hatched.count == values.count else {
            throw ExportError.sliceSizeMismatch(
                field: title + " (hatched cells)", expected: values.count,
                actual: hatched.count)
        }
        return try SliceRenderer(
            uEdges: uEdges, vEdges: vEdges, count: values.count, name: title, title: title, uName: uName, vName: vName,
            outlines: outlines, segments: segments, gridLines: drawGridLines, longSide: longSide, scale: s,
            hatched: hatched, square: square
        ) { fieldHeight in
            // Quantity label above the bar; the bar fills the rest of the field's height.
            let labelH = BitmapFont.height(scale: s) + 4 * s
            let barH = max(fieldHeight - labelH, 60 * s)
            let ticks = SliceRenderer.ticks(
                lo: range.lowerBound, hi: range.upperBound, pixels: barH, scale: s, horizontal: false)
            let labelW = ticks.map { BitmapFont.width($0.label, scale: s) }.max() ?? 0
            let barW = 10 * s
            let width = max(
                barW + 1 + SliceRenderer.tickLength(s) + 2 * s + labelW, BitmapFont.width(quantity, scale: s))
            return (
                width, labelH + barH,
                { L in
                    L.colorBar = PixelRect(x: L.panelX, y: L.field.y + labelH, width: barW, height: barH)
                    L.range = range
                }
            )
        }
    }
}
