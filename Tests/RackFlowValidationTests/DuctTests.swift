import XCTest
import RackFlowNumerics
import RackFlowPhysics

/// Closed-form checks of `../shared/reference/README.md` in 2D ducts (one cell deep,
/// symmetry front and back): plane Poiseuille flow, a Darcy–Forchheimer slab, a perforated
/// sheet, fans against system curves, and the energy balance of a heated channel.
final class DuctTests: XCTestCase {
    /// A duct along x: `nx` × `ny` cells over L × h, depth one cell.
    func duct(L: Double, h: Double, nx: Int, ny: Int, slipSides: Bool) -> FlowCase {
        var fc = FlowCase(
            grid: Grid(x: .uniform(nx, to: L), y: .uniform(ny, to: h), z: .uniform(1, to: h / Double(ny))))
        fc.sides[.bottom] = .symmetry
        fc.sides[.top] = .symmetry
        if slipSides {
            fc.sides[.south] = .symmetry
            fc.sides[.north] = .symmetry
        }
        return fc
    }

    func solve(_ fc: FlowCase, tolerance: Double = 1e-8) throws -> FlowSolver {
        var o = SimpleOptions()
        o.tolerance = tolerance
        o.maxIterations = 20000
        let s = try FlowSolver(fc, options: o)
        try s.solveSteady()
        return s
    }

    /// Mean pressure of the cell column at x.
    func pressure(_ s: FlowSolver, atX x: Double) -> Double {
        let i = s.flow.grid.x.cell(containing: x)
        return s.meanPressure(cells: (0..<s.flow.grid.ny).map { s.flow.grid.index(i, $0, 0) })
    }

    func testPlanePoiseuille() throws {
        let h = 1.0, U = 1.0, mu = 0.1
        var fc = duct(L: 6, h: h, nx: 96, ny: 16, slipSides: false)
        fc.fluid.densityKgPerM3 = 1
        fc.fluid.viscosityPaS = mu // Re = U h / ν = 10
        fc.patches = [
            .whole("inlet", .west, .velocityInlet(speedMPerS: U, temperatureC: 20)),
            .whole("outlet", .east, .pressureOutlet(pressurePa: 0, backflowTemperatureC: 20)),
        ]
        let s = try solve(fc)
        let g = s.flow.grid
        let dpdx =
            (pressure(s, atX: 3.0) - pressure(s, atX: 5.0))
            / (g.x.centres[g.x.cell(containing: 5.0)] - g.x.centres[g.x.cell(containing: 3.0)])
        let exact = 12 * mu * U / (h * h)
        // Profile at x = 4 (u on the x-face nearest).
        let i = g.x.cell(containing: 4.0)
        var profileError = 0.0
        for j in 0..<g.ny {
            let y = g.y.centres[j]
            profileError = max(profileError, abs(s.velocity[0][i + (g.nx + 1) * j] - 6 * U * (y / h) * (1 - y / h)))
        }
        print(
            "Poiseuille: dp/dx \(dpdx) vs \(exact) (\(100 * abs(dpdx / exact - 1)) %), profile max error "
                + "\(profileError / U) U"
        )
        XCTAssertEqual(dpdx, exact, accuracy: 0.005 * exact)
        XCTAssertLessThanOrEqual(profileError, 0.01 * U)
    }

    func testPorousSlab() throws {
        let U = 2.0, rho = 1.2, mu = 1.8e-5, invK = 2e6, c2 = 30.0, thickness = 0.2
        var fc = duct(L: 1, h: 0.2, nx: 50, ny: 4, slipSides: true)
        fc.fluid.densityKgPerM3 = rho
        fc.fluid.viscosityPaS = mu
        fc.tags.fill(.porous, lo: (0.4, -1, -1), hi: (0.6, 1, 1))
        for c in 0..<fc.grid.cellCount where fc.tags.cells[c] == .porous {
            fc.porous[c] = PorousCoefficients(inverseKPerM2: (invK, invK, invK), c2PerM: (c2, c2, c2))
        }
        fc.patches = [
            .whole("inlet", .west, .velocityInlet(speedMPerS: U, temperatureC: 20)),
            .whole("outlet", .east, .pressureOutlet(pressurePa: 0, backflowTemperatureC: 20)),
        ]
        let s = try solve(fc)
        let dp = pressure(s, atX: 0.39) - pressure(s, atX: 0.61)
        let exact = thickness * (mu * U * invK + 0.5 * rho * c2 * U * U)
        print("porous slab: Δp \(dp) vs \(exact) Pa (\(100 * abs(dp / exact - 1)) %)")
        XCTAssertEqual(dp, exact, accuracy: 0.005 * exact)
    }

    /// One row of cells: the closed forms are one-dimensional, and with slip sides and air's
    /// small viscosity several rows would be coupled too weakly to stay uniform.
    func sheetDuct(zeta: Double) -> FlowCase {
        var fc = duct(L: 1, h: 0.2, nx: 40, ny: 1, slipSides: true)
        fc.grid = Grid(x: fc.grid.x, y: fc.grid.y, z: .uniform(1, to: 0.05))
        fc.tags = GridTags(fc.grid)
        fc.fluid.densityKgPerM3 = 1.2
        let i = 20 // the x-face at x = 0.5
        for j in 0..<1 {
            let f = fc.tags.faceIndex(axis: 0, i, j, 0)
            fc.tags.faces[0][f] = .porousSheet
            fc.sheetZeta[0][f] = zeta
        }
        return fc
    }

    func testPerforatedSheet() throws {
        let U = 3.0
        let zeta = try PerforatedPlate.sharpEdgedZeta(freeArea: 0.65)
        var fc = sheetDuct(zeta: zeta)
        fc.patches = [
            .whole("inlet", .west, .velocityInlet(speedMPerS: U, temperatureC: 20)),
            .whole("outlet", .east, .pressureOutlet(pressurePa: 0, backflowTemperatureC: 20)),
        ]
        let s = try solve(fc)
        let dp = pressure(s, atX: 0.49) - pressure(s, atX: 0.51)
        let exact = zeta * 0.5 * 1.2 * U * U
        print("perforated sheet (f = 0.65, ζ = \(zeta)): Δp \(dp) vs \(exact) Pa (\(100 * abs(dp / exact - 1)) %)")
        XCTAssertEqual(dp, exact, accuracy: 0.005 * exact)
    }

    /// Open at both ends (static pressure 0): the fan draws air in and pushes it through a
    /// sheet; its operating point is where Δp_fan(Q) = ζ ½ ρ (Q/A)².
    func fanDuct(rpm: Double, stoppedFanUpstream: Bool = false) throws -> (FlowSolver, Double, FanCurve) {
        let zeta = 4.0, rho = 1.2
        var fc = sheetDuct(zeta: zeta)
        fc.fluid.densityKgPerM3 = rho
        fc.patches = [
            .whole("left", .west, .pressureOutlet(pressurePa: 0, backflowTemperatureC: 20)),
            .whole("right", .east, .pressureOutlet(pressurePa: 0, backflowTemperatureC: 20)),
        ]
        let area = 0.2 * fc.grid.z.length
        let curve = try FanCurve.quadratic(maxPressurePa: 75, freeDeliveryM3PerS: 3 * area, rpm: 3000)
        let faces = [fc.tags.faceIndex(axis: 0, 8, 0, 0)]
        for f in faces { fc.tags.faces[0][f] = .fan }
        fc.fans = [
            FanFaces(
                name: "fan", axis: 0, direction: 1, faces: faces, curve: curve, rpm: rpm, areaM2: area,
                densityKgPerM3: rho)
        ]
        var systemK = zeta * 0.5 * rho / (area * area)
        if stoppedFanUpstream {
            let stopped = [fc.tags.faceIndex(axis: 0, 14, 0, 0)]
            for f in stopped { fc.tags.faces[0][f] = .fan }
            fc.fans.append(
                FanFaces(
                    name: "stopped", axis: 0, direction: 1, faces: stopped, curve: curve, rpm: 0, areaM2: area,
                    densityKgPerM3: rho))
            systemK += curve.stoppedLossCoefficient * 0.5 * rho / (area * area)
        }
        let s = try solve(fc)
        return (s, systemK, curve)
    }

    func testFanOperatingPointAndAffinity() throws {
        let (full, k, curve) = try fanDuct(rpm: 3000)
        let expected = try curve.operatingPoint(systemK: k, rpm: 3000)
        let q = full.fanOperatingPoints[0].flowM3PerS
        print("fan at 3000 rpm: Q \(q) vs \(expected.flowM3PerS) m³/s (\(100 * abs(q / expected.flowM3PerS - 1)) %)")
        XCTAssertEqual(q, expected.flowM3PerS, accuracy: 0.01 * expected.flowM3PerS)
        let (half, _, _) = try fanDuct(rpm: 1500)
        let qh = half.fanOperatingPoints[0].flowM3PerS
        print("fan at 1500 rpm: Q \(qh), ratio to full speed \(qh / q)")
        XCTAssertEqual(qh / q, 0.5, accuracy: 0.005)
    }

    func testStoppedFanIsASeriesResistance() throws {
        let (s, k, curve) = try fanDuct(rpm: 3000, stoppedFanUpstream: true)
        let expected = try curve.operatingPoint(systemK: k, rpm: 3000)
        let q = s.fanOperatingPoints[0].flowM3PerS
        print("fan + stopped fan + sheet: Q \(q) vs series-resistance \(expected.flowM3PerS) m³/s")
        XCTAssertEqual(q, expected.flowM3PerS, accuracy: 0.01 * expected.flowM3PerS)
        XCTAssertGreaterThan(s.fanOperatingPoints[1].flowM3PerS, 0) // air goes through the stopped fan
    }

    /// A blower between a plenum and the duct (fan-curve inlet against the plenum pressure).
    func testFanCurveInletAgainstPlenum() throws {
        let zeta = 4.0, rho = 1.2, plenum = 5.0
        var fc = sheetDuct(zeta: zeta)
        let area = 0.2 * fc.grid.z.length
        let curve = try FanCurve.quadratic(maxPressurePa: 75, freeDeliveryM3PerS: 3 * area, rpm: 3000)
        fc.patches = [
            .whole("blower", .west, .fanInlet(curve: curve, rpm: 3000, plenumPressurePa: plenum, temperatureC: 20)),
            .whole("outlet", .east, .pressureOutlet(pressurePa: 0, backflowTemperatureC: 20)),
        ]
        let s = try solve(fc)
        // Δp_fan(Q) + plenum = ζ ½ ρ (Q/A)²  ⇒  operating point of the curve shifted by the plenum.
        var lo = 0.0, hi = curve.freeDeliveryM3PerS(rpm: 3000) * 2
        for _ in 0..<200 {
            let q = 0.5 * (lo + hi)
            if curve.pressureRise(flowM3PerS: q, rpm: 3000) + plenum > zeta * 0.5 * rho * (q / area) * (q / area) {
                lo = q
            } else {
                hi = q
            }
        }
        let q = s.fans[0].name == "blower" ? s.fanOperatingPoints[0].flowM3PerS : .nan
        print("fan-curve inlet: Q \(q) vs \(lo) m³/s")
        XCTAssertEqual(q, lo, accuracy: 0.01 * lo)
        XCTAssertEqual(s.balance().relativeMassImbalance, 0, accuracy: 1e-8)
    }

    func testHeatedChannelEnergyAndMassBalance() throws {
        var fc = duct(L: 0.5, h: 0.1, nx: 50, ny: 10, slipSides: false)
        fc.solveEnergy = true
        fc.patches = [
            .whole("inlet", .west, .velocityInlet(speedMPerS: 1, temperatureC: 20)),
            .whole("outlet", .east, .pressureOutlet(pressurePa: 0, backflowTemperatureC: 20)),
        ]
        fc.heatW = [Double](repeating: 0, count: fc.grid.cellCount)
        for c in 0..<fc.grid.cellCount {
            let (i, j, _) = fc.grid.ijk(c)
            if (10..<20).contains(i) && (3..<6).contains(j) { fc.heatW[c] = 0.4 } // 12 W in 30 cells
        }
        let s = try solve(fc, tolerance: 1e-10)
        let b = s.balance()
        let mdot = b.massInKgPerS
        let cp = fc.fluid.specificHeatJPerKgK
        // Mixed-mean outlet temperature from the outlet faces.
        let outlet = s.facesOnPlane(axis: 0, index: fc.grid.nx)
        var hq = 0.0, mq = 0.0
        for f in outlet {
            let j = f / (fc.grid.nx + 1)
            let c = fc.grid.index(fc.grid.nx - 1, j, 0)
            let m = s.velocity[0][f] * fc.grid.y.widths[j] * fc.grid.z.widths[0]
            hq += m * s.temperature[c]
            mq += m
        }
        let tOut = hq / mq
        let q = 12.0
        let error = abs(q - mdot * cp * (tOut - 20)) / q
        print(
            "heated channel: Q \(q) W, ṁ c_p ΔT \(mdot * cp * (tOut - 20)) W, error \(error); mass imbalance "
                + "\(b.relativeMassImbalance); balance() energy error \(b.relativeEnergyError)"
        )
        XCTAssertLessThanOrEqual(error, 0.001)
        XCTAssertLessThanOrEqual(b.relativeMassImbalance, 1e-8)
        XCTAssertLessThanOrEqual(b.relativeEnergyError, 0.001)
    }
}
