import Foundation

/// The process's resident memory now and at its peak, bytes: `VmRSS` and `VmHWM` of
/// /proc/self/status (kB), the high-water mark of this program's own memory. Not getrusage's
/// `ru_maxrss` where /proc has it: Linux carries that across execve, so a solve started by a
/// 243 MiB test process reported 243 MiB for its own 164. Elsewhere the peak is getrusage's
/// (KiB on Linux, bytes on Darwin) and the resident size is NaN.
public enum MemoryUse {
    public static func current() -> (residentBytes: Double, peakBytes: Double) {
        let text = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)
        func kB(_ key: String) -> Double {
            guard let line = text?.split(separator: "\n").first(where: { $0.hasPrefix(key + ":") }) else {
                return .nan
            }
            let digits = line.split(separator: " ").compactMap { Double($0) }
            return (digits.first ?? .nan) * 1024
        }
        let peak = kB("VmHWM")
        return (kB("VmRSS"), peak.isFinite ? peak : rusagePeakBytes())
    }

    /// getrusage's peak resident size, bytes.
    static func rusagePeakBytes() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        #if canImport(Darwin)
            return Double(usage.ru_maxrss)
        #else
            return Double(usage.ru_maxrss) * 1024
        #endif
    }
}
