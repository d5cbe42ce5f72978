import Foundation

/// A chassis: inner size, front mesh, an internal fan wall with fan positions, rear vents.
public struct ChassisSpec {
    public struct Vent {
        public var name: String
        public var lo: (Double, Double), hi: (Double, Double)
        public var zeta: Double
        public var node: ConfigNode
    }
    public var name: String
    /// Inner width (x) and depth (y), m; the height is `units` rack units.
    public var sizeM: (Double, Double)
    public var units: Int
    public var frontZeta: Double
    /// Fan wall: distance behind the front mesh (m) and lower-left x/z corners of the fans, m.
    public var fanWallYM: Double
    public var fanCorners: [(Double, Double)]
    public var fanWallNode: ConfigNode
    public var rearVents: [Vent]
    /// Price, US dollars (0 when the part file gives none).
    public var priceUSD: Double = 0

    static func parse(_ l: Layered) throws -> ChassisSpec {
        try l.checkKeys(allowed: ["kind", "name", "size", "units", "frontMesh", "fanWall", "rearVents", "priceUSD"])
        let s = try l.lengths("size", count: 2)
        let fw = try l.child("fanWall").orThrow(l, "fanWall")
        try fw.checkKeys(allowed: ["y", "fans"])
        let corners = try fw.array("fans").map { try $0.vector2() }
        var vents: [Vent] = []
        if let rv = l.node("rearVents") {
            for v in try rv.array() {
                let vl = Layered(v)
                try vl.checkKeys(allowed: ["name", "lo", "hi", "freeArea", "thickness", "holeDiameter", "zeta"])
                let lo = try v.vector2("lo"), hi = try v.vector2("hi")
                if !(lo.0 < hi.0 && lo.1 < hi.1) { throw v.error("hi", "must exceed lo in both coordinates") }
                vents.append(Vent(name: try v.string("name"), lo: lo, hi: hi, zeta: try sheetZeta(vl), node: v))
            }
        }
        let units = try l.int("units")
        if units < 1 || units > 100 { throw l.error("units", "must be 1–100 rack units (got \(units))") }
        return ChassisSpec(
            name: try l.string("name"), sizeM: (s[0], s[1]), units: units,
            frontZeta: try sheetZeta(try l.child("frontMesh").orThrow(l, "frontMesh")),
            fanWallYM: try fw.length("y"), fanCorners: corners, fanWallNode: fw.top, rearVents: vents,
            priceUSD: try l.double("priceUSD", default: 0, "must be ≥ 0 USD") { $0 >= 0 })
    }
}
