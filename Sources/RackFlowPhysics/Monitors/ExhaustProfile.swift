import Foundation
import RackFlowNumerics

/// Description
///   How the air leaves through one outlet patch, tile by tile: the patch's rectangle split into
///   `tiles[0] × tiles[1]` equal tiles (the side's two in-plane axes in order: x, y for a roof),
///   each with the outflow through its faces and that air's mixed-cup temperature. The room's air
///   is fed from it (`RoomAir`): a rack's exhaust is far from uniform (on the default rack half the
///   flow leaves through about a third of the roof opening, at up to 1.5× the mean speed, and the
///   air spans 17 K about its mixed cup), and a uniform exhaust would start the room's plumes too
///   wide and too well mixed.
///
///   Per tile t, over the faces f of the patch (outflow faces only: the air the tile puts out; air
///   re-entering through an outlet is not part of the exhaust), each face's flow shared by the
///   fraction a_ft of its area that lies in the tile:
///
///       Q_t = Σ_f a_ft max(u_f, 0) A_f,     T_t = Σ_f a_ft max(u_f, 0) A_f T_P(f) / Q_t
///
///   with u_f the outward face velocity and T_P(f) the temperature of the cell inside the face
///   (what an outflow face carries, as the energy equation's outlet treatment takes it). A tile
///   that puts out no air gets the whole patch's mixed-cup temperature, so that every entry is
///   finite (JSON has no NaN).
///
///   Tiles are `tileM` wide or narrower, except that an axis holds at most `maxTilesPerAxis`
///   (wider tiles on an opening over 0.8 m), so the profile packs into a fixed-length vector
///   (`pack`) for the room's collectives and checkpoints.
///
/// Usage
///   | call                                    | gives                                           |
///   | ---                                     | ---                                             |
///   | `solver.exhaustProfile(patch, tileM:)`  | the profile of an outlet patch's current fields |
///   | `ExhaustProfile.uniform(lo:hi:tileM:temperatureC:)` | equal tiles at one temperature       |
///   | `profile.pack(into:at:)`, `init?(packed:)` | the fixed-length vector form                 |
///   | `profile.placed(loM:hiM:turned:)`       | the profile placed in the room, turned or not   |
///   | `ExhaustProfile.roofOutlet(_:)`          | a rack's roof exhaust among its patches         |
public struct ExhaustProfile: Codable, Sendable, Equatable {
    /// Tiles per in-plane axis.
    public var tiles: [Int]
    /// The rectangle the tiles split evenly, in the side's in-plane axes (case frame), m.
    public var loM: [Double]
    public var hiM: [Double]
    /// Per tile, the first axis fastest: outflow, m³/s (≥ 0), and its mixed-cup temperature, °C.
    public var outflowM3PerS: [Double]
    public var temperatureC: [Double]

    /// The tile width the profile aims at, m: the room air's near spacing (5 cm), so that the
    /// room can resolve the profile's shape without inventing structure finer than its cells.
    public static let defaultTileM = 0.05
    public static let maxTilesPerAxis = 16
    /// Doubles of `pack`: tiles (2), rectangle (4), outflows and temperatures (2 × 16²).
    public static let packedCount = 6 + 2 * maxTilesPerAxis * maxTilesPerAxis

    public init(tiles: [Int], loM: [Double], hiM: [Double], outflowM3PerS: [Double], temperatureC: [Double]) {
        precondition(tiles.count == 2 && outflowM3PerS.count == tiles[0] * tiles[1])
        precondition(temperatureC.count == outflowM3PerS.count && loM.count == 2 && hiM.count == 2)
        self.tiles = tiles
        self.loM = loM
        self.hiM = hiM
        self.outflowM3PerS = outflowM3PerS
        self.temperatureC = temperatureC
    }

    /// Tiles along an extent: at most `tileM` wide, at least 1, at most `maxTilesPerAxis`.
    public static func tileCount(lengthM: Double, tileM: Double) -> Int {
        min(maxTilesPerAxis, max(1, Int((lengthM / tileM - 1e-9).rounded(.up))))
    }

    /// Equal outflow through every tile of the rectangle, all at `temperatureC`.
    public static func uniform(
        lo: (Double, Double), hi: (Double, Double), tileM: Double, temperatureC: Double
    )
        -> ExhaustProfile
    {
        let n = [tileCount(lengthM: hi.0 - lo.0, tileM: tileM), tileCount(lengthM: hi.1 - lo.1, tileM: tileM)]
        return ExhaustProfile(
            tiles: n, loM: [lo.0, lo.1], hiM: [hi.0, hi.1], outflowM3PerS: Array(repeating: 1, count: n[0] * n[1]),
            temperatureC: Array(repeating: temperatureC, count: n[0] * n[1]))
    }

    /// Total outflow, m³/s, and its mixed-cup temperature, °C (nil when nothing flows out).
    public var total: (outflowM3PerS: Double, temperatureC: Double)? {
        let q = outflowM3PerS.reduce(0, +)
        guard q > 0 else { return nil }
        return (q, zip(outflowM3PerS, temperatureC).reduce(0) { $0 + $1.0 * $1.1 } / q)
    }

    /// The same profile over the rectangle `[loM, hiM]` (where the caller placed it), turned half
    /// a turn about the side's normal if `turned` (a rack whose door faces +y): tile (i, j) then
    /// becomes (n₀ − 1 − i, n₁ − 1 − j).
    public func placed(loM: [Double], hiM: [Double], turned: Bool) -> ExhaustProfile {
        ExhaustProfile(
            tiles: tiles, loM: loM, hiM: hiM, outflowM3PerS: turned ? outflowM3PerS.reversed() : outflowM3PerS,
            temperatureC: turned ? temperatureC.reversed() : temperatureC)
    }

    /// Writes `packedCount` doubles from `offset`: the vector a rank contributes to a sum
    /// over ranks (zeros everywhere it owns nothing).
    public func pack(into v: inout [Double], at offset: Int) {
        precondition(offset + Self.packedCount <= v.count)
        v[offset] = Double(tiles[0])
        v[offset + 1] = Double(tiles[1])
        for a in 0..<2 {
            v[offset + 2 + a] = loM[a]
            v[offset + 4 + a] = hiM[a]
        }
        let m = Self.maxTilesPerAxis * Self.maxTilesPerAxis
        for t in outflowM3PerS.indices {
            v[offset + 6 + t] = outflowM3PerS[t]
            v[offset + 6 + m + t] = temperatureC[t]
        }
    }

    /// The profile `pack` wrote at the start of `packed`; nil where nothing was packed (no tiles).
    public init?(packed: ArraySlice<Double>) {
        let b = packed.startIndex
        let n = [Int(packed[b]), Int(packed[b + 1])]
        guard n[0] >= 1, n[1] >= 1, n[0] <= Self.maxTilesPerAxis, n[1] <= Self.maxTilesPerAxis else { return nil }
        let m = Self.maxTilesPerAxis * Self.maxTilesPerAxis
        let count = n[0] * n[1]
        self.init(
            tiles: n, loM: [packed[b + 2], packed[b + 3]], hiM: [packed[b + 4], packed[b + 5]],
            outflowM3PerS: Array(packed[(b + 6)..<(b + 6 + count)]),
            temperatureC: Array(packed[(b + 6 + m)..<(b + 6 + m + count)]))
    }

    /// A rack's roof exhaust: the first pressure outlet on the top side (see also
    /// `GenericCase.roofExhaust`, which clips its rectangle to the rack).
    public static func roofOutlet(_ patches: [Patch]) -> Patch? {
        patches.first {
            if case .pressureOutlet = $0.kind { return $0.side == .top }
            return false
        }
    }
}

extension FlowSolver {
    /// The profile of outlet patch `p` in the current fields (see `ExhaustProfile`); its
    /// rectangle is the patch's clipped to the domain (a whole-side patch is ±∞). Nil when no
    /// air leaves through it.
    public func exhaustProfile(_ p: Patch, tileM: Double = ExhaustProfile.defaultTileM) -> ExhaustProfile? {
        let g = flow.grid
        let a = p.side.axis
        let (t1, t2) = SIMD3<Int>.transverse(a)
        let (ax1, ax2) = (g.axis(t1), g.axis(t2))
        let lo = (max(p.lo.0, ax1.lower), max(p.lo.1, ax2.lower))
        let hi = (min(p.hi.0, ax1.upper), min(p.hi.1, ax2.upper))
        guard hi.0 > lo.0, hi.1 > lo.1 else { return nil }
        var profile = ExhaustProfile.uniform(lo: lo, hi: hi, tileM: tileM, temperatureC: 0)
        let n = profile.tiles
        var q = [Double](repeating: 0, count: n[0] * n[1])
        var qt = q
        for (cc, c, out) in patchFaces(p) where out > 0 {
            // The face's flow shared among the tiles it overlaps, by area: tiles rarely line up
            // with cells (5 cm tiles over 2 cm cells hold 2 or 3 cells by turns), and counting a
            // face only in the tile of its centre would make a tile's flow count its cells.
            let s1 = Self.tileOverlaps(ax1.faces[c[t1]], ax1.faces[c[t1] + 1], lo.0, hi.0, n[0])
            let s2 = Self.tileOverlaps(ax2.faces[c[t2]], ax2.faces[c[t2] + 1], lo.1, hi.1, n[1])
            for (j, fj) in s2 {
                for (i, fi) in s1 {
                    q[i + n[0] * j] += out * fi * fj
                    qt[i + n[0] * j] += out * fi * fj * temperature.p[cc]
                }
            }
        }
        let total = q.reduce(0, +)
        guard total > 0 else { return nil }
        let mixedC = qt.reduce(0, +) / total
        profile.outflowM3PerS = q
        profile.temperatureC = zip(q, qt).map { $0.0 > 0 ? $0.1 / $0.0 : mixedC }
        // A non-finite value (a diverged field) is no profile: the room air then feeds uniformly.
        guard (profile.outflowM3PerS + profile.temperatureC).allSatisfy(\.isFinite) else { return nil }
        return profile
    }

    /// The tiles of `[lo, hi]` (n equal ones) that the face extent `[a, b]` overlaps, each with
    /// its fraction of the face's part inside `[lo, hi]` (the fractions add up to 1, so no flow
    /// is lost where a face reaches past the rectangle).
    static func tileOverlaps(_ a: Double, _ b: Double, _ lo: Double, _ hi: Double, _ n: Int) -> [(Int, Double)] {
        let w = (hi - lo) / Double(n)
        let (x0, x1) = (max(a, lo), min(b, hi))
        let centre = min(n - 1, max(0, Int(((a + b) / 2 - lo) / w)))
        guard x1 > x0 else { return [(centre, 1)] }
        let i0 = min(n - 1, max(0, Int((x0 - lo) / w))), i1 = min(n - 1, max(0, Int((x1 - lo) / w)))
        let parts = (i0...i1).map { i in (i, max(0, min(x1, lo + Double(i + 1) * w) - max(x0, lo + Double(i) * w))) }
        let inside = parts.reduce(0) { $0 + $1.1 }
        return inside > 0 ? parts.map { ($0.0, $0.1 / inside) } : [(centre, 1)]
    }
}
