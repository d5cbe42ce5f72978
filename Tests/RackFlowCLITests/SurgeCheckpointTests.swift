import XCTest
import RackFlowTestSupport
import Foundation
import RackFlowNumerics
import RackFlowPhysics
import RackFlowModel
import RackFlowExport

/// Checkpoints, resume and interruption of `rackflow surge` (issue 8) on a quick one-node rack
/// (8 cm, 29,760 cells, the idle solve capped at 40 outer iterations: the figures compared need
/// determinism, not convergence) and a 0.5 s scenario at 24 fps (12 frames, the node igniting at
/// 0.05 s). (a) In the library: a run checkpointed between two multigrid rebuilds and resumed in
/// a new `SurgeRun` ends bitwise where the uninterrupted run ends; a changed input is refused.
/// (b) The binary killed with SIGKILL at a random frame leaves only complete files, and the
/// resumed run's folder equals the uninterrupted run's, file for file (bitwise but for the wall
/// clock in summary.json and log.txt, and the random UUID OpenVDB writes into each VDB header). (c) SIGINT writes a
/// checkpoint, prints the resume command and exits 130; that command finishes the same result.
final class SurgeCheckpointTests: XCTestCase {
    static let repoRoot = Repository.root
    static let scratch = FileManager.default.temporaryDirectory.appendingPathComponent(
        "rackflow-surge-checkpoint-\(ProcessInfo.processInfo.processIdentifier)")
    override class func tearDown() { try? FileManager.default.removeItem(at: scratch) }

    /// A folder with a copy of the node and part files, the quick rack and the scenario.
    static func inputs() throws -> (dir: URL, scenario: String, rack: String) {
        let dir = scratch.appendingPathComponent(UUID().uuidString)
        let fm = FileManager.default
        try fm.createDirectory(at: dir.appendingPathComponent("racks"), withIntermediateDirectories: true)
        for sub in ["nodes", "parts"] {
            try fm.copyItem(at: repoRoot.appendingPathComponent("Meshes/\(sub)"), to: dir.appendingPathComponent(sub))
        }
        let rack = dir.appendingPathComponent("racks/quick.yaml").path
        try """
        name: quick
        rack: {innerSize: [0.600, 1.200, 0.400], units: 6, unitHeight: 0.04445, firstUnitZ: 0.0665, frontY: 0.200}
        inlet: {flow: 0.08, temperature: 20}
        exhaust: {pressure: 0}
        nodes: [{name: node01, unit: 2, node: ../nodes/rm44-gb203-3gpu.yaml}]
        grid: {maxSpacing: 0.08, maxNeighbourRatio: 2.0, minCellsAcrossPart: 1}
        solver: {maxIterations: 40}
        """.write(toFile: rack, atomically: true, encoding: .utf8)
        let scenario = dir.appendingPathComponent("mini.yaml").path
        try "name: mini\nrack: racks/quick.yaml\nduration: 0.5\nfps: 24\nload: {onset: 0.05, ramp: 0.2}\n"
            .write(toFile: scenario, atomically: true, encoding: .utf8)
        return (dir, scenario, rack)
    }

    func fields(_ r: SurgeRun) -> [[UInt64]] {
        (r.solver.velocity + [r.solver.pressure, r.solver.temperature, r.smoke]).map { $0.array.map(\.bitPattern) }
    }

    /// Every number a frame records (not its wall seconds), as bit patterns.
    func figures(_ frames: [SurgeRun.Frame]) -> [UInt64] {
        frames.flatMap { f in
            [f.timeS, f.blowerFraction, Double(f.outerIterations), Double(f.index)] + f.fanRPM
                + f.nodes.flatMap {
                    [$0.utilisation, $0.powerW, $0.gpuMaxC, $0.cpuC, $0.fanRPM, $0.airflowM3PerS, $0.exhaustC]
                }
        }.map(\.bitPattern)
    }

    // MARK: - (a) library

    func testResumedSurgeEqualsUninterruptedBitwise() throws {
        let (dir, scenario, _) = try Self.inputs()
        let sc = try Scenario.load(path: scenario)
        let last = sc.frameCount

        let a = try SurgeRun(sc)
        try a.solveIdle()
        while a.frames.count <= last { try a.advanceFrame() }

        // Checkpoint every frame (the folder replaced in place), stop at the first frame from 3 on
        // that falls between two multigrid rebuilds (the hard case: the hierarchy must be rebuilt
        // from the coefficients of the last rebuild, not from the present ones).
        let b = try SurgeRun(sc)
        try b.solveIdle()
        let folder = dir.appendingPathComponent("mini.checkpoint")
        var stoppedAt = -1
        while b.frames.count <= last {
            try b.advanceFrame()
            try b.writeCheckpoint(to: folder)
            let n = b.solver.history.count
            if b.frames.count > 3, n % b.solver.options.pressurePreconditionerRebuild != 0 {
                stoppedAt = b.frames.count - 1
                break
            }
        }
        XCTAssertGreaterThan(stoppedAt, 0, "no frame end fell between two rebuilds")
        XCTAssertLessThan(stoppedAt, last)
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted()
        XCTAssertEqual(names.count, 2, "\(names)") // checkpoint.json and one fields.<iteration>.bin
        XCTAssert(names.contains("checkpoint.json"))
        XCTAssertEqual(
            try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasPrefix(".") }, [],
            "partial checkpoints left behind")

        // A new run from the same inputs, restored from the folder, steps on to the end.
        let (h, s, c) = try SurgeRun.readCheckpoint(folder)
        XCTAssertEqual(c.frame, stoppedAt)
        XCTAssertEqual(h.kind, "surge")
        XCTAssert(
            c.inputs.count >= 3 && c.inputs.contains { $0.path.hasSuffix("nodes/rm44-gb203-3gpu.yaml") },
            "scenario, rack, node and part files: \(c.inputs.map(\.path))")
        XCTAssertNotNil(s.arrays["pcSource.east"])
        let r = try SurgeRun(try Scenario.load(path: scenario))
        try r.restore(h, s, c, folder: folder)
        XCTAssertEqual(figures(r.frames), figures(Array(a.frames.prefix(stoppedAt + 1))))
        while r.frames.count <= last { try r.advanceFrame() }
        XCTAssertEqual(fields(r), fields(a), "resumed fields differ from the uninterrupted run's")
        XCTAssertEqual(figures(r.frames), figures(a.frames), "resumed telemetry differs")
        XCTAssertEqual(r.solver.history.map(\.mass.bitPattern), a.solver.history.map(\.mass.bitPattern))
        XCTAssertEqual(
            [
                r.energy.electricalJ, r.energy.toAirJ, r.energy.carriedOutJ, r.energy.storedInAirJ,
                r.energy.storedInPartsJ,
            ].map(\.bitPattern),
            [
                a.energy.electricalJ, a.energy.toAirJ, a.energy.carriedOutJ, a.energy.storedInAirJ,
                a.energy.storedInPartsJ,
            ].map(\.bitPattern))
        XCTAssertEqual(r.parts.map(\.temperatureC.bitPattern), a.parts.map(\.temperatureC.bitPattern))
        XCTAssertEqual(r.fans.map(\.duty.bitPattern), a.fans.map(\.duty.bitPattern))

        // Without the last rebuild's coefficients the state is refused, not resumed approximately.
        var stripped = s
        for k in s.arrays.keys where k.hasPrefix("pcSource.") { stripped.arrays[k] = nil }
        XCTAssertThrowsError(try SurgeRun(try Scenario.load(path: scenario)).restore(h, stripped, c, folder: folder)) {
            e in
            XCTAssert("\(e)".contains("pcSource"), "\(e)")
        }

        // A changed input (a node's file here) is refused, naming the file.
        let node = dir.appendingPathComponent("nodes/rm44-gb203-3gpu.yaml")
        try (String(contentsOf: node, encoding: .utf8) + "\n# edited\n").write(
            to: node, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try SurgeRun(try Scenario.load(path: scenario)).restore(h, s, c, folder: folder)) { e in
            let text = "\(e)"
            XCTAssert(text.contains("rm44-gb203-3gpu.yaml") && text.contains("changed since the checkpoint"), text)
        }
    }

    // MARK: - (b), (c) the binary

    /// The staging folder(s) of runs writing `name` under `parent`.
    func staging(_ parent: URL, _ name: String) -> [URL] {
        ((try? FileManager.default.contentsOfDirectory(atPath: parent.path)) ?? [])
            .filter { $0.hasPrefix(".\(name).partial-") }.map { parent.appendingPathComponent($0) }
    }

    func vdbCount(_ parent: URL, _ name: String) -> Int {
        staging(parent, name).map {
            ((try? FileManager.default.contentsOfDirectory(atPath: $0.appendingPathComponent("vdb").path)) ?? []).filter
            { $0.hasSuffix(".vdb") }.count
        }.max() ?? 0
    }

    /// Waits until the run has written `frames` VDB files (or ended).
    func waitForFrames(_ p: Process, _ parent: URL, _ name: String, _ frames: Int, timeoutS: Double = 120) {
        let t0 = Date()
        while p.isRunning && vdbCount(parent, name) < frames && Date().timeIntervalSince(t0) < timeoutS {
            usleep(2_000)
        }
    }

    /// The resumed folder holds the same files as the uninterrupted one, bitwise, but for the
    /// wall clock: summary.json is compared without its seconds and timeline wall times, log.txt and the reports not at
    /// all.
    func assertSameResult(_ got: URL, _ want: URL, file: StaticString = #filePath, line: UInt = #line) throws {
        let g = try CLI.files(got), w = try CLI.files(want)
        XCTAssertEqual(g.keys.sorted(), w.keys.sorted(), "other files", file: file, line: line)
        XCTAssertGreaterThan(w.keys.filter { $0.hasSuffix(".vdb") }.count, 5, file: file, line: line)
        for k in ["telemetry.csv", "fans.csv", "preview.png"] {
            XCTAssertNotNil(w[k], "no \(k)", file: file, line: line)
        }
        // report.md and report.html state the wall times.
        for (k, data) in w where !["log.txt", "summary.json", "report.md", "report.html"].contains(k) {
            guard var mine = g[k] else { continue }
            var theirs = data
            if k.hasSuffix(".vdb") {
                // OpenVDB writes a random UUID (36 characters from byte 21) into every file's header.
                for d in [mine, theirs] {
                    XCTAssert(
                        d.count > 57
                            && String(decoding: d[21..<57], as: UTF8.self).range(
                                of: "^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$",
                                options: .regularExpression) != nil,
                        "\(k): no UUID where expected", file: file, line: line)
                }
                mine.replaceSubrange(21..<57, with: Data(repeating: 0, count: 36))
                theirs.replaceSubrange(21..<57, with: Data(repeating: 0, count: 36))
            }
            XCTAssert(mine == theirs, "\(k) differs from the uninterrupted run's", file: file, line: line)
        }
        func masked(_ d: Data?) throws -> NSDictionary {
            var s = try XCTUnwrap(JSONSerialization.jsonObject(with: XCTUnwrap(d)) as? [String: Any])
            for k in ["wallSeconds", "idleSeconds", "stepSeconds", "writeSeconds"] { s[k] = nil }
            s["timeline"] = (s["timeline"] as? [[String: Any]])?.map { f -> [String: Any] in
                var f = f
                f["wallSeconds"] = nil
                return f
            }
            return s as NSDictionary
        }
        XCTAssertEqual(
            try masked(g["summary.json"]), try masked(w["summary.json"]),
            "summary.json differs beyond wall-clock figures", file: file, line: line)
    }

    /// A finished file is complete: VDB files start with OpenVDB's magic number, CSVs have rows of equal width.
    func assertComplete(_ folder: URL) throws {
        for (k, d) in try CLI.files(folder) {
            let name = URL(fileURLWithPath: k).lastPathComponent
            // The result folder's marker is hidden by design (ResultFolder).
            XCTAssertFalse(
                name.hasPrefix(".") && name != ".rackflow-results", "a temporary file under a final name: \(k)")
            if k.hasSuffix(".vdb") {
                XCTAssertGreaterThan(d.count, 1000, k)
                XCTAssertEqual(Array(d.prefix(4)), [0x20, 0x42, 0x44, 0x56], "\(k) has no OpenVDB header")
            }
            if k.hasSuffix(".csv") {
                let rows = String(decoding: d, as: UTF8.self).split(separator: "\n").map {
                    $0.split(separator: ",", omittingEmptySubsequences: false).count
                }
                XCTAssertEqual(Set(rows).count, 1, "\(k): rows of different widths")
            }
        }
    }

    func testSIGKILLAtARandomFrameThenResume() throws {
        let exe = try CLI.rackflow()
        let (dir, scenario, _) = try Self.inputs()
        let t0 = Date()
        let want = dir.appendingPathComponent("Results/plain")
        let plain = try CLI.runToEnd(exe, ["surge", scenario, "--output", want.path, "--quiet"], in: dir)
        XCTAssertEqual(plain.status, 0, plain.stderr)
        let plainSeconds = Date().timeIntervalSince(t0)

        let got = dir.appendingPathComponent("Results/killed")
        let parent = got.deletingLastPathComponent()
        let frames = (try Scenario.load(path: scenario)).frameCount
        let killAt = Int.random(in: 2...(frames - 2))
        let p = try CLI.start(
            exe, ["surge", scenario, "--output", got.path, "--checkpoint-every", "1", "--quiet"],
            stderr: dir.appendingPathComponent("killed.txt"))
        waitForFrames(p, parent, "killed", killAt)
        XCTAssert(p.isRunning, "the run ended before frame \(killAt)")
        kill(p.processIdentifier, SIGKILL)
        p.waitUntilExit()
        XCTAssertEqual(p.terminationReason, .uncaughtSignal)
        print(
            "killed at ≥ \(killAt) VDB files (of \(frames + 1)); uninterrupted run "
                + "\(String(format: "%.1f", plainSeconds)) s"
        )

        // What the kill left: the staging folder with complete files only, a complete checkpoint, no final folder.
        XCTAssertFalse(FileManager.default.fileExists(atPath: got.path))
        let stage = try XCTUnwrap(staging(parent, "killed").first)
        try assertComplete(stage)
        let ck = parent.appendingPathComponent("killed.checkpoint")
        let (_, _, c) = try SurgeRun.readCheckpoint(ck)
        XCTAssertGreaterThanOrEqual(c.frame, killAt - 2)
        let size = try CLI.files(ck).values.reduce(0) { $0 + $1.count }
        print("checkpoint at frame \(c.frame): \(size) bytes")

        let resumed = try CLI.runToEnd(exe, ["surge", "--resume", ck.path, "--quiet"], in: dir)
        XCTAssertEqual(resumed.status, 0, resumed.stderr)
        try assertSameResult(got, want)
        try assertComplete(got)
        XCTAssertFalse(FileManager.default.fileExists(atPath: ck.path), "the checkpoint outlived the result")
        XCTAssertEqual(staging(parent, "killed"), [], "a staging folder was left behind")
        let log = try String(contentsOf: got.appendingPathComponent("log.txt"), encoding: .utf8)
        XCTAssert(log.contains("resumed from \(ck.path) at frame \(c.frame)"), log)
        // The resume kept the checkpoint's --checkpoint-every 1.
        XCTAssert(log.contains("checkpoint at frame \(c.frame + 1) ("), log)
    }

    func testSIGINTWritesCheckpointAndResumeCommand() throws {
        let exe = try CLI.rackflow()
        let (dir, scenario, _) = try Self.inputs()
        let want = dir.appendingPathComponent("Results/plain")
        let plain = try CLI.runToEnd(exe, ["surge", scenario, "--output", want.path, "--quiet"], in: dir)
        XCTAssertEqual(plain.status, 0, plain.stderr)

        let got = dir.appendingPathComponent("Results/stopped")
        let parent = got.deletingLastPathComponent()
        let errFile = dir.appendingPathComponent("stopped.txt")
        // no --checkpoint-every: the stop writes one
        let p = try CLI.start(exe, ["surge", scenario, "--output", got.path], stderr: errFile)
        waitForFrames(p, parent, "stopped", 3)
        XCTAssert(p.isRunning, "the run ended before frame 3")
        kill(p.processIdentifier, SIGINT)
        p.waitUntilExit()
        let err = try String(contentsOf: errFile, encoding: .utf8)
        XCTAssertEqual(p.terminationStatus, 130, err)
        let ck = parent.appendingPathComponent("stopped.checkpoint")
        let line = try XCTUnwrap(err.split(separator: "\n").first { $0.hasPrefix("resume with: ") }, err)
        XCTAssertEqual(String(line), "resume with: rackflow surge --resume \(ck.path)")
        let (_, _, c) = try SurgeRun.readCheckpoint(ck)
        XCTAssertGreaterThanOrEqual(c.frame, 2)
        XCTAssertFalse(FileManager.default.fileExists(atPath: got.path))
        try assertComplete(try XCTUnwrap(staging(parent, "stopped").first))

        // A resume with another option is refused, naming it, before anything is touched.
        let refused = try CLI.runToEnd(exe, ["surge", "--resume", ck.path, "--frames", "0:3"], in: dir)
        XCTAssertNotEqual(refused.status, 0)
        XCTAssert(
            refused.stderr.contains(
                "--frames 0:3 differs from the checkpoint's "
                    + "0:\(c.frames.count > 0 ? (try Scenario.load(path: scenario)).frameCount : 0)"
            ), refused.stderr)

        // A refused option exits 64 with surge's own usage (it printed the top level's).
        let axis = try CLI.runToEnd(exe, ["surge", scenario, "--up-axis", "X", "--quiet"], in: dir)
        XCTAssertEqual(axis.status, 64, axis.stderr)
        XCTAssertTrue(
            axis.stderr.contains("--up-axis must be Y or Z") && axis.stderr.contains("Usage: rackflow surge")
                && axis.stderr.contains("See 'rackflow surge --help'"),
            axis.stderr)

        // The printed command, run as printed, finishes the same result.
        let args = line.dropFirst("resume with: rackflow ".count).split(separator: " ").map(String.init)
        let resumed = try CLI.runToEnd(exe, args + ["--quiet"], in: dir)
        XCTAssertEqual(resumed.status, 0, resumed.stderr)
        try assertSameResult(got, want)

    }
}
