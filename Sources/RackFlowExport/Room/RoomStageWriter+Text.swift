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

    /// `decl`'s time samples, one number per frame, on one line.
    func samples(_ b: inout TextBuffer, _ level: Int, _ decl: String, _ values: [Double], doc: String? = nil) {
        openTimeSamples(&b, level, decl, doc: doc)
        for (k, v) in values.enumerated() {
            b.byte(32)
            b.int(firstFrame + k)
            b.append(": ")
            b.number(v)
            b.byte(44)
        }
        b.append(" }\n")
    }

    /// `decl`'s time samples, one array per frame (a value per vertex), a line per frame.
    func arraySamples(_ b: inout TextBuffer, _ level: Int, _ decl: String, doc: String, _ frames: [[Double]]) {
        openTimeSamples(&b, level, decl, doc: doc, interpolation: "vertex")
        b.append("\n")
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

    /// `decl`'s metadata (its `doc`, its `interpolation`), left out when it has neither, then the
    /// opening `decl.timeSamples = {` that the caller fills and closes.
    private func openTimeSamples(
        _ b: inout TextBuffer, _ level: Int, _ decl: String, doc: String?, interpolation: String? = nil
    ) {
        if doc != nil || interpolation != nil {
            b.usdLine(level, decl + " (")
            if let doc { b.usdLine(level + 1, "doc = \(USDText.quoted(doc))") }
            if let interpolation { b.usdLine(level + 1, "interpolation = \"\(interpolation)\"") }
            b.usdLine(level, ")")
        }
        b.usdIndent(level)
        b.append(decl)
        b.append(".timeSamples = {")
    }

    static func channelDoc(_ name: String) -> String {
        switch name {
        case "inletFlowM3PerS": return "air the plenum feeds the rack, m3/s"
        case "share": return "the rack's fraction of the blower flow"
        case "slotPressurePa": return "static pressure the rack needs at its bottom slot, relative to its exhaust, Pa"
        case "exhaustC": return "mixed-cup (flow-weighted) exhaust temperature, degC"
        case "heatW": return "heat released in the rack, W"
        default: return StageRecording.Channel.doc(name)
        }
    }
}
