import Foundation
import RackFlowNumerics
import RackFlowPhysics

/// The differentially heated square cavity of de Vahl Davis (1983) in the x–z plane
/// (gravity along −z): hot wall at x = 0, cold at x = 1, adiabatic top and bottom, one cell
/// deep in y with symmetry sides. Non-dimensional set-up: L = 1, ΔT = 1, ρ = c_p = 1, β = 1,
/// ν = √(g Pr / Ra), α = ν / Pr.
public enum NaturalConvection {
    public static func flowCase(n: Int, rayleigh: Double, prandtl: Double = 0.71, stretch: Double = 0) -> FlowCase {
        let axis = stretch > 0 ? Axis.clustered(n, to: 1, strength: stretch) : Axis.uniform(n, to: 1)
        var fc = FlowCase(grid: Grid(x: axis, y: .uniform(1, to: 1.0 / Double(n)), z: axis))
        let g = PhysicalConstants.standardGravityMPerS2
        let nu = (g * prandtl / rayleigh).squareRoot()
        var fluid = Fluid()
        fluid.densityKgPerM3 = 1
        fluid.specificHeatJPerKgK = 1
        fluid.viscosityPaS = nu
        fluid.conductivityWPerMK = nu / prandtl
        fluid.expansionPerK = 1
        fluid.referenceTemperatureC = 0
        fc.fluid = fluid
        fc.gravity = true
        fc.solveEnergy = true
        fc.initialTemperatureC = 0
        fc.sides[.west] = .wall(thermal: .temperatureC(0.5))
        fc.sides[.east] = .wall(thermal: .temperatureC(-0.5))
        fc.sides[.south] = .symmetry
        fc.sides[.north] = .symmetry
        return fc
    }

    /// Average Nusselt number on the hot wall: the wall heat flux integrated over the wall,
    /// over k ΔT (L = H = 1, per unit depth).
    public static func hotWallNusselt(_ s: FlowSolver) -> Double {
        let g = s.flow.grid
        let T = s.temperature.array
        var q = 0.0
        for k in 0..<g.nz {
            let c = g.index(0, 0, k)
            q += (0.5 - T[c]) / (0.5 * g.x.widths[0]) * g.z.widths[k]
        }
        return q // k and ΔT are 1
    }
}
