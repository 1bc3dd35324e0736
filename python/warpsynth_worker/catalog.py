"""The ``catalog`` request: Warp's builtins as concrete signatures, each one known to work.

Signatures Warp specializes itself are taken as they are. Those warpsynth resolves from generic
overloads (``warp_bridge._specializations``) are accepted by the overload's own ``value_func``,
but a ``value_func`` does not check everything (``wp.norm_l2`` accepts any type, then fails in its
body, and reports float32 where the body returns float64), so each of them is also probed: a
one-line kernel calling it must pass Warp's build, and the result type is the one Warp infers.
"""

from __future__ import annotations

import itertools
import re

from . import loader, warp_bridge

_ADDRESS = re.compile(r" at 0x[0-9a-fA-F]+")

# The layout and the rules of the exported table; the driver caches tables by Warp version and
# this number (src/model/catalog.h, kCatalogFormat), so a changed exporter is never
# served a stale cache.
FORMAT = 1

_probe_ids = itertools.count()


def _zero(type_name: str) -> str:
    if type_name == "bool":
        return "False"
    if type_name.startswith(("float", "int", "uint")):
        return f"wp.{type_name}(0)"
    return f"wp.{type_name}()"  # zero-initialized vector, matrix, quaternion, transform


def probe(entry: dict) -> str | None:
    """None when a kernel calling the signature builds in Warp (the entry's result type is then set
    to the type Warp inferred for it), else the error."""
    lines = ["import warp as wp", "", "@wp.kernel", "def probe():"]
    names = []
    for i, arg in enumerate(entry["args"]):
        names.append(f"a{i}")
        lines.append(f"    a{i} = {_zero(arg['type'])}")
    lines.append(f"    r = wp.{entry['key']}({', '.join(names)})")
    name = f"warpsynth_probe_{next(_probe_ids)}"
    loaded = loader.load_source("\n".join(lines) + "\n", name, f"probe/{entry['key']}.py")
    try:
        if loaded.error is not None:
            return repr(loaded.error)
        kernel = loaded.module.probe
        warp_bridge.build_kernel(kernel)
        if isinstance(entry["returns"], str) and entry["returns"] != "None":
            inferred = warp_bridge.local_type_name(kernel, "r")
            if inferred is None:
                return "result type not known to the model"
            entry["returns"] = inferred
        return None
    except Exception as e:  # noqa: BLE001 - the reason is reported, the signature dropped
        reason = f"{type(e).__name__}: {str(e).splitlines()[-1] if str(e) else ''}"
        # Warp names some objects by their address ("<... Var object at 0x7fa8...>"): left out, so
        # that two exports of one Warp are the same bytes.
        return _ADDRESS.sub(" at 0x…", reason)
    finally:
        warp_bridge.forget_module(name)


def export() -> dict:
    table = warp_bridge.builtin_catalog()
    kept, rejected = [], []
    for entry in table["builtins"]:
        if entry["resolved_by"] == "warpsynth" and not entry["hidden"]:
            error = probe(entry)
            if error is not None:
                rejected.append({"key": entry["key"], "args": entry["args"], "error": error})
                continue
        kept.append(entry)
    table["builtins"] = kept
    table["rejected"] = rejected
    table["format"] = FORMAT
    return table
