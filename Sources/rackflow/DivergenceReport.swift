import ArgumentParser
import Foundation
import RackFlowModel
import RackFlowExport

/// Ends a diverged run: writes `<folder>.failed/` (the earlier good result stays as it was),
/// prints where and what to try, exits with status 4.
func reportDivergence(_ failure: RunDiverged, resultFolder: URL, log: String) throws -> Never {
    let snapshot = try FailedRunWriter.write(failure, resultFolder: resultFolder, log: log)
    let previous =
        FileManager.default.fileExists(atPath: resultFolder.path)
        ? " (the earlier result in \(resultFolder.path) is untouched)" : ""
    FileHandle.standardError.write(
        ("error: \(failure.divergence)\ndiagnostic snapshot: \(snapshot.path)/ (failure.json, residuals.csv, "
            + "fields.vtr)\(previous)\n").data(using: .utf8)!)
    throw ExitCode(4)
}

/// Where a run's checkpoints go: beside its result folder.
func checkpointFolder(_ result: URL) -> URL {
    result.deletingLastPathComponent().appendingPathComponent(
        result.lastPathComponent + ".checkpoint", isDirectory: true)
}

/// Ends a run stopped by SIGINT / SIGTERM after its checkpoint: says how to resume, exits 130 / 143.
func reportInterruption(_ stop: RunInterrupted, resumeCommand: String) throws -> Never {
    FileHandle.standardError.write("\(stop)\nresume with: \(resumeCommand)\n".data(using: .utf8)!)
    throw ExitCode(Interruption.shared.signal == "SIGTERM" ? 143 : 130)
}
