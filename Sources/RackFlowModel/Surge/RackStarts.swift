/// When each rack of a room starts its node cascade: the scheduler's order across racks
/// (`cascade.racks` of a scenario) laid on the room's positions. A rack's start is s after the
/// load's onset; its nodes then ignite in the scenario's node order, `cascade.delay` apart
/// (`LoadTimeline`). With `d` the rack delay:
///
/// - `together`: every rack at 0 (one rack's timeline in every rack);
/// - `rack-by-rack`: one rack at a time along the rows, A01, A02, …, then B01, …: rank × d;
/// - `row-by-row`: a whole row at a time (row A at 0, row B at d);
/// - `from-aisle-end`: a position at a time from the far end of the aisle (the rows' last
///   position) back to the first; the two racks facing each other across the aisle start together;
/// - `random`: one rack at a time in a seeded shuffle of the rack-by-rack order;
/// - a list of names: one rack at a time in that order; racks not listed never start (∞).
public enum RackStarts {
    /// A rack position of the room: its name, row (0 = A) and index along the row (0 = x = 0).
    public struct Position: Sendable, Equatable {
        public var name: String
        public var row: Int
        public var index: Int
        public init(name: String, row: Int, index: Int) {
            self.name = name
            self.row = row
            self.index = index
        }
    }

    /// Each position's start, s after the onset, in `racks` order. An unknown rack name is an
    /// error at its line in the scenario.
    public static func offsetsS(_ c: Scenario.RackCascade, racks: [Position]) throws -> [Double] {
        let d = c.delayS
        let alongRows = racks.indices.sorted {
            (racks[$0].row, racks[$0].index, $0) < (racks[$1].row, racks[$1].index, $1)
        }
        /// One rack at a time in `order`; racks missing from it never start.
        func oneAtATime(_ order: [Int]) -> [Double] {
            var t = [Double](repeating: .infinity, count: racks.count)
            for (rank, k) in order.enumerated() { t[k] = Double(rank) * d }
            return t
        }
        /// Racks sharing a key start together; keys in `keys` order, d apart.
        func grouped(_ key: (Position) -> Int, _ keys: [Int]) -> [Double] {
            racks.map { p in Double(keys.firstIndex(of: key(p))!) * d }
        }
        if !c.names.isEmpty {
            let order = try c.names.map { n, at in
                guard let k = racks.firstIndex(where: { $0.name == n }) else {
                    let all = alongRows.map { racks[$0].name }.joined(separator: ", ")
                    throw at.error("no rack '\(n)' in the room (it has \(all))")
                }
                return k
            }
            return oneAtATime(order)
        }
        switch c.order {
        case .together: return racks.map { _ in 0 }
        case .rackByRack: return oneAtATime(alongRows)
        case .random: return oneAtATime(alongRows.seededShuffle(seed: c.seed))
        case .rowByRow: return grouped(\.row, Set(racks.map(\.row)).sorted())
        case .fromAisleEnd: return grouped(\.index, Set(racks.map(\.index)).sorted(by: >))
        }
    }
}
