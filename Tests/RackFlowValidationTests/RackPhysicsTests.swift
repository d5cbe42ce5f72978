import XCTest
import RackFlowTestSupport
import Foundation
@testable import RackFlowModel
import RackFlowPhysics

/// Physical sense of a solved rack (issue 4): a 3-node rack built from the real node and part
/// files, solved to the same convergence rule as `rackflow solve` on a 3 cm grid.
final class RackPhysicsTests: XCTestCase {
    static let meshes = Repository.root.appendingPathComponent("Meshes").path

    /// A rack with nodes at units 2, 6, 10; `slot2` is extra YAML for the middle node.
    static func rack(flow: Double, slot2: String = "") throws -> CaseFile {
        let node = meshes + "/nodes/rm44-gb203-3gpu.yaml"
        let yaml = """
            name: three-node
            rack: {innerSize: [0.600, 1.200, 0.755], units: 14, unitHeight: 0.04445, firstUnitZ: 0.0665, frontY: 0.200}
            inlet: {flow: \(flow), temperature: 20}
            exhaust: {pressure: 0}
            nodes:
              - {name: node01, unit: 2, node: \(node)}
              - {name: node02, unit: 6, node: \(node)\(slot2)}
              - {name: node03, unit: 10, node: \(node)}
            grid: {maxSpacing: 0.03, maxNeighbourRatio: 2.0, minCellsAcrossPart: 1}
            solver: {maxIterations: 600}
            """
        let dir = try TemporaryFolder.make("rackflow-physics")
        let path = dir.appendingPathComponent("three-node.yaml").path
        try yaml.write(toFile: path, atomically: true, encoding: .utf8)
        defer { TemporaryFolder.remove(dir) }
        return try CaseFile.load(path: path)
    }

    static func solve(_ c: CaseFile) throws -> SolveSummary {
        let run = try SteadyRun.run(c)
        return run.summary
    }

    static let base: Result<SolveSummary, Error> = Result { try solve(try rack(flow: 0.24)) }

    func checkConverged(_ s: SolveSummary, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertTrue(s.converged, "not converged in \(s.iterations) iterations", file: file, line: line)
        XCTAssertLessThanOrEqual(s.balance.massImbalance, 1e-6, file: file, line: line)
        XCTAssertLessThanOrEqual(s.balance.energyError, 0.005, file: file, line: line)
    }

    func testEveryNodeGetsFlowAndHeatIsCarriedOut() throws {
        let s = try Self.base.get()
        checkConverged(s)
        let mean = s.nodes.map(\.flowM3PerS).reduce(0, +) / Double(s.nodes.count)
        for n in s.nodes {
            XCTAssertGreaterThan(n.flowM3PerS, 0.5 * mean, "\(n.name) starved")
            XCTAssertGreaterThan(n.outletC, n.inletC + 1, "\(n.name) exhaust not warmer than its intake")
            // Each node's own balance: its walls are adiabatic and its heat lies inside it, so the air
            // through it carries its heat, ρ c_p Q (T_out − T_in) = P, to the solve's 0.5 %. The upwind
            // mixed cup at the meshes fell 1.2 % short on the default rack at 4 cm.
            let air = Fluid.air
            let carried = air.densityKgPerM3 * air.specificHeatJPerKgK * n.flowM3PerS * (n.outletC - n.inletC)
            XCTAssertEqual(carried, n.powerW, accuracy: 0.005 * n.powerW, "\(n.name) heat balance")
        }
        // Heat into the air equals the parts' powers and PSU losses.
        XCTAssertEqual(
            s.balance.heatSourcesW, s.nodes.map(\.powerW).reduce(0, +), accuracy: 1e-6 * s.balance.heatSourcesW)
        // All the air that enters leaves through the node meshes (the rack is sealed).
        XCTAssertEqual(s.nodes.map(\.flowM3PerS).reduce(0, +), s.inletFlowM3PerS, accuracy: 1e-3 * s.inletFlowM3PerS)
    }

    func testBlockingOneMeshHeatsThatNodeAndFeedsTheOthers() throws {
        let s = try Self.base.get()
        let blocked = try Self.solve(
            try Self.rack(
                flow: 0.24,
                slot2: ", chassis: {part: ../parts/silverstone-rm44.yaml, frontMesh: {freeArea: 0.05}}"
                    .replacingOccurrences(of: "../parts", with: Self.meshes + "/parts")))
        checkConverged(blocked)
        let n2 = blocked.nodes[1], b2 = s.nodes[1]
        XCTAssertLessThan(n2.flowM3PerS, b2.flowM3PerS, "the blocked node's flow did not fall")
        for g in blocked.parts where g.node == "node02" && g.kind == "gpu" {
            let before = s.parts.first { $0.name == g.name }!
            XCTAssertGreaterThan(g.temperatureC, before.temperatureC, "\(g.name) did not get hotter")
        }
        for i in [0, 2] {
            XCTAssertGreaterThan(
                blocked.nodes[i].flowM3PerS, s.nodes[i].flowM3PerS, "\(s.nodes[i].name) did not get more air")
        }
    }

    func testHalvingTheBlowerFlowRaisesEveryExhaustTemperature() throws {
        let s = try Self.base.get()
        let half = try Self.solve(try Self.rack(flow: 0.12))
        checkConverged(half)
        for (a, b) in zip(s.nodes, half.nodes) {
            XCTAssertGreaterThan(b.outletC, a.outletC, "\(a.name): exhaust did not warm with half the flow")
        }
        XCTAssertGreaterThan(half.exhaustC, s.exhaustC)
    }
}
