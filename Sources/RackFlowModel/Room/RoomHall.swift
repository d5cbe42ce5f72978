import Foundation

/// The hall around and above the racks (the room file's optional `hall:` key), for the room-air
/// solve (`RoomAir`). Every value has an *assumed* default, so a room file without `hall:` works
/// unchanged; the defaults are stated in docs/configuration.md (room files, `hall`).
///
/// Room frame as the rest of the room file (x along the rows, y across them, z up; metres). The
/// hall's plan is the racks' footprint grown by `marginM` on every side; its ceiling is at
/// `ceilingHeightM`; air leaves it only through the ceiling return grilles (`returns`), at room
/// pressure.
extension RoomSpec {
    public struct Hall: Sendable {
        /// A return grille in the ceiling: a plan rectangle, m (room frame).
        public struct Return: Codable, Sendable {
            public var name: String
            public var xM: [Double]
            public var yM: [Double]
        }
        /// Free floor between the racks' footprint and the walls on every side, m.
        public var marginM: Double
        public var ceilingHeightM: Double
        public var returns: [Return]
        /// Largest cell near the racks and trays (the block from the floor to above the highest
        /// tray over the racks' plan), m; `maxSpacingM` away from it, graded at `neighbourRatio`.
        public var spacingM: Double
        public var maxSpacingM: Double
        public var neighbourRatio: Double
        /// Depth of every cable tray (its width is the tray's own `width`), m, and the free-area
        /// ratio of the tray with its cables seen by air crossing it.
        public var trayHeightM: Double
        public var trayFreeArea: Double
        /// Outer-iteration limit of the room-air steady solve, and its residual tolerance (largest
        /// per-iteration change over the reference; `SimpleOptions.tolerance`).
        public var maxIterations: Int
        public var tolerance: Double
        /// The hall's turbulence model: k–ε (the default), whose plumes' centreline velocity
        /// follows the closed forms and whose buoyancy errs 14–36 % warm, or the mixing length
        /// (ℓ ≤ 0.09 × the ceiling height), faster in small halls but diffusing a plume sideways:
        /// half the velocity and a fifth of the buoyancy above a square patch (docs/validation.md).
        public var kEpsilon: Bool
    }

    static let hallKeys = [
        "margin", "ceilingHeight", "returns", "spacing", "maxSpacing", "neighbourRatio", "trayHeight", "trayFreeArea",
        "maxIterations", "tolerance", "turbulence",
    ]

    /// Plan extent of the racks' footprints, m: x from 0 to racksPerRow × pitch, y from 0 to the
    /// far side of the last row.
    public var footprintM: (x: Double, y: Double) {
        (Double(racksPerRow) * pitchM, rows == 2 ? 2 * depthM + aisleM : depthM)
    }

    /// Reads `hall:` (absent: every default) for `racks` and `trays` on a plan of the racks'
    /// footprint `planM` (x, y) with `rows` rows `depthM` deep.
    static func readHall(
        _ n: ConfigNode?, root: ConfigNode, racks: [Placement], trays: [CableTray], rows: Int, depthM: Double,
        planM: (x: Double, y: Double)
    ) throws -> Hall {
        try n?.checkKeys(allowed: hallKeys)
        // What `n` lacks reads its default; errors still name `hall.KEY`.
        let h = n ?? ConfigNode.anchor(file: root.file, keyPath: "hall", line: root.line)
        let rackTopM = racks.map { $0.rack.innerSizeM.2 }.max()!
        // Assumed 0.1 m, or less where a tray hangs lower over the roofs (keeping a tenth of its
        // clearance), so that a room file without `hall:` loads whatever its trays' heights.
        let clearanceM = trays.map { $0.zM - rackTopM }.min() ?? .infinity
        let trayHeightM = try h.double(
            "trayHeight", default: min(0.1, 1.8 * clearanceM),
            "must be > 0 m (the depth of a cable tray; assumed 0.1 m)"
        ) { $0 > 0 }
        let trayFreeArea = try h.double(
            "trayFreeArea", default: 0.5,
            "must be > 0 and ≤ 1 (the open fraction of a tray with its cables; 1 is no tray, assumed 0.5)"
        ) { $0 > 0 && $0 <= 1 }
        for t in trays where t.zM - trayHeightM / 2 <= rackTopM {
            throw h.error(
                "trayHeight",
                "tray \(t.name) at z \(configFormat(t.zM)) m would reach down to the rack roofs "
                    + "(\(configFormat(rackTopM)) m) with a depth of \(configFormat(trayHeightM)) m")
        }
        let trayTopM = trays.map { $0.zM + trayHeightM / 2 }.max() ?? rackTopM
        // Assumed: a 3 m slab-to-ceiling hall, raised where trays or racks would come within
        // 0.4 m / 1 m of it (room for the plumes to turn towards the returns).
        let defaultCeilingM = max(3.0, trayTopM + 0.4, rackTopM + 1.0)
        let ceilingHeightM = try h.double("ceilingHeight", default: defaultCeilingM, "must be > 0 m") { $0 > 0 }
        if ceilingHeightM <= trayTopM || ceilingHeightM <= rackTopM {
            throw h.error(
                "ceilingHeight",
                "must be above the racks (\(configFormat(rackTopM)) m) and the tops of the cable trays "
                    + "(\(configFormat(trayTopM)) m) (got \(configFormat(ceilingHeightM)))")
        }
        let marginM = try h.double(
            "margin", default: 1.0, "must be ≥ 0 m (free floor around the racks; assumed 1.0 m)"
        ) { $0 >= 0 }
        let spacingM = try h.double("spacing", default: 0.05, "must be > 0 m (cells near racks and trays)") {
            $0 > 0
        }
        let maxSpacingM = try h.double("maxSpacing", default: 0.25, "must be > 0 m") { $0 > 0 }
        if maxSpacingM < spacingM {
            throw h.error(
                "maxSpacing",
                "must be ≥ spacing (\(configFormat(spacingM)) m): it is the coarsest cell, away from the racks "
                    + "(got \(configFormat(maxSpacingM)))")
        }
        let ratio = try h.double("neighbourRatio", default: 1.2, "must be ≥ 1 and ≤ 2") { $0 >= 1 && $0 <= 2 }
        let maxIterations = try h.int("maxIterations", default: 3000)
        if maxIterations < 1 { throw h.error("maxIterations", "must be ≥ 1 (got \(maxIterations))") }
        // Assumed 1e-5, not the racks' 1e-6: the tray monitors (0.05 K) and the balances decide;
        // a hall's slow corner eddies creep below 1e-5 hundreds of iterations before 1e-6.
        let tolerance = try h.double("tolerance", default: 1e-5, "must be > 0 and < 0.1") { $0 > 0 && $0 < 0.1 }

        let kEpsilon = try h.choice("turbulence", ["mixingLength", "kEpsilon"], default: "kEpsilon") == "kEpsilon"
        let returns = try readReturns(n, h, rows: rows, depthM: depthM, planM: planM, marginM: marginM)
        return Hall(
            marginM: marginM, ceilingHeightM: ceilingHeightM, returns: returns, spacingM: spacingM,
            maxSpacingM: maxSpacingM, neighbourRatio: ratio, trayHeightM: trayHeightM, trayFreeArea: trayFreeArea,
            maxIterations: maxIterations, tolerance: tolerance, kEpsilon: kEpsilon)
    }

    /// `hall.returns`: given, or (assumed) one ceiling grille per row, 0.6 m wide, along the
    /// whole row over the racks' backs, where their roof exhausts are. `h` names errors
    /// `hall.KEY` when `n` is absent.
    static func readReturns(
        _ n: ConfigNode?, _ h: ConfigNode, rows: Int, depthM: Double, planM: (x: Double, y: Double), marginM: Double
    ) throws -> [Hall.Return] {
        let (planX, planY) = planM
        var returns: [Hall.Return] = []
        if let list = n?.child("returns") {
            var names: Set<String> = []
            for r in try list.array() {
                try r.checkKeys(allowed: ["name", "x", "y"])
                let nm = try r.string("name", default: "return\(returns.count + 1)")
                guard names.insert(nm).inserted else { throw r.error("name", "duplicate return name '\(nm)'") }
                let x = try r.required("x").doubles(count: 2), y = try r.required("y").doubles(count: 2)
                for (key, v, hi) in [("x", x, planX), ("y", y, planY)] {
                    if !(v[0] < v[1]) { throw r.error(key, "must be [from, to] with from < to (m, room frame)") }
                    if v[0] < -marginM - 1e-9 || v[1] > hi + marginM + 1e-9 {
                        throw r.error(
                            key,
                            "return '\(nm)' reaches outside the hall's ceiling (\(key) from "
                                + "\(configFormat(-marginM)) to \(configFormat(hi + marginM)) m with margin "
                                + "\(configFormat(marginM)) m)")
                    }
                }
                returns.append(Hall.Return(name: nm, xM: x, yM: y))
            }
            if returns.isEmpty {
                throw h.error("returns", "the hall needs at least one return grille: air has no way out")
            }
        } else {
            let width = min(0.6, depthM)
            for row in 0..<rows {
                // Row A's doors face +y, so its backs are at y = 0; row B's at the far side.
                let y0 = row == 0 ? 0 : planY - width
                returns.append(
                    Hall.Return(name: "return-\(row == 0 ? "A" : "B")", xM: [0, planX], yM: [y0, y0 + width]))
            }
        }
        return returns
    }
}
