import Foundation
import RackFlowNumerics
import RackFlowPhysics
import RackFlowModel

/// The diagnostic snapshot of a run that diverged: `<result folder>.failed/` (e.g.
/// `Results/one-node.failed/`), written in one go like every result folder. The run's good
/// result folder, if an earlier run left one, is never touched.
///
/// - `failure.json`: the `Divergence` (iteration, step, frame, field, cell, position, part, suggestion).
/// - `residuals.csv`: every outer iteration's residuals up to the failure.
/// - `fields.vtr`: temperature, pressure, speed, velocity, cell type as they stood, for
///   ParaView; non-finite values are written as 0 and the cell field `finite` is 0 there
///   (VTK readers choke on NaN), so the blow-up shows as a hole in `finite`.
/// - `log.txt`: the run's log up to the failure.
public enum FailedRunWriter {
    public static func folder(for final: URL) -> URL {
        final.deletingLastPathComponent().appendingPathComponent(final.lastPathComponent + ".failed", isDirectory: true)
    }

    @discardableResult
    public static func write(_ failure: RunDiverged, resultFolder final: URL, log: String) throws -> URL {
        let folder = try ResultFolder(final: folder(for: final))
        do {
            let dir = folder.staging
            try AtomicFile.write(
                try ResultWriter.json(failure.divergence), to: dir.appendingPathComponent("failure.json"))
            try AtomicFile.write(
                ResidualsCSV.text(failure.solver.history),
                to: dir.appendingPathComponent("residuals.csv"))
            let (cells, vectors) = VTKWriter.flowFields(failure.solver)
            let n = failure.solver.flow.grid.cellCount
            var finite = [Double](repeating: 1, count: n)
            // Solid cells are hidden (NaN by design); elsewhere a non-finite value is the
            // divergence itself: written as 0 and flagged in `finite`.
            let hidden = cells.first { $0.name == VTKWriter.ghostArray }?.values ?? [Double](repeating: 0, count: n)
            func clean(_ v: [Double]) -> [Double] {
                var out = v
                for c in 0..<n where !out[c].isFinite && hidden[c] == 0 {
                    out[c] = 0
                    finite[c] = 0
                }
                return out
            }
            var cleanCells = cells.map { (name: $0.name, values: clean($0.values)) }
            let cleanVectors = vectors.map { (name: $0.name, x: clean($0.x), y: clean($0.y), z: clean($0.z)) }
            cleanCells.append((name: "finite", values: finite))
            try VTKWriter.rectilinear(
                grid: failure.solver.flow.grid, cellData: cleanCells, vectors: cleanVectors,
                to: dir.appendingPathComponent("fields.vtr"))
            try AtomicFile.write(log + "FAILED: \(failure.divergence)\n", to: dir.appendingPathComponent("log.txt"))
            try folder.commit()
        } catch {
            folder.abandon()
            throw error
        }
        return folder.final
    }
}
