/// An input RackFlow cannot use: `FILE:LINE: KEY.PATH: problem` on one line, e.g.
/// `case.yaml:12: boxes[1].powerW: must be ≥ 0 (got -5)`.
///
/// The same type serves every layer. A physics model (`PerforatedPlate`, `FanCurve`), the grid
/// generator or the voxeliser throws it without a file, naming its own parameter or object in
/// `keyPath` (`pressurePa[3]`, `maxSpacingM`, a box's name); where the loader that called it
/// knows the file and the YAML key, it rethrows it located there (`ConfigNode.error`). The line is
/// omitted when unknown (a missing file) and the key path when the problem is with the whole
/// document.
public struct InputError: RackFlowError, Sendable, Equatable {
    /// The file as it was named to the loader; nil for a model's own check, before a loader
    /// has located it.
    public let file: String?
    /// 1-based line, when known.
    public let line: Int?
    /// Key path inside the document, e.g. `boxes[2].hi`; empty for the document itself.
    public let keyPath: String
    public let problem: String

    public init(file: String?, line: Int?, keyPath: String, problem: String) {
        self.file = file
        self.line = line
        self.keyPath = keyPath
        self.problem = problem
    }

    /// A model's own check, before any file is known: `key` names its parameter or object.
    public init(key: String, _ problem: String) {
        self.init(file: nil, line: nil, keyPath: key, problem: problem)
    }

    /// A check with neither file nor key: the problem says what it is about.
    public init(_ problem: String) {
        self.init(file: nil, line: nil, keyPath: "", problem: problem)
    }

    public var description: String {
        var s = ""
        if let file {
            s = file
            if let line { s += ":\(line)" }
            s += ": "
        }
        if !keyPath.isEmpty { s += keyPath + ": " }
        return s + problem
    }
}
