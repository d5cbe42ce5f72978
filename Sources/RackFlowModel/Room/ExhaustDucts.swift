import Foundation
import RackFlowPhysics

/// Description
///   A rack's roof exhaust as the room air receives it: the opening split into sub-ducts, each fed
///   through the floor with its own share of the rack's flow at its own temperature, so that the
///   air leaves the roof with the rack's exhaust profile (`ExhaustProfile`) rather than uniformly.
///
///   The hall can be fed only through the domain's sides (`Patch`), so each rack's exhaust rises
///   from the floor through a duct cut out of the rack's block to the roof (`RoomAir`). Between the
///   sub-ducts stand adiabatic walls (planes of kind wall, from the floor to the roof): without
///   them the streams would mix over the 2 m rise and the duct's pressure would even their speeds
///   out, which is the uniform exhaust again.
///
///   Layout: the profile's tiles (at most 5 cm) are gathered into G_a sub-ducts per plan axis,
///   G_a = min(n_a, ⌊L_a / (2 h)⌋) (at least 1), with L_a the opening's length and h the hall's
///   near spacing: sub-ducts about two cells across or more (tile edges and the walls' snapping
///   to grid lines move that by up to half a cell), so that each inflow has a shape the grid
///   holds. Group g covers tiles ⌊g n_a / G_a⌉ … ⌊(g + 1) n_a / G_a⌉ − 1.
///
///   Values: a sub-duct gets the share of the rack's exhaust flow Q that its tiles put out,
///   q_g = Q Σ_{t∈g} Q_t / Σ_t Q_t, at the mixed-cup temperature of its tiles. All are shifted by
///   one constant so that Σ q_g T_g = Q T_exhaust: the heat delivered is the rack's exhaust heat
///   exactly (the rack's mixed cup counts air re-entering its outlet, the profile does not). With
///   no profile, or one of another tiling, the shares are the areas' and the temperature uniform.
///
/// Usage
///   | call                                           | gives                                        |
///   | ---                                            | ---                                          |
///   | `ExhaustDucts.layout(exhaust, opening:, …)`    | a rack's sub-ducts (case frame) and walls    |
///   | `ExhaustDucts.values(ducts, exhaust)`          | each sub-duct's flow, m³/s, and temperature, °C |
public enum ExhaustDucts {
    /// One sub-duct: its floor patch's name and plan rectangle (case frame, m), the profile's
    /// tiles it gathers (half-open ranges per plan axis) and its fraction of the opening's area.
    public struct Duct: Sendable {
        public var name: String
        public var lo: (Double, Double)
        public var hi: (Double, Double)
        public var tiles: [Range<Int>]
        public var areaShare: Double
    }

    /// The sub-ducts of exhaust `e` over `opening` (case frame, its edges as `RoomAir` snapped
    /// them: x range, y range) and the positions of the walls between them (case frame, x then
    /// y), for a hall whose near spacing is `spacingM`. `shiftM` takes room-frame plan
    /// coordinates to the case frame (the hall's margin).
    public static func layout(
        _ e: TrayProbes.Exhaust, opening: ((Double, Double), (Double, Double)), shiftM: Double, spacingM: Double
    ) -> (ducts: [Duct], wallsX: [Double], wallsY: [Double]) {
        let ranges = [opening.0, opening.1]
        guard let p = e.profile else {
            return (
                [
                    Duct(
                        name: "exhaust-\(e.rack)", lo: (ranges[0].0, ranges[1].0), hi: (ranges[0].1, ranges[1].1),
                        tiles: [0..<1, 0..<1], areaShare: 1)
                ], [], []
            )
        }
        // Per axis: the tile index where each group starts, and the group edges' positions.
        var starts: [[Int]] = [], edges: [[Double]] = []
        for a in 0..<2 {
            let n = p.tiles[a]
            let length = ranges[a].1 - ranges[a].0
            let groups = max(1, min(n, Int((length / (2 * spacingM) + 1e-9).rounded(.down))))
            let s = (0...groups).map { Int((Double($0 * n) / Double(groups)).rounded()) }
            starts.append(s)
            let tile = (p.hiM[a] - p.loM[a]) / Double(n)
            edges.append(
                s.indices.map { g in
                    g == 0 ? ranges[a].0 : (g == groups ? ranges[a].1 : p.loM[a] + shiftM + Double(s[g]) * tile)
                })
        }
        let area = (ranges[0].1 - ranges[0].0) * (ranges[1].1 - ranges[1].0)
        var ducts: [Duct] = []
        let (gx, gy) = (starts[0].count - 1, starts[1].count - 1)
        for j in 0..<gy {
            for i in 0..<gx {
                let lo = (edges[0][i], edges[1][j]), hi = (edges[0][i + 1], edges[1][j + 1])
                ducts.append(
                    Duct(
                        name: gx * gy == 1 ? "exhaust-\(e.rack)" : "exhaust-\(e.rack)-\(i + gx * j)", lo: lo, hi: hi,
                        tiles: [starts[0][i]..<starts[0][i + 1], starts[1][j]..<starts[1][j + 1]],
                        areaShare: (hi.0 - lo.0) * (hi.1 - lo.1) / area))
            }
        }
        return (ducts, Array(edges[0].dropFirst().dropLast()), Array(edges[1].dropFirst().dropLast()))
    }

    /// Each sub-duct's flow (m³/s) and temperature (°C) for exhaust `e` (see the type's comment):
    /// Σ flows = `e.flowM3PerS` and Σ flow × temperature = `e.flowM3PerS × e.temperatureC`.
    public static func values(_ ducts: [Duct], _ e: TrayProbes.Exhaust) -> [(flowM3PerS: Double, temperatureC: Double)]
    {
        var shares = ducts.map(\.areaShare)
        var temps = Array(repeating: e.temperatureC, count: ducts.count)
        // The profile's tiling is the one the ducts were laid out on: their tiles end where its do.
        if let p = e.profile, let total = p.total, ducts.count > 1,
            ducts.map({ $0.tiles[0].upperBound }).max() == p.tiles[0],
            ducts.map({ $0.tiles[1].upperBound }).max() == p.tiles[1]
        {
            for (g, d) in ducts.enumerated() {
                var q = 0.0, qt = 0.0
                for j in d.tiles[1] {
                    for i in d.tiles[0] {
                        q += p.outflowM3PerS[i + p.tiles[0] * j]
                        qt += p.outflowM3PerS[i + p.tiles[0] * j] * p.temperatureC[i + p.tiles[0] * j]
                    }
                }
                shares[g] = q / total.outflowM3PerS
                temps[g] = q > 0 ? qt / q : total.temperatureC
            }
            let shift = e.temperatureC - zip(shares, temps).reduce(0) { $0 + $1.0 * $1.1 }
            temps = temps.map { $0 + shift }
        }
        return zip(shares, temps).map { (e.flowM3PerS * $0.0, $0.1) }
    }
}
