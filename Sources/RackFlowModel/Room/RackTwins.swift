import Foundation

/// Racks of a room whose solves are the same computation, solved once.
///
/// Two positions built from the same rack file, fed through the same duct (loss and slot
/// blockage) and, in a surge, starting their cascade at the same moment get the same inputs
/// from the plenum coupling: the network treats every rack by the same formula, so equal lines
/// give equal flows, bit for bit. Their solves are then the same deterministic sequence of
/// floating-point operations (one thread and one BLAS thread per rack solve, `RoomRun.run`).
/// The refinery room's 16 racks are one rack at idle and 8 pairs in its aisle-end cascade: its
/// steady room is one rack's coupled solve, its surge eight racks' steps.
///
/// Each rack's `twin` is the first rack with the same key; a rack that is its own twin is
/// solved ("distinct"), the others read its results. Ranks own distinct racks round-robin in
/// room order, and with them their twins, so every rack's outputs come from one process.
public struct RackTwins: Sendable, Equatable {
    /// `twin[k]`: the rack whose solve rack `k` shares (`k` itself for a distinct rack).
    public let twin: [Int]

    /// Groups `spec`'s racks; `rackStartS` (a surge's per-rack start, in room order) splits
    /// racks that start at different moments.
    public init(_ spec: RoomSpec, rackStartS: [Double]? = nil) {
        var first: [String: Int] = [:]
        twin = spec.racks.indices.map { k in
            let p = spec.racks[k]
            // Exact bit patterns: "the same" means the same computation, not close numbers.
            var key = [
                URL(fileURLWithPath: p.rackFile).standardizedFileURL.path,
                "\(p.duct.linearPaSPerM3.bitPattern)", "\(p.duct.quadraticPaS2PerM6.bitPattern)",
                "\(p.slotBlockage.bitPattern)",
            ]
            if let s = rackStartS { key.append("\(s[k].bitPattern)") }
            let joined = key.joined(separator: "|")
            if let f = first[joined] { return f }
            first[joined] = k
            return k
        }
    }

    /// Every rack its own twin: each solved on its own.
    public init(distinct count: Int) { twin = Array(0..<count) }

    /// The racks that are solved, in room order.
    public var distinct: [Int] { twin.indices.filter { twin[$0] == $0 } }

    /// Racks whose outputs rank `rank` of `size` writes: the distinct racks it solves
    /// (round-robin over the distinct racks in room order) and their twins, in room order.
    public func owned(rank: Int, size: Int) -> (solved: [Int], all: [Int]) {
        let mine = Set(distinct.enumerated().filter { $0.offset % size == rank }.map(\.element))
        return (distinct.filter { mine.contains($0) }, twin.indices.filter { mine.contains(twin[$0]) })
    }
}
