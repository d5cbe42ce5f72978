import XCTest
import RackFlowNumerics
import RackFlowPhysics

final class MixingLengthTests: XCTestCase {
    /// Face-normal component `axis` set from a function of the face centre.
    func fill(_ f: inout FaceField, _ value: (Double, Double, Double) -> Double) {
        let g = f.grid
        for k in 0..<f.shape.2 {
            for j in 0..<f.shape.1 {
                for i in 0..<f.shape.0 {
                    let x = f.axis == 0 ? g.x.faces[i] : g.x.centres[i]
                    let y = f.axis == 1 ? g.y.faces[j] : g.y.centres[j]
                    let z = f.axis == 2 ? g.z.faces[k] : g.z.centres[k]
                    f[i, j, k] = value(x, y, z)
                }
            }
        }
    }

    func coordinate(_ a: Int, _ x: Double, _ y: Double, _ z: Double) -> Double { a == 0 ? x : (a == 1 ? y : z) }

    /// u = γ y (and every other pairing of flow and shear axes): |S| = γ in every cell,
    /// on a non-uniform grid, the boundary cells included (one-sided there, exact for linear).
    func testLinearShearGivesGamma() {
        let g = Grid(
            x: .smoothlyStretched(9, to: 0.3, amplitude: 0.1), y: .clustered(11, to: 0.2, strength: 1.5),
            z: .uniform(7, to: 0.25))
        let gamma = 37.0
        var out = [Double](repeating: -1, count: g.cellCount)
        for flow in 0..<3 {
            for shear in 0..<3 where shear != flow {
                var vel = StaggeredVelocity(g)
                fill(&vel[flow]) { x, y, z in gamma * self.coordinate(shear, x, y, z) }
                StrainRate.magnitude(vel, into: &out)
                for c in 0..<g.cellCount {
                    XCTAssertEqual(out[c], gamma, accuracy: 1e-9 * gamma, "flow \(flow) shear \(shear)")
                }
            }
        }
    }

    /// Plane Poiseuille u(y) = 6U (y/h)(1 − y/h) between no-slip walls at y = 0 and h:
    /// |S| = |du/dy| at the cell centres. Exact (round-off) for the quadratic on a clustered
    /// grid, wall cells included (the wall's u = 0 is the third point), for all six
    /// pairings of flow and wall-normal axes.
    func testPoiseuilleMatchesShear() {
        let U = 1.7, h = 0.04
        for flow in 0..<3 {
            for normal in 0..<3 where normal != flow {
                let axes = (0..<3).map {
                    $0 == normal ? Axis.clustered(24, to: h, strength: 1.8) : Axis.uniform(5, to: 0.1)
                }
                let g = Grid(x: axes[0], y: axes[1], z: axes[2])
                var vel = StaggeredVelocity(g)
                fill(&vel[flow]) { x, y, z in
                    let s = self.coordinate(normal, x, y, z) / h
                    return 6 * U * s * (1 - s)
                }
                var out = [Double](repeating: 0, count: g.cellCount)
                let walls: Set<Side> = [Side(rawValue: 2 * normal)!, Side(rawValue: 2 * normal + 1)!]
                StrainRate.magnitude(vel, wallSides: walls, into: &out)
                for k in 0..<g.nz {
                    for j in 0..<g.ny {
                        for i in 0..<g.nx {
                            let s = [g.x.centres[i], g.y.centres[j], g.z.centres[k]][normal] / h
                            let exact = abs(6 * U / h * (1 - 2 * s))
                            XCTAssertEqual(
                                out[g.index(i, j, k)], exact, accuracy: 1e-9 * 6 * U / h,
                                "flow \(flow) normal \(normal)")
                        }
                    }
                }
            }
        }
    }

    /// A profile that is not a polynomial, u = U sin(π y / h) between walls: the error of
    /// |S| against |du/dy| falls 4× per halving of the (clustered) spacing, wall cells
    /// included — second order.
    func testSecondOrderConvergence() {
        let U = 2.0, h = 0.05
        func maxError(_ n: Int) -> Double {
            let g = Grid(x: .uniform(3, to: 0.1), y: .clustered(n, to: h, strength: 1.2), z: .uniform(3, to: 0.1))
            var vel = StaggeredVelocity(g)
            fill(&vel.u) { _, y, _ in U * sin(.pi * y / h) }
            var out = [Double](repeating: 0, count: g.cellCount)
            StrainRate.magnitude(vel, wallSides: [.south, .north], into: &out)
            var e = 0.0
            for j in 0..<g.ny {
                let exact = abs(U * .pi / h * cos(.pi * g.y.centres[j] / h))
                e = max(e, abs(out[g.index(1, j, 1)] - exact))
            }
            return e / (U * .pi / h)
        }
        let e16 = maxError(16), e32 = maxError(32), e64 = maxError(64)
        print("sin profile, relative |S| error: 16 \(e16), 32 \(e32), 64 \(e64)")
        XCTAssertGreaterThan(e16 / e32, 3.5)
        XCTAssertGreaterThan(e32 / e64, 3.5)
        XCTAssertLessThan(e64, 1e-3)
    }

    /// Uniform flow, or solid-body rotation (antisymmetric gradient), strains nothing:
    /// μ_t = 0 and k = 0 everywhere.
    func testNoStrainNoEddyViscosity() {
        let g = Grid(x: .clustered(8, to: 0.4, strength: 1), y: .uniform(9, to: 0.4), z: .uniform(6, to: 0.3))
        let model = MixingLength(deltaM: 0.4)
        let d = [Double](repeating: 0.1, count: g.cellCount)
        var s = [Double](repeating: -1, count: g.cellCount), muT = s, k = s
        var uniform = StaggeredVelocity(g)
        fill(&uniform.u) { _, _, _ in 1.5 }
        fill(&uniform.v) { _, _, _ in -0.7 }
        fill(&uniform.w) { _, _, _ in 2.2 }
        var rotation = StaggeredVelocity(g)
        let omega = 5.0
        fill(&rotation.u) { _, y, _ in -omega * (y - 0.2) }
        fill(&rotation.v) { x, _, _ in omega * (x - 0.2) }
        for vel in [uniform, rotation] {
            StrainRate.magnitude(vel, into: &s)
            model.eddyViscosity(densityKgPerM3: 1.2, wallDistanceM: d, strainRatePerS: s, into: &muT)
            model.turbulentKineticEnergy(wallDistanceM: d, strainRatePerS: s, into: &k)
            for c in 0..<g.cellCount {
                XCTAssertEqual(s[c], 0, accuracy: 1e-12)
                XCTAssertEqual(muT[c], 0, accuracy: 1e-15)
                XCTAssertEqual(k[c], 0, accuracy: 1e-15)
            }
        }
        var speed = [Double](repeating: 0, count: g.cellCount)
        StrainRate.cellSpeed(uniform, into: &speed)
        XCTAssertEqual(speed[17], (1.5 * 1.5 + 0.7 * 0.7 + 2.2 * 2.2).squareRoot(), accuracy: 1e-14)
    }

    /// ℓ = κ d near walls, 0.09 δ far away (and where no wall reaches, d = ∞).
    func testLengthCapsAtNinePercentOfDelta() {
        let model = MixingLength(deltaM: 0.5)
        XCTAssertEqual(model.kappa, 0.41)
        XCTAssertEqual(model.turbulentPrandtl, 0.85)
        XCTAssertEqual(model.maximumLengthM, 0.045, accuracy: 1e-15)
        XCTAssertEqual(model.length(wallDistanceM: 0.01), 0.0041, accuracy: 1e-15)
        XCTAssertEqual(model.length(wallDistanceM: 0.045 / 0.41), 0.045, accuracy: 1e-15) // cross-over
        XCTAssertEqual(model.length(wallDistanceM: 0.3), 0.045)
        XCTAssertEqual(model.length(wallDistanceM: .infinity), 0.045)
        XCTAssertEqual(model.length(wallDistanceM: 0), 0)

        // μ_t = ρ ℓ² |S|; k = ν_t |S| / sqrt(C_μ); I = sqrt(2k/3) / |U|.
        let rho = 1.204, s = 120.0, d = 0.02
        let l = 0.41 * d
        let muT = model.eddyViscosity(densityKgPerM3: rho, wallDistanceM: d, strainRate: s)
        XCTAssertEqual(muT, rho * l * l * s, accuracy: 1e-15)
        let k = model.turbulentKineticEnergy(wallDistanceM: d, strainRate: s)
        XCTAssertEqual(k, muT / rho * s / 0.3, accuracy: 1e-12 * k)
        XCTAssertEqual(
            model.intensity(turbulentKineticEnergy: k, speedMPerS: 3), (2 * k / 3).squareRoot() / 3, accuracy: 1e-15)
        // Below the speed floor (5 cm/s) the floor divides, so still air stays bounded.
        XCTAssertEqual(
            model.intensity(turbulentKineticEnergy: k, speedMPerS: 0), (2 * k / 3).squareRoot() / 0.05, accuracy: 1e-12)
        XCTAssertEqual(
            model.turbulentConductivity(eddyViscosityPaS: 1e-3, specificHeatJPerKgK: 1006), 1e-3 * 1006 / 0.85,
            accuracy: 1e-15)
        XCTAssertEqual(
            MixingLength.hydraulicDiameterM(flowAreaM2: 0.2 * 0.1, wettedPerimeterM: 0.6), 2 * 0.02 / 0.3,
            accuracy: 1e-15)

        // Field versions agree with the scalar ones.
        let ds = [0.0, 0.01, 0.05, 0.2, .infinity], ss = [10.0, 50, 0, 80, 30], us = [1.0, 0.01, 2, 0.5, 4]
        var mu = [Double](repeating: 0, count: 5), kk = mu, ii = mu
        model.eddyViscosity(densityKgPerM3: rho, wallDistanceM: ds, strainRatePerS: ss, into: &mu)
        model.turbulentKineticEnergy(wallDistanceM: ds, strainRatePerS: ss, into: &kk)
        model.intensity(turbulentKineticEnergy: kk, speedMPerS: us, into: &ii)
        for c in 0..<5 {
            XCTAssertEqual(mu[c], model.eddyViscosity(densityKgPerM3: rho, wallDistanceM: ds[c], strainRate: ss[c]))
            // Same formula, different association of the products: equal to round-off.
            XCTAssertEqual(
                kk[c], model.turbulentKineticEnergy(wallDistanceM: ds[c], strainRate: ss[c]),
                accuracy: 1e-14 * max(1, kk[c]))
            XCTAssertEqual(
                ii[c], model.intensity(turbulentKineticEnergy: kk[c], speedMPerS: us[c]),
                accuracy: 1e-14 * max(1, ii[c]))
        }
    }

    /// The whole chain on a channel with a solid block and a wall-face baffle: wall
    /// distance → |S| → μ_t, k, I. Zero in solids, finite and non-negative in the fluid,
    /// and the no-slip wall shear appears in the cells next to the block.
    func testChannelWithBlockEndToEnd() throws {
        let g = Grid(x: .uniform(24, to: 0.24), y: .uniform(10, to: 0.1), z: .uniform(12, to: 0.12))
        var tags = GridTags(g)
        tags.fill(.solid, lo: (0.1, 0, 0), hi: (0.14, 0.1, 0.04)) // cells i 10…13, k 0…3
        for j in 0..<g.ny { for k in 8..<12 { tags.faces[0][tags.faceIndex(axis: 0, 18, j, k)] = .wall } }
        let walls: Set<Side> = [.south, .north, .bottom, .top]
        let d = try WallDistance.compute(tags: tags, wallSides: walls)

        // Plug flow U along x in every open x-face (an approximation, not a solution).
        var vel = StaggeredVelocity(g)
        let U = 2.0
        for k in 0..<g.nz {
            for j in 0..<g.ny {
                for i in 0...g.nx {
                    let fi = tags.faceIndex(axis: 0, i, j, k)
                    let left = i > 0 ? tags.cells[g.index(i - 1, j, k)] : .fluid
                    let right = i < g.nx ? tags.cells[g.index(i, j, k)] : .fluid
                    vel.u.values[fi] = (left == .solid || right == .solid || tags.faces[0][fi] == .wall) ? 0 : U
                }
            }
        }
        var s = [Double](repeating: 0, count: g.cellCount), speed = s, muT = s, k = s, intensity = s
        StrainRate.magnitude(vel, tags: tags, wallSides: walls, into: &s)
        StrainRate.cellSpeed(vel, tags: tags, into: &speed)
        let model = MixingLength(
            deltaM: MixingLength.hydraulicDiameterM(flowAreaM2: 0.1 * 0.12, wettedPerimeterM: 0.44))
        model.eddyViscosity(densityKgPerM3: Fluid.air.densityKgPerM3, wallDistanceM: d, strainRatePerS: s, into: &muT)
        model.turbulentKineticEnergy(wallDistanceM: d, strainRatePerS: s, into: &k)
        model.intensity(turbulentKineticEnergy: k, speedMPerS: speed, into: &intensity)
        for c in 0..<g.cellCount {
            XCTAssertTrue(muT[c].isFinite && muT[c] >= 0 && k[c].isFinite && intensity[c].isFinite)
            if tags.cells[c] == .solid {
                XCTAssertEqual(s[c], 0)
                XCTAssertEqual(muT[c], 0)
                XCTAssertEqual(d[c], 0)
            }
        }
        // Above the block top (k = 4): u = U at the centre, 0 on the block face half a cell
        // below, U in the cell above: the three-point slope is 4U / (3h) = 267 1/s. In
        // mid-channel the plug flow is uniform and strains nothing.
        let above = g.index(11, 5, 4), middle = g.index(4, 5, 6)
        XCTAssertEqual(s[above], 4 * U / (3 * 0.01), accuracy: 1e-9)
        XCTAssertEqual(s[middle], 0, accuracy: 1e-12)
        XCTAssertEqual(muT[middle], 0)
        XCTAssertGreaterThan(muT[above], 0)
    }
}
