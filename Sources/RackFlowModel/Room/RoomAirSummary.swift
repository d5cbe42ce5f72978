import Foundation

/// What the room-air solve measured (`summary.json` → `roomAir`), SI units.
public struct RoomAirSummary: Codable, Sendable {
    public struct Exhaust: Codable, Sendable {
        public var rack: String
        /// The rack's exhaust flow and mixed-cup temperature (its solve), and the flow its
        /// sub-ducts' patches carry into the hall in the room-air solve.
        public var flowM3PerS: Double
        public var temperatureC: Double
        public var solvedFlowM3PerS: Double
        /// The sub-ducts its profile is fed through (`ExhaustDucts`; 1: uniformly).
        public var subDucts: Int = 1
    }
    public struct Return: Codable, Sendable {
        public var name: String
        /// Flow out of the hall (m³/s) and its mixed-cup temperature (°C).
        public var flowM3PerS: Double
        public var temperatureC: Double
    }
    /// One tray station: the solved air against the jet model's (`TrayProbes`).
    public struct ProbeCheck: Codable, Sendable {
        public var tray: String
        public var pointM: [Double]
        public var solvedTemperatureC: Double
        public var jetTemperatureC: Double
        public var temperatureDifferenceK: Double
        public var solvedUpwardMPerS: Double
        public var jetUpwardMPerS: Double
        public var upwardDifferenceMPerS: Double
        public var solvedSpeedMPerS: Double
    }
    public var cells: Int
    public var dims: [Int]
    /// The hall's size and its lower corner in the room frame, m.
    public var sizeM: [Double]
    public var originM: [Double]
    /// Largest cell near the racks and trays, largest anywhere, smallest anywhere, m.
    public var spacingM: Double
    public var maxSpacingM: Double
    public var smallestCellM: Double
    public var marginM: Double
    public var ceilingHeightM: Double
    public var trayHeightM: Double
    public var trayFreeArea: Double
    public var trayZeta: Double
    public var converged: Bool
    public var timeAveraged: Bool
    /// How the steady solve ended, for logs: converged, time-averaged (no steady state) or not.
    public var outcome: String { converged ? "converged" : (timeAveraged ? "time-averaged" : "NOT converged") }
    public var iterations: Int
    public var buildSeconds: Double
    public var solveSeconds: Double
    /// `ResourceEstimate`'s memory for this grid, bytes (the run's measured peak is in the log).
    public var estimatedBytes: Double
    public var massInKgPerS: Double
    public var massOutKgPerS: Double
    public var relativeMassImbalance: Double
    /// Heat the exhausts carry into the hall and the returns carry out, above the racks' supply
    /// temperature `supplyC` (`ρ c_p Q (T − supplyC)` summed), W, and |out − in| / in: the energy
    /// balance on the heat the racks put into the air (of a time average, with the heat the
    /// hall's air kept over the window counted as kept: `RoomAirSolve.heatBalance`). (The generic balance of a solve,
    /// `FlowSolver.balance().relativeEnergyError`, is not kept: with no heat source in the hall it
    /// is judged against a 1 mK rise of the through-flow, and it read 0.47 on the refinery hall
    /// whose heat balanced to 6e-5.)
    public var supplyC: Double
    public var heatInW: Double
    public var heatOutW: Double
    public var relativeHeatError: Double
    public var exhausts: [Exhaust]
    public var returns: [Return]
    public var probes: [ProbeCheck]
    /// The tray probes from the solved field (the ones the stage and `tray-probes.csv` use).
    public var trays: [TrayProbes.Tray]

    /// Largest |solved − jet| temperature and upward velocity over a tray's stations.
    public func largestDifference(tray: String) -> (temperatureK: Double, upwardMPerS: Double) {
        let p = probes.filter { $0.tray == tray }
        return (
            p.map { abs($0.temperatureDifferenceK) }.max() ?? .nan,
            p.map { abs($0.upwardDifferenceMPerS) }.max() ?? .nan
        )
    }
}
