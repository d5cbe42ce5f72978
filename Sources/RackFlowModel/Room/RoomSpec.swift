import Foundation
import Yams
import RackFlowNumerics
import RackFlowPhysics

/// A room file (`Meshes/rooms/*.yaml`): sealed racks in one or two rows facing each other
/// across an aisle, fed from one floor plenum by blowers through one duct per rack, with cable
/// trays in the space above the rack exhausts. Room frame (plan): x along the rows, y across
/// them (row A from y = 0, its doors towards +y; row B beyond the aisle, doors towards −y),
/// z up from the floor; metres.
///
/// Racks are sealed, so a room is one solve per rack coupled only through the plenum network
/// (`PlenumNetwork`); the room file says what that network is and which rack stands where.
public struct RoomSpec: ConfigDocument {
    /// One rack position.
    public struct Placement {
        /// `A01` … `A08`, `B01` … `B08`: row letter, position along the row from x = 0.
        public var name: String
        public var row: Int
        public var index: Int
        /// The rack file (absolute or relative to the working directory, as resolved).
        public var rackFile: String
        public var rack: RackSpec
        /// Plan position of the rack's outer footprint, m: lower corner (x, y).
        public var originM: (Double, Double)
        /// Do the rack's glass door (its y = 0 side) face +y (row A) or −y (row B)?
        public var doorFacesPlusY: Bool
        /// Duct from the plenum to the rack's bottom slot.
        public var duct: Resistance
        /// Fraction of the bottom slot's area blocked (0 = open); adds an orifice loss.
        public var slotBlockage: Double
        /// Where the entry was written (for errors about this rack at run time).
        public var node: ConfigNode
    }

    /// A pressure loss `Δp = linear·Q + quadratic·Q|Q|`, Pa, with Q in m³/s.
    public struct Resistance: Sendable, Codable, Equatable {
        public var linearPaSPerM3: Double
        public var quadraticPaS2PerM6: Double
        public init(linearPaSPerM3: Double = 0, quadraticPaS2PerM6: Double = 0) {
            self.linearPaSPerM3 = linearPaSPerM3
            self.quadraticPaS2PerM6 = quadraticPaS2PerM6
        }
        public func dropPa(_ q: Double) -> Double { linearPaSPerM3 * q + quadraticPaS2PerM6 * q * abs(q) }
    }

    /// `count` identical blowers in parallel, each on `curve` at `rpm`.
    public struct Blower {
        public var name: String
        public var count: Int
        public var curve: FanCurve
        public var rpm: Double
    }

    /// A cable tray above the exhausts: a horizontal strip along x at (y, z), `widthM` across.
    public struct CableTray: Codable, Sendable {
        public var name: String
        public var fromXM: Double, toXM: Double
        public var yM: Double, zM: Double
        public var widthM: Double
    }

    public var file: String
    public var name: String
    public var rows: Int
    public var racksPerRow: Int
    public var pitchM: Double
    public var depthM: Double
    public var aisleM: Double
    public var racks: [Placement]
    public var blowers: [Blower]
    /// Blowers to the plenum node (raised floor, filters), on the total flow.
    public var supply: Resistance
    public var trays: [CableTray]
    /// Coupling stops when no rack's flow moves more than this fraction of the mean rack flow.
    public var couplingTolerance: Double
    public var couplingMaxIterations: Int
    /// The hall around the racks, for the room-air solve (`RoomHall.swift`; defaults assumed).
    public var hall: Hall

    static let keys = ["name", "layout", "rack", "racks", "plenum", "cableTrays", "coupling", "hall"]

    public init(_ root: ConfigNode) throws {
        file = root.file
        try root.checkKeys(allowed: Self.keys)
        let stem = root.fileStem
        name = try root.string("name", default: stem)

        let lay = try root.required("layout")
        try lay.checkKeys(allowed: ["rows", "racksPerRow", "pitch", "depth", "aisle"])
        rows = try lay.int("rows")
        if rows != 1 && rows != 2 {
            throw lay.error("rows", "must be 1 or 2 (two rows face each other across the aisle; got \(rows))")
        }
        racksPerRow = try lay.int("racksPerRow")
        if racksPerRow < 1 || racksPerRow > 99 { throw lay.error("racksPerRow", "must be 1–99 (got \(racksPerRow))") }
        pitchM = try lay.double("pitch", "must be > 0 m") { $0 > 0 }
        depthM = try lay.double("depth", "must be > 0 m") { $0 > 0 }
        aisleM = try lay.double("aisle", default: 1.2, "must be > 0 m") { $0 > 0 }

        // Rack files: parsed once each, so every error in them surfaces before any solve.
        let resolver = FileResolver()
        resolver.beginResolving(root.file)
        defer { resolver.endResolving() }
        var specs: [String: RackSpec] = [:]
        func rack(_ ref: ConfigNode) throws -> (String, RackSpec) {
            let p = try resolver.path(of: ref)
            if let s = specs[p] { return (p, s) }
            guard FileManager.default.fileExists(atPath: p) else { throw ref.error("rack file not found: \(p)") }
            let s = try RackSpec.load(path: p)
            guard case .flow = s.inlet else {
                throw ref.error(
                    "\(p): a rack in a room is fed by the plenum, so its inlet must be `flow:` (the first coupling "
                        + "iteration's flow), not `blower:`"
                )
            }
            specs[p] = s
            return (p, s)
        }
        let defaultRack = try rack(try root.required("rack"))

        let pl = try root.required("plenum")
        try pl.checkKeys(allowed: ["blowers", "supply", "duct"])
        supply = try Self.resistance(pl.child("supply"))
        let defaultDuct = try Self.resistance(pl.child("duct"))
        blowers = try Self.readBlowers(pl)

        racks = try Self.readRacks(
            root, rows: rows, racksPerRow: racksPerRow, pitchM: pitchM, depthM: depthM, aisleM: aisleM,
            defaultRack: defaultRack, defaultDuct: defaultDuct, rack: rack)

        trays = try Self.readTrays(root, racks: racks)

        let cp = root.child("coupling")
        try cp?.checkKeys(allowed: ["tolerance", "maxIterations"])
        couplingTolerance =
            try cp?.double("tolerance", default: 1e-3, "must be > 0 and < 0.5") { $0 > 0 && $0 < 0.5 } ?? 1e-3
        couplingMaxIterations = try cp?.int("maxIterations", default: 12) ?? 12
        if couplingMaxIterations < 1 { throw cp!.error("maxIterations", "must be ≥ 1 (got \(couplingMaxIterations))") }
        hall = try Self.readHall(
            root.child("hall"), root: root, racks: racks, trays: trays, rows: rows, depthM: depthM,
            planM: (Double(racksPerRow) * pitchM, rows == 2 ? 2 * depthM + aisleM : depthM))
    }

    /// `plenum.blowers`: at least one, each with its curve, count and speed.
    static func readBlowers(_ pl: ConfigNode) throws -> [Blower] {
        var blowers: [Blower] = []
        for b in try pl.array("blowers") {
            try b.checkKeys(allowed: ["name", "count", "curve", "rpm"])
            let curve = try GenericCase.fanCurve(try b.required("curve"))
            let n = try b.int("count", default: 1)
            if n < 1 { throw b.error("count", "must be ≥ 1 (got \(n))") }
            blowers.append(
                Blower(
                    name: try b.string("name", default: "blower\(blowers.count + 1)"), count: n, curve: curve,
                    rpm: try b.double("rpm", default: curve.referenceRPM, "must be > 0 rev/min") { $0 > 0 }))
        }
        if blowers.isEmpty { throw pl.error("blowers", "the plenum needs at least one blower") }
        return blowers
    }

    /// The layout's positions, then the `racks:` entries that change them (rack file, duct,
    /// slot blockage); every rack must fit its footprint. `rack` parses a rack file once.
    static func readRacks(
        _ root: ConfigNode, rows: Int, racksPerRow: Int, pitchM: Double, depthM: Double, aisleM: Double,
        defaultRack: (String, RackSpec), defaultDuct: Resistance, rack: (ConfigNode) throws -> (String, RackSpec)
    ) throws -> [Placement] {
        var racks: [Placement] = []
        for r in 0..<rows {
            for i in 0..<racksPerRow {
                let y0 = r == 0 ? 0 : depthM + aisleM
                racks.append(
                    Placement(
                        name: String(format: "%@%02d", r == 0 ? "A" : "B", i + 1), row: r, index: i,
                        rackFile: defaultRack.0, rack: defaultRack.1, originM: (Double(i) * pitchM, y0),
                        doorFacesPlusY: r == 0, duct: defaultDuct, slotBlockage: 0, node: root))
            }
        }
        var seen: [String: Int] = [:]
        for e in try root.optionalArray("racks") {
            try e.checkKeys(allowed: ["name", "rack", "duct", "slotBlockage"])
            let n = try e.string("name")
            guard let k = racks.firstIndex(where: { $0.name == n }) else {
                throw e.error(
                    "name",
                    "no rack position '\(n)' in this layout (positions: \(racks.first!.name)…\(racks.last!.name))")
            }
            if let line = seen[n] {
                throw e.error("name", "duplicate rack name '\(n)' (already given at line \(line))")
            }
            seen[n] = e.line ?? 0
            if let ref = e.child("rack") { (racks[k].rackFile, racks[k].rack) = try rack(ref) }
            if let d = e.child("duct") { racks[k].duct = try Self.resistance(d) }
            racks[k].slotBlockage = try e.double(
                "slotBlockage", default: 0, "must be ≥ 0 and < 1 (a fraction of the slot area; 1 would starve the rack)"
            ) { $0 >= 0 && $0 < 1 }
            racks[k].node = e
        }
        // A rack wider or deeper than its footprint would overlap its neighbour.
        for p in racks {
            let (w, d, _) = p.rack.innerSizeM
            if w > pitchM + 1e-9 || d > depthM + 1e-9 {
                throw p.node.error(
                    "rack",
                    "rack \(p.name) (\(p.rackFile)) is \(configFormat(w)) m wide and \(configFormat(d)) m deep "
                        + "inside, more than the layout's pitch \(configFormat(pitchM)) m or depth "
                        + "\(configFormat(depthM)) m"
                )
            }
        }
        return racks
    }

    /// `cableTrays:`, each above the racks' roofs.
    static func readTrays(_ root: ConfigNode, racks: [Placement]) throws -> [CableTray] {
        var trays: [CableTray] = []
        var trayNames: Set<String> = []
        for t in try root.optionalArray("cableTrays") {
            try t.checkKeys(allowed: ["name", "x", "y", "z", "width"])
            let nm = try t.string("name", default: "tray\(trays.count + 1)")
            guard trayNames.insert(nm).inserted else { throw t.error("name", "duplicate cable-tray name '\(nm)'") }
            let x = try t.required("x").doubles(count: 2)
            if !(x[0] < x[1]) { throw t.error("x", "must be [from, to] with from < to (m)") }
            let z = try t.double("z", "must be > 0 m") { $0 > 0 }
            let maxRackHeight = racks.map { $0.rack.innerSizeM.2 }.max()!
            if z <= maxRackHeight {
                throw t.error(
                    "z",
                    "must be above the racks' roofs (\(configFormat(maxRackHeight)) m): trays run over the exhausts "
                        + "(got \(configFormat(z)))"
                )
            }
            trays.append(
                CableTray(
                    name: nm, fromXM: x[0], toXM: x[1], yM: try t.double("y"), zM: z,
                    widthM: try t.double("width", default: 0.3, "must be > 0 m") { $0 > 0 }))
        }
        return trays
    }

    /// `{linear: Pa·s/m³, quadratic: Pa·s²/m⁶}`, both ≥ 0, absent keys 0; an absent node is no loss.
    static func resistance(_ n: ConfigNode?) throws -> Resistance {
        guard let n else { return Resistance() }
        try n.checkKeys(allowed: ["linear", "quadratic"])
        return Resistance(
            linearPaSPerM3: try n.double("linear", default: 0, "must be ≥ 0 Pa·s/m³ (a resistance cannot push air)") {
                $0 >= 0
            },
            quadraticPaS2PerM6: try n.double(
                "quadratic", default: 0, "must be ≥ 0 Pa·s²/m⁶ (a resistance cannot push air)"
            ) { $0 >= 0 })
    }

    /// The rack's design flow (its file's `inlet.flow`), m³/s.
    public static func designFlow(_ r: RackSpec) -> Double {
        if case let .flow(q) = r.inlet { return q }
        return 0
    }

    /// The duct loss of rack `k` including its slot blockage: an orifice of free-area ratio
    /// 1 − blockage over the inlet rectangle (Idelchik's sharp-edged plate, ζ referred to the
    /// approach velocity Q / A_slot), `Δp = ζ ρ Q² / (2 A²)`, added to the duct's quadratic term.
    public func effectiveDuct(_ k: Int, densityKgPerM3: Double) throws -> Resistance {
        let p = racks[k]
        var d = p.duct
        guard p.slotBlockage > 0 else { return d }
        let a = (p.rack.inletHi.0 - p.rack.inletLo.0) * (p.rack.inletHi.1 - p.rack.inletLo.1)
        let zeta = try PerforatedPlate.sharpEdgedZeta(freeArea: 1 - p.slotBlockage)
        d.quadraticPaS2PerM6 += zeta * densityKgPerM3 / (2 * a * a)
        return d
    }
}
