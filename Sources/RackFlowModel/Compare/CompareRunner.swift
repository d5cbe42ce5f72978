import Foundation
import RackFlowNumerics
import RackFlowPhysics

/// Solves the layouts of a comparison, `jobs` at a time. Each solve splits its stencil work over
/// `Parallel.workers` threads; with several solves at once the cores are shared out between them
/// (workers = cores / jobs), so the machine is never oversubscribed, and when a solve ends with
/// nothing left to start, the cores go back to the solves still running (the kernels read
/// `Parallel.workers` at every call). On the 2-core VM, two 1-thread solves side by side cost
/// the same CPU time as one after the other on 2 threads, without the slab barriers.
public enum CompareRunner {
    /// Runs `SteadyRun` on every layout; the results come back in the layouts' order. The first
    /// error (in layout order) is rethrown after every started solve has ended.
    ///
    /// `warm`: the first layout is solved alone on every core, and the others start from its
    /// answer (`SteadyRun.run(start:)`; the layouts share one grid, so the fields carry over cell
    /// by cell), `jobs` at a time.
    public static func solve(
        _ layouts: [CompareLayout], jobs: Int, warm: Bool = false,
        configure: @escaping @Sendable (inout SimpleOptions) -> Void = { _ in },
        log: @escaping @Sendable (String) -> Void = { _ in }
    ) throws -> [SteadyRun] {
        guard warm, layouts.count > 1 else {
            return try solve(layouts, jobs: jobs, start: nil, configure: configure, log: log)
        }
        let first = try solve([layouts[0]], jobs: 1, start: nil, configure: configure, log: log)[0]
        let start = (source: layouts[0].name, state: first.solver.solutionState())
        let rest = try solve(Array(layouts.dropFirst()), jobs: jobs, start: start, configure: configure, log: log)
        return [first] + rest
    }

    static func solve(
        _ layouts: [CompareLayout], jobs: Int, start: (source: String, state: SolverState)?,
        configure: @escaping @Sendable (inout SimpleOptions) -> Void,
        log: @escaping @Sendable (String) -> Void
    ) throws -> [SteadyRun] {
        let n = layouts.count
        let jobs = max(1, min(jobs, n))
        // The stencil workers there are (the core count, or RACKFLOW_THREADS), shared out.
        let saved = Parallel.workers
        Parallel.workers = max(1, saved / jobs)
        defer { Parallel.workers = saved }
        let cases = layouts.map(\.caseFile)
        let names = layouts.map(\.name)
        // When a solve ends with nothing left to start, its cores go to the solves still running.
        let results = try ThreadPool.run(
            Array(0..<n), jobs: jobs, inline: false,
            whenAThreadEnds: { active in if active > 0 { Parallel.workers = max(1, saved / active) } }
        ) { i -> SteadyRun in
            let name = names[i]
            log("\(name): solving" + (start.map { " from \($0.source)'s answer" } ?? ""))
            return try SteadyRun.run(cases[i], configure: configure, log: { log("\(name): \($0)") }, start: start)
        }
        return (0..<n).map { results[$0]! }
    }
}
