import XCTest
import RackFlowTestSupport
import Foundation
import CPNG
import RackFlowExport

/// Decodes PNG bytes to RGBA8 with libpng's simplified reader (independent of our writer).
private func decodePNG(_ data: Data) throws -> (width: Int, height: Int, pixels: [UInt8]) {
    var image = png_image()
    image.version = cpng_image_version
    let begun = data.withUnsafeBytes { png_image_begin_read_from_memory(&image, $0.baseAddress, $0.count) }
    guard begun != 0 else {
        throw NSError(domain: "png", code: 1, userInfo: [NSLocalizedDescriptionKey: "begin read failed"])
    }
    image.format = cpng_format_rgba
    let w = Int(image.width), h = Int(image.height)
    var pixels = [UInt8](repeating: 0, count: 4 * w * h)
    let ok = pixels.withUnsafeMutableBytes { png_image_finish_read(&image, nil, $0.baseAddress, 0, nil) }
    guard ok != 0 else {
        png_image_free(&image)
        throw NSError(domain: "png", code: 2, userInfo: [NSLocalizedDescriptionKey: "finish read failed"])
    }
    return (w, h, pixels)
}

private struct Decoded {
    let width: Int, height: Int, pixels: [UInt8]
    init(_ d: Data) throws { (width, height, pixels) = try decodePNG(d) }
    subscript(x: Int, y: Int) -> RGBA {
        let o = 4 * (x + width * y)
        return RGBA(pixels[o], pixels[o + 1], pixels[o + 2], pixels[o + 3])
    }
}

final class ImageTests: XCTestCase {
    /// 4 × 3 cells on a non-uniform grid 0.8 m wide, 0.4 m tall; cell (1, 1) is masked.
    private func samplePlot() -> SlicePlot {
        let uEdges = [0.0, 0.1, 0.3, 0.6, 0.8], vEdges = [0.0, 0.1, 0.25, 0.4]
        var values = (0..<12).map { 20 + Double($0) }
        values[1 + 4 * 1] = .nan
        var p = SlicePlot(
            uEdges: uEdges, vEdges: vEdges, values: values, title: "Temperature, plane x = 0.30 m",
            quantity: "T (°C)", uName: "y (m)", vName: "z (m)", colormap: .thermal, range: 20...40)
        p.outlines = [SliceOutline(u: 0.3...0.6, v: 0.1...0.25, label: "GPU0")]
        p.segments = [SliceSegment(from: (0.1, 0.0), to: (0.1, 0.25), style: .wall)]
        return p
    }

    private func centre(_ L: SliceLayout, _ u: Double, _ v: Double) -> (Int, Int) { (L.x(u: u), L.y(v: v)) }

    func testImageRoundTripAndLayout() throws {
        let plot = samplePlot()
        let L = try plot.layout()
        let img = try Decoded(try plot.render().pngData())
        XCTAssertEqual(img.width, L.imageWidth)
        XCTAssertEqual(img.height, L.imageHeight)

        // Physical aspect 0.8 : 0.4 with the long side at 900 px.
        XCTAssertEqual(L.field.width, 900)
        XCTAssertEqual(Double(L.field.width) / Double(L.field.height), 2.0, accuracy: 2.0 / Double(L.field.height))
        XCTAssertLessThanOrEqual(abs(L.field.height - L.field.width / 2), 2)

        let bar = try XCTUnwrap(L.colorBar)
        XCTAssertEqual(img[bar.x + bar.width / 2, bar.y], Colormap.thermal.color(at: 1))
        XCTAssertEqual(img[bar.x + bar.width / 2, bar.maxY - 1], Colormap.thermal.color(at: 0))

        // Masked cell (1, 1) spans u 0.1…0.3, v 0.1…0.25.
        let (mx, my) = centre(L, 0.2, 0.175)
        XCTAssertEqual(img[mx, my], Colormap.maskGrey)

        // Cell (3, 2): u 0.6…0.8, v 0.25…0.4, value 20 + 3 + 8 = 31 → t = 0.55.
        let (kx, ky) = centre(L, 0.7, 0.325)
        XCTAssertEqual(img[kx, ky], Colormap.thermal.color(at: 0.55))
        // Cell (0, 0) (value 20, the range's lower end) stays sharp right up to the wall's pixels.
        XCTAssertEqual(img[L.x(u: 0.1) - 2, L.y(v: 0.05)], Colormap.thermal.color(at: 0))
        XCTAssertEqual(img[L.x(u: 0.1), L.y(v: 0.05)], .black)

        // The title puts dark ink in its band.
        var dark = 0
        for y in L.title.y..<L.title.maxY { for x in 0..<img.width where img[x, y].r < 100 { dark += 1 } }
        XCTAssertGreaterThan(dark, 100)
    }

    func testDataRangeAndConstantField() throws {
        var p = samplePlot()
        p.range = nil
        XCTAssertEqual(try p.resolvedRange(), 20...31)
        p.values = p.values.map { $0.isNaN ? $0 : 35.2 }
        let r = try p.resolvedRange()
        XCTAssertLessThan(r.lowerBound, 35.2)
        XCTAssertGreaterThan(r.upperBound, 35.2)
        XCTAssertNoThrow(try p.render())
    }

    /// The picture sets the width and a long title wraps to it; hatched cells (solids, porous
    /// parts) are drawn with hatch lines and kept out of the automatic range; part labels are
    /// drawn at the text size (12 px), not at half of it.
    func testTitleWrapsHatchingAndLabels() throws {
        var p = samplePlot()
        let plain = try p.layout()
        p.title = Array(repeating: "front-to-back section at x = 0.315 m, through a GPU", count: 3)
            .joined(separator: ", ")
        let wrapped = try p.layout()
        XCTAssertEqual(wrapped.imageWidth, plain.imageWidth, "a long title must not widen the picture")
        XCTAssertGreaterThanOrEqual(wrapped.title.height, 2 * BitmapFont.height(scale: 2))
        XCTAssertGreaterThan(wrapped.field.y, plain.field.y)

        p = samplePlot()
        p.range = nil
        p.hatched = [Bool](repeating: false, count: 12)
        p.hatched[3 + 4 * 2] = true // value 31, the largest
        XCTAssertEqual(try p.resolvedRange(), 20...30)
        let L = try p.layout()
        let img = try Decoded(try p.render().pngData())
        // Inside the hatched cell (u 0.6…0.8, v 0.25…0.4): hatch ink and the colour at the range's top.
        var ink = 0, top = 0
        for y in L.y(v: 0.38)..<L.y(v: 0.27) {
            for x in L.x(u: 0.62)..<L.x(u: 0.78) {
                if img[x, y] == RGBA(45, 45, 45) { ink += 1 }
                if img[x, y] == Colormap.thermal.color(at: 1) { top += 1 }
            }
        }
        XCTAssertGreaterThan(ink, 0)
        XCTAssertGreaterThan(top, 5 * ink)

        // The label "GPU0" at the top left of its outline (u 0.3…0.6, v 0.1…0.25): dark ink over
        // at least 10 rows (half size was 6 px tall).
        let x0 = L.x(u: 0.3) + 3, y0 = L.y(v: 0.25) + 3
        var rows = Set<Int>()
        for y in y0..<(y0 + 20) {
            for x in x0..<(x0 + BitmapFont.width("GPU0", scale: 2)) where img[x, y].r < 60 { rows.insert(y) }
        }
        XCTAssertGreaterThanOrEqual(rows.count, 10)
    }

    func testBadInputsThrowClearErrors() {
        var p = samplePlot()
        p.range = 0...Double.infinity
        XCTAssertThrowsError(try p.render()) {
            XCTAssertEqual($0 as? ExportError, .badColourRange(lower: 0, upper: .infinity))
        }

        p = samplePlot()
        p.range = nil
        p.values = [Double](repeating: .nan, count: 12)
        XCTAssertThrowsError(try p.render()) { XCTAssertEqual($0 as? ExportError, .noFiniteValues(field: p.title)) }

        p = samplePlot()
        p.uEdges = []
        p.values = []
        XCTAssertThrowsError(try p.render()) { error in
            guard case .badSliceGrid(let why)? = error as? ExportError else { return XCTFail("\(error)") }
            XCTAssertTrue(why.contains("u axis has 0 edges"), why)
        }

        p = samplePlot()
        p.values.removeLast()
        XCTAssertThrowsError(try p.render()) {
            XCTAssertEqual($0 as? ExportError, .sliceSizeMismatch(field: p.title, expected: 12, actual: 11))
        }

        p = samplePlot()
        p.vEdges = [0, 0.2, 0.2, 0.4]
        XCTAssertThrowsError(try p.render()) { XCTAssertTrue("\($0)".contains("increase strictly"), "\($0)") }
    }

    func testWriteProducesPNGFile() throws {
        let dir = try TemporaryFolder.make("rackflow-png")
        defer { TemporaryFolder.remove(dir) }
        let url = dir.appendingPathComponent("T.png")
        try samplePlot().write(to: url)
        let bytes = try Data(contentsOf: url)
        XCTAssertEqual(Array(bytes.prefix(8)), [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path), ["T.png"]) // no temporary left
    }

    func testCategoryPlotColoursAndLegend() throws {
        let uEdges = [0.0, 0.5, 1.0], vEdges = [0.0, 0.25, 0.5]
        var plot = CategoryPlot(
            uEdges: uEdges, vEdges: vEdges, codes: [0, 1, 2, 7], title: "Cell tags", uName: "x (m)", vName: "y (m)")
        plot.longSide = 400
        let L = try plot.layout()
        let img = try Decoded(try plot.render().pngData())
        XCTAssertEqual(img[L.x(u: 0.25), L.y(v: 0.12)], .white)
        XCTAssertEqual(img[L.x(u: 0.75), L.y(v: 0.12)], SliceCategory.cellTags[1].color)
        XCTAssertEqual(img[L.x(u: 0.25), L.y(v: 0.37)], SliceCategory.cellTags[2].color)
        XCTAssertEqual(img[L.x(u: 0.75), L.y(v: 0.37)], plot.unknownColor)
        // Grid line on the interior edge u = 0.5.
        XCTAssertEqual(img[L.x(u: 0.5), L.y(v: 0.12)], .lightGrey)
        let legend = try XCTUnwrap(L.legend)
        XCTAssertEqual(img[legend.x + 5, legend.y + 5], .white)
        XCTAssertEqual(
            img[legend.x + 5, legend.y + 5 + BitmapFont.height(scale: 2) + 8], SliceCategory.cellTags[1].color)
    }

    func testColormapsAndFont() {
        XCTAssertEqual(Colormap.thermal.color(at: .nan), Colormap.maskGrey)
        XCTAssertEqual(Colormap.viridis.color(at: -1), Colormap.viridis.stops.first!.color)
        XCTAssertEqual(Colormap.viridis.color(at: 2), Colormap.viridis.stops.last!.color)
        let t = Colormap.thermal
        XCTAssertGreaterThan(t.color(at: 0).b, t.color(at: 0).r) // cold is blue
        XCTAssertGreaterThan(t.color(at: 1).r, t.color(at: 1).b) // hot is orange-red
        XCTAssertEqual(BitmapFont.width("T (°C)", scale: 2), (6 * 6 - 1) * 2)
        // Every special glyph draws something, and differently from the fallback "?".
        func ink(_ s: String) -> [UInt8] {
            var i = PNGImage(width: 8, height: 12)
            i.drawText(s, x: 1, y: 1, color: .black)
            return i.pixels
        }
        for c in ["°", "³", "²", "·", "µ", "\u{2212}", "A", "g", "~"] {
            XCTAssertNotEqual(ink(c), ink(" "), c)
            XCTAssertNotEqual(ink(c), ink("?"), c)
        }
    }

    /// Pictures to look at: /tmp/rackflow-png-demo/*.png.
    func testWriteDemoPictures() throws {
        let dir = URL(fileURLWithPath: "/tmp/rackflow-png-demo")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        // A 0.6 m deep, 0.4 m tall section with graded cells, a hot part and a solid block.
        var uEdges: [Double] = [0], vEdges: [Double] = [0]
        while uEdges.last! < 0.6 - 1e-9 {
            uEdges.append(min(0.6, uEdges.last! + (uEdges.count < 10 || uEdges.count > 40 ? 0.02 : 0.01)))
        }
        while vEdges.last! < 0.4 - 1e-9 { vEdges.append(min(0.4, vEdges.last! + 0.0125)) }
        let nu = uEdges.count - 1, nv = vEdges.count - 1
        var T = [Double](repeating: 0, count: nu * nv), speed = T, tags = [Int](repeating: 0, count: nu * nv)
        for iv in 0..<nv {
            for iu in 0..<nu {
                let u = 0.5 * (uEdges[iu] + uEdges[iu + 1]), v = 0.5 * (vEdges[iv] + vEdges[iv + 1])
                let k = iu + nu * iv
                T[k] = 22 + 40 * exp(-(pow((u - 0.35) / 0.08, 2) + pow((v - 0.2) / 0.05, 2))) + 10 * u
                speed[k] = 2.5 * sin(.pi * v / 0.4) * (1 - 0.5 * u)
                if u > 0.1 && u < 0.2 && v > 0.05 && v < 0.15 {
                    T[k] = .nan
                    speed[k] = .nan
                    tags[k] = 1
                }
                if u > 0.3 && u < 0.4 && v > 0.16 && v < 0.24 { tags[k] = 2 }
            }
        }
        let outlines = [
            SliceOutline(u: 0.1...0.2, v: 0.05...0.15, label: "PSU"),
            SliceOutline(u: 0.3...0.4, v: 0.1625...0.2375, label: "GPU0"),
        ]
        let segments = [
            SliceSegment(from: (0.5, 0.0), to: (0.5, 0.25), style: .wall),
            SliceSegment(from: (0.05, 0.0), to: (0.05, 0.4), style: .fan),
            SliceSegment(from: (0.55, 0.1), to: (0.55, 0.4), style: .sheet),
        ]
        var pt = SlicePlot(
            uEdges: uEdges, vEdges: vEdges, values: T, title: "Temperature, plane x = 0.24 m",
            quantity: "T (°C)", uName: "y (m)", vName: "z (m)")
        pt.outlines = outlines
        pt.segments = segments
        try pt.write(to: dir.appendingPathComponent("temperature.png"))
        var ps = SlicePlot(
            uEdges: uEdges.map { $0 - 0.3 }, vEdges: vEdges, values: speed, title: "Speed, plane x = 0.24 m",
            quantity: "speed (m/s)", uName: "y (m)", vName: "z (m)", colormap: .viridis)
        ps.outlines = outlines.map {
            SliceOutline(u: ($0.u.lowerBound - 0.3)...($0.u.upperBound - 0.3), v: $0.v, label: $0.label)
        }
        try ps.write(to: dir.appendingPathComponent("speed.png"))
        var pc = CategoryPlot(
            uEdges: uEdges, vEdges: vEdges, codes: tags, title: "Tagged geometry, plane x = 0.24 m", uName: "y (m)",
            vName: "z (m)")
        pc.segments = segments
        try pc.write(to: dir.appendingPathComponent("geometry.png"))
        // Extreme aspect ratios: a 1U node seen from the side, and a whole rack's front.
        let flatU: [Double] = (0...80).map { Double($0) * 0.01 }, flatV: [Double] = [0, 0.011, 0.022, 0.033, 0.044]
        let flatT: [Double] = (0..<320).map { 25 + Double($0 % 80) / 4 }
        let flat = SlicePlot(
            uEdges: flatU, vEdges: flatV, values: flatT,
            title: "Node 07, plane z = 0.02 m", quantity: "T (°C)", uName: "y (m)", vName: "z (m)")
        try flat.write(to: dir.appendingPathComponent("flat.png"))
        let tallV: [Double] = (0...40).map { Double($0) * 0.05 }
        let tallT: [Double] = (0..<120).map { 20 + Double($0 / 3) / 2 }
        var tall = SlicePlot(
            uEdges: [0, 0.2, 0.4, 0.6], vEdges: tallV, values: tallT, title: "Rack front, plane y = 0.05 m",
            quantity: "T (°C)", uName: "x (m)", vName: "z (m)")
        tall.drawGridLines = true
        try tall.write(to: dir.appendingPathComponent("tall.png"))
        var font = PNGImage(width: 660, height: 150)
        font.drawText(" !\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOP", x: 6, y: 6, color: .ink, scale: 2)
        font.drawText("QRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~", x: 6, y: 36, color: .ink, scale: 2)
        font.drawText("T (°C)  m³/s  m²  W·K  µm  \u{2212}0.25  -0.25  35.2", x: 6, y: 66, color: .ink, scale: 2)
        font.drawText("The quick brown fox jumps over the lazy dog: gpqy", x: 6, y: 100, color: .ink, scale: 2)
        try font.write(to: dir.appendingPathComponent("font.png"))
    }

    /// The surge preview: the whole title fits, round time ticks, bounds that read differently,
    /// and a constant signal shown as one value rather than an invented 1-unit range.
    func testPreviewStripLayout() {
        XCTAssertEqual(PreviewStrip.tickStep(10), 2)
        XCTAssertEqual(PreviewStrip.tickStep(0.25), 0.05, accuracy: 1e-12)
        XCTAssertEqual(PreviewStrip.tickStep(60), 10)
        XCTAssertEqual(PreviewStrip.bound(79.97, 79.97...80.03), "79.97")
        XCTAssertEqual(PreviewStrip.bound(80.03, 79.97...80.03), "80.03")
        let title = "viral-surge: 10 nodes, 241 frames at 24 fps"
        let band = PreviewStrip.Band(
            title: "intake fans", unit: "rpm", colormap: .viridis, range: 1050...1050,
            values: [[1050], [1050]])
        let strip = PreviewStrip(title: title, nodes: ["node01"], timesS: [0, 0.5], bands: [band])
        XCTAssertEqual(strip.label(band), "1050 constant")
        let img = strip.render()
        XCTAssertGreaterThanOrEqual(img.width, BitmapFont.width(title, scale: 3) + 20)
    }
}
