import XCTest
import RackFlowTestSupport
import Foundation
import RackFlowModel
import RackFlowExport

/// The seed's claims checked in `compare`: the arithmetic from the part files, the electrical
/// check on the dismissed RTX PRO 6000, the limit advice verified by re-solves, and every number
/// of the claims table and the recommendation found in `comparison.json`.
final class ClaimsTests: XCTestCase {
    static let meshes = CompareTests.meshes

    static func comparison(_ args: [String], summaries: [SolveSummary]? = nil) throws -> Comparison {
        let rack = meshes + "/racks/refinery-rack.yaml"
        let ls = try Layouts.resolve(args, baseRack: rack, meshes: meshes)
        return Comparison(
            layouts: ls, summaries: try summaries ?? ls.map { try CompareTests.emptySummary($0.name) },
            settings: CompareSettings(), seedNodes: SeedNodes.load(meshes: meshes))
    }

    func claim(_ c: Comparison, _ id: String) throws -> Claim { try XCTUnwrap(c.claims.first { $0.id == id }, id) }

    /// A user's own hardware (no seed node type in any layout) gets no verdicts on the seed's
    /// claims: a 2U two-GPU rack was told the seed's "$1.58 M saving" holds.
    func testOwnHardwareGetsNoSeedClaims() throws {
        let dir = try TemporaryFolder.make("own-hardware")
        defer { TemporaryFolder.remove(dir) }
        let seedNode = try String(contentsOfFile: Self.meshes + "/nodes/rm44-gb203-3gpu.yaml", encoding: .utf8)
        let own = seedNode.replacingOccurrences(of: "name: rm44-gb203-3gpu", with: "name: my-node")
            .replacingOccurrences(of: "../parts/", with: Self.meshes + "/parts/")
        try own.write(to: dir.appendingPathComponent("my-node.yaml"), atomically: true, encoding: .utf8)
        let seedRack = try String(contentsOfFile: try CompareTests.twoNodeRack(name: "own"), encoding: .utf8)
        let rack = dir.appendingPathComponent("own.yaml").path
        try seedRack.replacingOccurrences(
            of: Self.meshes + "/nodes/rm44-gb203-3gpu.yaml", with: dir.path + "/my-node.yaml"
        )
        .write(toFile: rack, atomically: true, encoding: .utf8)
        let ls = try Layouts.resolve([rack, "gpu.powerW=250,name=hot"], baseRack: rack, meshes: Self.meshes)
        XCTAssertEqual(ls.first.map { $0.rack.slots.map(\.type.name) }, ["my-node", "my-node"])
        let c = Comparison(
            layouts: ls, summaries: try ls.map { try CompareTests.emptySummary($0.name) }, settings: CompareSettings(),
            seedNodes: SeedNodes.load(meshes: Self.meshes))
        XCTAssertTrue(c.claims.isEmpty, "\(c.claims.map(\.id))")
        XCTAssertNil(c.seedClaim)
        let report = CompareReport.markdown(c, pictures: [])
        XCTAssertFalse(report.contains("seed's claims") || report.contains("seed's saving") || report.contains("1.58"))
        let seeded = try Self.comparison([Self.meshes + "/racks/refinery-rack.yaml"])
        XCTAssertFalse(seeded.claims.isEmpty, "the seed's own rack keeps its claims")
        XCTAssertNotNil(seeded.seedClaim)
    }

    /// The claims about power, memory and money follow from the part files alone.
    func testClaimsFromThePartFiles() throws {
        let c = try Self.comparison([Self.meshes + "/racks/refinery-rack.yaml"])
        XCTAssertEqual(c.seedNodes.map(\.role), ["seed", "fourGPU", "pro5000", "pro6000"])
        // 3 GPUs, the CPU at its 500 W peak (the seed's basis): 40 + 8 × 8 + 500 + 3 × 200 + 25 = 1229 W ≈ 1,200 W.
        let seed = c.seedNodes[0]
        XCTAssertEqual(seed.power.dcPeakW, 1229, accuracy: 1e-9)
        XCTAssertEqual(try claim(c, "nodePower").status, .holds)
        // PSU load 1229 / 1600 = 76.8 %: within 10 % of the seed's ~75 %.
        XCTAssertEqual(try claim(c, "psuLoad").status, .holds)
        XCTAssertEqual(try claim(c, "cpuPeak").status, .cannotBeChecked)
        // 4 GPUs with the CPU at peak: 40 + 64 + 500 + 800 = 1404 W ≈ 1,400 W, 87.75 % of the PSU.
        XCTAssertEqual(c.seedNodes[1].power.dcPeakW, 1404, accuracy: 1e-9)
        XCTAssertEqual(try claim(c, "fourGPUPeak").status, .holds)
        // The PRO 5000 drop-in: 900 W of GPUs; 1529 W with the CPU at peak is past 90 % of 1600 W.
        XCTAssertEqual(c.seedNodes[2].gpuTotalW, 900, accuracy: 1e-9)
        XCTAssertEqual(try claim(c, "dropIn900W").status, .partlyHolds)
        // The PRO 6000: 3 × 600 W alone exceed the PSU.
        XCTAssertEqual(c.seedNodes[3].power.dcNominalW, 40 + 64 + 350 + 1800 + 25, accuracy: 1e-9)
        XCTAssertEqual(try claim(c, "pro6000").status, .holds)
        // RAM: 8 × 64 GB − 340 GB of weights − 32 GB for the OS leaves 140 GB for the KV cache.
        let ram = try claim(c, "ramFit")
        XCTAssertEqual(try XCTUnwrap(ram.values["kvCacheGB"]), 512 - 340 - 32, accuracy: 1e-9)
        XCTAssertEqual(ram.status, .holds)
        // Node price from every priced part, and the memory's share of it.
        // chassis, board, CPU, cooler, 8 modules, 3 GPUs, NIC, PSU, 3 fans
        let lines: [Double] = [350, 1300, 3900, 110, 8 * 350, 3 * 2999, 1600, 500, 3 * 20]
        let prices = lines.reduce(0, +)
        XCTAssertEqual(seed.cost.totalUSD, prices, accuracy: 1e-9)
        XCTAssertEqual(seed.cost.memorySharePct, 100 * 2800 / prices, accuracy: 1e-9)
        XCTAssertEqual(c.layouts[0].figures.cost.totalUSD, prices, accuracy: 1e-9)
        XCTAssertEqual(c.layouts[0].figures.rackPriceUSD, 10 * prices, accuracy: 1e-6)
        XCTAssertEqual(try claim(c, "saving").status, .holds)
        XCTAssertEqual(try claim(c, "tflopsPerDollar").status, .holds)
        // One layout cannot judge the airflow claim.
        XCTAssertEqual(try claim(c, "airflow").status, .cannotBeChecked)
    }

    /// The card the seed dismissed, as a layout: the electrical check flags every node's PSU at
    /// nominal load, and the recommendation cannot choose it.
    func testPRO6000IsFlaggedPastThePSU() throws {
        let c = try Self.comparison([Self.meshes + "/racks/refinery-rack.yaml", "rm44-gb202-6000"])
        let f = c.layouts[1].figures
        let psu = f.crossings.filter { $0.kind == "psu" }
        XCTAssertEqual(psu.count, 10)
        XCTAssertEqual(psu[0].condition, "at nominal load")
        XCTAssertEqual(psu[0].value, 100 * 2279 / 1600, accuracy: 1e-9)
        XCTAssertEqual(f.compute.gpuModel, "RTX PRO 6000")
        XCTAssertEqual(c.recommendation.choice, "refinery-rack")
        XCTAssertTrue(
            c.recommendation.text.contains("every node's PSU at 142.4 % at nominal load"), c.recommendation.text)
    }

    /// The same card as an override on the small rack: both nodes' PSUs past the limit.
    func testPRO6000OverrideOnTheSmallRackIsFlagged() throws {
        let rack = try CompareTests.twoNodeRack(name: "pro6000-rack")
        let card = Self.meshes + "/parts/rtx-pro-6000.yaml"
        let ls = try Layouts.resolve(["gpu=\(card),name=pro6000"], baseRack: rack, meshes: Self.meshes)
        let c = Comparison(
            layouts: ls, summaries: try ls.map { try CompareTests.emptySummary($0.name) }, settings: CompareSettings())
        let psu = c.layouts[0].figures.crossings.filter { $0.kind == "psu" }
        XCTAssertEqual(psu.map(\.what), ["node01", "node02"])
        let dc: Double = 40 + 64 + 350 + 1800 + 25 // board, 8 modules, CPU at TDP, 3 × 600 W, NIC
        XCTAssertEqual(psu[0].value, 100 * dc / 1600, accuracy: 1e-9)
        XCTAssertNil(c.recommendation.choice)
    }

    /// A summary whose one part, a NIC, has `marginK` left.
    static func summary(_ name: String, nicMarginK marginK: Double) throws -> SolveSummary {
        var s = try CompareTests.emptySummary(name)
        let part = """
            {"name": "node03/nic", "node": "node03", "kind": "nic", "model": "ConnectX-7", "powerW": 25, \
            "airC": 40, "airSpeedMPerS": 0.2, "temperatureC": \(105 - marginK), "limitC": 105, "marginK": \(marginK)}
            """
        s.parts = [try JSONDecoder().decode(SolveSummary.Part.self, from: Data(part.utf8))]
        return s
    }

    /// Hotter GPUs on the same hardware: the least margins (a NIC the GPUs barely touch) differ by
    /// 0.03 K, below what two solves settled to 0.05 K each tell apart. That is a tie, and the
    /// compute per kW decides for the cooler layout. A real difference of 0.5 K still decides.
    func testLeastMarginsWithinTheSolvesToleranceAreATie() throws {
        let args = [Self.meshes + "/racks/refinery-rack.yaml", "gpu.powerW=250,name=hot-gpus"]
        let tie = try Self.comparison(
            args,
            summaries: [
                try Self.summary("refinery-rack", nicMarginK: 5.4163), try Self.summary("hot-gpus", nicMarginK: 5.4450),
            ])
        XCTAssertGreaterThan(
            tie.layouts[0].figures.compute.tflopsPerKW, tie.layouts[1].figures.compute.tflopsPerKW)
        XCTAssertEqual(tie.recommendation.choice, "refinery-rack", tie.recommendation.text)
        XCTAssertTrue(tie.recommendation.text.contains("agree within 0.1 K"), tie.recommendation.text)
        let apart = try Self.comparison(
            args,
            summaries: [
                try Self.summary("refinery-rack", nicMarginK: 4.9), try Self.summary("hot-gpus", nicMarginK: 5.4),
            ])
        XCTAssertEqual(apart.recommendation.choice, "hot-gpus", apart.recommendation.text)
        XCTAssertTrue(apart.recommendation.text.contains("largest least margin"), apart.recommendation.text)
    }

    // MARK: - Solved: the NIC's crossing, removed and advised

    /// The small rack with a hotter NIC (32 W), which crosses its 105 °C limit, and the same with
    /// the NIC at 0 W.
    static let hotNIC: Result<(layouts: [CompareLayout], runs: [SteadyRun], advice: [LimitAdvice]), Error> = Result {
        let rack = try CompareTests.twoNodeRack(name: "claims-rack")
        let ls = try Layouts.resolve(
            ["nic.powerW=32,name=hot-nic", "nic.powerW=0,name=cold-nic"], baseRack: rack, meshes: meshes)
        let runs = try CompareRunner.solve(ls, jobs: 2, configure: { $0.maxIterations = 2000 })
        return (ls, runs, try LimitAdvice.advise(runs: runs, layouts: ls, withinK: 2))
    }

    func testRemovingTheNICsPowerRemovesItsCrossing() throws {
        let (ls, runs, _) = try Self.hotNIC.get()
        XCTAssertTrue(runs.allSatisfy(\.summary.converged))
        let c = Comparison(
            layouts: ls, summaries: runs.map(\.summary), settings: CompareSettings())
        let hot = c.layouts[0].figures.crossings.filter { $0.kind == "part" && $0.what.hasSuffix("/nic") }
        XCTAssertFalse(hot.isEmpty, "the 32 W NIC should cross its limit: \(c.layouts[0].figures.crossings)")
        let cold = c.layouts[1].figures.crossings.filter { $0.what.hasSuffix("/nic") }
        XCTAssertTrue(cold.isEmpty, "\(cold)")
    }

    /// The advice's supply flow and its power each bring the NIC within its limit in a re-solve
    /// (to 0.5 K).
    func testAdviceBringsThePartWithinItsLimit() throws {
        let (ls, _, advice) = try Self.hotNIC.get()
        let rack = URL(fileURLWithPath: ls[0].caseFile.path).path
        let nics = advice.filter { $0.layout == "hot-nic" && $0.part.hasSuffix("/nic") && $0.marginK < 0 }
        XCTAssertFalse(nics.isEmpty)
        let worst = try XCTUnwrap(nics.max { ($0.requiredSupplyFlowM3PerS ?? 0) < ($1.requiredSupplyFlowM3PerS ?? 0) })
        let supply = try XCTUnwrap(worst.requiredSupplyFlowM3PerS)
        XCTAssertGreaterThan(supply, worst.supplyFlowM3PerS)
        let leastPower = try XCTUnwrap(nics.map(\.fitPowerW).min())
        XCTAssertTrue(leastPower > 0 && leastPower < 32, "\(leastPower)")
        let checks = try Layouts.resolve(
            [
                "nic.powerW=32,inlet.flow=\(supply),name=advised-flow",
                "nic.powerW=\(leastPower),name=advised-power",
            ], baseRack: rack, meshes: Self.meshes)
        let runs = try CompareRunner.solve(checks, jobs: 2, configure: { $0.maxIterations = 2000 })
        for run in runs {
            XCTAssertTrue(run.summary.converged)
            for p in run.summary.parts where p.name.hasSuffix("/nic") {
                XCTAssertLessThanOrEqual(p.temperatureC, p.limitC + 0.5, "\(run.summary.caseName): \(p.name)")
            }
        }
    }

    // MARK: - Every number printed is in comparison.json

    /// `text` stripped of names in backticks prints exactly `numbers`, and each is the value at its
    /// key in the file, at its decimals.
    func assertNumbers(_ text: String, _ numbers: [[String: Any]], in j: [String: Any]) throws {
        let plain = text.replacingOccurrences(of: "`[^`]*`", with: "", options: .regularExpression)
        let re = try NSRegularExpression(pattern: "-?[0-9]+(\\.[0-9]+)?")
        let printed = re.matches(in: plain, range: NSRange(plain.startIndex..., in: plain)).map {
            String(plain[Range($0.range, in: plain)!])
        }
        XCTAssertEqual(printed, numbers.map { $0["text"] as! String }, text)
        for n in numbers {
            let key = n["key"] as! String, scale = (n["scale"] as! NSNumber).doubleValue,
                d = (n["decimals"] as! NSNumber).intValue
            let v = try XCTUnwrap(Comparison.value(j, key), key)
            XCTAssertEqual(Comparison.format(v * scale, d), n["text"] as? String, key)
        }
    }

    func testClaimsAndRecommendationNumbersAreThoseOfComparisonJSON() throws {
        let (_, dir) = try CompareTests.solved.get()
        let data = try Data(contentsOf: dir.appendingPathComponent("comparison.json"))
        let j = try XCTUnwrap(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let md = try String(contentsOf: dir.appendingPathComponent("report.md"), encoding: .utf8)
        let lines = md.components(separatedBy: "\n")
        XCTAssertEqual(lines[2], "## Recommendation")
        XCTAssertEqual(lines[6], "## The seed's claims, checked")
        let rec = try XCTUnwrap(j["recommendation"] as? [String: Any])
        XCTAssertEqual(lines[4], rec["text"] as? String)
        try assertNumbers(rec["text"] as! String, try XCTUnwrap(rec["numbers"] as? [[String: Any]]), in: j)
        let claims = try XCTUnwrap(j["claims"] as? [[String: Any]])
        XCTAssertEqual(claims.count, 11)
        for c in claims {
            let text = (c["figure"] as! String) + " " + (c["assumption"] as! String)
            try assertNumbers(text, try XCTUnwrap(c["numbers"] as? [[String: Any]]), in: j)
            XCTAssertTrue(md.contains(c["figure"] as! String), c["id"] as! String)
        }
        // The fixture has a 3-GPU layout with its NIC and a 4-GPU one: the airflow claim is judged.
        let airflow = try XCTUnwrap(claims.first { $0["id"] as? String == "airflow" })
        XCTAssertNotEqual(airflow["status"] as? String, "cannot be checked")
    }
}
