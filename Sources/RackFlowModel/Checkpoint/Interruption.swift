import Foundation
import Dispatch

/// Ctrl-C (SIGINT) and SIGTERM as a flag the run loops poll between iterations, so a run
/// stops at a point where it can write a checkpoint instead of dying mid-iteration. A second
/// signal restores the default action: pressing Ctrl-C twice still kills a stuck run.
public final class Interruption: @unchecked Sendable {
    public static let shared = Interruption()
    private let lock = NSLock()
    private var flag = false
    private var signalName = ""
    private var sources: [DispatchSourceSignal] = []

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
    public func reset() {
        lock.lock()
        flag = false
        signalName = ""
        lock.unlock()
    }

    /// Installs the handlers (once).
    public func install() {
        lock.lock()
        defer { lock.unlock() }
        guard sources.isEmpty else { return }
        for (sig, name) in [(SIGINT, "SIGINT"), (SIGTERM, "SIGTERM")] {
            Foundation.signal(sig, SIG_IGN)
            let s = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            s.setEventHandler { [weak self] in
                guard let self else { return }
                if self.requested {
                    Foundation.signal(sig, SIG_DFL)
                    kill(getpid(), sig)
                    return
                }
                self.request(name)
                FileHandle.standardError.write(
                    "\n\(name): stopping at the next checkpointable iteration or frame (again to kill)…\n".data(
                        using: .utf8)!)
            }
            s.resume()
            sources.append(s)
        }
    }
}
