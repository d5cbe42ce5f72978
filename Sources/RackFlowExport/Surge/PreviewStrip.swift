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
            self.title = title; self.unit = unit; self.colormap = colormap; self.range = range; self.values = values
        }
    }
    /// Node names bottom to top (rack order by unit).
    public var nodes: [String]
    public var timesS: [Double]
    public var bands: [Band]
    public var title: String

    public init(title: String, nodes: [String], timesS: [Double], bands: [Band]) {
        self.title = title; self.nodes = nodes; self.timesS = timesS; self.bands = bands
    }

    public func render() -> PNGImage {
        let s = 2, rowH = 14, left = 70, right = 150, top = 36, bandGap = 40
        let colW = max(1, min(6, 1200 / max(timesS.count, 1)))
        let W = left + colW * timesS.count + right
        let bandH = rowH * nodes.count
        let H = top + bands.count * (bandH + bandGap) + 20
        var img = PNGImage(width: W, height: H)
        img.drawText(title, x: left, y: 8, color: .ink, scale: s)
        for (b, band) in bands.enumerated() {
            let y0 = top + b * (bandH + bandGap) + 14
            img.drawText("\(band.title) (\(band.unit))", x: left, y: y0 - 13, color: .ink, scale: 1)
            let span = max(band.range.upperBound - band.range.lowerBound, 1e-12)
            let lut = band.colormap.table()
            for (f, row) in band.values.enumerated() {
                for (n, v) in row.enumerated() where n < nodes.count {
                    let t = (v - band.range.lowerBound) / span
                    let c = v.isFinite ? lut[Int((min(max(t, 0), 1) * 255).rounded())] : band.colormap.maskColor
                    img.fillRect(x: left + f * colW, y: y0 + (nodes.count - 1 - n) * rowH, width: colW, height: rowH - 1, color: c)
                }
            }
            for (n, name) in nodes.enumerated() {
                img.drawText(name, x: 4, y: y0 + (nodes.count - 1 - n) * rowH + 3, color: .ink)
            }
            // Time axis: a tick every second (or every tenth of the run).
            let duration = timesS.last ?? 0
            let step = duration > 20 ? (duration / 10).rounded(.up) : 1
            var t = 0.0
            while t <= duration + 1e-9 {
                let f = timesS.firstIndex { $0 >= t - 1e-9 } ?? 0
                let x = left + f * colW
                img.line(x0: x, y0: y0 + bandH, x1: x, y1: y0 + bandH + 4, color: .ink)
                img.drawText(String(format: "%g s", t), x: x - 6, y: y0 + bandH + 7, color: .ink)
                t += step
            }
            // Colour bar with its range.
            let bx = left + colW * timesS.count + 20
            for py in 0..<bandH {
                let c = lut[Int((Double(bandH - 1 - py) / Double(max(bandH - 1, 1)) * 255).rounded())]
                img.fillRect(x: bx, y: y0 + py, width: 14, height: 1, color: c)
            }
            img.strokeRect(x: bx, y: y0, width: 14, height: bandH, color: .ink)
            img.drawText(String(format: "%.4g", band.range.upperBound), x: bx + 20, y: y0, color: .ink)
            img.drawText(String(format: "%.4g", band.range.lowerBound), x: bx + 20, y: y0 + bandH - 8, color: .ink)
        }
        return img
    }

    public func write(to url: URL) throws { try render().write(to: url) }
}
