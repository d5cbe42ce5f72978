/// The numbers a report sentence prints, each recorded with the key of the value in
/// `comparison.json` it was printed from, its scale and its decimals: a test re-reads every one.
public struct PrintedNumbers: Sendable {
    public private(set) var list: [Comparison.Number] = []

    public init() {}

    /// `v × scale` at `decimals`, recorded under `key` (from the document root).
    public mutating func text(_ key: String, _ v: Double, _ decimals: Int, scale: Double = 1) -> String {
        let t = Comparison.format(v * scale, decimals)
        list.append(Comparison.Number(key: key, value: v, scale: scale, decimals: decimals, text: t))
        return t
    }
}
