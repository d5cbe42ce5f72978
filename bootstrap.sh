#!/usr/bin/env bash
# Installs the Debian packages RackFlow builds against, only those missing, and the
# Python venv the tests check USD stages and VDB files with (`.venv`, only if missing).
# Safe to run repeatedly: with everything present it prints nothing and exits 0.
set -euo pipefail
cd "$(dirname "$0")"

# libboost1.81-dev: OpenVDB's headers need Boost headers, and Debian's default 1.74 ones
# fail under Swift's bundled clang (DESIGN §8); 1.81 conflicts with libboost1.74-dev, so
# apt removes that one (and libboost-dev) if present. python3-openvdb is `pyopenvdb`.
# libopenmpi-dev/openmpi-bin: `rackflow room` under mpirun (the CMPI shim links libmpi).
packages=(libopenblas-dev liblapacke-dev libpng-dev
          libopenvdb-dev libboost1.81-dev python3-openvdb python3-venv
          libopenmpi-dev openmpi-bin)

# Two people bootstrapping at once would fight over apt's lock and the venv.
exec 9>"${TMPDIR:-/tmp}/rackflow-bootstrap.lock"
flock 9

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  if ! command -v apt-get >/dev/null; then
    echo "bootstrap.sh: missing ${missing[*]} and no apt-get to install them; install them by hand" >&2
    exit 1
  fi
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "bootstrap.sh: installing ${missing[*]}" >&2
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# The test venv: Debian's python (so Debian's pyopenvdb is importable) plus usd-core
# from PyPI (`pxr`). Checked by looking for pxr on disk, not by starting Python.
if [ ! -x .venv/bin/python ]; then
  echo "bootstrap.sh: creating .venv (system site packages + usd-core)" >&2
  /usr/bin/python3 -m venv --system-site-packages .venv
fi
if ! compgen -G ".venv/lib/python3*/site-packages/pxr" >/dev/null; then
  echo "bootstrap.sh: installing usd-core into .venv" >&2
  .venv/bin/pip install -q --disable-pip-version-check usd-core
fi
