import Foundation
import RackFlowNumerics
import RackFlowPhysics

/// The transient "viral inference surge" on one rack: the idle steady state, then implicit
/// time steps (one or more per frame) in which the load timeline sets every part's power, the
/// parts' thermal masses release heat into the air, the fan controllers ramp their fans and
/// the blower ramps the inlet flow. The flow and heat equations are solved together every step
/// (SIMPLEC outer iterations with the time terms on), so fans that spin up move the air and
/// buoyancy follows the heat.
public final class SurgeRun {
    /// What a frame shows of one node.
    public struct NodeFrame: Codable {
        public var utilisation: Double
        /// Electrical power drawn from the wall (parts plus PSU losses), W.
        public var powerW: Double
        public var gpuMaxC: Double
        public var cpuC: Double
        /// Mean speed of the node's intake fans, rpm.
        public var fanRPM: Double
        /// Air through the front mesh, m³/s.
        public var airflowM3PerS: Double
        /// Mixed-cup (flow-weighted) temperature of the air leaving through the node's rear openings, °C.
        public var exhaustC: Double
    }
    public struct Frame: Codable {
        public var index: Int
        public var timeS: Double
        public var nodes: [NodeFrame]
        /// Speed of every fan in `fans` order, rpm.
        public var fanRPM: [Double]
        public var blowerFraction: Double
        /// Outer iterations of the frame's steps.
        public var outerIterations: Int
        public var wallSeconds: Double
    }
    /// Energy accounting since the start of the transient, J.
    public struct Energy: Codable {
        /// Electrical energy into the parts.
        public var electricalJ = 0.0
        /// Released by the parts into the air.
        public var toAirJ = 0.0
        /// Stored in the parts (Σ C ΔT_p) and in the air (ρ c_p Σ V ΔT).
        public var storedInPartsJ = 0.0
        public var storedInAirJ = 0.0
        /// Carried out by the air (net enthalpy flow out of the domain).
        public var carriedOutJ = 0.0
        /// |released into the air − stored in the air − carried out| / released.
        public var airBalanceError: Double { abs(toAirJ - storedInAirJ - carriedOutJ) / max(abs(toAirJ), 1e-300) }
    }

    public let scenario: Scenario
    public let caseFile: CaseFile
    public let layout: RackLayout
    public let report: VoxelReport
    public let solver: FlowSolver
    public let stepper: TimeStepper
    public let timeline: LoadTimeline
    /// The largest grid spacing asked for instead of the rack file's, m.
    public let maxSpacingM: Double?
    public internal(set) var parts: [PartHeat] = []
    public internal(set) var fans: [FanController] = []
    public internal(set) var energy = Energy()
    public internal(set) var time = 0.0
    public internal(set) var frames: [Frame] = [] // internal(set): state restored by Checkpoint/SurgeCheckpoint.swift
    /// A room's surge (`RoomSurge`): the plenum coupling sets the inlet's flow scale (rack
    /// flow / design flow) instead of the scenario's blower ramp; nil keeps the ramp.
    public var inflowScaleOverride: Double?
    /// Idle steady solve: iterations and whether it converged.
    public internal(set) var idleIterations = 0
    public internal(set) var idleConverged = false
    /// The frame the run stops after, as a `SimulationModel` (default: the scenario's last).
    public var lastFrame: Int
    /// Smoke-like tracer (0…1): released into the air crossing the front mesh of every node that
    /// has ignited (`FlowSolver.advanceTracer`), carried by the air; shows where each node's air
    /// goes (the VDB `density`).
    public let smoke: PaddedVector
    let smokeOld: PaddedVector
    let frontFaces: [(axis: Int, faces: [Int])]
    let exitFaces: [[(axis: Int, faces: [Int])]]
    let inletFan: Int?, inletFanCurve: FanCurve?, inletFanRPM: Double
    var airHeat0 = 0.0, partHeat0 = 0.0

    public var dt: Double { 1 / (scenario.fps * Double(scenario.solver.stepsPerFrame)) }

    /// Compiles the scenario's rack (optionally at another largest spacing) and sets everything
    /// to the idle state; nothing is solved yet. `rackStartS`: the rack's start in a room's
    /// cascade, s after the load's onset (`RackStarts`).
    public init(_ scenario: Scenario, maxSpacingM: Double? = nil, rackStartS: Double = 0) throws {
        // Checked here, after a room's --frames has set the run's length: a short scenario with
        // load.onset's default (1 s) played idle to its end without a word.
        guard scenario.load.onsetS < scenario.durationS else {
            throw InputError(
                file: scenario.file, line: nil, keyPath: "load.onset",
                problem: "the surge starts at \(configFormat(scenario.load.onsetS)) s, when the run has ended "
                    + "(\(configFormat(scenario.durationS)) s): nothing would ignite; give load.onset within the "
                    + "run, or a longer duration (or --frames)")
        }
        self.scenario = scenario
        self.maxSpacingM = maxSpacingM
        lastFrame = scenario.frameCount
        var c = try CaseFile.load(path: scenario.rackPath)
        if let h = maxSpacingM { c.setMaxSpacing(h) }
        guard let layout = c.layout else {
            throw InputError(
                file: scenario.file, line: nil, keyPath: "rack",
                problem: "\(scenario.rackPath) is a generic case, not a rack: a surge needs nodes")
        }
        caseFile = c
        self.layout = layout
        let (flow, options, report) = try c.genericCase.compile()
        self.report = report
        solver = try FlowSolver(flow, options: options)
        solver.keepsPreconditionerSource = true // frame-end checkpoints fall between multigrid rebuilds
        var so = TimeStepOptions()
        so.minOuter = scenario.solver.minOuter
        so.maxOuter = scenario.solver.maxOuter
        so.tolerance = scenario.solver.tolerance
        stepper = TimeStepper(solver, options: so)
        timeline = try LoadTimeline(
            scenario, units: layout.nodes.map(\.unit), names: layout.nodes.map(\.name), rackStartS: rackStartS)
        let nodeIndex = Dictionary(uniqueKeysWithValues: layout.nodes.enumerated().map { ($1.name, $0) })

        func planeFaces(_ name: String) -> (axis: Int, faces: [Int]) {
            let pf = report.planeFaces[name]
            return (pf?.axis ?? 1, pf?.faces ?? [])
        }
        frontFaces = layout.nodes.map { planeFaces($0.frontPlane) }
        exitFaces = layout.nodes.map { $0.exitFaces(report) }
        smoke = solver.makeCellVector()
        smokeOld = solver.makeCellVector()

        // Parts: heat cells weighted as the compiled case spreads each part's full power.
        for (p, shares) in zip(layout.parts, layout.heatShares(report: report, heatW: flow.heatW)) {
            let cells = shares.map(\.cell), w = shares.map(\.share)
            let idle: Double
            if p.kind == "psu" {
                idle = 0
            } // set from the node's load each step
            else if let i = p.idlePowerW {
                idle = i
            } else {
                idle = p.powerW * (scenario.idleFraction[p.kind] ?? 1)
            }
            parts.append(
                PartHeat(
                    info: p, node: nodeIndex[p.node] ?? 0, cells: cells, weights: w, idleW: idle,
                    capacityJPerK: scenario.heatCapacityJPerK[p.kind] ?? 100, junction: scenario.junctions[p.kind]))
        }

        // Fans: each rack fan with its curve and rated speed from the compiled case.
        var planes: [String: (FanCurve, Double)] = [:]
        for p in c.genericCase.planes { if case let .fan(curve, rpm, _) = p.kind { planes[p.name] = (curve, rpm) } }
        for f in layout.fans {
            guard let (curve, rpm) = planes[f.name], let si = solver.fanIndex(named: f.name) else { continue }
            let own = f.kind == "gpu" ? parts.firstIndex { $0.info.name + "/blower" == f.name } : nil
            fans.append(
                FanController(
                    name: f.name, node: nodeIndex[f.node] ?? 0, kind: f.kind, solverIndex: si, curve: curve,
                    ratedRPM: rpm, control: scenario.fans[f.kind], ownPart: own))
        }
        // A rack fed by a blower curve ramps the blower's speed; a flow inlet ramps its flow.
        var inletFan: Int? = nil, inletCurve: FanCurve? = nil, inletRPM = 0.0
        for p in c.genericCase.patches where p.patch.name == layout.inletPatch {
            if case let .fanInlet(curve, rpm, _, _) = p.patch.kind {
                inletFan = solver.fanIndex(named: p.patch.name)
                inletCurve = curve
                inletRPM = rpm
            }
        }
        self.inletFan = inletFan
        inletFanCurve = inletCurve
        inletFanRPM = inletRPM
    }

    // MARK: - State updates shared by the idle solve and the steps

    func nodePowers(at t: Double) -> [Double] {
        layout.nodes.indices.map { timeline.utilisation(node: $0, timeS: t) }
    }

    /// Electrical power of part `i` at node utilisation `u`; PSU losses follow the node's DC load.
    func power(_ i: Int, utilisation u: [Double], dc: [Double]) -> Double {
        let p = parts[i]
        if p.info.kind == "psu" {
            let n = layout.nodes[p.node]
            let lossFraction = n.dcPowerW > 0 ? (n.heatW - n.dcPowerW) / n.dcPowerW : 0
            return dc[p.node] * lossFraction
        }
        return p.idleW + (p.fullW - p.idleW) * u[p.node]
    }

    func dcLoads(utilisation u: [Double]) -> [Double] {
        var dc = [Double](repeating: 0, count: layout.nodes.count)
        for (i, p) in parts.enumerated() where p.info.kind != "psu" { dc[p.node] += power(i, utilisation: u, dc: dc) }
        return dc
    }

    func air(_ p: PartHeat) -> (c: Double, v: Double) {
        (solver.temperatureStats(cells: p.cells).meanC, solver.meanSpeed(cells: p.cells))
    }

    func sensor(_ f: FanController) -> Double {
        guard let k = f.control else { return 0 }
        switch k.sensor {
        case .own: return f.ownPart.map { parts[$0].temperatureC } ?? 0
        case .load: return timeline.utilisation(node: f.node, timeS: time)
        case .gpu, .cpu, .psu:
            let kind = k.sensor.rawValue
            return parts.filter { $0.node == f.node && $0.info.kind == kind }.map(\.temperatureC).max() ?? 0
        }
    }

    func applyHeat() {
        let ps = parts
        solver.updateHeat { h in
            for i in h.indices { h[i] = 0 }
            for p in ps { for (c, w) in zip(p.cells, p.weights) { h[c] += p.heatToAirW * w } }
        }
    }

    func applyFans(blower: Double) {
        for f in fans { solver.setFanSpeed(f.solverIndex, curve: f.curve, rpm: f.rpm) }
        if let i = inletFan, let c = inletFanCurve {
            solver.setFanSpeed(i, curve: c, rpm: inletFanRPM * blower)
        } else {
            solver.setInflowScale(inflowScaleOverride ?? blower)
        }
    }

    // MARK: - Idle steady state

    /// Solves the idle state to steady (parts at idle power released at once, fans at the duty
    /// their controllers settle to, the blower at its idle fraction). The controllers depend on
    /// part temperatures, so they are re-settled every 25 iterations while the flow develops
    /// (one solve instead of one per settling pass); a last pass re-solves if a duty still
    /// moved by more than 0.01 at the end (≤ 3 passes).
    public func solveIdle(log: (String) -> Void = { _ in }, progress: ((Residuals) -> Void)? = nil) throws {
        let u = nodePowers(at: 0)
        let dc = dcLoads(utilisation: u)
        for i in parts.indices {
            parts[i].settle(
                powerW: power(i, utilisation: u, dc: dc), airC: solver.flow.initialTemperatureC, speedMPerS: 0)
        }
        applyHeat()
        let monitors = SteadyRun.monitors(layout: layout, report: report)
        let blower = timeline.blowerFraction(timeS: 0)
        /// Re-settles parts and controllers on the present air; returns the largest duty change.
        func settle() -> Double {
            for i in parts.indices {
                let a = air(parts[i])
                parts[i].settle(powerW: parts[i].powerW, airC: a.c, speedMPerS: a.v)
            }
            var moved = 0.0
            for i in fans.indices {
                let before = fans[i].duty
                fans[i].settle(sensorC: sensor(fans[i]))
                moved = max(moved, abs(fans[i].duty - before))
            }
            return moved
        }
        applyFans(blower: blower)
        for pass in 0..<3 {
            var settling = true
            do {
                try solver.solveSteady(monitors: monitors, accept: SteadyRun.balancesHold) { r in
                    progress?(r)
                    if settling && r.iteration % 25 == 0 {
                        if settle() > 1e-3 { self.applyFans(blower: blower) } else { settling = false }
                    }
                }
                idleConverged = true
            } catch FlowSolverError.notConverged(let n, _) {
                idleConverged = false
                log("warning: the idle state did not converge in \(n) iterations; the surge starts from it anyway")
            }
            idleIterations = solver.history.count
            let moved = settle()
            log(
                String(
                    format: "idle pass %d: %d iterations, largest fan duty change at the end %.4f", pass + 1,
                    idleIterations, moved))
            if moved < 0.01 { break }
            applyFans(blower: blower)
        }
        airHeat0 = solver.airHeatContentJ()
        partHeat0 = parts.reduce(0) { $0 + $1.heatContentJ }
        frames = [snapshot(index: 0, outer: 0, seconds: 0)]
    }

    // MARK: - Time steps

    /// Wall seconds per phase of the frames stepped so far (where a surge's time goes).
    public private(set) var phaseSeconds: [String: Double] = [:]
    func timed<T>(_ phase: String, _ body: () throws -> T) rethrows -> T {
        let t0 = DispatchTime.now().uptimeNanoseconds
        defer { phaseSeconds[phase, default: 0] += Double(DispatchTime.now().uptimeNanoseconds - t0) * 1e-9 }
        return try body()
    }

    /// Advances one frame (`stepsPerFrame` steps of `dt`); returns the frame.
    @discardableResult
    public func advanceFrame() throws -> Frame {
        let t0 = Date()
        var outer = 0
        for _ in 0..<scenario.solver.stepsPerFrame {
            let tNew = time + dt
            timed("parts and controls") {
                let u = nodePowers(at: tNew)
                let dc = dcLoads(utilisation: u)
                for i in parts.indices {
                    let a = air(parts[i])
                    parts[i].step(dt: dt, powerW: power(i, utilisation: u, dc: dc), airC: a.c, speedMPerS: a.v)
                }
                for i in fans.indices { fans[i].step(dt: dt, sensorC: sensor(fans[i])) }
                applyHeat()
                applyFans(blower: timeline.blowerFraction(timeS: tNew))
            }
            try timed("flow step") { _ = try stepper.advance(dt: dt) }
            outer += stepper.outerIterations.last ?? 0
            try timed("smoke tracer") {
                BLAS.copy(smoke.count, smoke.p, smokeOld.p)
                let ignited = layout.nodes.indices.filter { timeline.ignitionS[$0] <= tNew }.map { frontFaces[$0] }
                try solver.advanceTracer(smoke, old: smokeOld, dt: dt, injection: ignited)
                // The deferred-correction TVD scheme with partial inner solves can overshoot by ~1e-3;
                // a concentration outside 0…1 means nothing, so clip.
                for i in 0..<smoke.count { smoke.p[i] = min(max(smoke.p[i], 0), 1) }
            }
            time = tNew
            timed("energy books") {
                energy.electricalJ += parts.reduce(0) { $0 + $1.powerW } * dt
                energy.toAirJ += parts.reduce(0) { $0 + $1.heatToAirW } * dt
                energy.carriedOutJ += solver.balance().heatAdvectedOutW * dt
            }
        }
        energy.storedInAirJ = solver.airHeatContentJ() - airHeat0
        energy.storedInPartsJ = parts.reduce(0) { $0 + $1.heatContentJ } - partHeat0
        let f = snapshot(index: frames.count, outer: outer, seconds: Date().timeIntervalSince(t0))
        frames.append(f)
        return f
    }

    func snapshot(index: Int, outer: Int, seconds: Double) -> Frame {
        let u = nodePowers(at: time)
        var nodes: [NodeFrame] = []
        for n in layout.nodes.indices {
            let mine = parts.filter { $0.node == n }
            let intake = fans.filter { $0.node == n && $0.kind == "intake" }
            // The exhaust's bulk temperature from the heat the energy equation carries out (as a
            // steady summary's node rows are built: `SolveSummary.outletC`).
            let exhaustC = solver.bulkTemperature(exitFaces[n])
            nodes.append(
                NodeFrame(
                    utilisation: u[n], powerW: mine.reduce(0) { $0 + $1.powerW },
                    gpuMaxC: mine.filter { $0.info.kind == "gpu" }.map(\.temperatureC).max() ?? .nan,
                    cpuC: mine.first { $0.info.kind == "cpu" }?.temperatureC ?? .nan,
                    fanRPM: intake.isEmpty ? 0 : intake.reduce(0) { $0 + $1.rpm } / Double(intake.count),
                    airflowM3PerS: solver.flowRate(axis: frontFaces[n].axis, faces: frontFaces[n].faces),
                    exhaustC: exhaustC))
        }
        return Frame(
            index: index, timeS: time, nodes: nodes, fanRPM: fans.map(\.rpm),
            blowerFraction: timeline.blowerFraction(timeS: time),
            outerIterations: outer, wallSeconds: seconds)
    }
}
