import Foundation
import RackFlowModel

/// The cable-tray probes beside the room stage (`tray-probes.csv`).
extension RoomStageWriter {
    /// `tray-probes.csv`: one row per frame, tray and station; room frame (x along the rows,
    /// y across, z up), metres.
    public func probesCSV() -> TextBuffer {
        var b = TextBuffer(capacity: 1 << 14)
        b.append(
            "frame,timeS,tray,station,xM,yM,zM,temperatureC,speedMPerS,"
                + "velocityXMPerS,velocityYMPerS,velocityZMPerS,vibrationAmplitudeM,vibrationFrequencyHz\n"
        )
        for (k, frame) in trayFrames.enumerated() {
            let f = firstFrame + k
            for t in frame {
                for (i, s) in t.samples.enumerated() {
                    b.int(f)
                    b.byte(44)
                    b.number(firstFrameTimeS + Double(k) / fps, significant: 9)
                    b.byte(44)
                    b.append(USDText.csvField(t.name))
                    b.byte(44)
                    b.int(i)
                    b.byte(44)
                    b.number(s.pointM.x)
                    b.byte(44)
                    b.number(s.pointM.y)
                    b.byte(44)
                    b.number(s.pointM.z)
                    b.byte(44)
                    b.number(s.temperatureC)
                    b.byte(44)
                    b.number(s.speedMPerS)
                    b.append(",0,0,")
                    b.number(s.upwardVelocityMPerS)
                    b.byte(44)
                    b.number(s.vibrationAmplitudeM)
                    b.byte(44)
                    b.number(s.vibrationFrequencyHz)
                    b.byte(10)
                }
            }
        }
        return b
    }
}
