import RackFlowNumerics

/// The steady energy equation of a converged flow, held fixed: a linear operator whose
/// solutions superpose, for the thermal response model.
///
/// Description
///   With velocity and eddy diffusivity frozen, the steady energy equation
///
///     ∇·(ρ c_p u T) − ∇·(k_eff ∇T) = q'''
///
///   is linear in T and in the heat sources. Discretised with first-order upwind advection
///   (the solve's matrix, without van Leer's deferred correction) it reads
///
///     A T = b_bc + q,
///
///   b_bc the inlets, fixed-temperature walls and backflow, q the heat per cell (W), A an
///   M-matrix. The response to a heat source is θ = A⁻¹ q (K per W when q carries 1 W), and any
///   power vector P gives T = T_bc + Σ_g P_g θ_g with T_bc = A⁻¹ b_bc.
///
///   Why not the solve's second-order scheme: van Leer's limiter depends on T. Frozen at the
///   converged field it gives a linear operator that the solve's temperature satisfies exactly,
///   but one that is far from diagonally dominant (at high cell Péclet number the diagonal
///   keeps little more than the diffusion), and BiCGSTAB stalled on it: at 2e-2 on the 3 cm
///   default rack with Gauss–Seidel preconditioning by the upwind operator, at 5e-5 with 16
///   sweeps. The response model calibrates the upwind responses to the solve instead
///   (Model/Response/ResponseBuilder.swift).
///
///   Each solve is BiCGSTAB (van der Vorst 1992, SIAM J. Sci. Stat. Comput. 13(2)) preconditioned
///   by red–black Gauss–Seidel sweeps on A
///   (`SweepPreconditioner`), from the caller's guess.
///
/// Usage
///   | call                                  | result                                          |
///   | FrozenFlowEnergy(solver)              | A and b_bc at the solver's present flow         |
///   | solve(b, x, tolerance:)               | x ← A⁻¹ b (relative residual ≤ tolerance)       |
///   | batchedSolver(columns:)               | the same for many b at once (`BatchedBiCGSTAB`) |
///   | boundaryRHS                           | b_bc (no heat)                                  |
///   | solver.withTemperature(x) { … }       | evaluates the solver's monitors on the field x  |
public final class FrozenFlowEnergy {
    public let A: Stencil
    /// b_bc: the right-hand side with no heat. Solid rows hold the converged temperature.
    public let boundaryRHS: PaddedVector
    public let cellCount: Int
    let krylov: BiCGSTAB
    let preconditioner: SweepPreconditioner
    let pad: Int

    public init(_ solver: FlowSolver, preconditionerSweeps: Int = 4) {
        solver.assembleEnergy(.frozenTemperature)
        let e = solver.energy
        let n = e.count
        cellCount = n
        pad = e.pad
        A = Stencil(nx: e.nx, ny: e.ny, nz: e.nz)
        for (from, to) in [
            (e.aP, A.aP), (e.aW, A.aW), (e.aE, A.aE), (e.aS, A.aS), (e.aN, A.aN), (e.aB, A.aB),
            (e.aT, A.aT),
        ] {
            BLAS.copy(n, from.p, to.p)
        }
        boundaryRHS = PaddedVector(count: n, pad: solver.pad)
        BLAS.copy(n, solver.rhs.p, boundaryRHS.p)
        krylov = BiCGSTAB(A)
        preconditioner = SweepPreconditioner(A, sweeps: preconditionerSweeps)
    }

    /// A lockstep solver for up to `columns` right-hand sides at once, with this operator's
    /// preconditioner sweeps.
    public func batchedSolver(columns: Int) -> BatchedBiCGSTAB {
        BatchedBiCGSTAB(A, columns: columns, sweeps: preconditioner.sweeps)
    }

    /// A vector of one value per cell, padded as the operator needs.
    public func makeVector() -> PaddedVector { PaddedVector(count: cellCount, pad: max(pad, A.pad)) }

    /// Solves A x = b from the guess in x to `tolerance` relative to ‖b‖; returns the iterations.
    @discardableResult
    public func solve(
        _ b: PaddedVector, _ x: PaddedVector, tolerance: Double = 1e-10,
        maxIterations: Int = 2000
    ) throws -> Int {
        let report = try krylov.solve(
            b, x, preconditioner: preconditioner,
            options: KrylovOptions(tolerance: tolerance, maxIterations: maxIterations))
        return report.iterations
    }
}

extension FlowSolver {
    /// Runs `body` with the cell temperatures replaced by `field` (the monitors, mixed-cup
    /// temperatures and part air temperatures then read that field), and puts them back.
    public func withTemperature<R>(_ field: PaddedVector, _ body: () throws -> R) rethrows -> R {
        let n = flow.grid.cellCount
        let saved = PaddedVector(count: n, pad: 0)
        BLAS.copy(n, temperature.p, saved.p)
        BLAS.copy(n, field.p, temperature.p)
        defer { BLAS.copy(n, saved.p, temperature.p) }
        return try body()
    }
}
