import ArgumentParser
import Foundation
import RackFlowModel
import RackFlowFuzz

/// `rackflow fuzz`: damaged inputs through the commands' input path; see `FuzzRunner`.
struct FuzzCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fuzz",
        abstract:
            "Feed damaged copies of the bundled inputs (Meshes/) through the load, compile and grid path of the "
            + "commands; fail on a hang or a message that names no file and key.",
        discussion: """
            Every case mutates one file of a private copy of Meshes/ (deleted keys, wrong types, extreme and
            non-finite numbers, truncation, random bytes, deep nesting, huge lists, renamed references) with a
            generator seeded by --seed and the case index, then loads it as solve or surge would, up to the
            voxelised grid (grids above 200,000 cells are built and resource-checked, not voxelised). A crash
            ends the process: run with --trace to see the case that crashed, then replay it with --case.
            Exit status 0 when every case was accepted or rejected with a message naming file and key, 1 otherwise.
            """
    )
    @Option(help: "Number of cases.") var cases: Int = 500
    @Option(help: "Seed of the mutations.") var seed: UInt64 = 1
    @Option(help: "Per-case time limit, s: a case taking longer is reported as a hang and the run stops.")
    var timeLimit: Double = 10
    @Option(help: "Index of the first case (cases first…first+cases−1).") var first: Int = 0
    @Option(name: .customLong("case"), help: "Run only this case and print its outcome and its mutated file.") var only:
        Int?
    @Option(help: "The inputs folder to copy (default: the bundled Meshes/).") var meshes: String?
    @Flag(help: "Print every case before it runs (stderr), and every outcome.") var trace = false

    func validate() throws {
        guard cases >= 1 else { throw ValidationError("--cases must be ≥ 1 (got \(cases))") }
        guard timeLimit > 0, timeLimit.isFinite else {
            throw ValidationError("--time-limit must be > 0 s (got \(timeLimit))")
        }
        guard first >= 0 else { throw ValidationError("--first must be ≥ 0 (got \(first))") }
    }

    func run() throws {
        let source = URL(fileURLWithPath: meshes ?? DefaultCase.bundled("Meshes"))
        let corpus = try FuzzCorpus(meshes: source)
        defer { corpus.remove() }
        let runner = FuzzRunner(corpus: corpus, seed: seed, timeLimitS: timeLimit)
        if trace {
            runner.onStart = { i, t, m in
                FileHandle.standardError.write(
                    "start case \(i) \(t.file) [\(m.joined(separator: "; "))]\n".data(using: .utf8)!)
            }
        }
        if let k = only {
            let (t, data, _) = runner.mutation(k)
            let o = try runner.run(k)
            print(o.line)
            print("--- \(t.file) as mutated (\(data.count) bytes; first 4,000 shown) ---")
            print(String(decoding: data.prefix(4_000), as: UTF8.self))
            if o.verdict == .badMessage || o.verdict == .hang { throw ExitCode(1) }
            return
        }
        let t0 = Date()
        var counts: [FuzzRunner.Verdict: Int] = [:]
        var findings: [FuzzRunner.Outcome] = []
        var slowest: FuzzRunner.Outcome?
        var lastReport = Date()
        for i in first..<(first + cases) {
            let o = try runner.run(i)
            counts[o.verdict, default: 0] += 1
            if trace { print(o.line) }
            if o.verdict == .badMessage || o.verdict == .hang {
                findings.append(o)
                if !trace { print(o.line) }
            }
            if slowest == nil || o.seconds > slowest!.seconds { slowest = o }
            if o.verdict == .hang { break }
            if isatty(STDERR_FILENO) != 0, Date().timeIntervalSince(lastReport) > 0.5 {
                lastReport = Date()
                FileHandle.standardError.write(
                    String(format: "\r  case %d of %d, %.0f s ", i - first + 1, cases, Date().timeIntervalSince(t0))
                        .data(using: .utf8)!)
            }
        }
        if isatty(STDERR_FILENO) != 0 { FileHandle.standardError.write("\n".data(using: .utf8)!) }
        let seconds = Date().timeIntervalSince(t0)
        let ran = counts.values.reduce(0, +)
        print(
            String(
                format:
                    "fuzz: %d cases (seed %llu, from %d) in %.1f s: %d accepted, %d rejected with file and key, %d "
                    + "bad messages, %d hangs",
                ran, seed, first, seconds, counts[.accepted] ?? 0, counts[.rejected] ?? 0, counts[.badMessage] ?? 0,
                counts[.hang] ?? 0))
        if let s = slowest { print(String(format: "slowest: case %d (%@), %.3f s", s.index, s.target.file, s.seconds)) }
        if !findings.isEmpty { throw ExitCode(1) }
    }
}
