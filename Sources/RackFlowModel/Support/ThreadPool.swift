import Foundation

/// Description
///   A fixed pool of `jobs` threads working through jobs in index order: the racks of a room
///   or a room surge, the layouts of a comparison, the unseen cases. Each job's solve runs on
///   its own thread with `Parallel.workers` stencil workers set by the caller (one for rooms,
///   so a rack computes the same bits whichever thread, process or machine it lands on: serial,
///   threaded and MPI runs agree exactly, not just to a tolerance). With one job at a time and
///   `inline` (the default), the jobs run on the calling thread, in the same order, with the
///   same arithmetic; `compare` passes `inline: false` and keeps every solve on a pool thread.
///
/// Usage
///   | argument          | meaning                                                           |
///   | ---               | ---                                                               |
///   | indices           | the jobs' keys, started in this order                             |
///   | jobs              | threads at most (at least 1, at most `indices.count`)             |
///   | inline            | with one job at a time, run on the calling thread (default true)  |
///   | whenAThreadEnds   | called (under the pool's lock) with the number of threads still   |
///   |                   | running when one finds no job left: a caller may give their cores |
///   |                   | to the solves still running                                       |
///   | body              | the job; its result is keyed by index                             |
///
///   Every started job finishes before the first error (in index order) is rethrown. Pool
///   threads get 16 MiB stacks, more than the main thread's usual 8 MiB.
public enum ThreadPool {
    public static func run<T>(
        _ indices: [Int], jobs: Int, inline: Bool = true, whenAThreadEnds: @escaping (Int) -> Void = { _ in },
        _ body: @escaping (Int) throws -> T
    ) throws -> [Int: T] {
        let box = PoolBox<T>()
        let jobs = max(1, min(jobs, indices.count))
        if jobs == 1 && inline {
            for k in indices { box.results[k] = Result { try body(k) } }
        } else {
            let group = DispatchGroup()
            box.active = jobs
            for _ in 0..<jobs {
                group.enter()
                let t = Thread {
                    while true {
                        box.lock.lock()
                        let i = box.next
                        box.next += 1
                        guard i < indices.count else {
                            box.active -= 1
                            whenAThreadEnds(box.active)
                            box.lock.unlock()
                            break
                        }
                        box.lock.unlock()
                        let r = Result { try body(indices[i]) }
                        box.lock.lock()
                        box.results[indices[i]] = r
                        box.lock.unlock()
                    }
                    group.leave()
                }
                t.stackSize = 16 << 20
                t.start()
            }
            group.wait()
        }
        var out: [Int: T] = [:]
        for k in indices { out[k] = try box.results[k]!.get() }
        return out
    }
}

/// Shared state of a pool run (results, next index, threads still running), behind its lock.
private final class PoolBox<T>: @unchecked Sendable {
    var results: [Int: Result<T, Error>] = [:]
    var next = 0
    var active = 0
    let lock = NSLock()
}
