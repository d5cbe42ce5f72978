import Foundation
import RackFlowNumerics
import RackFlowPhysics

extension GenericCase {
    /// Covered areas this far from the written one (relative) are reported.
    static let patchCoverageWarningFraction = 0.1

    /// One line per patch whose faces in `flow` (this case compiled) cover an area more than
    /// `patchCoverageWarningFraction` away from its written rectangle (`PatchArea.swift`: its
    /// edges land on the nearest cell faces, up to half a cell either way, and a later patch
    /// takes the faces it overlaps). A velocity inlet's line gives the flow it then carries;
    /// other kinds deliver what was asked (a flow inlet divides its flow by the covered area) or
    /// are pressure boundaries, so theirs give areas.
    public func patchCoverageWarnings(_ flow: FlowCase) -> [String] {
        zip(patches, flow.patchCoverage()).compactMap { ps, c -> String? in
            let p = ps.patch
            guard c.writtenAreaM2 > 0, abs(c.ratio - 1) > Self.patchCoverageWarningFraction else { return nil }
            let place = Self.place(ps.node)
            let areas =
                "its faces cover \(Self.sig(c.coveredAreaM2)) m² of its written \(Self.sig(c.writtenAreaM2)) m² "
                + "(\(String(format: "%.2f", c.ratio)) ×; \(Self.why(c)))"
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

    /// Why the areas differ: the edges' snapping, and a later patch's overlap if there is one.
    private static func why(_ c: PatchCoverage) -> String {
        let snapping = "its edges land on the nearest cell faces"
        let taken = c.heldAreaM2 - c.coveredAreaM2
        guard taken > 1e-12 * c.heldAreaM2 else { return snapping }
        return snapping + ", and later patches take \(sig(taken)) m² of its faces"
    }

    /// Three significant figures (printf's %g: an exponent only below 1e-4 or from 1e3 on).
    private static func sig(_ v: Double) -> String { String(format: "%.3g", v) }
}
