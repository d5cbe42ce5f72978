import Foundation
import RackFlowNumerics
import RackFlowPhysics

/// Reading a generic case's settings: `grid:`, `physics:`, `sides:` and `solver:` (the keys and
/// defaults are listed in GenericCase.swift). Each reader checks its keys and names the file, key
/// and problem on bad input.
extension GenericCase {
    /// `grid:`: spacing caps and ratios.
    static func readGrid(_ root: ConfigNode) throws -> GridConstraints {
        var c = GridConstraints()
        if let g = root.child("grid") {
            try g.checkKeys(allowed: [
                "maxSpacing", "maxNeighbourRatio", "minCellsAcrossPart", "minSpacing", "refinement",
            ])
            c.refinement = try g.double("refinement", default: 1, "must be ≥ 1") { $0 >= 1 }
            c.maxSpacingM = try g.double("maxSpacing", default: c.maxSpacingM, "must be > 0 m") { $0 > 0 }
            c.maxNeighbourRatio = try g.double("maxNeighbourRatio", default: c.maxNeighbourRatio, "must be ≥ 1") {
                $0 >= 1
            }
            c.minCellsAcrossPart = try g.int("minCellsAcrossPart", default: c.minCellsAcrossPart)
            if c.minCellsAcrossPart < 0 {
                throw g.error("minCellsAcrossPart", "must be ≥ 0 (got \(c.minCellsAcrossPart))")
            }
            c.minSpacingM = try g.double("minSpacing", default: c.minSpacingM, "must be ≥ 0 m and < maxSpacing") {
                $0 >= 0 && $0 < c.maxSpacingM
            }
        }
        return c
    }

    /// `physics:`: the fluid's properties, buoyancy, energy, turbulence and the initial
    /// temperature.
    static func readPhysics(
        _ root: ConfigNode
    ) throws -> (
        fluid: Fluid, gravity: Bool, energy: Bool, turbulence: TurbulenceModel, initialTemperatureC: Double
    ) {
        var fluid = Fluid()
        var gravity = false, energy = false, t0 = 20.0
        var turbulence = TurbulenceModel.laminar
        if let p = root.child("physics") {
            try p.checkKeys(allowed: ["fluid", "gravity", "energy", "turbulence", "initialTemperature"])
            if let f = p.child("fluid") {
                try f.checkKeys(allowed: [
                    "density", "viscosity", "conductivity", "specificHeat", "expansion", "referenceTemperature",
                ])
                fluid.densityKgPerM3 = try f.double("density", default: fluid.densityKgPerM3, "must be > 0 kg/m³") {
                    $0 > 0
                }
                fluid.viscosityPaS = try f.double("viscosity", default: fluid.viscosityPaS, "must be > 0 Pa·s") {
                    $0 > 0
                }
                fluid.conductivityWPerMK = try f.double(
                    "conductivity", default: fluid.conductivityWPerMK, "must be > 0 W/(m·K)"
                ) { $0 > 0 }
                fluid.specificHeatJPerKgK = try f.double(
                    "specificHeat", default: fluid.specificHeatJPerKgK, "must be > 0 J/(kg·K)"
                ) { $0 > 0 }
                fluid.expansionPerK = try f.double("expansion", default: fluid.expansionPerK, "must be ≥ 0 1/K") {
                    $0 >= 0
                }
                fluid.referenceTemperatureC = try f.double(
                    "referenceTemperature", default: fluid.referenceTemperatureC, "must be above absolute zero"
                ) { $0 > -273.15 }
            }
            gravity = try p.bool("gravity", default: false)
            energy = try p.bool("energy", default: false)
            t0 = try p.double("initialTemperature", default: 20, "must be above absolute zero (°C)") { $0 > -273.15 }
            if let t = p.child("turbulence") {
                if t.isScalar {
                    let s = try t.string()
                    switch s {
                    case "laminar": turbulence = .laminar
                    case "kEpsilon": turbulence = .kEpsilon
                    default:
                        throw t.error(
                            "must be laminar, kEpsilon, {constantEddyViscosity: Pa·s} or {mixingLength: {delta: m}} "
                                + "(got '\(s)')")
                    }
                } else {
                    try t.checkKeys(allowed: ["constantEddyViscosity", "mixingLength"])
                    let keys = try t.keys()
                    guard keys.count == 1 else {
                        throw t.error("give exactly one of constantEddyViscosity, mixingLength")
                    }
                    if t.has("constantEddyViscosity") {
                        turbulence = .constantEddyViscosity(
                            try t.double("constantEddyViscosity", "must be ≥ 0 Pa·s") { $0 >= 0 })
                    } else {
                        let m = try t.required("mixingLength")
                        try m.checkKeys(allowed: ["delta"])
                        turbulence = .mixingLength(deltaM: try m.double("delta", "must be > 0 m") { $0 > 0 })
                    }
                }
            }
        }
        return (fluid, gravity, energy, turbulence, t0)
    }

    /// `sides:`: what each side of the box is where no patch covers it.
    static func readSides(_ root: ConfigNode) throws -> [Side: SideCondition] {
        var sides: [Side: SideCondition] = [:]
        if let s = root.child("sides") {
            try s.checkKeys(allowed: ["west", "east", "south", "north", "bottom", "top"])
            for key in try s.keys() {
                let n = try s.required(key)
                let side = Self.sideNames[key]!
                if n.isScalar {
                    let v = try n.string()
                    switch v {
                    case "symmetry": sides[side] = .symmetry
                    case "wall": sides[side] = .wall()
                    default:
                        throw n.error(
                            "must be symmetry, wall or {wall: {velocity: [u, v, w], temperature: °C}} (got '\(v)')")
                    }
                } else {
                    try n.checkKeys(allowed: ["wall", "symmetry"])
                    if n.has("symmetry") {
                        throw n.error("symmetry", "write `symmetry` as a plain value, not a mapping")
                    }
                    let w = try n.required("wall")
                    try w.checkKeys(allowed: ["velocity", "temperature"])
                    let v = try w.vector3("velocity", default: (0, 0, 0))
                    let th: ThermalCondition =
                        try w.optionalDouble("temperature").map { t in
                            guard t > -273.15 else {
                                throw w.error("temperature", "must be above absolute zero (got \(configFormat(t)))")
                            }
                            return .temperatureC(t)
                        } ?? .adiabatic
                    sides[side] = .wall(velocityMPerS: v, thermal: th)
                }
            }
        }
        return sides
    }

    /// `solver:`: the case-file defaults of the steady iteration and their overrides.
    static func readSolver(_ root: ConfigNode) throws -> SimpleOptions {
        var o = SimpleOptions()
        // Case-file defaults of the steady iteration (the rack's, measured there first): steady
        // iterations unrelaxed, damped by the pseudo-time term with its Courant number capped at
        // 100, and 8 momentum sweeps (Steady/PseudoTransient.swift). On generated cases:
        // 648 → 154 and 1,230 → 703 outer iterations, two others unchanged (949, 811).
        let sv = root.child("solver")
        if sv?.child("velocityRelaxation") == nil { o.steadyVelocityRelaxation = 1 }
        o.pseudoCourantMax = 100
        o.momentumSweeps = 8
        // The stopping rule of racks: the figures the report gives settled (CaseMonitors), with
        // the change residuals below 1e-3 and temperature judged by its RMS change. The
        // residuals alone at 1e-6, temperature by its largest change, kept hand-written cases
        // from converging for good: a tiny limit cycle beside a sheet, or one cell rocking by
        // 0.26 K beside a face whose flow flips direction. `tolerance` sets the residuals' bound.
        o.tolerance = 1e-3
        o.temperatureChangeRMS = true
        if let s = sv {
            try s.checkKeys(allowed: [
                "maxIterations", "tolerance", "velocityRelaxation",
                "steadyVelocityRelaxation", "pseudoCourantMax", "pressureRelaxation",
                "temperatureRelaxation", "momentumSweeps", "energySweeps", "secondOrder",
                "pressureTolerance", "pressureSmoother", "temperatureChange",
            ])
            o.maxIterations = try s.int("maxIterations", default: o.maxIterations)
            if o.maxIterations < 1 { throw s.error("maxIterations", "must be ≥ 1 (got \(o.maxIterations))") }
            o.tolerance = try s.double("tolerance", default: o.tolerance, "must be > 0") { $0 > 0 }
            o.velocityRelaxation = try s.double(
                "velocityRelaxation", default: o.velocityRelaxation, "must be in (0, 1]"
            ) { $0 > 0 && $0 <= 1 }
            if s.child("steadyVelocityRelaxation") != nil {
                o.steadyVelocityRelaxation = try s.double("steadyVelocityRelaxation", default: 1, "must be in (0, 1]") {
                    $0 > 0 && $0 <= 1
                }
            }
            o.pseudoCourantMax = try s.double("pseudoCourantMax", default: o.pseudoCourantMax, "must be ≥ 1") {
                $0 >= 1 && $0.isFinite
            }
            o.pressureRelaxation = try s.double(
                "pressureRelaxation", default: o.pressureRelaxation, "must be in (0, 1]"
            ) { $0 > 0 && $0 <= 1 }
            o.temperatureRelaxation = try s.double(
                "temperatureRelaxation", default: o.temperatureRelaxation, "must be in (0, 1]"
            ) { $0 > 0 && $0 <= 1 }
            o.momentumSweeps = try s.int("momentumSweeps", default: o.momentumSweeps)
            if o.momentumSweeps < 0 { throw s.error("momentumSweeps", "must be ≥ 0 (got \(o.momentumSweeps))") }
            o.energySweeps = try s.int("energySweeps", default: o.energySweeps)
            if o.energySweeps < 0 { throw s.error("energySweeps", "must be ≥ 0 (got \(o.energySweeps))") }
            o.secondOrder = try s.bool("secondOrder", default: o.secondOrder)
            o.pressureTolerance = try s.double("pressureTolerance", default: o.pressureTolerance, "must be in (0, 1)") {
                $0 > 0 && $0 < 1
            }
            switch try s.string("temperatureChange", default: "rms") {
            case "rms": o.temperatureChangeRMS = true
            case "largest": o.temperatureChangeRMS = false
            case let other: throw s.error("temperatureChange", "must be rms or largest (got '\(other)')")
            }
            switch try s.string("pressureSmoother", default: "point") {
            case "point": o.pressureMultigrid.allowLines = false
            case "lines": o.pressureMultigrid = .lines(share: 0, sweeps: 1)
            case let other: throw s.error("pressureSmoother", "must be point or lines (got '\(other)')")
            }
        }
        return o
    }
}
