import Foundation

/// What a room surge carries from one frame to the next besides its racks' own states: the
/// frame records, the flows predicted for the next frame and the line slopes the last frame
/// ended with. With every rack's `SurgeRun` state this is the whole run: a surge restored from
/// them steps the next frame bit for bit as the uninterrupted run would.
extension RoomSurge {
    public struct State: Codable {
        public var records: [FrameRecord]
        public var predictedM3PerS: [Double]
        public var slopes: [Double]
        public var rackStartS: [Double]
        /// Rank 0's log lines up to the checkpoint (the resumed run's log.txt starts with them).
        public var log: [String]
    }

    public func capture() -> State {
        State(records: records, predictedM3PerS: predicted, slopes: slopes, rackStartS: rackStartS, log: [])
    }

    /// Puts the room's part back (after `build`, in place of `solveIdle` and the frames the
    /// state covers); the racks are restored from their own checkpoints.
    public func restore(_ s: State) throws {
        let n = spec.racks.count
        guard s.predictedM3PerS.count == n, s.slopes.count == n, s.records.allSatisfy({ $0.racks.count == n }) else {
            throw RoomError.coupling("the checkpoint's room state is for another number of racks than \(n)")
        }
        guard s.rackStartS.elementsEqual(rackStartS, by: { $0.bitPattern == $1.bitPattern }) else {
            throw RoomError.coupling("the checkpoint's cascade starts \(s.rackStartS) are not this run's \(rackStartS)")
        }
        records = s.records
        predicted = s.predictedM3PerS
        slopes = s.slopes
    }
}
