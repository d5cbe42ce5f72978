import Foundation

/// The process's resident memory now and at its peak, bytes (Linux `/proc/self/status`: VmRSS
/// and VmHWM, in kB); NaN where that file is not there.
enum MemoryUse {
    static func current() -> (residentBytes: Double, peakBytes: Double) {
        guard let text = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return (.nan, .nan) }
        func kB(_ key: String) -> Double {
            guard let line = text.split(separator: "\n").first(where: { $0.hasPrefix(key + ":") }) else { return .nan }
            let digits = line.split(separator: " ").compactMap { Double($0) }
            return (digits.first ?? .nan) * 1024
        }
        return (kB("VmRSS"), kB("VmHWM"))
    }
}
