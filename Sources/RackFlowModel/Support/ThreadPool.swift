import Foundation

/// A fixed pool of `jobs` threads working through racks in index order. Each rack's solve is
/// single-threaded (the room run sets `Parallel.workers = 1` and OpenBLAS to one thread), so a
/// rack computes the same bits whichever thread, process or machine it lands on: serial,
/// threaded and MPI runs agree exactly, not just to a tolerance.
public enum RackPool {
    /// `body(k)` for every k in `indices`, `jobs` at a time; results keyed by index. Every
    /// started job finishes before the first error (in index order) is rethrown.
    public static func run<T>(_ indices: [Int], jobs: Int, _ body: @escaping (Int) throws -> T) throws -> [Int: T] {
        let box = PoolBox<T>()
        let jobs = max(1, min(jobs, indices.count))
        if jobs == 1 {
            // Inline: no thread, same order, same arithmetic.
            for k in indices { box.results[k] = Result { try body(k) } }
        } else {
            let group = DispatchGroup()
            for _ in 0..<jobs {
                group.enter()
                let t = Thread {
                    while true {
                        box.lock.lock()
                        let i = box.next
                        box.next += 1
                        box.lock.unlock()
                        guard i < indices.count else { break }
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

/// Shared state of a pool run (results, next index), behind its lock.
private final class PoolBox<T>: @unchecked Sendable {
    var results: [Int: Result<T, Error>] = [:]
    var next = 0
    let lock = NSLock()
}
