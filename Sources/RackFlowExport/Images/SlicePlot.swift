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
            guard lo.isFinite, hi.isFinite else { throw ImageError.badRange(lower: lo, upper: hi) }
        } else {
            lo = .infinity
            hi = -.infinity
            for (c, x) in values.enumerated() where x.isFinite && !(c < hatched.count && hatched[c]) {
                lo = min(lo, x)
                hi = max(hi, x)
            }
            guard lo <= hi else { throw ImageError.noFiniteValues(field: title) }
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
            throw ImageError.sizeMismatch(
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

/// A categorical picture of a slice (tagged geometry): each cell's integer code is drawn in
/// its category's colour, with a legend instead of a colour bar. Grid lines on by default.
public struct CategoryPlot: Sendable {
    public var uEdges: [Double]
    public var vEdges: [Double]
    /// nu × nv codes, index `iu + nu * iv`.
    public var codes: [Int]
    public var categories: [SliceCategory]
    public var title: String
    public var uName: String
    public var vName: String
    public var outlines: [SliceOutline] = []
    public var segments: [SliceSegment] = []
    public var drawGridLines = true
    public var longSide = 900
    public var fontScale = 2
    /// Colour of codes with no category; loud, so a tagging bug shows.
    public var unknownColor = RGBA(255, 0, 255)

    public init(
        uEdges: [Double], vEdges: [Double], codes: [Int], categories: [SliceCategory] = SliceCategory.cellTags,
        title: String, uName: String, vName: String
    ) {
        self.uEdges = uEdges
        self.vEdges = vEdges
        self.codes = codes
        self.categories = categories
        self.title = title
        self.uName = uName
        self.vName = vName
    }

    public func layout() throws -> SliceLayout { try renderer().layout }

    public func render() throws -> PNGImage {
        var lookup: [Int: RGBA] = [:]
        for c in categories { lookup[c.code] = c.color }
        let colors = codes.map { lookup[$0] ?? unknownColor }
        let s = max(1, fontScale)
        return try renderer().draw(cellColors: colors) { img, L in
            let box = L.legend!
            let sw = BitmapFont.height(scale: s), rowH = sw + 4 * s
            for (i, c) in categories.enumerated() {
                let y = box.y + i * rowH
                img.fillRect(x: box.x, y: y, width: sw, height: sw, color: c.color)
                img.strokeRect(x: box.x, y: y, width: sw, height: sw, color: .ink)
                img.drawText(c.name, x: box.x + sw + 3 * s, y: y, color: .ink, scale: s)
            }
        }
    }

    public func write(to url: URL) throws {
        try render().write(to: url)
    }

    private func renderer() throws -> SliceRenderer {
        let s = max(1, fontScale)
        let sw = BitmapFont.height(scale: s), rowH = sw + 4 * s
        let nameW = categories.map { BitmapFont.width($0.name, scale: s) }.max() ?? 0
        let width = sw + 3 * s + nameW, height = max(1, categories.count * rowH - 4 * s)
        return try SliceRenderer(
            uEdges: uEdges, vEdges: vEdges, count: codes.count, name: title, title: title, uName: uName, vName: vName,
            outlines: outlines, segments: segments, gridLines: drawGridLines, longSide: longSide, scale: s,
            hatched: []
        ) { _ in
            (
                width, height,
                { L in
                    L.legend = PixelRect(x: L.panelX, y: L.field.y, width: width, height: height)
                }
            )
        }
    }
}

/// The parts of a slice picture shared by scalar and categorical plots: layout, the field,
/// overlays, axes and title. The right-hand panel (colour bar or legend) is the caller's.
struct SliceRenderer {
    let uEdges: [Double], vEdges: [Double]
    let title: String, uName: String, vName: String
    let outlines: [SliceOutline], segments: [SliceSegment]
    let gridLines: Bool
    let scale: Int
    let hatched: [Bool]
    /// The title broken into lines no wider than the picture's content.
    let titleLines: [String]
    let vNameAcross: Bool
    let uTicks: [(value: Double, label: String)], vTicks: [(value: Double, label: String)]
    let layout: SliceLayout

    static func tickLength(_ s: Int) -> Int { 3 * s + 1 }
    static func lineGap(_ s: Int) -> Int { 2 * s }

    /// `text` broken into lines at most `width` pixels wide: at ", " where a whole phrase fits
    /// (a caption reads as its phrases), else at spaces; a word longer than that stands alone.
    static func wrap(_ text: String, width: Int, scale s: Int) -> [String] {
        func fits(_ t: String) -> Bool { BitmapFont.width(t, scale: s) <= width }
        var lines: [String] = []
        var current = ""
        for (n, phrase) in text.components(separatedBy: ", ").enumerated() {
            let piece = n == 0 ? phrase : ", " + phrase
            if fits(current + piece) {
                current += piece
                continue
            }
            if !current.isEmpty {
                lines.append(current + (n == 0 ? "" : ","))
                current = ""
            }
            for word in phrase.split(separator: " ", omittingEmptySubsequences: false) {
                let candidate = current.isEmpty ? String(word) : current + " " + word
                if current.isEmpty || fits(candidate) {
                    current = candidate
                } else {
                    lines.append(current)
                    current = String(word)
                }
            }
        }
        lines.append(current)
        return lines
    }

    /// `panel(fieldHeight)` gives the right panel's width, minimum height and a hook that
    /// places it in the layout.
    init(
        uEdges: [Double], vEdges: [Double], count: Int, name: String, title: String, uName: String, vName: String,
        outlines: [SliceOutline], segments: [SliceSegment], gridLines: Bool, longSide: Int, scale s: Int,
        hatched: [Bool], square: Bool = false,
        panel: (Int) -> (width: Int, height: Int, place: (inout SliceLayout) -> Void)
    ) throws {
        for (axis, e) in [("u", uEdges), ("v", vEdges)] {
            guard e.count >= 2 else {
                throw ImageError.badGrid(
                    "\(axis) axis has \(e.count) edges; a slice needs at least one cell (two edges) per axis")
            }
            guard e.allSatisfy(\.isFinite) else { throw ImageError.badGrid("\(axis) axis has a non-finite edge") }
            for i in 1..<e.count where !(e[i] > e[i - 1]) {
                throw ImageError.badGrid(
                    "\(axis) edges must increase strictly, but edge \(i) is \(e[i]) after \(e[i - 1])")
            }
        }
        let nu = uEdges.count - 1, nv = vEdges.count - 1
        guard count == nu * nv else { throw ImageError.sizeMismatch(field: name, expected: nu * nv, actual: count) }
        guard longSide >= 16, longSide <= 20_000 else { throw ImageError.badSize(width: longSide, height: longSide) }
        self.uEdges = uEdges
        self.vEdges = vEdges
        self.title = title
        self.uName = uName
        self.vName = vName
        self.outlines = outlines
        self.segments = segments
        self.gridLines = gridLines
        self.scale = s
        self.hatched = hatched

        let (u0, u1, v0, v1) = (uEdges.first!, uEdges.last!, vEdges.first!, vEdges.last!)
        let lu = u1 - u0, lv = v1 - v0
        let pxPerM = Double(longSide) / max(lu, lv)
        let W = square ? longSide : max(1, Int((lu * pxPerM).rounded()))
        let H = square ? longSide : max(1, Int((lv * pxPerM).rounded()))

        let ch = BitmapFont.height(scale: s), pad = 6 * s, tick = Self.tickLength(s)
        let vt = Self.ticks(lo: v0, hi: v1, pixels: H, scale: s, horizontal: false)
        let ut = Self.ticks(lo: u0, hi: u1, pixels: W, scale: s, horizontal: true)
        let vLabelW = vt.map { BitmapFont.width($0.label, scale: s) }.max() ?? 0
        // A name longer than a flat field is high is written across, not up.
        let vNameW = BitmapFont.width(vName, scale: s)
        vNameAcross = vNameW > H
        let left = pad + (vNameAcross ? vNameW : ch) + pad + vLabelW + 2 * s + tick + 1
        let bottom = 1 + tick + 2 * s + ch + pad + ch + pad
        let p = panel(H)
        // Clear of the last u label, which hangs past the field when the panel reaches down to it.
        let gap = max(10 * s, (ut.last.map { BitmapFont.width($0.label, scale: s) } ?? 0) / 2 + 6 * s)
        let contentW = left + W + 1 + gap + p.width + 2 * pad
        // The picture sets the width and the title wraps to it (a long caption once made the
        // image twice as wide as the plot, which sat on the left).
        titleLines = Self.wrap(title, width: contentW - 2 * pad, scale: s)
        let titleW = titleLines.map { BitmapFont.width($0, scale: s) }.max() ?? 0
        let width = max(contentW, titleW + 2 * pad)
        let titleH = titleLines.count * ch + (titleLines.count - 1) * Self.lineGap(s)
        let top = pad + titleH + 2 * pad
        let height = top + max(H, p.height) + bottom
        guard width <= 30_000, height <= 30_000 else { throw ImageError.badSize(width: width, height: height) }
        var L = SliceLayout(
            imageWidth: width, imageHeight: height,
            field: PixelRect(x: left, y: top, width: W, height: H),
            title: PixelRect(x: 0, y: pad, width: width, height: titleH),
            colorBar: nil, legend: nil, range: nil, panelX: left + W + 1 + gap, u0: u0, u1: u1, v0: v0, v1: v1)
        p.place(&L)
        layout = L
        uTicks = ut
        vTicks = vt
    }

    func draw(cellColors: [RGBA], panel: (inout PNGImage, SliceLayout) -> Void) -> PNGImage {
        let L = layout, f = L.field, s = scale
        var img = PNGImage(width: L.imageWidth, height: L.imageHeight)
        fillField(&img, cellColors)

        img.clip = f
        if gridLines {
            for u in uEdges.dropFirst().dropLast() {
                let x = min(L.x(u: u), f.maxX - 1)
                img.fillRect(x: x, y: f.y, width: 1, height: f.height, color: .lightGrey)
            }
            for v in vEdges.dropFirst().dropLast() {
                let y = min(L.y(v: v), f.maxY - 1)
                img.fillRect(x: f.x, y: y, width: f.width, height: 1, color: .lightGrey)
            }
        }
        for o in outlines {
            let xa = L.x(u: o.u.lowerBound), xb = L.x(u: o.u.upperBound), ya = L.y(v: o.v.upperBound),
                yb = L.y(v: o.v.lowerBound)
            img.strokeRect(x: xa, y: ya, width: max(1, xb - xa), height: max(1, yb - ya), color: RGBA(40, 40, 40))
            // Labels at the picture's text size or not at all: half size was 6 px tall, unreadable.
            if let label = o.label, !label.isEmpty,
                BitmapFont.width(label, scale: s) + 6 <= xb - xa, BitmapFont.height(scale: s) + 6 <= yb - ya
            {
                img.drawTextWithHalo(label, x: xa + 3, y: ya + 3, color: .ink, halo: .white, scale: s)
            }
        }
        for g in segments {
            let (xa, ya, xb, yb) = (L.x(u: g.from.u), L.y(v: g.from.v), L.x(u: g.to.u), L.y(v: g.to.v))
            switch g.style {
            case .wall: img.line(x0: xa, y0: ya, x1: xb, y1: yb, color: .black, thickness: 2)
            case .sheet:
                img.dashedLine(
                    x0: xa, y0: ya, x1: xb, y1: yb, color: .ink, thickness: 2, dash: 6 * s / 2, gap: 4 * s / 2)
            case .fan: img.line(x0: xa, y0: ya, x1: xb, y1: yb, color: .red, thickness: 3)
            }
        }
        img.clip = nil

        img.strokeRect(x: f.x - 1, y: f.y - 1, width: f.width + 2, height: f.height + 2, color: .ink)
        let ch = BitmapFont.height(scale: s), tick = Self.tickLength(s)
        for (u, label) in uTicks {
            let x = min(L.x(u: u), f.maxX - 1)
            img.fillRect(x: x, y: f.maxY + 1, width: 1, height: tick, color: .ink)
            img.drawText(
                label, x: x - BitmapFont.width(label, scale: s) / 2, y: f.maxY + 1 + tick + 2 * s, color: .ink, scale: s
            )
        }
        for (v, label) in vTicks {
            let y = min(L.y(v: v), f.maxY - 1)
            img.fillRect(x: f.x - 1 - tick, y: y, width: tick, height: 1, color: .ink)
            img.drawText(
                label, x: f.x - 1 - tick - 2 * s - BitmapFont.width(label, scale: s), y: y - ch / 2 + s, color: .ink,
                scale: s)
        }
        let pad = 6 * s
        img.drawText(
            uName, x: f.x + (f.width - BitmapFont.width(uName, scale: s)) / 2,
            y: f.maxY + 1 + tick + 2 * s + ch + pad, color: .ink, scale: s)
        if vNameAcross {
            img.drawText(vName, x: pad, y: f.y + (f.height - ch) / 2, color: .ink, scale: s)
        } else {
            img.drawText(
                vName, x: pad, y: f.y + (f.height + BitmapFont.width(vName, scale: s)) / 2, color: .ink, scale: s,
                rotated: true)
        }
        for (n, line) in titleLines.enumerated() {
            img.drawText(
                line, x: (L.imageWidth - BitmapFont.width(line, scale: s)) / 2,
                y: L.title.y + n * (ch + Self.lineGap(s)), color: .ink, scale: s)
        }
        panel(&img, L)
        return img
    }

    /// Nearest cell per pixel: the cell index of each column and row is found once, so the
    /// pixel loop is two table reads and a 4-byte copy.
    private func fillField(_ img: inout PNGImage, _ colors: [RGBA]) {
        let f = layout.field, nu = uEdges.count - 1
        let (u0, u1, v0, v1) = (uEdges.first!, uEdges.last!, vEdges.first!, vEdges.last!)
        let col = (0..<f.width).map { px in Self.cell(u0 + (Double(px) + 0.5) / Double(f.width) * (u1 - u0), uEdges) }
        let row = (0..<f.height).map { py in Self.cell(v1 - (Double(py) + 0.5) / Double(f.height) * (v1 - v0), vEdges) }
        let W = img.width
        // Hatching: dark diagonal lines 1 px wide every `period` pixels over hatched cells.
        let period = 6 * scale
        let ink = RGBA(45, 45, 45)
        let hatch = hatched.isEmpty ? [Bool](repeating: false, count: colors.count) : hatched
        colors.withUnsafeBufferPointer { c in
            col.withUnsafeBufferPointer { col in
                hatch.withUnsafeBufferPointer { h in
                    img.pixels.withUnsafeMutableBufferPointer { p in
                        for py in 0..<f.height {
                            let base = nu * row[py], o = 4 * (f.x + W * (f.y + py))
                            for px in 0..<f.width {
                                let cell = base + col[px], q = o + 4 * px
                                let k = h[cell] && (px + py) % period == 0 ? ink : c[cell]
                                p[q] = k.r
                                p[q + 1] = k.g
                                p[q + 2] = k.b
                                p[q + 3] = k.a
                            }
                        }
                    }
                }
            }
        }
    }

    /// Index of the cell holding `x` among increasing `edges` (clamped to the ends).
    static func cell(_ x: Double, _ edges: [Double]) -> Int {
        var lo = 0, hi = edges.count - 1 // invariant: edges[lo] <= x < edges[hi]
        while hi - lo > 1 {
            let mid = (lo + hi) / 2
            if edges[mid] <= x { lo = mid } else { hi = mid }
        }
        return lo
    }

    /// Ticks at 1, 2, 5 × 10^k steps, the finest whose labels do not crowd `pixels`;
    /// on a short axis, packed closer rather than left with a single tick.
    static func ticks(
        lo: Double, hi: Double, pixels: Int, scale s: Int, horizontal: Bool
    ) -> [(value: Double, label: String)] {
        let roomy = ticks(lo: lo, hi: hi, pixels: pixels, scale: s, horizontal: horizontal, tight: false)
        return roomy.count >= 2
            ? roomy : ticks(lo: lo, hi: hi, pixels: pixels, scale: s, horizontal: horizontal, tight: true)
    }

    private static func ticks(
        lo: Double, hi: Double, pixels: Int, scale s: Int, horizontal: Bool, tight: Bool
    ) -> [(value: Double, label: String)] {
        let span = hi - lo
        guard span > 0, span.isFinite, pixels > 0 else { return [] }
        var exp = Int((log10(span) - 2).rounded(.down))
        var mult = 0
        let mults = [1.0, 2.0, 5.0]
        while true {
            let step = mults[mult] * pow(10, Double(exp))
            let first = Int((lo / step - 1e-9).rounded(.up)), last = Int((hi / step + 1e-9).rounded(.down))
            let decimals = max(0, -Int((log10(step) + 1e-9).rounded(.down)))
            let ticks = (first...max(first, last)).compactMap { k -> (Double, String)? in
                let v = Double(k) * step
                return k <= last ? (v, format(v, decimals: decimals)) : nil
            }
            let spacing = Double(pixels) * step / span
            let need =
                horizontal
                ? Double(
                    max(ticks.map { BitmapFont.width($0.1, scale: s) }.max() ?? 0, tight ? 0 : 30 * s) + (tight ? 4 : 8)
                        * s)
                : Double(BitmapFont.height(scale: s) + (tight ? 1 : 16) * s)
            if ticks.count <= 1 || spacing >= need { return ticks }
            mult += 1
            if mult == 3 {
                mult = 0
                exp += 1
            }
        }
    }

    /// Fixed decimals, a true minus sign, and no "−0".
    static func format(_ v: Double, decimals: Int) -> String {
        var t = String(format: "%.\(decimals)f", v)
        if t.hasPrefix("-") {
            t.removeFirst()
            if t.contains(where: { $0 != "0" && $0 != "." }) { t = "\u{2212}" + t }
        }
        return t
    }
}
