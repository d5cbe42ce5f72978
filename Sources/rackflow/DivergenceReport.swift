import ArgumentParser
import Foundation
import RackFlowModel
import RackFlowExport

/// Ends a diverged run: writes `<folder>.failed/` (the earlier good result stays as it was),
/// prints where and what to try, exits with status 4.
func reportDivergence(_ failure: RunDiverged, resultFolder: URL, log: String) throws -> Never {
    let snapshot = try FailedRunWriter.write(failure, resultFolder: resultFolder, log: log)
    let previous = FileManager.default.fileExists(atPath: resultFolder.path) ? " (the earlier result in \(resultFolder.path) is untouched)" : ""
    FileHandle.standardError.write("error: \(failure.divergence)\ndiagnostic snapshot: \(snapshot.path)/ (failure.json, residuals.csv, fields.vtr)\(previous)\n".data(using: .utf8)!)
    throw ExitCode(4)
}
