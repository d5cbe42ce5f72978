import Foundation

extension TrayProbes {
    /// Every tray's stations sampled from the room-air solve: temperature and velocity of the cell
    /// holding the station; vibration from the dynamic pressure of the whole speed (the jet model
    /// has only the upward part).
    public static func solved(
        _ spec: RoomSpec, solve: RoomAirSolve, centres: (u: [Double], v: [Double], w: [Double]),
        densityKgPerM3: Double, model m: Model = Model()
    ) -> [Tray] {
        let qRef = 0.5 * densityKgPerM3 * m.referenceSpeedMPerS * m.referenceSpeedMPerS
        return spec.trays.map { t in
            Tray(
                name: t.name,
                samples: stations(t).map { p in
                    let v = solve.sample(roomM: p, centres: centres)
                    let temperature = v?.temperatureC ?? .nan
                    let vel = v?.velocityMPerS ?? SIMD3(0, 0, 0)
                    let speed = (vel * vel).sum().squareRoot()
                    let q = 0.5 * densityKgPerM3 * speed * speed
                    return Sample(
                        pointM: p, temperatureC: temperature, upwardVelocityMPerS: vel.z, speedMPerS: speed,
                        vibrationAmplitudeM: m.referenceAmplitudeM * q / qRef,
                        vibrationFrequencyHz: m.strouhal * speed / t.widthM,
                        modeShape: sin(Double.pi * (p.x - t.fromXM) / (t.toXM - t.fromXM)))
                })
        }
    }
}
