import Foundation
import RackFlowNumerics
import RackFlowPhysics

/// The physical sanity every generated case must show once compiled; the generator redraws a
/// case that fails any of these:
/// - its cell count lies in the requested range;
/// - air flows in (total inflow > 0, on the patch areas the grid gives);
/// - the mean temperature rise P / (ρ c_p Q) is at most `maxMeanRiseK` (the bound the generator
///   was specified with; at 50 K, β ΔT ≈ 0.17 for air, so the Boussinesq density error stays
///   below a fifth);
/// - every fan's free delivery at its speed exceeds the whole inflow by `fanMargin`: each fan
///   separates the inlets from the outlets, so all the air passes it, and below free delivery
///   its rise is positive: it helps the flow, never opposes it to shut-off;
/// - air from every inlet reaches an outlet and no open cell is sealed off (`UnseenConnectivity`).
enum UnseenCaseCheck {
    static let maxMeanRiseK = 50.0
    static let fanMargin = 1.2

    static func check(_ gc: GenericCase, _ flow: FlowCase, cells range: ClosedRange<Int>) throws {
        let cells = flow.grid.cellCount
        guard range.contains(cells) else {
            throw UnseenDrawError("\(cells) cells, outside \(range.lowerBound)–\(range.upperBound)")
        }
        let inflow = inflowM3PerS(flow.patches, flow.grid)
        guard inflow > 0 else { throw UnseenDrawError("no inflow") }
        let powerW = gc.boxes.reduce(0) { $0 + $1.powerW }
        let rise = powerW / (gc.fluid.densityKgPerM3 * gc.fluid.specificHeatJPerKgK * inflow)
        guard rise <= maxMeanRiseK else {
            throw UnseenDrawError(String(format: "mean temperature rise %.1f K above %.0f K", rise, maxMeanRiseK))
        }
        for p in gc.planes {
            guard case let .fan(curve, rpm, _) = p.kind else { continue }
            let free = curve.freeDeliveryM3PerS(rpm: rpm)
            guard free >= fanMargin * inflow else {
                throw UnseenDrawError("fan '\(p.name)' delivers \(free) m³/s free, "
                                      + "under \(fanMargin) × the inflow \(inflow) m³/s")
            }
        }
        if let why = UnseenConnectivity.problem(flow) { throw UnseenDrawError(why) }
    }

    /// Total inflow, m³/s: flow inlets as given, velocity inlets at their speed over the
    /// boundary faces the grid gives them.
    static func inflowM3PerS(_ patches: [Patch], _ grid: Grid) -> Double {
        patches.reduce(0) { sum, p in
            switch p.kind {
            case let .velocityInlet(speed, _): return sum + speed * snappedAreaM2(p, grid)
            case let .flowInlet(q, _): return sum + q
            case .pressureOutlet, .fanInlet: return sum
            }
        }
    }

    /// The patch's area as the grid sees it (m²): the faces of `UnseenConnectivity.boundaryCells`.
    static func snappedAreaM2(_ patch: Patch, _ grid: Grid) -> Double {
        let (p, q) = UnseenDraw.inPlane(patch.side)
        func width(_ axis: Int, _ lo: Double, _ hi: Double) -> Double {
            let ax = grid.axis(axis)
            return UnseenConnectivity.inside(ax, lo, hi).reduce(0) { $0 + ax.widths[$1] }
        }
        return width(p, patch.lo.0, patch.hi.0) * width(q, patch.lo.1, patch.hi.1)
    }
}
