import RackFlowModel
import Foundation
import RackFlowNumerics

/// Finds the `grid.maxSpacing` that puts a case's cell count in a requested range.
///
/// The count is a step function of the spacing that only roughly follows V / h³ (grid lines at
/// every box corner and plane, grading at 1.3 between them, two cells across every box), so
/// the spacing is found by trial: scale by the cube root of the miss until the range is
/// bracketed, then bisect geometrically. Only grid lines are built (no cell array), a few
/// milliseconds a trial. Every trial spacing is rounded to what the YAML text holds, so the
/// written case has the count that was found.
enum UnseenGridSizing {
    static let maxTrials = 40

    static func maxSpacing(
        _ gc: GenericCase, cells range: ClosedRange<Int>, startM: Double
    ) throws
        -> (spacingM: Double, cells: Int)
    {
        var c = gc
        // Past the longest side every cap is the same grid: the lines of the boxes and planes.
        let coarsestM = UnseenNumber.rounded(max(gc.size.0, gc.size.1, gc.size.2))
        let target = (Double(range.lowerBound) * Double(range.upperBound)).squareRoot()
        var h = startM
        var tooFine: Double?, tooCoarse: Double?
        var last = 0
        for _ in 0..<maxTrials {
            h = min(coarsestM, UnseenNumber.rounded(h))
            c.constraints.maxSpacingM = h
            last = try c.buildGrid(availableBytes: nil).cellCount
            if range.contains(last) { return (h, last) }
            if last > range.upperBound {
                guard h < coarsestM else { break } // the features alone need more cells
                tooFine = max(tooFine ?? 0, h)
            } else {
                tooCoarse = min(tooCoarse ?? .infinity, h)
            }
            if let f = tooFine, let co = tooCoarse {
                guard co / f > 1.001 else { break } // the count jumps over the range here
                h = (f * co).squareRoot()
            } else {
                h *= min(2, max(0.5, cbrt(Double(last) / target)))
            }
        }
        throw InputError(
            "no grid.maxSpacing gives \(range.lowerBound)–\(range.upperBound) cells (last try \(h) m: \(last) cells)")
    }
}
