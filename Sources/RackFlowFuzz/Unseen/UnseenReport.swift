import RackFlowModel
import Foundation

/// The record of an unseen run: `cases.csv` (one row per case), `summary.json` (settings,
/// counts per outcome, distributions, the cases that did not converge, every case) and the
/// lines printed at the end.
public struct UnseenReport {
    public struct Settings: Codable, Sendable {
        public var count: Int
        public var firstSeed: UInt64
        public var minCells: Int
        public var maxCells: Int
        public var jobs: Int
        public init(count: Int, firstSeed: UInt64, minCells: Int, maxCells: Int, jobs: Int) {
            self.count = count
            self.firstSeed = firstSeed
            self.minCells = minCells
            self.maxCells = maxCells
            self.jobs = jobs
        }
    }

    /// Order statistics: the median (the mean of the middle two for an even count) and the
    /// 90th percentile by the nearest-rank method (the smallest value with at least 90 % of the
    /// values at or below it).
    public struct Distribution: Codable, Sendable, Equatable {
        public var min: Double
        public var median: Double
        public var p90: Double
        public var max: Double

        public init?(_ values: [Double]) {
            guard !values.isEmpty else { return nil }
            let v = values.sorted(), n = v.count
            min = v[0]
            max = v[n - 1]
            median = n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2
            p90 = v[Int((0.9 * Double(n)).rounded(.up)) - 1]
        }
    }

    public var settings: Settings
    public var results: [UnseenResult]
    /// The whole run, s.
    public var wallSeconds: Double
    /// The signal that stopped the run before `settings.count` cases, if one did.
    public var stoppedBy: String?

    public init(settings: Settings, results: [UnseenResult], wallSeconds: Double, stoppedBy: String? = nil) {
        self.settings = settings
        self.results = results
        self.wallSeconds = wallSeconds
        self.stoppedBy = stoppedBy
    }

    public var counts: [UnseenOutcome: Int] {
        Dictionary(grouping: results, by: \.outcome).mapValues(\.count)
    }

    /// Over the cases that were solved (every outcome but `failed`).
    public var iterations: Distribution? {
        Distribution(results.filter { $0.outcome != .failed }.compactMap { $0.iterations.map(Double.init) })
    }

    public var caseWallSeconds: Distribution? {
        Distribution(results.filter { $0.outcome != .failed }.map(\.wallSeconds))
    }

    /// Cases that diverged, failed or did not converge: what to look at.
    public var problems: [UnseenResult] {
        results.filter { $0.outcome != .converged && $0.outcome != .timeAveraged }
    }

    /// True when a case diverged or failed (the command then exits non-zero).
    public var hasFailures: Bool {
        results.contains { $0.outcome == .diverged || $0.outcome == .failed }
    }

    public func csv() -> String {
        var lines = [
            "seed,name,cells,draws,outcome,iterations,wallSeconds,solveSeconds,massImbalance,energyError,"
                + "averageSettled,adaptations,error"
        ]
        func text(_ v: Int?) -> String { v.map(String.init) ?? "" }
        func text(_ v: Double?) -> String { v.map(Self.number) ?? "" }
        for r in results {
            var fields: [String] = [String(r.seed), r.name, text(r.cells), text(r.draws), r.outcome.rawValue]
            fields += [text(r.iterations), text(r.wallSeconds), text(r.solveSeconds)]
            fields += [text(r.massImbalance), text(r.energyError), r.averageSettled.map { "\($0)" } ?? ""]
            fields += [r.adaptations.joined(separator: "; "), r.error ?? ""]
            lines.append(fields.map(Self.csvField).joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Pretty, key-sorted JSON; a quantity that does not exist (or is not finite) is null.
    public func summaryJSON() throws -> String {
        struct Summary: Encodable {
            var settings: Settings
            var stoppedBy: String?
            var wallSeconds: Double
            var counts: [String: Int]
            var iterations: Distribution?
            var caseWallSeconds: Distribution?
            var problems: [UnseenResult]
            var cases: [UnseenResult]
            func encode(to encoder: Encoder) throws {
                var c = encoder.container(keyedBy: Keys.self)
                try c.encode(settings, forKey: .settings)
                try c.encode(stoppedBy, forKey: .stoppedBy)
                try c.encode(wallSeconds, forKey: .wallSeconds)
                try c.encode(counts, forKey: .counts)
                try c.encode(iterations, forKey: .iterations)
                try c.encode(caseWallSeconds, forKey: .caseWallSeconds)
                try c.encode(problems, forKey: .problems)
                try c.encode(cases, forKey: .cases)
            }
            enum Keys: String, CodingKey {
                case settings, stoppedBy, wallSeconds, counts, iterations, caseWallSeconds, problems, cases
            }
        }
        let byOutcome = self.counts
        let counts = Dictionary(uniqueKeysWithValues: UnseenOutcome.allCases.map { ($0.rawValue, byOutcome[$0] ?? 0) })
        let s = Summary(
            settings: settings, stoppedBy: stoppedBy, wallSeconds: wallSeconds, counts: counts,
            iterations: iterations, caseWallSeconds: caseWallSeconds, problems: problems, cases: results)
        return try JSONCoding.textWithNulls(s, formatting: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
    }

    /// The closing lines: counts per outcome, the distributions, and every problem case.
    public func lines() -> [String] {
        let c = counts
        var out = [
            String(
                format: "unseen: %d cases (seeds %llu–%llu, %d–%d cells) in %.1f s", results.count,
                settings.firstSeed, settings.firstSeed &+ UInt64(max(0, settings.count - 1)),
                settings.minCells, settings.maxCells, wallSeconds)
        ]
        if let stoppedBy {
            out.append("stopped by \(stoppedBy) after \(results.count) of \(settings.count) cases")
        }
        out.append("outcomes: " + UnseenOutcome.allCases.map { "\(c[$0] ?? 0) \($0.rawValue)" }.joined(separator: ", "))
        if let d = iterations {
            out.append(
                String(
                    format: "outer iterations: min %.0f, median %.1f, p90 %.0f, max %.0f",
                    d.min, d.median, d.p90, d.max))
        }
        if let d = caseWallSeconds {
            out.append(
                String(
                    format: "wall time per case, s: min %.2f, median %.2f, p90 %.2f, max %.2f",
                    d.min, d.median, d.p90, d.max))
        }
        for r in problems {
            out.append(
                "  seed \(r.seed) (\(r.cells.map { "\($0) cells" } ?? "no case")): \(r.outcome.rawValue)"
                    + (r.iterations.map { " after \($0) iterations" } ?? "") + (r.error.map { ": \($0)" } ?? ""))
        }
        return out
    }

    static func number(_ v: Double) -> String { v.isFinite ? String(format: "%.6g", v) : "" }

    /// RFC 4180: a field holding a comma, quote or line break is quoted, its quotes doubled.
    static func csvField(_ s: String) -> String {
        guard s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return s }
        return "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
