import Foundation
import RackFlowNumerics

/// Any input file RackFlow solves: a rack (compiled to a generic case, with its layout for
/// reports) or a generic case. Which one is decided by the keys at the top (`rack:`/`nodes:`).
public struct CaseFile {
    public var path: String
    public var genericCase: GenericCase
    /// Nodes, parts and fans by name; nil for a generic case.
    public var layout: RackLayout?
    /// The files a rack file pulled in (nodes, parts), for input fingerprints; empty for a generic case.
    public var inputFiles: [String] = []

    public static func load(path: String) throws -> CaseFile {
        guard FileManager.default.fileExists(atPath: path) else {
            throw InputError(file: path, line: nil, keyPath: "", problem: "file not found")
        }
        let root = try ConfigNode.load(path: path)
        if RackSpec.isRack(root) {
            let r = FileResolver()
            r.beginResolving(path)
            defer { r.endResolving() }
            let c = try RackCompiler.compile(try RackSpec(root, resolver: r))
            return CaseFile(path: path, genericCase: c.genericCase, layout: c.layout, inputFiles: r.files)
        }
        return CaseFile(path: path, genericCase: try GenericCase(root), layout: nil)
    }

    /// Overrides the largest grid spacing (m), e.g. for a quick look or a grid study.
    public mutating func setMaxSpacing(_ h: Double) {
        genericCase.constraints.maxSpacingM = h
        genericCase.maxSpacingOverrideM = h
    }
}
