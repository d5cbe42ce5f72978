import RackFlowModel
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
/// - the mean speed through the outlets, and through every fan's opening, is at most
///   `maxMeanSpeedMPerS`: 20 m/s is a Mach number of 0.06, so even the faster parts of a
///   non-uniform profile stay below Ma 0.1, where density changes by Ma²/2 ≈ 0.5 % (the
///   isentropic ρ0/ρ = (1 + (γ−1)/2 Ma²)^(1/(γ−1)); Anderson, *Modern Compressible Flow*) and
///   the incompressible model holds; an early draw put 1.3 m³/s through a 0.01 m² outlet
///   (135 m/s);
/// - every fan's free delivery at its speed exceeds the whole inflow by `fanMargin`: each fan
///   separates the inlets from the outlets, so all the air passes it, and below free delivery
///   its rise is positive: it helps the flow, never opposes it to shut-off;
/// - air from every inlet reaches an outlet and no open cell is sealed off (`UnseenConnectivity`).
enum UnseenCaseCheck {
    static let maxMeanRiseK = 50.0
    static let fanMargin = 1.2
    static let maxMeanSpeedMPerS = 20.0

    static func check(
        _ gc: GenericCase, _ flow: FlowCase, _ report: VoxelReport,
        cells range: ClosedRange<Int>
    ) throws {
        let cells = flow.grid.cellCount
        guard range.contains(cells) else {
            throw InputError("\(cells) cells, outside \(range.lowerBound)–\(range.upperBound)")
        }
        let inflow = inflowM3PerS(flow.patches, flow.grid)
        guard inflow > 0 else { throw InputError("no inflow") }
        let powerW = gc.boxes.reduce(0) { $0 + $1.powerW }
        let rise = powerW / (gc.fluid.densityKgPerM3 * gc.fluid.specificHeatJPerKgK * inflow)
        guard rise <= maxMeanRiseK else {
            throw InputError(String(format: "mean temperature rise %.1f K above %.0f K", rise, maxMeanRiseK))
        }
        let outletArea = zip(flow.patches, Patch.coveredAreasM2(flow.patches, on: flow.grid)).reduce(0.0) {
            sum, pa in
            guard case .pressureOutlet = pa.0.kind else { return sum }
            return sum + pa.1
        }
        guard inflow / outletArea <= maxMeanSpeedMPerS else {
            throw InputError(
                String(
                    format: "%.1f m/s through the outlets, above %.0f m/s",
                    inflow / outletArea, maxMeanSpeedMPerS))
        }
        for p in gc.planes {
            guard case let .fan(curve, rpm, _) = p.kind else { continue }
            let opening = report.planeFaces[p.name]?.flowAreaM2 ?? 0
            guard inflow / opening <= maxMeanSpeedMPerS else {
                let speed = String(format: "%.1f", inflow / opening)
                throw InputError("\(speed) m/s through fan '\(p.name)', above \(maxMeanSpeedMPerS) m/s")
            }
            let free = curve.freeDeliveryM3PerS(rpm: rpm)
            guard free >= fanMargin * inflow else {
                throw InputError(
                    "fan '\(p.name)' delivers \(free) m³/s free, under \(fanMargin) × the inflow \(inflow) m³/s")
            }
        }
        if let why = UnseenConnectivity.problem(flow) { throw InputError(why) }
    }

    /// Total inflow, m³/s: flow inlets as given, velocity inlets at their speed over the
    /// boundary faces the grid gives them.
    static func inflowM3PerS(_ patches: [Patch], _ grid: Grid) -> Double {
        zip(patches, Patch.coveredAreasM2(patches, on: grid)).reduce(0) { sum, pa in
            switch pa.0.kind {
            case let .velocityInlet(speed, _): return sum + speed * pa.1
            case let .flowInlet(q, _): return sum + q
            case .pressureOutlet, .fanInlet: return sum
            }
        }
    }
}
