"""The reference a record's code is checked against: the units Warp itself writes to its kernel
cache when a kernel's module is loaded (``Module.load`` on the CPU, at the block dim the record
names) and when it is compiled for the record's CUDA architecture and block dim. Used by
``tests/e2e/test_fidelity.py`` (a sample, in CI) and ``bench/fidelity.py`` (200 generated kernels
and all of warp-lang's examples).

Comparison is function by function, after the normalizations docs/ir-format.md documents,
implemented here independently of warpsynth's C++: location comments and ``#line`` directives
dropped, trailing space stripped, hashed kernel and struct names and numbered ``@wp.func`` names
reduced to their key. ``<L n>`` tags are compared apart: in a record each must point at the line of
the record's own Python that its comment quotes (``line_tag_mismatches``).
"""

from __future__ import annotations

import glob
import importlib.util
import itertools
import os
import re
import sys

import warp as wp

_LOCATION = re.compile(r"^// .*:\d+$")
_TAG = re.compile(r"\s*<L (\d+)>$")
_DEFINED_FUNCTION = re.compile(r"^(?:static |WP_API |template <[^>]*> )*.*?\b([A-Za-z_]\w*?_\d+)\($")


def _numbered_functions(unit: str) -> set[str]:
    """Names ``key_N`` of the functions a unit defines (``static ... key_N(`` at column 0)."""
    names = set()
    for line in unit.splitlines():
        if line.startswith("static ") and line.endswith("("):
            name = line[:-1].split()[-1]
            if re.fullmatch(r"[A-Za-z_]\w*_\d+", name):
                names.add(name.removeprefix("adj_").removeprefix("replay_"))
    return names


def normalize(unit: str, hashed: dict[str, str], functions: set[str] | None = None) -> str:
    """The documented normalizations, with ``<L n>`` tags dropped; ``hashed`` maps hash-suffixed
    kernel and struct names to their keys. Numbered function names (``functions``, by default
    those ``unit`` defines) lose their number."""
    lines = []
    for line in unit.splitlines():
        if _LOCATION.match(line) or line.lstrip().startswith("#line "):
            continue
        lines.append(_TAG.sub("", line.rstrip()).rstrip())
    text = "\n".join(lines)
    for name in sorted(hashed, key=len, reverse=True):
        text = text.replace(name, hashed[name])
    for name in _numbered_functions(unit) if functions is None else functions:
        key = name.rsplit("_", 1)[0]
        text = re.sub(rf"\b((?:adj_|replay_)?){re.escape(name)}\b", rf"\g<1>{key}_#", text)
    return text


def _record_side(code: str, module: str) -> str:
    """A record's code as the reference is normalized: its functions, defined in its ``module``,
    are already numbered from 0 per key (``key_0``), which ``normalize`` reduces to ``key_#``."""
    return normalize(code, {}, _numbered_functions(module))


def top_level_items(text: str) -> list[str]:
    """A unit cut into its top-level items: each struct, function, or ``extern "C"`` block, from
    the line it starts on to the line where its braces close."""
    items, current, depth, opened = [], [], 0, False
    for line in text.splitlines():
        if not current and not line.strip():
            continue
        if not current and line.startswith(("#", "//")):
            continue  # the preamble's directives and comments
        current.append(line)
        if line.lstrip().startswith("//"):
            continue
        depth += line.count("{") - line.count("}")
        opened = opened or "{" in line
        if depth == 0 and (opened or line.rstrip().endswith(";")):
            items.append("\n".join(current).strip("\n"))
            current, opened = [], False
    return [item for item in items if item.strip()]


def line_tag_mismatches(record: dict) -> list[str]:
    """Tagged lines of a record's code whose ``<L n>`` does not point at the line of the record's
    Python that the comment quotes (Warp writes ``// <source line, stripped>  <L n>``)."""
    python = record["python"].splitlines()
    bad = []
    for device in ("cpu", "cuda"):
        for part in ("forward", "backward", "module"):
            for line in (record[device][part] or "").splitlines():
                match = _TAG.search(line)
                if not match:
                    continue
                quoted = line[: match.start()].strip().removeprefix("//").strip().removeprefix("adj: ").strip()
                number = int(match.group(1))
                if not (1 <= number <= len(python)) or python[number - 1].strip() != quoted:
                    bad.append(f"{device}.{part}: {line.strip()[:100]}")
    return bad


def _hashed_names(unit: str, keys: set[str]) -> dict[str, str]:
    """Hash-suffixed names in a unit (``{key}_{8 hex}``): the module's kernels and its structs."""
    keys = keys | set(re.findall(r"^struct (\w+)_[0-9a-f]{8}\b", unit, re.M))
    names = {}
    for key in keys:
        for name in re.findall(rf"{re.escape(key)}_[0-9a-f]{{8}}", unit):
            names[name] = key
    return names


def warp_units(module, cpu_block_dim: int, cuda_block_dim: int, cuda_arch: int, cache_dir: str) -> dict:
    """The CPU unit ``Module.load`` writes to the kernel cache, and the CUDA unit Warp writes when
    it compiles the module for ``cuda_arch`` (PTX, as a load on such a GPU does) at ``cuda_block_dim``."""
    wp.config.kernel_cache_dir = cache_dir
    module.load(wp.get_device("cpu"), block_dim=cpu_block_dim)
    # (Warp's first load initializes it, which puts the cache in a subfolder named by its version.)
    cpu_dir = os.path.join(wp.config.kernel_cache_dir, module.get_module_identifier(block_dim=cpu_block_dim))
    if not glob.glob(os.path.join(cpu_dir, "*.cpp")):
        # The program loaded this module itself, earlier, into another cache folder: the load
        # above reused it. Compile it here the way that load did (`Module.load` calls `_compile`).
        options = module.resolve_options(wp.config, block_dim=cpu_block_dim)
        module._compile(wp.get_device("cpu"), cpu_dir, options=options)
    (cpu_path,) = glob.glob(os.path.join(cpu_dir, "*.cpp"))
    options = module.resolve_options(wp.config, block_dim=cuda_block_dim)
    cuda_dir = os.path.join(cache_dir, "cuda", module.get_module_identifier(block_dim=cuda_block_dim))
    module._compile(None, cuda_dir, output_arch=cuda_arch, use_ptx=True, options=options)
    (cuda_path,) = glob.glob(os.path.join(cuda_dir, "*.cu"))
    keys = {kernel.key for kernel in module._get_live_kernels()}
    units = {}
    for device, path in (("cpu", cpu_path), ("cuda", cuda_path)):
        with open(path, encoding="utf-8") as f:
            unit = f.read()
        units[device] = top_level_items(normalize(unit, _hashed_names(unit, keys)))
    return units


def _is_declaration_block(item: str) -> bool:
    lines = item.splitlines()
    return lines[0] == 'extern "C" {' and lines[-1] == "}" and all(line.endswith(";") for line in lines[1:-1])


def record_mismatches(record: dict, units: dict) -> list[str]:
    """The record's functions (forward, backward, and every item of its module: structs,
    ``@wp.func``s, CPU entry points) that are not, byte for byte, items of Warp's units."""
    bad = []
    for device in ("cpu", "cuda"):
        reference = set(units[device])
        for part in ("forward", "backward", "module"):
            if record[device][part] is None:
                continue
            for item in top_level_items(_record_side(record[device][part], record[device]["module"])):
                if item in reference:
                    continue
                if _is_declaration_block(item):
                    # Declarations of the LTO code a module links (MathDx tile_fft/matmul): Warp's
                    # block lists the module's, a one-kernel unit its kernel's: each must be there.
                    declared = {line for ref in reference if _is_declaration_block(ref) for line in ref.splitlines()}
                    if all(line in declared for line in item.splitlines()[1:-1]):
                        continue
                bad.append(f"{device}.{part}: {item.splitlines()[0][:100]}")
    return bad


def import_file(path: str, module_name: str):
    """Imports a Python file as a module of the given name (for Warp, as the user's program would)."""
    spec = importlib.util.spec_from_file_location(module_name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    spec.loader.exec_module(module)
    return module


def _cpu_blocks(enabled: bool):
    """``wp.config.enable_cpu_blocks`` set as a record says its CPU code was made."""

    class _Scope:
        def __enter__(self):
            self.saved = wp.config.enable_cpu_blocks
            wp.config.enable_cpu_blocks = enabled

        def __exit__(self, *exc):
            wp.config.enable_cpu_blocks = self.saved

    return _Scope()


_module_numbers = itertools.count()  # one Python (and Warp) module name per imported file


def check_records(records: list[dict], source_of, cache_dir: str) -> dict:
    """Checks records against Warp's own units. ``source_of(record)`` gives the path of the Python
    file to import for it (a generated record's own Python, written to a file; an extracted one's
    original file), or None to skip it. Returns counts and the first mismatches."""
    by_file: dict[str, list[dict]] = {}
    for record in records:
        path = source_of(record)
        if path is not None:
            by_file.setdefault(path, []).append(record)
    result = {"records": 0, "equal": 0, "line_tags_ok": 0, "import_failed": [], "mismatches": []}
    for path, file_records in sorted(by_file.items()):
        # Each file runs as its own program would: settings it makes in wp.config at import
        # (`wp.config.enable_backward = False`) apply to its modules and are undone after.
        config = {
            k: v
            for k, v in vars(wp.config).items()
            if not k.startswith("_") and not callable(v) and k != "kernel_cache_dir"
        }
        try:
            _check_file(path, file_records, cache_dir, result)
        finally:
            for name, value in config.items():
                setattr(wp.config, name, value)
    return result


def _check_file(path: str, file_records: list[dict], cache_dir: str, result: dict) -> None:
    """Imports one file, loads its Warp modules at each variant its records name, and compares."""
    from warp._src.context import Kernel

    try:
        module = import_file(path, f"warpsynth_fidelity_{next(_module_numbers)}")
    except BaseException as e:  # noqa: BLE001 - a file that does not import here is counted
        result["import_failed"].append(f"{path}: {type(e).__name__}: {e}"[:300])
        return
    warp_modules = {obj.module for obj in vars(module).values() if isinstance(obj, Kernel)}
    units_cache = {}
    for record in file_records:
        meta = record["meta"]
        key = (meta["block_dim"]["cpu"], meta["block_dim"]["cuda"], meta["cuda_arch"], meta.get("cpu_blocks", False))
        if key not in units_cache:
            merged = {"cpu": [], "cuda": []}
            with _cpu_blocks(key[3]):
                for warp_module in sorted(warp_modules, key=lambda m: m.name):
                    units = warp_units(warp_module, key[0], key[1], key[2], cache_dir)
                    merged["cpu"] += units["cpu"]
                    merged["cuda"] += units["cuda"]
            units_cache[key] = merged
        result["records"] += 1
        bad = record_mismatches(record, units_cache[key])
        tags = line_tag_mismatches(record)
        result["equal"] += not bad
        result["line_tags_ok"] += not tags
        if (bad or tags) and len(result["mismatches"]) < 20:
            result["mismatches"].append({"file": path, "kernel": record["kernel"], "functions": bad[:5], "line_tags": tags[:5]})
