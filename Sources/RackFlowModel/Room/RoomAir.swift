import Foundation
import RackFlowNumerics
import RackFlowPhysics

/// The room's air as a solved domain (DESIGN §3 "Scale-out"): the hall around and above the
/// racks, driven one way by the racks' exhausts. Built as a generic case (`GenericCase`), so it
/// is solved, balanced and written like any other case.
///
/// What is in it (room frame shifted by the hall's margin, so the hall's lower corner is the
/// case's origin; `originM` is that corner in the room frame):
/// - floor, walls and ceiling: still adiabatic walls (the hall's envelope is assumed not to
///   exchange heat: every watt the racks put out leaves through the returns);
/// - each rack: a solid block over its whole footprint (pitch × depth, glass side panels and
///   doors included) from the floor to its roof;
/// - each rack's roof exhaust: the room air can only be fed through the domain's sides, so the
///   exhaust's flow enters through the floor under the exhaust rectangle as flow inlets and
///   rises through a vertical duct cut out of the rack's block (adiabatic walls) to the roof
///   opening. With the rack's exhaust profile (`TrayProbes.Exhaust.profile`, from its solve) the
///   duct is split into sub-ducts by walls, each fed its tiles' share of the flow at their
///   mixed-cup temperature (`ExhaustDucts`), so the air leaves the roof with the rack's flow
///   (m³/s) and heat, and the shape of its profile at the sub-ducts' resolution (about 10 cm);
///   without one, uniformly at the mixed-cup temperature. It leaves vertically (the rack's
///   exhaust is close to vertical: it rises out of a 2 m tube). An opening edge closer to the
///   footprint's edge than a quarter of the near spacing is moved onto it (see Grid);
/// - each cable tray: a porous block, the tray's width and length and `hall.trayHeight` deep,
///   with the Forchheimer loss of a perforated plate of the tray's free-area ratio spread over its
///   depth (below);
/// - each ceiling return grille: a pressure outlet at room pressure (0 Pa gauge).
///
/// Buoyancy on (Boussinesq), energy on, and `hall.turbulence`: the k–ε model with buoyant
/// production by default (its length scale k^{3/2}/ε travels with the plume, as a plume's width
/// grows with height), or the Prandtl mixing length `ℓ = min(κ d, 0.09 δ)` with δ the ceiling
/// height, which is several times a plume's width over most of the hall (docs/validation.md: the
/// plume checks).
///
/// Tray loss: a layer of thickness `t` whose pressure drop for air crossing it at approach speed
/// `u` is a perforated plate's, `Δp = ζ ½ ρ u²`, with ζ from the free-area ratio f by Idelchik's
/// sharp-edged form `ζ = [(1 − f) + 0.707 (1 − f)^0.375]² / f²` (I. E. Idelchik, *Handbook of
/// Hydraulic Resistance*, diagram 8-1; `PerforatedPlate.sharpEdgedZeta`). As a Darcy–Forchheimer
/// volume, `Δp = ½ ρ C2 u² t`, so `C2 = ζ / t` (1/m) and no Darcy term (1/K = 0: the Reynolds
/// numbers of air through cable bundles are turbulent). The same C2 on every axis (a first
/// version: a real tray's side rails block horizontal flow more).
///
/// Grid: tensor product (`GridGenerator`), cells of at most `hall.spacing` in a block around the
/// racks and trays (their plan grown by four cells, from the floor to four cells above the
/// highest tray), graded at `hall.neighbourRatio` to at most `hall.maxSpacing` towards the walls
/// and the ceiling. Object edges closer than a quarter of `hall.spacing` share one grid line.
public struct RoomAir {
    public let spec: RoomSpec
    /// The racks' exhausts (room frame), in `spec.racks` order: the case's inflows.
    public let exhausts: [TrayProbes.Exhaust]
    /// The case's origin in the room frame, m: (−margin, −margin, 0).
    public let originM: SIMD3<Double>
    public let genericCase: GenericCase
    /// Fine zones per axis (case frame): (lo, hi, spacing), m.
    public let zones: [[(Double, Double, Double)]]
    /// Per rack (`spec.racks` order): the sub-ducts its exhaust is fed through (`ExhaustDucts`).
    public let ducts: [[ExhaustDucts.Duct]]
    /// Temperature of air that re-enters through a return, °C: the mixed-cup mean of the
    /// exhausts (the air of the return plenum, which only the exhausts feed).
    public let backflowTemperatureC: Double

    /// The hall of `spec` fed by `exhausts` (one per rack). `spacingM` overrides `hall.spacing`
    /// (and `hall.maxSpacing` when that would fall below it), for quick looks.
    public init(spec: RoomSpec, exhausts: [TrayProbes.Exhaust], spacingM: Double? = nil) throws {
        self.spec = spec
        self.exhausts = exhausts
        let hall = spec.hall
        let anchor = ConfigNode.anchor(file: spec.file, keyPath: "hall")
        guard exhausts.count == spec.racks.count else {
            throw anchor.error("room air: \(exhausts.count) exhausts for \(spec.racks.count) racks")
        }
        for e in exhausts { try Self.check(e) }
        guard let mixedC = Self.mixedCupC(exhausts.map { ($0.flowM3PerS, $0.temperatureC) }) else {
            throw anchor.error("room air: the racks' exhausts carry no air")
        }
        backflowTemperatureC = mixedC

        let m = hall.marginM
        originM = SIMD3(-m, -m, 0)
        let plan = spec.footprintM
        let size = (plan.x + 2 * m, plan.y + 2 * m, hall.ceilingHeightM)
        let node = anchor

        // Racks: the footprint minus the exhaust duct, as up to four solid boxes around it.
        var (boxes, planes, patches, ducts) = try Self.racks(
            spec, exhausts, marginM: m, spacingM: spacingM ?? hall.spacingM, node: node)
        self.ducts = ducts
        // Trays.
        let zeta = try PerforatedPlate.sharpEdgedZeta(freeArea: hall.trayFreeArea)
        let c2 = zeta / hall.trayHeightM
        let trayCoefficients = PorousCoefficients(inverseKPerM2: (0, 0, 0), c2PerM: (c2, c2, c2))
        for t in spec.trays {
            boxes.append(
                GenericCase.Box(
                    name: "tray-\(t.name)", lo: (t.fromXM + m, t.yM - t.widthM / 2 + m, t.zM - hall.trayHeightM / 2),
                    hi: (t.toXM + m, t.yM + t.widthM / 2 + m, t.zM + hall.trayHeightM / 2), kind: .porous,
                    porous: trayCoefficients, comment: "cable tray \(t.name), ζ \(configFormat(zeta))", node: node))
        }
        for r in hall.returns {
            patches.append(
                GenericCase.PatchSpec(
                    patch: Patch(
                        name: r.name, side: .top, lo: (r.xM[0] + m, r.yM[0] + m), hi: (r.xM[1] + m, r.yM[1] + m),
                        kind: .pressureOutlet(pressurePa: 0, backflowTemperatureC: backflowTemperatureC)),
                    comment: "ceiling return grille", node: node))
        }

        // Fine block around racks and trays.
        let fine = spacingM ?? hall.spacingM
        let coarse = max(hall.maxSpacingM, fine)
        zones = Self.fineZones(spec, exhausts, marginM: m, spacingM: fine, size: size)

        // Lines closer than a quarter of the near spacing merge (a box edge moves by at most that):
        // at 5 cm the racks' 2.5 cm side and door panels keep their lines; on a coarse look the
        // panels vanish instead of forcing centimetre cells graded out over the hall.
        let constraints = GridConstraints(
            maxSpacingM: coarse, maxNeighbourRatio: hall.neighbourRatio, minCellsAcrossPart: 1, minSpacingM: fine / 4)
        var options = SimpleOptions()
        options.maxIterations = hall.maxIterations
        options.tolerance = hall.tolerance
        let fluid = spec.racks[0].rack.base.fluid
        genericCase = GenericCase(
            name: "\(spec.name)-air", file: spec.file, size: size, constraints: constraints, fluid: fluid,
            gravity: true, energy: true,
            turbulence: hall.kEpsilon ? .kEpsilon : .mixingLength(deltaM: hall.ceilingHeightM),
            initialTemperatureC: backflowTemperatureC, boxes: boxes, planes: planes, patches: patches, options: options,
            root: anchor)
        try genericCase.validate()
    }

    /// The mixed-cup temperature of air streams (flow m³/s, temperature °C): Σ q T / Σ q, the
    /// temperature of the return plenum that only the exhausts feed; nil when no air flows.
    public static func mixedCupC(_ streams: [(flowM3PerS: Double, temperatureC: Double)]) -> Double? {
        let total = streams.reduce(0) { $0 + $1.flowM3PerS }
        guard total > 0 else { return nil }
        return streams.reduce(0) { $0 + $1.flowM3PerS * $1.temperatureC } / total
    }

    /// An exhaust's flow must be finite and ≥ 0, its temperature finite, and its profile, if any,
    /// well formed: 1–16 tiles per axis, one finite outflow ≥ 0 and temperature per tile (`frame`,
    /// if given, is named in the error).
    public static func check(_ e: TrayProbes.Exhaust, frame: Int? = nil) throws {
        let at = frame.map { "at frame \($0) " } ?? ""
        guard e.flowM3PerS >= 0 && e.flowM3PerS.isFinite && e.temperatureC.isFinite else {
            throw RoomError.rack(
                name: e.rack, rank: 0,
                reason: "room air: \(at)its exhaust carries \(e.flowM3PerS) m³/s at \(e.temperatureC) °C (must be "
                    + "finite, ≥ 0)")
        }
        // A profile read back from a checkpoint has not been through `ExhaustProfile.init`.
        guard let p = e.profile else { return }
        let count = p.tiles.count == 2 ? p.tiles[0] * p.tiles[1] : -1
        let tilesOK = p.tiles.count == 2 && p.tiles.allSatisfy { (1...ExhaustProfile.maxTilesPerAxis).contains($0) }
        guard tilesOK, p.outflowM3PerS.count == count, p.temperatureC.count == count, p.loM.count == 2,
            p.hiM.count == 2, p.outflowM3PerS.allSatisfy({ $0 >= 0 && $0.isFinite }),
            p.temperatureC.allSatisfy(\.isFinite)
        else {
            throw RoomError.rack(
                name: e.rack, rank: 0,
                reason: "room air: \(at)its exhaust profile is malformed (tiles \(p.tiles), \(p.outflowM3PerS.count) "
                    + "outflows, \(p.temperatureC.count) temperatures; each must be finite, outflows ≥ 0)")
        }
    }

    /// Each rack's footprint minus its exhaust duct, as up to four solid boxes around it (case
    /// frame: the room's shifted by the margin), and its exhaust as a flow inlet in the floor.
    static func racks(
        _ spec: RoomSpec, _ exhausts: [TrayProbes.Exhaust], marginM m: Double, spacingM: Double, node: ConfigNode
    ) throws -> (
        boxes: [GenericCase.Box], planes: [GenericCase.Plane], patches: [GenericCase.PatchSpec],
        ducts: [[ExhaustDucts.Duct]]
    ) {
        var boxes: [GenericCase.Box] = []
        var planes: [GenericCase.Plane] = []
        var patches: [GenericCase.PatchSpec] = []
        var ducts: [[ExhaustDucts.Duct]] = []
        for (k, p) in spec.racks.enumerated() {
            let e = exhausts[k]
            let fx = (p.originM.0 + m, p.originM.0 + spec.pitchM + m)
            let fy = (p.originM.1 + m, p.originM.1 + spec.depthM + m)
            var ex = (e.loM.x + m, e.hiM.x + m), ey = (e.loM.y + m, e.hiM.y + m)
            let eps = 1e-9
            guard ex.0 >= fx.0 - eps, ex.1 <= fx.1 + eps, ey.0 >= fy.0 - eps, ey.1 <= fy.1 + eps, e.areaM2 > 0 else {
                throw RoomError.rack(
                    name: p.name, rank: 0,
                    reason: "room air: its exhaust rectangle does not lie on its roof (footprint \(fx), \(fy) m)")
            }
            // An exhaust edge within the line-merge distance of the footprint's moves onto it (the
            // panel between is thinner than the grid can hold): the opening widens by that strip.
            let merge = spacingM / 4
            if ex.0 - fx.0 < merge { ex.0 = fx.0 }
            if fx.1 - ex.1 < merge { ex.1 = fx.1 }
            if ey.0 - fy.0 < merge { ey.0 = fy.0 }
            if fy.1 - ey.1 < merge { ey.1 = fy.1 }
            let h = e.roofZM
            let pieces: [((Double, Double), (Double, Double), String)] = [
                (fx, (fy.0, ey.0), "front"), (fx, (ey.1, fy.1), "back"),
                ((fx.0, ex.0), ey, "left"), ((ex.1, fx.1), ey, "right"),
            ]
            for (x, y, side) in pieces where x.1 - x.0 > eps && y.1 - y.0 > eps {
                boxes.append(
                    GenericCase.Box(
                        name: "rack-\(p.name)-\(side)", lo: (x.0, y.0, 0), hi: (x.1, y.1, h), kind: .solid,
                        comment: "rack \(p.name) (\(p.rackFile)) around its exhaust duct", node: node))
            }
            // The exhaust's profile through sub-ducts (`ExhaustDucts`), the walls between them.
            let layout = ExhaustDucts.layout(e, opening: (ex, ey), shiftM: m, spacingM: spacingM)
            for (d, v) in zip(layout.ducts, ExhaustDucts.values(layout.ducts, e)) {
                patches.append(
                    GenericCase.PatchSpec(
                        patch: Patch(
                            name: d.name, side: .bottom, lo: d.lo, hi: d.hi,
                            kind: .flowInlet(flowM3PerS: v.flowM3PerS, temperatureC: v.temperatureC)),
                        comment: "rack \(p.name)'s roof exhaust, fed through its duct", node: node))
            }
            // Walls normal to x span the opening's y, walls normal to y its x; floor to roof.
            for (axis, walls, across) in [(0, layout.wallsX, ey), (1, layout.wallsY, ex)] {
                for (g, position) in walls.enumerated() {
                    var wall = GenericCase.Plane(
                        name: "duct-\(p.name)-\(axis == 0 ? "x" : "y")\(g)", axis: axis, position: position,
                        lo: (across.0, 0), hi: (across.1, h), kind: .wall,
                        comment: "between rack \(p.name)'s exhaust sub-ducts", node: node)
                    wall.onNearestLine = true
                    planes.append(wall)
                }
            }
            ducts.append(layout.ducts)
        }
        return (boxes, planes, patches, ducts)
    }

    /// The fine zone per axis around racks and trays, grown by four fine cells, up to the
    /// highest tray or roof.
    static func fineZones(
        _ spec: RoomSpec, _ exhausts: [TrayProbes.Exhaust], marginM m: Double, spacingM fine: Double,
        size: (Double, Double, Double)
    ) -> [[(Double, Double, Double)]] {
        let hall = spec.hall
        let grow = 4 * fine
        let xs = spec.racks.map { $0.originM.0 } + spec.trays.map(\.fromXM)
        let xe = spec.racks.map { $0.originM.0 + spec.pitchM } + spec.trays.map(\.toXM)
        let ys = spec.racks.map { $0.originM.1 } + spec.trays.map { $0.yM - $0.widthM / 2 }
        let ye = spec.racks.map { $0.originM.1 + spec.depthM } + spec.trays.map { $0.yM + $0.widthM / 2 }
        let top = (spec.trays.map { $0.zM + hall.trayHeightM / 2 } + exhausts.map(\.roofZM)).max()!
        func clip(_ a: Double, _ b: Double, _ hi: Double) -> (Double, Double, Double) {
            (max(a - grow, 0), min(b + grow, hi), fine)
        }
        return [
            [clip(xs.min()! + m, xe.max()! + m, size.0)], [clip(ys.min()! + m, ye.max()! + m, size.1)],
            [(0, min(top + grow, size.2), fine)],
        ]
    }

    /// The grid (lines at every box and the fine zones), the tagged case and its options.
    public func compile(
        availableBytes: Double? = ResourceEstimate.availableBytes()
    ) throws -> (
        FlowCase, SimpleOptions, report: VoxelReport
    ) {
        let gc = genericCase
        let grid: Grid
        do {
            grid = try GridGenerator.grid(
                domainLo: (0, 0, 0), domainHi: gc.size, boxes: gc.boxes.map { ($0.lo, $0.hi) }, planes: [],
                constraints: gc.constraints, zones: zones)
        } catch let e as InputError where e.file == nil {
            throw gc.root.error("spacing", "room air grid: \(e.problem)")
        }
        let estimate = ResourceEstimate(
            nx: grid.nx, ny: grid.ny, nz: grid.nz, iterations: ResourceEstimate.typicalIterations)
        if let why = estimate.refusal(available: availableBytes) { throw gc.root.error("spacing", "room air: \(why)") }
        let vboxes = gc.boxes.map { b in
            VoxelBox(name: b.name, lo: b.lo, hi: b.hi, tag: b.kind == .solid ? .solid : .porous)
        }
        return try gc.compile(on: grid, vboxes)
    }

    /// A room-frame point in the case frame, m.
    public func casePoint(_ roomM: SIMD3<Double>) -> SIMD3<Double> { roomM - originM }
}
