#!/usr/bin/env python3
"""Open a .vdb with the OpenVDB library (Debian's pyopenvdb) and describe or check it.

    check_vdb.py FILE.vdb [--expect EXPECT.json]

Prints one JSON object on stdout:
  file_metadata   {key: value}
  grids           {name: {type, class, vector_type, metadata, voxel_size, map,
                          active_voxels, active_bbox, background}}
  samples         (with --expect) each expected sample as read back:
                  {ijk, world, values: {grid: value}, active: {grid: bool}}
  failures        list of strings (empty when everything matched)
  ok              true when there are no failures

EXPECT.json (every key optional):
  {"grids": {"temperature": {"type": "float", "class": "fog volume",
                             "vector_type": "contravariant relative",
                             "metadata": {"units": "degC"}}, ...},
   "only_grids": true,                 # no grids besides those named
   "voxel_size": [h, h, h],
   "map": "UniformScaleTranslateMap",
   "file_metadata": {"up_axis": "Y"},
   "samples": [{"ijk": [I, J, K], "world": [X, Y, Z],
                "values": {"temperature": 21.5, "vel": [u, v, w]},
                "active": {"temperature": true}}],
   "rel_tol": 1e-6, "abs_tol": 1e-6, "world_tol": 1e-9}
Exit status: 0 ok, 1 a check failed, 2 the file could not be read.
"""
import argparse
import json
import math
import sys

try:
    import pyopenvdb as vdb
except ImportError:  # newer Debian / PyPI builds call the module `openvdb`
    import openvdb as vdb


def plain(v):
    """JSON-friendly metadata / values (tuples to lists, non-finite floats to strings)."""
    if isinstance(v, (list, tuple)):
        return [plain(x) for x in v]
    if isinstance(v, float) and not math.isfinite(v):
        return repr(v)
    if isinstance(v, (str, int, float, bool)) or v is None:
        return v
    return str(v)


def close(a, b, rel, abso):
    return abs(a - b) <= max(abso, rel * max(abs(a), abs(b)))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("file")
    ap.add_argument("--expect")
    args = ap.parse_args()
    try:
        grids, file_meta = vdb.readAll(args.file)
    except Exception as e:  # noqa: BLE001 - report anything the library raises
        print(json.dumps({"ok": False, "failures": ["cannot read %s: %s" % (args.file, e)]}))
        return 2

    out = {"file_metadata": {k: plain(v) for k, v in file_meta.items()}, "grids": {}}
    by_name = {}
    for g in grids:
        by_name[g.name] = g
        bbox = g.evalActiveVoxelBoundingBox()
        out["grids"][g.name] = {
            "type": g.valueTypeName,
            "class": g.gridClass,
            "vector_type": g.vectorType,
            "metadata": {k: plain(v) for k, v in g.metadata.items()},
            "voxel_size": list(g.transform.voxelSize()),
            "map": g.transform.typeName,
            "active_voxels": g.activeVoxelCount(),
            "active_bbox": [list(bbox[0]), list(bbox[1])],
            "background": plain(g.background),
        }

    failures = []
    expect = {}
    if args.expect:
        with open(args.expect) as f:
            expect = json.load(f)
    rel = expect.get("rel_tol", 1e-6)
    abso = expect.get("abs_tol", 1e-6)
    wtol = expect.get("world_tol", 1e-9)

    for name, want in expect.get("grids", {}).items():
        got = out["grids"].get(name)
        if got is None:
            failures.append("grid %r missing (have %s)" % (name, sorted(out["grids"])))
            continue
        for key in ("type", "class", "vector_type", "map"):
            if key in want and want[key] != got[key]:
                failures.append("grid %r: %s is %r, expected %r" % (name, key, got[key], want[key]))
        for k, v in want.get("metadata", {}).items():
            if got["metadata"].get(k) != v:
                failures.append("grid %r: metadata %r is %r, expected %r" % (name, k, got["metadata"].get(k), v))
    if expect.get("only_grids"):
        extra = sorted(set(out["grids"]) - set(expect.get("grids", {})))
        if extra:
            failures.append("unexpected grids %s" % extra)
    for name, got in out["grids"].items():
        if "voxel_size" in expect and not all(close(a, b, 1e-9, 1e-12) for a, b in zip(got["voxel_size"], expect["voxel_size"])):
            failures.append("grid %r: voxel size %s, expected %s" % (name, got["voxel_size"], expect["voxel_size"]))
        if "map" in expect and got["map"] != expect["map"]:
            failures.append("grid %r: map %s, expected %s" % (name, got["map"], expect["map"]))
    for k, v in expect.get("file_metadata", {}).items():
        if out["file_metadata"].get(k) != v:
            failures.append("file metadata %r is %r, expected %r" % (k, out["file_metadata"].get(k), v))

    samples = []
    for s in expect.get("samples", []):
        ijk = tuple(int(x) for x in s["ijk"])
        read = {"ijk": list(ijk), "values": {}, "active": {}}
        names = set(s.get("values", {})) | set(s.get("active", {}))
        for name in sorted(names):
            g = by_name.get(name)
            if g is None:
                failures.append("sample %s: no grid %r" % (list(ijk), name))
                continue
            value, on = g.getConstAccessor().probeValue(ijk)
            read["values"][name] = plain(value)
            read["active"][name] = bool(on)
            if name in s.get("values", {}):
                want = s["values"][name]
                if isinstance(want, list):
                    ok = len(want) == len(value) and all(close(a, b, rel, abso) for a, b in zip(value, want))
                else:
                    ok = close(value, want, rel, abso)
                if not ok:
                    failures.append("sample %s grid %r: value %s, expected %s" % (list(ijk), name, plain(value), want))
            if name in s.get("active", {}) and bool(on) != bool(s["active"][name]):
                failures.append("sample %s grid %r: active %s, expected %s" % (list(ijk), name, bool(on), s["active"][name]))
        if "world" in s and by_name:
            g = by_name.get(sorted(names)[0]) if names else grids[0]
            w = list(g.transform.indexToWorld(ijk))
            read["world"] = w
            if not all(abs(a - b) <= wtol for a, b in zip(w, s["world"])):
                failures.append("sample %s: index→world %s, expected %s" % (list(ijk), w, s["world"]))
        samples.append(read)
    if samples:
        out["samples"] = samples
    out["failures"] = failures
    out["ok"] = not failures
    print(json.dumps(out, indent=1, sort_keys=True))
    return 0 if not failures else 1


if __name__ == "__main__":
    sys.exit(main())
