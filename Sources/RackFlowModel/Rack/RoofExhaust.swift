import RackFlowPhysics

extension GenericCase {
    /// Description
    ///   A rack's roof exhaust: its outlet patch (the first pressure outlet on the top side, see
    ///   `ExhaustProfile.roofOutlet`) and that patch's rectangle clipped to the rack's top, m, in
    ///   the rack's frame (x, y). A patch given as the whole side is ±∞ in the case; the
    ///   clipped rectangle is the opening the air leaves through, which the exhaust profile's
    ///   tiles split, the room's sub-ducts follow and the cable-tray probes stand over.
    ///
    /// Usage
    ///   | call              | gives                                                         |
    ///   | ---               | ---                                                           |
    ///   | `gc.roofExhaust`  | `(patch, loM, hiM)`, or nil when the case has no roof outlet  |
    public var roofExhaust: (patch: Patch, loM: (Double, Double), hiM: (Double, Double))? {
        guard let roof = ExhaustProfile.roofOutlet(patches.map(\.patch)) else { return nil }
        return (
            roof, (max(roof.lo.0, 0), max(roof.lo.1, 0)), (min(roof.hi.0, size.0), min(roof.hi.1, size.1))
        )
    }
}
