import Foundation
import RackFlowNumerics

/// One k–ε update of the outer iteration (the model and its sources: KEpsilon.swift): the
/// sources from the present flow and temperature, k, then ε, each assembled by the energy
/// kernel and solved like the energy equation, then μ_eff and k_eff for momentum and energy.
extension FlowSolver {
    /// The k–ε fields of a solver built for `.kEpsilon`: inflow values from the case's speed
    /// scale, and the wall cells (`kEpsilonWallCells`).
    func kEpsilonFields() -> KEpsilonFields {
        let g = flow.grid
        let nu = flow.fluid.viscosityPaS / flow.fluid.densityKgPerM3
        var volume = [Double](repeating: 0, count: g.cellCount)
        for k in 0..<g.nz {
            for j in 0..<g.ny {
                for i in 0..<g.nx { volume[g.index(i, j, k)] = g.volume(i, j, k) }
            }
        }
        return KEpsilonFields(
            cells: g.cellCount, pad: pad, volume: volume,
            inflow: KEpsilon.inflow(speedMPerS: max(boundarySpeed, 1e-3), kinematicViscosity: nu),
            wallCells: kEpsilonWallCells())
    }

    /// The fluid cells with a wall face (a solid neighbour, a face tagged wall inside the domain,
    /// or a wall side of the domain), with the distance y of the log-layer ε: half the cell's
    /// width across that face (the smallest, where a cell has several). Read off the faces rather
    /// than the Poisson wall distance, whose approximate value decided by rounding whether a
    /// cell half a width from a flat wall counted.
    func kEpsilonWallCells() -> [(cell: Int, distanceM: Double)] {
        var walls: [(cell: Int, distanceM: Double)] = []
        let n = [nx, ny, nz]
        for k in 0..<nz {
            for j in 0..<ny {
                for i in 0..<nx {
                    let c = i + nx * (j + ny * k)
                    guard !isSolid[c] else { continue }
                    let idx = [i, j, k]
                    var y = Double.infinity
                    for a in 0..<3 {
                        let m = idx[a]
                        let lowerFace = flow.grid.faceIndex(a, i, j, k)
                        for upper in [false, true] {
                            let f = upper ? lowerFace + fstride[a][a] : lowerFace
                            let inside = upper ? m + 1 < n[a] : m > 0
                            var wall = flow.tags.faces[a][f] == .wall
                            if inside {
                                wall = wall || isSolid[upper ? c + cellStride[a] : c - cellStride[a]]
                            } else if !wall,
                                case .wall = boundaryFace(Side(rawValue: 2 * a + (upper ? 1 : 0))!, i, j, k)
                            {
                                wall = true
                            }
                            if wall { y = min(y, 0.5 * w[a][m]) }
                        }
                    }
                    if y.isFinite { walls.append((c, y)) }
                }
            }
        }
        return walls
    }

    /// μ_eff = μ + ρ C_μ k²/ε and k_eff = k + μ_t c_p/Pr_t in the fluid cells, from the present
    /// k and ε (after each update, and after a time average of them).
    public func setEddyViscosityFromKEpsilon() {
        guard let t = turbulenceFields else { return }
        let fluid = flow.fluid
        let rho = fluid.densityKgPerM3, mu = fluid.viscosityPaS
        let kAir = fluid.conductivityWPerMK, cp = fluid.specificHeatJPerKgK
        let k = t.k.p, eps = t.epsilon.p, solid = isSolid
        muEff.withUnsafeMutableBufferPointer { muP in
            kEff.withUnsafeMutableBufferPointer { kP in
                for c in 0..<muP.count where !solid[c] {
                    let muT = KEpsilon.eddyViscosity(densityKgPerM3: rho, k: k[c], epsilon: eps[c], viscosityPaS: mu)
                    muP[c] = mu + muT
                    kP[c] = kAir + muT * cp / KEpsilon.turbulentPrandtl
                }
            }
        }
    }

    /// The fields a time average of this solver averages: the velocity components, pressure,
    /// temperature, and k and ε with the k–ε model (`setEddyViscosityFromKEpsilon` after).
    public var averagedFields: [PaddedVector] {
        velocity + [pressure, temperature] + (turbulenceFields.map { [$0.k, $0.epsilon] } ?? [])
    }

    /// Before a time step: k and ε at its start, the old level of their backward-Euler term.
    public func startTurbulenceStep() {
        turbulenceFields?.startStep()
    }

    /// Solves k and ε once with the present flow and updates μ_eff and k_eff.
    func updateKEpsilon() throws {
        guard let t = turbulenceFields else { return }
        let cells = flow.grid.cellCount
        let fluid = flow.fluid
        let rho = fluid.densityKgPerM3, mu = fluid.viscosityPaS
        var strain = [Double](repeating: 0, count: cells)
        StrainRate.magnitude(staggeredVelocity(), tags: flow.tags, wallSides: flow.wallSides, into: &strain)
        let (production, buoyancy, c3) = kEpsilonProduction(strain: strain)
        let volume = t.volume, solid = isSolid, muE = muEff
        let k = t.k.p, eps = t.epsilon.p
        // 1/Δt of backward Euler inside a time step, whose start `startTurbulenceStep` recorded;
        // the step is set only inside one (BDF2's weights give it only while steps are equal).
        let inverseStep = timeStepS > 0 ? 1 / timeStepS : 0
        // Steady iterations under-relax k and ε by 0.8 (their own, whatever the temperature's); a
        // time step's own term damps them.
        let relaxation = inverseStep > 0 ? 1 : 0.8
        var gamma = [Double](repeating: 0, count: cells), source = gamma, sink = gamma
        // Floors far below any turbulence that matters, applied after each solve: an inexact
        // Krylov solve can leave k ≤ 0 in a cell, and ε/k there was infinite in ε's sources (a
        // plume case stepped in time stopped on a non-finite ε row).
        let floorK = 1e-8 * t.inflow.k, floorEpsilon = 1e-8 * t.inflow.epsilon
        // k: production and buoyant production in, ρ ε = (ρ ε/k)·k out; a negative G_b (stable
        // stratification) destroys k, so it goes to the diagonal as (−G_b/k)·k.
        for c in 0..<cells where !solid[c] {
            let muT = muE[c] - mu
            gamma[c] = mu + muT / KEpsilon.sigmaK
            let kc = max(k[c], floorK)
            source[c] = (production[c] + max(buoyancy[c], 0)) * volume[c]
            sink[c] = (rho * eps[c] / kc + max(-buoyancy[c], 0) / kc) * volume[c]
        }
        try solveTurbulence(
            t.k, old: t.oldK, inverseStep: inverseStep, inflow: t.inflow.k, gamma: gamma, source: source, sink: sink,
            relaxation: relaxation, equation: "k")
        for c in 0..<cells where !solid[c] { k[c] = max(k[c], floorK) }
        for c in 0..<cells where !solid[c] {
            let muT = muE[c] - mu
            gamma[c] = mu + muT / KEpsilon.sigmaEpsilon
            let ratio = eps[c] / k[c]
            let gb = c3[c] * buoyancy[c]
            source[c] = KEpsilon.c1 * ratio * (production[c] + max(gb, 0)) * volume[c]
            sink[c] = (KEpsilon.c2 * rho * ratio + KEpsilon.c1 * max(-gb, 0) / k[c]) * volume[c]
        }
        try solveTurbulence(
            t.epsilon, old: t.oldEpsilon, inverseStep: inverseStep, inflow: t.inflow.epsilon, gamma: gamma,
            source: source, sink: sink, relaxation: relaxation, equation: "epsilon",
            fixed: t.wallCells.map { w in
                (w.cell, KEpsilon.wallEpsilon(k: k[w.cell], wallDistanceM: w.distanceM))
            })
        for c in 0..<cells where !solid[c] { eps[c] = max(eps[c], floorEpsilon) }
        setEddyViscosityFromKEpsilon()
    }

    /// Assembles and solves one turbulence quantity; `fixed` cells take their value (a wall's ε).
    private func solveTurbulence(
        _ field: PaddedVector, old: PaddedVector, inverseStep: Double, inflow: Double, gamma: [Double],
        source: [Double], sink: [Double], relaxation: Double, equation: String, fixed: [(Int, Double)] = []
    ) throws {
        let rows = TurbulenceRows(
            field: field, diffusivity: gamma, source: source, sink: sink, inflow: inflow,
            old: inverseStep > 0 ? old : nil, oldWeight: inverseStep, relaxation: relaxation)
        assembleEnergy(.turbulence(rows))
        let A = energy
        for (c, value) in fixed {
            A.aP.p[c] = 1
            for a in [A.aW, A.aE, A.aS, A.aN, A.aB, A.aT] { a.p[c] = 0 }
            rhs.p[c] = value
            field.p[c] = value
        }
        _ = try innerSolve(
            energy, field, sweeps: options.energySweeps, tolerance: options.energyTolerance, maxIterations: 100,
            equation: equation)
    }
}
