import XCTest
import RackFlowNumerics
@testable import RackFlowPhysics

final class KEpsilonTests: XCTestCase {
    /// Decay of homogeneous turbulence in still air: with no shear and no buoyancy the model is
    /// dk/dt = −ε, dε/dt = −C_2 ε²/k, whose solution is k = k₀ (1 + (C_2 − 1) t/τ₀)^(−1/(C_2−1)),
    /// τ₀ = k₀/ε₀ (Pope 2000, *Turbulent Flows*, §10.4.1). Backward Euler in time: over one τ₀ the
    /// error is first order, so halving the step must halve it (ratio 2 ± 0.3), and at τ₀/50 it is
    /// below 1 %.
    func testHomogeneousDecay() throws {
        let k0 = 0.01, eps0 = 0.01, tEnd = 1.0
        func run(steps: Int) throws -> Double {
            var fc = FlowCase(grid: Grid(x: .uniform(4, to: 0.4), y: .uniform(4, to: 0.4), z: .uniform(4, to: 0.4)))
            for side in Side.allCases { fc.sides[side] = .symmetry }
            fc.turbulence = .kEpsilon
            let s = try FlowSolver(fc)
            let t = try XCTUnwrap(s.turbulenceFields)
            XCTAssertTrue(t.wallCells.isEmpty, "symmetry planes are not walls")
            for c in 0..<fc.grid.cellCount {
                t.k.p[c] = k0
                t.epsilon.p[c] = eps0
            }
            var o = TimeStepOptions()
            o.minOuter = 6
            let stepper = TimeStepper(s, options: o)
            for _ in 0..<steps { try stepper.advance(dt: tEnd / Double(steps)) }
            let values = (0..<fc.grid.cellCount).map { t.k.p[$0] }
            XCTAssertEqual(values.max()! - values.min()!, 0, accuracy: 1e-12 * k0, "homogeneous")
            return values[0]
        }
        let c2 = KEpsilon.c2
        let exact = k0 * pow(1 + (c2 - 1) * tEnd * eps0 / k0, -1 / (c2 - 1))
        let coarse = try run(steps: 25), fine = try run(steps: 50)
        let (eCoarse, eFine) = (abs(coarse / exact - 1), abs(fine / exact - 1))
        print("k–ε decay at t = τ₀: exact \(exact), Δt = τ₀/25 \(coarse) (\(eCoarse)), τ₀/50 \(fine) (\(eFine))")
        XCTAssertLessThan(eFine, 0.01)
        XCTAssertEqual(eCoarse / eFine, 2, accuracy: 0.3, "first order in time")
    }

    /// The channel of `TurbulenceTests` (Re ≈ 13,000) with k–ε and log-layer wall values of ε:
    /// converges from rest, raises the pressure drop well above the laminar one, and gives a
    /// positive, finite k whose intensity in the core is a few per cent.
    func testChannel() throws {
        let (turbulent, dpT) = try TurbulenceTests.channel(.kEpsilon)
        let (_, dpL) = try TurbulenceTests.channel(.laminar)
        let (k, intensity) = turbulent.turbulence()
        let core = turbulent.flow.grid.index(45, 12, 0)
        print("k–ε channel: Δp \(dpT) Pa against laminar \(dpL) Pa; core intensity \(intensity[core])")
        XCTAssertGreaterThan(dpT, 1.5 * dpL)
        XCTAssertTrue(k.allSatisfy { $0.isFinite && $0 > 0 })
        XCTAssertGreaterThan(intensity[core], 0.01)
        XCTAssertLessThan(intensity[core], 0.2)
    }
}
