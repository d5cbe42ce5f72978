import Foundation
import RackFlowModel

/// Text pieces of the room stage: the room frame mapped to the stage's axes, scalar and array
/// time samples, and the documentation string of each telemetry channel.
extension RoomStageWriter {
    /// Room (solver) axes to the stage's: Y up (x, z, −y), Z up the identity.
    func map(_ v: SIMD3<Double>) -> SIMD3<Double> { upAxis == .y ? SIMD3(v.x, v.z, -v.y) : v }
    /// A box's sizes in the stage's axes (positive).
    func mapSize(_ v: SIMD3<Double>) -> SIMD3<Double> { upAxis == .y ? SIMD3(v.x, v.z, v.y) : v }

    /// The surge stage's writer set up with this stage's axes, frames and fan model: it writes the
    /// node-type layers and the fans, so that a node and its fans look the same in both stages.
    var fanWriter: USDStageWriter {
        USDStageWriter(
            StageRecording(
                fps: fps, firstFrame: firstFrame, lastFrame: lastFrame, firstFrameTimeS: firstFrameTimeS,
                upAxis: upAxis, nodeAssets: nodeAssets, racks: [], heatmap: heatmap ?? .init(minC: 0, maxC: 1),
                fanMotion: fanMotion))
    }

    func samples(_ b: inout TextBuffer, _ level: Int, _ decl: String, _ values: [Double], doc: String? = nil) {
        if let doc {
            b.usdLine(level, decl + " (")
            b.usdLine(level + 1, "doc = \(USDText.quoted(doc))")
            b.usdLine(level, ")")
        }
        b.usdIndent(level)
        b.append(decl)
        b.append(".timeSamples = {")
        for (k, v) in values.enumerated() {
            b.byte(32)
            b.int(firstFrame + k)
            b.append(": ")
            b.number(v)
            b.byte(44)
        }
        b.append(" }\n")
    }

    func arraySamples(_ b: inout TextBuffer, _ level: Int, _ decl: String, doc: String, _ frames: [[Double]]) {
        b.usdLine(level, decl + " (")
        b.usdLine(level + 1, "doc = \(USDText.quoted(doc))")
        b.usdLine(level + 1, "interpolation = \"vertex\"")
        b.usdLine(level, ")")
        b.usdIndent(level)
        b.append(decl)
        b.append(".timeSamples = {\n")
        for (k, values) in frames.enumerated() {
            b.usdIndent(level + 1)
            b.int(firstFrame + k)
            b.append(": [")
            for (i, v) in values.enumerated() {
                if i > 0 { b.append(", ") }
                b.number(v, significant: 6)
            }
            b.append("],\n")
        }
        b.usdLine(level, "}")
    }

    static func channelDoc(_ name: String) -> String {
        switch name {
        case "inletFlowM3PerS": return "air the plenum feeds the rack, m3/s"
        case "share": return "the rack's fraction of the blower flow"
        case "slotPressurePa": return "static pressure the rack needs at its bottom slot, relative to its exhaust, Pa"
        case "exhaustC": return "mixed-cup (flow-weighted) exhaust temperature, degC"
        case "heatW": return "heat released in the rack, W"
        case "outletC": return "node outlet air temperature, degC"
        default: return StageRecording.Channel.doc(name)
        }
    }
}
