import Foundation
import XCTest
import RackFlowPhysics
import RackFlowNumerics

final class FanCurveTests: XCTestCase {
    /// The seed rack's 120 mm, 3000 rpm fan: 186.7 m³/h free delivery, 7.63 mm H₂O shut-off.
    private func seedFan(points: Int = 9) throws -> FanCurve {
        try FanCurve.quadratic(
            maxPressurePa: FanCurve.mmH2O(7.63), freeDeliveryM3PerS: FanCurve.m3PerHour(186.7),
            rpm: 3000, points: points)
    }

    /// A datasheet-like curve: starts above zero flow, sags, has a flat stretch, and ends
    /// above zero pressure (free delivery by extrapolation).
    private func datasheetFan() throws -> FanCurve {
        try FanCurve(
            flowM3PerS: [0.005, 0.010, 0.020, 0.025, 0.030, 0.040, 0.050],
            pressurePa: [70, 62, 45, 45, 40, 22, 6], referenceRPM: 4000)
    }

    func testUnitHelpers() {
        XCTAssertEqual(FanCurve.m3PerHour(3600), 1, accuracy: 1e-15)
        XCTAssertEqual(FanCurve.mmH2O(1), 9.80665)
        XCTAssertEqual(FanCurve.cfm(1), 4.719474432e-4, accuracy: 1e-15)
        XCTAssertEqual(FanCurve.inH2O(1), 249.08891, accuracy: 1e-9)
    }

    func testSeedFanFromDatasheetNumbers() throws {
        let fan = try seedFan()
        XCTAssertEqual(fan.freeDeliveryM3PerS(rpm: 3000), 186.7 / 3600, accuracy: 1e-15)
        XCTAssertEqual(fan.maxPressurePa(rpm: 3000), 7.63 * 9.80665, accuracy: 1e-12)
        XCTAssertEqual(fan.pressureRise(flowM3PerS: 186.7 / 3600, rpm: 3000), 0, accuracy: 1e-12)
    }

    func testCurvePassesThroughTheDatasheetPoints() throws {
        let fan = try datasheetFan()
        for (q, p) in zip(fan.flowM3PerS, fan.pressurePa) {
            XCTAssertEqual(fan.pressureRise(flowM3PerS: q, rpm: 4000), p, accuracy: 1e-12)
        }
        // The flat stretch stays flat (monotone interpolation does not overshoot).
        XCTAssertEqual(fan.pressureRise(flowM3PerS: 0.0225, rpm: 4000), 45, accuracy: 1e-12)
        XCTAssertEqual(fan.slope(flowM3PerS: 0.0225, rpm: 4000), 0)
    }

    func testAffinityLaws() throws {
        for fan in [try seedFan(), try datasheetFan()] {
            let n = fan.referenceRPM, half = 0.5 * n
            XCTAssertEqual(fan.freeDeliveryM3PerS(rpm: half) / fan.freeDeliveryM3PerS(rpm: n), 0.5, accuracy: 1e-12)
            XCTAssertEqual(fan.maxPressurePa(rpm: half) / fan.maxPressurePa(rpm: n), 0.25, accuracy: 1e-12)
            XCTAssertEqual(
                fan.pressureRise(flowM3PerS: fan.freeDeliveryM3PerS(rpm: half), rpm: half), 0,
                accuracy: 1e-12 * fan.maxPressurePa(rpm: n))
            // Every point (Q, Δp) of the curve at N maps to (s Q, s² Δp) at s N.
            let qFree = fan.freeDeliveryM3PerS(rpm: n)
            for s in [0.3, 0.5, 1.7] {
                for i in -2...14 {
                    let q = qFree * Double(i) / 10
                    let scaled = fan.pressureRise(flowM3PerS: s * q, rpm: s * n)
                    XCTAssertEqual(
                        scaled, s * s * fan.pressureRise(flowM3PerS: q, rpm: n),
                        accuracy: 1e-12 * fan.maxPressurePa(rpm: s * n))
                    XCTAssertEqual(
                        fan.slope(flowM3PerS: s * q, rpm: s * n), s * fan.slope(flowM3PerS: q, rpm: n),
                        accuracy: 1e-12 * fan.maxPressurePa(rpm: n) / qFree)
                }
            }
        }
    }

    func testFreeDeliveryOfACurveEndingAboveZeroPressure() throws {
        let fan = try datasheetFan()
        // Last segment: from (0.040, 22) to (0.050, 6), slope −1600 Pa·s/m³ → zero at 0.05375.
        XCTAssertEqual(fan.freeDeliveryM3PerS(rpm: 4000), 0.05375, accuracy: 1e-15)
        // Shut-off pressure: first segment (0.005, 70)–(0.010, 62) extended back to Q = 0.
        XCTAssertEqual(fan.maxPressurePa(rpm: 4000), 78, accuracy: 1e-12)
    }

    /// Δp = p₀(1 − (Q/Q_m)²) = k Q² meets at Q = Q_m / √(1 + k Q_m² / p₀).
    func testOperatingPointAgainstTheAnalyticIntersection() throws {
        let p0 = FanCurve.mmH2O(7.63), qm = FanCurve.m3PerHour(186.7)
        let fan = try seedFan(points: 201)
        for k in [1e3, 1e4, 3e4, 1e5, 1e6] {
            let (q, p) = try fan.operatingPoint(systemK: k, rpm: 3000)
            // The solver's own precision: fan and system agree at the returned flow.
            XCTAssertEqual(fan.pressureRise(flowM3PerS: q, rpm: 3000), p, accuracy: 1e-11 * p0)
            XCTAssertEqual(p, k * q * q, accuracy: 1e-12 * p0)
            // Against the exact parabola: limited by the table's interpolation, which at
            // 201 points is within 5e-6 p₀ of it (measured: 1.3e-8 in Q).
            let exact = qm / (1 + k * qm * qm / p0).squareRoot()
            XCTAssertEqual(q / exact, 1, accuracy: 1e-7, "k = \(k)")
            // The default 9-point table is within 0.3 % of p₀ (measured: 8e-4 in Q).
            let coarse = try seedFan().operatingPoint(systemK: k, rpm: 3000)
            XCTAssertEqual(coarse.flowM3PerS / exact, 1, accuracy: 1e-3, "k = \(k), 9 points")
        }
        // At half speed the operating point on a pure k Q² system scales exactly by ½
        // (both curves obey the same affinity laws).
        let full = try fan.operatingPoint(systemK: 2e4, rpm: 3000)
        let half = try fan.operatingPoint(systemK: 2e4, rpm: 1500)
        XCTAssertEqual(half.flowM3PerS / full.flowM3PerS, 0.5, accuracy: 1e-12)
        XCTAssertEqual(half.pressurePa / full.pressurePa, 0.25, accuracy: 1e-11)
    }

    func testOperatingPointWithALinearSystemTerm() throws {
        let fan = try datasheetFan()
        let (q, p) = try fan.operatingPoint(systemK: 5e3, systemLinear: 400, rpm: 3500)
        XCTAssertGreaterThan(q, 0)
        XCTAssertLessThan(q, fan.freeDeliveryM3PerS(rpm: 3500))
        XCTAssertEqual(p, 5e3 * q * q + 400 * q, accuracy: 1e-14)
        XCTAssertEqual(fan.pressureRise(flowM3PerS: q, rpm: 3500), p, accuracy: 1e-10)
        // No system resistance: free delivery; a stopped fan: nothing.
        let open = try fan.operatingPoint(systemK: 0, rpm: 3500)
        XCTAssertEqual(open.flowM3PerS, fan.freeDeliveryM3PerS(rpm: 3500))
        XCTAssertEqual(open.pressurePa, 0)
        let stopped = try fan.operatingPoint(systemK: 5e3, rpm: 0)
        XCTAssertEqual(stopped.flowM3PerS, 0)
        XCTAssertEqual(stopped.pressurePa, 0)
    }

    func testOperatingPointRejectsBadInput() throws {
        let fan = try seedFan()
        for (k, c, rpm, key) in [
            (-1.0, 0.0, 3000.0, "systemK"), (Double.nan, 0, 3000, "systemK"),
            (1e4, -1, 3000, "systemLinear"), (1e4, 0, -10, "rpm"), (1e4, 0, .nan, "rpm"),
        ] {
            XCTAssertThrowsError(try fan.operatingPoint(systemK: k, systemLinear: c, rpm: rpm)) { error in
                XCTAssertEqual((error as? InputError)?.keyPath, key)
            }
        }
    }

    func testSlopeIsNonPositiveAndIsTheDerivative() throws {
        for fan in [try seedFan(), try datasheetFan()] {
            let n = fan.referenceRPM, qFree = fan.freeDeliveryM3PerS(rpm: n)
            for i in -50...150 {
                let q = qFree * Double(i) / 100
                let slope = fan.slope(flowM3PerS: q, rpm: n)
                XCTAssertLessThanOrEqual(slope, 0, "Q = \(q)")
                // Central difference: the slope is continuous, so it matches everywhere,
                // knots and table ends included.
                let h = 1e-7 * qFree
                let difference =
                    (fan.pressureRise(flowM3PerS: q + h, rpm: n)
                        - fan.pressureRise(flowM3PerS: q - h, rpm: n)) / (2 * h)
                XCTAssertEqual(slope, difference, accuracy: 1e-5 * fan.maxPressurePa(rpm: n) / qFree, "Q = \(q)")
            }
        }
    }

    func testExtrapolationBeyondTheTable() throws {
        let fan = try datasheetFan()
        // Past free delivery: the last segment's straight line, negative (a resistance).
        XCTAssertEqual(fan.pressureRise(flowM3PerS: 0.07, rpm: 4000), 6 - 1600 * 0.02, accuracy: 1e-12)
        XCTAssertEqual(fan.slope(flowM3PerS: 0.07, rpm: 4000), -1600, accuracy: 1e-9)
        // Reverse flow: the first segment's line, above shut-off.
        XCTAssertEqual(fan.pressureRise(flowM3PerS: -0.01, rpm: 4000), 78 + 1600 * 0.01, accuracy: 1e-12)
        XCTAssertGreaterThan(fan.pressureRise(flowM3PerS: -0.01, rpm: 4000), fan.maxPressurePa(rpm: 4000))
    }

    func testStoppedFanIsAResistance() throws {
        let fan = try seedFan()
        let area = 0.12 * 0.12, rho = 1.204
        XCTAssertEqual(fan.pressureRise(flowM3PerS: 0.02, rpm: 0), 0)
        XCTAssertEqual(fan.slope(flowM3PerS: 0.02, rpm: 0), 0)
        XCTAssertEqual(fan.freeDeliveryM3PerS(rpm: 0), 0)
        XCTAssertEqual(fan.stoppedLossCoefficient, FanCurve.defaultStoppedLossCoefficient)
        var previous = 0.0
        for i in 1...10 {
            let q = 0.005 * Double(i)
            let drop = fan.stoppedPressureDrop(flowM3PerS: q, areaM2: area, densityKgPerM3: rho)
            XCTAssertGreaterThan(drop, previous)
            previous = drop
        }
        // ζ ½ ρ v² with v = Q / A, and it opposes reverse flow too.
        let v = 0.03 / area
        XCTAssertEqual(
            fan.stoppedPressureDrop(flowM3PerS: 0.03, areaM2: area, densityKgPerM3: rho),
            2.0 * 0.5 * rho * v * v, accuracy: 1e-12)
        XCTAssertEqual(
            fan.stoppedPressureDrop(flowM3PerS: -0.03, areaM2: area, densityKgPerM3: rho),
            -2.0 * 0.5 * rho * v * v, accuracy: 1e-12)
        XCTAssertEqual(fan.stoppedPressureDrop(flowM3PerS: 0, areaM2: area, densityKgPerM3: rho), 0)
    }

    func testValidationErrorsNameTheField() {
        func key(_ q: [Double], _ p: [Double], rpm: Double = 3000, zeta: Double = 2) -> String? {
            do {
                _ = try FanCurve(flowM3PerS: q, pressurePa: p, referenceRPM: rpm, stoppedLossCoefficient: zeta)
                return nil
            } catch {
                return (error as? InputError)?.keyPath
            }
        }
        let q = [0, 0.01, 0.02, 0.03, 0.04], p = [60.0, 50, 35, 20, 0]
        XCTAssertNil(key(q, p))
        XCTAssertEqual(key(q, [60, 50, 35, 40, 0]), "pressurePa[3]", "non-monotone curve (stall dip)")
        XCTAssertEqual(key([0, 0.01, 0.005, 0.03, 0.04], p), "flowM3PerS[2]", "decreasing flows")
        XCTAssertEqual(key([0, 0.01, 0.01, 0.03, 0.04], p), "flowM3PerS[2]", "repeated flow")
        XCTAssertEqual(key(q, [60, .nan, 35, 20, 0]), "pressurePa[1]")
        XCTAssertEqual(key([0, 0.01, .infinity, 0.03, 0.04], p), "flowM3PerS[2]")
        XCTAssertEqual(key([0.01], [50]), "flowM3PerS", "single point")
        XCTAssertEqual(key([], []), "flowM3PerS")
        XCTAssertEqual(key(q, [60, 50, 35]), "pressurePa", "count mismatch")
        XCTAssertEqual(key([-0.01, 0.01, 0.02, 0.03, 0.04], p), "flowM3PerS[0]")
        XCTAssertEqual(key(q, [0, 0, 0, 0, 0]), "pressurePa[0]")
        XCTAssertEqual(key(q, [60, 50, 35, 20, 20]), "pressurePa[4]", "never reaches free delivery")
        XCTAssertEqual(key(q, p, rpm: 0), "referenceRPM")
        XCTAssertEqual(key(q, p, zeta: 0), "stoppedLossCoefficient")
        // A curve may end flat at zero, or below zero (measured past free delivery).
        XCTAssertNil(key(q, [60, 50, 35, 0, 0]))
        XCTAssertNil(key(q, [60, 50, 35, 20, -5]))

        XCTAssertThrowsError(try FanCurve(flowM3PerS: q, pressurePa: [60, 50, 35, 40, 0], referenceRPM: 3000)) {
            error in
            let text = String(describing: error)
            XCTAssertTrue(text.hasPrefix("pressurePa[3]:"), text)
            XCTAssertTrue(text.contains("40"), text)
        }
        XCTAssertThrowsError(try FanCurve.quadratic(maxPressurePa: 50, freeDeliveryM3PerS: 0.05, rpm: 3000, points: 1))
        XCTAssertThrowsError(try FanCurve.quadratic(maxPressurePa: -50, freeDeliveryM3PerS: 0.05, rpm: 3000))
        XCTAssertThrowsError(try FanCurve.quadratic(maxPressurePa: 50, freeDeliveryM3PerS: .nan, rpm: 3000))
    }

    func testCodableRoundTripValidates() throws {
        let fan = try datasheetFan()
        let data = try JSONEncoder().encode(fan)
        XCTAssertEqual(try JSONDecoder().decode(FanCurve.self, from: data), fan)
        // ζ may be omitted; a bad table is rejected on decoding, not at first use.
        let minimal = #"{"flowM3PerS": [0, 0.05], "pressurePa": [60, 0], "referenceRPM": 3000}"#
        let decoded = try JSONDecoder().decode(FanCurve.self, from: Data(minimal.utf8))
        XCTAssertEqual(decoded.stoppedLossCoefficient, FanCurve.defaultStoppedLossCoefficient)
        let rising = #"{"flowM3PerS": [0, 0.02, 0.05], "pressurePa": [60, 70, 0], "referenceRPM": 3000}"#
        XCTAssertThrowsError(try JSONDecoder().decode(FanCurve.self, from: Data(rising.utf8))) { error in
            XCTAssertEqual((error as? InputError)?.keyPath, "pressurePa[1]")
        }
    }
}
