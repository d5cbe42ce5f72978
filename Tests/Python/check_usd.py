#!/usr/bin/env python3
"""Checks a RackFlow USD stage with the OpenUSD library (usd-core's `pxr`).

Usage: check_usd.py STAGE [--up-axis Y|Z] [--zup ZSTAGE] [--bbox PRIM ...]

Prints one JSON object and exits 0 when every check passes, 1 otherwise:
  ok, problems (one line each), metadata, counts, validation (every validator error),
  bboxes (world-space ranges of the --bbox prims at the start frame).

Checks (DESIGN §7):
  - UsdValidation's validators (all registered) report nothing;
  - stage metadata: metersPerUnit 1, upAxis, timeCodesPerSecond == framesPerSecond,
    start/end time codes, defaultPrim, doc;
  - every telemetry:*, fan:rpm, vibration:* and node displayColor attribute, and every
    OpenVDBAsset filePath, has a sample on every frame, and every filePath resolves;
  - kinds form a valid model hierarchy (groups above components, no model below one);
  - nodes are instances; the Volume's field relationships reach OpenVDBAsset prims;
  - fans whose blade pass needs more than one sample per frame have sub-frame samples,
    stopped fans have only frame samples;
  - with --zup: the Z-up stage has the same prims, kinds and non-transform values, and its
    geometry is this stage's rotated by the axis mapping (x, y, z) -> (x, z, -y).
"""
import argparse
import json
import math
import sys

from pxr import Gf, Kind, Sdf, Usd, UsdGeom, UsdVol

from stage_checks import check_every_frame, frames, problem, problems, validate, world_range


def all_prims(stage):
    """Every prim, instance proxies included (they are what a renderer sees)."""
    return list(Usd.PrimRange.Stage(stage, Usd.TraverseInstanceProxies()))


def check_metadata(stage, up_axis):
    meta = {
        "metersPerUnit": UsdGeom.GetStageMetersPerUnit(stage),
        "upAxis": str(UsdGeom.GetStageUpAxis(stage)),
        "timeCodesPerSecond": stage.GetTimeCodesPerSecond(),
        "framesPerSecond": stage.GetFramesPerSecond(),
        "startTimeCode": stage.GetStartTimeCode(),
        "endTimeCode": stage.GetEndTimeCode(),
        "defaultPrim": str(stage.GetDefaultPrim().GetPath()) if stage.GetDefaultPrim() else None,
        "doc": stage.GetRootLayer().documentation,
    }
    root = stage.GetRootLayer()
    for key in ("metersPerUnit", "upAxis", "timeCodesPerSecond", "framesPerSecond",
                "startTimeCode", "endTimeCode", "defaultPrim"):
        if not root.pseudoRoot.HasInfo(key) and key != "defaultPrim":
            problem(f"metadata {key} is not authored")
    if meta["metersPerUnit"] != 1:
        problem(f"metersPerUnit is {meta['metersPerUnit']}, not 1")
    if up_axis and meta["upAxis"] != up_axis:
        problem(f"upAxis is {meta['upAxis']}, expected {up_axis}")
    if meta["timeCodesPerSecond"] != meta["framesPerSecond"]:
        problem("timeCodesPerSecond differs from framesPerSecond")
    if meta["defaultPrim"] != "/Refinery":
        problem(f"defaultPrim is {meta['defaultPrim']}, not /Refinery")
    if not meta["doc"]:
        problem("stage has no doc")
    if meta["endTimeCode"] < meta["startTimeCode"]:
        problem("endTimeCode before startTimeCode")
    return meta


def check_samples(stage, counts):
    fs = frames(stage)
    for prim in stage.Traverse():  # instance proxies hold no per-node values
        for attr in prim.GetAttributes():
            name = attr.GetName()
            per_frame = (name.startswith("telemetry:") or name.startswith("vibration:") or name == "fan:rpm"
                         or (name == "primvars:displayColor" and prim.IsInstance()))
            if per_frame:
                counts["perFrameAttributes"] += 1
                check_every_frame(attr, fs)
        if prim.IsA(UsdVol.OpenVDBAsset):
            counts["vdbAssets"] += 1
            attr = UsdVol.OpenVDBAsset(prim).GetFilePathAttr()
            check_every_frame(attr, fs)
            for f in fs:
                value = attr.Get(f)
                if value is None or not value.resolvedPath:
                    problem(f"{attr.GetPath()} at frame {f}: {value} does not resolve")
                    break


def check_kinds(stage, counts):
    """Kinds must make a valid model hierarchy: assembly/group above components, nothing
    model-kinded below a component, and every kinded model prim reported IsModel."""
    for prim in all_prims(stage):
        kind = Usd.ModelAPI(prim).GetKind()
        if not kind:
            continue
        counts["kinds"][kind] = counts["kinds"].get(kind, 0) + 1
        is_model_kind = Kind.Registry.IsA(kind, Kind.Tokens.model)
        if is_model_kind and not prim.IsModel():
            problem(f"{prim.GetPath()} has kind {kind} but is not a model (broken model hierarchy above it)")
        if Kind.Registry.IsA(kind, Kind.Tokens.group) and not prim.IsGroup():
            problem(f"{prim.GetPath()} has kind {kind} but is not a group")
        if Kind.Registry.IsA(kind, Kind.Tokens.component):
            for d in Usd.PrimRange(prim, Usd.TraverseInstanceProxies()):
                k = Usd.ModelAPI(d).GetKind()
                if d != prim and k and Kind.Registry.IsA(k, Kind.Tokens.model):
                    problem(f"{d.GetPath()} has model kind {k} inside component {prim.GetPath()}")
    if not stage.GetPrimAtPath("/Refinery").IsModel():
        problem("/Refinery is not a model")


def check_nodes_and_volumes(stage, counts):
    racks = stage.GetPrimAtPath("/Refinery/Racks")
    if not racks:
        problem("no /Refinery/Racks")
        return
    for rack in racks.GetChildren():
        nodes = [p for p in rack.GetChildren() if p.GetName().startswith("Node_")]
        for node in nodes:
            counts["nodes"] += 1
            if not node.IsInstance():
                problem(f"{node.GetPath()} is not an instance")
            elif not node.GetPrototype().GetChildren():
                problem(f"{node.GetPath()}'s prototype is empty (asset not composed)")
        volume = rack.GetChild("Fields")
        if not volume or not volume.IsA(UsdVol.Volume):
            problem(f"{rack.GetPath()} has no Volume 'Fields'")
            continue
        counts["volumes"] += 1
        # The Volume has an extent, so bounding-box queries see it (an empty box is a problem).
        if not UsdGeom.Boundable(volume).GetExtentAttr().HasAuthoredValue():
            problem(f"{volume.GetPath()} has no extent")
        box = UsdGeom.BBoxCache(Usd.TimeCode(stage.GetStartTimeCode()), [UsdGeom.Tokens.default_]) \
            .ComputeWorldBound(volume).ComputeAlignedRange()
        if box.IsEmpty() or min(box.GetSize()) <= 0:
            problem(f"{volume.GetPath()}: empty world bounding box {box}")
        else:
            counts["volumeBoxes"] = counts.get("volumeBoxes", 0) + 1
        fields = UsdVol.Volume(volume).GetFieldPaths()
        if not fields:
            problem(f"{volume.GetPath()} has no fields")
        for name, path in fields.items():
            target = stage.GetPrimAtPath(path)
            if not target or not target.IsA(UsdVol.OpenVDBAsset):
                problem(f"{volume.GetPath()} field:{name} -> {path} is not an OpenVDBAsset")
                continue
            asset = UsdVol.OpenVDBAsset(target)
            if asset.GetFieldNameAttr().Get() != name:
                problem(f"{path} fieldName {asset.GetFieldNameAttr().Get()} != {name}")
            if name == "density" and asset.GetFieldClassAttr().Get() != "fogVolume":
                problem(f"{path}: density must have fieldClass fogVolume")
            if name == "vel" and (asset.GetFieldDataTypeAttr().Get() != "float3"
                                  or asset.GetVectorDataRoleHintAttr().Get() != "Vector"):
                problem(f"{path}: vel must be float3 with vectorDataRoleHint Vector")


def check_fans(stage, counts):
    """The writer's sampling rules (RackFlowExport/USD/FanMotion.swift, default settings):
    the rotor's vibration (xformOp:translate) has sub-frame samples wherever the blade pass
    needs more than one sample per frame (4 per period); its spin (xformOp:rotateZ) has them
    wherever the speed changes enough in a frame that linear interpolation of the angle is
    off by more than 1 degree, and none while the speed is steady; a fan stopped at both ends
    of a frame has none."""
    fps = stage.GetFramesPerSecond()
    for prim in stage.Traverse():
        rpm_attr = prim.GetAttribute("fan:rpm")
        if not rpm_attr:
            continue
        counts["fans"] += 1
        blades = prim.GetAttribute("fan:bladeCount").Get()
        rotor = prim.GetChild("Rotor")
        if not rotor or not rotor.IsInstance():
            problem(f"{prim.GetPath()} has no instanced Rotor")
            continue
        shake = rotor.GetAttribute("xformOp:translate").GetTimeSamples()
        spin = rotor.GetAttribute("xformOp:rotateZ").GetTimeSamples()
        for f in list(frames(stage))[:-1]:
            r0, r1 = rpm_attr.Get(f), rpm_attr.Get(f + 1)
            shake_in = [t for t in shake if f < t < f + 1]
            spin_in = [t for t in spin if f < t < f + 1]
            counts["subFrameSamples"] += len(shake_in) + len(spin_in)
            if 4 * max(r0, r1) / 60 * blades / fps > 1 and not shake_in:
                problem(f"{rotor.GetPath()}: no sub-frame vibration samples in ({f}, {f + 1}) at {max(r0, r1)} rpm")
            if abs(r1 - r0) * 6 / fps / 8 > 1 and not spin_in:
                problem(f"{rotor.GetPath()}: no sub-frame spin samples in ({f}, {f + 1}), {r0} -> {r1} rpm")
            if r0 == r1 and spin_in:
                problem(f"{rotor.GetPath()}: sub-frame spin samples at steady speed in ({f}, {f + 1})")
            if r0 == 0 and r1 == 0 and shake_in:
                problem(f"{rotor.GetPath()}: sub-frame vibration samples while stopped in ({f}, {f + 1})")


# ---- Z-up variant -------------------------------------------------------------------------

# Row-vector matrix taking Z-up world points to Y-up: (x, y, z) -> (x, z, -y).
ZUP_TO_YUP = Gf.Matrix4d(1, 0, 0, 0,  0, 0, -1, 0,  0, 1, 0, 0,  0, 0, 0, 1)


def value_equal(a, b):
    if isinstance(a, Sdf.AssetPath) and isinstance(b, Sdf.AssetPath):
        return a.path == b.path  # as authored; the resolved paths are in different folders
    if isinstance(a, float) and isinstance(b, float):
        return math.isclose(a, b, rel_tol=1e-6, abs_tol=1e-9)
    return a == b


def compare_zup(ystage, zpath):
    """Same prims, kinds and values except transforms and upAxis; geometry rotated."""
    zstage = Usd.Stage.Open(zpath)
    ylayer, zlayer = ystage.GetRootLayer(), zstage.GetRootLayer()
    for key in ("metersPerUnit", "timeCodesPerSecond", "framesPerSecond", "startTimeCode",
                "endTimeCode", "defaultPrim", "documentation"):
        if getattr(ylayer, key, None) != getattr(zlayer, key, None) and key != "metersPerUnit":
            problem(f"Z-up stage differs in {key}")
    if UsdGeom.GetStageUpAxis(zstage) != "Z":
        problem("Z-up stage's upAxis is not Z")
    yprims = {str(p.GetPath()): p for p in all_prims(ystage)}
    zprims = {str(p.GetPath()): p for p in all_prims(zstage)}
    if set(yprims) != set(zprims):
        problem(f"Z-up stage has other prims: {sorted(set(yprims) ^ set(zprims))[:5]}")
        return
    fs = frames(ystage)
    times = [Usd.TimeCode(fs[0]), Usd.TimeCode(fs[len(fs) // 2] + 0.25), Usd.TimeCode(fs[-1])]
    compared = 0
    for path, yp in yprims.items():
        zp = zprims[path]
        if yp.GetTypeName() != zp.GetTypeName() or Usd.ModelAPI(yp).GetKind() != Usd.ModelAPI(zp).GetKind():
            problem(f"{path}: type or kind differs in the Z-up stage")
        for attr in yp.GetAttributes():
            name = attr.GetName()
            if name.startswith("xformOp") or name == "xformOpOrder":
                continue  # the transform: compared through world bounds below
            zattr = zp.GetAttribute(name)
            if not zattr:
                problem(f"{attr.GetPath()} missing in the Z-up stage")
                continue
            if list(attr.GetTimeSamples()) != list(zattr.GetTimeSamples()):
                problem(f"{attr.GetPath()}: time samples differ in the Z-up stage")
            for t in times:
                if not value_equal(attr.Get(t), zattr.Get(t)):
                    problem(f"{attr.GetPath()} at {t}: {attr.Get(t)} != {zattr.Get(t)} in the Z-up stage")
                    break
            compared += 1
    # geometry: every gprim's world box in Y-up is the Z-up one rotated by the mapping
    for t in times:
        ycache = UsdGeom.BBoxCache(t, [UsdGeom.Tokens.default_])
        zcache = UsdGeom.BBoxCache(t, [UsdGeom.Tokens.default_])
        for path, yp in yprims.items():
            if not yp.IsA(UsdGeom.Gprim):
                continue
            yr = world_range(ycache, yp)
            zb = zcache.ComputeWorldBound(zprims[path])
            zb.Transform(ZUP_TO_YUP)
            zr = zb.ComputeAlignedRange()
            if not (Gf.IsClose(yr.GetMin(), zr.GetMin(), 1e-5) and Gf.IsClose(yr.GetMax(), zr.GetMax(), 1e-5)):
                problem(f"{path} at {t}: world box {yr} vs mapped Z-up {zr}")
                break
    return compared


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("stage")
    ap.add_argument("--up-axis", choices=["Y", "Z"])
    ap.add_argument("--zup", help="the Z-up variant of the same recording, to compare")
    ap.add_argument("--bbox", action="append", default=[], help="prim whose world box to print")
    args = ap.parse_args()

    stage = Usd.Stage.Open(args.stage)
    counts = {"perFrameAttributes": 0, "vdbAssets": 0, "nodes": 0, "volumes": 0, "fans": 0,
              "subFrameSamples": 0, "kinds": {}}
    validation = validate(stage)
    for e in validation:
        problem(f"validator {e['name']}: {e['message']} at {e['sites']}")
    meta = check_metadata(stage, args.up_axis)
    check_samples(stage, counts)
    check_kinds(stage, counts)
    check_nodes_and_volumes(stage, counts)
    check_fans(stage, counts)
    counts["prototypes"] = len(stage.GetPrototypes())
    if args.zup:
        counts["zupComparedAttributes"] = compare_zup(stage, args.zup)
    cache = UsdGeom.BBoxCache(Usd.TimeCode(stage.GetStartTimeCode()), [UsdGeom.Tokens.default_])
    bboxes = {}
    for path in args.bbox:
        prim = stage.GetPrimAtPath(path)
        if not prim:
            problem(f"--bbox {path}: no such prim")
            continue
        r = world_range(cache, prim)
        bboxes[path] = [list(r.GetMin()), list(r.GetMax())]
    print(json.dumps({"ok": not problems, "problems": problems, "metadata": meta, "counts": counts,
                      "validation": validation, "bboxes": bboxes}, indent=1))
    return 0 if not problems else 1


if __name__ == "__main__":
    sys.exit(main())
