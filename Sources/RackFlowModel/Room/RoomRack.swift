import Foundation
import RackFlowNumerics
import RackFlowPhysics

/// One rack of a room, alive for the whole coupled run: its compiled case and its solver,
/// kept so that each coupling iteration starts from the previous one's fields (only the inlet
/// flow changes, through `setInflowScale`), and later iterations cost a few dozen outer
/// iterations instead of a solve from rest.
public final class RoomRack {
    public let name: String
    public let caseFile: CaseFile
    public let genericCase: GenericCase
    public let report: VoxelReport
    public let solver: FlowSolver
    /// The rack file's `inlet.flow`, m³/s: inflow scale 1.
    public let designFlowM3PerS: Double
    let monitors: [FlowSolver.Monitor]
    let inletCells: [Int]
    /// The inlet's boundary faces, per axis (index into that axis's face array).
    let inletFaces: [(axis: Int, faces: [Int])]
    let exhaustPressurePa: Double
    /// Outer iterations, converged flags and seconds of each coupling iteration's solve.
    public internal(set) var solves: [(outerIterations: Int, converged: Bool, seconds: Double)] = []

    /// Compiles `caseFile` (a rack with a flow inlet) with largest spacing `maxSpacingM` if given.
    public init(name: String, caseFile: CaseFile, designFlowM3PerS: Double) throws {
        self.name = name
        self.caseFile = caseFile
        genericCase = caseFile.genericCase
        let (flow, options, report) = try genericCase.compile()
        self.report = report
        solver = try FlowSolver(flow, options: options)
        self.designFlowM3PerS = designFlowM3PerS
        monitors = SteadyRun.monitors(layout: caseFile.layout, report: report)
        // The cells along the inlet patch (their mean pressure is what the plenum must supply)
        // and the exhaust's fixed pressure (`FlowSolver.cells(along:)`, as `SolveSummary` uses).
        var inlet: [Int] = [], pOut = 0.0
        var faces: [(axis: Int, faces: [Int])] = []
        let g = flow.grid
        for ps in genericCase.patches {
            let p = ps.patch
            let a = p.side.axis
            let cells = solver.cells(along: p)
            switch p.kind {
            case .flowInlet, .velocityInlet, .fanInlet:
                inlet += cells
                // Each cell's face on the patch's side: the face array along `a` has one more
                // entry than cells along `a`, the side's layer at 0 or n.
                var n = [g.nx, g.ny, g.nz]
                let layer = p.side.isUpper ? n[a] : 0
                n[a] += 1
                faces.append(
                    (
                        a,
                        cells.map { c in
                            let (ci, cj, ck) = g.ijk(c)
                            var idx = [ci, cj, ck]
                            idx[a] = layer
                            return idx[0] + n[0] * (idx[1] + n[1] * idx[2])
                        }
                    ))
            case let .pressureOutlet(p0, _): pOut = p0
            }
        }
        guard !inlet.isEmpty else {
            throw RoomError.rack(name: name, rank: 0, reason: "no fluid cell along the rack's inlet")
        }
        inletCells = inlet
        inletFaces = faces
        exhaustPressurePa = pOut
    }

    /// Static pressure over the bottom slot relative to the exhaust, Pa: the rack's `p_rack(Q)`.
    public var inletPressurePa: Double { solver.meanPressure(cells: inletCells) - exhaustPressurePa }

    /// Flow through the inlet's faces in the current fields, m³/s (the mass balance's inflow
    /// would also count air re-entering through the exhaust).
    public var measuredInletFlowM3PerS: Double {
        inletFaces.reduce(0) { $0 + abs(solver.flowRate(axis: $1.axis, faces: $1.faces)) }
    }

    /// Solves to steady state with inlet flow `q` (warm: from the fields already there), by
    /// the convergence rule of `rackflow solve`. A solve that runs out of iterations is kept
    /// (flagged); a diverging one throws.
    @discardableResult
    public func solve(flowM3PerS q: Double, maxIterations: Int? = nil) throws -> Double {
        guard q.isFinite, q > 0 else {
            throw RoomError.rack(
                name: name, rank: 0,
                reason:
                    "the plenum network gives it no air (flow \(q) m³/s): its duct or slot is too restrictive for "
                    + "the blowers"
            )
        }
        // Test switch (not part of the interface): RACKFLOW_FAIL_RACK=<name> makes this rack's
        // solve fail, so the tests can check that one failing rank stops a whole MPI job.
        if let f = ProcessInfo.processInfo.environment["RACKFLOW_FAIL_RACK"], f == name {
            throw RoomError.rack(name: name, rank: 0, reason: "injected failure (RACKFLOW_FAIL_RACK=\(f))")
        }
        solver.setInflowScale(q / designFlowM3PerS)
        if let m = maxIterations { solver.options.maxIterations = m }
        let before = solver.history.count
        let t0 = Date()
        var converged = true
        do {
            try solver.solveSteady(monitors: monitors, accept: SteadyRun.balancesHold)
        } catch FlowSolverError.notConverged {
            converged = false
        } catch {
            throw RoomError.rack(name: name, rank: 0, reason: "\(error)")
        }
        solves.append((solver.history.count - before, converged, Date().timeIntervalSince(t0)))
        return inletPressurePa
    }

    /// The full solve summary of the current fields (as `rackflow solve` writes it).
    public func summary() -> SolveSummary {
        var s = SolveSummary(solver: solver, genericCase: genericCase, report: report, layout: caseFile.layout)
        s.converged = solves.last?.converged ?? false
        s.iterations = solver.history.count
        s.solveSeconds = solves.reduce(0) { $0 + $1.seconds }
        return s
    }
}
