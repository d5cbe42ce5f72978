import Foundation

/// The stage's curves as CSV beside it: `telemetry.csv` (one row per frame, rack and node) and
/// `fans.csv`.
extension USDStageWriter {
    /// `telemetry.csv`: one row per frame, rack and node; one column per channel (the union
    /// over nodes; empty where a node lacks one).
    public func telemetryCSV() -> TextBuffer {
        let r = recording
        var channels = StageRecording.Channel.standard.filter { c in
            r.racks.contains { $0.nodes.contains { $0.telemetry[c] != nil } }
        }
        channels += Set(r.racks.flatMap { $0.nodes.flatMap { $0.telemetry.keys } })
            .subtracting(StageRecording.Channel.standard).sorted()
        var b = TextBuffer(capacity: r.frameCount * r.racks.count * 12 * (60 + 12 * channels.count))
        b.append("frame,timeS,rack,node,prim,nodeType")
        for c in channels {
            b.byte(44)
            b.append(c)
        }
        b.byte(10)
        // names are constant per row group: escape once
        let rackNames = r.racks.map { USDText.csvField($0.name) }
        for k in 0..<r.frameCount {
            let frame = r.firstFrame + k
            for (ri, rack) in r.racks.enumerated() {
                for (ni, node) in rack.nodes.enumerated() {
                    b.int(frame)
                    b.byte(44)
                    b.number(r.timeS(frame: frame), significant: 9)
                    b.byte(44)
                    b.append(rackNames[ri])
                    b.byte(44)
                    b.append(USDText.csvField(node.name))
                    b.byte(44)
                    b.append(nodePath(rack: ri, node: ni))
                    b.byte(44)
                    b.append(USDText.csvField(node.type))
                    for c in channels {
                        b.byte(44)
                        if let v = node.telemetry[c] { b.number(v[k]) }
                    }
                    b.byte(10)
                }
            }
        }
        return b
    }

    /// `fans.csv`: one row per frame and fan: rpm, blade-pass frequency, vibration amplitude.
    public func fansCSV() -> TextBuffer {
        let r = recording
        let assets = Dictionary(uniqueKeysWithValues: r.nodeAssets.map { ($0.name, $0) })
        var b = TextBuffer(capacity: 1 << 20)
        b.append("frame,timeS,rack,node,fan,prim,rpm,bladePassHz,amplitudeM\n")
        for k in 0..<r.frameCount {
            let frame = r.firstFrame + k
            for (ri, rack) in r.racks.enumerated() {
                for (ni, node) in rack.nodes.enumerated() {
                    let fans = assets[node.type]!.fans
                    for (fi, fan) in fans.enumerated() {
                        let rpm = node.fanRPM[fi][k]
                        b.int(frame)
                        b.byte(44)
                        b.number(r.timeS(frame: frame), significant: 9)
                        b.byte(44)
                        b.append(USDText.csvField(rack.name))
                        b.byte(44)
                        b.append(USDText.csvField(node.name))
                        b.byte(44)
                        b.append(USDText.csvField(fan.name))
                        b.byte(44)
                        b.append(fanPath(rack: ri, node: ni, fan: fi))
                        b.byte(44)
                        b.number(rpm)
                        b.byte(44)
                        b.number(FanMotion.bladePassHz(rpm: rpm, blades: fan.bladeCount))
                        b.byte(44)
                        b.number(FanMotion.amplitudeM(rpm: rpm, model: r.fanMotion))
                        b.byte(10)
                    }
                }
            }
        }
        return b
    }
}
