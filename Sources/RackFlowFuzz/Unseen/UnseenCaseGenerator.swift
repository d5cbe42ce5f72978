import RackFlowModel
import Foundation
import RackFlowNumerics
import RackFlowPhysics

/// A generated unseen case: its YAML text and what the generator measured of it.
public struct UnseenCase: Sendable {
    public var seed: UInt64
    public var name: String
    /// A generic case in the users' schema, without a `solver:` section.
    public var yaml: String
    public var cells: Int
    /// Why the draws before this one were redrawn (a check failed), in order.
    public var rejections: [String]
    /// Draws the seed took: a draw that fails a check is redrawn from the seed's next stream.
    public var attempts: Int { rejections.count + 1 }
}

/// Generic cases nobody tuned the solver for: a seeded family of physically sane inputs, to
/// show that the solver's default settings converge beyond the bundled examples.
///
/// `generate(seed:)` is deterministic in the seed and the cell range (SplitMix64 streams, no
/// system randomness), so a case is reproduced from its seed alone on any machine. A draw
/// (`UnseenDraw`) picks the domain, patches, flow, boxes and planes; the grid spacing is then
/// chosen for the cell range (`UnseenGridSizing`), heat for the inflow the grid gives, and the
/// case is written as YAML, read back through the users' parser, compiled and checked
/// (`UnseenCaseCheck`). A draw that fails (no room for a patch, a count the spacing cannot hit,
/// a sealed pocket) is redrawn from the next stream of the same seed, up to `maxAttempts`.
public struct UnseenCaseGenerator: Sendable {
    public static let defaultCellRange = 10_000...300_000
    public static let maxAttempts = 60

    public var cellRange: ClosedRange<Int>

    public init(cellRange: ClosedRange<Int> = UnseenCaseGenerator.defaultCellRange) {
        self.cellRange = cellRange
    }

    public func generate(seed: UInt64) throws -> UnseenCase {
        var reasons: [String] = []
        for attempt in 0..<Self.maxAttempts {
            do {
                var c = try draw(seed: seed, attempt: attempt)
                c.rejections = reasons
                return c
            } catch let e as InputError {
                reasons.append(e.description)
            }
        }
        // A seed none of whose draws passed the checks.
        throw InputError("seed \(seed): no valid case in \(reasons.count) draws; last: \(reasons.last ?? "none")")
    }

    func draw(seed: UInt64, attempt: Int) throws -> UnseenCase {
        let target = (Double(cellRange.lowerBound) * Double(cellRange.upperBound)).squareRoot()
        var d = try UnseenDraw(seed: seed, attempt: attempt, targetCells: target)
        try d.drawPatches()
        let nominalInflow = try d.drawFlow()
        try d.drawBoxes()
        d.drawPlanes(inflowM3PerS: nominalInflow)

        let file = "\(d.spec.name).yaml"
        var sized = try GenericCase.parse(yaml: d.spec.yaml(), file: file)
        let (spacing, _) = try UnseenGridSizing.maxSpacing(sized, cells: cellRange, startM: d.spec.maxSpacingM)
        d.spec.maxSpacingM = spacing
        sized.constraints.maxSpacingM = spacing
        let grid = try sized.buildGrid(availableBytes: nil)
        d.drawHeat(inflowM3PerS: UnseenCaseCheck.inflowM3PerS(sized.patches.map(\.patch), grid))

        let text = d.spec.yaml()
        let gc = try GenericCase.parse(yaml: text, file: file)
        let (flow, _, report) = try gc.compile()
        try UnseenCaseCheck.check(gc, flow, report, cells: cellRange)
        return UnseenCase(seed: seed, name: d.spec.name, yaml: text, cells: flow.grid.cellCount, rejections: [])
    }
}
