import Foundation
import RackFlowModel

/// Writes a comparison's folder contents into `dir` (the CLI's staging folder):
/// `comparison.json`, `slices/*.png`, `report.md`, `report.html`.
public enum CompareWriter {
    public static func write(_ c: Comparison, runs: [SteadyRun], layouts: [CompareLayout], to dir: URL) throws {
        let slices = dir.appendingPathComponent("slices")
        let planes = layouts[0].caseFile.layout.map(Slices.rackPlanes) ?? Slices.centrePlanes(runs[0].solver.flow.grid)
        let pictures = try CompareSlices.write(runs: runs, names: c.names, planes: planes, to: slices)
        try AtomicFile.write(try ResultWriter.json(c), to: dir.appendingPathComponent("comparison.json"))
        let md = CompareReport.markdown(c, pictures: pictures)
        try AtomicFile.write(md, to: dir.appendingPathComponent("report.md"))
        let title = "RackFlow comparison: \(c.names.joined(separator: " vs "))"
        try AtomicFile.write(
            ReportHTML.html(markdown: md, title: title, folder: dir),
            to: dir.appendingPathComponent("report.html"))
    }

    /// `compare-<names>`: the layouts' names joined, made safe for a folder name.
    public static func folderName(_ names: [String]) -> String {
        "compare-" + names.map(CompareSlices.safe).joined(separator: "-vs-")
    }
}
