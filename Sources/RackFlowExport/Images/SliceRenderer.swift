import Foundation

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
                throw ExportError.badSliceGrid(
                    "\(axis) axis has \(e.count) edges; a slice needs at least one cell (two edges) per axis")
            }
            guard e.allSatisfy(\.isFinite) else { throw ExportError.badSliceGrid("\(axis) axis has a non-finite edge") }
            for i in 1..<e.count where !(e[i] > e[i - 1]) {
                throw ExportError.badSliceGrid(
                    "\(axis) edges must increase strictly, but edge \(i) is \(e[i]) after \(e[i - 1])")
            }
        }
        let nu = uEdges.count - 1, nv = vEdges.count - 1
        guard count == nu * nv else {
            throw ExportError.sliceSizeMismatch(field: name, expected: nu * nv, actual: count)
        }
        guard longSide >= 16, longSide <= 20_000 else {
            throw ExportError.badImageSize(width: longSide, height: longSide)
        }
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
        guard width <= 30_000, height <= 30_000 else { throw ExportError.badImageSize(width: width, height: height) }
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
