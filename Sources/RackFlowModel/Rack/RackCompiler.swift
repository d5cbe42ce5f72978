import Foundation
import RackFlowNumerics
import RackFlowPhysics

/// Turns a rack into a generic case: every chassis panel, mesh, fan, card and heat sink
/// becomes boxes (solid, porous, heated) and planes (walls, sheets, fans) on cell faces.
///
/// Modelling choices (each also stated in Meshes/README.md):
/// - Chassis fill their rack units exactly (the ~2 mm between stacked 4U chassis is sealed by
///   the rails and would only add sliver cells); one wall plane serves as one node's ceiling and
///   the next one's floor.
/// - The door-side plane of the node fronts is sealed (blanking panels, rails, side gaps) except
///   for the front meshes: the rack's air has no other way back.
/// - A GPU is a duct: PCB wall on its low-x side, shroud on the others, a side intake over its
///   first `intakeLength`, a blower plane behind it, a porous fin stack carrying the GPU's
///   power, a bracket sheet in the chassis back.
/// - Packed cards: the gap between one card's shroud and the next card's PCB (≈ 2 mm, below any
///   sensible cell) and the next card's PCB side become one porous layer whose permeability is
///   that of the real gap, `K = φ g²/12` with φ = gap / layer width (parallel plates).
/// - Fins (GPU, cooler, NIC), DIMM rows and PSU internals are porous blocks: plates pass flow
///   along them (`1/K = 12/(φ g²)`, entry and exit losses as Forchheimer terms) and block it
///   across (1000× the along-plate resistance).
public enum RackCompiler {

    public struct Compiled {
        public var genericCase: GenericCase
        public var layout: RackLayout
    }

    public static func compile(_ rack: RackSpec) throws -> Compiled {
        var gc = rack.base
        var layout = RackLayout()
        let (W, Dr, H) = rack.innerSizeM
        let fy = rack.frontYM
        let rootAnchor = rack.root

        // Every node's chassis must fit the rack.
        var rearY = fy
        for s in rack.slots {
            let ch = s.type.chassis.spec
            if ch.sizeM.0 > W {
                throw s.type.chassis.node.error(
                    "chassis width \(configFormat(ch.sizeM.0)) m exceeds the rack's inner width \(configFormat(W)) m")
            }
            if fy + ch.sizeM.1 >= Dr {
                // Named at frontY, the rack's own key: the chassis is a part of the library.
                throw (rootAnchor.child("rack") ?? rootAnchor).error(
                    "frontY",
                    "the nodes' fronts at y = \(configFormat(fy)) m plus the \(configFormat(ch.sizeM.1)) m deep "
                        + "chassis (\(ch.name)) leave no room behind the nodes in the rack's inner depth "
                        + "\(configFormat(Dr)) m: frontY must be below "
                        + String(format: "%.4g m", Dr - ch.sizeM.1)
                )
            }
            rearY = max(rearY, fy + ch.sizeM.1)
        }

        // Seal of the front plane, then the nodes (their meshes reopen it).
        gc.planes.append(
            GenericCase.Plane(
                name: "front-seal", axis: 1, position: fy, kind: .wall,
                comment: "blanking panels, rails and side gaps: sealed except the node meshes",
                node: rootAnchor.child("rack") ?? rootAnchor))
        for s in rack.slots {
            try addNode(s, rack: rack, to: &gc, layout: &layout)
        }

        // Inlet on the floor in front of the nodes; exhaust on the roof behind them.
        let inletKind: Patch.Kind
        switch rack.inlet {
        case let .flow(q): inletKind = .flowInlet(flowM3PerS: q, temperatureC: rack.inletTemperatureC)
        case let .blower(curve, rpm, p0):
            inletKind = .fanInlet(curve: curve, rpm: rpm, plenumPressurePa: p0, temperatureC: rack.inletTemperatureC)
        }
        gc.patches.append(
            GenericCase.PatchSpec(
                patch: Patch(name: "inlet", side: .bottom, lo: rack.inletLo, hi: rack.inletHi, kind: inletKind),
                comment: "the bottom slot, fed from the floor plenum", node: rack.inletNode))
        var exLo = rack.exhaustLo, exHi = rack.exhaustHi
        if exLo.1 < 0 {
            exLo = (0, rearY)
            exHi = (W, Dr)
        }
        gc.patches.append(
            GenericCase.PatchSpec(
                patch: Patch(
                    name: "exhaust", side: .top, lo: exLo, hi: exHi,
                    kind: .pressureOutlet(
                        pressurePa: rack.exhaustPressurePa, backflowTemperatureC: rack.inletTemperatureC)),
                comment: "the rack's exhaust in the roof behind the nodes", node: rack.exhaustNode))
        try gc.validate()

        // Picture planes: through the middle node's GPUs.
        if let mid = layout.nodes.dropFirst(layout.nodes.count / 2).first,
            let t = rack.slots.first(where: { $0.name == mid.name })?.type
        {
            let g = t.gpu.spec
            let gx =
                t.gpuSlots.isEmpty
                ? t.chassis.spec.sizeM.0 / 2
                : t.slotX(t.gpuSlots[t.gpuSlots.count / 2]) + (g.pcbThicknessM + g.sizeM.0) / 2
            layout.sliceX = mid.lo.0 + gx
            layout.sliceY = mid.lo.1 + t.chassis.spec.sizeM.1 - g.finLengthM / 2
            layout.sliceZ = mid.lo.2 + t.board.spec.sizeM.2 + g.sizeM.2 / 2
        }
        _ = H
        return Compiled(genericCase: gc, layout: layout)
    }

    /// Porous coefficients of parallel plates normal to `normal`, with flow along the others;
    /// `lengthM` is the block's extent along the main flow (sets the entry/exit loss per metre).
    public static func plates(_ p: PlateStack, normal: Int?, lengthM: Double) -> PorousCoefficients {
        let phi = p.openFraction, g = p.gapM
        let invK = 12 / (phi * g * g)
        // Sudden contraction into the channels and expansion out of them (Idelchik): ζ ≈ 0.5(1 − φ) + (1 − φ)², per
        // dynamic head of the superficial speed ÷ φ².
        let zeta = (0.5 * (1 - phi) + (1 - phi) * (1 - phi)) / (phi * phi)
        let c2 = 2 * zeta / lengthM
        var ik = [invK, invK, invK], c = [c2, c2, c2]
        if let n = normal {
            ik[n] = 1000 * invK
            c[n] = 1000 * c2
        }
        return PorousCoefficients(inverseKPerM2: (ik[0], ik[1], ik[2]), c2PerM: (c[0], c[1], c[2]))
    }

    // MARK: - One node

    static func addNode(_ s: RackSpec.Slot, rack: RackSpec, to gc: inout GenericCase, layout: inout RackLayout) throws {
        var builder = NodeBuilder(s, rack: rack, case: gc, layout: layout)
        try builder.build()
        gc = builder.gc
        layout = builder.layout
    }

    /// Cards closer than this (shroud to next card) are "packed": their gap becomes a porous layer.
    static let packedGapM = 0.005
}

extension NodeType {
    /// Where a key of this node type is set (for errors about it).
    func node(_ key: String) -> ConfigNode { layers.node(key) ?? layers.top }
}
