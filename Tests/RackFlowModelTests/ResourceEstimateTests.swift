import XCTest
import RackFlowTestSupport
import Foundation
@testable import RackFlowModel
import RackFlowNumerics

/// Extreme but valid requests are refused before allocation, with an estimate of cells,
/// memory and time (or frames, disk and time) and the key to change.
final class ResourceEstimateTests: XCTestCase {
    static let meshes = Repository.root.appendingPathComponent("Meshes")

    /// 1 mm on the one-node rack: ≈ 2.9 × 10⁸ cells, ≈ 200 GiB; refused by this machine's
    /// /proc/meminfo (the VM has 24 GiB) in a fraction of a second, nothing allocated.
    func testMillimetreSpacingIsRefused() throws {
        var c = try CaseFile.load(path: Self.meshes.appendingPathComponent("racks/one-node.yaml").path)
        c.setMaxSpacing(0.001)
        let t0 = Date()
        XCTAssertThrowsError(try c.genericCase.compile()) { e in
            let s = String(describing: e)
            print(s)
            XCTAssert(e is InputError, s)
            for x in [
                "one-node.yaml", "grid.maxSpacing", "million cells", "GiB of memory", "outer iterations", "available",
            ] {
                XCTAssert(s.contains(x), "'\(x)' not in: \(s)")
            }
        }
        XCTAssertLessThan(Date().timeIntervalSince(t0), 5)
    }

    /// The check compares with the memory it is given: the 3 cm rack (61,200 cells, ≈ 164 MiB)
    /// passes on a 1 GB machine and is refused on a 10 MB one.
    func testLimitFollowsAvailableMemory() throws {
        let c = try CaseFile.load(path: Self.meshes.appendingPathComponent("racks/one-node.yaml").path)
        let g = try c.genericCase.buildGrid(availableBytes: 1e9)
        XCTAssertEqual(g.cellCount, 61_200)
        XCTAssertThrowsError(try c.genericCase.buildGrid(availableBytes: 1e7)) { e in
            XCTAssert(String(describing: e).contains("61200 cells"), String(describing: e))
        }
    }

    /// Spacings far below anything that fits are refused per axis before the line arrays exist
    /// (and before Int(∞) could trap).
    func testAbsurdSpacingPerAxis() {
        var k = GridConstraints(maxSpacingM: 1e-9, maxNeighbourRatio: 1.3, minCellsAcrossPart: 0, minSpacingM: 1e-12)
        XCTAssertThrowsError(try GridGenerator.axis(lower: 0, upper: 1, edges: [], parts: [], constraints: k)) { e in
            XCTAssertEqual((e as? InputError)?.keyPath, "maxSpacingM")
        }
        k.maxSpacingM = 1e-300
        k.minSpacingM = 0
        XCTAssertThrowsError(try GridGenerator.axis(lower: 0, upper: 1, edges: [], parts: [], constraints: k))
    }

    /// 10,000 frames of the default rack: ≈ 50 GB of VDB caches; refused on a disk with 20 GB free.
    func testTenThousandFramesAreRefused() {
        let e = SurgeEstimate(
            cells: 568_480, nodes: 10, domainM3: 0.6 * 1.2 * 2.0, voxelSizeM: 0.02, framesStepped: 10_000,
            framesWritten: 10_000,
            stepsPerFrame: 1, outerPerStep: 3, idleIterations: 2_000)
        XCTAssertEqual(e.diskBytes, 0.6 * 1.2 * 2.0 / 8e-6 * 28 * 10_000, accuracy: 1)
        let why = e.refusal(availableMemory: 24e9, freeDisk: 20e9)
        XCTAssertNotNil(why)
        print(why ?? "")
        for x in ["10000 frames", "GiB of frames on disk", "free", "--frames"] {
            XCTAssert(why?.contains(x) == true, "'\(x)' not in: \(why ?? "")")
        }
        XCTAssertNil(e.refusal(availableMemory: 24e9, freeDisk: 100e12))
        XCTAssertNotNil(
            SurgeEstimate(
                cells: 1000, nodes: 1, domainM3: 1, voxelSizeM: 1e-300, framesStepped: 1, framesWritten: 1,
                stepsPerFrame: 1, outerPerStep: 1, idleIterations: 1
            ).refusal(availableMemory: nil, freeDisk: nil))
    }
}
