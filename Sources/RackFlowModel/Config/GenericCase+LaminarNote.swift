import Foundation
import RackFlowPhysics

extension GenericCase {
    /// Reynolds number above which a laminar case is noted: pipe flow's transition (about
    /// 2,300); jets and flows past blocks are unstable far below it.
    static let laminarNoteReynolds = 2300.0

    /// A note when a laminar case moves air fast enough to be turbulent: Re = U L / ν, U the
    /// boundary conditions' speed scale and L the domain's smallest side. Such a solve rarely
    /// finds a steady state (all 18 laminar cases among 171 of the unseen family ended
    /// time-averaged), and a new user who left `turbulence` out did not choose laminar flow.
    public func laminarNote(speedScaleMPerS u: Double) -> String? {
        guard case .laminar = turbulence else { return nil }
        let l = min(size.0, size.1, size.2)
        let re = u * l / fluid.kinematicViscosity
        guard re > Self.laminarNoteReynolds else { return nil }
        return "note: the flow is laminar (no physics.turbulence) at Re ≈ "
            + String(format: "%.0f", re) + " (speed scale " + String(format: "%.3g", u)
            + " m/s over the smallest side, " + String(format: "%.3g", l) + " m): flows this fast are "
            + "turbulent, and a laminar solve of them rarely has a steady state; physics.turbulence: "
            + "{mixingLength: {delta: m}} or kEpsilon models the turbulence"
    }
}
