/// How many whole pieces a quantity `units` long needs (cells over an interval, time steps in
/// an output interval, probe stations along a tray): ⌈units⌉, except that within 1e-9
/// (relative) of an integer it is that integer. The ratios come from decimal inputs
/// (0.3 m / 0.025 m is 12.000000000000002 in doubles; 0.1 s / 0.05 s can be 2.0000000000000004),
/// so an exact multiple arrives with rounding error on either side and a plain ⌈·⌉ would add
/// a piece for it, depending on how the input was written. At least 1.
public func wholeCount(_ units: Double) -> Int {
    // Capped before the conversion: Int(huge) and Int(nan) trap; callers refuse such counts.
    guard units.isFinite else { return Int(1e12) }
    let nearest = units.rounded()
    if nearest >= 1 && abs(units - nearest) <= 1e-9 * nearest { return Int(min(nearest, 1e12)) }
    return max(1, Int(min(units.rounded(.up), 1e12)))
}
