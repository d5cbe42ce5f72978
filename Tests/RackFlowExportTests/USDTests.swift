import XCTest
import RackFlowTestSupport
import Foundation
import RackFlowExport

/// The USD stage writer, checked by the OpenUSD library itself (`Tests/Python/check_usd.py`
/// in the repository's `.venv`, made by `./bootstrap.sh`).
final class USDTests: XCTestCase {
    var dir: URL!

    override func setUpWithError() throws {
        dir = try TemporaryFolder.make("rackflow-usd")
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: dir)
    }

    // MARK: fixtures

    typealias R = StageRecording

    /// A node type like an RM44 (0.43 × 0.66 × 0.176 m) with GPUs, a CPU and a fan wall blowing
    /// front → back (+y), origin at the chassis' min corner.
    static func nodeAsset(name: String = "rm44-test", fans: Int = 2) -> R.NodeAsset {
        let gpu = R.Colour(srgb: RGBA(40, 160, 60)), cpu = R.Colour(srgb: RGBA(150, 150, 160))
        var parts: [R.Part] = (0..<3).map { k in
            let x0 = 0.05 + 0.12 * Double(k)
            return R.Part(
                kind: "gpu", name: "GPU \(k + 1)",
                box: R.Box(min: SIMD3(x0, 0.25, 0.02), max: SIMD3(x0 + 0.04, 0.52, 0.13)), colour: gpu)
        }
        parts.append(
            R.Part(
                kind: "cpu", name: "CPU", box: R.Box(min: SIMD3(0.30, 0.40, 0.02), max: SIMD3(0.38, 0.48, 0.10)),
                colour: cpu))
        let fanList: [R.Fan] = (0..<fans).map { k in
            R.Fan(
                name: "fan \(k + 1)", centre: SIMD3(0.07 + 0.14 * Double(k), 0.20, 0.09), axis: SIMD3(0, 1, 0),
                radius: 0.06, bladeCount: 7)
        }
        return R.NodeAsset(name: name, size: SIMD3(0.43, 0.66, 0.176), parts: parts, fans: fanList)
    }

    /// `racks` racks of `nodes` nodes over `frames` frames (first frame 1); the rack at odd
    /// index faces the first across a 1.2 m aisle (rotated 180°). Fan 1 starts stopped and
    /// ramps to 12000 rpm; the others run at a steady 3000 rpm.
    static func recording(
        racks: Int = 2, nodes: Int = 2, frames: Int = 5, fansPerNode: Int = 2,
        upAxis: R.UpAxis = .y
    ) -> R {
        let asset = nodeAsset(fans: fansPerNode)
        let rackList: [R.Rack] = (0..<racks).map { ri in
            let row = ri % 2, col = ri / 2
            let placement =
                row == 0
                ? R.Placement(translation: SIMD3(0.6 * Double(col), 0, 0), rotationDegrees: 0)
                : R.Placement(translation: SIMD3(0.6 * Double(col) + 0.6, 1.2 + 2 * 1.07, 0), rotationDegrees: 180)
            let nodeList: [R.Node] = (0..<nodes).map { ni in
                let z0 = 0.1 + 0.2 * Double(ni)
                let chassis = R.Box(min: SIMD3(0.085, 0.2, z0), max: SIMD3(0.515, 0.86, z0 + 0.176))
                let phase = Double(ri * nodes + ni)
                let span = Double(max(1, frames - 1))
                func ramp(_ lo: Double, _ hi: Double) -> [Double] {
                    (0..<frames).map { (f: Int) -> Double in
                        let s: Double = (Double(f) - phase * 0.1) / span
                        return lo + (hi - lo) * min(1, max(0, s))
                    }
                }
                let telemetry: [String: [Double]] = [
                    R.Channel.utilisation: ramp(0.05, 1),
                    R.Channel.powerW: ramp(180, 1350),
                    R.Channel.gpuMaxC: ramp(32, 86),
                    R.Channel.cpuC: ramp(35, 61),
                    R.Channel.fanRPM: ramp(900, 3000),
                    R.Channel.airflowM3PerS: ramp(0.02, 0.09),
                    "inletC": ramp(24, 27),
                ]
                var rpm: [[Double]] = (0..<fansPerNode).map { _ in Array(repeating: 3000, count: frames) }
                let rampSpan = Double(max(1, frames - 2))
                if fansPerNode > 0 {
                    rpm[0] = (0..<frames).map { (f: Int) -> Double in f < 2 ? 0 : 12000 * Double(f - 1) / rampSpan }
                }
                return R.Node(
                    name: "node-\(ni + 1)", type: asset.name, chassis: chassis, telemetry: telemetry, fanRPM: rpm)
            }
            let name = "rack \(ri + 1)"
            return R.Rack(
                name: name, placement: placement, nodes: nodeList,
                vdbFiles: (1...frames).map { String(format: "vdb/rack_%02d/fields.%04d.vdb", ri + 1, $0) },
                fieldBounds: R.Box(min: SIMD3(0, 0, 0), max: SIMD3(0.6, 1.07, 2.0)))
        }
        return R(
            fps: 24, firstFrame: 1, lastFrame: frames, upAxis: upAxis, doc: "USDTests synthetic \"recording\"",
            nodeAssets: [asset], racks: rackList, heatmap: R.Heatmap(minC: 30, maxC: 90))
    }

    /// Empty stand-ins for the VDB files: the validators only resolve asset paths (the file must
    /// exist), they do not open VDBs; real files come from the VDB writer.
    static func placeholderVDBs(_ r: R, in dir: URL) throws {
        for rack in r.racks {
            for f in rack.vdbFiles {
                let url = dir.appendingPathComponent(f)
                try FileManager.default.createDirectory(
                    at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
                try Data().write(to: url)
            }
        }
    }

    /// Runs check_usd.py (PythonCheck: fails the test when the venv is missing); its JSON and status.
    func checkUSD(
        _ args: [String], file: StaticString = #filePath, line: UInt = #line
    ) throws -> (json: [String: Any], status: Int32) {
        guard let (status, json) = try PythonCheck.run("check_usd.py", args, file: file, line: line) else {
            throw XCTSkip("check_usd.py did not run (failure recorded above)")
        }
        return (json, status)
    }

    // MARK: text

    func testNumbersAreLocaleFreeAndDeterministic() {
        let cases: [(Double, Int, String)] = [
            (0, 7, "0"), (120, 7, "120"), (-0.25, 7, "-0.25"), (1.5e-7, 7, "1.5e-07"), (0.1 + 0.2, 7, "0.3"),
            (12_345_678, 7, "12345680"), (123.456789, 7, "123.4568"), (9.99999999, 7, "10"), (1e20, 7, "1e+20"),
            (0.00001, 7, "1e-05"), (0.000123, 7, "0.000123"), (0.000001234, 3, "1.23e-06"), (240.25, 12, "240.25"),
            (-3.5e15, 4, "-3.5e+15"),
            (0.5, 1, "0.5"), (99.96, 3, "100"), (Double.leastNonzeroMagnitude, 7, "4.940656e-324"),
            (1.7e308, 3, "1.7e+308"),
        ]
        for (x, sig, text) in cases {
            XCTAssertEqual(USDText.number(x, significant: sig), text, "\(x) with \(sig) digits")
        }
        XCTAssertEqual(USDText.quoted("a \"b\"\\\n\t\u{1}"), "\"a \\\"b\\\"\\\\\\n\\t\\x01\"")
        XCTAssertEqual(USDText.identifier("rm44-gb203 3gpu"), "rm44_gb203_3gpu")
        XCTAssertEqual(USDText.identifier("3gpu"), "_3gpu")
        XCTAssertEqual(USDText.assetPath("vdb/a.vdb"), "@./vdb/a.vdb@")
        XCTAssertEqual(USDText.csvField("a,\"b\""), "\"a,\"\"b\"\"\"")
    }

    func testFanSamplingRulesAndSpinIntegral() {
        let m = R.FanMotionModel()
        XCTAssertEqual(FanMotion.vibrationSamplesPerFrame(rpm0: 0, rpm1: 0, blades: 7, fps: 24, model: m), 1)
        // 3.5 Hz
        XCTAssertEqual(FanMotion.vibrationSamplesPerFrame(rpm0: 30, rpm1: 30, blades: 7, fps: 24, model: m), 1)
        // 4·7/24 → 2
        XCTAssertEqual(FanMotion.vibrationSamplesPerFrame(rpm0: 60, rpm1: 60, blades: 7, fps: 24, model: m), 2)
        // capped
        XCTAssertEqual(FanMotion.vibrationSamplesPerFrame(rpm0: 3000, rpm1: 3000, blades: 7, fps: 24, model: m), 4)
        // steady spin is exact with frame samples; a ramp of 256 rpm in a frame bends the angle by 8°
        XCTAssertEqual(FanMotion.spinSamplesPerFrame(rpm0: 12000, rpm1: 12000, fps: 24, model: m), 1)
        XCTAssertEqual(FanMotion.spinSamplesPerFrame(rpm0: 0, rpm1: 256, fps: 24, model: m), 4) // 8°/n² ≤ 1 → 4 (cap)
        XCTAssertEqual(FanMotion.spinSamplesPerFrame(rpm0: 0, rpm1: 64, fps: 24, model: m), 2) // 2°/n² ≤ 1 → 2
        // 6000 rpm = 100 rev/s = 1500° per frame at 24 fps; a ramp 6000 → 0 covers half of that
        let s = FanMotion.spin(rpm: [6000, 6000, 0, 6000], firstFrame: 10, fps: 24, phaseDeg: 0, model: m)
        XCTAssertEqual(s.map(\.time), [10, 11, 11.25, 11.5, 11.75, 12, 12.25, 12.5, 12.75, 13])
        XCTAssertEqual(s[1].value, 1500, accuracy: 1e-9)
        XCTAssertEqual(s[3].value, 1500 + 1500 * (0.5 - 0.125), accuracy: 1e-9)
        XCTAssertEqual(s[5].value, 2250, accuracy: 1e-9)
        XCTAssertEqual(s[9].value, 3000, accuracy: 1e-9)
        let v = FanMotion.vibration(
            rpm: [6000, 6000, 0, 6000], firstFrame: 10, fps: 24, blades: 7, phaseDeg: 0, model: m)
        XCTAssertEqual(v.count, 3 * 4 + 1)
        XCTAssertEqual(
            v[12].value, FanMotion.amplitudeM(rpm: 6000, model: m) * sin(7 * 3000 * .pi / 180), accuracy: 1e-15)
        XCTAssertEqual(v[0].value, 0) // blades at phase 0: no displacement
        XCTAssertEqual(
            v[2].value, FanMotion.amplitudeM(rpm: 6000, model: m) * sin(7 * 750 * .pi / 180), accuracy: 1e-15)
        XCTAssertEqual(FanMotion.amplitudeM(rpm: 20_000, model: m), 4 * m.referenceAmplitudeM, accuracy: 1e-15)
    }

    func testBadRecordingWritesNothing() throws {
        var r = Self.recording()
        r.racks[1].vdbFiles.removeLast()
        XCTAssertThrowsError(try USDStageWriter(r).write(to: dir)) { e in
            XCTAssertTrue("\(e)".contains("racks[1] 'rack 2'.vdbFiles"), "\(e)")
        }
        var q = Self.recording()
        q.racks[0].nodes[1].type = "nope"
        XCTAssertThrowsError(try USDStageWriter(q).write(to: dir)) { e in
            XCTAssertTrue("\(e)".contains("no node asset named 'nope'"), "\(e)")
        }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path), [])
    }

    // MARK: the stage, through OpenUSD

    func testStageOpensCleanInOpenUSDAndZUpDiffersOnlyInAxes() throws {
        let y = Self.recording(upAxis: .y), z = Self.recording(upAxis: .z)
        let ydir = dir.appendingPathComponent("y"), zdir = dir.appendingPathComponent("z")
        let report = try USDStageWriter(y).write(to: ydir)
        try USDStageWriter(z).write(to: zdir)
        try Self.placeholderVDBs(y, in: ydir)
        try Self.placeholderVDBs(z, in: zdir)
        XCTAssertEqual(
            report.files.map { $0.path }, ["assets/rm44-test.usda", "telemetry.csv", "fans.csv", "refinery.usda"])

        let gpu = "/Refinery/Racks/Rack_02/Node_01/Parts/GPU_1"
        let (json, status) = try checkUSD([
            ydir.appendingPathComponent("refinery.usda").path, "--up-axis", "Y",
            "--zup", zdir.appendingPathComponent("refinery.usda").path, "--bbox", gpu,
        ])
        let problems = json["problems"] as? [String] ?? ["(no problems list)"]
        XCTAssertEqual(status, 0, "check_usd.py: " + problems.joined(separator: "\n"))
        XCTAssertEqual(problems, [])
        let counts = json["counts"] as? [String: Any] ?? [:]
        print("check_usd.py counts: \(counts)")
        XCTAssertEqual(counts["nodes"] as? Int, 4)
        XCTAssertEqual(counts["volumes"] as? Int, 2)
        XCTAssertEqual(counts["vdbAssets"] as? Int, 12)
        XCTAssertEqual(counts["fans"] as? Int, 8)
        XCTAssertGreaterThan(counts["subFrameSamples"] as? Int ?? 0, 0)
        XCTAssertEqual(counts["prototypes"] as? Int, 2) // one node type, one rotor
        XCTAssertGreaterThan(counts["zupComparedAttributes"] as? Int ?? 0, 100)
        // 4 nodes × (7 telemetry channels + displayColor) + 8 fans × 3 curves
        XCTAssertEqual(counts["perFrameAttributes"] as? Int, 4 * 8 + 8 * 3)

        // The GPU's world box: rack 2 is turned 180° about z and moved; solver axes → Y-up.
        let rack = y.racks[1], node = rack.nodes[0], part = y.nodeAssets[0].parts[0]
        let lo = node.chassis.min + part.box.min, hi = node.chassis.min + part.box.max
        let t = rack.placement.translation // rotation by 180°: (x, y) → (−x, −y)
        let wlo = SIMD3(t.x - hi.x, t.y - hi.y, t.z + lo.z), whi = SIMD3(t.x - lo.x, t.y - lo.y, t.z + hi.z)
        let expected = [[wlo.x, wlo.z, -whi.y], [whi.x, whi.z, -wlo.y]] // (X, Y, Z) = (x, z, −y)
        let box = (json["bboxes"] as? [String: [[Double]]])?[gpu] ?? []
        XCTAssertEqual(box.count, 2)
        for (a, b) in zip(box.joined(), expected.joined()) {
            XCTAssertEqual(a, b, accuracy: 1e-6, "\(box) vs \(expected)")
        }
    }

    func testValidatorCatchesAMissingVDBFile() throws {
        let r = Self.recording(racks: 1, nodes: 1, frames: 3)
        try USDStageWriter(r).write(to: dir)
        try Self.placeholderVDBs(r, in: dir)
        try FileManager.default.removeItem(at: dir.appendingPathComponent(r.racks[0].vdbFiles[1]))
        let (json, status) = try checkUSD([dir.appendingPathComponent("refinery.usda").path])
        XCTAssertEqual(status, 1)
        let problems = (json["problems"] as? [String] ?? []).joined(separator: "\n")
        XCTAssertTrue(problems.contains("fields.0002.vdb"), problems)
    }

    func testTelemetryCSV() throws {
        let r = Self.recording(racks: 2, nodes: 2, frames: 3)
        try USDStageWriter(r).write(to: dir)
        let csv = try String(contentsOf: dir.appendingPathComponent("telemetry.csv"), encoding: .utf8)
        let lines = csv.split(separator: "\n")
        XCTAssertEqual(
            lines.first,
            "frame,timeS,rack,node,prim,nodeType,utilisation,powerW,gpuMaxC,cpuC,fanRPM,airflowM3PerS,inletC")
        XCTAssertEqual(lines.count, 1 + 3 * 4)
        XCTAssertTrue(
            lines[1].hasPrefix("1,0,rack 1,node-1,/Refinery/Racks/Rack_01/Node_01,rm44-test,0.05,180,32,"),
            String(lines[1]))
        XCTAssertTrue(lines[12].hasPrefix("3,0.0833333333,rack 2,node-2,"), String(lines[12]))
        let fans = try String(contentsOf: dir.appendingPathComponent("fans.csv"), encoding: .utf8).split(
            separator: "\n")
        XCTAssertEqual(fans.count, 1 + 3 * 4 * 2)
        XCTAssertEqual(fans[1], "1,0,rack 1,node-1,fan 1,/Refinery/Racks/Rack_01/Fans/Node_01_Fan1,0,0,0")
    }

    /// The 16-rack room (2 rows × 8), 10 nodes each, 240 frames: write time and sizes.
    func testRoomWriteTimeAndSize() throws {
        let r = Self.recording(racks: 16, nodes: 10, frames: 240, fansPerNode: 3)
        let report = try USDStageWriter(r).write(to: dir)
        let sizes = report.files.map { "\($0.path) \(String(format: "%.2f", Double($0.bytes) / 1e6)) MB" }.joined(
            separator: ", ")
        print(
            "USD room (16 racks × 10 nodes × 3 fans, 240 frames): \(String(format: "%.2f", report.seconds)) s, "
                + "\(String(format: "%.1f", Double(report.totalBytes) / 1e6)) MB: \(sizes)")
        XCTAssertLessThan(report.seconds, 30)
    }
}
