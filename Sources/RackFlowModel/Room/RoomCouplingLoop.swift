import Foundation
import RackFlowPhysics

extension RoomCoupling {
    /// The coupled iteration as a `SimulationModel` (Physics/Run/Simulation.swift): a step is one
    /// coupling iteration (every rack solved at its flow, each rack's line through its last two
    /// solves, the network solved for the next flows); done when no rack's flow moves by more
    /// than `tolerance` of the mean, or after `maxIterations`. The final state is always the one
    /// the racks were last solved at. `state` is what a checkpoint keeps (RoomCheckpoint.swift).
    public final class Loop: SimulationModel {
        let network: PlenumNetwork
        let slopeFloors: [Double]
        let tolerance: Double
        let log: (String) -> Void
        let solveRacks: ([Double], Int) throws -> [RackSolveResult]
        var q: [Double]
        var prev: (q: [Double], p: [Double])?
        var lines: [PlenumNetwork.Line]
        var history: [Iteration]
        var results: [RackSolveResult]
        public private(set) var converged = false
        public let finalStep: Int

        /// `start`: a checkpoint's state, to continue from.
        public init(
            network: PlenumNetwork, designFlowsM3PerS: [Double], slopeFloors: [Double], tolerance: Double,
            maxIterations: Int, log: @escaping (String) -> Void, start: State?,
            solveRacks: @escaping ([Double], Int) throws -> [RackSolveResult]
        ) {
            self.network = network
            self.slopeFloors = slopeFloors
            self.tolerance = tolerance
            self.log = log
            self.solveRacks = solveRacks
            let n = designFlowsM3PerS.count
            q = start?.flowsM3PerS ?? designFlowsM3PerS
            prev = start?.previous
            lines =
                start?.lines
                ?? [PlenumNetwork.Line](repeating: PlenumNetwork.Line(interceptPa: 0, slopePaSPerM3: 1), count: n)
            history = start?.history ?? []
            results = start?.results ?? []
            // A resumed run takes at least the iteration it resumes at.
            finalStep = max(maxIterations, start?.nextIteration ?? 1)
        }

        public var step: Int { history.count }
        public var canCheckpoint: Bool { true }
        public var checkpointsStepZero: Bool { false }

        /// What a checkpoint keeps between two iterations.
        public var state: State {
            State(
                nextIteration: history.count + 1, flowsM3PerS: q, previousFlowsM3PerS: prev?.q,
                previousPressuresPa: prev?.p, lines: lines, history: history, results: results)
        }

        public func advance() throws -> Simulation.Outcome? {
            let it = history.count + 1
            let n = q.count
            let t0 = Date()
            results = try solveRacks(q, it)
            let p = results.map(\.inletPressurePa)
            for k in 0..<n {
                var b = 2 * abs(p[k]) / q[k]
                if let pr = prev {
                    let dq = q[k] - pr.q[k]
                    // The secant needs a flow change well above the solves' own noise (their
                    // pressures settle to ≈ 1e-4); otherwise the last slope stands.
                    b = abs(dq) > 1e-4 * q[k] ? (p[k] - pr.p[k]) / dq : lines[k].slopePaSPerM3
                }
                b = max(b, slopeFloors[k])
                lines[k] = PlenumNetwork.Line(interceptPa: p[k] - b * q[k], slopePaSPerM3: b)
            }
            let sol = try network.solve(lines: lines)
            let mean = q.reduce(0, +) / Double(n)
            let flowResidual = (0..<n).map { abs(sol.rackFlowsM3PerS[$0] - q[$0]) }.max()! / mean
            let pr = RoomCoupling.pressureResiduals(network: network, flows: q, pressures: p)
            history.append(
                Iteration(
                    iteration: it, rackFlowsM3PerS: q, inletPressuresPa: p, rackLines: lines,
                    nextFlowsM3PerS: sol.rackFlowsM3PerS, plenumPressurePa: sol.plenumPressurePa,
                    blowerRisePa: sol.blowerRisePa, flowResidual: flowResidual,
                    pressureResidualPa: pr.residuals.map(abs).max()!,
                    rackOuterIterations: results.map(\.outerIterations), seconds: Date().timeIntervalSince(t0)))
            log(
                String(
                    format:
                        "coupling %2d: flow residual %.2e, pressure residual %.3g Pa, plenum %.2f Pa, blowers %.5f "
                        + "m³/s, rack solves %@ outer iterations",
                    it, flowResidual, history.last!.pressureResidualPa, sol.plenumPressurePa, sol.blowerFlowM3PerS,
                    results.map { String($0.outerIterations) }.joined(separator: "/")))
            if flowResidual < tolerance {
                converged = true
                return .converged
            }
            // The final state is always the one the racks were solved at.
            guard it < finalStep else { return nil }
            prev = (q, p)
            q = sol.rackFlowsM3PerS
            return nil
        }

        /// The coupling's answer at the present state.
        public func result() -> Result {
            let p = results.map(\.inletPressurePa)
            let final = RoomCoupling.pressureResiduals(network: network, flows: q, pressures: p)
            let total = q.reduce(0, +)
            return Result(
                iterations: history, converged: converged, rackFlowsM3PerS: q, rackResults: results,
                blowerFlowM3PerS: total,
                blowerRisePa: final.rise, plenumPressurePa: final.plenum,
                perBlowerFlowM3PerS: network.blowers.map { PlenumNetwork.blowerFlow($0, risePa: final.rise) },
                blowerCurveMismatch: (network.totalBlowerFlow(risePa: final.rise) - total) / total,
                pressureResidualsPa: final.residuals)
        }
    }
}
