import Foundation

/// Description
///   A small time-series chart for reports: a few named curves over one time axis, one value
///   axis (a unit), ticks at round numbers, and a legend under the plot. Enough to read when
///   a rack lit up and how far a temperature went, drawn with the bitmap font and no library.
///
/// Usage
///   | field   | meaning                                                        |
///   | ---     | ---                                                            |
///   | title   | printed above the plot                                         |
///   | unit    | the value axis' label (e.g. "°C")                              |
///   | timesS  | the time of each sample, s, increasing                         |
///   | series  | (name, colour, one value per time); non-finite values are gaps |
public struct LineChart {
    public struct Series {
        public var name: String
        public var colour: RGBA
        public var values: [Double]
        public init(name: String, colour: RGBA, values: [Double]) {
            self.name = name
            self.colour = colour
            self.values = values
        }
    }
    public var title: String
    public var unit: String
    public var timesS: [Double]
    public var series: [Series]
    public init(title: String, unit: String, timesS: [Double], series: [Series]) {
        self.title = title
        self.unit = unit
        self.timesS = timesS
        self.series = series
    }

    /// Distinguishable line colours (Okabe & Ito 2008, "Color universal design"), cycled.
    public static let palette = [
        RGBA(0, 114, 178), RGBA(213, 94, 0), RGBA(0, 158, 115), RGBA(204, 121, 167), RGBA(230, 159, 0),
        RGBA(86, 180, 233), RGBA(120, 120, 120), RGBA(240, 228, 66),
    ]

    /// A "nice" tick step (1, 2 or 5 × 10ⁿ) giving about `count` intervals over `span`.
    static func tickStep(_ span: Double, count: Int) -> Double {
        let raw = max(span, 1e-12) / Double(count)
        let p = Foundation.pow(10, (Foundation.log10(raw)).rounded(.down))
        return [1.0, 2, 5, 10].map { $0 * p }.first { $0 >= raw } ?? 10 * p
    }

    /// Decimals that tell ticks `step` apart (0 for steps ≥ 1, 1 for 0.1–0.5, 2 for 0.01–0.05, …).
    static func decimals(_ step: Double) -> Int { max(0, Int((-Foundation.log10(step)).rounded(.up))) }

    public func render(width: Int = 900, height: Int = 420) -> PNGImage {
        let left = 70, right = 20, top = 30
        let legendRows = (series.count + 2) / 3
        let bottom = 45 + 16 * legendRows
        var img = PNGImage(width: width, height: height + 16 * legendRows)
        img.drawText(title, x: left, y: 8, color: .ink)
        let all = series.flatMap(\.values).filter(\.isFinite)
        var lo = all.min() ?? 0, hi = all.max() ?? 1
        if hi - lo < 1e-9 {
            lo -= 0.5
            hi += 0.5
        }
        let pad = 0.05 * (hi - lo)
        lo -= pad
        hi += pad
        let t0 = timesS.first ?? 0, t1 = max(timesS.last ?? 1, t0 + 1e-9)
        let pw = width - left - right, ph = img.height - top - bottom
        func px(_ t: Double) -> Int { left + Int(((t - t0) / (t1 - t0) * Double(pw)).rounded()) }
        func py(_ v: Double) -> Int { top + Int(((hi - v) / (hi - lo) * Double(ph)).rounded()) }
        img.strokeRect(x: left, y: top, width: pw, height: ph, color: .lightGrey)
        let vStep = Self.tickStep(hi - lo, count: 5)
        var v = (lo / vStep).rounded(.up) * vStep
        while v <= hi {
            img.dashedLine(x0: left, y0: py(v), x1: left + pw, y1: py(v), color: .lightGrey)
            let label = String(format: "%.\(Self.decimals(vStep))f", v)
            img.drawText(label, x: left - 8 - BitmapFont.width(label), y: py(v) - 3, color: .ink)
            v += vStep
        }
        img.drawText(unit, x: 8, y: top, color: .ink)
        let tStep = Self.tickStep(t1 - t0, count: 8)
        var t = (t0 / tStep).rounded(.up) * tStep
        while t <= t1 + 1e-9 {
            img.line(x0: px(t), y0: top + ph, x1: px(t), y1: top + ph + 4, color: .ink)
            let label = String(format: "%.\(Self.decimals(tStep))f", t)
            img.drawText(label, x: px(t) - BitmapFont.width(label) / 2, y: top + ph + 8, color: .ink)
            t += tStep
        }
        img.drawText("t (s)", x: left + pw - BitmapFont.width("t (s)"), y: top + ph + 20, color: .ink)
        for s in series {
            for k in 1..<max(s.values.count, 1) where k < timesS.count {
                let a = s.values[k - 1], b = s.values[k]
                guard a.isFinite, b.isFinite else { continue }
                img.line(x0: px(timesS[k - 1]), y0: py(a), x1: px(timesS[k]), y1: py(b), color: s.colour, thickness: 2)
            }
        }
        for (i, s) in series.enumerated() {
            let x = left + (i % 3) * (pw / 3), y = top + ph + 36 + 16 * (i / 3)
            img.fillRect(x: x, y: y + 2, width: 18, height: 4, color: s.colour)
            img.drawText(s.name, x: x + 24, y: y, color: .ink)
        }
        return img
    }
}
