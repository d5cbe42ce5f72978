import RackFlowModel
import RackFlowNumerics
import Foundation

/// Runs fuzz cases: damage one corpus file, load it through the commands' input path
/// (`InputCheck`), judge the outcome, restore the file. Each case runs on its own thread under
/// a watchdog; a case that outlives `timeLimitS` is reported as a hang and the run stops
/// (a thread cannot be killed, and it may still be reading the corpus).
///
/// A crash (a Swift trap) ends the process: `onStart` is called with every case before it
/// runs, so the last case printed is the one that crashed; replay it with its index.
public final class FuzzRunner {
    public enum Verdict: String, Sendable {
        /// The damaged input is still valid (e.g. a number changed within its range).
        case accepted
        /// Refused with a message naming the file and the key (or the line, for a file that is not YAML).
        case rejected
        /// Refused, but the message does not say where: a finding.
        case badMessage
        /// Outlived the time limit: a finding; the run stops.
        case hang
    }
    public struct Outcome: Sendable {
        public var index: Int
        public var target: FuzzCorpus.Target
        public var mutations: [String]
        public var verdict: Verdict
        public var message: String
        public var seconds: Double
        public var line: String {
            "case \(index) \(target.file) [\(mutations.joined(separator: "; "))] → "
                + "\(verdict.rawValue)\(message.isEmpty ? "" : ": " + message) (\(String(format: "%.3f", seconds)) s)"
        }
    }

    public let corpus: FuzzCorpus
    public let seed: UInt64
    public var timeLimitS: Double
    /// Grids above this many cells are built and resource-checked but not voxelised (the
    /// refinery rack's 568,480 cells take ~1 s; the one-node racks' 61,200 a few ms).
    public var voxeliseUpTo = 200_000
    public var onStart: ((Int, FuzzCorpus.Target, [String]) -> Void)?
    /// What a case runs: the commands' input path. Replaceable so a test can check the watchdog.
    public var load: @Sendable (_ entry: String, _ kind: FuzzCorpus.EntryKind, _ voxeliseUpTo: Int) throws -> Void = {
        entry, kind, budget in
        _ =
            kind == .scenario
            ? try InputCheck.scenario(path: entry, voxeliseUpTo: budget)
            : try InputCheck.caseFile(path: entry, voxeliseUpTo: budget)
    }

    public init(corpus: FuzzCorpus, seed: UInt64, timeLimitS: Double) {
        self.corpus = corpus
        self.seed = seed
        self.timeLimitS = timeLimitS
    }

    /// The mutated bytes of case `index` (deterministic in seed and index).
    public func mutation(_ index: Int) -> (FuzzCorpus.Target, Data, [String]) {
        var g = SplitMix64.forCase(seed: seed, index: index)
        let t = g.pick(corpus.targets)
        // Renamed references may point at other corpus files (a part where a node is expected…).
        let others = corpus.targets.map { "../" + $0.file } + ["../" + t.file]
        let (d, applied) = YAMLMutator(referenceTargets: others).mutate(corpus.originals[t.file]!, using: &g)
        return (t, d, applied.map(\.description))
    }

    public func run(_ index: Int) throws -> Outcome {
        let (t, data, muts) = mutation(index)
        onStart?(index, t, muts)
        try corpus.replace(t.file, with: data)
        let box = ResultBox()
        let entry = corpus.path(t.entry), kind = t.kind, budget = voxeliseUpTo, load = self.load
        let done = DispatchSemaphore(value: 0)
        let t0 = Date()
        // 8 MiB of stack, as the main thread of the commands has: a deep-recursion crash
        // here is one the commands would have too, not an artefact of a small thread stack.
        let thread = Thread {
            do {
                try load(entry, kind, budget)
                box.set(nil)
            } catch { box.set(error) }
            done.signal()
        }
        thread.stackSize = 8 << 20
        thread.start()
        if done.wait(timeout: .now() + timeLimitS) == .timedOut {
            return Outcome(
                index: index, target: t, mutations: muts, verdict: .hang,
                message: "no answer after \(timeLimitS) s", seconds: Date().timeIntervalSince(t0))
        }
        let seconds = Date().timeIntervalSince(t0)
        try corpus.restore(t.file)
        guard let error = box.error else {
            return Outcome(index: index, target: t, mutations: muts, verdict: .accepted, message: "", seconds: seconds)
        }
        let (ok, why) = Self.judge(error)
        return Outcome(
            index: index, target: t, mutations: muts, verdict: ok ? .rejected : .badMessage,
            message: ok ? String(describing: error) : "\(why): \(error)", seconds: seconds)
    }

    /// Problems about a whole file, which has no key to name: the line (when there is one)
    /// and the file are the address.
    static let wholeFileProblems = [
        "file not found", "cannot read file", "not a regular file", "file is larger", "not UTF-8",
        "malformed YAML", "empty document", "lists and mappings nested deeper", "the document must be",
    ]

    /// A rejection is good when it is an `InputError` whose message names its file and either
    /// a key path or, for a problem with the whole file, the file alone (plus the line when
    /// the parser knows it).
    public static func judge(_ error: Error) -> (Bool, String) {
        guard let e = error as? InputError else {
            return (false, "not an InputError (\(type(of: error))): names no file or key")
        }
        let text = e.description
        guard let file = e.file, !file.isEmpty, text.contains(file) else { return (false, "names no file") }
        if !e.keyPath.isEmpty { return (true, "") }
        if wholeFileProblems.contains(where: { e.problem.hasPrefix($0) }) { return (true, "") }
        return (false, "names no key")
    }

    final class ResultBox: @unchecked Sendable {
        private let lock = NSLock()
        private var _error: Error?
        func set(_ e: Error?) {
            lock.lock()
            _error = e
            lock.unlock()
        }
        var error: Error? {
            lock.lock()
            defer { lock.unlock() }
            return _error
        }
    }
}
