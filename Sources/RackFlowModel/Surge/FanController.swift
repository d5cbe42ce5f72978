import Foundation
import RackFlowPhysics

/// One fan under its controller: the duty the controller asks for follows a sensor linearly
/// between `low` (minimum duty) and `high` (full duty); the rotor follows that request
/// through a first-order lag, quicker spinning up than down (rotor inertia plus firmware
/// ramp limits). Speed is duty × rated rpm, and the fan laws turn speed into the curve.
public struct FanController {
    public let name: String
    public let node: Int
    public let kind: String
    /// Index in the solver's `fans`.
    public let solverIndex: Int
    public let curve: FanCurve
    public let ratedRPM: Double
    public let control: Scenario.FanControl?
    /// For `own` sensors: the part index of the GPU this blower cools.
    public let ownPart: Int?
    public internal(set) var duty = 1.0 // internal(set): restored from surge checkpoints

    public init(
        name: String, node: Int, kind: String, solverIndex: Int, curve: FanCurve, ratedRPM: Double,
        control: Scenario.FanControl?, ownPart: Int?
    ) {
        self.name = name
        self.node = node
        self.kind = kind
        self.solverIndex = solverIndex
        self.curve = curve
        self.ratedRPM = ratedRPM
        self.control = control
        self.ownPart = ownPart
        duty = control?.minDuty ?? 1
    }

    public var rpm: Double { duty * ratedRPM }

    /// The duty the controller asks for at sensor value `c` (°C, or utilisation for `load`).
    public func requestedDuty(sensorC c: Double) -> Double {
        guard let k = control else { return 1 }
        let x = min(max((c - k.low) / (k.high - k.low), 0), 1)
        return k.minDuty + (1 - k.minDuty) * x
    }

    /// Jumps to the request (the idle steady state).
    public mutating func settle(sensorC c: Double) { duty = requestedDuty(sensorC: c) }

    /// Advances the rotor over `dt` seconds toward the request; exact for a constant request.
    public mutating func step(dt: Double, sensorC c: Double) {
        guard let k = control else { return }
        let target = requestedDuty(sensorC: c)
        let tau = target > duty ? k.spinUpS : k.spinDownS
        duty = tau > 0 ? target + (duty - target) * exp(-dt / tau) : target
    }
}
