import Foundation

/// A request to stop, as a flag the run loops poll between iterations and frames, so a run stops
/// at a point where it can write a checkpoint instead of dying mid-iteration. The command line
/// sets it from Ctrl-C (SIGINT) and SIGTERM (`SignalHandlers` in the `rackflow` target); tests
/// and other callers set it with `request`.
public final class Interruption: @unchecked Sendable {
    public static let shared = Interruption()
    private let lock = NSLock()
    private var flag = false
    private var signalName = ""

    public var requested: Bool {
        lock.lock()
        defer { lock.unlock() }
        return flag
    }
    public var signal: String {
        lock.lock()
        defer { lock.unlock() }
        return signalName
    }

    /// Sets the flag (tests, or a caller that wants to stop the run).
    public func request(_ name: String = "request") {
        lock.lock()
        flag = true
        signalName = name
        lock.unlock()
    }
    /// Takes the name of a signal another process received (an MPI rank stopped by the ranks'
    /// vote) for the exit status, without setting the flag: this process's own first signal
    /// must still only request a stop, not kill it.
    public func adopt(_ name: String) {
        lock.lock()
        signalName = name
        lock.unlock()
    }
    public func reset() {
        lock.lock()
        flag = false
        signalName = ""
        lock.unlock()
    }
}
