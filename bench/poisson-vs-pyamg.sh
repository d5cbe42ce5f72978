#!/usr/bin/env bash
# Side-by-side anchor for the pressure solver: the same constant-coefficient 7-point
# Poisson problem (128³ by default, Dirichlet, same right-hand side, same tolerance) solved
# by RackFlow's multigrid-preconditioned CG and by pyamg's smoothed aggregation + CG, in
# one run. Prints both timings, the ratio and how far the two solutions agree.
#   bench/poisson-vs-pyamg.sh [N] [TOLERANCE]
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-128}
tol=${2:-1e-8}

./bootstrap.sh
venv=bench/.venv
if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c "import pyamg" 2>/dev/null; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q pyamg scipy numpy
fi

swift build -c release --product rackflow >/dev/null
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
.build/release/rackflow bench poisson --constant --n "$n" --tolerance "$tol" --json \
  --write-solution "$work/x.f64" > "$work/rackflow.json"
# Numpy's OpenBLAS: leave the machine's core-type settings out of this one command, so
# pyamg runs on the kernels it would pick by itself.
env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE "$venv/bin/python" bench/pyamg_poisson.py "$n" "$tol" "$work/rackflow.json" "$work/x.f64"
