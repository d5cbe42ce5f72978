import Foundation
import RackFlowNumerics
import RackFlowPhysics

/// One steady solve of the room air (`RoomAir`), after the racks' coupling has converged: the
/// rule of `rackflow solve` (residuals, global mass to 1e-6 and energy to 0.5 %, and every
/// tray's mean air temperature flat to 0.05 K). A hall with no steady state (plumes that keep
/// swaying) is time-averaged as `rackflow solve` does (`TimeAverage`), and flagged.
public final class RoomAirSolve {
    public let air: RoomAir
    public let solver: FlowSolver
    public let report: VoxelReport
    public private(set) var converged = false
    public private(set) var timeAveraged: TimeAverage?
    public private(set) var solveSeconds = 0.0
    public let buildSeconds: Double

    public init(_ air: RoomAir) throws {
        let t0 = Date()
        self.air = air
        let (flow, options, report) = try air.compile()
        self.report = report
        solver = try FlowSolver(flow, options: options)
        buildSeconds = Date().timeIntervalSince(t0)
    }

    /// Each tray's mean air temperature, the stopping rule's monitors.
    var monitors: [FlowSolver.Monitor] {
        air.spec.trays.compactMap { t in
            guard let cells = report.boxCells["tray-\(t.name)"], !cells.isEmpty else { return nil }
            return FlowSolver.Monitor("tray \(t.name) air", absoluteTolerance: SteadyRun.temperatureToleranceK) {
                $0.temperatureStats(cells: cells).meanC
            }
        }
    }

    public func solve(log: (String) -> Void = { _ in }) throws {
        let t0 = Date()
        defer { solveSeconds = Date().timeIntervalSince(t0) }
        // What the steady iteration adapted (pseudo-time caps, rewinds), as `rackflow solve` logs it.
        defer { for a in solver.pseudo.adaptations { log("room air: adapted at " + a) } }
        do {
            try solver.solveSteady(monitors: monitors, accept: { _ in self.balancesHold })
            converged = true
        } catch FlowSolverError.notConverged(let n, _) {
            log("room air: not converged after \(n) outer iterations; its fields are written flagged")
        } catch FlowSolverError.noSteadyState {
            log("room air: no steady state; time-averaging")
            timeAveraged = try TimeAverage.run(solver, watch: monitors, log: log)
        }
    }

    /// The global balances a converged room-air solve must meet: mass to 1e-6 and the racks' heat
    /// to 0.5 % (`heatBalance`). The generic energy criterion (`SteadyRun.balancesHold`) has no heat
    /// source here to refer to and falls back to a 1 mK rise of the through-flow, 10⁴ times
    /// stricter than the 14 K the racks add.
    public var balancesHold: Bool {
        guard solver.balance().relativeMassImbalance <= 1e-6 else { return false }
        return heatBalance.relativeError <= 0.005
    }

    /// Heat the exhausts carry in and the returns carry out above the racks' supply temperature
    /// (`ρ c_p Q (T − T_supply)` summed), W, and |out − in| / in; of a time average, |out − in +
    /// stored| / in, with the heat the hall's air kept over the window (`heatStoredW`).
    public var heatBalance: (inW: Double, outW: Double, relativeError: Double) {
        let f = solver.flow.fluid
        let rhoCp = f.densityKgPerM3 * f.specificHeatJPerKgK
        let supplyC = air.spec.racks.map(\.rack.inletTemperatureC).min()!
        var hIn = 0.0, hOut = 0.0
        for p in solver.flow.patches {
            let (out, t) = solver.patchFlowAndTemperature(p)
            guard out != 0, t.isFinite else { continue }
            if out < 0 { hIn += -out * rhoCp * (t - supplyC) } else { hOut += out * rhoCp * (t - supplyC) }
        }
        // Time-averaged: the balance averaged step by step (`TimeAverage.meanBalance`; the room
        // has no source of its own, so its error is the mean net heat carried out, walls aside).
        // That of the averaged fields misses the heat the swaying carries, ⟨u T⟩ − ⟨u⟩⟨T⟩.
        // The heat the hall's air stored over the window counts as kept, not lost.
        if let m = timeAveraged?.meanBalance, hIn > 0 {
            let net = m.heatCarriedOutW - m.heatFromWallsW
            return (hIn, hIn + net, abs(net + (m.heatStoredW ?? 0)) / hIn)
        }
        return (hIn, hOut, hIn > 0 ? abs(hOut - hIn) / hIn : 0)
    }

    /// Flow (m³/s, positive into the hall) and mixed-cup temperature (°C) through a patch.
    func inflow(_ name: String) -> (flowM3PerS: Double, temperatureC: Double) {
        guard let p = solver.flow.patches.first(where: { $0.name == name }) else { return (.nan, .nan) }
        let (out, t) = solver.patchFlowAndTemperature(p)
        return (-out, t)
    }

    /// The solved air at a room-frame point: the values of the cell that holds it (cell-centred
    /// velocity, the mean of its two faces per axis). Nil outside the hall or in a solid cell.
    public func sample(
        roomM p: SIMD3<Double>, centres: (u: [Double], v: [Double], w: [Double])
    ) -> (temperatureC: Double, velocityMPerS: SIMD3<Double>)? {
        let q = air.casePoint(p)
        let g = solver.flow.grid
        func index(_ x: Double, _ a: Axis) -> Int? { x >= a.lower && x <= a.upper ? a.cell(containing: x) : nil }
        guard let i = index(q.x, g.x), let j = index(q.y, g.y), let k = index(q.z, g.z) else { return nil }
        let c = i + g.nx * (j + g.ny * k)
        guard solver.flow.tags.cells[c] != .solid else { return nil }
        return (solver.temperature.array[c], SIMD3(centres.u[c], centres.v[c], centres.w[c]))
    }

    /// Cell-centred velocity of the current fields.
    public var velocityAtCentres: (u: [Double], v: [Double], w: [Double]) {
        let g = solver.flow.grid
        let (u, v, w) = StaggeredOperators.velocityAtCentres(
            g, u: solver.velocity[0].array, v: solver.velocity[1].array, w: solver.velocity[2].array)
        return (u, v, w)
    }

    /// The summary of the current fields, with the tray probes sampled from them and compared
    /// with the jet model's (`jet`, `TrayProbes.trays` of the same exhausts).
    public func summary(jet: [TrayProbes.Tray]) -> RoomAirSummary {
        let g = solver.flow.grid
        let b = solver.balance()
        let hall = air.spec.hall
        let centres = velocityAtCentres
        let rho = solver.flow.fluid.densityKgPerM3
        let solvedTrays = TrayProbes.solved(air.spec, solve: self, centres: centres, densityKgPerM3: rho)
        var probes: [RoomAirSummary.ProbeCheck] = []
        for (t, s) in zip(jet, solvedTrays) {
            for (a, b) in zip(t.samples, s.samples) {
                probes.append(
                    RoomAirSummary.ProbeCheck(
                        tray: t.name, pointM: [a.pointM.x, a.pointM.y, a.pointM.z],
                        solvedTemperatureC: b.temperatureC, jetTemperatureC: a.temperatureC,
                        temperatureDifferenceK: b.temperatureC - a.temperatureC,
                        solvedUpwardMPerS: b.upwardVelocityMPerS, jetUpwardMPerS: a.upwardVelocityMPerS,
                        upwardDifferenceMPerS: b.upwardVelocityMPerS - a.upwardVelocityMPerS,
                        solvedSpeedMPerS: b.speedMPerS))
            }
        }
        let supplyC = air.spec.racks.map(\.rack.inletTemperatureC).min()!
        let exhausts = zip(air.exhausts, air.ducts).map { e, ducts in
            RoomAirSummary.Exhaust(
                rack: e.rack, flowM3PerS: e.flowM3PerS, temperatureC: e.temperatureC,
                solvedFlowM3PerS: ducts.reduce(0) { $0 + inflow($1.name).flowM3PerS }, subDucts: ducts.count)
        }
        let returns = hall.returns.map { r in
            let m = inflow(r.name)
            return RoomAirSummary.Return(name: r.name, flowM3PerS: -m.flowM3PerS, temperatureC: m.temperatureC)
        }
        let heat = heatBalance
        return RoomAirSummary(
            cells: g.cellCount, dims: [g.nx, g.ny, g.nz],
            sizeM: [g.x.length, g.y.length, g.z.length], originM: [air.originM.x, air.originM.y, air.originM.z],
            spacingM: air.zones[0].first?.2 ?? hall.spacingM, maxSpacingM: air.genericCase.constraints.maxSpacingM,
            smallestCellM: [g.x, g.y, g.z].map { $0.widths.min()! }.min()!,
            marginM: hall.marginM, ceilingHeightM: hall.ceilingHeightM,
            trayHeightM: hall.trayHeightM, trayFreeArea: hall.trayFreeArea,
            trayZeta: (try? PerforatedPlate.sharpEdgedZeta(freeArea: hall.trayFreeArea)) ?? .nan,
            converged: converged, timeAveraged: timeAveraged != nil, iterations: solver.history.count,
            buildSeconds: buildSeconds, solveSeconds: solveSeconds,
            estimatedBytes: ResourceEstimate(nx: g.nx, ny: g.ny, nz: g.nz, iterations: 1).bytes,
            massInKgPerS: b.massInKgPerS, massOutKgPerS: b.massOutKgPerS,
            relativeMassImbalance: b.relativeMassImbalance,
            supplyC: supplyC, heatInW: heat.inW, heatOutW: heat.outW, relativeHeatError: heat.relativeError,
            exhausts: exhausts, returns: returns,
            probes: probes, trays: solvedTrays)
    }
}
