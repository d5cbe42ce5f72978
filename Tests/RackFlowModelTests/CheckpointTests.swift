import XCTest
import RackFlowTestSupport
import Foundation
import RackFlowNumerics
import RackFlowPhysics
@testable import RackFlowModel

/// A steady solve stopped at a checkpoint and resumed ends bitwise where the uninterrupted
/// solve ends (one-node rack, 61,200 cells, 40 outer iterations; ≈ 15 s in release).
final class CheckpointTests: XCTestCase {
    static let rack = Repository.root.appendingPathComponent("Meshes/racks/one-node.yaml").path

    func testSHA256Vectors() {
        XCTAssertEqual(SHA256.hex(Data()), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        XCTAssertEqual(SHA256.hex(Data("abc".utf8)), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        XCTAssertEqual(
            SHA256.hex(Data("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8)),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
    }

    func fields(_ s: FlowSolver) -> [[UInt64]] {
        (s.velocity + [s.pressure, s.temperature]).map { $0.array.map(\.bitPattern) }
    }

    func testInterruptedSolveResumesBitwise() throws {
        let dir = TemporaryFolder.unique("checkpoint")
        defer { TemporaryFolder.remove(dir) }
        var c = try CaseFile.load(path: Self.rack)
        c.genericCase.options.maxIterations = 40

        // Uninterrupted.
        let a = try SteadyRun.run(
            c, checkpoints: .init(folder: dir.appendingPathComponent("a.checkpoint"), every: nil, stop: { false }))
        XCTAssertEqual(a.solver.history.count, 40)

        // Asked to stop after iteration 13: it goes on to 20 (the next multigrid rebuild), checkpoints and stops.
        // Its cadence (every 30: none due before 20) is kept for the resume.
        var done = 0
        let folder = dir.appendingPathComponent("b.checkpoint")
        XCTAssertThrowsError(
            try SteadyRun.run(
                c, progress: { _, _ in done += 1 }, checkpoints: .init(folder: folder, every: 30, stop: { done >= 13 })
            )
        ) { e in
            XCTAssertEqual((e as? RunInterrupted)?.iteration, 20, "\(e)")
        }
        XCTAssertEqual(done, 20)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasPrefix(".") }
        XCTAssertEqual(leftovers, [], "a partial or old checkpoint folder was left behind")

        // Resumed from the file.
        let (h, state) = try Checkpoint.read(folder)
        XCTAssertEqual(h.iteration, 20)
        XCTAssertEqual(h.inputSHA256, try Checkpoint.sha256(of: Self.rack))
        XCTAssertEqual(h.scalars["checkpointEvery"], 30)
        let b = try SteadyRun.run(
            c, checkpoints: .init(folder: folder, every: nil, resume: (h, state), stop: { false }))
        XCTAssertEqual(b.solver.history.count, 40)
        XCTAssertEqual(fields(b.solver), fields(a.solver), "resumed fields differ from the uninterrupted run's")
        XCTAssertEqual(b.solver.history.map(\.mass.bitPattern), a.solver.history.map(\.mass.bitPattern))
        XCTAssertEqual(b.summary.parts.map(\.temperatureC.bitPattern), a.summary.parts.map(\.temperatureC.bitPattern))
        // The resumed run says so, and its seconds are those of the 20 iterations it made.
        XCTAssertNil(a.summary.resumedAtIteration)
        XCTAssertEqual(b.summary.resumedAtIteration, 20)
        XCTAssertEqual(b.summary.iterationsThisRun, 20)

        // The plain solveSteady path gives the same answer (SteadyLoop is the same rule).
        let plain = try SteadyRun.run(c)
        XCTAssertEqual(fields(plain.solver), fields(a.solver))
    }
}
