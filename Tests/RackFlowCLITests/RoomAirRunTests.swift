import XCTest
import RackFlowTestSupport
import Foundation
import RackFlowModel

/// `rackflow room --room-air` end to end on the stage test's quick room (two one-node racks at
/// 8 cm, one coupling iteration) with a coarse hall (15 cm near the racks): the hall's exhaust
/// patches carry the racks' measured flows, mass and heat balance, the tray probes come from the
/// solved air with the jet values as the check, and room/fields.vtr and room/vdb/room.vdb
/// (read back by OpenVDB: grids vel, temperature, speed, in metres) are written.
final class RoomAirRunTests: XCTestCase {
    static let scratch = FileManager.default.temporaryDirectory.appendingPathComponent(
        "rackflow-roomair-\(ProcessInfo.processInfo.processIdentifier)")
    override class func tearDown() { try? FileManager.default.removeItem(at: scratch) }

    func testRoomAirWritesFieldsAndSamplesTheTrays() throws {
        let bin = try CLI.rackflow()
        let dir = Self.scratch.appendingPathComponent(UUID().uuidString)
        let path = try RoomStageTests.room(dir)
        let hall = "hall: {spacing: 0.15, maxSpacing: 0.3, ceilingHeight: 1.2, margin: 0.3}\n"
        try (try String(contentsOfFile: path, encoding: .utf8) + "\n" + hall).write(
            toFile: path, atomically: true, encoding: .utf8)
        let out = dir.appendingPathComponent("out")
        let r = try RoomStageTests.run(
            bin, ["room", path, "--room-air", "--output", out.path, "--jobs", "2", "--quiet"])
        // 3: a rack stops at its 100 outer iterations (the quick racks) or the hall is
        // time-averaged, results written.
        XCTAssertTrue(r.status == 0 || r.status == 3, r.stderr)
        let s = try XCTUnwrap(
            JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("summary.json")))
                as? [String: Any])
        let air = try XCTUnwrap(s["roomAir"] as? [String: Any])
        let log = (try? String(contentsOf: out.appendingPathComponent("log.txt"), encoding: .utf8)) ?? ""
        // A steady answer, or (where the hall's plumes keep swaying) a time-averaged one.
        XCTAssertTrue(
            air["converged"] as? Bool == true || air["timeAveraged"] as? Bool == true,
            log.split(separator: "\n").filter { $0.contains("room air") }.joined())
        XCTAssertEqual(s["trayProbesSource"] as? String, "room air")
        XCTAssertLessThanOrEqual(try XCTUnwrap(air["relativeMassImbalance"] as? Double), 1e-6)
        XCTAssertLessThanOrEqual(try XCTUnwrap(air["relativeHeatError"] as? Double), 0.005)
        // Each exhaust patch carries its rack's measured flow, at its exhaust temperature.
        let racks = try XCTUnwrap(s["racks"] as? [[String: Any]])
        let exhausts = try XCTUnwrap(air["exhausts"] as? [[String: Any]])
        XCTAssertEqual(exhausts.count, 2)
        for (rack, e) in zip(racks, exhausts) {
            let q = try XCTUnwrap(rack["measuredInletFlowM3PerS"] as? Double)
            XCTAssertEqual(e["rack"] as? String, rack["name"] as? String)
            XCTAssertEqual(e["flowM3PerS"] as? Double, q)
            XCTAssertEqual(try XCTUnwrap(e["solvedFlowM3PerS"] as? Double), q, accuracy: 1e-12 * q)
            XCTAssertEqual(e["temperatureC"] as? Double, rack["exhaustC"] as? Double)
            // Fed with the rack's own exhaust profile, through sub-ducts (two across at 15 cm).
            XCTAssertNotNil(rack["exhaustProfile"] as? [String: Any])
            XCTAssertEqual(e["subDucts"] as? Int, 2)
        }
        // Tray probes: solved values in trayProbes, the jet check beside them, one per station.
        let probes = try XCTUnwrap(air["probes"] as? [[String: Any]])
        let trays = try XCTUnwrap(s["trayProbes"] as? [[String: Any]])
        XCTAssertEqual(probes.count, trays.reduce(0) { $0 + (($1["samples"] as? [Any])?.count ?? 0) })
        XCTAssertTrue(probes.allSatisfy { ($0["solvedTemperatureC"] as? Double)?.isFinite == true })
        let csv = try String(contentsOf: out.appendingPathComponent("room/tray-probes-check.csv"), encoding: .utf8)
        XCTAssertEqual(csv.split(separator: "\n").count, probes.count + 1)
        XCTAssertTrue(
            FileManager.default.fileExists(atPath: out.appendingPathComponent("room/fields.vtr").path))
        let report = try String(contentsOf: out.appendingPathComponent("report.md"), encoding: .utf8)
        XCTAssertTrue(report.contains("## Room air"))
        // The VDB, read back by OpenVDB.
        let vdbPath = out.appendingPathComponent("room/vdb/room.vdb").path
        guard let check = try PythonCheck.run("check_vdb.py", [vdbPath]) else { return }
        XCTAssertEqual(check.status, 0, "\(check.json)")
        let grids = try XCTUnwrap(check.json["grids"] as? [String: Any])
        XCTAssertTrue(Set(grids.keys).isSuperset(of: ["vel", "temperature", "speed"]), "\(grids.keys)")
        let t = try XCTUnwrap(grids["temperature"] as? [String: Any])
        let h = try XCTUnwrap(t["voxel_size"] as? [Double])
        XCTAssertEqual(h[0], 0.15, accuracy: 1e-9) // metres: the hall's near spacing
        // The stage's /Room/Air Volume reaches it, and the hall holds every rack.
        guard let stage = try PythonCheck.run("check_room_usd.py", [out.appendingPathComponent("room.usda").path])
        else { return }
        XCTAssertEqual(stage.status, 0, "\(stage.json["problems"] ?? "")")
        let files = try XCTUnwrap((stage.json["air"] as? [String: Any])?["vdb"] as? [String: Any])
        XCTAssertEqual(files.keys.map { URL(fileURLWithPath: $0).lastPathComponent }, ["room.vdb"])
    }

    /// `rackflow room --surge … --room-air` on the room surge tests' two quick racks, 4 frames,
    /// a coarse hall: frame 0 is the steady hall at the idle exhausts, then the hall is stepped at
    /// every frame's exhausts. Each frame's exhaust patches carry exactly the rack flows and
    /// exhaust temperatures of the frame record (the heat they bring in, ρ c_p Σ Q (T − T_supply),
    /// is the same multiple of the records' at every frame); mass holds at every frame end; one
    /// VDB per frame (read back by OpenVDB, smoke in `density`) behind the stage's /Room/Air.
    func testRoomSurgeStepsTheRoomAirFrameByFrame() throws {
        let bin = try CLI.rackflow()
        let (dir, room, scenario) = try RoomSurgeTests.inputs()
        defer { TemporaryFolder.remove(dir) }
        let hall = "hall: {spacing: 0.15, maxSpacing: 0.3, ceilingHeight: 1.2, margin: 0.3}\n"
        try (try String(contentsOfFile: room, encoding: .utf8) + "\n" + hall).write(
            toFile: room, atomically: true, encoding: .utf8)
        let out = dir.appendingPathComponent("air")
        let t0 = Date()
        let r = try RoomStageTests.run(
            bin, ["room", room, "--surge", scenario, "--room-air", "--output", out.path, "--quiet", "--jobs", "2"])
        // 3 only for a time-averaged idle hall (asserted below), results written.
        XCTAssertTrue(r.status == 0 || r.status == 3, r.stderr)
        print(String(format: "room surge with room air: %.1f s", Date().timeIntervalSince(t0)))
        let s = try XCTUnwrap(
            JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("summary.json")))
                as? [String: Any])
        XCTAssertEqual(s["trayProbesSource"] as? String, "room air")
        let idle = try XCTUnwrap(s["roomAir"] as? [String: Any])
        XCTAssertTrue(idle["converged"] as? Bool == true || idle["timeAveraged"] as? Bool == true, "\(idle)")
        XCTAssertEqual(
            r.status == 3, idle["converged"] as? Bool != true, "exit 3 exactly when the hall is time-averaged")
        XCTAssertLessThanOrEqual(try XCTUnwrap(idle["relativeHeatError"] as? Double), 0.005)
        // The racks' exhaust profiles, recorded frame by frame, feed the hall through sub-ducts.
        let idleExhausts = try XCTUnwrap(idle["exhausts"] as? [[String: Any]])
        XCTAssertEqual(idleExhausts.map { $0["subDucts"] as? Int }, [2, 2])
        let records = try XCTUnwrap(s["records"] as? [[String: Any]])
        let frames = try XCTUnwrap(s["roomAirFrames"] as? [[String: Any]])
        XCTAssertEqual(frames.count, records.count)
        XCTAssertEqual(records.count, 5)
        let supply = try XCTUnwrap(idle["supplyC"] as? Double)
        var ratios: [Double] = []
        for (rec, f) in zip(records, frames) {
            XCTAssertLessThanOrEqual(try XCTUnwrap(f["relativeMassImbalance"] as? Double), 1e-6)
            let racks = try XCTUnwrap(rec["racks"] as? [[String: Double]])
            let carried = racks.reduce(0.0) { $0 + $1["flowM3PerS"]! * ($1["exhaustC"]! - supply) }
            ratios.append(try XCTUnwrap(f["heatInW"] as? Double) / carried)
        }
        // ρ c_p of air, the same at every frame: the patches follow the records exactly.
        for q in ratios { XCTAssertEqual(q, ratios[0], accuracy: 1e-9 * ratios[0]) }
        XCTAssertEqual(ratios[0], 1.204 * 1006, accuracy: 0.05 * 1.204 * 1006)
        let smoke = try XCTUnwrap(frames.last?["maxSmoke"] as? Double)
        XCTAssertGreaterThan(smoke, 0.1, "the exhaust smoke spreads into the hall")
        XCTAssertEqual(frames.first?["maxSmoke"] as? Double, 0)
        // One VDB per frame; the last read back with the grids an artist needs.
        let last = out.appendingPathComponent("room/vdb/room.0004.vdb").path
        guard let check = try PythonCheck.run("check_vdb.py", [last]) else { return }
        XCTAssertEqual(check.status, 0, "\(check.json)")
        let grids = try XCTUnwrap(check.json["grids"] as? [String: Any])
        XCTAssertTrue(
            Set(grids.keys).isSuperset(of: ["vel", "temperature", "density", "speed", "turbulence"]), "\(grids.keys)")
        guard let stage = try PythonCheck.run("check_room_usd.py", [out.appendingPathComponent("room.usda").path])
        else { return }
        XCTAssertEqual(stage.status, 0, "\(stage.json["problems"] ?? "")")
        let files = try XCTUnwrap((stage.json["air"] as? [String: Any])?["vdb"] as? [String: Any])
        XCTAssertEqual(files.count, 5, "one room-air VDB per frame")
        let report = try String(contentsOf: out.appendingPathComponent("report.md"), encoding: .utf8)
        XCTAssertTrue(report.contains("## Room air"), report)
        let csv = try String(contentsOf: out.appendingPathComponent("room/tray-probes-check.csv"), encoding: .utf8)
        XCTAssertTrue(csv.hasPrefix("frame,tray,"))
    }
}
