"""What the stage checkers (check_usd.py, check_room_usd.py, check_hot_gpu.py) share: the list of
problems found, the stage's frames, OpenUSD's validators, the every-frame sample check and world
bounds. Imported by name: Python puts a script's own folder first on sys.path.
"""
from pxr import Usd, UsdValidation

problems = []


def problem(msg):
    """Records one problem; a checker exits 1 when any was recorded."""
    problems.append(msg)


def frames(stage):
    """Integer frames of the stage's time range."""
    return range(int(stage.GetStartTimeCode()), int(stage.GetEndTimeCode()) + 1)


def validate(stage):
    """Runs every registered validator; returns the errors as dicts."""
    validators = UsdValidation.ValidationRegistry().GetOrLoadAllValidators()
    out = []
    for e in UsdValidation.ValidationContext(validators).Validate(stage):
        sites = [str(s.GetPrim().GetPath()) if s.IsPrim() else str(s.GetProperty().GetPath()) if s.IsProperty()
                 else s.GetLayer().identifier if s.GetLayer() else "stage" for s in e.GetSites()]
        out.append({"type": str(e.GetType()).rsplit(".", 1)[-1], "name": str(e.GetName()),
                    "message": e.GetMessage(), "sites": sites[:5]})
    return out


def check_every_frame(attr, fs):
    """The attribute has a sample on every integer frame of `fs`."""
    samples = set(attr.GetTimeSamples())
    missing = [f for f in fs if float(f) not in samples]
    if missing:
        problem(f"{attr.GetPath()} lacks samples at frames {missing[:5]}")


def world_range(cache, prim):
    """The prim's axis-aligned world bounds (a Gf.Range3d) from a UsdGeom.BBoxCache."""
    return cache.ComputeWorldBound(prim).ComputeAlignedRange()


def world_bounds(cache, prim):
    """The same bounds as [[min x, y, z], [max x, y, z]], for JSON."""
    r = world_range(cache, prim)
    return [list(r.GetMin()), list(r.GetMax())]
