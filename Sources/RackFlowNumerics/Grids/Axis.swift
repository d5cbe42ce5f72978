/// One axis of a tensor-product grid: the positions of its cell faces (metres),
/// strictly increasing. Spacing may vary from cell to cell, as electronics-cooling
/// grids refine across thin parts and stay coarse in empty space.
public struct Axis: Equatable, Sendable {
    /// Face positions, `count + 1` of them.
    public let faces: [Double]
    /// Cell widths, `faces[i+1] - faces[i]`.
    public let widths: [Double]
    /// Cell centres.
    public let centres: [Double]

    public var count: Int { widths.count }
    public var lower: Double { faces[0] }
    public var upper: Double { faces[faces.count - 1] }
    public var length: Double { upper - lower }

    public init(faces: [Double]) {
        precondition(faces.count >= 2, "an axis needs at least one cell")
        var w = [Double](repeating: 0, count: faces.count - 1)
        var c = w
        for i in 0..<w.count {
            w[i] = faces[i + 1] - faces[i]
            precondition(
                w[i] > 0 && w[i].isFinite, "axis face positions must be finite and strictly increasing (face \(i))")
            c[i] = 0.5 * (faces[i] + faces[i + 1])
        }
        self.faces = faces
        self.widths = w
        self.centres = c
    }

    /// `n` equal cells on [lower, upper].
    public static func uniform(_ n: Int, from lower: Double = 0, to upper: Double) -> Axis {
        precondition(n >= 1)
        let h = (upper - lower) / Double(n)
        return Axis(faces: (0...n).map { $0 == n ? upper : lower + Double($0) * h })
    }

    /// `n` cells clustered toward both ends by a smooth tanh map (a boundary-layer grid).
    /// `strength` 0 is uniform; larger values cluster harder.
    public static func clustered(_ n: Int, from lower: Double = 0, to upper: Double, strength: Double) -> Axis {
        guard strength > 0 else { return uniform(n, from: lower, to: upper) }
        let t = tanh(strength)
        let f = (0...n).map { i -> Double in
            let s = Double(i) / Double(n) * 2 - 1 // -1 … 1
            return lower + (upper - lower) * 0.5 * (1 + tanh(strength * s) / t)
        }
        return Axis(faces: f)
    }

    /// `n` cells whose spacing varies smoothly (a sine perturbation of a uniform map),
    /// so refinement keeps the grid smooth: neighbour ratios approach 1 as n grows.
    public static func smoothlyStretched(_ n: Int, from lower: Double = 0, to upper: Double, amplitude: Double) -> Axis
    {
        precondition(abs(amplitude) < 1 / (2 * Double.pi))
        let f = (0...n).map { i -> Double in
            let s = Double(i) / Double(n)
            return lower + (upper - lower) * (s + amplitude * sin(2 * Double.pi * s))
        }
        return Axis(faces: f)
    }

    /// Largest ratio between neighbouring cell widths (≥ 1).
    public var maxNeighbourRatio: Double {
        var r = 1.0
        for i in 1..<max(1, count) { r = max(r, widths[i] / widths[i - 1], widths[i - 1] / widths[i]) }
        return r
    }

    /// Index of the cell containing `x` (clamped to the axis).
    public func cell(containing x: Double) -> Int {
        var lo = 0, hi = count - 1
        if x <= faces[0] { return 0 }
        if x >= faces[count] { return count - 1 }
        while lo < hi {
            let mid = (lo + hi + 1) / 2
            if faces[mid] <= x { lo = mid } else { hi = mid - 1 }
        }
        return lo
    }
}

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif
