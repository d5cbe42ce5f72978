import Foundation
import RackFlowNumerics
import RackFlowPhysics

// MARK: where a rack stands

extension RoomSpec {
    /// How rack `k`'s own frame (x width, y front→back from its glass door, z up; metres)
    /// sits in the room frame: turned by `rotationDegrees` about z (counter-clockwise seen from
    /// above), then moved by `translationM`: `room = R(θ)·rack + t`. The rack's inner box is
    /// centred in its footprint (pitch × depth). Row B's doors face −y, which is the rack
    /// frame's own front (θ = 0); row A's doors face +y, the rack turned half a turn (θ = 180°).
    public func rackPlacement(_ k: Int) -> (translationM: SIMD3<Double>, rotationDegrees: Double) {
        let p = racks[k]
        let (w, d, _) = p.rack.innerSizeM
        let x0 = p.originM.0 + (pitchM - w) / 2, y0 = p.originM.1 + (depthM - d) / 2
        return p.doorFacesPlusY ? (SIMD3(x0 + w, y0 + d, 0), 180) : (SIMD3(x0, y0, 0), 0)
    }

    /// A point of rack `k`'s frame in the room frame.
    public func roomPoint(rack k: Int, _ q: SIMD3<Double>) -> SIMD3<Double> {
        let (t, deg) = rackPlacement(k)
        return deg == 180 ? SIMD3(t.x - q.x, t.y - q.y, q.z) : t + q
    }
}

// MARK: cable-tray probes

/// Velocity and temperature at the cable trays, from the racks' exhausts.
///
/// Where the values come from: a tray runs above the rack roofs (`RoomSpec` refuses one at or
/// below them), so it lies outside every rack's solved domain — racks are sealed, solved one by
/// one, and nothing of the room air above them is simulated. Each rack's exhaust patch (its
/// outflow, its mean temperature and its rectangle on the roof, from that rack's own solve)
/// is therefore carried up to the tray by a **free turbulent jet model**, named here and
/// documented in Meshes/README (rooms, cable-tray probes):
///
/// - the exhaust leaves its rectangle vertically at `w0 = Q / A`, `ΔT0 = T_exhaust − T_room`
///   (`T_room`: the coolest rack inlet, the air the blowers lift out of the room);
/// - at height `s` above the roof the centreline keeps `w0` and `ΔT0` through the potential
///   core and then decays as a round jet of the same area (`D = √(4A/π)`):
///   `w_c = w0 · min(1, 5.8 D / s)`, `ΔT_c = ΔT0 · min(1, 5.0 D / s)` (Pope, *Turbulent
///   Flows* §5.1: B_u = 5.8; Chen & Rodi: scalar decay constant ≈ 5);
/// - across the jet the values fall off with the plan distance `d` from the exhaust rectangle
///   as a Gaussian of half-width `S·s` (`S_u = 0.094`, `S_T = 0.11`; the scalar spreads a
///   little wider): `f = exp(−ln 2 · (d / (S s))²)`, 1 straight above the rectangle;
/// - several racks' jets mix: `T = T_room + Σ f_i ΔT0_i / max(1, Σ f_i)` and likewise for the
///   upward velocity, so a probe never reads more than the hottest exhaust or the fastest jet,
///   nor less than the room.
///
/// Not modelled: buoyancy (it would speed the plume up and narrow it over a metre or more:
/// the velocities here are the lower, momentum-only estimate), cross-draughts of the room,
/// and the trays' own blockage. Velocities are vertical: (0, 0, w) in the room frame.
public enum TrayProbes {
    /// One rack's exhaust, in the room frame.
    public struct Exhaust: Codable, Sendable {
        public var rack: String
        /// Plan rectangle of the exhaust patch, m: (xLo, yLo), (xHi, yHi); roof height, m.
        public var loM: SIMD2<Double>, hiM: SIMD2<Double>
        public var roofZM: Double
        /// Air leaving through it, m³/s, and its mean temperature, °C.
        public var flowM3PerS: Double
        public var temperatureC: Double
        /// How the air leaves, tile by tile, in the room frame (its rectangle is `loM`–`hiM`); nil:
        /// uniformly. The room air is fed from it; the jet model uses the totals only.
        public var profile: ExhaustProfile?
        public init(
            rack: String, loM: SIMD2<Double>, hiM: SIMD2<Double>, roofZM: Double, flowM3PerS: Double,
            temperatureC: Double, profile: ExhaustProfile? = nil
        ) {
            self.rack = rack
            self.loM = loM
            self.hiM = hiM
            self.roofZM = roofZM
            self.flowM3PerS = flowM3PerS
            self.temperatureC = temperatureC
            self.profile = profile
        }
        public var areaM2: Double { (hiM.x - loM.x) * (hiM.y - loM.y) }
        public var velocityMPerS: Double { flowM3PerS / areaM2 }
    }

    /// The named constants of the jet and vibration models.
    public struct Model: Sendable {
        public var velocityDecay = 5.8, temperatureDecay = 5.0
        public var velocitySpread = 0.094, temperatureSpread = 0.11
        /// Vibration: the tray's amplitude grows with the dynamic pressure of the air hitting
        /// it, `a = referenceAmplitudeM · q / q_ref`, q_ref = ½ ρ referenceSpeed² (*assumed*:
        /// 1 mm at 2 m/s, a light cable bundle on a 0.6 m span). Frequency: vortex shedding off
        /// the tray, `f = strouhal · w / width` (Strouhal 0.2 of a bluff strip).
        public var referenceAmplitudeM = 1e-3, referenceSpeedMPerS = 2.0, strouhal = 0.2
        public init() {}
    }

    /// A probe along a tray.
    public struct Sample: Codable, Sendable {
        public var pointM: SIMD3<Double>
        public var temperatureC: Double
        /// Upward air velocity, m/s (the velocity is (0, 0, w)), and its magnitude.
        public var upwardVelocityMPerS: Double
        public var speedMPerS: Double
        public var vibrationAmplitudeM: Double
        public var vibrationFrequencyHz: Double
        /// First bending mode of the tray between its end supports: sin(π s / L), 0 … 1.
        public var modeShape: Double
    }

    public struct Tray: Codable, Sendable {
        public var name: String
        public var samples: [Sample]
        public var maxTemperatureC: Double { samples.map(\.temperatureC).max() ?? .nan }
        public var maxSpeedMPerS: Double { samples.map(\.speedMPerS).max() ?? .nan }
        /// Amplitude of the tray's first mode: the largest station amplitude.
        public var vibrationAmplitudeM: Double { samples.map(\.vibrationAmplitudeM).max() ?? 0 }
        public var vibrationFrequencyHz: Double {
            samples.max { $0.speedMPerS < $1.speedMPerS }?.vibrationFrequencyHz ?? 0
        }
    }

    /// Stations along a tray: its two ends and every `spacingM` or less between.
    public static func stations(_ t: RoomSpec.CableTray, spacingM: Double = 0.05) -> [SIMD3<Double>] {
        let n = wholeCount((t.toXM - t.fromXM) / spacingM)
        return (0...n).map { SIMD3(t.fromXM + (t.toXM - t.fromXM) * Double($0) / Double(n), t.yM, t.zM) }
    }

    /// Values at `p` (room frame) from the exhausts, with room air at `roomC`.
    public static func sample(
        at p: SIMD3<Double>, exhausts: [Exhaust], roomC: Double, model m: Model = Model()
    ) -> (temperatureC: Double, upwardMPerS: Double) {
        var sumFT = 0.0, sumFU = 0.0, dT = 0.0, w = 0.0
        for e in exhausts where e.areaM2 > 0 {
            let s = p.z - e.roofZM
            guard s > 0 else { continue }
            let d = (4 * e.areaM2 / Double.pi).squareRoot()
            let dx = max(e.loM.x - p.x, 0, p.x - e.hiM.x), dy = max(e.loM.y - p.y, 0, p.y - e.hiM.y)
            let dist = (dx * dx + dy * dy).squareRoot()
            func lateral(_ spread: Double) -> Double {
                let b = spread * s
                return exp(-log(2) * (dist / b) * (dist / b))
            }
            let fT = min(1, m.temperatureDecay * d / s) * lateral(m.temperatureSpread)
            let fU = min(1, m.velocityDecay * d / s) * lateral(m.velocitySpread)
            sumFT += fT
            sumFU += fU
            dT += fT * (e.temperatureC - roomC)
            w += fU * e.velocityMPerS
        }
        return (roomC + dT / max(1, sumFT), w / max(1, sumFU))
    }

    /// Every tray's stations sampled from `exhausts`.
    public static func trays(
        _ spec: RoomSpec, exhausts: [Exhaust], roomC: Double, densityKgPerM3: Double,
        model m: Model = Model()
    ) -> [Tray] {
        let qRef = 0.5 * densityKgPerM3 * m.referenceSpeedMPerS * m.referenceSpeedMPerS
        return spec.trays.map { t in
            let pts = stations(t)
            return Tray(
                name: t.name,
                samples: pts.map { p in
                    let v = sample(at: p, exhausts: exhausts, roomC: roomC, model: m)
                    let q = 0.5 * densityKgPerM3 * v.upwardMPerS * v.upwardMPerS
                    return Sample(
                        pointM: p, temperatureC: v.temperatureC, upwardVelocityMPerS: v.upwardMPerS,
                        speedMPerS: abs(v.upwardMPerS),
                        vibrationAmplitudeM: m.referenceAmplitudeM * q / qRef,
                        vibrationFrequencyHz: m.strouhal * abs(v.upwardMPerS) / t.widthM,
                        modeShape: sin(Double.pi * (p.x - t.fromXM) / (t.toXM - t.fromXM)))
                })
        }
    }
}

extension TrayProbes.Exhaust {
    /// Rack `k`'s exhaust in the room frame: the compiled case's roof outlet patch (a
    /// pressure outlet on the top side) carried by the rack's placement, with the flow and mean
    /// temperature its solve measured, and its tile-by-tile `profile` (rack frame, from the
    /// rack's solve) turned with the rack.
    public init(
        spec: RoomSpec, rack k: Int, genericCase gc: GenericCase, flowM3PerS: Double, temperatureC: Double,
        profile: ExhaustProfile? = nil
    ) throws {
        guard let roof = gc.roofExhaust else {
            throw RoomError.rack(
                name: spec.racks[k].name, rank: 0,
                reason:
                    "\(spec.racks[k].rackFile): no exhaust in the roof (a pressure outlet on the top side): the "
                    + "cable-tray probes need one"
            )
        }
        let h = gc.size.2
        let a = spec.roomPoint(rack: k, SIMD3(roof.loM.0, roof.loM.1, h))
        let b = spec.roomPoint(rack: k, SIMD3(roof.hiM.0, roof.hiM.1, h))
        let lo = SIMD2(min(a.x, b.x), min(a.y, b.y)), hi = SIMD2(max(a.x, b.x), max(a.y, b.y))
        // Turned half a turn (a rack whose door faces +y), the profile's tiles run backwards.
        let turned = spec.rackPlacement(k).rotationDegrees == 180
        let roomProfile = profile?.placed(loM: [lo.x, lo.y], hiM: [hi.x, hi.y], turned: turned)
        self.init(
            rack: spec.racks[k].name, loM: lo, hiM: hi, roofZM: h, flowM3PerS: flowM3PerS,
            temperatureC: temperatureC, profile: roomProfile)
    }
}
