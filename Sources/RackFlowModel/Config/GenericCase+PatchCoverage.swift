import Foundation
import RackFlowNumerics
import RackFlowPhysics

extension GenericCase {
    /// Covered areas this far from the written one (relative) are reported.
    static let patchCoverageWarningFraction = 0.1

    /// One line per patch whose faces on `grid` cover an area more than
    /// `patchCoverageWarningFraction` away from its written rectangle (`PatchArea.swift`: its
    /// edges land on the nearest cell faces, up to half a cell either way). A velocity inlet's
    /// line gives the flow it then carries; other kinds deliver what was asked (a flow inlet
    /// divides its flow by the covered area) or are pressure boundaries, so theirs give areas.
    public func patchCoverageWarnings(on grid: Grid) -> [String] {
        patches.compactMap { ps -> String? in
            let p = ps.patch
            let c = p.coverage(on: grid)
            guard c.writtenAreaM2 > 0, abs(c.ratio - 1) > Self.patchCoverageWarningFraction else { return nil }
            let place = Self.place(ps.node)
            let areas =
                "its faces cover \(Self.sig(c.coveredAreaM2)) m² of its written \(Self.sig(c.writtenAreaM2)) m² "
                + "(\(String(format: "%.2f", c.ratio)) ×; its edges land on the nearest cell faces)"
            switch p.kind {
            case let .velocityInlet(speed, _):
                let carried = speed * c.coveredAreaM2 * 1000
                let written = speed * c.writtenAreaM2 * 1000
                return
                    "warning: \(place) patch '\(p.name)': \(areas), so at \(Self.sig(speed)) m/s it carries "
                    + "\(Self.sig(carried)) L/s, not \(Self.sig(written)) L/s; use kind: flow to deliver a set "
                    + "flow, or a spacing that puts cell faces on its edges"
            case .flowInlet:
                return
                    "note: \(place) patch '\(p.name)': \(areas); it delivers its flow at "
                    + "\(String(format: "%.2f", 1 / c.ratio)) × the speed over the written rectangle"
            case .pressureOutlet, .fanInlet:
                return "note: \(place) patch '\(p.name)': \(areas)"
            }
        }
    }

    /// Three significant figures, without an exponent for the sizes a case uses.
    private static func sig(_ v: Double) -> String {
        abs(v) >= 1e-3 && abs(v) < 1e5 ? String(format: "%.3g", v) : String(format: "%.3e", v)
    }
}
