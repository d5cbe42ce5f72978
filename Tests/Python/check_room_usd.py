#!/usr/bin/env python3
"""Checks a RackFlow room stage (`rackflow room`'s room.usda) with the OpenUSD library.

Usage: check_room_usd.py STAGE [UP_AXIS]

Prints one JSON object and exits 0 when every check passes, 1 otherwise:
  ok, problems, validation (every UsdValidation error), frames, upAxis,
  racks: per rack prim: rackType layer, world bounds (stage axes), telemetry (rack level, first
         frame), nodeInstances, nodes (per node: telemetry at the first frame), colours (per
         node: heat-map colour at the first and last frames), fans (count, rpm at the last frame, spin samples),
         vdb (resolved path, exists, grids, metadata 'rank' / 'rack' via pyopenvdb);
  nodePrototypes: per node type, the number of prototypes its instances share;
  trays: per tray: points, curveVertexCounts, world bounds, per attribute its time samples,
         per vertex primvar the values at every frame.

Checks (DESIGN §7 and RoomStageWriter):
  - UsdValidation's validators report nothing; metersPerUnit 1, upAxis UP_AXIS (default Y),
    time codes;
  - /Room is an assembly; each rack prim is a group holding a 'Rack' that references a layer
    under assets/racks/; the nodes inside are instances of node assets, and the nodes of one
    type share one prototype;
  - every telemetry:*, probe:*, vibration:* attribute, every node's heat-map colour and every
    vertex primvar of a tray has a sample on every frame; vertex primvars have one value per point;
  - every fan's rackflow:node reaches a node of its rack, and its Rotor is an instance whose
    spin (xformOp:rotateZ) is sampled on every frame;
  - each rack's Volume has the world bounds of the rack's shell (1 mm), and reaches
    OpenVDBAsset prims whose filePath resolves on every frame to a file that OpenVDB reads,
    holding the grids named;
  - /Room/Air (the room air, when written) is a Volume whose fields resolve and read the same
    way on every frame, and whose bounds hold every rack's (reported as air: bounds, vdb).
"""
import json
import sys

from pxr import Kind, Usd, UsdGeom, UsdVol

from stage_checks import check_every_frame, frames, problem, problems, validate, world_bounds

try:
    import pyopenvdb as vdb
except ImportError:
    import openvdb as vdb


def volume_files(stage, vol, fs):
    """Every field of Volume `vol`: its OpenVDBAsset's filePath resolves on every frame to a file
    OpenVDB reads, holding the grid named. Returns {resolved path: {grids, rank, rack}}."""
    files = {}
    for name, fpath in UsdVol.Volume(vol).GetFieldPaths().items():
        target = stage.GetPrimAtPath(fpath)
        if not target or not target.IsA(UsdVol.OpenVDBAsset):
            problem(f"{vol.GetPath()} field:{name} -> {fpath} is not an OpenVDBAsset")
            continue
        attr = UsdVol.OpenVDBAsset(target).GetFilePathAttr()
        check_every_frame(attr, fs)
        for f in fs:
            v = attr.Get(f)
            if v is None or not v.resolvedPath:
                problem(f"{attr.GetPath()} at frame {f} does not resolve")
                continue
            if v.resolvedPath not in files:
                try:
                    grids, meta = vdb.readAll(v.resolvedPath)
                    files[v.resolvedPath] = {"grids": sorted(g.name for g in grids),
                                             "rank": meta.get("rank"), "rack": meta.get("rack")}
                except Exception as e:  # noqa: BLE001
                    problem(f"{v.resolvedPath}: OpenVDB cannot read it: {e}")
                    continue
            if name not in files[v.resolvedPath]["grids"]:
                problem(f"{v.resolvedPath} has no grid {name}")
    return files


def main():
    path = sys.argv[1]
    stage = Usd.Stage.Open(path)
    out = {"racks": {}, "trays": {}}
    errors = validate(stage)
    out["validation"] = errors
    for e in errors:
        problem(f"validator {e['name']}: {e['message']} at {e['sites']}")
    if UsdGeom.GetStageMetersPerUnit(stage) != 1:
        problem("metersPerUnit is not 1")
    want_up = sys.argv[2] if len(sys.argv) > 2 else "Y"
    out["upAxis"] = UsdGeom.GetStageUpAxis(stage)
    if out["upAxis"] != want_up:
        problem(f"upAxis is {out['upAxis']}, not {want_up}")
    if stage.GetTimeCodesPerSecond() != stage.GetFramesPerSecond():
        problem("timeCodesPerSecond differs from framesPerSecond")
    fs = list(frames(stage))
    out["frames"] = fs
    root = stage.GetPrimAtPath("/Room")
    if not root or Usd.ModelAPI(root).GetKind() != Kind.Tokens.assembly or not root.IsModel():
        problem("/Room is missing or not an assembly model")
    if stage.GetDefaultPrim() != root:
        problem("defaultPrim is not /Room")
    cache = UsdGeom.BBoxCache(fs[0], [UsdGeom.Tokens.default_, UsdGeom.Tokens.render])
    prototypes = {}
    racks = stage.GetPrimAtPath("/Room/Racks")
    for rack in (racks.GetChildren() if racks else []):
        info = {}
        out["racks"][rack.GetName()] = info
        if not rack.IsGroup():
            problem(f"{rack.GetPath()} is not a group")
        inst = rack.GetChild("Rack")
        if not inst:
            problem(f"{rack.GetPath()}/Rack is missing")
            continue
        layers = [s.layer.identifier for s in inst.GetPrimStack() if "assets/racks/" in s.layer.identifier]
        info["rackTypeLayer"] = layers[0].split("assets/racks/")[-1] if layers else None
        if not layers:
            problem(f"{inst.GetPath()} does not reference a layer under assets/racks/")
        info["bounds"] = world_bounds(cache, inst)
        nodes = [c for c in inst.GetChildren() if c.GetName().startswith("Node_")]
        info["nodeInstances"] = len(nodes)
        info["telemetry"] = {}
        for a in rack.GetAttributes():
            if a.GetName().startswith("telemetry:"):
                check_every_frame(a, fs)
                info["telemetry"][a.GetName()[10:]] = a.Get(fs[0])
        info["nodes"] = {}
        info["colours"] = {}
        for n in nodes:
            if not n.IsInstance() or not n.GetPrototype().GetChildren():
                problem(f"{n.GetPath()} is not an instance of a node asset")
                continue
            node_type = n.GetAttribute("rackflow:nodeType").Get()
            prototypes.setdefault(node_type, set()).add(str(n.GetPrototype().GetPath()))
            values = {}
            for a in n.GetAttributes():
                if a.GetName().startswith("telemetry:"):
                    check_every_frame(a, fs)
                    values[a.GetName()[10:]] = a.Get(fs[0])
            colour = UsdGeom.PrimvarsAPI(n).GetPrimvar("displayColor")
            if colour and colour.GetAttr().GetNumTimeSamples() > 0:
                check_every_frame(colour.GetAttr(), fs)
                info["colours"][n.GetName()] = [list(colour.Get(fs[0])[0]), list(colour.Get(fs[-1])[0])]
            info["nodes"][n.GetName()] = values
        if not info["nodes"]:
            problem(f"{rack.GetPath()} has no node telemetry")
        fans = rack.GetChild("Fans")
        info["fans"] = {"count": 0}
        for f in (fans.GetChildren() if fans else []):
            info["fans"]["count"] += 1
            rel = f.GetRelationship("rackflow:node")
            targets = rel.GetTargets() if rel else []
            if len(targets) != 1 or not stage.GetPrimAtPath(targets[0]) or \
                    not str(targets[0]).startswith(str(inst.GetPath()) + "/Node_"):
                problem(f"{f.GetPath()} rackflow:node does not reach a node of {inst.GetPath()}")
            rpm = f.GetAttribute("fan:rpm")
            check_every_frame(rpm, fs)
            info["fans"]["rpmLast"] = rpm.Get(fs[-1])
            rotor = f.GetChild("Rotor")
            if not rotor or not rotor.IsInstance():
                problem(f"{f.GetPath()}/Rotor is missing or not an instance")
                continue
            spin = rotor.GetAttribute("xformOp:rotateZ")
            check_every_frame(spin, fs)
            info["fans"]["spinSamples"] = len(spin.GetTimeSamples())
        vol = rack.GetChild("Fields")
        if not vol or not vol.IsA(UsdVol.Volume):
            problem(f"{rack.GetPath()} has no Volume 'Fields'")
            continue
        # The volume lands on the rack's shell in either up axis (placement, rotation, extent).
        shell = inst.GetChild("Shell")
        info["fieldBounds"] = world_bounds(cache, vol)
        if shell:
            sb = world_bounds(cache, shell)
            gap = max(abs(a - b) for p, q in zip(info["fieldBounds"], sb) for a, b in zip(p, q))
            if gap > 1e-3:
                problem(f"{vol.GetPath()} bounds {info['fieldBounds']} are not the shell's {sb} (off by {gap} m)")
        info["vdb"] = volume_files(stage, vol, fs)
    out["nodePrototypes"] = {t: len(p) for t, p in prototypes.items()}
    for node_type, protos in prototypes.items():
        if len(protos) != 1:
            problem(f"nodes of type {node_type} do not share one prototype: {sorted(protos)}")
    air = stage.GetPrimAtPath("/Room/Air")
    if air:
        if not air.IsA(UsdVol.Volume):
            problem("/Room/Air is not a Volume")
        else:
            ab = world_bounds(cache, air)
            out["air"] = {"bounds": ab, "vdb": volume_files(stage, air, fs)}
            # The hall holds every rack (1 mm).
            for name, r in out["racks"].items():
                fb = r.get("fieldBounds")
                if fb and any(fb[0][i] < ab[0][i] - 1e-3 or fb[1][i] > ab[1][i] + 1e-3 for i in range(3)):
                    problem(f"/Room/Air bounds {ab} do not hold rack {name}'s {fb}")
    trays = stage.GetPrimAtPath("/Room/CableTrays")
    for t in (trays.GetChildren() if trays else []):
        if not t.IsA(UsdGeom.BasisCurves):
            problem(f"{t.GetPath()} is not a BasisCurves")
            continue
        c = UsdGeom.BasisCurves(t)
        pts = c.GetPointsAttr().Get()
        counts = list(c.GetCurveVertexCountsAttr().Get())
        info = {"name": t.GetAttribute("rackflow:name").Get(), "points": len(pts), "curveVertexCounts": counts,
                "bounds": world_bounds(cache, t), "attributes": {}, "primvars": {}}
        out["trays"][t.GetName()] = info
        if sum(counts) != len(pts):
            problem(f"{t.GetPath()}: curveVertexCounts {counts} do not add up to {len(pts)} points")
        for a in t.GetAttributes():
            n = a.GetName()
            if n.startswith("probe:") or n.startswith("vibration:"):
                check_every_frame(a, fs)
                info["attributes"][n] = {str(int(f)): a.Get(f) for f in a.GetTimeSamples()}
        for pv in UsdGeom.PrimvarsAPI(t).GetPrimvars():
            if pv.GetInterpolation() != UsdGeom.Tokens.vertex:
                continue
            n = pv.GetPrimvarName()
            if pv.GetAttr().GetNumTimeSamples() > 0:
                check_every_frame(pv.GetAttr(), fs)
            values = {str(f): list(pv.Get(f)) for f in fs}
            for f, v in values.items():
                if len(v) != len(pts):
                    problem(f"{pv.GetAttr().GetPath()} at frame {f}: {len(v)} values for {len(pts)} points")
            info["primvars"][n] = values
    out["ok"] = not problems
    out["problems"] = problems
    print(json.dumps(out, default=str))
    return 0 if out["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
