import Foundation
import RackFlowNumerics

/// What a grid will cost before anything is allocated, and whether this machine can hold it.
/// A 1 mm spacing request on the default rack asks for ~10⁸ cells: without this check the
/// run dies of memory exhaustion minutes later (or takes the machine down with it).
public struct ResourceEstimate: CustomStringConvertible, Sendable {
    /// Peak resident memory of `rackflow solve` is `fixedBytes + bytesPerCell × cells`, fitted to
    /// two measured solves (peak resident set, 2 threads): the one-node rack,
    /// 61,200 cells, 164 MiB, and the default rack, 568,480 cells, 818 MiB. The earlier constant
    /// (800 B per cell, from `bench flow`'s solver alone) predicted 469 MiB for a run that used
    /// 893 MiB: the voxel report, the exports and the monitors come on top of the solver.
    public static let bytesPerCell = 1_350.0
    public static let fixedBytes = 85.0 * 1_048_576
    /// Seconds per cell per steady outer iteration on 2 cores: 0.49 µs on the default rack,
    /// 0.52 on the one-node rack, on a quiet machine (twice that under load).
    public static let secondsPerCellIteration = 0.5e-6
    /// Outer iterations a steady rack solve typically takes: 166 (one node), 184 (default rack,
    /// 3 cm), 195 (2 cm). The limit, 5,000, is a safeguard and made every estimate 25× too long.
    public static let typicalIterations = 200
    /// The same for generic cases: the median of 100 generated cases since they stop on their
    /// figures (`rackflow unseen`, seeds 1–100, up to 100k cells, 2026-12-07: 268; the 90th
    /// percentile 1,703). Under residuals at 1e-6 it was 670.
    public static let typicalGenericIterations = 270

    public var cells: Int
    public var dims: (Int, Int, Int)
    public var bytes: Double
    /// Outer iterations the estimate of time is for.
    public var iterations: Int
    public var seconds: Double

    public init(nx: Int, ny: Int, nz: Int, iterations: Int) {
        dims = (nx, ny, nz)
        // Multiply in Double: three huge axis counts overflow Int.
        let c = Double(nx) * Double(ny) * Double(nz)
        cells = c < Double(Int.max / 2) ? nx * ny * nz : Int.max / 2
        bytes = Self.fixedBytes + c * Self.bytesPerCell
        self.iterations = iterations
        seconds = c * Double(iterations) * Self.secondsPerCellIteration
    }

    public var description: String {
        String(
            format: "%@ cells (%d × %d × %d), ≈ %@ of memory and ≈ %@ for %d outer iterations",
            Self.count(Double(cells)), dims.0, dims.1, dims.2, Self.bytes(bytes), Self.duration(seconds), iterations)
    }

    /// The process's peak resident memory so far, bytes (`MemoryUse`).
    public static func peakResidentBytes() -> Double { MemoryUse.current().peakBytes }

    /// Estimate against measurement for log.txt, e.g. "memory: estimated 820 MiB, peak 818 MiB".
    public static func check(_ what: String, estimated: String, actual: String) -> String {
        "\(what): estimated \(estimated), actual \(actual)"
    }

    /// The memory line of log.txt: `estimated` bytes against this process's peak so far.
    public static func memoryCheck(estimated: Double) -> String {
        check("memory", estimated: bytes(estimated), actual: bytes(peakResidentBytes()) + " peak resident")
    }

    /// Memory this process may still use, bytes: `MemAvailable` of /proc/meminfo (or the
    /// RACKFLOW_MEMORY_LIMIT environment variable, bytes, so tests can pose as a small machine).
    public static func availableBytes() -> Double? {
        if let s = ProcessInfo.processInfo.environment["RACKFLOW_MEMORY_LIMIT"], let v = Double(s), v > 0 { return v }
        guard let text = try? String(contentsOfFile: "/proc/meminfo", encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix("MemAvailable:") {
            let parts = line.split(separator: " ")
            if parts.count >= 2, let kb = Double(parts[1]) { return kb * 1024 }
        }
        return nil
    }

    /// nil when the estimate fits in `available` bytes (or when the machine's memory is
    /// unknown); otherwise the reason, naming the estimate and the machine.
    public func refusal(available: Double?) -> String? {
        guard let available, bytes > available else { return nil }
        return
            "the grid would be \(description); this machine has \(Self.bytes(available)) available: raise the "
            + "spacing (grid.maxSpacing or --max-spacing) or run on a larger machine"
    }

    public static func count(_ c: Double) -> String {
        c >= 1e9
            ? String(format: "%.3g billion", c / 1e9)
            : (c >= 1e6 ? String(format: "%.3g million", c / 1e6) : String(format: "%.0f", c))
    }
    public static func bytes(_ b: Double) -> String {
        let kib = 1024.0, mib = kib * kib, gib = mib * kib, tib = gib * kib
        return b >= tib
            ? String(format: "%.1f TiB", b / tib)
            : (b >= gib ? String(format: "%.1f GiB", b / gib) : String(format: "%.0f MiB", b / mib))
    }
    public static func duration(_ s: Double) -> String {
        s >= 86_400
            ? String(format: "%.3g days", s / 86_400)
            : (s >= 3_600 ? String(format: "%.3g h", s / 3_600) : String(format: "%.0f s", s))
    }
}
