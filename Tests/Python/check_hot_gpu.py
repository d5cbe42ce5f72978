#!/usr/bin/env python3
"""Where does a voxel of a frame's field cache sit in the stage's geometry? Read through both libraries:

    check_hot_gpu.py STAGE FRAME [I J K]

Opens the stage with pxr, finds the frame's Volume `temperature` field file (its time-sampled
filePath), opens that file with pyopenvdb, takes voxel (I, J, K) (default: the hottest active
voxel), its value and its world position through the grid's own transform, and lists every
geometry prim whose world-space box at that frame contains it (instance proxies included).
Prints JSON: {vdb, ijk, valueC, world, containing: [prim paths]}.
"""
import json
import sys

from pxr import Usd, UsdGeom, UsdVol

from stage_checks import world_range

try:
    import pyopenvdb as vdb
except ImportError:
    import openvdb as vdb


def main():
    stage_path, frame = sys.argv[1], float(sys.argv[2])
    stage = Usd.Stage.Open(stage_path)
    asset = None
    for prim in stage.Traverse():
        if prim.IsA(UsdVol.OpenVDBAsset) and UsdVol.OpenVDBAsset(prim).GetFieldNameAttr().Get() == "temperature":
            asset = UsdVol.OpenVDBAsset(prim)
            break
    if asset is None:
        print(json.dumps({"error": "no temperature OpenVDBAsset"}))
        return 1
    path = asset.GetFilePathAttr().Get(frame).resolvedPath
    grid = vdb.read(path, "temperature")
    if len(sys.argv) >= 6:
        ijk = tuple(int(v) for v in sys.argv[3:6])
        best = grid.getConstAccessor().getValue(ijk)
    else:
        best, ijk = None, None
        for item in grid.citerOnValues():
            if item.count != 1:      # tiles: constant blocks, never the single hottest voxel here
                continue
            if best is None or item.value > best:
                best, ijk = item.value, item.min
    world = list(grid.transform.indexToWorld(ijk))
    # Every Cube/geometry prim whose world box (at this frame) contains the point, instance proxies included.
    cache = UsdGeom.BBoxCache(Usd.TimeCode(frame), [UsdGeom.Tokens.default_, UsdGeom.Tokens.render])
    containing = []
    for prim in stage.Traverse(Usd.TraverseInstanceProxies()):
        if not prim.IsA(UsdGeom.Gprim):
            continue
        box = world_range(cache, prim)
        if box.IsEmpty():
            continue
        lo, hi = box.GetMin(), box.GetMax()
        if all(lo[a] - 1e-9 <= world[a] <= hi[a] + 1e-9 for a in range(3)):
            containing.append(str(prim.GetPath()))
    print(json.dumps({"vdb": path, "ijk": list(ijk), "valueC": best, "world": world, "containing": containing}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
