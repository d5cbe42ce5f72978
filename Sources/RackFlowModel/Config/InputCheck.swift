import Foundation
import RackFlowNumerics

/// The input path of the commands, from file to voxelised grid, without solving: what
/// `solve`, `mesh` and `case` do with a rack or case file (`CaseFile.load`, then
/// `GenericCase.compile`), and what `surge` does with a scenario (`Scenario.load`, its rack
/// compiled, the load timeline checked against the rack's nodes). `rackflow fuzz` and the
/// fuzz test drive it with damaged files.
public enum InputCheck {
    public struct Result: Sendable {
        public var cells: Int
        /// False when the grid was built (and resource-checked) but not voxelised because it
        /// exceeded `voxeliseUpTo` (the fuzzer's per-case budget).
        public var voxelised: Bool
    }

    /// A rack or generic case file.
    public static func caseFile(path: String, voxeliseUpTo: Int = .max) throws -> Result {
        try compile(try CaseFile.load(path: path), voxeliseUpTo: voxeliseUpTo)
    }

    /// A surge scenario, as `SurgeRun.init` reads it up to the solver.
    public static func scenario(path: String, voxeliseUpTo: Int = .max) throws -> Result {
        let sc = try Scenario.load(path: path)
        let c = try CaseFile.load(path: sc.rackPath)
        guard let layout = c.layout else {
            throw InputError(
                file: sc.file, line: nil, keyPath: "rack",
                problem: "\(sc.rackPath) is a generic case, not a rack: a surge needs nodes")
        }
        _ = try LoadTimeline(sc, units: layout.nodes.map(\.unit), names: layout.nodes.map(\.name))
        return try compile(c, voxeliseUpTo: voxeliseUpTo)
    }

    static func compile(_ c: CaseFile, voxeliseUpTo: Int) throws -> Result {
        let grid = try c.genericCase.buildGrid()
        guard grid.cellCount <= voxeliseUpTo else { return Result(cells: grid.cellCount, voxelised: false) }
        let (flow, _, _) = try c.genericCase.compile()
        return Result(cells: flow.grid.cellCount, voxelised: true)
    }
}
