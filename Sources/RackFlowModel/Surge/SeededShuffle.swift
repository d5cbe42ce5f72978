import RackFlowNumerics

extension Array {
    /// Fisher–Yates with SplitMix64: the same seed gives the same order on every machine and
    /// Swift release (the node and rack cascades' `random` orders).
    func seededShuffle(seed: UInt64) -> [Element] {
        var o = self
        var g = SplitMix64(seed: seed)
        if o.count > 1 {
            for i in stride(from: o.count - 1, to: 0, by: -1) { o.swapAt(i, Int(g.next() % UInt64(i + 1))) }
        }
        return o
    }
}
