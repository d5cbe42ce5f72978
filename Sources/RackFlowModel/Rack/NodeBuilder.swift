import Foundation
import RackFlowPhysics
import RackFlowNumerics

/// Builds one node of a rack into the rack's generic case: its chassis, board, memory, CPU
/// cooler, GPUs, NIC and PSU as boxes and planes placed in the rack frame, and their parts,
/// fans and node record in the layout (`RackCompiler` states the modelling choices). Parts are
/// given in the chassis frame and each is checked against the chassis.
struct NodeBuilder {
    let t: NodeType
    let ch: ChassisSpec
    let slot: RackSpec.Slot
    /// Chassis width, depth and height, m.
    let Wc: Double, Dc: Double, Hn: Double
    /// The chassis' lower corner in the rack frame, m.
    let ox: Double, oy: Double, oz: Double
    /// The node's name, the prefix of everything it adds.
    let n: String
    var gc: GenericCase
    var layout: RackLayout
    /// The planes the node's air leaves by.
    var exits: [String] = []
    /// DC load of the node's parts, W (the PSU's losses come on top).
    var dc = 0.0

    init(_ s: RackSpec.Slot, rack: RackSpec, case gc: GenericCase, layout: RackLayout) {
        t = s.type
        ch = t.chassis.spec
        slot = s
        (Wc, Dc) = ch.sizeM
        Hn = Double(ch.units) * rack.unitHeightM
        ox = (rack.innerSizeM.0 - Wc) / 2
        oy = rack.frontYM
        oz = rack.firstUnitZM + Double(s.unit - 1) * rack.unitHeightM
        n = s.name
        self.gc = gc
        self.layout = layout
    }

    /// Every part of the node, in the order the case lists them.
    mutating func build() throws {
        try chassis()
        try board()
        try memory()
        try cpu()
        try gpus()
        try nic()
        try psu()
    }

    /// Chassis: panels, front mesh, fan wall, rear vents.
    mutating func chassis() throws {
        let chN = t.chassis.node
        try plane("left-panel", 0, 0, (0, 0), (Dc, Hn), .wall, comment: "\(n): \(ch.name), \(t.name)", at: chN)
        try plane("right-panel", 0, Wc, (0, 0), (Dc, Hn), .wall, at: chN)
        try plane("floor", 2, 0, (0, 0), (Wc, Dc), .wall, at: chN)
        try plane("ceiling", 2, Hn, (0, 0), (Wc, Dc), .wall, at: chN)
        try plane("rear-panel", 1, Dc, (0, 0), (Wc, Hn), .wall, at: chN)
        try plane("front-mesh", 1, 0, (0, 0), (Wc, Hn), .sheet(zeta: ch.frontZeta), at: chN)
        try plane("fan-wall", 1, ch.fanWallYM, (0, 0), (Wc, Hn), .wall, at: t.chassis.spec.fanWallNode)
        let fanSize = t.fan.spec.sizeM
        for (i, c) in ch.fanCorners.enumerated() {
            let rpm = t.fanSpeedsRPM?[i] ?? t.fan.spec.rpm
            try plane(
                "fan\(i + 1)", 1, ch.fanWallYM, c, (c.0 + fanSize, c.1 + fanSize),
                .fan(curve: t.fan.spec.curve, rpm: rpm, direction: 1),
                comment: "\(t.fan.spec.name) at \(String(format: "%.0f", rpm)) rpm" + (rpm == 0 ? " (stopped)" : ""),
                at: ch.fanWallNode)
            layout.fans.append(
                RackLayout.FanInfo(name: "\(n)/fan\(i + 1)", node: n, kind: "intake", model: t.fan.spec.name))
        }
        for v in ch.rearVents {
            try plane("vent-\(v.name)", 1, Dc, v.lo, v.hi, .sheet(zeta: v.zeta), at: v.node)
            exits.append("\(n)/vent-\(v.name)")
        }
    }

    /// Board: a solid slab, its VRM/chipset losses in the air of its heat region.
    mutating func board() throws {
        let bd = t.board.spec, (bx, by) = t.boardPosition, bt = bd.sizeM.2
        try box(
            "board", (bx, by, 0), (bx + bd.sizeM.0, by + bd.sizeM.1, bt), .solid, comment: bd.name, at: t.board.node)
        try box(
            "board-vrm", (bx + bd.heatLo.0, by + bd.heatLo.1, bt),
            (bx + bd.heatHi.0, by + bd.heatHi.1, bt + bd.heatHeightM),
            .heat, powerW: bd.powerW, comment: "VRM and chipset losses, released in the air above the board",
            at: t.board.node)
        part(
            "board", kind: "board", model: bd.name, powerW: bd.powerW, limitC: bd.limitC, thermal: bd.thermal,
            region: "board-vrm")
        dc = bd.powerW
    }

    /// Memory rows: porous (modules are plates normal to x), each row's heat inside it.
    mutating func memory() throws {
        let mm = t.memory.spec
        for (i, b) in t.banks.enumerated() {
            let name = "memory-\(Character(UnicodeScalar(65 + i)!))"
            let p = mm.powerW * Double(b.count)
            let stack = PlateStack(gapM: mm.pitchM - mm.sizeM.0, plateThicknessM: mm.sizeM.0)
            try box(
                name, (b.x, b.y, bt), (b.x + Double(b.count) * mm.pitchM, b.y + mm.sizeM.1, bt + mm.sizeM.2), .porous,
                porous: RackCompiler.plates(stack, normal: 0, lengthM: mm.sizeM.1), powerW: p,
                comment: "\(b.count) × \(mm.name)",
                at: b.node)
            part(
                name, kind: "memory", model: "\(b.count) × \(mm.name)", powerW: p, modelPowerW: mm.powerW,
                limitC: mm.limitC,
                thermal: mm.thermal, region: name)
            dc += p
        }
    }

    /// CPU under its tower cooler: solid base, porous fins (plates normal to z) with the CPU's
    /// power, fan on the front face.
    mutating func cpu() throws {
        let co = t.cooler.spec, (cx, cy) = t.coolerPosition
        let baseLo = (cx + (co.sizeM.0 - co.baseM.0) / 2, cy + (co.sizeM.1 - co.baseM.1) / 2)
        try box(
            "cpu-base", (baseLo.0, baseLo.1, bt), (baseLo.0 + co.baseM.0, baseLo.1 + co.baseM.1, bt + co.baseM.2),
            .solid,
            comment: "\(t.cpu.spec.name): socket, heat-pipe base", at: t.cpu.node)
        try box(
            "cpu-fins", (cx, cy, bt + co.baseM.2), (cx + co.sizeM.0, cy + co.sizeM.1, bt + co.sizeM.2), .porous,
            porous: RackCompiler.plates(co.fins, normal: 2, lengthM: co.sizeM.1), powerW: t.cpu.spec.powerW,
            comment: "\(co.name) fin stack, \(fmt(t.cpu.spec.powerW)) W", at: t.cpu.node)
        try plane(
            "cpu-fan", 1, cy, (cx, bt + co.baseM.2), (cx + co.sizeM.0, bt + co.sizeM.2), fanKind(co.fan, 1),
            comment: "\(co.fan.name) on the fin stack's front face", at: t.cooler.node)
        layout.fans.append(RackLayout.FanInfo(name: "\(n)/cpu-fan", node: n, kind: "cpu", model: co.fan.name))
        part(
            "cpu", kind: "cpu", model: t.cpu.spec.name, powerW: t.cpu.spec.powerW, limitC: t.cpu.spec.limitC,
            thermal: co.thermal, region: "cpu-fins")
        dc += t.cpu.spec.powerW
    }

    /// GPUs: each a duct (see `RackCompiler`).
    mutating func gpus() throws {
        let g = t.gpu.spec
        let (tg, Lg, Hg) = g.sizeM
        let y0 = Dc - Lg, zb = bt
        let xs = t.gpuSlots.map { t.slotX($0) }
        for (i, x0) in xs.enumerated() {
            let id = "gpu\(i + 1)"
            let at = t.gpu.node
            // The next card packed against this one's shroud?
            let next = xs.enumerated().filter { $0.element > x0 }.min { $0.element < $1.element }
            let prevPacked = xs.contains { $0 < x0 && x0 - ($0 + tg) < RackCompiler.packedGapM }
            if !prevPacked {
                try box(
                    "\(id)/pcb", (x0, y0, zb), (x0 + g.pcbThicknessM, Dc, zb + Hg), .solid,
                    comment: "\(g.name) in slot \(t.gpuSlots[i]): PCB, backplate, components", at: at)
            }
            if let nx = next?.element, nx - (x0 + tg) < RackCompiler.packedGapM {
                let gap = nx - (x0 + tg)
                guard gap > 0 else {
                    throw t.node("gpuSlots").error(
                        "GPUs in slots \(t.gpuSlots[i]) and \(t.gpuSlots[next!.offset]) overlap: \(fmt(tg)) m thick "
                            + "cards \(fmt(nx - x0)) m apart"
                    )
                }
                let width = nx + g.pcbThicknessM - (x0 + tg)
                try box(
                    "\(id)/gap", (x0 + tg, y0, zb), (nx + g.pcbThicknessM, Dc, zb + Hg), .porous,
                    porous: RackCompiler.plates(
                        PlateStack(gapM: gap, plateThicknessM: width - gap), normal: nil, lengthM: Lg),
                    comment: "\(fmt(gap * 1000)) mm gap to the next card and its PCB side: parallel-plate porous layer",
                    at: at)
            }
            let d0 = x0 + g.pcbThicknessM, d1 = x0 + tg
            try box(
                "\(id)/fins", (d0, Dc - g.finLengthM, zb), (d1, Dc, zb + Hg), .porous,
                porous: RackCompiler.plates(g.fins, normal: 2, lengthM: g.finLengthM), powerW: g.powerW,
                comment: "fin stack, \(fmt(g.powerW)) W", at: at)
            try plane("\(id)/pcb-wall", 0, d0, (y0, zb), (Dc, zb + Hg), .wall, at: at)
            try plane("\(id)/shroud-side", 0, d1, (y0 + g.intakeLengthM, zb), (Dc, zb + Hg), .wall, at: at)
            try plane("\(id)/shroud-top", 2, zb + Hg, (d0, y0), (d1, Dc), .wall, at: at)
            try plane("\(id)/shroud-end", 1, y0, (d0, zb), (d1, zb + Hg), .wall, at: at)
            try plane(
                "\(id)/blower", 1, y0 + g.intakeLengthM, (d0, zb), (d1, zb + Hg), fanKind(g.blower, 1),
                comment: "\(g.blower.name), fed through the side intake", at: at)
            try plane("\(id)/bracket", 1, Dc, (d0, zb), (d1, zb + Hg), .sheet(zeta: g.bracketZeta), at: at)
            exits.append("\(n)/\(id)/bracket")
            // The impeller (the blower's frame size across) sits in the side intake ahead of the
            // plane, its disc in the card's plane.
            let impeller = RackLayout.Rotor(
                centreM: SIMD3(ox + (d0 + d1) / 2, oy + y0 + g.intakeLengthM / 2, oz + zb + Hg / 2), axis: 0,
                radiusM: g.blower.sizeM / 2)
            layout.fans.append(
                RackLayout.FanInfo(
                    name: "\(n)/\(id)/blower", node: n, kind: "gpu", model: g.blower.name, rotor: impeller))
            part(
                id, kind: "gpu", model: "\(g.name) (slot \(t.gpuSlots[i]))", powerW: g.powerW, limitC: g.limitC,
                thermal: g.thermal, region: "\(id)/fins")
            if g.idlePowerW > 0 { layout.parts[layout.parts.count - 1].idlePowerW = g.idlePowerW }
            dc += g.powerW
        }
    }

    /// NIC: a finned block at the bracket end of its slot.
    mutating func nic() throws {
        if let nic = t.nic {
            let c = nic.spec, x0 = t.slotX(t.nicSlot) + c.offsetM
            let zb = bt
            try box(
                "nic", (x0, Dc - c.sizeM.1, zb), (x0 + c.sizeM.0, Dc, zb + c.sizeM.2), .porous,
                porous: RackCompiler.plates(c.fins, normal: 2, lengthM: c.sizeM.1), powerW: c.powerW,
                comment: "\(c.name) in slot \(t.nicSlot)", at: nic.node)
            part(
                "nic", kind: "nic", model: c.name, powerW: c.powerW, limitC: c.limitC, thermal: c.thermal, region: "nic"
            )
            dc += c.powerW
        }
    }

    /// PSU: porous internals with the conversion losses, own fan in the bottom face, grille at the
    /// back; then the node's record, which needs the losses.
    mutating func psu() throws {
        let ps = t.psu.spec, (px, py, pz) = t.psuPosition
        let (pw, pd, ph) = ps.sizeM
        let losses = dc * (1 / ps.efficiency - 1)
        try box(
            "psu", (px, py, pz), (px + pw, py + pd, pz + ph), .porous,
            porous: PorousCoefficients(
                inverseKPerM2: (ps.inverseKPerM2, ps.inverseKPerM2, ps.inverseKPerM2),
                c2PerM: (ps.c2PerM, ps.c2PerM, ps.c2PerM)),
            powerW: losses,
            comment: "\(ps.name): \(fmt(dc)) W load at η = \(ps.efficiency) → \(fmt(losses)) W of losses",
            at: t.psu.node)
        try plane("psu/left", 0, px, (py, pz), (py + pd, pz + ph), .wall, at: t.psu.node)
        try plane("psu/right", 0, px + pw, (py, pz), (py + pd, pz + ph), .wall, at: t.psu.node)
        try plane("psu/front", 1, py, (px, pz), (px + pw, pz + ph), .wall, at: t.psu.node)
        if pz + ph < Hn - 1e-9 { try plane("psu/top", 2, pz + ph, (px, py), (px + pw, py + pd), .wall, at: t.psu.node) }
        if pz > 1e-9 {
            try plane("psu/bottom", 2, pz, (px, py), (px + pw, py + pd), .wall, at: t.psu.node)
            let f = ps.fan.sizeM, fx = px + (pw - f) / 2, fyy = py + (pd - f) / 2
            try plane(
                "psu/fan", 2, pz, (fx, fyy), (fx + f, fyy + f), fanKind(ps.fan, 1),
                comment: "\(ps.fan.name), drawing air up into the PSU", at: t.psu.node)
            layout.fans.append(RackLayout.FanInfo(name: "\(n)/psu/fan", node: n, kind: "psu", model: ps.fan.name))
        }
        try plane("psu/grille", 1, py + pd, (px, pz), (px + pw, pz + ph), .sheet(zeta: ps.grilleZeta), at: t.psu.node)
        if abs(py + pd - Dc) < 1e-9 { exits.append("\(n)/psu/grille") }
        part("psu", kind: "psu", model: ps.name, powerW: losses, limitC: ps.limitC, thermal: ps.thermal, region: "psu")

        layout.nodes.append(
            RackLayout.NodeInfo(
                name: n, type: t.name, unit: slot.unit, lo: (ox, oy, oz), hi: (ox + Wc, oy + Dc, oz + Hn),
                frontPlane: "\(n)/front-mesh", exitPlanes: exits, dcPowerW: dc, heatW: dc + losses,
                gpuCount: t.gpuSlots.count, hasNIC: t.nic != nil))
    }

    // MARK: - Chassis frame to rack frame

    func inside(
        _ what: String, _ lo: (Double, Double, Double), _ hi: (Double, Double, Double), _ at: ConfigNode
    ) throws {
        let l = [lo.0, lo.1, lo.2], h = [hi.0, hi.1, hi.2], ext = [Wc, Dc, Hn]
        for a in 0..<3 where l[a] < -1e-9 || h[a] > ext[a] + 1e-9 {
            // At the part's `position` when the placement has one (the value to change).
            throw (at.child("position") ?? at).error(
                "part outside its chassis: \(what) spans \(["x", "y", "z"][a]) \(fmt(l[a]))–\(fmt(h[a])) m, but "
                    + "the chassis (\(ch.name)) is 0–\(fmt(ext[a])) m"
            )
        }
    }
    mutating func box(
        _ name: String, _ lo: (Double, Double, Double), _ hi: (Double, Double, Double), _ kind: GenericCase.BoxKind,
        porous: PorousCoefficients? = nil, powerW: Double = 0, comment: String? = nil, at: ConfigNode
    ) throws {
        try inside(name, lo, hi, at)
        gc.boxes.append(
            GenericCase.Box(
                name: "\(n)/\(name)", lo: (ox + lo.0, oy + lo.1, oz + lo.2), hi: (ox + hi.0, oy + hi.1, oz + hi.2),
                kind: kind, porous: porous, powerW: powerW, comment: comment, node: at))
    }
    /// A plane normal to `axis` at chassis-frame `pos`, rectangle in the other two axes (in order).
    mutating func plane(
        _ name: String, _ axis: Int, _ pos: Double, _ lo: (Double, Double), _ hi: (Double, Double),
        _ kind: GenericCase.PlaneKind,
        comment: String? = nil, at: ConfigNode
    ) throws {
        let o = [ox, oy, oz]
        let (a1, a2) = SIMD3<Int>.transverse(axis)
        var l3 = [0.0, 0, 0], h3 = [0.0, 0, 0]
        l3[axis] = pos
        h3[axis] = pos
        l3[a1] = lo.0
        h3[a1] = hi.0
        l3[a2] = lo.1
        h3[a2] = hi.1
        try inside(name, (l3[0], l3[1], l3[2]), (h3[0], h3[1], h3[2]), at)
        gc.planes.append(
            GenericCase.Plane(
                name: "\(n)/\(name)", axis: axis, position: o[axis] + pos,
                lo: (o[a1] + lo.0, o[a2] + lo.1), hi: (o[a1] + hi.0, o[a2] + hi.1),
                kind: kind, comment: comment, node: at))
    }
    func fanKind(_ f: FanSpec, _ dir: Double) -> GenericCase.PlaneKind {
        .fan(curve: f.curve, rpm: f.rpm, direction: dir)
    }
    mutating func part(
        _ name: String, kind: String, model: String, powerW: Double, modelPowerW: Double? = nil, limitC: Double,
        thermal: CompactThermalModel, region: String
    ) {
        layout.parts.append(
            RackLayout.PartInfo(
                name: "\(n)/\(name)", node: n, kind: kind, model: model, powerW: powerW,
                modelPowerW: modelPowerW ?? powerW, limitC: limitC, thermal: thermal, regionBox: "\(n)/\(region)"))
    }

    /// Board thickness, m: the level the board's parts stand on.
    var bt: Double { t.board.spec.sizeM.2 }
}

/// A length for messages and comments, to 0.1 mm, without a trailing ".0".
private func fmt(_ v: Double) -> String {
    let r = (v * 1e4).rounded() / 1e4
    // Int(r) traps past 2⁶³: huge values (a fuzzed 1e300 m part) print as Swift prints doubles.
    return r == r.rounded() && abs(r) < 1e15 ? String(Int(r)) : String(r)
}
