import RackFlowNumerics

/// Description
///   A blower or fan between a plenum and the domain, on a rectangle of a side. The face is
///   a pressure boundary at the plenum pressure (`PressureOutletCondition` in every
///   equation), and a fan on the same faces adds its rise Δp(Q, rpm) to the momentum, with
///   Q the patch's total inflow. The operating point is where the fan's curve meets the
///   system's, and it emerges from the solve: nobody prescribes the flow.
///
///   - Normal velocity: solved; the jump Δp(Q) is linearised implicitly about the current
///     flow (`FlowSolver.applyFans`: Δp(Q) ≈ Δp(Q*) + s (Q − Q*), s = dΔp/dQ ≤ 0).
///   - Air re-entering (a stalled or reversed fan) arrives at the supply temperature.
///   - Its shut-off pressure Δp₀ sets the run's speed scale √(2 Δp₀/ρ) (`FlowSolver.init`).
///
/// Usage (a patch of a generic case)
///
/// | key | meaning | default |
/// | --- | --- | --- |
/// | `kind: fan` | this condition | — |
/// | `side` | west, east, south, north, bottom or top | required |
/// | `lo`, `hi` | the rectangle in the side's in-plane axes, m | the whole side |
/// | `curve` | `{flow: […], pressure: […], rpm}` (m³/s, Pa) or `{maxPressure, freeDelivery, rpm}` | required |
/// | `rpm` | operating speed, rev/min; fan laws scale the curve | the curve's rpm |
/// | `plenumPressure` | static pressure of the plenum behind the fan, Pa | 0 |
/// | `temperature` | supply temperature, °C | 20 |
///
/// Reference: Patankar, *Numerical Heat Transfer and Fluid Flow* (1980), §7.2 (a source
/// linearised as S_C + S_P φ with S_P ≤ 0); the fan laws, the curve's interpolation and the
/// stopped-fan loss are in `Objects/FanCurve.swift`.
enum FanCurveInletCondition {
    /// The resolved boundary face of patch `patch`: a pressure boundary at the plenum.
    static func face(plenumPressurePa: Double, temperatureC: Double, patch: Int) -> BoundaryFace {
        PressureOutletCondition.face(pressurePa: plenumPressurePa, backflowTemperatureC: temperatureC, patch: patch)
    }

    /// The fan over the boundary faces of patch `pi` on `side`, pushing into the domain:
    /// `boundary` the side's resolved faces (row-major over its in-plane axes), `n` the cell
    /// counts, `faceCounts` the face-array shape of the side's axis, `w` the cell widths.
    static func fan(
        patch pi: Int, named name: String, side: Side, curve: FanCurve, rpm: Double, boundary: [BoundaryFace],
        n: [Int], faceCounts F: [Int], w: [[Double]], densityKgPerM3: Double
    ) -> FanFaces {
        let a = side.axis
        let (t1, t2) = SIMD3<Int>.transverse(a)
        var faces: [Int] = []
        var area = 0.0
        for (m, bf) in boundary.enumerated() {
            guard case let .outlet(_, _, p) = bf, p == pi else { continue }
            var idx = SIMD3(0, 0, 0)
            idx[a] = side.isUpper ? n[a] : 0
            idx[t1] = m % n[t1]
            idx[t2] = m / n[t1]
            faces.append(idx[0] + F[0] * (idx[1] + F[1] * idx[2]))
            area += w[t1][idx[t1]] * w[t2][idx[t2]]
        }
        return FanFaces(
            name: name, axis: a, direction: side.isUpper ? -1 : 1, faces: faces, curve: curve,
            rpm: rpm, areaM2: area, densityKgPerM3: densityKgPerM3)
    }
}
