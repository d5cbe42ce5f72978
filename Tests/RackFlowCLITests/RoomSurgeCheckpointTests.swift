import XCTest
import RackFlowTestSupport
import Foundation
import RackFlowModel

/// Checkpoints of a room surge (`rackflow room --surge … --checkpoint-every N`, `--resume`), on
/// the two quick racks and 4-frame scenario of `RoomSurgeTests`: a run killed (SIGKILL, no
/// chance to clean up) after its frame-2 checkpoint and resumed gives the uninterrupted run's
/// frame records, telemetry and per-frame field caches; so does a checkpoint written by one
/// process and resumed under `mpirun -np 2` (each rack stepped by its own rank); Ctrl-C stops at
/// a frame end with a checkpoint and prints the resume command.
final class RoomSurgeCheckpointTests: XCTestCase {
    /// The frame records (every rack's flow, slot pressure and exhaust, the coupling's figures)
    /// and every node's telemetry, as written.
    func results(_ dir: URL) throws -> (records: Data, telemetry: String, vdbs: [String]) {
        let summary = try XCTUnwrap(
            JSONSerialization.jsonObject(with: Data(contentsOf: dir.appendingPathComponent("summary.json")))
                as? [String: Any])
        let records = try JSONSerialization.data(withJSONObject: summary["records"]!, options: .sortedKeys)
        let telemetry = try String(contentsOf: dir.appendingPathComponent("telemetry.csv"), encoding: .utf8)
        let fm = FileManager.default
        var vdbs: [String] = []
        for rack in ["A01", "B01"] {
            let v = dir.appendingPathComponent("racks/\(rack)/vdb")
            vdbs += try fm.contentsOfDirectory(atPath: v.path).sorted().map { "\(rack)/\($0)" }
        }
        return (records, telemetry, vdbs)
    }

    /// Starts `args`, waits until the checkpoint's manifest stands at `frame` or later, kills the
    /// process with SIGKILL and returns the frame it stood at then.
    func killAfter(_ exe: URL, _ args: [String], atCheckpoint frame: Int, folder ck: URL, log: URL) throws -> Int {
        let p = try CLI.start(exe, args, stderr: log)
        let deadline = Date().addingTimeInterval(300)
        var reached: Int?
        while p.isRunning && Date() < deadline {
            if let m = try? RoomSurgeCheckpointer.readManifest(ck), m.frame >= frame {
                reached = m.frame
                kill(p.processIdentifier, SIGKILL)
                break
            }
            usleep(20_000)
        }
        p.waitUntilExit()
        return try XCTUnwrap(reached, "the run ended before its frame-\(frame) checkpoint")
    }

    func testKilledAfterACheckpointResumesToTheSameFrames() throws {
        let t0 = Date()
        let exe = try CLI.rackflow()
        let (dir, room, scenario) = try RoomSurgeTests.inputs()
        defer { TemporaryFolder.remove(dir) }
        let want = dir.appendingPathComponent("plain")
        let plain = try CLI.runToEnd(
            exe, ["room", room, "--surge", scenario, "--output", want.path, "--quiet", "--jobs", "1"], in: dir)
        XCTAssertEqual(plain.status, 0, plain.stderr)
        let expected = try results(want)
        XCTAssertEqual(expected.vdbs.count, 10, "5 frames of 2 racks")

        // Killed once the frame-2 checkpoint is in place (frames 3 and 4 may have written
        // caches by then: the resume drops them and writes them again).
        let got = dir.appendingPathComponent("got")
        let ck = dir.appendingPathComponent("got.checkpoint")
        let args = ["room", room, "--surge", scenario, "--output", got.path, "--jobs", "1", "--quiet"]
        let at = try killAfter(
            exe, args + ["--checkpoint-every", "2"], atCheckpoint: 2, folder: ck,
            log: dir.appendingPathComponent("killed.txt"))
        XCTAssertFalse(FileManager.default.fileExists(atPath: got.path), "a killed run wrote results")
        let resumed = try CLI.runToEnd(exe, ["room", "--resume", ck.path, "--quiet", "--jobs", "1"], in: dir)
        XCTAssertEqual(resumed.status, 0, resumed.stderr)
        let r = try results(got)
        XCTAssertEqual(r.records, expected.records, "frame records after a resume at frame \(at)")
        XCTAssertEqual(r.telemetry, expected.telemetry)
        XCTAssertEqual(r.vdbs, expected.vdbs)
        XCTAssertFalse(FileManager.default.fileExists(atPath: ck.path), "the checkpoint outlived the result")
        let log = try String(contentsOf: got.appendingPathComponent("log.txt"), encoding: .utf8)
        XCTAssertTrue(log.contains("resumed from \(ck.path) after frame \(at)"), log)
        XCTAssertTrue(log.contains("idle states solved"), "the log before the checkpoint is kept: \(log)")

        // A scenario other than the checkpoint's is refused, naming the option.
        let refused = try CLI.runToEnd(exe, ["room", "--resume", ck.path, "--surge", room, "--quiet"], in: dir)
        XCTAssertNotEqual(refused.status, 0)
        print(String(format: "room surge SIGKILL and resume: %.1f s", Date().timeIntervalSince(t0)))
    }

    /// One process writes the checkpoint, two ranks finish it: each rack's state lies in its own
    /// folder. `--solve-every-rack` so that each rank steps a rack of its own.
    func testACheckpointOfOneProcessResumesUnderMPI() throws {
        guard let mpi = CLI.mpirun() else { return XCTFail("no mpirun: install openmpi-bin (bootstrap.sh)") }
        let exe = try CLI.rackflow()
        let (dir, room, scenario) = try RoomSurgeTests.inputs()
        defer { TemporaryFolder.remove(dir) }
        let want = dir.appendingPathComponent("plain")
        let common = ["room", room, "--surge", scenario, "--quiet", "--jobs", "1", "--solve-every-rack"]
        let plain = try CLI.runToEnd(exe, common + ["--output", want.path], in: dir)
        XCTAssertEqual(plain.status, 0, plain.stderr)
        let got = dir.appendingPathComponent("got")
        let ck = dir.appendingPathComponent("got.checkpoint")
        _ = try killAfter(
            exe, common + ["--output", got.path, "--checkpoint-every", "1"], atCheckpoint: 1, folder: ck,
            log: dir.appendingPathComponent("killed.txt"))
        let resumed = try CLI.runToEnd(
            mpi,
            ["--allow-run-as-root", "--oversubscribe", "-np", "2", exe.path, "room", "--resume", ck.path, "--quiet"],
            in: dir)
        XCTAssertEqual(resumed.status, 0, resumed.stderr)
        let r = try results(got), expected = try results(want)
        XCTAssertEqual(r.records, expected.records)
        XCTAssertEqual(r.telemetry, expected.telemetry)
        XCTAssertEqual(r.vdbs, expected.vdbs)
        // The resume kept the checkpoint's --checkpoint-every 1.
        let log = try String(contentsOf: got.appendingPathComponent("log.txt"), encoding: .utf8)
        XCTAssertTrue(log.contains("checkpoint after frame 2:"), log)
    }

    /// Ctrl-C: the run stops at the next frame end, writes a checkpoint, exits 130 and prints
    /// the command that resumes it.
    func testSIGINTStopsAtAFrameEndWithACheckpoint() throws {
        let exe = try CLI.rackflow()
        let (dir, room, scenario) = try RoomSurgeTests.inputs()
        defer { TemporaryFolder.remove(dir) }
        let got = dir.appendingPathComponent("got")
        let ck = dir.appendingPathComponent("got.checkpoint")
        let err = dir.appendingPathComponent("stopped.txt")
        // Without --quiet (stderr is a file: nothing echoed) so that the resume line is printed.
        let p = try CLI.start(
            exe, ["room", room, "--surge", scenario, "--output", got.path, "--jobs", "1", "--frames", "40"],
            stderr: err)
        // Once the idle frame's caches are in the scratch folder the run is stepping frames.
        let deadline = Date().addingTimeInterval(120)
        while p.isRunning && Date() < deadline {
            let scratch = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent(
                "rackflow-roomsurge-\(p.processIdentifier)-0/A01/vdb/fields.0001.vdb")
            if FileManager.default.fileExists(atPath: scratch.path) { break }
            usleep(20_000)
        }
        XCTAssertTrue(p.isRunning, "the run ended before the signal")
        kill(p.processIdentifier, SIGINT)
        p.waitUntilExit()
        let text = try String(contentsOf: err, encoding: .utf8)
        XCTAssertEqual(p.terminationStatus, 130, text)
        XCTAssertTrue(text.contains("resume with: rackflow room --resume \(ck.path)"), text)
        let m = try RoomSurgeCheckpointer.readManifest(ck)
        XCTAssertGreaterThanOrEqual(m.frame, 1)
        XCTAssertFalse(FileManager.default.fileExists(atPath: got.path), "a stopped run wrote results")
        let caches = ck.appendingPathComponent("caches/A01/vdb")
        XCTAssertTrue(
            FileManager.default.fileExists(
                atPath: caches.appendingPathComponent(String(format: "fields.%04d.vdb", m.frame)).path),
            "the caches up to the checkpoint's frame are kept with it")
    }
}
