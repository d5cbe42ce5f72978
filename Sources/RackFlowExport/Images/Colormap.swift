/// A colour map: control points in [0, 1] joined by straight lines in sRGB.
/// Interpolating in sRGB (not linear light) keeps the steps between control colours
/// perceptually even enough for these few-point maps, and makes end colours exact.
public struct Colormap: Sendable {
    public struct Stop: Sendable {
        public var position: Double
        public var color: RGBA
        public init(_ position: Double, _ color: RGBA) {
            self.position = position
            self.color = color
        }
    }

    public let name: String
    /// Sorted by position; the first is at 0 and the last at 1.
    public let stops: [Stop]
    /// Colour for NaN (masked, e.g. solid cells).
    public var maskColor: RGBA

    public init(name: String, stops: [Stop], maskColor: RGBA = Colormap.maskGrey) {
        precondition(stops.count >= 2, "a colour map needs two stops")
        let s = stops.sorted { $0.position < $1.position }
        precondition(s.first!.position == 0 && s.last!.position == 1, "colour map stops must span 0...1")
        self.name = name
        self.stops = s
        self.maskColor = maskColor
    }

    public static let maskGrey = RGBA(150, 150, 150)

    /// Colour at `t` in [0, 1] (clamped); NaN gives `maskColor`.
    public func color(at t: Double) -> RGBA {
        guard !t.isNaN else { return maskColor }
        let t = min(1, max(0, t))
        var i = 1
        while i < stops.count - 1 && stops[i].position < t { i += 1 }
        let a = stops[i - 1], b = stops[i]
        let w = b.position > a.position ? (t - a.position) / (b.position - a.position) : 1
        func mix(_ x: UInt8, _ y: UInt8) -> UInt8 { UInt8((Double(x) + (Double(y) - Double(x)) * w).rounded()) }
        return RGBA(
            mix(a.color.r, b.color.r), mix(a.color.g, b.color.g), mix(a.color.b, b.color.b), mix(a.color.a, b.color.a))
    }

    /// `count` colours evenly spaced over [0, 1]: a lookup table for pixel loops.
    public func table(_ count: Int = 256) -> [RGBA] {
        (0..<count).map { color(at: Double($0) / Double(count - 1)) }
    }

    /// Temperature: deep blue → cyan → yellow → orange-red (the product's heatmap look).
    public static let thermal = Colormap(
        name: "thermal",
        stops: [
            Stop(0.00, RGBA(20, 30, 130)),
            Stop(0.20, RGBA(30, 90, 200)),
            Stop(0.40, RGBA(20, 190, 220)),
            Stop(0.65, RGBA(250, 230, 70)),
            Stop(0.85, RGBA(250, 140, 40)),
            Stop(1.00, RGBA(215, 45, 20)),
        ])

    /// Speed: a viridis-like map (dark purple → blue → green → yellow), readable in grey too.
    public static let viridis = Colormap(
        name: "viridis",
        stops: [
            Stop(0.000, RGBA(68, 1, 84)),
            Stop(0.125, RGBA(71, 44, 122)),
            Stop(0.250, RGBA(59, 82, 139)),
            Stop(0.375, RGBA(44, 114, 142)),
            Stop(0.500, RGBA(33, 145, 140)),
            Stop(0.625, RGBA(39, 173, 129)),
            Stop(0.750, RGBA(92, 200, 99)),
            Stop(0.875, RGBA(170, 220, 50)),
            Stop(1.000, RGBA(253, 231, 37)),
        ])
}
