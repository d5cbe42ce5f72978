import ArgumentParser
import Foundation
import RackFlowNumerics
import RackFlowPhysics
import RackFlowModel
import RackFlowExport

struct MeshCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mesh",
        abstract:
            "Build the grid of a rack or case: cell counts per tag, spacings, the area of every patch, sheet and "
            + "fan after snapping."
    )
    @Argument(help: "Rack or case file (default: the bundled refinery rack).") var config: String?
    @Option(help: "Largest grid spacing, m (overrides the file).") var maxSpacing: Double?
    @Flag(help: "Also print every grid line (mm) per axis.") var lines = false
    @Option(help: "Folder for the geometry pictures (default: Results/<case>/mesh).") var output: String?
    @Flag(help: "Do not write pictures.") var noPictures = false

    func run() throws {
        let c = try loadCase(config, maxSpacing: maxSpacing)
        let t0 = Date()
        let (flow, _, report) = try c.genericCase.compile()
        var pictures: [String] = []
        let dir = URL(fileURLWithPath: output ?? "Results/\(c.genericCase.name)/mesh")
        if !noPictures {
            let planes = c.layout.map(Slices.rackPlanes) ?? Slices.centrePlanes(flow.grid)
            let folder = try ResultFolder(final: dir)
            do {
                pictures = try Slices.writeGeometry(
                    grid: flow.grid, tags: flow.tags, c.genericCase, planes: planes, to: folder.staging)
                try folder.commit()
            } catch {
                folder.abandon()
                throw error
            }
        }
        let g = flow.grid
        print(
            "case \(c.genericCase.name) (\(c.path)), grid built in "
                + "\(String(format: "%.2f", Date().timeIntervalSince(t0))) s"
        )
        print("cells \(g.cellCount) = \(g.nx) × \(g.ny) × \(g.nz)")
        for tag in [CellTag.fluid, .porous, .solid] {
            print(
                "  \(String(describing: tag).padding(toLength: 7, withPad: " ", startingAt: 0)) "
                    + "\(report.cellCounts[tag] ?? 0)"
            )
        }
        for a in 0..<3 {
            let w = g.axis(a).widths
            print(
                "spacing \(["x", "y", "z"][a]): \(mm(w.min()!))–\(mm(w.max()!)) mm, largest neighbour ratio "
                    + "\(String(format: "%.2f", maxRatio(w)))"
            )
        }
        if lines {
            for a in 0..<3 {
                print(
                    "\(["x", "y", "z"][a]) lines (mm): "
                        + g.axis(a).faces.map { String(format: "%.1f", $0 * 1000) }.joined(separator: " "))
            }
        }
        for p in pictures { print("picture \(dir.path)/\(p)") }
        if !c.genericCase.patches.isEmpty {
            print("patches after snapping (covered area / written area):")
            for (p, cov) in zip(flow.patches, flow.patchCoverage()) {
                print(
                    "  \(p.name): \(String(format: "%.5f", cov.coveredAreaM2)) / "
                        + "\(String(format: "%.5f", cov.writtenAreaM2)) m²")
            }
            for w in c.genericCase.patchCoverageWarnings(flow) { print(w) }
        }
        let open = c.genericCase.planes.filter { p in
            if case .wall = p.kind { return false }
            return report.planeFaces[p.name] != nil
        }
        if open.isEmpty {
            print("no sheets or fans")
            return
        }
        print("sheets and fans after snapping (flow area / requested area):")
        for p in open {
            guard let f = report.planeFaces[p.name] else { continue }
            let kind: String
            switch p.kind {
            case .sheet: kind = "sheet"
            case .fan: kind = "fan"
            case .wall: continue
            }
            let moved = abs(f.snappedPositionM - f.requestedPositionM)
            print(
                "  \(kind.padding(toLength: 5, withPad: " ", startingAt: 0)) \(p.name): "
                    + "\(String(format: "%.5f", f.flowAreaM2)) / \(String(format: "%.5f", f.requestedAreaM2)) m²"
                    + (moved > 1e-6 ? ", moved \(mm(moved)) mm" : ""))
        }
    }

    private func mm(_ v: Double) -> String { String(format: "%.1f", v * 1000) }
    private func maxRatio(_ w: [Double]) -> Double {
        zip(w, w.dropFirst()).map { max($0 / $1, $1 / $0) }.max() ?? 1
    }
}
