import Foundation
import RackFlowNumerics
import RackFlowPhysics

/// Where and when a solve diverged, in the user's terms: the outer iteration (and, in a
/// transient run, the step, frame and time), the field, the cell (i, j, k) and its centre in
/// metres, the named part (box) it lies in, and what to try. Written as `failure.json` in
/// the failed run's snapshot.
public struct Divergence: Codable, CustomStringConvertible, Sendable {
    public var iteration: Int
    public var step: Int?
    public var frame: Int?
    public var timeS: Double?
    public var field: String
    /// Cell indices (i, j, k); for a face field, the cell on the face's low side.
    public var cell: [Int]
    public var positionM: [Double]
    /// The smallest named box holding the cell (e.g. `node01/gpu2/fins`), nil in open air.
    public var part: String?
    /// The solver's own account (face, value, speed scale).
    public var detail: String
    public var suggestion: String

    public var description: String {
        var s = "the solve diverged at outer iteration \(iteration)"
        if let step {
            s +=
                " (time step \(step)" + (frame.map { ", frame \($0)" } ?? "")
                + (timeS.map { String(format: ", t = %.4g s", $0) } ?? "") + ")"
        }
        s +=
            ": \(field) in cell (i=\(cell[0]), j=\(cell[1]), k=\(cell[2])) at "
            + "(\(positionM.map { String(format: "%.3f", $0) }.joined(separator: ", "))) m"
        s += part.map { " inside \($0)" } ?? " (open air)"
        s += "; \(detail). Try: \(suggestion)"
        return s
    }

    /// The divergence a solver error reports, located on the grid and in the parts; nil for other errors.
    public init?(_ error: Error, solver: FlowSolver, report: VoxelReport, transient: Bool = false) {
        guard case let FlowSolverError.diverged(it, solverField, index, place) = error else { return nil }
        let field = solverField.rawValue
        let g = solver.flow.grid
        let (nx, ny, nz) = (g.nx, g.ny, g.nz)
        // A face is placed at the cell above it (one past the last: clamped below).
        let component = solverField.velocityAxis
        var ijk = component.map { g.faceIJK($0, index) } ?? g.ijk(index)
        ijk = (min(max(ijk.0, 0), nx - 1), min(max(ijk.1, 0), ny - 1), min(max(ijk.2, 0), nz - 1))
        iteration = it
        self.field = field
        cell = [ijk.0, ijk.1, ijk.2]
        positionM = [g.x.centres[ijk.0], g.y.centres[ijk.1], g.z.centres[ijk.2]]
        let c = g.index(ijk.0, ijk.1, ijk.2)
        part = report.boxCells.filter { $0.value.contains(c) }.min { $0.value.count < $1.value.count }?.key
        // The solver's text starts with its own cell or face description; keep what follows (the value, the scale).
        if let r = place.range(of: " m, ") {
            detail = String(place[r.upperBound...])
        } else {
            detail = "\(field) is not finite" + (place.isEmpty ? "" : " at \(place)")
        }
        switch solverField {
        case .T:
            suggestion =
                transient
                ? "a smaller time step (solver.stepsPerFrame), stronger temperature under-relaxation "
                    + "(solver.temperatureRelaxation), or check the heat released in this part"
                : "stronger temperature under-relaxation (solver.temperatureRelaxation, e.g. 0.5), check the heat "
                    + "released in this part, or a finer grid there (grid.maxSpacing)"
        default:
            suggestion =
                transient
                ? "a smaller time step (solver.stepsPerFrame, or a higher fps), more outer iterations per step "
                    + "(solver.maxOuter), or a finer grid around this part (grid.maxSpacing)"
                : "more under-relaxation (solver.velocityRelaxation, e.g. 0.5, and pressureRelaxation), or a finer "
                    + "grid around this part (grid.maxSpacing); check fan curves and inlet flows for absurd values"
        }
    }
}

/// A steady or transient run that diverged, with the solver as it stood, for the failed-run snapshot.
public final class RunDiverged: RackFlowError, @unchecked Sendable {
    public var divergence: Divergence
    public let solver: FlowSolver
    public let report: VoxelReport
    public let caseName: String

    public init(_ d: Divergence, solver: FlowSolver, report: VoxelReport, caseName: String) {
        divergence = d
        self.solver = solver
        self.report = report
        self.caseName = caseName
    }
    public var description: String { divergence.description }
    /// A run's divergence is about the case, not a file.
    public var file: String? { nil }
    public var keyPath: String { caseName }
    public var problem: String { divergence.description }
}
