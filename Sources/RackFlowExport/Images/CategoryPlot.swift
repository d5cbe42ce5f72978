import Foundation

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
