import XCTest
import RackFlowTestSupport
import Foundation
import RackFlowModel
import RackFlowExport

/// `rackflow room --surge` (issue 7, part 3) on two quick one-node racks (8 cm): a 4-frame
/// scenario at 8 fps in which the load ignites at 0.1 s and the blowers ramp from 60 % of their
/// speed. The stage has one sample per frame (0 = idle … 4) on every telemetry attribute, VDB
/// path (one file per rack and frame) and tray primvar; the plenum conserves mass at every
/// frame's coupling, iterated to its tolerance; the tray probes stay between the room air and the hottest exhaust,
/// follow the heating (warmer at the end than idle) and agree with tray-probes.csv.
final class RoomSurgeTests: XCTestCase {
    /// The room (two quick racks, a tray over A01) and the 4-frame scenario, in a new folder.
    /// `room` with an explicit coupling (`maxIterations: 1`: predict and accept at every frame),
    /// written beside it as room-explicit.yaml.
    static func explicitRoom(_ room: String, in dir: URL) throws -> String {
        let path = dir.appendingPathComponent("room-explicit.yaml").path
        try String(contentsOfFile: room, encoding: .utf8)
            .replacingOccurrences(of: "cableTrays:", with: "coupling: {maxIterations: 1}\ncableTrays:")
            .write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    static func inputs() throws -> (dir: URL, room: String, scenario: String) {
        // A folder of its own: under RoomStageTests' scratch it outlived that class's tear-down
        // (this class runs after it), and every run left the empty scratch folder behind.
        let dir = try TemporaryFolder.make("rackflow-roomsurge")
        let rack = try RoomStageTests.quickRack(dir, node: "rm44-gb203-3gpu.yaml", maxIterations: 100)
        let room = dir.appendingPathComponent("room.yaml").path
        try """
        name: surge-room
        layout: {rows: 2, racksPerRow: 1, pitch: 0.650, depth: 1.250, aisle: 1.200}
        rack: \(rack)
        plenum:
          blowers: [{name: b, curve: {flow: [0, 0.1, 0.2, 0.3], pressure: [40, 30, 15, 0], rpm: 3000}}]
          supply: {quadratic: 200}
          duct: {quadratic: 62.7}
        cableTrays:
          - {name: tray-A, x: [0, 0.65], y: 0.15, z: 0.8, width: 0.3}
        """.write(toFile: room, atomically: true, encoding: .utf8)
        let scenario = dir.appendingPathComponent("mini.yaml").path
        try """
        name: mini
        rack: \(rack)
        duration: 0.5
        fps: 8
        load: {idle: 0.05, onset: 0.1, ramp: 0.2}
        fans:
          intake: {sensor: load, low: 0.1, high: 0.9, minDuty: 0.35, spinUp: 1.0, spinDown: 6}
          gpu: {sensor: own, low: 35, high: 75, minDuty: 0.30, spinUp: 1.0, spinDown: 4}
        blower: {idle: 0.6, full: 1.0, start: 0.1, ramp: 0.3}
        solver: {minOuter: 2, maxOuter: 4, tolerance: 1.0e-3}
        """.write(toFile: scenario, atomically: true, encoding: .utf8)
        return (dir, room, scenario)
    }

    func testRoomSurgeFramesStageAndTrayTimeSeries() throws {
        let bin = try CLI.rackflow()
        let (dir, room, scenario) = try Self.inputs()
        defer { TemporaryFolder.remove(dir) }
        let out = dir.appendingPathComponent("out")
        let t0 = Date()
        let r = try RoomStageTests.run(
            bin, ["room", room, "--surge", scenario, "--output", out.path, "--quiet", "--jobs", "2"])
        XCTAssertEqual(r.status, 0, r.stderr)
        print(String(format: "room surge test: %.1f s", Date().timeIntervalSince(t0)))

        let summary = try XCTUnwrap(
            JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("summary.json")))
                as? [String: Any])
        let records = try XCTUnwrap(summary["records"] as? [[String: Any]])
        XCTAssertEqual(records.count, 5)
        var exhausts: [[Double]] = [], heatCarried: [[Double]] = []
        for rec in records {
            XCTAssertLessThanOrEqual(try XCTUnwrap(rec["massConservationError"] as? Double), 1e-9)
            // Iterated to the room's coupling.tolerance (default 1e-3) at every frame, idle included.
            XCTAssertEqual(rec["couplingConverged"] as? Bool, true, "\(rec)")
            XCTAssertLessThan(try XCTUnwrap(rec["flowResidual"] as? Double), 1e-3)
            let racks = try XCTUnwrap(rec["racks"] as? [[String: Double]])
            XCTAssertEqual(racks.count, 2)
            for v in racks {
                XCTAssertGreaterThan(v["flowM3PerS"]!, 0)
                XCTAssertTrue(v["exhaustC"]!.isFinite)
            }
            exhausts.append(racks.map { $0["exhaustC"]! })
            heatCarried.append(racks.map { $0["flowM3PerS"]! * ($0["exhaustC"]! - 20) })
        }
        let hottest = exhausts.flatMap { $0 }.max()!
        // The report: both plan pictures, the hottest exhaust of the run named with its rack and
        // value as the records have it, and every node's peaks in summary.json.
        for png in ["plan-idle.png", "plan-final.png"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: out.appendingPathComponent(png).path), png)
        }
        let report = try String(contentsOf: out.appendingPathComponent("report.md"), encoding: .utf8)
        let hotRack = exhausts.flatMap { $0 }.firstIndex(of: hottest)! % 2 == 0 ? "A01" : "B01"
        XCTAssertTrue(report.contains("Hottest exhaust: \(hotRack) at \(String(format: "%.2f", hottest)) °C"), report)
        let peaks = try XCTUnwrap(summary["racks"] as? [[String: Any]])
        XCTAssertEqual(peaks.map { $0["rack"] as? String }, ["A01", "B01"])
        for p in peaks {
            let nodes = try XCTUnwrap(p["nodes"] as? [[String: Any]])
            XCTAssertEqual(nodes.count, 1)
            XCTAssertGreaterThan(try XCTUnwrap(nodes[0]["gpuMaxC"] as? Double), 20)
        }
        // The explicit coupling (maxIterations 1: predict and accept) leaves the plenum, duct and
        // rack pressures apart by Pa while the blowers ramp; iterating closes them 100× better.
        let iterated = records.map { $0["pressureResidualPa"] as! Double }
        let explicitRoom = try Self.explicitRoom(room, in: dir)
        let e = try RoomStageTests.run(
            bin,
            [
                "room", explicitRoom, "--surge", scenario, "--output", dir.appendingPathComponent("explicit").path,
                "--quiet", "--jobs", "2", "--up-axis", "z",
            ])
        XCTAssertEqual(e.status, 0, e.stderr)
        let es = try XCTUnwrap(
            JSONSerialization.jsonObject(with: Data(contentsOf: dir.appendingPathComponent("explicit/summary.json")))
                as? [String: Any])
        let explicit = try XCTUnwrap(es["records"] as? [[String: Any]]).map { $0["pressureResidualPa"] as! Double }
        XCTAssertLessThan(100 * iterated.max()!, explicit.max()!, "iterated \(iterated) Pa, explicit \(explicit) Pa")
        // The load ramp puts more heat into the air: flow × (mixed-cup exhaust − supply) grows.
        // (The exhaust temperature itself may fall: in half a second the blowers add 67 % more
        // air while the parts' heat capacity holds most of the new power back.)
        XCTAssertGreaterThan(
            heatCarried.last![0], 1.1 * heatCarried.first![0],
            "the load ramp must put more heat into the air: \(heatCarried), exhausts \(exhausts)")

        guard let check = try PythonCheck.run("check_room_usd.py", [out.appendingPathComponent("room.usda").path])
        else { return }
        XCTAssertEqual(check.status, 0, "\(check.json["problems"] ?? "")")
        XCTAssertEqual(check.json["frames"] as? [Int], [0, 1, 2, 3, 4])
        let racks = try XCTUnwrap(check.json["racks"] as? [String: [String: Any]])
        for name in ["A01", "B01"] {
            let vdbs = try XCTUnwrap(racks[name]?["vdb"] as? [String: [String: Any]])
            XCTAssertEqual(vdbs.count, 5, "\(name): one VDB per frame")
            XCTAssertTrue(vdbs.values.allSatisfy { $0["rack"] as? String == name })
            // Every node coloured on every frame, every fan spinning on every frame (the checker
            // asserts the samples; here: that they are there at all, and in range).
            let colours = try XCTUnwrap(racks[name]?["colours"] as? [String: [[Double]]])
            XCTAssertEqual(colours.count, 1, "\(name): one node, one heat map")
            for c in colours.values.flatMap({ $0 }) {
                XCTAssertTrue(c.count == 3 && c.allSatisfy { $0 >= 0 && $0 <= 1 })
            }
            let fans = try XCTUnwrap(racks[name]?["fans"] as? [String: Any])
            XCTAssertGreaterThan(try XCTUnwrap(fans["count"] as? Int), 0, "\(name): the node's fans")
            XCTAssertGreaterThanOrEqual(try XCTUnwrap(fans["spinSamples"] as? Int), 5, "\(name): spin per frame")
            XCTAssertGreaterThan(try XCTUnwrap(fans["rpmLast"] as? Double), 0)
        }
        XCTAssertEqual(check.json["nodePrototypes"] as? [String: Int], ["rm44-gb203-3gpu": 1])
        // The same room on a Z-up stage validates as well.
        let zUp = try XCTUnwrap(
            try PythonCheck.run("check_room_usd.py", [dir.appendingPathComponent("explicit/room.usda").path, "Z"]))
        XCTAssertEqual(zUp.status, 0, "\(zUp.json["problems"] ?? "")")
        let tray = try XCTUnwrap((check.json["trays"] as? [String: [String: Any]])?["tray_A"])
        let temps = try XCTUnwrap((tray["primvars"] as? [String: [String: [Double]]])?["temperatureC"])
        XCTAssertEqual(Set(temps.keys), ["0", "1", "2", "3", "4"])
        for (f, values) in temps {
            for v in values { XCTAssertTrue(v >= 20 - 1e-4 && v <= hottest + 1e-4, "frame \(f): \(v)") }
        }
        // The tray follows the exhausts (its probes come from the plume of each rack's exhaust).
        let trayChange = temps["4"]!.max()! - temps["0"]!.max()!
        let exhaustChange = exhausts.last!.max()! - exhausts.first!.max()!
        XCTAssertGreaterThan(abs(trayChange), 0.01, "the tray must respond to the racks")
        XCTAssertEqual(trayChange.sign, exhaustChange.sign, "tray \(trayChange) K, exhaust \(exhaustChange) K")
        let attrs = try XCTUnwrap(tray["attributes"] as? [String: [String: Double]])
        XCTAssertEqual(attrs["vibration:amplitudeM"]?.count, 5)
        let csv = try String(contentsOf: out.appendingPathComponent("tray-probes.csv"), encoding: .utf8).split(
            separator: "\n"
        ).dropFirst()
        XCTAssertEqual(csv.count, 5 * temps["0"]!.count)
        let last = csv.filter { $0.hasPrefix("4,") }.map { Double($0.split(separator: ",")[7])! }
        for (a, b) in zip(last, temps["4"]!) { XCTAssertEqual(a, b, accuracy: 1e-4 * max(1, abs(a))) }
    }

    /// Racks in turn: B01 first, A01 0.2 s later (an explicit list, against the room's own A-then-B
    /// order), played with `--fps 8 --frames 3` over a scenario written for 4 fps and 2 s. The
    /// written telemetry shows B01's node at full load before A01's leaves idle, and the summary
    /// gives each rack's start and ignition. The explicit coupling (one step a frame) keeps it
    /// quick: the order does not depend on how closely the plenum is iterated.
    func testRacksIgniteInTheConfiguredOrder() throws {
        let bin = try CLI.rackflow()
        let (dir, iteratedRoom, base) = try Self.inputs()
        defer { TemporaryFolder.remove(dir) }
        let room = try Self.explicitRoom(iteratedRoom, in: dir)
        let scenario = dir.appendingPathComponent("turns.yaml").path
        try String(contentsOfFile: base, encoding: .utf8)
            .replacingOccurrences(of: "duration: 0.5\nfps: 8", with: "duration: 2\nfps: 4")
            .replacingOccurrences(of: "ramp: 0.2}", with: "ramp: 0.1}")
            .replacingOccurrences(
                of: "blower:", with: "cascade: {racks: {order: [B01, A01], delay: 0.2}, nodes: {delay: 0.5}}\nblower:"
            )
            .write(toFile: scenario, atomically: true, encoding: .utf8)
        let out = dir.appendingPathComponent("turns")
        let t0 = Date()
        let r = try RoomStageTests.run(
            bin,
            [
                "room", room, "--surge", scenario, "--fps", "8", "--frames", "3", "--output", out.path, "--quiet",
                "--jobs", "2",
            ])
        XCTAssertEqual(r.status, 0, r.stderr)
        print(String(format: "room surge in turns: %.1f s", Date().timeIntervalSince(t0)))

        let summary = try XCTUnwrap(
            JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("summary.json")))
                as? [String: Any])
        XCTAssertEqual(summary["fps"] as? Double, 8)
        XCTAssertEqual(summary["frames"] as? Int, 3)
        let times = try XCTUnwrap(summary["records"] as? [[String: Any]]).map { $0["timeS"] as! Double }
        for (t, want) in zip(times, [0, 0.125, 0.25, 0.375]) { XCTAssertEqual(t, want, accuracy: 1e-12) }
        XCTAssertEqual(times.count, 4)
        let ignitions = try XCTUnwrap(summary["ignitions"] as? [[String: Any]])
        XCTAssertEqual(ignitions.map { $0["rack"] as? String }, ["A01", "B01"])
        // onset 0.1 s; B01 first (full at 0.2 s), A01 one rack delay (0.2 s) later.
        XCTAssertEqual(try XCTUnwrap(ignitions[1]["startS"] as? Double), 0.1, accuracy: 1e-12)
        XCTAssertEqual(try XCTUnwrap(ignitions[0]["startS"] as? Double), 0.3, accuracy: 1e-12)
        XCTAssertEqual(try XCTUnwrap((ignitions[0]["ignitionS"] as? [Double])?.first), 0.3, accuracy: 1e-12)

        // telemetry.csv: frame,timeS,rack,node,utilisation,powerW,…
        let rows = try String(contentsOf: out.appendingPathComponent("telemetry.csv"), encoding: .utf8)
            .split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        XCTAssertEqual(rows.first?.prefix(6), ["frame", "timeS", "rack", "node", "utilisation", "powerW"])
        func series(_ rack: String, _ column: Int) -> [Double] {
            rows.dropFirst().filter { $0[2] == rack }.map { Double($0[column])! }
        }
        let (a, b) = (series("A01", 4), series("B01", 4))
        XCTAssertEqual(a.count, 4)
        XCTAssertEqual(b.count, 4)
        let (idle, full) = (0.05, 1.0)
        let bFull = try XCTUnwrap(b.firstIndex { $0 >= full - 1e-12 }, "B01 never reached full load: \(b)")
        let aStarts = try XCTUnwrap(a.firstIndex { $0 > idle + 1e-12 }, "A01 never left idle: \(a)")
        XCTAssertLessThan(bFull, aStarts, "B01 \(b), A01 \(a)")
        XCTAssertEqual(Array(a[..<aStarts]), [Double](repeating: idle, count: aStarts))
        XCTAssertGreaterThan(b[1], idle, "B01 starts at onset (0.1 s), before frame 1 (0.125 s): \(b)")
        // The load shows in the power: at B01's first full frame it draws more than the idle A01.
        XCTAssertGreaterThan(series("B01", 5)[bFull], 1.5 * series("A01", 5)[bFull])

        // The report's cascade lists B01 first, then A01 (start order), with the times above.
        let report = try String(contentsOf: out.appendingPathComponent("report.md"), encoding: .utf8)
        let b01 = try XCTUnwrap(report.range(of: "| B01 | 0.10 | 0.10 (1) | 0.10 (1) |"), report)
        let a01 = try XCTUnwrap(report.range(of: "| A01 | 0.30 | 0.30 (3) | 0.30 (3) |"), report)
        XCTAssertLessThan(b01.lowerBound, a01.lowerBound)
        // The plan at 4 moments (every frame here: 4 of 4) and the chart, as real PNG files.
        for (file, minWidth) in [("preview.png", 4 * 560), ("timeline.png", 900)] {
            let png = try Data(contentsOf: out.appendingPathComponent(file))
            XCTAssertEqual(Array(png.prefix(8)), [137, 80, 78, 71, 13, 10, 26, 10], file)
            let width = png[16..<20].reduce(0) { $0 << 8 | Int($1) }
            XCTAssertGreaterThanOrEqual(width, minWidth, file)
        }
        XCTAssertTrue(report.contains("![the room's plan at 8 moments of the surge](preview.png)"))

        // The two racks idle alike (same rack and duct, both idle at t = 0): one idle solve, copied.
        // Each solving its own gives the same frames and telemetry, bit for bit.
        let log = try String(contentsOf: out.appendingPathComponent("log.txt"), encoding: .utf8)
        XCTAssertTrue(log.contains("idle states: 1 solved for this process's 2 stepped racks"), log)
        let every = dir.appendingPathComponent("turns-every")
        let e = try RoomStageTests.run(
            bin,
            [
                "room", room, "--surge", scenario, "--fps", "8", "--frames", "3", "--output", every.path, "--quiet",
                "--jobs", "2", "--solve-every-rack",
            ])
        XCTAssertEqual(e.status, 0, e.stderr)
        let everySummary = try XCTUnwrap(
            JSONSerialization.jsonObject(with: Data(contentsOf: every.appendingPathComponent("summary.json")))
                as? [String: Any])
        XCTAssertEqual(
            everySummary["records"] as? NSArray, summary["records"] as? NSArray, "frame records differ when shared")
        XCTAssertEqual(
            try Data(contentsOf: every.appendingPathComponent("telemetry.csv")),
            try Data(contentsOf: out.appendingPathComponent("telemetry.csv")))
    }

    /// Input errors of the room surge's cascade and options stop before any solve, naming the
    /// file, key or option.
    func testRoomCascadeAndOptionErrors() throws {
        let bin = try CLI.rackflow()
        let (dir, room, base) = try Self.inputs()
        defer { TemporaryFolder.remove(dir) }
        let scenario = dir.appendingPathComponent("bad.yaml").path
        try String(contentsOfFile: base, encoding: .utf8)
            .replacingOccurrences(of: "blower:", with: "cascade:\n  racks: {order: [B01, C01], delay: 1}\nblower:")
            .write(toFile: scenario, atomically: true, encoding: .utf8)
        let bad = try RoomStageTests.run(bin, ["room", room, "--surge", scenario, "--quiet"])
        XCTAssertEqual(bad.status, 1)
        for part in ["bad.yaml:", "cascade.racks.order[1]", "no rack 'C01' in the room", "A01, B01"] {
            XCTAssertTrue(bad.stderr.contains(part), "'\(part)' missing from: \(bad.stderr)")
        }
        let noSurge = try RoomStageTests.run(bin, ["room", room, "--frames", "3", "--quiet"])
        XCTAssertNotEqual(noSurge.status, 0)
        XCTAssertTrue(noSurge.stderr.contains("--frames and --fps are for a room surge"), noSurge.stderr)
        let zero = try RoomStageTests.run(bin, ["room", room, "--surge", base, "--frames", "0", "--quiet"])
        XCTAssertNotEqual(zero.status, 0)
        XCTAssertTrue(zero.stderr.contains("--frames must be 1…100000 (got 0)"), zero.stderr)
        let slow = try RoomStageTests.run(bin, ["room", room, "--surge", base, "--fps", "0", "--quiet"])
        XCTAssertNotEqual(slow.status, 0)
        XCTAssertTrue(slow.stderr.contains("--fps must be > 0"), slow.stderr)
        // A refused option is a usage error, as in every command: exit 64 and room's own usage.
        for r in [noSurge, zero, slow] {
            XCTAssertEqual(r.status, 64, r.stderr)
            XCTAssertTrue(r.stderr.contains("Usage: rackflow room"), r.stderr)
        }
    }

    /// Under `mpirun -np 2` each rank steps and writes its own rack (A01 rank 0, B01 rank 1,
    /// every frame's VDB saying so), rank 0 writes a stage usd-core accepts, mass holds per frame.
    func testRoomSurgeUnderMPI() throws {
        let bin = try CLI.rackflow()
        guard
            let mpi = ["/usr/bin/mpirun", "/usr/local/bin/mpirun"].first(where: {
                FileManager.default.isExecutableFile(atPath: $0)
            })
        else {
            return XCTFail("no mpirun: install openmpi-bin (bootstrap.sh)")
        }
        let (dir, room, scenario) = try Self.inputs()
        defer { TemporaryFolder.remove(dir) }
        let out = dir.appendingPathComponent("mpi")
        let r = try RoomStageTests.run(
            URL(fileURLWithPath: mpi),
            [
                "--allow-run-as-root", "--oversubscribe", "-np", "2", bin.path,
                "room", room, "--surge", scenario, "--output", out.path, "--quiet", "--solve-every-rack",
            ])
        XCTAssertEqual(r.status, 0, r.stderr)
        let summary = try XCTUnwrap(
            JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("summary.json")))
                as? [String: Any])
        XCTAssertEqual(summary["ranks"] as? Int, 2)
        let records = try XCTUnwrap(summary["records"] as? [[String: Any]])
        XCTAssertEqual(records.count, 5)
        for rec in records { XCTAssertLessThanOrEqual(try XCTUnwrap(rec["massConservationError"] as? Double), 1e-9) }
        guard let check = try PythonCheck.run("check_room_usd.py", [out.appendingPathComponent("room.usda").path])
        else { return }
        XCTAssertEqual(check.status, 0, "\(check.json["problems"] ?? "")")
        let racks = try XCTUnwrap(check.json["racks"] as? [String: [String: Any]])
        for (name, rank) in [("A01", "0"), ("B01", "1")] {
            let vdbs = try XCTUnwrap(racks[name]?["vdb"] as? [String: [String: Any]])
            XCTAssertEqual(vdbs.count, 5)
            XCTAssertTrue(vdbs.values.allSatisfy { $0["rank"] as? String == rank }, "\(name): \(vdbs)")
        }
        // The same room with its twin racks stepped once (rank 0 steps A01 for both; rank 1 has no
        // rack of its own and takes part in the coupling only): the same frames, bit for bit.
        let twins = dir.appendingPathComponent("twins")
        let t = try RoomStageTests.run(
            URL(fileURLWithPath: mpi),
            [
                "--allow-run-as-root", "--oversubscribe", "-np", "2", bin.path,
                "room", room, "--surge", scenario, "--output", twins.path, "--quiet",
            ])
        XCTAssertEqual(t.status, 0, t.stderr)
        let log = try String(contentsOf: twins.appendingPathComponent("log.txt"), encoding: .utf8)
        XCTAssertTrue(log.contains("2 racks, 1 distinct"), log)
        let shared = try XCTUnwrap(
            JSONSerialization.jsonObject(with: Data(contentsOf: twins.appendingPathComponent("summary.json")))
                as? [String: Any])
        XCTAssertEqual(
            try JSONSerialization.data(withJSONObject: shared["records"]!, options: .sortedKeys),
            try JSONSerialization.data(withJSONObject: records, options: .sortedKeys))
    }
}
