import XCTest
import RackFlowNumerics
import RackFlowPhysics

/// The 2D Taylor–Green vortex u = A sin x cos y, v = −A cos x sin y on [0, π]²: its
/// boundaries are streamlines without shear, so symmetry planes reproduce it exactly, and
/// it decays as A(t) = A₀ e^{−2νt}.
final class TaylorGreenTests: XCTestCase {
    func run(
        n: Int, nu: Double, dt: Double, endTime: Double, scheme: TimeScheme
    ) throws -> (rate: Double, error: Double) {
        let L = Double.pi
        let grid = Grid(x: .uniform(n, to: L), y: .uniform(n, to: L), z: .uniform(1, to: L / Double(n)))
        var fc = FlowCase(grid: grid)
        fc.fluid.densityKgPerM3 = 1
        fc.fluid.viscosityPaS = nu
        for s in Side.allCases { fc.sides[s] = .symmetry }
        var opts = SimpleOptions()
        opts.velocityRelaxation = 0.9
        opts.pressureTolerance = 1e-3
        opts.momentumTolerance = 1e-3
        let solver = try FlowSolver(fc, options: opts)
        let u = solver.velocity[0], v = solver.velocity[1]
        for j in 0..<n {
            for i in 0...n {
                u[i + (n + 1) * j] = sin(grid.x.faces[i]) * cos(grid.y.centres[j])
            }
        }
        for j in 0...n {
            for i in 0..<n {
                v[i + n * j] = -cos(grid.x.centres[i]) * sin(grid.y.faces[j])
            }
        }
        var so = TimeStepOptions()
        so.scheme = scheme
        so.tolerance = 1e-9
        so.maxOuter = 50
        let stepper = TimeStepper(solver, options: so)
        let steps = Int((endTime / dt).rounded())
        for _ in 0..<steps { try stepper.advance(dt: dt) }
        // Amplitude by projection onto the initial mode (least squares over all u faces).
        var num = 0.0, den = 0.0, err = 0.0
        let exact = exp(-2 * nu * stepper.time)
        for j in 0..<n {
            for i in 0...n {
                let phi = sin(grid.x.faces[i]) * cos(grid.y.centres[j])
                num += u[i + (n + 1) * j] * phi
                den += phi * phi
                err = max(err, abs(u[i + (n + 1) * j] - exact * phi))
            }
        }
        let amplitude = num / den
        return (-log(amplitude) / stepper.time, err)
    }

    func testDecayRateAt64() throws {
        let nu = 0.05
        let r = try run(n: 64, nu: nu, dt: 0.02, endTime: 1.0, scheme: .bdf2)
        let relative = abs(r.rate - 2 * nu) / (2 * nu)
        print("Taylor–Green 64²: decay rate \(r.rate) vs exact \(2 * nu): relative error \(relative)")
        XCTAssertLessThanOrEqual(relative, 0.01)
    }

    /// BDF2: halving the step divides the time error by ~4. The spatial error is held fixed
    /// (same grid) and removed by comparing against a run with a much smaller step.
    func testBDF2IsSecondOrderInTime() throws {
        let nu = 0.05, n = 32, T = 0.8
        let ref = try run(n: n, nu: nu, dt: 0.00625, endTime: T, scheme: .bdf2).rate
        let coarse = try run(n: n, nu: nu, dt: 0.1, endTime: T, scheme: .bdf2).rate
        let fine = try run(n: n, nu: nu, dt: 0.05, endTime: T, scheme: .bdf2).rate
        let e1 = abs(coarse - ref), e2 = abs(fine - ref)
        print("BDF2 time error: Δt 0.1 → \(e1), Δt 0.05 → \(e2), ratio \(e1 / e2)")
        XCTAssertGreaterThan(e1 / e2, 3.3)
        let be1 = abs(try run(n: n, nu: nu, dt: 0.1, endTime: T, scheme: .backwardEuler).rate - ref)
        let be2 = abs(try run(n: n, nu: nu, dt: 0.05, endTime: T, scheme: .backwardEuler).rate - ref)
        print("backward Euler time error: Δt 0.1 → \(be1), Δt 0.05 → \(be2), ratio \(be1 / be2)")
        XCTAssertLessThan(be1 / be2, 2.5) // first order, for contrast
    }
}
