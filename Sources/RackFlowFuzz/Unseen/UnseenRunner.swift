import RackFlowModel
import Foundation
import RackFlowNumerics
import RackFlowPhysics

/// Generates unseen cases and solves each with the solver's defaults, the way `rackflow solve`
/// does (`CaseFile.load` of the written YAML, then `SteadyRun.run`), recording how it ended.
///
/// Cases run `jobs` at a time on a fixed pool of threads (`ThreadPool`); the stencil workers are
/// shared out between them (`Parallel.workers` divided by `jobs`), as `CompareRunner` does, so
/// the machine's cores are not oversubscribed. Each case's YAML is written to `casesFolder`
/// before it is solved, so a case that crashes the process can be rerun from its file. When
/// `stop` turns true, cases not yet started are skipped: a long run asked to stop (SIGINT,
/// SIGTERM) still reports every case it finished.
public final class UnseenRunner {
    public let generator: UnseenCaseGenerator
    public let jobs: Int
    /// Called with each result as its case ends (from the case's thread, one call at a time).
    public var onResult: ((UnseenResult) -> Void)?
    private let lock = NSLock()

    public init(generator: UnseenCaseGenerator, jobs: Int = 1) {
        self.generator = generator
        self.jobs = max(1, jobs)
    }

    /// Results of the cases run, in seed order. Throws only when a case's YAML cannot be written.
    public func run(
        seeds: [UInt64], casesFolder: URL,
        stop: @escaping () -> Bool = { false }
    ) throws -> [UnseenResult] {
        try FileManager.default.createDirectory(at: casesFolder, withIntermediateDirectories: true)
        let saved = Parallel.workers
        Parallel.workers = max(1, saved / min(jobs, max(1, seeds.count)))
        defer { Parallel.workers = saved }
        let results = try ThreadPool.run(Array(seeds.indices), jobs: jobs) { [self] i -> UnseenResult? in
            guard !stop() else { return nil }
            let r = try runOne(seed: seeds[i], casesFolder: casesFolder)
            lock.lock()
            defer { lock.unlock() }
            onResult?(r)
            return r
        }
        return seeds.indices.compactMap { results[$0]! }
    }

    /// Generates, writes and solves one case.
    public func runOne(seed: UInt64, casesFolder: URL) throws -> UnseenResult {
        var r = UnseenResult(seed: seed, name: "unseen-\(seed)", outcome: .failed, wallSeconds: 0, adaptations: [])
        let c: UnseenCase
        do {
            c = try generator.generate(seed: seed)
        } catch {
            r.error = "\(error)"
            return r
        }
        r.name = c.name
        r.cells = c.cells
        r.draws = c.attempts
        let file = casesFolder.appendingPathComponent("\(c.name).yaml")
        try c.yaml.write(to: file, atomically: true, encoding: .utf8)

        let t0 = Date()
        do {
            let run = try SteadyRun.run(try CaseFile.load(path: file.path))
            let s = run.summary
            r.outcome = s.converged ? .converged : (s.timeAveraged != nil ? .timeAveraged : .notConverged)
            r.averageSettled = s.timeAveraged?.settled
            r.iterations = s.iterations
            r.solveSeconds = s.solveSeconds
            r.massImbalance = s.balance.massImbalance
            r.energyError = s.balance.energyError
            r.adaptations = s.adaptations ?? []
        } catch let e as RunDiverged {
            r.outcome = .diverged
            r.iterations = e.divergence.iteration
            r.adaptations = e.solver.pseudo.adaptations
            r.error = e.description
        } catch let e as FlowSolverError {
            r.outcome = .diverged
            r.error = e.description
        } catch {
            r.error = "\(error)"
        }
        r.wallSeconds = Date().timeIntervalSince(t0)
        return r
    }
}
