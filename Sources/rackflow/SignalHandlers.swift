import Dispatch
import Foundation
import RackFlowModel

/// Ctrl-C (SIGINT) and SIGTERM turned into `Interruption.shared`, the flag the run loops poll
/// between iterations and frames, so a run stops where it can write a checkpoint. The signals
/// are ignored and read through dispatch sources instead: a handler may only touch
/// async-signal-safe state, a dispatch source runs on a queue like any other code. A second
/// signal restores the default action, so pressing Ctrl-C twice still kills a stuck run.
enum SignalHandlers {
    private final class Sources: @unchecked Sendable {
        let lock = NSLock()
        var installed: [DispatchSourceSignal] = []
    }
    private static let sources = Sources()

    /// Installs the handlers (once per process).
    static func install(into flag: Interruption = .shared) {
        sources.lock.lock()
        defer { sources.lock.unlock() }
        guard sources.installed.isEmpty else { return }
        for (sig, name) in [(SIGINT, "SIGINT"), (SIGTERM, "SIGTERM")] {
            Foundation.signal(sig, SIG_IGN)
            let s = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            s.setEventHandler {
                if flag.requested {
                    Foundation.signal(sig, SIG_DFL)
                    kill(getpid(), sig)
                    return
                }
                flag.request(name)
                let message = "\n\(name): stopping at the next checkpointable iteration or frame (again to kill)…\n"
                FileHandle.standardError.write(message.data(using: .utf8)!)
            }
            s.resume()
            sources.installed.append(s)
        }
    }
}
