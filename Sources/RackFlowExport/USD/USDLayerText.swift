/// Description
///   The pieces of `.usda` text every layer RackFlow writes is made of: the surge's
///   `refinery.usda`, the room's `room.usda` and their asset layers. Indentation (four spaces a
///   level), one-line statements, 3-vectors, an axis-aligned extent, and the layer header with
///   its timing metadata. Text rather than the USD library: a stage is written in one pass at
///   I/O speed, with numbers formatted the same on every machine (`TextBuffer.number`), and the
///   tests open every stage in usd-core to check it. Grammar and metadata: the USD text format
///   and the stage metadata of the OpenUSD documentation (`upAxis`, `metersPerUnit`,
///   `timeCodesPerSecond`, `startTimeCode`/`endTimeCode`).
///
/// Usage
///   | call                                   | writes                                         |
///   | ---                                    | ---                                            |
///   | usdIndent(level)                       | 4 × level spaces                               |
///   | usdLine(level, text)                   | indented text and a newline                    |
///   | usdVector(v, significant:)             | (x, y, z), 7 significant digits by default     |
///   | usdVectorLine(level, declaration, v)   | declaration = (x, y, z), e.g. a translate op   |
///   | usdNumberLine / usdIntLine             | declaration = number, e.g. a custom attribute  |
///   | usdPrimOpen(level, definition, kind:)  | def … ( kind = "…" ) { — the prim's opening    |
///   | usdNodeInstanceOpen(level, prim:…)     | a placed node's instanceable reference, open   |
///   | usdExtent(level, a, c)                 | float3[] extent = [min, max] of corners a, c   |
///   | usdHeatmapColour(level, heatmap, …)    | displayColor time samples of a node heat map   |
///   | usdLayerHeader(defaultPrim:doc:timing: | #usda 1.0 and the layer's metadata, metres,    |
///   |   upAxis:)                             | frame range and rates when `timing` is given   |
public struct USDTiming: Sendable, Equatable {
    public var firstFrame: Int
    public var lastFrame: Int
    public var fps: Double
    public init(firstFrame: Int, lastFrame: Int, fps: Double) {
        self.firstFrame = firstFrame
        self.lastFrame = lastFrame
        self.fps = fps
    }
}

extension TextBuffer {
    public mutating func usdIndent(_ level: Int) {
        for _ in 0..<level { append("    ") }
    }

    public mutating func usdLine(_ level: Int, _ s: String) {
        usdIndent(level)
        append(s)
        byte(10)
    }

    public mutating func usdVector(_ v: SIMD3<Double>, significant: Int = 7) {
        byte(40)
        number(v.x, significant: significant)
        append(", ")
        number(v.y, significant: significant)
        append(", ")
        number(v.z, significant: significant)
        byte(41)
    }

    /// `<declaration> = (x, y, z)` on its own line, e.g. "double3 xformOp:translate".
    public mutating func usdVectorLine(
        _ level: Int, _ declaration: String, _ v: SIMD3<Double>, significant: Int = 7
    ) {
        usdIndent(level)
        append(declaration)
        append(" = ")
        usdVector(v, significant: significant)
        byte(10)
    }

    /// `<declaration> = <number>` on its own line.
    public mutating func usdNumberLine(_ level: Int, _ declaration: String, _ v: Double, significant: Int = 7) {
        usdIndent(level)
        append(declaration)
        append(" = ")
        number(v, significant: significant)
        byte(10)
    }

    /// A placed node: an instanceable `component` Xform that references its node type's asset,
    /// with the node's name and type and its translation, opened and left open for the caller's
    /// attributes (the surge's heat map) and closing brace. The rack stage and the room's rack
    /// layers write their nodes with it.
    public mutating func usdNodeInstanceOpen(
        _ level: Int, prim: String, reference: String, name: String, type: String, translate: SIMD3<Double>
    ) {
        usdLine(level, "def Xform \(USDText.quoted(prim)) (")
        usdLine(level + 1, "instanceable = true")
        usdLine(level + 1, "kind = \"component\"")
        usdLine(level + 1, "prepend references = \(reference)")
        usdLine(level, ")")
        usdLine(level, "{")
        usdLine(level + 1, "custom string rackflow:name = \(USDText.quoted(name))")
        usdLine(level + 1, "custom string rackflow:nodeType = \(USDText.quoted(type))")
        usdVectorLine(level + 1, "double3 xformOp:translate", translate, significant: 9)
        usdLine(level + 1, "uniform token[] xformOpOrder = [\"xformOp:translate\"]")
    }

    /// `<declaration> = <integer>` on its own line.
    public mutating func usdIntLine(_ level: Int, _ declaration: String, _ v: Int) {
        usdIndent(level)
        append(declaration)
        append(" = ")
        int(v)
        byte(10)
    }

    /// A prim's opening with its kind as metadata: `definition (`, `kind = "…"`, `)`, `{`.
    public mutating func usdPrimOpen(_ level: Int, _ definition: String, kind: String) {
        usdLine(level, definition + " (")
        usdLine(level + 1, "kind = \"\(kind)\"")
        usdLine(level, ")")
        usdLine(level, "{")
    }

    /// A prim's `primvars:displayColor` as a heat map: `values` (one per frame from `firstFrame`)
    /// through `heatmap`'s colours, constant over the prim, four samples to a line. `scope` ends
    /// the doc string's range (" for the whole room"). Written on a node instance, it is inherited
    /// by the asset's chassis shell, which authors no colour of its own.
    public mutating func usdHeatmapColour(
        _ level: Int, _ heatmap: StageRecording.Heatmap, _ values: [Double], firstFrame: Int, scope: String = ""
    ) {
        usdLine(level, "color3f[] primvars:displayColor (")
        let (fromC, toC) = (USDText.number(heatmap.minC), USDText.number(heatmap.maxC))
        let doc =
            "heat map of telemetry:\(heatmap.channel) from \(fromC) (blue) to \(toC) (orange-red)\(scope), linear RGB"
        usdLine(level + 1, "doc = \(USDText.quoted(doc))")
        usdLine(level + 1, "interpolation = \"constant\"")
        usdLine(level, ")")
        usdIndent(level)
        append("color3f[] primvars:displayColor.timeSamples = {\n")
        for (k, v) in values.enumerated() {
            let f = firstFrame + k, column = ((f % 4) + 4) % 4 // four to a line
            if k == 0 || column == 0 { usdIndent(level + 1) } else { byte(32) }
            int(f)
            append(": [")
            let c = heatmap.colour(v)
            usdVector(SIMD3(c.r, c.g, c.b), significant: 4)
            append("],")
            if column == 3 || k == values.count - 1 { byte(10) }
        }
        usdLine(level, "}")
    }

    /// The extent of the box with corners `a` and `c`, already in the stage's axes (a mapping
    /// to Y-up swaps and negates components, so either corner may hold the minimum).
    public mutating func usdExtent(_ level: Int, _ a: SIMD3<Double>, _ c: SIMD3<Double>) {
        usdIndent(level)
        append("float3[] extent = [")
        usdVector(SIMD3(min(a.x, c.x), min(a.y, c.y), min(a.z, c.z)))
        append(", ")
        usdVector(SIMD3(max(a.x, c.x), max(a.y, c.y), max(a.z, c.z)))
        append("]\n")
    }

    /// `#usda 1.0` and the layer metadata, in the order usd-core writes it back (alphabetical).
    public mutating func usdLayerHeader(defaultPrim: String, doc: String, timing: USDTiming?, upAxis: String) {
        append("#usda 1.0\n(\n")
        usdLine(1, "defaultPrim = \(USDText.quoted(defaultPrim))")
        usdLine(1, "doc = \(USDText.quoted(doc))")
        if let t = timing {
            usdIndent(1)
            append("endTimeCode = ")
            int(t.lastFrame)
            byte(10)
            usdIndent(1)
            append("framesPerSecond = ")
            number(t.fps, significant: 12)
            byte(10)
        }
        usdLine(1, "metersPerUnit = 1")
        if let t = timing {
            usdIndent(1)
            append("startTimeCode = ")
            int(t.firstFrame)
            byte(10)
            usdIndent(1)
            append("timeCodesPerSecond = ")
            number(t.fps, significant: 12)
            byte(10)
        }
        usdLine(1, "upAxis = \(USDText.quoted(upAxis))")
        append(")\n\n")
    }
}
