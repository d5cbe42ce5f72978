import RackFlowNumerics

/// Errors of the export layer: files, fields, stages and pictures. Every case names the path,
/// field or value it is about, and says that nothing was written where that matters.
public enum ExportError: RackFlowError, Equatable {
    /// Writing, syncing or renaming a file or folder failed.
    case io(path: String, operation: String, reason: String)
    /// A value to be written is NaN or infinite (`cell` is (i, j, k)).
    case nonFinite(field: String, cell: (Int, Int, Int), value: Double)
    /// A field has the wrong number of values for the grid.
    case sizeMismatch(field: String, expected: Int, actual: Int)
    /// ImageData needs equal spacing along each axis.
    case nonUniformSpacing(axis: String, minWidth: Double, maxWidth: Double)
    /// A stage recording is inconsistent; `path` names the value (e.g. "racks[1] 'A02'.vdbFiles").
    case invalidRecording(path: String, problem: String)
    /// A plot has no cells, or edges that do not increase strictly.
    case badSliceGrid(String)
    /// A plotted field has the wrong number of values for the slice grid.
    case sliceSizeMismatch(field: String, expected: Int, actual: Int)
    /// The colour range is NaN or infinite, or empty.
    case badColourRange(lower: Double, upper: Double)
    /// Every value is masked (NaN) and no fixed range was given.
    case noFiniteValues(field: String)
    /// Image size out of bounds (zero, or too large for libpng).
    case badImageSize(width: Int, height: Int)
    /// libpng refused to encode; `message` is its own.
    case pngEncoding(message: String)

    public var description: String {
        switch self {
        case let .io(path, op, reason):
            return "\(path): \(op) failed: \(reason)"
        case let .nonFinite(field, c, v):
            return "field '\(field)' has a non-finite value \(v) in cell (\(c.0), \(c.1), \(c.2)); nothing written"
        case let .sizeMismatch(field, e, a):
            return "field '\(field)' has \(a) values, the grid has \(e) cells"
        case let .nonUniformSpacing(axis, lo, hi):
            return
                "ImageData (.vti) needs uniform spacing, but the \(axis) axis has cell widths from \(lo) to \(hi) m; "
                + "write a RectilinearGrid (.vtr) instead"
        case let .invalidRecording(path, problem):
            return "stage recording: \(path): \(problem); nothing written"
        case let .badSliceGrid(why): return "slice grid: \(why)"
        case let .sliceSizeMismatch(f, e, a): return "field '\(f)' has \(a) values, the slice grid has \(e) cells"
        case let .badColourRange(lo, hi): return "colour range \(lo)...\(hi) is not a finite, ordered interval"
        case let .noFiniteValues(f):
            return "field '\(f)' has no finite value to set a colour range; give a fixed range"
        case let .badImageSize(w, h): return "image size \(w)×\(h) px is out of bounds"
        case let .pngEncoding(m): return "PNG encoding failed: \(m)"
        }
    }

    public static func == (a: ExportError, b: ExportError) -> Bool { a.description == b.description }
}

extension ExportError {
    /// The path being written, for a failed write.
    public var file: String? {
        if case let .io(path, _, _) = self { return path }
        return nil
    }
    /// The field or recorded value at fault, when there is one.
    public var keyPath: String {
        switch self {
        case let .nonFinite(field, _, _), let .sizeMismatch(field, _, _), let .sliceSizeMismatch(field, _, _),
            let .noFiniteValues(field):
            return field
        case let .invalidRecording(path, _): return path
        case let .nonUniformSpacing(axis, _, _): return axis
        default: return ""
        }
    }
    public var problem: String {
        if case let .io(_, op, reason) = self { return "\(op) failed: \(reason)" }
        return description
    }
}
