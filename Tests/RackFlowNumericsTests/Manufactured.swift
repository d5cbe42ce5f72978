import Foundation
import RackFlowNumerics

/// A manufactured solution of −∇·(k∇φ) = f on the unit cube with a smooth, variable k:
///   φ = cos(1.3x + 0.2) sin(1.7y + 0.5) e^{0.6z},   k = 1 + 0.5x + 0.25yz.
enum Manufactured {
    static func phi(_ x: Double, _ y: Double, _ z: Double) -> Double {
        cos(1.3 * x + 0.2) * sin(1.7 * y + 0.5) * exp(0.6 * z)
    }
    static func k(_ x: Double, _ y: Double, _ z: Double) -> Double { 1 + 0.5 * x + 0.25 * y * z }
    static func grad(_ x: Double, _ y: Double, _ z: Double) -> (Double, Double, Double) {
        let e = exp(0.6 * z)
        return (
            -1.3 * sin(1.3 * x + 0.2) * sin(1.7 * y + 0.5) * e,
            1.7 * cos(1.3 * x + 0.2) * cos(1.7 * y + 0.5) * e,
            0.6 * phi(x, y, z)
        )
    }
    static func source(_ x: Double, _ y: Double, _ z: Double) -> Double {
        let lap = (-1.69 - 2.89 + 0.36) * phi(x, y, z)
        let g = grad(x, y, z)
        return -(k(x, y, z) * lap + 0.5 * g.0 + 0.25 * z * g.1 + 0.25 * y * g.2)
    }
    /// Outward flux density k ∂φ/∂n on a side.
    static func flux(_ side: Side) -> ScalarBoundary {
        .neumann { x, y, z in
            let g = grad(x, y, z)
            let d = side.axis == 0 ? g.0 : (side.axis == 1 ? g.1 : g.2)
            return k(x, y, z) * (side.isUpper ? d : -d)
        }
    }

    enum Boundaries { case dirichlet, mixed, neumann }

    /// Max-norm error of the discrete solution on an n³ grid (uniform or smoothly stretched).
    static func error(n: Int, stretched: Bool, boundaries: Boundaries) throws -> Double {
        let axis = stretched ? Axis.smoothlyStretched(n, to: 1, amplitude: 0.065) : Axis.uniform(n, to: 1)
        let grid = Grid(x: axis, y: axis, z: axis)
        let kc = CellField(grid, k).values
        var p = DiffusionProblem(grid: grid, coefficient: kc)
        for s in Side.allCases {
            switch boundaries {
            case .dirichlet: p.boundaries[s] = .dirichlet(phi)
            case .mixed: p.boundaries[s] = (s == .west || s == .top) ? .dirichlet(phi) : flux(s)
            case .neumann: p.boundaries[s] = flux(s)
            }
        }
        let A = p.stencil()
        let b = PaddedVector(p.rightHandSide(source: source), pad: A.pad)
        let x = PaddedVector(count: A.count, pad: A.pad)
        let cg = try MultigridCG(A)
        try cg.solve(
            b, x, options: KrylovOptions(tolerance: 1e-12, maxIterations: 200),
            nullSpace: boundaries == .neumann ? .project : .reject)
        let exact = CellField(grid, phi).values
        var err = (0..<A.count).map { x[$0] - exact[$0] }
        if boundaries == .neumann {
            // Defined up to a constant: compare after removing the mean difference.
            let mean = err.reduce(0, +) / Double(err.count)
            err = err.map { $0 - mean }
        }
        return err.map(abs).max()!
    }
}
