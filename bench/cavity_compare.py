"""Helper of bench/cavity-vs-openfoam.sh (plain Python 3, no third-party modules).

  cavity_compare.py extract CASE OUTDIR
      Reads the converged OpenFOAM case CASE (latest time directory, ASCII fields U and
      the cell centres C written by `postProcess -func writeCellCentres`) and writes the
      centreline profiles in RackFlow's format:
        OUTDIR/u_vertical.csv    header `y,u`: u along x = 0.5, z = 0.5
        OUTDIR/v_horizontal.csv  header `x,v`: v along y = 0.5, z = 0.5
      For a uniform N^3 grid with N even the lines run along cell edges (x = 0.5 and
      z = 0.5 are faces), so each sample is the bilinear interpolation of the cell-centre
      values to the line, which is the plain average of the four cells around it, taken at
      every cell-centre height (N points). With N odd the line passes through cell centres
      and the single column is used. The wall values are added at both ends
      (u = 0 at y = 0, u = U_lid at y = 1; v = 0 at x = 0 and x = 1), so N + 2 rows.
      Cells are located by their centres, not by an assumed ordering.

  cavity_compare.py summarize LOG N TOL NP SOLVER_SECONDS TOTAL_SECONDS BUSY_CORE_SECONDS
      Prints one JSON object for an OpenFOAM run from its simpleFoam log. BUSY_CORE_SECONDS
      is the CPU time the whole machine spent during the solver run (from /proc/stat); what
      OpenFOAM did not use of it was other work competing for the cores.

  cavity_compare.py diff DIR_A DIR_B
      Prints the largest difference between two sets of profiles (as `report` does).

  cavity_compare.py report --n N --tol TOL --openfoam JSON[,JSON...] --openfoam-profiles DIR
                           [--rackflow JSON --rackflow-profiles DIR] [--out JSON]
      Prints the side-by-side table: wall times, the ratio OpenFOAM / RackFlow, and the
      largest difference between the two centreline profiles on common points (the union
      of both sets of sample points; each profile is interpolated linearly between its own
      points, wall values included), as a fraction of the lid speed.
"""
import json
import math
import os
import re
import sys

U_LID = 1.0
SAMPLE_POINTS = (0.0625, 0.1, 0.25, 0.5, 0.75, 0.9, 0.9375)


# ---------------------------------------------------------------- OpenFOAM fields

def latest_time(case):
    times = []
    for name in os.listdir(case):
        try:
            t = float(name)
        except ValueError:
            continue
        if t > 0 and os.path.isdir(os.path.join(case, name)):
            times.append((t, name))
    if not times:
        sys.exit(f"cavity_compare.py: no solution time directory in {case}")
    return max(times)[1]


def read_vector_field(path):
    """internalField of an ASCII volVectorField, as a list of (x, y, z)."""
    with open(path) as f:
        text = f.read()
    m = re.search(r"internalField\s+nonuniform\s+List<vector>\s*(\d+)\s*\(", text)
    if not m:
        sys.exit(f"cavity_compare.py: {path}: no ASCII nonuniform vector internalField")
    count = int(m.group(1))
    body = text[m.end():]
    values = []
    for match in re.finditer(r"\(\s*([-+.\deE]+)\s+([-+.\deE]+)\s+([-+.\deE]+)\s*\)", body):
        values.append((float(match.group(1)), float(match.group(2)), float(match.group(3))))
        if len(values) == count:
            break
    if len(values) != count:
        sys.exit(f"cavity_compare.py: {path}: read {len(values)} of {count} values")
    return values


def line_weights(n, at=0.5):
    """Cell indices and weights that interpolate cell-centre values to coordinate `at`."""
    s = at * n - 0.5                      # fractional cell index of `at`
    i0 = math.floor(s + 1e-9)
    w = s - i0
    if w < 1e-9:
        return [(i0, 1.0)]
    return [(i0, 1.0 - w), (i0 + 1, w)]


def extract(case, outdir):
    time = latest_time(case)
    centres = read_vector_field(os.path.join(case, time, "C"))
    velocity = read_vector_field(os.path.join(case, time, "U"))
    cells = len(centres)
    n = round(cells ** (1.0 / 3.0))
    if n ** 3 != cells:
        sys.exit(f"cavity_compare.py: {cells} cells is not a cube")
    h = 1.0 / n
    field = {}
    for (x, y, z), u in zip(centres, velocity):
        ijk = (round(x / h - 0.5), round(y / h - 0.5), round(z / h - 0.5))
        if any(abs(c - (k + 0.5) * h) > 1e-6 * h for c, k in zip((x, y, z), ijk)):
            sys.exit("cavity_compare.py: the mesh is not the uniform N^3 cube")
        field[ijk] = u
    if len(field) != cells:
        sys.exit("cavity_compare.py: cell centres repeat")
    across = line_weights(n)
    os.makedirs(outdir, exist_ok=True)
    centre = [(k + 0.5) * h for k in range(n)]

    rows = [(0.0, 0.0)]
    for j in range(n):
        u = sum(wi * wk * field[(i, j, k)][0] for i, wi in across for k, wk in across)
        rows.append((centre[j], u))
    rows.append((1.0, U_LID))
    write_csv(os.path.join(outdir, "u_vertical.csv"), ("y", "u"), rows)

    rows = [(0.0, 0.0)]
    for i in range(n):
        v = sum(wj * wk * field[(i, j, k)][1] for j, wj in across for k, wk in across)
        rows.append((centre[i], v))
    rows.append((1.0, 0.0))
    write_csv(os.path.join(outdir, "v_horizontal.csv"), ("x", "v"), rows)


def write_csv(path, header, rows):
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write(",".join(header) + "\n")
        for a, b in rows:
            f.write(f"{a:.10g},{b:.10g}\n")
    os.replace(tmp, path)


# ---------------------------------------------------------------- OpenFOAM log

def summarize(log, n, tol, np_, solver_seconds, total_seconds, busy_core_seconds):
    with open(log) as f:
        text = f.read()
    build = re.search(r"Build\s*:\s*(.*)", text)
    converged = re.search(r"SIMPLE solution converged in (\d+) iterations", text)
    times = re.findall(r"^Time = (\S+)", text, re.M)
    iterations = int(converged.group(1)) if converged else (int(float(times[-1])) if times else 0)
    last = text[text.rfind("\nTime = "):] if times else ""
    residuals = {}
    for field, value in re.findall(r"Solving for (\w+), Initial residual = (\S+),", last):
        residuals[field] = max(residuals.get(field, 0.0), float(value.rstrip(",")))
    clock = re.findall(r"ExecutionTime = (\S+) s\s+ClockTime = (\S+) s", text)
    cpu = float(clock[-1][0]) if clock else 0.0
    # Rank 0's CPU time stands for every rank's (MPI ranks busy-wait, so they are alike).
    others = max(0.0, busy_core_seconds - np_ * cpu) / solver_seconds if solver_seconds else 0.0
    return {
        "solver": "OpenFOAM simpleFoam (SIMPLEC)",
        "build": build.group(1).strip() if build else None,
        "n": n,
        "cells": n ** 3,
        "re": 100,
        "tolerance": tol,
        "processes": np_,
        "converged": bool(converged),
        "iterations": iterations,
        "lastInitialResiduals": residuals,
        "solverSeconds": solver_seconds,
        "totalSeconds": total_seconds,
        "secondsPerIteration": solver_seconds / iterations if iterations else None,
        "openfoamExecutionTime": cpu if clock else None,
        "otherCoresBusy": round(others, 2),
    }


# ---------------------------------------------------------------- comparison

def read_profile(path, bc):
    with open(path) as f:
        lines = [line.strip() for line in f if line.strip()]
    points = sorted((float(a), float(b)) for a, b in (line.split(",")[:2] for line in lines[1:]))
    if not points:
        sys.exit(f"cavity_compare.py: {path} is empty")
    # Walls: add the boundary values where the profile stops short of them.
    if points[0][0] > 1e-12:
        points.insert(0, (0.0, bc[0]))
    if points[-1][0] < 1.0 - 1e-12:
        points.append((1.0, bc[1]))
    return points


def interpolate(points, s):
    lo, hi = 0, len(points) - 1
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if points[mid][0] <= s:
            lo = mid
        else:
            hi = mid
    (s0, f0), (s1, f1) = points[lo], points[hi]
    if s1 == s0:
        return f0
    return f0 + (f1 - f0) * (s - s0) / (s1 - s0)


def compare(a, b):
    common = sorted({round(s, 12) for s, _ in a} | {round(s, 12) for s, _ in b})
    worst, where, sq = -1.0, None, 0.0
    for s in common:
        d = abs(interpolate(a, s) - interpolate(b, s)) / U_LID
        sq += d * d
        if d > worst:
            worst, where = d, s
    return worst, where, math.sqrt(sq / len(common)), len(common)


def extremum(points, pick):
    s, f = pick(points, key=lambda p: p[1])
    return f, s


def report(args):
    opts = {}
    it = iter(args)
    for key in it:
        opts[key.lstrip("-")] = next(it)
    n, tol = int(opts["n"]), opts["tol"]
    runs = [json.load(open(p)) for p in opts["openfoam"].split(",") if p]
    rf = None
    if opts.get("rackflow"):
        try:
            rf = json.load(open(opts["rackflow"]))
        except (OSError, ValueError) as e:
            print(f"RackFlow JSON unreadable ({e}); RackFlow side skipped")
        missing = [k for k in ("seconds", "iterations", "cells") if rf is not None and k not in rf]
        if missing:
            print(f"RackFlow JSON lacks {', '.join(missing)}; RackFlow side skipped")
            rf = None
    of_dir = opts["openfoam-profiles"]
    of_u = read_profile(os.path.join(of_dir, "u_vertical.csv"), (0.0, U_LID))
    of_v = read_profile(os.path.join(of_dir, "v_horizontal.csv"), (0.0, 0.0))

    print(f"problem: steady 3D lid-driven cavity, Re = 100, {n}^3 = {n ** 3} cells, "
          f"lid u = (1, 0, 0) at y = 1, tolerance {tol}")
    for run in runs:
        state = "converged" if run["converged"] else "NOT converged"
        print(f"OpenFOAM ({run['build']}), {run['processes']} process(es): solver {run['solverSeconds']:.2f} s, "
              f"total {run['totalSeconds']:.2f} s, {run['iterations']} iterations ({state}), "
              f"{run['secondsPerIteration']:.4f} s/iteration; "
              f"CPU time of rank 0 {run['openfoamExecutionTime']} s")
        others, spare = run.get("otherCoresBusy", 0.0), max(0, (os.cpu_count() or 1) - run["processes"])
        if others > spare + 0.2:  # MPI start-up and mpirun itself account for ~0.1
            print(f"  warning: other work kept {others:.2f} cores busy on average during this run, more than the "
                  f"{spare} spare; its wall time is inflated (CPU time is the better guide)")
        elif others > 0.1:
            print(f"  note: other work kept {others:.2f} of the {spare} spare cores busy during this run")
    summary = {"n": n, "tolerance": float(tol), "openfoam": runs}
    if rf is not None:
        print(f"RackFlow: {rf['seconds']:.2f} s, {rf['iterations']} iterations, {rf['cells']} cells"
              + (f", converged={rf['converged']}" if "converged" in rf else ""))
        summary["rackflow"] = rf
        for run in runs:
            print(f"ratio OpenFOAM ({run['processes']} process(es)) / RackFlow: "
                  f"solver {run['solverSeconds'] / rf['seconds']:.2f}, "
                  f"total {run['totalSeconds'] / rf['seconds']:.2f}")

    rf_u = rf_v = None
    if rf is not None and opts.get("rackflow-profiles"):
        d = opts["rackflow-profiles"]
        try:
            rf_u = read_profile(os.path.join(d, "u_vertical.csv"), (0.0, U_LID))
            rf_v = read_profile(os.path.join(d, "v_horizontal.csv"), (0.0, 0.0))
        except (OSError, ValueError, IndexError) as e:
            print(f"RackFlow profiles unreadable ({e}); profile comparison skipped")

    print("centreline samples (linear interpolation between sample points):")
    print("  coordinate   OpenFOAM u(y)   RackFlow u(y)   OpenFOAM v(x)   RackFlow v(x)")
    for s in SAMPLE_POINTS:
        cols = [interpolate(of_u, s), interpolate(rf_u, s) if rf_u else None,
                interpolate(of_v, s), interpolate(rf_v, s) if rf_v else None]
        print(f"  {s:10.4f}   " + "   ".join(f"{c:13.6f}" if c is not None else f"{'-':>13}" for c in cols))
    umin, yumin = extremum(of_u, min)
    vmax, xvmax = extremum(of_v, max)
    vmin, xvmin = extremum(of_v, min)
    print(f"  OpenFOAM: min u = {umin:.6f} at y = {yumin:.4f}; max v = {vmax:.6f} at x = {xvmax:.4f}; "
          f"min v = {vmin:.6f} at x = {xvmin:.4f}")
    if rf_u and rf_v:
        du, su, ru, cu = compare(of_u, rf_u)
        dv, sv, rv, cv = compare(of_v, rf_v)
        print(f"profiles: max |u_OF - u_RF| / U_lid = {du:.2e} at y = {su:.4f} (rms {ru:.1e}, {cu} points); "
              f"max |v_OF - v_RF| / U_lid = {dv:.2e} at x = {sv:.4f} (rms {rv:.1e}, {cv} points)")
        print(f"profiles agree to {max(du, dv):.2e} of the lid speed")
        summary["profiles"] = {"maxDiffU": du, "atY": su, "maxDiffV": dv, "atX": sv,
                               "maxDiff": max(du, dv)}
    if opts.get("out"):
        tmp = opts["out"] + ".tmp"
        with open(tmp, "w") as f:
            json.dump(summary, f, indent=2)
            f.write("\n")
        os.replace(tmp, opts["out"])


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    cmd, args = sys.argv[1], sys.argv[2:]
    if cmd == "extract":
        extract(*args)
    elif cmd == "summarize":
        log, n, tol, np_, solver, total, busy = args
        print(json.dumps(summarize(log, int(n), float(tol), int(np_), float(solver), float(total), float(busy)),
                         indent=2))
    elif cmd == "diff":
        a, b = args
        du = compare(read_profile(os.path.join(a, "u_vertical.csv"), (0.0, U_LID)),
                     read_profile(os.path.join(b, "u_vertical.csv"), (0.0, U_LID)))[0]
        dv = compare(read_profile(os.path.join(a, "v_horizontal.csv"), (0.0, 0.0)),
                     read_profile(os.path.join(b, "v_horizontal.csv"), (0.0, 0.0)))[0]
        print(f"{max(du, dv):.2e}")
    elif cmd == "report":
        report(args)
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
