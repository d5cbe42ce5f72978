import XCTest
import RackFlowTestSupport
import Foundation
import RackFlowModel
import RackFlowExport

/// The room's USD stage and cable-tray probes (issue 7), end to end on two quick one-node
/// racks (8 cm, one coupling iteration of at most 100 outer iterations per rack: the stage and
/// the probes need solved fields, not a converged room): A01 with the 3-GPU node, B01 with the
/// 4-GPU node (more heat), a tray above
/// each exhaust. The stage is opened and validated by usd-core (Tests/Python/check_room_usd.py),
/// its VDB files by OpenVDB; the probes must be finite, lie between the room air and the
/// hottest exhaust, agree with tray-probes.csv, and the hotter rack's tray must be warmer.
final class RoomStageTests: XCTestCase {
    static let repoRoot = RoomRunTests.repoRoot
    static let scratch = FileManager.default.temporaryDirectory.appendingPathComponent(
        "rackflow-roomstage-\(ProcessInfo.processInfo.processIdentifier)")
    override class func tearDown() { try? FileManager.default.removeItem(at: scratch) }

    static func run(_ exe: URL, _ args: [String]) throws -> (status: Int32, stderr: String) {
        let p = Process()
        p.executableURL = exe
        p.arguments = args
        let err = Pipe()
        p.standardError = err
        p.standardOutput = FileHandle.nullDevice
        try p.run()
        let text = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        return (p.terminationStatus, text)
    }

    static func quickRack(_ dir: URL, node: String, maxIterations: Int) throws -> String {
        let path = dir.appendingPathComponent("quick-\((node as NSString).deletingPathExtension).yaml").path
        try """
        rack: {innerSize: [0.600, 1.200, 0.400], units: 6, unitHeight: 0.04445, firstUnitZ: 0.0665, frontY: 0.200}
        inlet: {flow: 0.08, temperature: 20}
        exhaust: {pressure: 0}
        nodes: [{name: node01, unit: 2, node: \(repoRoot.appendingPathComponent("Meshes/nodes/\(node)").path)}]
        grid: {maxSpacing: 0.08, maxNeighbourRatio: 2.0, minCellsAcrossPart: 1}
        solver: {maxIterations: \(maxIterations)}
        """.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// A01 (3 GPUs) and B01 (4 GPUs); trays 0.3 m above the roofs over each exhaust's centre
    /// (found from the racks' compiled exhaust patches, so the test does not restate geometry).
    static func room(_ dir: URL) throws -> String {
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let a = try quickRack(dir, node: "rm44-gb203-3gpu.yaml", maxIterations: 100)
        let b = try quickRack(dir, node: "rm44-gb203-4gpu.yaml", maxIterations: 100)
        func yaml(_ trays: String) -> String {
            """
            name: stage-room
            layout: {rows: 2, racksPerRow: 1, pitch: 0.650, depth: 1.250, aisle: 1.200}
            rack: \(a)
            racks: [{name: B01, rack: \(b)}]
            plenum:
              blowers: [{name: b, curve: {flow: [0, 0.1, 0.2, 0.3], pressure: [40, 30, 15, 0], rpm: 3000}}]
              supply: {quadratic: 200}
              duct: {quadratic: 62.7}
            coupling: {tolerance: 0.01, maxIterations: 1}
            \(trays)
            """
        }
        let path = dir.appendingPathComponent("stage-room.yaml").path
        try yaml("").write(toFile: path, atomically: true, encoding: .utf8)
        let spec = try RoomSpec.load(path: path)
        var trays = "cableTrays:\n"
        for (k, name) in [(0, "over-A01"), (1, "over-B01")] {
            let e = try TrayProbes.Exhaust(
                spec: spec, rack: k, genericCase: try CaseFile.load(path: spec.racks[k].rackFile).genericCase,
                flowM3PerS: 0.08, temperatureC: 30)
            let y = (e.loM.y + e.hiM.y) / 2
            trays += "  - {name: \(name), x: [0, 0.65], y: \(y), z: \(e.roofZM + 0.3), width: 0.3}\n"
        }
        try yaml(trays).write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    func testRoomStageVolumesTelemetryAndTrayProbes() throws {
        let bin = try CLI.rackflow()
        let dir = Self.scratch.appendingPathComponent(UUID().uuidString)
        let path = try Self.room(dir)
        let out = dir.appendingPathComponent("out")
        let t0 = Date()
        let r = try Self.run(bin, ["room", path, "--output", out.path, "--quiet", "--jobs", "2"])
        XCTAssertTrue([0, 3].contains(r.status), r.stderr)
        let seconds = Date().timeIntervalSince(t0)
        let summary = try XCTUnwrap(
            JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("summary.json")))
                as? [String: Any])
        let racks = try XCTUnwrap(summary["racks"] as? [[String: Any]])
        let exhaust = Dictionary(uniqueKeysWithValues: racks.map { ($0["name"] as! String, $0["exhaustC"] as! Double) })
        let heat = Dictionary(uniqueKeysWithValues: racks.map { ($0["name"] as! String, $0["heatW"] as! Double) })
        XCTAssertGreaterThan(heat["B01"]!, heat["A01"]! + 50, "the 4-GPU rack must release more heat")
        XCTAssertGreaterThan(exhaust["B01"]!, exhaust["A01"]!)

        let stage = out.appendingPathComponent("room.usda")
        let size = try XCTUnwrap(FileManager.default.attributesOfItem(atPath: stage.path)[.size] as? Int)
        print("room stage test: run \(String(format: "%.1f", seconds)) s, room.usda \(size) bytes")
        guard let check = try PythonCheck.run("check_room_usd.py", [stage.path]) else { return }
        XCTAssertEqual(check.status, 0, "\(check.json["problems"] ?? "")")
        XCTAssertEqual((check.json["validation"] as? [Any])?.count, 0, "\(check.json["validation"] ?? "")")
        XCTAssertEqual(check.json["frames"] as? [Int], [1])

        // Racks: instanced rack types (two files, two layers), placed in their footprints, one
        // node each with telemetry equal to summary.json's, and their VDB files (rank 0 here).
        let stageRacks = try XCTUnwrap(check.json["racks"] as? [String: [String: Any]])
        XCTAssertEqual(Set(stageRacks.keys), ["A01", "B01"])
        XCTAssertNotEqual(
            stageRacks["A01"]?["rackTypeLayer"] as? String, stageRacks["B01"]?["rackTypeLayer"] as? String)
        for rack in racks {
            let name = rack["name"] as! String
            let s = try XCTUnwrap(stageRacks[name])
            XCTAssertEqual(s["nodeInstances"] as? Int, 1)
            let tel = try XCTUnwrap(s["telemetry"] as? [String: Double])
            XCTAssertEqual(
                try XCTUnwrap(tel["exhaustC"]), rack["exhaustC"] as! Double,
                accuracy: 1e-5 * abs(rack["exhaustC"] as! Double))
            XCTAssertEqual(try XCTUnwrap(tel["inletFlowM3PerS"]), rack["inletFlowM3PerS"] as! Double, accuracy: 1e-6)
            let node = try XCTUnwrap((s["nodes"] as? [String: [String: Double]])?["Node_01"])
            let sn = try XCTUnwrap((rack["nodes"] as? [[String: Any]])?.first)
            XCTAssertEqual(
                try XCTUnwrap(node["powerW"]), sn["powerW"] as! Double, accuracy: 1e-4 * (sn["powerW"] as! Double))
            XCTAssertEqual(try XCTUnwrap(node["airflowM3PerS"]), sn["flowM3PerS"] as! Double, accuracy: 1e-6)
            XCTAssertNotNil(node["gpuMaxC"])
            // The node's exhaust under the one-rack stage's name (it was `outletC` here).
            XCTAssertEqual(
                try XCTUnwrap(node["exhaustC"]), sn["outletC"] as! Double, accuracy: 1e-5 * (sn["outletC"] as! Double))
            // World bounds (Y up: X = x, Z = −y) inside the footprint.
            let b = try XCTUnwrap(s["bounds"] as? [[Double]])
            let origin = rack["originM"] as! [Double]
            XCTAssertGreaterThanOrEqual(b[0][0], origin[0] - 1e-6)
            XCTAssertLessThanOrEqual(b[1][0], origin[0] + 0.65 + 1e-6)
            XCTAssertGreaterThanOrEqual(-b[1][2], origin[1] - 1e-6)
            XCTAssertLessThanOrEqual(-b[0][2], origin[1] + 1.25 + 1e-6)
            let vdb = try XCTUnwrap((s["vdb"] as? [String: [String: Any]])?.values.first)
            XCTAssertEqual(vdb["rack"] as? String, name)
            XCTAssertEqual(vdb["rank"] as? String, "0")
            XCTAssertTrue(
                Set(vdb["grids"] as? [String] ?? []).isSuperset(of: ["temperature", "vel", "speed", "pressure"]))
        }

        // Trays: above every rack, finite, between room air and the hottest exhaust, warmer
        // above the hotter rack, the same numbers as tray-probes.csv.
        let trays = try XCTUnwrap(check.json["trays"] as? [String: [String: Any]])
        XCTAssertEqual(Set(trays.keys), ["over_A01", "over_B01"])
        let roofY = stageRacks.values.map { ($0["bounds"] as! [[Double]])[1][1] }.max()!
        let hottest = exhaust.values.max()!
        var maxC: [String: Double] = [:]
        var csvRows: [String: [Double]] = [:]
        let csv = try String(contentsOf: out.appendingPathComponent("tray-probes.csv"), encoding: .utf8).split(
            separator: "\n")
        XCTAssertEqual(
            csv.first,
            "frame,timeS,tray,station,xM,yM,zM,temperatureC,speedMPerS,"
                + "velocityXMPerS,velocityYMPerS,velocityZMPerS,vibrationAmplitudeM,vibrationFrequencyHz"
        )
        for row in csv.dropFirst() {
            let f = row.split(separator: ",")
            csvRows[String(f[2]), default: []].append(Double(f[7])!)
        }
        for (prim, t) in trays {
            let name = t["name"] as! String
            XCTAssertGreaterThan((t["bounds"] as! [[Double]])[0][1], roofY, "\(prim) must run above the racks")
            let temps = try XCTUnwrap((t["primvars"] as? [String: [String: [Double]]])?["temperatureC"]?["1"])
            let speeds = try XCTUnwrap((t["primvars"] as? [String: [String: [Double]]])?["speedMPerS"]?["1"])
            XCTAssertEqual(temps.count, t["points"] as? Int)
            for v in temps {
                XCTAssertTrue(v.isFinite)
                XCTAssertGreaterThanOrEqual(v, 20 - 1e-4, "\(prim)")
                XCTAssertLessThanOrEqual(v, hottest + 1e-4, "\(prim)")
            }
            XCTAssertTrue(speeds.allSatisfy { $0.isFinite && $0 >= 0 })
            XCTAssertGreaterThan(speeds.max()!, 0.05, "\(prim): the exhaust jet reaches the tray")
            maxC[name] = temps.max()!
            let attrs = try XCTUnwrap(t["attributes"] as? [String: [String: Double]])
            XCTAssertEqual(try XCTUnwrap(attrs["probe:maxTemperatureC"]?["1"]), temps.max()!, accuracy: 1e-4)
            XCTAssertGreaterThan(try XCTUnwrap(attrs["vibration:amplitudeM"]?["1"]), 0)
            let fromCSV = try XCTUnwrap(csvRows[name])
            XCTAssertEqual(fromCSV.count, temps.count)
            for (a, b) in zip(fromCSV, temps) { XCTAssertEqual(a, b, accuracy: 1e-4 * max(1, abs(a))) }
        }
        print("room stage test: exhaust \(exhaust), tray maxima \(maxC)")
        XCTAssertGreaterThan(
            maxC["over-B01"]!, maxC["over-A01"]! + 0.1, "the tray above the hotter rack must be warmer: \(maxC)")
        XCTAssertGreaterThan(maxC["over-A01"]!, 20.1, "the tray above A01 must feel its exhaust")
    }
}
