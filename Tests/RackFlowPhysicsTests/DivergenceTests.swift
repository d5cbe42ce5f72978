import XCTest
import RackFlowNumerics
import RackFlowPhysics
import RackFlowBench

final class DivergenceTests: XCTestCase {
    /// Absurd over-relaxation makes SIMPLEC blow up: the solver must stop with the
    /// iteration, the field and the place, before any NaN reaches the fields.
    /// With the pseudo-time damping and its rewinds switched off (they absorb even this).
    func testAbsurdRelaxationStopsWithAClearMessage() throws {
        var o = SimpleOptions()
        o.velocityRelaxation = 1.9
        o.pressureRelaxation = 1.9
        o.maxIterations = 500
        o.pseudoTransient = false
        let s = try FlowSolver(Cavity.flowCase(n: 32, reynolds: 1000, threeD: false), options: o)
        XCTAssertThrowsError(try s.solveSteady()) { error in
            let text = "\(error)"
            print("divergence message: \(text)")
            guard case FlowSolverError.diverged = error else { return XCTFail("expected divergence, got \(text)") }
            XCTAssertTrue(text.contains("outer iteration"))
            XCTAssertTrue(text.contains("face (i=") || text.contains("cell (i="))
            XCTAssertTrue(text.contains("relaxation"))
        }
        for v in s.velocity + [s.pressure, s.temperature] {
            XCTAssertTrue(v.array.allSatisfy { $0.isFinite }, "a field holds NaN or Inf after the stop")
        }
    }

    /// The default steady solve absorbs the same absurd over-relaxation: runaways are rewound
    /// to the last healthy state under a lower Courant cap, each rewind is recorded, and the
    /// fields never hold a NaN.
    func testDefaultDampingAbsorbsAbsurdRelaxation() throws {
        var o = SimpleOptions()
        o.velocityRelaxation = 1.9
        o.pressureRelaxation = 1.9
        o.maxIterations = 300
        let s = try FlowSolver(Cavity.flowCase(n: 32, reynolds: 1000, threeD: false), options: o)
        do {
            try s.solveSteady()
        } catch FlowSolverError.notConverged {
            // Acceptable: what matters is that nothing diverged.
        }
        for v in s.velocity + [s.pressure, s.temperature] {
            XCTAssertTrue(v.array.allSatisfy { $0.isFinite }, "a field holds NaN or Inf")
        }
        XCTAssertLessThan(s.history.last!.mass, 1e-3)
        print(
            "absurd relaxation under default damping: \(s.history.count) iterations, adaptations "
                + "\(s.pseudo.adaptations)"
        )
    }
}
