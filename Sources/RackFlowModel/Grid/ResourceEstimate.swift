import Foundation
import RackFlowNumerics

/// What a grid will cost before anything is allocated, and whether this machine can hold it.
/// A 1 mm spacing request on the default rack asks for ~10⁸ cells: without this check the
/// run dies of memory exhaustion minutes later (or takes the machine down with it).
public struct ResourceEstimate: CustomStringConvertible, Sendable {
    /// Resident bytes per cell of a steady solve: `bench flow` measured 614 at 10⁶ cells;
    /// the tags, the voxel report, exports and the surge's extra fields bring it to ≈ 800.
    public static let bytesPerCell = 800.0
    /// Seconds per cell per SIMPLEC outer iteration (`bench flow`: 0.9–1.0 µs on this VM).
    public static let secondsPerCellIteration = 1.0e-6

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
        bytes = c * Self.bytesPerCell
        self.iterations = iterations
        seconds = c * Double(iterations) * Self.secondsPerCellIteration
    }

    public var description: String {
        String(format: "%@ cells (%d × %d × %d), ≈ %@ of memory and ≈ %@ for %d outer iterations",
               Self.count(Double(cells)), dims.0, dims.1, dims.2, Self.bytes(bytes), Self.duration(seconds), iterations)
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
        return "the grid would be \(description); this machine has \(Self.bytes(available)) available: raise the spacing (grid.maxSpacing or --max-spacing) or run on a larger machine"
    }

    public static func count(_ c: Double) -> String {
        c >= 1e9 ? String(format: "%.3g billion", c / 1e9) : (c >= 1e6 ? String(format: "%.3g million", c / 1e6) : String(format: "%.0f", c))
    }
    public static func bytes(_ b: Double) -> String {
        let kib = 1024.0, mib = kib * kib, gib = mib * kib, tib = gib * kib
        return b >= tib ? String(format: "%.1f TiB", b / tib) : (b >= gib ? String(format: "%.1f GiB", b / gib) : String(format: "%.0f MiB", b / mib))
    }
    public static func duration(_ s: Double) -> String {
        s >= 86_400 ? String(format: "%.3g days", s / 86_400) : (s >= 3_600 ? String(format: "%.3g h", s / 3_600) : String(format: "%.0f s", s))
    }
}
