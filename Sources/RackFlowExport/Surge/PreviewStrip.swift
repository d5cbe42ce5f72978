import Foundation

/// The cascade at a glance: one row per node (top node at the top, as in the rack), one column
/// per frame, in three bands: the hottest GPU on the blue → orange-red heatmap, the intake fans'
/// speed and the node's airflow (viridis). Ignition shows as each row turning warm a little later
/// than the row below it; fans and airflow follow.
public struct PreviewStrip {
    public struct Band {
        public var title: String
        public var unit: String
        public var colormap: Colormap
        public var range: ClosedRange<Double>
        /// values[frame][node]
        public var values: [[Double]]
        public init(title: String, unit: String, colormap: Colormap, range: ClosedRange<Double>, values: [[Double]]) {
            self.title = title
            self.unit = unit
            self.colormap = colormap
            self.range = range
            self.values = values
        }
    }
    /// Node names bottom to top (rack order by unit).
    public var nodes: [String]
    public var timesS: [Double]
    public var bands: [Band]
    public var title: String

    public init(title: String, nodes: [String], timesS: [Double], bands: [Band]) {
        self.title = title
        self.nodes = nodes
        self.timesS = timesS
        self.bands = bands
    }

    /// Labels at twice the font's size (14 px capitals): readable at 100 %.
    static let textScale = 2

    public func render() -> PNGImage {
        let ts = Self.textScale
        let charW = BitmapFont.advance * ts, lineH = BitmapFont.height(scale: ts)
        // Rows tall enough for a name; a band at least three lines tall for its colour bar's labels.
        let rowH = max(lineH + 4, (3 * lineH + 6 + nodes.count - 1) / max(nodes.count, 1)), bandGap = 2 * lineH + 16
        let left = 10 + charW * (nodes.map(\.count).max() ?? 4)
        // At least 24 px of time axis per frame up to 1,200 px: a short run is not a sliver.
        let colW = max(1, min(24, 1200 / max(timesS.count, 1)))
        let plotW = colW * timesS.count
        let barLabels = bands.map { label($0).count }.max() ?? 4
        let right = 20 + 14 + 8 + charW * barLabels
        let top = 12 + BitmapFont.height(scale: 3) + 12
        let W = max(left + plotW + right, 10 + BitmapFont.width(title, scale: 3) + 10)
        let bandH = rowH * nodes.count
        let H = top + bands.count * (lineH + 6 + bandH + bandGap)
        var img = PNGImage(width: W, height: H)
        img.drawText(title, x: 10, y: 12, color: .ink, scale: 3)
        for (b, band) in bands.enumerated() {
            let y0 = top + b * (lineH + 6 + bandH + bandGap) + lineH + 6
            img.drawText("\(band.title) (\(band.unit))", x: left, y: y0 - lineH - 4, color: .ink, scale: ts)
            let span = band.range.upperBound - band.range.lowerBound
            let lut = band.colormap.table()
            for (f, row) in band.values.enumerated() {
                for (n, v) in row.enumerated() where n < nodes.count {
                    // A constant band (span 0) sits mid-scale.
                    let t = span > 0 ? (v - band.range.lowerBound) / span : 0.5
                    let c = v.isFinite ? lut[Int((min(max(t, 0), 1) * 255).rounded())] : band.colormap.maskColor
                    img.fillRect(
                        x: left + f * colW, y: y0 + (nodes.count - 1 - n) * rowH, width: colW,
                        height: rowH - 1, color: c)
                }
            }
            for (n, name) in nodes.enumerated() {
                img.drawText(name, x: 6, y: y0 + (nodes.count - 1 - n) * rowH + 2, color: .ink, scale: ts)
            }
            // Time axis: ticks at a round step (1, 2 or 5 × 10^n s) giving about six, and one at the end.
            let duration = timesS.last ?? 0
            let step = Self.tickStep(duration)
            var ticks: [Double] = []
            var t = 0.0
            while t <= duration + 1e-9 {
                ticks.append(t)
                t += step
            }
            if let last = ticks.last, duration - last > 0.25 * step { ticks.append(duration) }
            var labelEnd = Int.min
            for t in ticks {
                let f = timesS.firstIndex { $0 >= t - 1e-9 } ?? max(timesS.count - 1, 0)
                let x = left + f * colW + colW / 2
                img.line(x0: x, y0: y0 + bandH, x1: x, y1: y0 + bandH + 5, color: .ink)
                let text = String(format: "%g s", (t * 1000).rounded() / 1000)
                let x0 = x - BitmapFont.width(text, scale: ts) / 2
                guard x0 > labelEnd + charW else { continue }
                img.drawText(text, x: x0, y: y0 + bandH + 8, color: .ink, scale: ts)
                labelEnd = x0 + BitmapFont.width(text, scale: ts)
            }
            // Colour bar with its range (one value, marked constant, when nothing changed).
            let bx = left + plotW + 20
            for py in 0..<bandH {
                let c = lut[Int((Double(bandH - 1 - py) / Double(max(bandH - 1, 1)) * 255).rounded())]
                img.fillRect(x: bx, y: y0 + py, width: 14, height: 1, color: c)
            }
            img.strokeRect(x: bx, y: y0, width: 14, height: bandH, color: .ink)
            if span > 0 {
                img.drawText(Self.bound(band.range.upperBound, band.range), x: bx + 22, y: y0, color: .ink, scale: ts)
                img.drawText(
                    Self.bound(band.range.lowerBound, band.range), x: bx + 22, y: y0 + bandH - lineH,
                    color: .ink, scale: ts)
            } else {
                img.drawText(label(band), x: bx + 22, y: y0 + (bandH - lineH) / 2, color: .ink, scale: ts)
            }
        }
        return img
    }

    /// A round tick step (1, 2 or 5 × 10^n s) giving at most about six ticks over `duration`.
    public static func tickStep(_ duration: Double) -> Double {
        guard duration > 0 else { return 1 }
        let raw = duration / 6
        let decade = pow(10, floor(log10(raw)))
        return [1.0, 2, 5, 10].map { $0 * decade }.first { $0 >= raw } ?? 10 * decade
    }

    /// A colour-bar bound with enough decimals that the two bounds read differently
    /// (79.97 and 80.03 L/s, not 80 and 80).
    public static func bound(_ v: Double, _ range: ClosedRange<Double>) -> String {
        let span = range.upperBound - range.lowerBound
        guard span > 0, abs(v) < 1e6 else { return String(format: "%.4g", v) }
        let decimals = min(max(Int(ceil(-log10(span))), 0), 6)
        return String(format: "%.\(decimals)f", v)
    }

    /// The colour bar's widest label.
    public func label(_ band: Band) -> String {
        band.range.upperBound > band.range.lowerBound
            ? Self.bound(band.range.upperBound, band.range) : String(format: "%.4g constant", band.range.lowerBound)
    }

    public func write(to url: URL) throws { try render().write(to: url) }
}
