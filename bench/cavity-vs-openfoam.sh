#!/usr/bin/env bash
# Side-by-side anchor for the flow solver: the steady 3D lid-driven cavity at Re = 100
# solved by OpenFOAM's simpleFoam and by `rackflow bench cavity`, in one run, on the same
# grid and to the same convergence tolerance. Prints both wall times, the ratio
# OpenFOAM / RackFlow, and how far the centreline profiles agree (fraction of lid speed).
#
#   bench/cavity-vs-openfoam.sh [--n N] [--tol TOL] [--np LIST] [--out DIR]
#                               [--no-rackflow] [--no-build] [--keep-case]
#
#   --n N         cells per side, N^3 in all (default 64; 32 for a quick check)
#   --tol TOL     convergence tolerance for both solvers (default 1e-5)
#   --np LIST     OpenFOAM process counts to run, comma separated (default 1; "1,2" also
#                 runs it decomposed in two, `mpirun -np 2 simpleFoam -parallel`)
#   --out DIR     where results go (default Results/cavity-vs-openfoam-nN); replaced whole
#   --no-rackflow OpenFOAM half only
#   --no-build    do not run `swift build`; use .build/release/rackflow as it is
#   --keep-case   also copy the converged OpenFOAM case(s) into DIR (about 90 MB each at 64^3)
#   RACKFLOW=PATH (environment) the rackflow binary to run (default .build/release/rackflow;
#                 with it set, --no-build is implied)
#
# The problem: unit cube, N^3 uniform cells, lid y = 1 moving with u = (1, 0, 0), the other
# five walls no-slip, laminar, nu = 0.01 (Re = 100). Converged when the initial residuals of
# the p equation and of each U component, in OpenFOAM's normalisation, are all below TOL
# at the start of a SIMPLE iteration (residualControl p TOL; U TOL).
#
# OpenFOAM: Debian bookworm's package `openfoam` (OpenFOAM.com v1912, 1912.200626),
# installed with apt-get when missing. Its binaries are plain commands in /usr/bin
# (simpleFoam, blockMesh, ...); they only need WM_PROJECT_DIR=/usr/share/openfoam to find
# their etc/ files. Its etc/bashrc is broken as packaged (it calls a missing
# bin/foamEtcFile), so it is not sourced. The case template is bench/openfoam-cavity3d/
# (SIMPLEC, van Leer for convection, GAMG for p, symmetric Gauss-Seidel for U); it runs
# in a temporary directory. Solver time is simpleFoam alone (or mpirun + simpleFoam);
# total adds blockMesh (and decomposePar/reconstructPar when decomposed).
#
# RackFlow: `.build/release/rackflow bench cavity --n N --re 100 --tolerance TOL
# --momentum-sweeps 0 --momentum-tolerance 0.1` (BiCGSTAB momentum, this case's setting)
# --profile DIR --json`, which writes DIR/u_vertical.csv (y,u) and DIR/v_horizontal.csv
# (x,v) on the same centrelines and prints JSON with seconds, iterations, cells. If that
# fails the RackFlow half is skipped with a message and the OpenFOAM half still reports.
#
# Profiles: u along x = 0.5, z = 0.5 (function of y) and v along y = 0.5, z = 0.5
# (function of x). For even N these lines run along cell edges, so OpenFOAM's profile is
# the average of the four cell columns around the line (bilinear interpolation of the
# cell-centre values), at each cell-centre height, plus the wall values at both ends.
#
# Writes DIR/report.txt, DIR/summary.json, DIR/openfoam-npP/{u_vertical.csv,
# v_horizontal.csv, run.json, log.*}, DIR/rackflow/{u_vertical.csv, v_horizontal.csv,
# run.json, stderr.txt}.
set -euo pipefail
self=$(realpath "$0")
cd "$(dirname "$self")/.."
root=$PWD

n=64
tol=1e-5
nps=1
out=""
with_rackflow=1
build=1
rackflow_bin=.build/release/rackflow
if [ -n "${RACKFLOW:-}" ]; then rackflow_bin=$RACKFLOW; build=0; fi
keep_case=0
usage() { sed -n '2,/^set -euo/p' "$self" | sed '$d; s/^# \{0,1\}//' >&2; exit "${1:-2}"; }
while [ $# -gt 0 ]; do
  case "$1" in
    --n|--tol|--tolerance|--np|--out)
      [ $# -ge 2 ] || { echo "cavity-vs-openfoam.sh: $1 needs a value" >&2; exit 2; } ;;
  esac
  case "$1" in
    --n) n=$2; shift 2 ;;
    --tol|--tolerance) tol=$2; shift 2 ;;
    --np) nps=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    --no-rackflow) with_rackflow=0; shift ;;
    --no-build) build=0; shift ;;
    --keep-case) keep_case=1; shift ;;
    -h|--help) usage 0 ;;
    *) echo "cavity-vs-openfoam.sh: unknown argument $1" >&2; usage ;;
  esac
done
[[ $n =~ ^[0-9]+$ ]] && [ "$n" -ge 2 ] || { echo "--n wants an integer >= 2" >&2; exit 2; }
[[ $nps =~ ^[0-9]+(,[0-9]+)*$ ]] || { echo "--np wants a list like 1 or 1,2" >&2; exit 2; }
python3 -c "import sys; assert float(sys.argv[1]) > 0" "$tol" 2>/dev/null \
  || { echo "--tol wants a positive number" >&2; exit 2; }
re=100
nu=0.01
out=${out:-Results/cavity-vs-openfoam-n$n}
helper=$root/bench/cavity_compare.py
note() { echo "cavity-vs-openfoam: $*" >&2; }
now() { date +%s.%N; }
# Busy CPU time of the whole machine so far, in core-seconds (user+nice+system+irq+softirq+steal).
busy() { awk -v hz="$(getconf CLK_TCK)" '/^cpu /{printf "%.2f\n", ($2+$3+$4+$7+$8+$9)/hz}' /proc/stat; }
elapsed() { python3 -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.3f}')" "$1" "$2"; }

# ---------------------------------------------------------------- OpenFOAM, installed once
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
if [ -n "${WM_PROJECT_DIR:-}" ] && [ -d "$WM_PROJECT_DIR/etc" ] && command -v simpleFoam >/dev/null; then
  : # an OpenFOAM environment is already set up (e.g. a sourced install): use it
else
  if ! dpkg-query -W -f='${Status}' openfoam 2>/dev/null | grep -q "install ok installed"; then
    command -v apt-get >/dev/null || { note "OpenFOAM missing and no apt-get to install it"; exit 1; }
    note "installing Debian's openfoam (apt-get install openfoam)"
    apt-cache show openfoam >/dev/null 2>&1 || $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends openfoam >/dev/null
  fi
  export WM_PROJECT_DIR=/usr/share/openfoam
fi
for tool in blockMesh simpleFoam postProcess decomposePar reconstructPar; do
  command -v "$tool" >/dev/null || { note "$tool not on PATH"; exit 1; }
done

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
stage=$work/out
mkdir -p "$stage"

b0=$(busy); sleep 2; b1=$(busy)
load=$(python3 -c "import sys; print(f'{(float(sys.argv[2]) - float(sys.argv[1])) / 2:.2f}')" "$b0" "$b1")
if python3 -c "import sys; sys.exit(0 if float(sys.argv[1]) > 0.2 else 1)" "$load"; then
  note "warning: $load cores busy before starting; other work on this machine skews the timings"
fi

# ---------------------------------------------------------------- RackFlow side
rackflow_json=""
if [ "$with_rackflow" -eq 1 ]; then
  ok=1
  if [ "$build" -eq 1 ]; then
    if ! { ./bootstrap.sh && swift build -c release --product rackflow; } >"$work/build.log" 2>&1; then
      note "RackFlow build failed (last lines below); RackFlow side skipped"
      tail -5 "$work/build.log" >&2
      ok=0
    fi
  fi
  if [ "$ok" -eq 1 ]; then
    mkdir -p "$stage/rackflow"
    # Solver settings for this case, as OpenFOAM's fvSolution has its own: momentum by
    # BiCGSTAB to a 0.1 residual reduction (OpenFOAM: smoothSolver relTol 0.1).
    note "RackFlow: bench cavity --n $n --re $re --tolerance $tol --momentum-sweeps 0 --momentum-tolerance 0.1"
    if "$rackflow_bin" bench cavity --n "$n" --re "$re" --tolerance "$tol" --momentum-sweeps 0 --momentum-tolerance 0.1 \
         --profile "$stage/rackflow" --json >"$stage/rackflow/run.json" 2>"$stage/rackflow/stderr.txt" \
       && [ -s "$stage/rackflow/u_vertical.csv" ] && [ -s "$stage/rackflow/v_horizontal.csv" ]; then
      rackflow_json=$stage/rackflow/run.json
    else
      note "RackFlow side skipped: \`rackflow bench cavity ... --profile DIR --json\` failed or wrote no profiles:"
      tail -3 "$stage/rackflow/stderr.txt" >&2 || true
    fi
  fi
fi

# ---------------------------------------------------------------- OpenFOAM side
run_openfoam() {  # $1 = process count; leaves $stage/openfoam-np$1/
  local np=$1 case=$work/case-np$1 dest=$stage/openfoam-np$1 t0 t1 t2 t3 mpi=()
  # Called as an `if` condition, where set -e is off: every step returns on failure.
  cp -r "$root/bench/openfoam-cavity3d" "$case" || return 1
  find "$case" -type f -exec sed -i "s/@N@/$n/g; s/@NU@/$nu/g; s/@TOL@/$tol/g; s/@NP@/$np/g" {} + || return 1
  mkdir -p "$dest" || return 1
  t0=$(now)
  blockMesh -case "$case" >"$dest/log.blockMesh" 2>&1 || return 1
  if [ "$np" -gt 1 ]; then
    decomposePar -case "$case" >"$dest/log.decomposePar" 2>&1 || return 1
    mpi=(mpirun -np "$np" -x WM_PROJECT_DIR)
    [ "$(id -u)" -ne 0 ] || mpi+=(--allow-run-as-root)
    [ "$np" -le "$(nproc)" ] || mpi+=(--oversubscribe)
  fi
  note "OpenFOAM: simpleFoam, $n^3 cells, $np process(es)"
  t1=$(now); c1=$(busy)
  if [ "$np" -gt 1 ]; then
    "${mpi[@]}" simpleFoam -case "$case" -parallel >"$dest/log.simpleFoam" 2>&1 || return 1
  else
    simpleFoam -case "$case" >"$dest/log.simpleFoam" 2>&1 || return 1
  fi
  t2=$(now); c2=$(busy)
  if [ "$np" -gt 1 ]; then
    reconstructPar -case "$case" -latestTime >"$dest/log.reconstructPar" 2>&1 || return 1
  fi
  t3=$(now)
  postProcess -case "$case" -func writeCellCentres -latestTime >"$dest/log.writeCellCentres" 2>&1 || return 1
  python3 "$helper" summarize "$dest/log.simpleFoam" "$n" "$tol" "$np" \
    "$(elapsed "$t1" "$t2")" "$(elapsed "$t0" "$t3")" "$(elapsed "$c1" "$c2")" >"$dest/run.json" || return 1
  python3 "$helper" extract "$case" "$dest" || return 1
  if [ "$keep_case" -eq 1 ]; then
    rm -rf "$case"/processor*
    cp -r "$case" "$dest/case"
  fi
  rm -rf "$case"
}

runs=()
IFS=, read -r -a np_list <<<"$nps"
for np in "${np_list[@]}"; do
  if run_openfoam "$np"; then
    runs+=("$np")
  elif [ "$np" -gt 1 ]; then
    note "OpenFOAM with $np processes failed; its log ends:"
    tail -5 "$stage/openfoam-np$np/log.simpleFoam" >&2 || true
  else
    note "OpenFOAM failed; its log ends:"
    tail -15 "$stage/openfoam-np$np/log.simpleFoam" >&2 || true
    exit 1
  fi
done
[ ${#runs[@]} -gt 0 ] || { note "no OpenFOAM run succeeded"; exit 1; }

# ---------------------------------------------------------------- report
first=$stage/openfoam-np${runs[0]}
of_jsons=""
for np in "${runs[@]}"; do of_jsons+="${of_jsons:+,}$stage/openfoam-np$np/run.json"; done
args=(--n "$n" --tol "$tol" --openfoam "$of_jsons" --openfoam-profiles "$first" --out "$stage/summary.json")
[ -z "$rackflow_json" ] || args+=(--rackflow "$rackflow_json" --rackflow-profiles "$stage/rackflow")
{
  echo "machine: $(nproc) cores, $load cores busy just before the runs"
  python3 "$helper" report "${args[@]}"
  for np in "${runs[@]:1}"; do
    echo "OpenFOAM profiles, $np processes vs ${runs[0]}: agree to" \
      "$(python3 "$helper" diff "$first" "$stage/openfoam-np$np") of the lid speed"
  done
  [ -n "$rackflow_json" ] || echo "RackFlow side: skipped (see the messages above)"
} | tee "$stage/report.txt"

mkdir -p "$(dirname "$out")"
rm -rf "$out.tmp"
cp -r "$stage" "$out.tmp"
rm -rf "$out"
mv "$out.tmp" "$out"
note "results in $out"
