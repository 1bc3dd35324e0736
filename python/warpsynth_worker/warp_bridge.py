"""Every call into Warp's private API (``warp._src``) lives here.

``warp._src`` moves between releases, so this module is written against one pinned version
(``PINNED_WARP_VERSION``, the version in ``requirements.txt``) and covered by
``tests/python/test_warp_bridge.py``. The rest of the worker goes through these functions only.
"""

from __future__ import annotations

import warp as wp
from warp._src import codegen as _codegen
from warp._src import context as _context
from warp._src import types as _types

PINNED_WARP_VERSION = "1.19.0"


def warp_version() -> str:
    return wp.config.version


def init(kernel_cache_dir: str | None = None) -> None:
    wp.config.quiet = True
    if kernel_cache_dir:
        wp.config.kernel_cache_dir = kernel_cache_dir
    wp.init()


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


def _module_options(kernel, block_dim: int | None) -> dict:
    return kernel.module.resolve_options(wp.config, block_dim=block_dim) | {"output_arch": None}


def _strip_preamble(source: str) -> str:
    """The kernel-specific part of a translation unit: what follows Warp's fixed preamble."""
    marker = _codegen.codegen_cast_macros
    at = source.find(marker)
    if at < 0:
        raise RuntimeError("Warp's module preamble was not found in generated source")
    return source[at + len(marker) :].lstrip("\n")


def _kernel_functions(kernel, device: str, options: dict) -> tuple[str, str | None]:
    """Forward and backward entry functions of one kernel for one device.

    ``codegen_kernel`` emits the forward template followed by the backward one; rendering it a
    second time with backward disabled gives the forward part alone, and the rest is backward.
    """
    full = _codegen.codegen_kernel(kernel, device=device, options=options)
    if not (options | kernel.options)["enable_backward"]:
        return full, None
    saved = kernel.options
    kernel.options = {**saved, "enable_backward": False}
    try:
        forward = _codegen.codegen_kernel(kernel, device=device, options=options)
    finally:
        kernel.options = saved
    if not full.startswith(forward):
        raise RuntimeError("could not split forward and backward code")
    return forward, full[len(forward) :]


def codegen(kernel, block_dim: int | None = None) -> dict:
    """CPU and CUDA source of one concrete kernel, as Warp generates it (not normalized).

    ``names`` lists the generated identifiers that carry per-process or hash suffixes, so the
    driver can normalize them: the kernel's mangled name, each struct's native name and each
    ``@wp.func``'s C name (``{key}_{N}``, N from a process-global counter). ``block_dim``
    overrides the module's block size (tile kernels generate code for one block size).
    """
    options = _module_options(kernel, block_dim)
    hasher = _context.ModuleHasher([kernel], options)
    builder = _context.ModuleBuilder(kernel.module, options, hasher=hasher)
    result = {}
    for device in ("cpu", "cuda"):
        module_source = _strip_preamble(builder.codegen(device))
        forward, backward = _kernel_functions(kernel, device, options)
        result[device] = {"forward": forward, "backward": backward, "module": module_source}

    result["enable_backward"] = bool((options | kernel.options)["enable_backward"])
    result["block_dim"] = options["block_dim"]
    result["names"] = {
        "kernel": [kernel.get_mangled_name(), kernel.key],
        "structs": [[s.native_name, s.key] for s in builder.structs],
        "functions": [[f.native_func, f.key] for f in builder.functions if f.native_snippet is None],
    }
    result["user_functions"] = [f.func for f in builder.functions if getattr(f, "func", None) is not None]
    result["user_structs"] = [s.cls for s in builder.structs]
    return result
