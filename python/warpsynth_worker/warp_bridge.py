"""Every call into Warp's private API (``warp._src``) lives here.

``warp._src`` moves between releases, so this module is written against one pinned version
(``PINNED_WARP_VERSION``, the version in ``requirements.txt``) and covered by
``tests/python/test_warp_bridge.py``. The rest of the worker goes through these functions only.
"""

from __future__ import annotations

import itertools
import contextlib
import sys
from typing import Any

import warp as wp
from warp._src import codegen as _codegen
from warp._src import context as _context
from warp._src import types as _types

# The private modules whose types and classes the worker's other modules test values against
# (type predicates, isinstance): named here, so that this module stays the only one to import
# warp._src.
warp_types = _types
warp_codegen = _codegen
warp_context = _context


def builtin_functions() -> dict:
    """Warp's builtin registry: name -> Function (with ``overloads``, ``is_differentiable``...)."""
    return _context.builtin_functions


PINNED_WARP_VERSION = "1.19.0"


def warp_version() -> str:
    return wp.config.version


def init(kernel_cache_dir: str | None = None, lto_cache_dir: str | None = None) -> None:
    wp.config.quiet = True
    if kernel_cache_dir:
        wp.config.kernel_cache_dir = kernel_cache_dir
    wp.init()
    if lto_cache_dir:
        share_lto_cache(lto_cache_dir)


def default_lto_cache() -> str | None:
    """Where workers share MathDx's LTO-IR: $WARPSYNTH_LTO_CACHE ("off": each worker keeps its own,
    in its kernel cache, as Warp does), else lto/ in warpsynth's cache folder (the catalog's:
    $WARPSYNTH_CACHE_DIR, else $XDG_CACHE_HOME/warpsynth, else ~/.cache/warpsynth)."""
    import os

    given = os.environ.get("WARPSYNTH_LTO_CACHE")
    if given:
        return None if given == "off" else given
    if os.environ.get("WARPSYNTH_CACHE_DIR"):
        return os.path.join(os.environ["WARPSYNTH_CACHE_DIR"], "lto")
    home = os.path.expanduser("~")
    base = os.environ.get("XDG_CACHE_HOME") or (os.path.join(home, ".cache") if home != "~" else None)
    return os.path.join(base, "warpsynth", "lto") if base else None


def share_lto_cache(root: str) -> None:
    """Keeps the LTO-IR that MathDx makes for each tile_matmul (and FFT, Cholesky) shape in one
    folder for every worker and run. Making one takes about 7 s (three took 20 s of one 24-kernel
    batch's 23 s of PTX), and Warp keeps them in the kernel cache, which here is each worker's own
    and lasts one run. Warp names each file by a hash of its symbol (shape, types, architecture)
    and writes it atomically (a per-process folder, then os.replace), so processes can share them.
    Left as Warp's own where the folder cannot be made."""
    import os

    from warp._src import build as _build

    path = os.path.join(root, f"warp-{wp.config.version}")
    try:
        os.makedirs(path, exist_ok=True)
    except OSError as e:
        print(f"warpsynth worker: LTO cache {path} not usable ({e}); each worker keeps its own", file=sys.stderr)
        return
    _build.get_lto_cache_dir = lambda: path


def config_snapshot() -> dict:
    """The settings in ``warp.config``. Loaded code may change them (``wp.config.enable_backward =
    False`` at module level); the worker restores them after each source so that no setting
    leaks from one file into the next."""
    return {
        name: value
        for name, value in vars(wp.config).items()
        if not name.startswith("_") and not callable(value) and not isinstance(value, type(wp))
    }


def config_restore(snapshot: dict) -> None:
    for name, value in snapshot.items():
        setattr(wp.config, name, value)


def is_kernel(obj) -> bool:
    return isinstance(obj, _context.Kernel)


def forget_module(module_name: str) -> None:
    """Drop a loaded source's Warp module and Python module, so a long-lived worker that loads
    thousands of sources keeps its memory bounded. The module is also taken out of the
    ``dependents`` of the modules it used (Warp's own ``@wp.func`` library, for one), which would
    otherwise keep it, its kernels and their generated code alive for the life of the worker."""
    module = _context.user_modules.pop(module_name, None)
    if module is not None:
        module._detach_references()
    sys.modules.pop(module_name, None)


@contextlib.contextmanager
def hidden_module(module_name: str | None):
    """Takes a Warp module out of the registry for the duration (a module Warp made for one
    kernel is reused for any kernel of the same content); whatever took its name meanwhile is
    detached, and the module put back."""
    original = _context.user_modules.pop(module_name, None) if module_name else None
    try:
        yield
    finally:
        if module_name:
            replaced = _context.user_modules.pop(module_name, None)
            if replaced is not None and replaced is not original:
                replaced._detach_references()
            if original is not None:
                _context.user_modules[module_name] = original


def derived_module_names(module_name: str) -> list[str]:
    """Warp modules named ``<module_name>.<something>``: where Warp puts kernels it generates
    from a module's code (warp.fem's integrands)."""
    prefix = module_name + "."
    return sorted(name for name in list(_context.user_modules) if name.startswith(prefix))


def live_kernels(module_name: str) -> list:
    """Kernels Warp registered for a Python module, including factory-made ones still referenced."""
    return _context.get_module(module_name)._get_live_kernels()


def concrete_kernels(kernel) -> list:
    """A kernel itself, or for a generic kernel the concrete overloads declared for it."""
    if not kernel.is_generic:
        return [kernel]
    return list(kernel.overloads.values())


def type_name(t) -> str:
    return _types.type_repr(t)


def argument_types(kernel) -> list[dict]:
    """Argument names and Warp types; user structs by their bare name, without the name of the
    Python module the worker loaded them into (which says nothing about the kernel)."""
    module_prefix = f"{kernel.func.__module__}."
    return [{"name": arg.label, "type": type_name(arg.type).replace(module_prefix, "")} for arg in kernel.adj.args]


# The CUDA architecture records are generated for: Warp's default PTX target (``default_ptx_arch``
# on a machine without a GPU, and the PTX arch Warp uses on any GPU at or above it). Fixed here,
# not read from the machine, so that the same kernel gives the same record everywhere.
DEFAULT_CUDA_ARCH = 75


class _CudaDeviceKind:
    """Stands for "a CUDA device" where Warp only asks whether a device is the CPU."""

    is_cpu = False


def launch_block_dims(requested: int | None, cpu_blocks: bool = False) -> dict:
    """The block dim a launch resolves to on each device, by Warp's own rule
    (``_resolve_launch_block_dim``): ``requested`` is the ``block_dim`` the launch site passes
    (None for a plain ``wp.launch``). On the CPU, blocks are opt-in (``wp.config.enable_cpu_blocks``,
    here ``cpu_blocks``), so it is 1 by default even for ``wp.launch_tiled``; on CUDA it is 256 or
    the requested size."""
    saved = wp.config.enable_cpu_blocks
    wp.config.enable_cpu_blocks = cpu_blocks
    try:
        cpu = _context._resolve_launch_block_dim(_context.runtime.get_device("cpu"), requested)
    finally:
        wp.config.enable_cpu_blocks = saved
    return {"cpu": cpu, "cuda": _context._resolve_launch_block_dim(_CudaDeviceKind(), requested)}


def _load_options(kernel, block_dim: int, output_arch: int | None) -> tuple[dict, dict]:
    """The options ``Module.load`` resolves for one block-dim variant (what its hasher sees), and
    the ones its compile step builds with (the same plus the output architecture)."""
    options = kernel.module.resolve_options(wp.config, block_dim=block_dim)
    return options, options | {"output_arch": output_arch}


def _module_options(kernel, block_dim: int | None = None) -> dict:
    """Options of a CPU load: at ``block_dim``, or at the block dim a plain CPU launch resolves to."""
    if block_dim is None:
        block_dim = launch_block_dims(None)["cpu"]
    return _load_options(kernel, block_dim, None)[1]


def _split_unit(source: str) -> tuple[str, str]:
    """A unit as (preamble, body): Warp's module preamble (everything up to and including its cast
    macros) and the kernel-specific rest. ``preamble + body`` is ``source`` less the blank lines
    between the two (their number depends on what the body starts with; the preamble then does not)."""
    marker = _codegen.codegen_cast_macros
    at = source.find(marker)
    if at < 0:
        raise RuntimeError("Warp's module preamble was not found in generated source")
    at += len(marker)
    return source[:at], source[at:].lstrip("\n")


def _uses_option_dependent_builtins(builder) -> bool:
    """Whether the adjoints a builder built may depend on the block dim or the architecture.
    Only tile builtins read them while building (tile shapes from the block dim, MathDx dispatch
    of tile_matmul/fft/Cholesky from the architecture), and each one's name has "tile" in it."""
    adjoints = [kernel.adj for kernel in builder.kernels] + [f.adj for f in builder.functions if getattr(f, "adj", None)]
    return any("tile" in (adj.source or "") for adj in adjoints)


def _forward_only(kernel, device: str, options: dict) -> str:
    saved = kernel.options
    kernel.options = {**saved, "enable_backward": False}
    try:
        return _codegen.codegen_kernel(kernel, device=device, options=options)
    finally:
        kernel.options = saved


def _rendered_kernel_functions(kernel, device: str, options: dict, unit: str) -> tuple[list, list | None]:
    """``_kernel_functions`` by rendering the kernel's forward function once more: slower, but it
    assumes nothing about the layout of Warp's templates. The reference the fast split is tested
    against, and its fallback."""
    if not (options | kernel.options)["enable_backward"]:
        forward = _codegen.codegen_kernel(kernel, device=device, options=options).lstrip("\n")
        start = unit.find(forward)
        if start < 0:
            raise RuntimeError("the kernel's forward function was not found in its unit")
        return [start, start + len(forward)], None
    forward = _forward_only(kernel, device, options).lstrip("\n")
    entry = _codegen.codegen_module(kernel, device=device, options=options)
    start = unit.find(forward)
    if start < 0 or not unit.endswith(entry):
        raise RuntimeError("could not split forward and backward code")
    middle = start + len(forward)
    backward_start = len(unit) - len(unit[middle:].lstrip("\n"))
    return [start, middle], [backward_start, len(unit) - len(entry)]


def _line_start(text: str, at: int) -> int:
    return text.rfind("\n", 0, at) + 1


def _split_kernel_text(kernel, device: str, options: dict, unit: str) -> tuple[list, list | None] | None:
    """``_kernel_functions`` from the unit's text alone, or None where the text is not laid out as
    expected. ``codegen_kernel`` formats forward and backward templates as one string, so the
    forward function is a prefix of the kernel's code: for CPU it starts at the kernel's argument
    struct, for CUDA at the forward entry's signature (after its ``#line`` directive, if any). The
    forward template ends with its closing brace and a blank line and the backward template starts
    with two newlines, so the boundary is the first column-0 ``}`` followed by four newlines."""
    name = kernel.get_mangled_name()
    if device == "cpu":
        start = unit.find(f"struct wp_args_{name} {{\n")
        backward_name = f"{name}_cpu_kernel_backward("
    else:
        signature = unit.find(f"{_codegen.cuda_kernel_forward_name(kernel)}(\n")
        if signature < 0:
            return None
        start = _line_start(unit, signature)
        directive = kernel.adj.get_line_directive("", kernel.adj.fun_def_lineno - 1)
        if directive:
            start = _line_start(unit, start - 1)
            if not unit.startswith(directive + "\n", start):
                return None
        backward_name = f"{_codegen.cuda_kernel_backward_name(kernel)}("
    if start < 0 or (start > 0 and unit[start - 1] != "\n"):
        return None
    entry = _codegen.codegen_module(kernel, device=device, options=options)
    if not unit.endswith(entry):
        return None
    end = len(unit) - len(entry)
    if not (options | kernel.options)["enable_backward"]:
        return [start, end], None
    junction = unit.find("\n}\n\n\n\n", start, end)
    if junction < 0:
        return None
    middle = junction + len("\n}\n\n")
    backward_start = middle + 2
    first_lines = unit[backward_start : backward_start + 400].split("\n", 3)[:3]
    if unit[backward_start] == "\n" or not any(backward_name in line for line in first_lines):
        return None
    return [start, middle], [backward_start, end]


def _kernel_functions(kernel, device: str, options: dict, unit: str) -> tuple[list, list | None]:
    """Where the forward and backward entry functions of one kernel are in its unit's text, as
    [start, end) offsets (the unit is sent once; the pieces are slices of it).

    In a one-kernel unit, Warp writes ``codegen_kernel`` (forward, then backward) followed by
    ``codegen_module`` (the CPU entry points; nothing for CUDA). The pieces are found in the text
    (``_split_kernel_text``); where its layout is not the expected one, by rendering the forward
    function again (``_rendered_kernel_functions``). Pieces start without their leading blank
    lines, the forward one keeps its trailing blank line.
    """
    split = _split_kernel_text(kernel, device, options, unit)
    return split if split is not None else _rendered_kernel_functions(kernel, device, options, unit)


def _mark_backward_use_as_the_module_does(kernel, options: dict, hash_options: dict) -> None:
    """A ``@wp.func``'s adjoint is generated only when a backward-enabled kernel of the unit calls
    it (``used_by_backward_kernel``; a stub otherwise). A one-kernel unit of a forward-only kernel
    would stub every helper, while the module Warp loads generates the adjoints its other,
    backward-enabled kernels need. Building those kernels marks the helpers as Warp's module
    build does, before the one-kernel unit is written."""
    if (options | kernel.options)["enable_backward"]:
        return  # every helper this kernel calls gets its adjoint anyway
    others = [
        k for k in kernel.module._get_live_kernels() if k is not kernel and (options | k.options)["enable_backward"]
    ]
    if others:
        _context.ModuleBuilder(kernel.module, options, hasher=_context.ModuleHasher(others, hash_options))


def _names(kernel, builder) -> dict:
    return {
        "kernel": [kernel.get_mangled_name(), kernel.key],
        "structs": [[s.native_name, s.key] for s in builder.structs],
        "functions": [[f.native_func, f.key] for f in builder.functions],
    }


def codegen(kernel, block_dim: int | None = None, cuda_arch: int = DEFAULT_CUDA_ARCH) -> dict:
    """CPU and CUDA source of one concrete kernel, as ``Module.load`` generates it for a launch
    (not normalized). ``block_dim`` is what the launch site requests (None: a plain ``wp.launch``);
    each device gets the block dim Warp resolves from it (``launch_block_dims``), and the CUDA code
    is generated for ``cuda_arch`` as a load on such a GPU does.

    Per device: ``module``, the kernel's unit without Warp's preamble; ``preamble``, that
    preamble exactly (``preamble + module`` is the unit Warp compiles, for this one kernel);
    ``forward``/``backward``, [start, end) offsets of the kernel's functions in ``module``
    (``backward`` None when Warp generates none); ``block_dim``; ``names``, the generated
    identifiers that carry per-process or hash suffixes, for the driver to normalize: the kernel's
    mangled name, each struct's native name and each ``@wp.func``'s C name (``{key}_{N}``, N from a
    per-key counter). ``cpu_blocks``: the CPU code is the variant a launch with
    ``wp.config.enable_cpu_blocks`` compiles, because the kernel builds at no other.
    """
    block_dims = launch_block_dims(block_dim)
    try:
        return _codegen_variant(kernel, block_dims, cuda_arch) | {"cpu_blocks": False}
    except Exception:
        # Tile code written for its launch's block size (a tile_broadcast to (rows, BLOCK)) only
        # builds for the CPU at that size: a CPU launch of it needs wp.config.enable_cpu_blocks.
        cpu_blocks = launch_block_dims(block_dim, cpu_blocks=True)
        if cpu_blocks["cpu"] == block_dims["cpu"]:
            raise
        return _codegen_variant(kernel, cpu_blocks, cuda_arch) | {"cpu_blocks": True}


def _codegen_variant(kernel, block_dims: dict, cuda_arch: int) -> dict:
    arches = {"cpu": None, "cuda": cuda_arch}
    result = {}
    builder = None
    for device in ("cpu", "cuda"):
        hash_options, options = _load_options(kernel, block_dims[device], arches[device])
        if builder is None or _uses_option_dependent_builtins(builder):
            hasher = _context.ModuleHasher([kernel], hash_options)
            builder = _context.ModuleBuilder(kernel.module, options, hasher=hasher, target=device)
            # (A build resets the helpers' backward marks; a reused build keeps them.)
            _mark_backward_use_as_the_module_does(kernel, options, hash_options)
        else:
            # Same adjoints, other options: only the templates (block dim) differ, so the CPU build
            # serves the CUDA code (a second build costs ~9 ms a kernel, a second hash ~0.5 ms).
            # The kernel's C++ name keeps the CPU variant's hash, which normalization removes.
            builder.options = options
            builder.target = device
        preamble, module_source = _split_unit(builder.codegen(device))
        forward, backward = _kernel_functions(kernel, device, options, module_source)
        result[device] = {
            "forward": forward,
            "backward": backward,
            "module": module_source,
            "preamble": preamble,
            "block_dim": block_dims[device],
            "names": _names(kernel, builder),
        }
        result["enable_backward"] = bool((options | kernel.options)["enable_backward"])
    result["cuda_arch"] = cuda_arch
    return result


# ---------------------------------------------------------------------------------------------
# The builtin catalog: Warp's builtin registry as concrete signatures.


def _scalar_name(t) -> str | None:
    if t is int:
        return "int32"
    if t is float:
        return "float32"
    if t is bool or t is _types.bool:
        return "bool"
    if t in _types.scalar_types:
        return t.__name__
    return None


_SUFFIX = {
    "float16": "h", "float32": "f", "float64": "d", "int8": "b", "uint8": "ub", "int16": "s",
    "uint16": "us", "int32": "i", "uint32": "ui", "int64": "l", "uint64": "ul",
}  # fmt: skip


def concrete_type_name(t) -> str | None:
    """Warp's public name of a concrete value type: ``float32``, ``vec3f``, ``mat33d``, ``quath``,
    ``transformf``, ``spatial_vectorf``, ``spatial_matrixd``; ``None`` for the type of a function
    that returns nothing; ``None`` (as Python None) for anything else: arrays, generics, tiles,
    queries, and value types with no public name (bfloat16 vectors, 5-vectors, ...)."""
    if t is None:
        return "None"
    scalar = _scalar_name(t)
    if scalar is not None:
        return scalar
    if _types.type_is_generic(t) or _types.is_array(t) or not hasattr(t, "_wp_scalar_type_"):
        return None
    suffix = _SUFFIX.get(_scalar_name(t._wp_scalar_type_))
    if suffix is None:
        return None
    floating = suffix in ("h", "f", "d")
    shape = tuple(t._shape_)
    if _types.type_is_quaternion(t):
        return f"quat{suffix}" if floating else None
    if _types.type_is_transformation(t):
        return f"transform{suffix}" if floating else None
    if _types.type_is_vector(t):
        if shape[0] in (2, 3, 4):
            return f"vec{shape[0]}{suffix}"
        return f"spatial_vector{suffix}" if shape[0] == 6 and floating else None
    if _types.type_is_matrix(t) and floating:
        if shape in ((2, 2), (3, 3), (4, 4)):
            return f"mat{shape[0]}{shape[1]}{suffix}"
        return f"spatial_matrix{suffix}" if shape == (6, 6) else None
    return None


def _return_type_names(overload, arg_types: dict):
    value_type = overload.value_type
    if value_type is None or _types.type_is_generic(value_type) or value_type is Any:
        try:
            value_type = overload.value_func(arg_types, {}) if overload.value_func else None
        except Exception:  # noqa: BLE001 - value_func may need argument values; not resolvable statically
            return False
    if isinstance(value_type, (list, tuple)):
        names = [concrete_type_name(t) for t in value_type]
        return names if all(names) else False
    name = concrete_type_name(value_type)
    return name if name is not None else False


def _is_generic_overload(overload) -> bool:
    return any(_types.type_is_generic(t) for t in overload.input_types.values())


def _value_types() -> list:
    """Every concrete value type a generic ``Any`` parameter may stand for."""
    return [_types.bool, *_types.scalar_types, *_context.generic_vtypes]


def _specializations(overload):
    """Concrete argument types of a generic overload, found the way Warp's own ``add_builtin``
    finds the exported ones: one scalar type at a time, every consistent combination of the
    generic scalar, vector, matrix, quaternion and transform parameters. Parameters typed ``Any``
    (``wp.where``, ``wp.norm_l2``, ...) stand for one value type, the same for all of them.
    Whether a combination is valid is for the overload's own ``value_func`` to say (``_entry``)."""
    params = overload.input_types
    any_params = [n for n, t in params.items() if t is Any]
    others_generic = False
    for t in params.values():
        if t is Any:
            continue
        if _types.type_is_generic(t):
            if not (_types.type_is_generic_scalar(t) or _types.type_is_composite(t)):
                return
            others_generic = True
    if any_params:
        if others_generic:
            return
        for t in _value_types():
            yield {n: (t if n in any_params else p) for n, p in params.items()}
        return
    hints = set()
    for t in params.values():
        if _types.type_is_composite(t) and _types.type_is_generic(t):
            hints.add(t._wp_generic_type_hint_)
        elif _types.type_is_generic_scalar(t):
            hints.add(t)
    universes = []
    for hint in hints:
        if hint is _types.Float:
            universes.append((hint, _types.float_types))
        elif hint is _types.Scalar:
            universes.append((hint, _types.scalar_types))
        elif hint is _types.Int:
            universes.append((hint, _types.int_types))
        else:
            universes.append((hint, tuple(x for x in _context.generic_vtypes if x._wp_generic_type_hint_ == hint)))
    if not universes:
        return
    scalars = set.intersection(*({_context.scalar_types[x] for x in v} for _, v in universes))
    for scalar in sorted(scalars, key=str):
        consistent = {hint: tuple(x for x in v if _context.scalar_types[x] == scalar) for hint, v in universes}
        choices = []
        for t in params.values():
            if _types.type_is_generic_scalar(t):
                choices.append((scalar,))
            elif _types.type_is_composite(t) and _types.type_is_generic(t):
                choices.append(tuple(x for x in consistent[t._wp_generic_type_hint_] if _types.types_equal_generic(t, x)))
            else:
                choices.append((t,))
        for combination in itertools.product(*choices):
            arg_types = dict(zip(params.keys(), combination))
            constraint = getattr(overload, "constraint", None)
            if constraint is not None and constraint(arg_types) is False:
                continue
            yield arg_types


def _entry(key, overload, arg_types: dict, hidden: bool, resolved_by: str):
    names = {name: concrete_type_name(t) for name, t in arg_types.items()}
    returns = _return_type_names(overload, arg_types)
    if returns is False or not all(names.values()):
        return None
    return {
        "key": key,
        "group": overload.group,
        "hidden": bool(hidden),
        "differentiable": bool(overload.is_differentiable),
        "variadic": bool(overload.variadic),
        "args": [{"name": name, "type": names[name]} for name in arg_types],
        "defaults": sorted(overload.defaults or {}),
        "returns": returns,
        "resolved_by": resolved_by,
    }


def builtin_catalog() -> dict:
    """Every builtin overload of the installed Warp with concrete argument and return types.

    Concrete overloads are taken as Warp registers them (its exported generic builtins are already
    specialized by Warp, hidden from the docs but not from kernels: they inherit the visibility of
    their generic parent). Generic overloads Warp does not specialize are specialized here the
    same way. Overloads that stay generic (arrays, tiles, ``Any``) are listed in ``generic``.
    """
    entries, generic = [], []
    for key in sorted(_context.builtin_functions):
        function = _context.builtin_functions[key]
        overloads = getattr(function, "overloads", None) or [function]
        generic_parents = [o for o in overloads if _is_generic_overload(o)]
        for overload in overloads:
            if not _is_generic_overload(overload):
                parent = next(
                    (
                        g
                        for g in generic_parents
                        if list(g.input_types) == list(overload.input_types)
                        and all(
                            _types.types_equal_generic(g.input_types[n], overload.input_types[n])
                            for n in overload.input_types
                        )
                    ),
                    None,
                )
                hidden = parent.hidden if parent is not None else overload.hidden
                entry = _entry(key, overload, overload.input_types, hidden, "warp")
                if entry:
                    entries.append(entry)
                continue
            resolved = 0
            exported_by_warp = overload.export and not any(t is Any for t in overload.input_types.values())
            if not exported_by_warp:
                for arg_types in _specializations(overload):
                    entry = _entry(key, overload, arg_types, overload.hidden, "warpsynth")
                    if entry:
                        entries.append(entry)
                        resolved += 1
            if not resolved and not exported_by_warp:
                generic.append(
                    {"key": key, "group": overload.group, "args": [{"name": n, "type": type_name(t)} for n, t in overload.input_types.items()]}
                )
    # One entry per signature: Warp registers some specializations more than once.
    unique = {}
    for entry in entries:
        unique.setdefault((entry["key"], tuple(a["type"] for a in entry["args"]), tuple(a["name"] for a in entry["args"])), entry)
    return {"warp_version": warp_version(), "builtins": list(unique.values()), "generic": generic}


# ---------------------------------------------------------------------------------------------
# Compilation


def compile_unit_cpu(source: str, build_dir: str, block_dim: int = 1) -> str:
    """Compiles a whole CPU unit (preamble included) to an object with Warp's own CPU compiler (its
    bundled clang) and the settings ``Module.load`` uses; returns the object's path. Raises when
    the compiler fails; its diagnostics go to stderr."""
    options = _context.Module("warpsynth_compile_unit", None).resolve_options(wp.config, block_dim=block_dim)
    return _build_cpu_object(source, build_dir, options, precompiled_headers=False)


def _build_cpu_object(source: str, build_dir: str, options: dict, precompiled_headers: bool) -> str:
    """``source`` written to build_dir/unit.cpp and compiled to unit.o as ``Module._compile`` does
    for the CPU with ``options`` (Warp 1.19, context.py); returns the object's path."""
    import os

    from warp._src import build as _build

    os.makedirs(build_dir, exist_ok=True)
    cpp_path = os.path.join(build_dir, "unit.cpp")
    obj_path = os.path.join(build_dir, "unit.o")
    with open(cpp_path, "w", encoding="utf-8") as f:
        f.write(source)
    level = options["optimization_level"]
    _build.build_cpu(
        obj_path,
        cpp_path,
        mode=options["mode"],
        fast_math=options["fast_math"],
        verify_fp=options["verify_fp"],
        fuse_fp=options["fuse_fp"],
        extra_flags=options["cpu_compiler_flags"],
        optimization_level=2 if level is None else level,
        use_precompiled_headers=precompiled_headers,
        pch_dir=_context.runtime.get_clang_pch_dir() if precompiled_headers else None,
        block_dim=options["block_dim"],
        enable_tiles_in_stack_memory=options["enable_tiles_in_stack_memory"],
        extra_include_dirs=options["extra_cpu_include_dirs"],
    )
    return obj_path


def compile_unit_ptx(source: str, build_dir: str, arch: int = DEFAULT_CUDA_ARCH) -> str:
    """Compiles a whole CUDA unit (preamble included) to PTX for ``arch`` with the NVRTC that Warp
    links (no GPU or driver needed); returns the PTX's path. Raises when NVRTC fails."""
    import os

    from warp._src import build as _build

    options = _context.Module("warpsynth_compile_unit", None).resolve_options(wp.config)
    os.makedirs(build_dir, exist_ok=True)
    cu_path = os.path.join(build_dir, "unit.cu")
    ptx_path = os.path.join(build_dir, "unit.ptx")
    with open(cu_path, "w", encoding="utf-8") as f:
        f.write(source)
    _build.build_cuda(
        cu_path,
        arch,
        ptx_path,
        pch_dir=None,
        config=options["mode"],
        # Warp's CUDA default, whatever --opt-level says (it sets the CPU build's): with NVRTC 13.4,
        # levels 0 and 1 built a 40-kernel unit no faster than 3 (5.6 s and 5.4 s against 4.9 s),
        # and Warp replaces 0 by 1 there as unsafe (context.py, Module._compile).
        optimization_level=3,
        fast_math=options["fast_math"],
        verify_fp=options["verify_fp"],
        use_precompiled_headers=False,
    )
    return ptx_path


def compile_cpu(kernels: list, build_dir: str) -> str:
    """Compiles the CPU code of several kernels as one translation unit (as ``Module.load`` does
    for one module, at the block dim of a CPU launch): one compile serves many kernels. Returns
    the object's path."""
    options = _module_options(kernels[0], None)
    builder = _context.ModuleBuilder(kernels[0].module, options, hasher=_context.ModuleHasher(kernels, options))
    return compile_unit_cpu(builder.codegen("cpu"), build_dir, options["block_dim"])


def missing_entry_points(kernels: list, path, device: str) -> list[str]:
    """The entry points of ``kernels`` that the compiled unit at ``path`` (a CPU object, or PTX)
    does not hold: the forward function Warp looks up at load (``{mangled}_cpu_forward``, an
    ``extern "C"`` symbol) or the PTX ``.entry`` of the CUDA forward kernel. A compile verdict is
    "ok" only when none is missing, so a compile that did nothing cannot pass (issue 13)."""
    import os

    if not path or not os.path.isfile(path):
        return [f"{path or 'the unit'} (not written)"]
    with open(path, "rb") as f:
        data = f.read()
    missing = []
    for kernel in kernels:
        if device == "cpu":
            name = kernel.get_mangled_name() + "_cpu_forward"
            found = name.encode() in data
        else:
            name = _codegen.cuda_kernel_forward_name(kernel)
            found = (b".entry " + name.encode() + b"(") in data
        if not found:
            missing.append(name)
    return missing


class LaunchUnit:
    """The CPU object of several kernels, built as ``Module.load`` builds one module for a CPU launch
    (Warp's compiler, its optimization level, its precompiled headers), and the source it was built
    from. One build serves many kernels: a batch's kernels are each loaded from it
    (``load_from_unit``) instead of each building its own module, a third of the build time."""

    def __init__(self, object_path: str, meta_path: str, source: str, block_dim: int):
        self.object_path = object_path
        self.meta_path = meta_path
        self.source = source
        self.block_dim = block_dim


def build_launch_unit(kernels: list, build_dir: str) -> LaunchUnit:
    """Builds the CPU code of ``kernels`` as one module for a plain CPU launch, with the settings
    ``Module._compile`` uses (Warp 1.19, context.py): raises what the compiler raises."""
    import json
    import os

    options = _module_options(kernels[0], None)
    builder = _context.ModuleBuilder(
        kernels[0].module, options, hasher=_context.ModuleHasher(kernels, options), target="cpu")
    source = builder.codegen("cpu")
    object_path = _build_cpu_object(source, build_dir, options, precompiled_headers=options["use_precompiled_headers"])
    meta_path = os.path.join(build_dir, "unit.meta")
    with open(meta_path, "w", encoding="utf-8") as f:
        json.dump(builder.build_meta(), f, sort_keys=True)
    return LaunchUnit(object_path, meta_path, source, options["block_dim"])


def load_from_unit(kernel, unit: LaunchUnit, shipped: list[str]) -> bool:
    """Loads ``kernel``'s module for CPU launches from ``unit``'s object, where every function its
    record ships (``shipped``: their texts) is byte-identical in the unit's source, so that the
    code run is the code recorded. False (nothing loaded) otherwise: the caller builds the
    kernel's own module."""
    if not shipped or not all(text and text in unit.source for text in shipped):
        return False
    kernel.module.load("cpu", block_dim=unit.block_dim, binary_path=unit.object_path, meta_path=unit.meta_path)
    return True


def build_kernel(kernel) -> None:
    """Runs Warp's type inference and adjoint build for one kernel (no code text): raises what
    codegen would raise for a call that does not resolve."""
    options = _module_options(kernel, None)
    _context.ModuleBuilder(kernel.module, options, hasher=_context.ModuleHasher([kernel], options))


def local_type_name(kernel, name: str) -> str | None:
    """Warp's inferred type of a kernel local after ``build_kernel`` (None if unknown)."""
    var = kernel.adj.symbols.get(name)
    return concrete_type_name(getattr(var, "type", None)) if var is not None else None


def compile_ptx(kernels: list, build_dir: str, arch: int = DEFAULT_CUDA_ARCH) -> str:
    """Compiles the CUDA code of several kernels, as one translation unit, to PTX for ``arch``;
    returns the PTX's path."""
    hash_options, options = _load_options(kernels[0], launch_block_dims(None)["cuda"], arch)
    builder = _context.ModuleBuilder(kernels[0].module, options, hasher=_context.ModuleHasher(kernels, hash_options))
    return compile_unit_ptx(builder.codegen("cuda"), build_dir, arch)
