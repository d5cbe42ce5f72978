import XCTest
import RackFlowPhysics
import RackFlowNumerics

final class PerforatedPlateTests: XCTestCase {
    // Reference values computed independently (Python, double precision) from
    // ζ = [(1 − f) + 0.707 (1 − f)^0.375]² / f².
    func testSharpEdgedFormulaAgainstHandComputedValues() throws {
        XCTAssertEqual(try PerforatedPlate.sharpEdgedZeta(freeArea: 0.5), 4.3695340815808175, accuracy: 1e-12)
        XCTAssertEqual(try PerforatedPlate.sharpEdgedZeta(freeArea: 0.7), 1.1483632887240176, accuracy: 1e-12)
    }

    func testNoPlateHasNoLoss() throws {
        XCTAssertEqual(try PerforatedPlate.sharpEdgedZeta(freeArea: 1), 0)
        // The thick form keeps only the (tiny) hole-friction term when nothing blocks the flow.
        XCTAssertEqual(try PerforatedPlate.thickEdgedZeta(freeArea: 1, relativeThickness: 0), 0)
    }

    // Reference values computed independently (Python, double precision) from
    // ζ = [0.5 (1 − f)^0.75 + τ (1 − f)^1.375 + (1 − f)² + 0.02 l̄] / f².
    func testThickEdgedFormulaAgainstHandComputedValues() throws {
        // l̄ = 1 is a table point, τ = 0.24.
        XCTAssertEqual(
            try PerforatedPlate.thickEdgedZeta(freeArea: 0.5, relativeThickness: 1),
            2.639337713100627, accuracy: 1e-12)
        // l̄ = 0.5 is halfway between 0.4 and 0.6, τ = (1.10 + 0.84) / 2 = 0.97; here from
        // a 1 mm sheet with 2 mm holes.
        XCTAssertEqual(
            try PerforatedPlate.thickEdgedZeta(freeArea: 0.5, thicknessM: 0.001, holeDiameterM: 0.002),
            3.7251516156484232, accuracy: 1e-12)
    }

    func testZetaDecreasesAsFreeAreaGrows() throws {
        var previousSharp = Double.infinity, previousThick = Double.infinity
        for i in 1...100 {
            let f = Double(i) / 100
            let sharp = try PerforatedPlate.sharpEdgedZeta(freeArea: f)
            let thick = try PerforatedPlate.thickEdgedZeta(freeArea: f, relativeThickness: 0.8)
            XCTAssertLessThan(sharp, previousSharp, "sharp-edged ζ at f = \(f)")
            XCTAssertLessThan(thick, previousThick, "thick-edged ζ at f = \(f)")
            XCTAssertGreaterThanOrEqual(sharp, 0)
            previousSharp = sharp
            previousThick = thick
        }
    }

    func testTauTableEndpointsAndInterpolation() throws {
        XCTAssertEqual(try PerforatedPlate.tau(relativeThickness: 0), 1.35)
        XCTAssertEqual(try PerforatedPlate.tau(relativeThickness: 2.4), 0)
        XCTAssertEqual(try PerforatedPlate.tau(relativeThickness: 10), 0)
        XCTAssertEqual(try PerforatedPlate.tau(relativeThickness: 0.1), 1.285, accuracy: 1e-12)
        XCTAssertEqual(try PerforatedPlate.tau(relativeThickness: 1.4), 0.115, accuracy: 1e-12)
        // Every table point is reproduced, and τ never rises with thickness.
        let xs = PerforatedPlate.tauTableRelativeThickness, ys = PerforatedPlate.tauTableValues
        XCTAssertEqual(xs.count, ys.count)
        for (x, y) in zip(xs, ys) {
            XCTAssertEqual(try PerforatedPlate.tau(relativeThickness: x), y, accuracy: 1e-15)
        }
        var previous = Double.infinity
        for i in 0...300 {
            let t = try PerforatedPlate.tau(relativeThickness: Double(i) / 100)
            XCTAssertLessThanOrEqual(t, previous)
            previous = t
        }
    }

    // At l̄ = 0 the thick form must nearly agree with the sharp one: its τ(0) = 1.35 stands
    // where the sharp form's square carries 2 × 0.707 = 1.414.
    func testThickFormAtZeroThicknessIsNearTheSharpForm() throws {
        for f in [0.1, 0.3, 0.5, 0.7, 0.9] {
            let sharp = try PerforatedPlate.sharpEdgedZeta(freeArea: f)
            let thick = try PerforatedPlate.thickEdgedZeta(freeArea: f, relativeThickness: 0)
            XCTAssertLessThan(thick, sharp)
            XCTAssertEqual(thick / sharp, 1, accuracy: 0.025, "f = \(f)")
        }
    }

    func testConvenienceChoosesTheForm() throws {
        XCTAssertEqual(try PerforatedPlate.zeta(freeArea: 0.6), try PerforatedPlate.sharpEdgedZeta(freeArea: 0.6))
        XCTAssertEqual(
            try PerforatedPlate.zeta(freeArea: 0.6, thicknessM: 0.0015),
            try PerforatedPlate.sharpEdgedZeta(freeArea: 0.6))
        XCTAssertEqual(
            try PerforatedPlate.zeta(freeArea: 0.6, thicknessM: 0.0015, holeDiameterM: 0.005),
            try PerforatedPlate.thickEdgedZeta(freeArea: 0.6, relativeThickness: 0.3))
        // A lone bad value is still reported.
        XCTAssertThrowsError(try PerforatedPlate.zeta(freeArea: 0.6, holeDiameterM: -1)) { error in
            XCTAssertEqual((error as? InputError)?.keyPath, "holeDiameterM")
        }
    }

    func testPressureDropOpposesTheFlow() {
        XCTAssertEqual(
            PerforatedPlate.pressureDrop(zeta: 2, densityKgPerM3: 1.2, velocityMPerS: 3), 10.8, accuracy: 1e-12)
        XCTAssertEqual(
            PerforatedPlate.pressureDrop(zeta: 2, densityKgPerM3: 1.2, velocityMPerS: -3), -10.8, accuracy: 1e-12)
        XCTAssertEqual(PerforatedPlate.pressureDrop(zeta: 2, densityKgPerM3: 1.2, velocityMPerS: 0), 0)
    }

    func testInvalidFreeAreaIsRejectedWithItsValue() {
        for (f, shown) in [(0.0, "0.0"), (1.2, "1.2"), (Double.nan, "nan"), (-0.1, "-0.1"), (Double.infinity, "inf")] {
            XCTAssertThrowsError(try PerforatedPlate.sharpEdgedZeta(freeArea: f), "f = \(f)") { error in
                guard let error = error as? InputError else { return XCTFail("wrong error type \(error)") }
                XCTAssertEqual(error.keyPath, "freeArea")
                XCTAssertTrue(error.description.contains("freeArea"), error.description)
                XCTAssertTrue(error.description.contains(shown), error.description)
            }
            XCTAssertThrowsError(try PerforatedPlate.thickEdgedZeta(freeArea: f, relativeThickness: 1))
            XCTAssertThrowsError(try PerforatedPlate.zeta(freeArea: f, thicknessM: 0.001, holeDiameterM: 0.004))
        }
    }

    func testInvalidGeometryIsRejected() {
        func key(_ body: () throws -> Double) -> String? {
            do {
                _ = try body()
                return nil
            } catch { return (error as? InputError)?.keyPath }
        }
        XCTAssertEqual(
            key { try PerforatedPlate.thickEdgedZeta(freeArea: 0.5, thicknessM: -0.001, holeDiameterM: 0.003) },
            "thicknessM")
        XCTAssertEqual(
            key { try PerforatedPlate.thickEdgedZeta(freeArea: 0.5, thicknessM: .nan, holeDiameterM: 0.003) },
            "thicknessM")
        XCTAssertEqual(
            key { try PerforatedPlate.thickEdgedZeta(freeArea: 0.5, thicknessM: 0.001, holeDiameterM: 0) },
            "holeDiameterM")
        XCTAssertEqual(
            key { try PerforatedPlate.thickEdgedZeta(freeArea: 0.5, thicknessM: 0.001, holeDiameterM: .infinity) },
            "holeDiameterM")
        XCTAssertEqual(key { try PerforatedPlate.tau(relativeThickness: -1) }, "relativeThickness")
        XCTAssertEqual(key { try PerforatedPlate.tau(relativeThickness: .nan) }, "relativeThickness")
    }
}
