/// When a monitored quantity (a node's flow, a part's air temperature, the plenum pressure) has
/// settled: the stopping rule on what the user asked for.
///
/// Description
///   A monitor that is merely flat over a window can still be far from its limit when the
///   outer iteration converges slowly: with a contraction ρ per iteration, the change over a
///   window of w iterations is d = e (1 − ρ^w) for a remaining error e, so e = d / (1 − ρ^w),
///   many windows' worth when ρ^w is near 1. The rule therefore also extrapolates. With the
///   last two window changes d₁ = x_n − x_{n−w} and d₀ = x_{n−w} − x_{n−2w}, r = |d₁|/|d₀|
///   estimates ρ^w and the change still to come is |d₁| r / (1 − r), the geometric tail
///   (Aitken's Δ² estimate of the limit, applied to the window sequence). A monitor has settled when
///
///     max − min over the last w values ≤ τ   and   |d₁| r / (1 − r) ≤ τ,
///
///   with τ its tolerance, or when |d₁| ≤ τ/10 (a change at round-off or limit-cycle level
///   says nothing about ρ). A monitor that does not contract (r ≥ 1) has not settled. The
///   τ/10 test needs only w + 1 values: a solve restarted from its own converged answer stops
///   after 21 iterations instead of the 76 it took when every test waited for 2 w + 1 (one-node
///   rack).
///
///   On the 4-GPU refinery rack at 3 cm a flatness rule alone (1e-3 of °C over 20 iterations)
///   stopped with one part 0.25 K from a tightly converged reference.
///
/// Usage
///   | field    | meaning                                                        |
///   | window   | w, iterations (the steady loops use 20)                        |
///   | relative | τ over the largest magnitude in the last window                |
///   | absolute | τ in the monitor's units, K for temperatures (replaces relative) |
///   | floor    | the least τ under `relative`, in the monitor's units             |
public struct MonitorSettling {
    public var window: Int
    public var relative: Double
    public var absolute: Double?
    public var floor: Double

    public init(window: Int, relative: Double, absolute: Double? = nil, floor: Double = 0) {
        self.window = window
        self.relative = relative
        self.absolute = absolute
        self.floor = floor
    }

    /// `x`: the monitor's values, oldest first, at most 2 w + 1 of them.
    public func settled(_ x: [Double]) -> Bool {
        let w = window
        guard w > 0, x.count >= w else { return false }
        let last = x.suffix(w)
        let lo = last.min()!, hi = last.max()!
        let tau = absolute ?? max(relative * max(abs(lo), abs(hi)), floor, 1e-300)
        guard hi - lo <= tau else { return false }
        guard x.count >= w + 1 else { return false }
        let n = x.count - 1
        let d1 = abs(x[n] - x[n - w])
        // Judged as soon as one window's change exists: a warm restart from a converged answer
        // need not wait for the second window that the extrapolation needs.
        if d1 <= 0.1 * tau { return true }
        guard x.count >= 2 * w + 1 else { return false }
        let d0 = abs(x[n - w] - x[n - 2 * w])
        guard d0 > 0 else { return false }
        let r = d1 / d0
        guard r < 1 else { return false }
        return d1 * r / (1 - r) <= tau
    }
}
