import Foundation
import RackFlowNumerics
import RackFlowPhysics

/// The lid-driven cavity: unit square (2D: one cell deep with symmetry sides) or unit
/// cube, lid at y = 1 moving with u = 1, ρ = 1, μ = 1/Re (so Re = U L / ν).
public enum Cavity {
    public static func flowCase(n: Int, reynolds: Double, threeD: Bool, stretch: Double = 0) -> FlowCase {
        let axis = stretch > 0 ? Axis.clustered(n, to: 1, strength: stretch) : Axis.uniform(n, to: 1)
        let grid = Grid(x: axis, y: axis, z: threeD ? axis : .uniform(1, to: 1.0 / Double(n)))
        var fc = FlowCase(grid: grid)
        var fluid = Fluid()
        fluid.densityKgPerM3 = 1
        fluid.viscosityPaS = 1 / reynolds
        fc.fluid = fluid
        fc.sides[.north] = .wall(velocityMPerS: (1, 0, 0))
        if !threeD {
            fc.sides[.bottom] = .symmetry
            fc.sides[.top] = .symmetry
        }
        return fc
    }

    /// u along the vertical centreline (x = 0.5, z = 0.5) and v along the horizontal one
    /// (y = 0.5, z = 0.5), linearly interpolated from the staggered faces.
    public static func centrelines(_ s: FlowSolver) -> (y: [Double], u: [Double], x: [Double], v: [Double]) {
        let g = s.flow.grid
        let u = s.velocity[0].array, v = s.velocity[1].array
        let nx = g.nx, ny = g.ny, nz = g.nz
        // z = 0.5: average the two cell layers around it (or the single layer in 2D).
        let ks = nz == 1 ? [0] : (nz % 2 == 0 ? [nz / 2 - 1, nz / 2] : [nz / 2])
        func uAt(_ i: Int, _ j: Int) -> Double {
            ks.reduce(0) { $0 + u[i + (nx + 1) * (j + ny * $1)] } / Double(ks.count)
        }
        func vAt(_ i: Int, _ j: Int) -> Double {
            ks.reduce(0) { $0 + v[i + nx * (j + (ny + 1) * $1)] } / Double(ks.count)
        }
        // u lives on x-faces: find the face column at x = 0.5 (interpolate between faces).
        let xf = g.x.faces
        let ix = max(0, min(nx - 1, xf.lastIndex(where: { $0 <= 0.5 })!))
        let tx = (0.5 - xf[ix]) / (xf[ix + 1] - xf[ix])
        var ys = [0.0], us = [0.0]
        for j in 0..<ny {
            ys.append(g.y.centres[j])
            us.append((1 - tx) * uAt(ix, j) + tx * uAt(ix + 1, j))
        }
        ys.append(1)
        us.append(1)
        let yf = g.y.faces
        let jy = max(0, min(ny - 1, yf.lastIndex(where: { $0 <= 0.5 })!))
        let ty = (0.5 - yf[jy]) / (yf[jy + 1] - yf[jy])
        var xs = [0.0], vs = [0.0]
        for i in 0..<nx {
            xs.append(g.x.centres[i])
            vs.append((1 - ty) * vAt(i, jy) + ty * vAt(i, jy + 1))
        }
        xs.append(1)
        vs.append(0)
        return (ys, us, xs, vs)
    }

    public enum Monitor {
        /// The most negative u on the vertical centreline (the main vortex's return flow).
        public static let minimumCentrelineU = FlowSolver.Monitor("min u on x = 0.5") { s in centrelines(s).u.min()! }
    }

    /// Linear interpolation of a profile.
    public static func interpolate(_ xs: [Double], _ ys: [Double], at x: Double) -> Double {
        guard let i = xs.lastIndex(where: { $0 <= x }) else { return ys[0] }
        if i >= xs.count - 1 { return ys[ys.count - 1] }
        let t = (x - xs[i]) / (xs[i + 1] - xs[i])
        return (1 - t) * ys[i] + t * ys[i + 1]
    }
}
