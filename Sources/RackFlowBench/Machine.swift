import Foundation
import RackFlowNumerics

/// What the process and the machine can do, measured in the same run as a benchmark.
public enum Machine {
    /// Peak resident memory of this process, bytes (`MemoryUse`; 0 if unknown).
    public static func peakResidentBytes() -> Int {
        let peak = MemoryUse.current().peakBytes
        return peak.isFinite ? Int(peak) : 0
    }

    /// Streaming memory bandwidth (bytes/s), STREAM-triad style `a = b + s·c` over arrays
    /// far larger than the caches, on the same workers as the stencil kernels; best of 5.
    /// Bytes counted as STREAM does: two reads and one write per element.
    public static func streamBandwidth(doubles n: Int = 1 << 24) -> Double {
        let a = PaddedVector(count: n, pad: 0), b = PaddedVector(count: n, pad: 0, value: 1),
            c = PaddedVector(count: n, pad: 0, value: 2)
        let ap = a.p, bp = b.p, cp = c.p
        let rows = 1024, per = n / rows
        var best = Double.infinity
        for _ in 0..<5 {
            let t0 = DispatchTime.now().uptimeNanoseconds
            Parallel.forSlabs(rows, cellsPerSlab: per) { r0, r1 in
                for i in (r0 * per)..<(r1 * per) { ap[i] = bp[i] + 3 * cp[i] }
            }
            let dt = Double(DispatchTime.now().uptimeNanoseconds - t0) * 1e-9
            best = min(best, dt)
        }
        precondition(ap[n - 1] == 7)
        return Double(3 * 8 * n) / best
    }

    public static var description: String {
        var model = "unknown CPU"
        if let s = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
            let line = s.split(separator: "\n").first(where: { $0.hasPrefix("model name") }),
            let name = line.split(separator: ":", maxSplits: 1).last
        {
            model = name.trimmingCharacters(in: .whitespaces)
        }
        return
            "\(model), \(ProcessInfo.processInfo.activeProcessorCount) cores, "
            + "\(ProcessInfo.processInfo.physicalMemory >> 30) GiB"
    }
}
