#!/usr/bin/env python3
"""Plots of RackFlow against the published benchmarks, for docs/validation.md.

Runs the solver (release build) and draws its answers over the published points:
  - lid-driven cavity, Re 100 and 1000, 128 x 128 (`rackflow bench cavity --2d --profile`),
    centreline u(y) and v(x) against Ghia, Ghia & Shin (1982), Tables I and II;
  - natural convection in a square cavity, Ra 1e4 to 1e6 (`swift test --filter
    NaturalConvectionTests`, whose lines it parses), average hot-wall Nusselt number against
    de Vahl Davis (1983).

Usage (from the repository root, after `swift build -c release`; needs matplotlib):
    python3 bench/validation-plots.py [--out docs/images] [--skip-natural-convection]
"""
import argparse
import csv
import os
import re
import subprocess
import sys
import tempfile

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
REFERENCE = os.path.join(ROOT, "Tests", "RackFlowValidationTests", "Resources")
RACKFLOW = os.path.join(ROOT, ".build", "release", "rackflow")


def read_csv(path):
    """Rows of a CSV whose leading '#' lines are comments, as dicts of floats."""
    with open(path) as f:
        lines = [line for line in f if not line.startswith("#")]
    return [{k: float(v) for k, v in row.items()} for row in csv.DictReader(lines)]


def cavity(re_number, n, out):
    """Runs the 2D cavity and plots its centreline profiles over Ghia's points."""
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([RACKFLOW, "bench", "cavity", "--2d", "--n", str(n), "--re", str(re_number),
                        "--profile", tmp], check=True, stdout=subprocess.DEVNULL)
        u = read_csv(os.path.join(tmp, "u_vertical.csv"))
        v = read_csv(os.path.join(tmp, "v_horizontal.csv"))
    ghia_u = read_csv(os.path.join(REFERENCE, "ghia1982_u_vertical_centreline.csv"))
    ghia_v = read_csv(os.path.join(REFERENCE, "ghia1982_v_horizontal_centreline.csv"))
    key = f"Re{re_number}"
    fig, (a, b) = plt.subplots(1, 2, figsize=(9, 4.2), dpi=110)
    a.plot([r["u"] for r in u], [r["y"] for r in u], "-", color="tab:blue", label=f"RackFlow, {n}²")
    a.plot([r["u_" + key] for r in ghia_u], [r["y"] for r in ghia_u], "o", mfc="none", color="k",
           label="Ghia et al. 1982")
    a.set_xlabel("u / U on x = 0.5")
    a.set_ylabel("y / L")
    a.grid(alpha=0.3)
    a.legend(loc="lower right", fontsize=8)
    b.plot([r["x"] for r in v], [r["v"] for r in v], "-", color="tab:red", label=f"RackFlow, {n}²")
    b.plot([r["x"] for r in ghia_v], [r["v_" + key] for r in ghia_v], "o", mfc="none", color="k",
           label="Ghia et al. 1982")
    b.set_xlabel("x / L")
    b.set_ylabel("v / U on y = 0.5")
    b.grid(alpha=0.3)
    b.legend(loc="lower left", fontsize=8)
    fig.suptitle(f"Lid-driven cavity, Re {re_number}: centreline velocities")
    fig.tight_layout()
    path = os.path.join(out, f"validation-cavity-re{re_number}.png")
    fig.savefig(path)
    plt.close(fig)
    return path


def natural_convection(out):
    """Parses the natural-convection tests' lines and plots Nu(Ra) over de Vahl Davis's."""
    run = subprocess.run(["swift", "test", "-c", "release", "--filter", "NaturalConvectionTests"],
                         cwd=ROOT, capture_output=True, text=True)
    pattern = re.compile(r"natural convection Ra ([0-9.e+]+), (.+?): Nu ([0-9.]+) vs ([0-9.]+)")
    points = [(float(m.group(1)), m.group(2), float(m.group(3)))
              for m in pattern.finditer(run.stdout + run.stderr)]
    if not points:
        sys.exit("no 'natural convection Ra …' lines in the test output:\n" + run.stdout[-2000:])
    reference = read_csv(os.path.join(REFERENCE, "devahldavis1983_natural_convection.csv"))
    published = {r["Ra"]: r["Nu_avg"] for r in reference}
    fig, (ax, err) = plt.subplots(1, 2, figsize=(9, 4.2), dpi=110)
    ax.plot([r["Ra"] for r in reference], [r["Nu_avg"] for r in reference], "o", mfc="none", color="k",
            ms=9, label="de Vahl Davis 1983")
    for grid in sorted({g for _, g, _ in points}):
        sel = sorted((ra, nu) for ra, g, nu in points if g == grid)
        ax.plot([p[0] for p in sel], [p[1] for p in sel], "x", ms=8, mew=2, label=f"RackFlow, {grid}")
        err.plot([p[0] for p in sel], [100 * (p[1] / published[p[0]] - 1) for p in sel], "x", ms=8, mew=2,
                 label=f"RackFlow, {grid}")
    ax.set_xscale("log")
    ax.set_xlabel("Rayleigh number")
    ax.set_ylabel("average hot-wall Nusselt number")
    ax.grid(alpha=0.3, which="both")
    ax.legend(fontsize=8)
    err.axhline(0, color="k", lw=0.8)
    err.set_xscale("log")
    err.set_xlabel("Rayleigh number")
    err.set_ylabel("Nu against de Vahl Davis (%)")
    err.grid(alpha=0.3, which="both")
    err.legend(fontsize=8)
    fig.suptitle("Differentially heated square cavity, Pr 0.71")
    fig.tight_layout()
    path = os.path.join(out, "validation-natural-convection.png")
    fig.savefig(path)
    plt.close(fig)
    return path


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", default=os.path.join(ROOT, "docs", "images"))
    parser.add_argument("--skip-natural-convection", action="store_true")
    args = parser.parse_args()
    if not os.access(RACKFLOW, os.X_OK):
        sys.exit(f"{RACKFLOW} not found: run `swift build -c release` first")
    os.makedirs(args.out, exist_ok=True)
    for re_number in (100, 1000):
        print(cavity(re_number, 128, args.out))
    if not args.skip_natural_convection:
        print(natural_convection(args.out))


if __name__ == "__main__":
    main()
