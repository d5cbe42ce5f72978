/// SplitMix64 (Steele, Lea & Flood 2014, "Fast splittable pseudorandom number generators",
/// OOPSLA): a tiny, fast generator whose whole state is one integer, so a fuzz case or a random
/// cascade order is reproduced from its seed alone on any machine — `SystemRandomNumberGenerator`
/// cannot be seeded and Swift's shuffles may change between releases.
public struct SplitMix64: RandomNumberGenerator {
    public var state: UInt64
    public init(seed: UInt64) { state = seed }
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    /// Uniform in 0..<n (n > 0); the modulo bias is irrelevant for picking mutations.
    public mutating func below(_ n: Int) -> Int { Int(next() % UInt64(max(n, 1))) }
    public mutating func chance(_ p: Double) -> Bool { Double(next() >> 11) / Double(1 << 53) < p }
    public mutating func pick<T>(_ a: [T]) -> T { a[below(a.count)] }

    /// The generator for case `index` of a run seeded with `seed`: independent of the other
    /// cases, so `--case K` replays one case exactly.
    public static func forCase(seed: UInt64, index: Int) -> SplitMix64 {
        var g = SplitMix64(seed: seed ^ (UInt64(truncatingIfNeeded: index) &* 0xD1B5_4A32_D192_ED03))
        _ = g.next()
        return g
    }
}
