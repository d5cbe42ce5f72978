import Foundation

/// The process's resident memory now and at its peak, bytes: `VmRSS` and `VmHWM` of
/// /proc/self/status (kB), the high-water mark of this program's own memory. Not getrusage's
/// `ru_maxrss` where /proc is there: Linux carries that across execve, so a solve started by a
/// 243 MiB test process reported 243 MiB for its own 164. Elsewhere the peak is getrusage's
/// (KiB on Linux) and the resident size is NaN.
public enum MemoryUse {
    public static func current() -> (residentBytes: Double, peakBytes: Double) {
        if let text = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) {
            func kB(_ key: String) -> Double {
                guard let line = text.split(separator: "\n").first(where: { $0.hasPrefix(key + ":") }) else {
                    return .nan
                }
                let digits = line.split(separator: " ").compactMap { Double($0) }
                return (digits.first ?? .nan) * 1024
            }
            return (kB("VmRSS"), kB("VmHWM"))
        }
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return (.nan, Double(usage.ru_maxrss) * 1024)
    }
}
