import Foundation
import RackFlowModel

/// A room surge's node telemetry beside its stage: `telemetry.csv`, one row per frame, rack and
/// node (the stage's `telemetry:*` curves as numbers, for plots and tests), and each rack's
/// place in the cascade for `summary.json`.
public enum RoomSurgeTelemetry {
    /// One rack's start in the room's cascade and its nodes' ignition times, s; nil: never.
    public struct RackIgnition: Codable, Sendable {
        public var rack: String
        public var startS: Double?
        public var nodes: [String]
        public var ignitionS: [Double?]
    }

    /// Every rack's ignitions (rack `k` of `spec` starting at `rackStartS[k]` after the onset),
    /// from the rack files' layouts in `cases` (keyed by rack file).
    public static func ignitions(
        spec: RoomSpec, scenario: Scenario, rackStartS: [Double], cases: [String: CaseFile]
    ) throws -> [RackIgnition] {
        try spec.racks.indices.map { k in
            let p = spec.racks[k]
            let nodes = cases[p.rackFile]?.layout?.nodes ?? []
            let t = try LoadTimeline(
                scenario, units: nodes.map(\.unit), names: nodes.map(\.name), rackStartS: rackStartS[k])
            func finite(_ x: Double) -> Double? { x.isFinite ? x : nil }
            return RackIgnition(
                rack: p.name, startS: finite(scenario.load.onsetS + rackStartS[k]), nodes: nodes.map(\.name),
                ignitionS: t.ignitionS.map(finite))
        }
    }

    /// `telemetry.csv`: frame, timeS, rack, node, then utilisation (0…1), powerW, gpuMaxC, cpuC,
    /// fanRPM (intake mean), airflowM3PerS (front mesh), exhaustC; empty where a node has no such
    /// value (no GPU, no exit flow). `rackFrames[k]` are rack k's frames (0 = idle).
    public static func csv(spec: RoomSpec, rackFrames: [[SurgeRun.Frame]], nodeNames: [[String]]) -> TextBuffer {
        var b = TextBuffer(capacity: 1 << 16)
        b.append("frame,timeS,rack,node,utilisation,powerW,gpuMaxC,cpuC,fanRPM,airflowM3PerS,exhaustC\n")
        let frameCount = rackFrames.map(\.count).min() ?? 0
        for f in 0..<frameCount {
            for (k, frames) in rackFrames.enumerated() {
                let frame = frames[f]
                for (n, node) in frame.nodes.enumerated() {
                    b.int(frame.index)
                    b.byte(44)
                    b.number(frame.timeS, significant: 9)
                    b.byte(44)
                    b.append(USDText.csvField(spec.racks[k].name))
                    b.byte(44)
                    b.append(USDText.csvField(n < nodeNames[k].count ? nodeNames[k][n] : "node\(n + 1)"))
                    for v in [
                        node.utilisation, node.powerW, node.gpuMaxC, node.cpuC, node.fanRPM, node.airflowM3PerS,
                        node.exhaustC,
                    ] {
                        b.byte(44)
                        if v.isFinite { b.number(v) }
                    }
                    b.byte(10)
                }
            }
        }
        return b
    }
}
