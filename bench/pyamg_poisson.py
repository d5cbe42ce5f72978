"""The pyamg side of bench/poisson-vs-pyamg.sh.

Builds exactly the matrix and right-hand side of `rackflow bench poisson --constant`:
cell-centred finite volumes of -Δφ = f on the unit cube with N³ cells and φ = 0 on
every side (the boundary value sits half a cell from the centre, so a boundary face adds
2h to the diagonal where an interior face adds h and couples by -h), with
f = 1 + sin(3.1x + 0.4) cos(2.3y) (0.5 + z) integrated by the midpoint rule.
Solves it with pyamg's smoothed-aggregation solver as a CG preconditioner to the same
relative residual, times setup and solve, and compares the solution with RackFlow's.
"""
import json
import sys
import time

import numpy as np
import pyamg
import scipy.sparse as sp


def operator(n):
    h = 1.0 / n
    main = np.full(n, 2.0)
    main[0] = main[-1] = 3.0  # Dirichlet face: conductance 2h instead of h
    t = sp.diags([-np.ones(n - 1), main, -np.ones(n - 1)], [-1, 0, 1], format="csr")
    i = sp.identity(n, format="csr")
    # x fastest, then y, then z: the same ordering as RackFlow (i + n (j + n k)).
    a = sp.kron(i, sp.kron(i, t)) + sp.kron(i, sp.kron(t, i)) + sp.kron(t, sp.kron(i, i))
    return (h * a).tocsr()


def rhs(n):
    h = 1.0 / n
    c = (np.arange(n) + 0.5) * h
    z, y, x = np.meshgrid(c, c, c, indexing="ij")
    f = 1 + np.sin(3.1 * x + 0.4) * np.cos(2.3 * y) * (0.5 + z)
    return (f * h**3).ravel()


def main():
    n, tol, rackflow_json, rackflow_solution = int(sys.argv[1]), float(sys.argv[2]), sys.argv[3], sys.argv[4]
    a, b = operator(n), rhs(n)
    t0 = time.perf_counter()
    ml = pyamg.smoothed_aggregation_solver(a, symmetry="symmetric")
    t1 = time.perf_counter()
    residuals = []
    x = ml.solve(b, tol=tol, accel="cg", maxiter=500, residuals=residuals)
    t2 = time.perf_counter()
    relres = np.linalg.norm(b - a @ x) / np.linalg.norm(b)

    rf = json.load(open(rackflow_json))
    xr = np.fromfile(rackflow_solution, dtype="<f8")
    rf_total = rf["setupSeconds"] + rf["solveSeconds"]
    py_total = (t1 - t0) + (t2 - t1)
    diff = np.max(np.abs(xr - x)) / np.max(np.abs(x))
    print(f"problem: constant-coefficient Poisson, Dirichlet, {n}^3 = {n**3} cells, tolerance {tol:g}")
    print(f"pyamg {pyamg.__version__} SA+CG: setup {t1 - t0:.3f} s, solve {t2 - t1:.3f} s, "
          f"{len(residuals) - 1} iterations, relative residual {relres:.2e}")
    print(f"RackFlow MG+CG:    setup {rf['setupSeconds']:.3f} s, solve {rf['solveSeconds']:.3f} s, "
          f"{rf['iterations']} iterations, relative residual {rf['relativeResidual']:.2e}"
          f" (assembly {rf['assembleSeconds']:.3f} s, not counted on either side)")
    print(f"solutions agree to {diff:.1e} (max difference over max |x|)")
    print(f"ratio (pyamg setup+solve) / (RackFlow setup+solve) = {py_total / rf_total:.2f}")
    if diff > 1e-5:
        sys.exit("the two solutions disagree: not the same problem")


if __name__ == "__main__":
    main()
