import XCTest
import RackFlowTestSupport
import Foundation
@testable import RackFlowModel
@testable import RackFlowFuzz
import RackFlowNumerics

/// Damaged inputs through the commands' input path (`rackflow fuzz`): no crash (a trap would
/// end the test process), no hang, and every rejection names its file and key.
final class FuzzTests: XCTestCase {
    static let meshes = Repository.root.appendingPathComponent("Meshes")

    /// 500 cases (≈ 20 s in release on the 2-core VM).
    func testFiveHundredCases() throws {
        let corpus = try FuzzCorpus(meshes: Self.meshes)
        defer { corpus.remove() }
        let runner = FuzzRunner(corpus: corpus, seed: 1, timeLimitS: 10)
        var counts: [FuzzRunner.Verdict: Int] = [:]
        var kinds = Set<String>(), files = Set<String>()
        let t0 = Date()
        for i in 0..<500 {
            let o = try runner.run(i)
            counts[o.verdict, default: 0] += 1
            files.insert(o.target.file)
            for m in o.mutations { kinds.insert(String(m.prefix { $0 != " " })) }
            XCTAssert(o.verdict == .accepted || o.verdict == .rejected, o.line)
            if o.verdict == .hang { break }
        }
        let seconds = Date().timeIntervalSince(t0)
        print(
            String(
                format:
                    "fuzz 500 cases in %.1f s: %d accepted, %d rejected, %d bad messages, %d hangs; %d files, %d "
                    + "mutation kinds",
                seconds, counts[.accepted] ?? 0, counts[.rejected] ?? 0, counts[.badMessage] ?? 0, counts[.hang] ?? 0,
                files.count, kinds.count))
        // The cases must reach every kind of damage and every input file, and most must be refused.
        XCTAssertEqual(kinds, Set(YAMLMutator.Kind.allCases.map(\.rawValue)))
        XCTAssertEqual(files.count, corpus.targets.count)
        XCTAssertGreaterThan(counts[.rejected] ?? 0, 300)
        XCTAssertGreaterThan(counts[.accepted] ?? 0, 0, "some damage leaves a valid file (a number within its range)")
        XCTAssertLessThan(seconds, 60)
    }

    func testCasesAreReproducible() throws {
        let corpus = try FuzzCorpus(meshes: Self.meshes)
        defer { corpus.remove() }
        let a = FuzzRunner(corpus: corpus, seed: 9, timeLimitS: 10),
            b = FuzzRunner(corpus: corpus, seed: 9, timeLimitS: 10)
        for i in [0, 1, 77, 4_999] {
            XCTAssertEqual(a.mutation(i).1, b.mutation(i).1)
            XCTAssertEqual(a.mutation(i).2, b.mutation(i).2)
        }
        XCTAssertNotEqual(a.mutation(1).1, a.mutation(2).1)
        XCTAssertNotEqual(a.mutation(1).1, FuzzRunner(corpus: corpus, seed: 10, timeLimitS: 10).mutation(1).1)
    }

    /// The watchdog answers at the time limit, not when the case ends.
    func testWatchdogReportsAHang() throws {
        let corpus = try FuzzCorpus(meshes: Self.meshes)
        let runner = FuzzRunner(corpus: corpus, seed: 1, timeLimitS: 0.3)
        runner.load = { _, _, _ in Thread.sleep(forTimeInterval: 3) }
        let t0 = Date()
        let o = try runner.run(0)
        XCTAssertEqual(o.verdict, .hang)
        XCTAssertLessThan(Date().timeIntervalSince(t0), 2)
        // The corpus is still in use by the sleeping case; removed after it ends.
        DispatchQueue.global().asyncAfter(deadline: .now() + 4) { corpus.remove() }
    }

    func testJudge() {
        XCTAssertTrue(
            FuzzRunner.judge(InputError(file: "a.yaml", line: 3, keyPath: "inlet.flow", problem: "must be > 0")).0)
        XCTAssertTrue(
            FuzzRunner.judge(InputError(file: "a.yaml", line: 3, keyPath: "", problem: "malformed YAML: x")).0)
        XCTAssertFalse(
            FuzzRunner.judge(InputError(file: "a.yaml", line: 3, keyPath: "", problem: "solid boxes overlap")).0)
        XCTAssertFalse(FuzzRunner.judge(InputError(file: "", line: nil, keyPath: "k", problem: "x")).0)
        XCTAssertFalse(FuzzRunner.judge(InputError(key: "maxSpacingM", "x")).0)
    }

    // MARK: - Crashes and hangs the fuzzer found (each was a trap or an endless loop)

    func check(
        _ file: String, _ old: String, _ new: String, expect: [String], entry: String? = nil, line: UInt = #line
    ) throws {
        let corpus = try FuzzCorpus(meshes: Self.meshes)
        defer { corpus.remove() }
        let text = String(decoding: corpus.originals[file]!, as: UTF8.self)
        XCTAssert(text.contains(old), "\(file) no longer contains \(old)", line: line)
        try corpus.replace(file, with: Data(text.replacingOccurrences(of: old, with: new).utf8))
        let target = corpus.targets.first { $0.file == file }!
        let t0 = Date()
        XCTAssertThrowsError(try InputCheck.caseFile(path: corpus.path(entry ?? target.entry)), line: line) { e in
            let s = String(describing: e)
            XCTAssertTrue(FuzzRunner.judge(e).0, s, line: line)
            for x in expect { XCTAssert(s.contains(x), "'\(x)' not in: \(s)", line: line) }
        }
        XCTAssertLessThan(Date().timeIntervalSince(t0), 5, line: line)
    }

    /// `slots: 2147483648` walked two billion slots (a hang); near Int.max, `slot + slots` trapped.
    func testHugeCardWidth() throws {
        try check(
            "parts/rtx-pro-4500.yaml", "slots: 2", "slots: 2147483648", expect: ["rtx-pro-4500.yaml", "slots", "1–8"])
        try check("parts/rtx-pro-4500.yaml", "slots: 2", "slots: 9223372036854775807", expect: ["slots"])
    }

    /// A node at unit Int.max: `unit + units - 1` trapped on overflow.
    func testUnitNearIntMax() throws {
        try check(
            "racks/one-node.yaml", "unit: 2,", "unit: 9223372036854775807,", expect: ["one-node.yaml", "nodes[0].unit"])
    }

    /// A reference to /dev/zero read forever; 100,000 nested lists overflowed the composer's stack.
    func testDevicesAndDeepNesting() throws {
        try check(
            "racks/one-node.yaml", "../nodes/rm44-gb203-3gpu.yaml", "/dev/zero",
            expect: ["/dev/zero", "not a regular file"])
        try check(
            "racks/one-node.yaml", "exhaust: {pressure: 0}",
            "exhaust: {pressure: " + String(repeating: "[", count: 100_000) + "]}",
            expect: ["one-node.yaml:", "nested deeper than 128"])
        try check(
            "racks/one-node.yaml", "exhaust: {pressure: 0}",
            "exhaust:\n" + String(repeating: "- ", count: 50_000) + "1\n",
            expect: ["nested deeper than 128"])
    }
}
