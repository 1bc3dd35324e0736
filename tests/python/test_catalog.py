"""The builtin catalog exported from the installed Warp."""

import json
from pathlib import Path

from warpsynth_worker import catalog, warp_bridge

warp_bridge.init()
FIXTURE = Path(__file__).resolve().parents[1] / "data" / "catalog-warp-1.19.0.json"
_table = None


def table():
    global _table
    if _table is None:
        _table = catalog.export()
    return _table


def entries(key):
    return [e for e in table()["builtins"] if e["key"] == key]


def test_concrete_signatures_come_from_warps_registry():
    sqrt = {tuple(a["type"] for a in e["args"]): e["returns"] for e in entries("sqrt")}
    assert sqrt[("float32",)] == "float32" and sqrt[("float64",)] == "float64"
    cross = entries("cross")
    assert any(e["args"][0]["type"] == "vec3f" and e["returns"] == "vec3f" for e in cross)
    # Exported generic builtins are specialized by Warp itself and keep their public visibility.
    assert all(not e["hidden"] and e["resolved_by"] == "warp" for e in entries("sqrt"))
    assert {e["group"] for e in entries("sin")} == {"Scalar Math"}
    assert all(e["differentiable"] is False for e in entries("floor"))


def test_generic_any_overloads_are_resolved_and_probed():
    where = entries("where")
    assert any([a["type"] for a in e["args"]] == ["bool", "vec3f", "vec3f"] and e["returns"] == "vec3f" for e in where)
    # norm_l2 accepts `Any` in its signature but only works on vectors; the probe keeps those,
    # with the result type Warp infers (float64 for a vec3d, which its value_func misreports).
    norms = {e["args"][0]["type"]: e["returns"] for e in entries("norm_l2")}
    assert norms.get("vec3d") == "float64"
    assert "float32" not in norms
    assert any(r["key"] == "norm_l2" for r in table()["rejected"])


def test_several_results_are_listed_as_a_list():
    (quat_f,) = [e for e in entries("quat_to_axis_angle") if e["args"][0]["type"] == "quatf"]
    assert quat_f["returns"] == ["vec3f", "float32"]


def test_probe_reports_a_signature_that_does_not_build():
    assert catalog.probe({"key": "sin", "args": [{"name": "x", "type": "float32"}], "returns": "float32"}) is None
    error = catalog.probe({"key": "length", "args": [{"name": "x", "type": "float32"}], "returns": "float32"})
    assert error and "length" in error


def test_checked_in_fixture_matches_the_installed_warp():
    """tests/data holds the catalog the C++ tests and the benchmark use; it must be what this Warp
    exports (regenerate: ./build/warpsynth catalog --refresh --out tests/data/catalog-warp-1.19.0.json)."""
    fixture = json.loads(FIXTURE.read_text())
    assert fixture["warp_version"] == warp_bridge.warp_version()
    assert fixture["builtins"] == json.loads(json.dumps(table()["builtins"]))
