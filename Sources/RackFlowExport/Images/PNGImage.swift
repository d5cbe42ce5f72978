import Foundation
import CPNG

/// An 8-bit sRGB colour with alpha.
public struct RGBA: Equatable, Hashable, Sendable, CustomStringConvertible {
    public var r, g, b, a: UInt8
    public init(_ r: UInt8, _ g: UInt8, _ b: UInt8, _ a: UInt8 = 255) {
        self.r = r
        self.g = g
        self.b = b
        self.a = a
    }
    public static let white = RGBA(255, 255, 255)
    public static let black = RGBA(0, 0, 0)
    public static let ink = RGBA(30, 30, 30)
    public static let lightGrey = RGBA(205, 205, 205)
    public static let red = RGBA(220, 20, 20)
    public var description: String { "RGBA(\(r), \(g), \(b), \(a))" }
}

/// A rectangle of pixels; (x, y) is its top-left corner.
public struct PixelRect: Equatable, Sendable, CustomStringConvertible {
    public var x, y, width, height: Int
    public init(x: Int, y: Int, width: Int, height: Int) {
        self.x = x
        self.y = y
        self.width = width
        self.height = height
    }
    public var maxX: Int { x + width }
    public var maxY: Int { y + height }
    public func contains(_ px: Int, _ py: Int) -> Bool { px >= x && py >= y && px < maxX && py < maxY }
    public var description: String { "(\(x), \(y)) \(width)×\(height)" }
}

/// An RGBA8 raster, row 0 at the top, with simple drawing and PNG encoding.
/// Drawing clips silently at the borders and at `clip`.
public struct PNGImage: Sendable {
    public let width: Int
    public let height: Int
    /// Row-major RGBA bytes, `4 * (x + width * y)`.
    public var pixels: [UInt8]
    /// When set, drawing touches only pixels inside it.
    public var clip: PixelRect?

    public init(width: Int, height: Int, background: RGBA = .white) {
        precondition(width > 0 && height > 0, "image size \(width)×\(height)")
        self.width = width
        self.height = height
        pixels = [UInt8](repeating: 0, count: 4 * width * height)
        fillRect(x: 0, y: 0, width: width, height: height, color: background)
    }

    public subscript(x: Int, y: Int) -> RGBA {
        get {
            let o = 4 * (x + width * y)
            return RGBA(pixels[o], pixels[o + 1], pixels[o + 2], pixels[o + 3])
        }
        set { setPixel(x, y, newValue) }
    }

    @inline(__always)
    mutating func setPixel(_ x: Int, _ y: Int, _ c: RGBA) {
        guard x >= 0, y >= 0, x < width, y < height, clip?.contains(x, y) ?? true else { return }
        let o = 4 * (x + width * y)
        pixels[o] = c.r
        pixels[o + 1] = c.g
        pixels[o + 2] = c.b
        pixels[o + 3] = c.a
    }

    /// Copies `other` with its top-left corner at (x, y), cut to this image (panels of a sheet).
    public mutating func place(_ other: PNGImage, x: Int, y: Int) {
        for v in 0..<other.height where y + v >= 0 && y + v < height {
            for u in 0..<other.width where x + u >= 0 && x + u < width {
                let o = 4 * (u + other.width * v)
                setPixel(
                    x + u, y + v, RGBA(other.pixels[o], other.pixels[o + 1], other.pixels[o + 2], other.pixels[o + 3]))
            }
        }
    }

    public mutating func fillRect(x: Int, y: Int, width w: Int, height h: Int, color: RGBA) {
        var x0 = max(0, x), y0 = max(0, y), x1 = min(width, x + w), y1 = min(height, y + h)
        if let c = clip {
            x0 = max(x0, c.x)
            y0 = max(y0, c.y)
            x1 = min(x1, c.maxX)
            y1 = min(y1, c.maxY)
        }
        guard x0 < x1, y0 < y1 else { return }
        let W = width
        // One 4-byte store per pixel; `littleEndian` keeps r first in memory on any host.
        let c = (UInt32(color.r) | UInt32(color.g) << 8 | UInt32(color.b) << 16 | UInt32(color.a) << 24).littleEndian
        pixels.withUnsafeMutableBytes { raw in
            for yy in y0..<y1 {
                let row = 4 * (x0 + W * yy)
                for i in 0..<(x1 - x0) { raw.storeBytes(of: c, toByteOffset: row + 4 * i, as: UInt32.self) }
            }
        }
    }

    /// A frame `thickness` px wide just inside the given rectangle.
    public mutating func strokeRect(x: Int, y: Int, width w: Int, height h: Int, color: RGBA, thickness: Int = 1) {
        fillRect(x: x, y: y, width: w, height: thickness, color: color)
        fillRect(x: x, y: y + h - thickness, width: w, height: thickness, color: color)
        fillRect(x: x, y: y, width: thickness, height: h, color: color)
        fillRect(x: x + w - thickness, y: y, width: thickness, height: h, color: color)
    }

    /// Bresenham line with a square brush of `thickness` px centred on the line; an even
    /// thickness puts one more pixel before than after, so a 2-px line through pixel
    /// column `x` covers `x - 1` and `x`: both sides of the edge between them.
    public mutating func line(x0: Int, y0: Int, x1: Int, y1: Int, color: RGBA, thickness: Int = 1) {
        stroke(x0, y0, x1, y1, color, thickness, dash: 0, gap: 0)
    }

    /// Like `line`, drawn `dash` px on, `gap` px off.
    public mutating func dashedLine(
        x0: Int, y0: Int, x1: Int, y1: Int, color: RGBA, thickness: Int = 1, dash: Int = 6, gap: Int = 4
    ) {
        stroke(x0, y0, x1, y1, color, thickness, dash: max(1, dash), gap: max(0, gap))
    }

    private mutating func stroke(_ x0: Int, _ y0: Int, _ x1: Int, _ y1: Int, _ c: RGBA, _ t: Int, dash: Int, gap: Int) {
        let dx = abs(x1 - x0), dy = -abs(y1 - y0)
        let sx = x0 < x1 ? 1 : -1, sy = y0 < y1 ? 1 : -1
        var err = dx + dy, x = x0, y = y0, step = 0
        let off = t / 2
        while true {
            if dash == 0 || step % (dash + gap) < dash {
                fillRect(x: x - off, y: y - off, width: t, height: t, color: c)
            }
            if x == x1 && y == y1 { break }
            let e2 = 2 * err
            if e2 >= dy {
                err += dy
                x += sx
            }
            if e2 <= dx {
                err += dx
                y += sy
            }
            step += 1
        }
    }

    /// Draws text with the embedded bitmap font; (x, y) is the top-left of the first glyph
    /// cell. `rotated` turns it a quarter left (reads bottom to top, for vertical axis names);
    /// then (x, y) is the bottom-left of the text's bounding box.
    public mutating func drawText(_ text: String, x: Int, y: Int, color: RGBA, scale: Int = 1, rotated: Bool = false) {
        var pen = 0
        for ch in text {
            let (rows, drop) = BitmapFont.glyph(ch)
            for (gy, bits) in rows.enumerated() where bits != 0 {
                for gx in 0..<BitmapFont.glyphWidth where bits & (0x10 >> gx) != 0 {
                    let u = pen + gx * scale, v = (gy + drop) * scale
                    if rotated {
                        fillRect(x: x + v, y: y - u - scale, width: scale, height: scale, color: color)
                    } else {
                        fillRect(x: x + u, y: y + v, width: scale, height: scale, color: color)
                    }
                }
            }
            pen += BitmapFont.advance * scale
        }
    }

    /// Text drawn with a 1-px halo, legible over any colour.
    public mutating func drawTextWithHalo(_ text: String, x: Int, y: Int, color: RGBA, halo: RGBA, scale: Int = 1) {
        for (dx, dy) in [(-1, -1), (0, -1), (1, -1), (-1, 0), (1, 0), (-1, 1), (0, 1), (1, 1)] {
            drawText(text, x: x + dx, y: y + dy, color: halo, scale: scale)
        }
        drawText(text, x: x, y: y, color: color, scale: scale)
    }

    /// The PNG file bytes (8-bit RGBA, libpng's simplified writer).
    public func pngData() throws -> Data {
        guard width <= 1 << 24, height <= 1 << 24 else { throw ExportError.badImageSize(width: width, height: height) }
        var image = png_image()
        image.version = cpng_image_version
        image.width = UInt32(width)
        image.height = UInt32(height)
        image.format = cpng_format_rgba
        let stride = Int32(4 * width)
        return try pixels.withUnsafeBytes { px -> Data in
            var size: png_alloc_size_t = 0
            // First pass sizes the buffer; libpng compresses twice, which is cheap at these sizes.
            guard png_image_write_to_memory(&image, nil, &size, 0, px.baseAddress, stride, nil) != 0, size > 0 else {
                throw ExportError.pngEncoding(message: Self.message(of: image))
            }
            var out = Data(count: size)
            let ok = out.withUnsafeMutableBytes { buf in
                png_image_write_to_memory(&image, buf.baseAddress, &size, 0, px.baseAddress, stride, nil)
            }
            guard ok != 0 else { throw ExportError.pngEncoding(message: Self.message(of: image)) }
            out.count = size
            return out
        }
    }

    /// Writes the PNG atomically (see `AtomicFile`).
    public func write(to url: URL) throws {
        try AtomicFile.write(try pngData(), to: url)
    }

    static func message(of image: png_image) -> String {
        var m = image.message
        let s = withUnsafeBytes(of: &m) { raw in
            String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
        }
        return s.isEmpty ? "libpng gave no message" : s
    }
}
