import RackFlowPhysics

/// What the compiled rack contains, by name, for reporting: which planes carry each node's
/// air in and out, which box holds each part's heat, which fan is whose. Names match the
/// generic case's boxes, planes and patches (`node03/gpu2/fins`, `node03/front-mesh`).
public struct RackLayout {
    public struct NodeInfo {
        public var name: String
        public var type: String
        public var unit: Int
        /// Rack-frame box of the chassis, m.
        public var lo: (Double, Double, Double), hi: (Double, Double, Double)
        /// The front mesh plane (air in).
        public var frontPlane: String
        /// Rear openings (air out): vents, card brackets, PSU grille.
        public var exitPlanes: [String]
        /// DC load of the parts, W, and the heat released (load plus PSU losses), W.
        public var dcPowerW: Double
        public var heatW: Double
        public var gpuCount: Int
        public var hasNIC: Bool
    }
    public struct PartInfo {
        public var name: String
        public var node: String
        public var kind: String
        public var model: String
        /// Heat of the part (W) and the power its compact model sees (one module for memory).
        public var powerW: Double
        public var modelPowerW: Double
        public var limitC: Double
        public var thermal: CompactThermalModel
        /// The box whose air sets the part's temperature.
        public var regionBox: String
        /// Power at idle, W, when the part file gives one (a surge's idle state; else a fraction of `powerW`).
        public var idlePowerW: Double? = nil
    }
    public struct FanInfo {
        public var name: String
        public var node: String
        public var kind: String
        public var model: String
        /// The impeller as built, where it is not the fan plane's disc: a blower card's radial
        /// impeller lies in the card's plane, its axis across the PCB, while the solve's blower is
        /// a plane across the shroud's duct (m, rack frame). Nil: the plane is the rotor.
        public var rotor: Rotor? = nil
    }
    public struct Rotor {
        public var centreM: SIMD3<Double>
        /// The spin axis, 0 x, 1 y, 2 z.
        public var axis: Int
        public var radiusM: Double
    }

    public var nodes: [NodeInfo] = []
    public var parts: [PartInfo] = []
    public var fans: [FanInfo] = []
    public var inletPatch = "inlet"
    public var exhaustPatch = "exhaust"
    /// Rack-frame slices worth a picture: the y of a plane through the GPUs' fin stacks, the
    /// x through the middle GPU, and the z through the middle of the chosen node's cards.
    public var sliceX = 0.0, sliceY = 0.0, sliceZ = 0.0
}

extension RackLayout {
    /// Each part's heat cells and their shares of its power, as the compiled case spreads it
    /// (the compiled heat field's weights over the part's box; even shares when it has none).
    /// A surge releases each part's heat this way; the response model puts its 1 W there.
    public func heatShares(report: VoxelReport, heatW heat: [Double]) -> [[(cell: Int, share: Double)]] {
        parts.map { p in
            let cells = report.boxCells[p.regionBox] ?? []
            let w = cells.map { heat.isEmpty ? 0 : heat[$0] }
            let total = w.reduce(0, +)
            return total > 0 ? zip(cells, w).map { ($0, $1 / total) } : cells.map { ($0, 1 / Double(cells.count)) }
        }
    }
}

extension RackLayout.PartInfo {
    /// Kelvin above its air per watt of the whole part at local speed v: the compact model's
    /// R(v) times the share of the power it sees (one module of a memory bank).
    public func compactKPerW(speedMPerS v: Double) -> Double {
        thermal.resistance(speedMPerS: v) * (powerW > 0 ? modelPowerW / powerW : 1)
    }
}
