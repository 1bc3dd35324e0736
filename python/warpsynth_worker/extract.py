"""The ``extract`` request: every kernel a Python source file defines, with its generated code."""

from __future__ import annotations

import ast
import inspect
import os
import sys
import textwrap
import traceback

from . import loader, provenance, quality, self_contained, warp_bridge


def _decorator_is_kernel(node: ast.expr) -> bool:
    target = node.func if isinstance(node, ast.Call) else node
    text = ast.unparse(target)
    return text in ("wp.kernel", "warp.kernel", "kernel")


def declared_kernels(tree: ast.Module) -> list[str]:
    """Names of module-level functions decorated with ``@wp.kernel`` (static count, no import)."""
    return [
        node.name
        for node in tree.body
        if isinstance(node, ast.FunctionDef) and any(_decorator_is_kernel(d) for d in node.decorator_list)
    ]


def _builtins_used(python_source: str) -> list[str]:
    """``wp.<name>(...)`` calls in function bodies (annotations such as ``wp.array(...)`` and
    decorators are not uses of a builtin)."""
    names = set()
    for node in ast.walk(ast.parse(python_source)):
        if not isinstance(node, ast.FunctionDef):
            continue
        for statement in node.body:
            for inner in ast.walk(statement):
                func = getattr(inner, "func", None) if isinstance(inner, ast.Call) else None
                if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and func.value.id == "wp":
                    names.add(func.attr)
    return sorted(names)


def _quality(python: str, key: str) -> dict | None:
    try:
        return quality.measure(python, key)
    except (SyntaxError, ValueError):
        return None  # the record says no measures rather than wrong ones


def _def_line(kernel) -> int:
    """The line of the kernel's ``def`` in its file: Warp parsed its source (from the first
    decorator, ``adj.fun_lineno``), so the ``def`` is that many lines further down."""
    adj = kernel.adj
    tree = getattr(adj, "tree", None)
    if tree is not None and tree.body and adj.fun_lineno:
        return adj.fun_lineno + tree.body[0].lineno - 1
    return _function_def_line(kernel.func)


def _find_kernels(loaded: loader.LoadedSource) -> dict:
    """Kernels whose Python function was defined by this source: module-level ones and those
    made by factories at import time that Warp still holds (referenced from anywhere); and the
    kernels Warp generated from this source's code into derived modules (``<module>.<name>_<hash>``,
    as warp.fem does for the integrands a call integrated). Returns {kernel: the line of the
    ``def`` in this source that the kernel comes from}: its own, or for a derived kernel that of
    the source's function it was generated from (the integrand), whose name the module carries."""
    name = loaded.module.__name__
    found = {}
    candidates = list(loaded.module.__dict__.values()) + warp_bridge.live_kernels(name)
    for obj in candidates:
        # An overload of a generic kernel is extracted with its generic kernel (and the other
        # overloads), as the generic kernel's Python declares it.
        obj = getattr(obj, "generic_parent", None) or obj
        if warp_bridge.is_kernel(obj) and _written_in(obj.func, loaded) and obj not in found:
            found[obj] = _def_line(obj)
    for derived in warp_bridge.derived_module_names(name):
        if derived in sys.modules:
            continue  # a submodule of a package: a file of its own
        origin = vars(loaded.module).get(derived[len(name) + 1 :].rpartition("_")[0])
        line = _function_def_line(getattr(origin, "func", origin))
        for obj in warp_bridge.live_kernels(derived):
            found.setdefault(obj, line)
    return found


def _written_in(function, loaded: loader.LoadedSource) -> bool:
    """Whether a function's code is in the loaded file (a package may re-export another module's
    kernels, and give them its own ``__module__``)."""
    code = getattr(function, "__code__", None)
    if code is None:
        return False
    if code.co_filename == loaded.filename:
        return True
    return not code.co_filename.startswith("<") and os.path.realpath(code.co_filename) == os.path.realpath(loaded.filename)


def _function_def_line(function) -> int:
    """The line of a Python function's ``def`` in its file (0 when it has no source)."""
    try:
        lines, first = inspect.getsourcelines(function)
    except (OSError, TypeError):
        return 0
    for offset, text in enumerate(lines):
        if text.lstrip().startswith(("def ", "async def ")):
            return first + offset
    return first


_LAUNCH_FUNCTIONS = ("launch", "launch_tiled")


def _static_value(node: ast.expr, namespace: dict):
    """The value of a literal or of a module-level name; None for anything that needs evaluation."""
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.Name):
        return namespace.get(node.id)
    return None


def launch_block_dims(tree: ast.Module, namespace: dict) -> dict[str, int]:
    """``block_dim`` of ``wp.launch``/``wp.launch_tiled`` calls, by kernel name, where the call
    names the kernel and gives ``block_dim`` as a literal or a module-level constant. Tile kernels
    only generate code for the block size they are launched with."""
    dims = {}
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
        if name not in _LAUNCH_FUNCTIONS:
            continue
        keywords = {k.arg: k.value for k in node.keywords if k.arg}
        target = node.args[0] if node.args else keywords.get("kernel")
        if not isinstance(target, ast.Name) or "block_dim" not in keywords:
            continue
        value = _static_value(keywords["block_dim"], namespace)
        if isinstance(value, int) and not isinstance(value, bool) and value > 0:
            dims.setdefault(target.id, value)
    return dims


def _memory_limit_note() -> str:
    """Names the worker's memory limit (extract --memory-limit), the likely cause of a MemoryError."""
    import resource

    soft, _ = resource.getrlimit(resource.RLIMIT_DATA)
    if soft == resource.RLIM_INFINITY:
        return ""
    return f" (the worker's memory limit is {soft / (1 << 30):g} GiB: --memory-limit)"


def _error(stage: str, exc: BaseException, kernel: str | None = None) -> dict:
    message = "".join(traceback.format_exception_only(type(exc), exc)).strip()
    if isinstance(exc, MemoryError):
        message += _memory_limit_note()
    entry = {"stage": stage, "message": message}
    if kernel is not None:
        entry["kernel"] = kernel
    return entry


def extract_file(
    source: str,
    label: str,
    module_name: str,
    real_path: str | None = None,
    call: str | None = None,
    generated: bool = False,
) -> dict:
    """Reply body for one file: ``kernels`` extracted, ``errors`` per kernel or for the file.

    With ``call``, the file's function of that name is called (without arguments) after the
    import, and the kernels Warp creates from the file's code meanwhile are extracted too.
    Settings the file changes in ``wp.config`` apply to its own kernels and are undone after."""
    config = warp_bridge.config_snapshot()
    try:
        reply = extract_loaded(source, label, module_name, real_path, call, generated)
        reply.pop("_kernels", None)
        # A package's modules stay imported: the package's other files use them.
        reply.pop("_package_module", None)
        return reply
    finally:
        warp_bridge.config_restore(config)
        forget(module_name)
        loader.forget_source(label)


def _self_contained_check(built, variant, block_dim, module_name: str) -> dict:
    """Loads a record's ``python`` alone in a fresh module that may import only warp, numpy and
    math, and generates its kernel again: {"cpu"/"cuda": {"module", "forward", "backward", "names"},
    "line_map"} for the driver to compare with the record's, or {"error"} with the reason."""
    name = f"{module_name}_self_contained"
    # The label names the Python in Warp's error messages: the same in every run and worker.
    label = f"self_contained/{variant.key}.py"
    try:
        # A kernel of a module of its own (``module="unique"``) is found again by its content, so
        # Warp would hand back the original kernel: its module is out of sight meanwhile.
        own_module = variant.module.name if variant.module.name != variant.func.__module__ else None
        with warp_bridge.hidden_module(own_module):
            loaded = self_contained.load_alone(built.python, name, label)
            if loaded.error is not None:
                raise loaded.error
            again = self_contained.find_variant(loaded.module, variant.key, warp_bridge.argument_types(variant))
            code = warp_bridge.codegen(again, block_dim)
    except BaseException as e:  # noqa: BLE001 - the verdict, whatever went wrong
        reason = "".join(traceback.format_exception_only(type(e), e)).strip().splitlines()[-1].replace(name, "record")
        if built.problems:
            reason += " (unresolved: " + "; ".join(built.problems[:3]) + ")"
        return {"error": reason[:500]}
    finally:
        forget(name)
        loader.forget_source(label)

    def unit(target: dict) -> dict:
        # The whole unit, not only the kernel's functions: a helper with another body or a struct
        # with its fields in another order leaves the kernel's own functions as they were.
        return {key: target[key] for key in ("module", "forward", "backward", "names")}

    return {
        "cpu": unit(code["cpu"]),
        "cuda": unit(code["cuda"]),
        "line_map": built.warp_line_map(
            again, again.adj.filename, [[again.adj.filename, 1, built.python.count("\n") + 1, 1]]
        ),
    }


_run_files: list = []  # the files of this worker's run, sorted (``preload``)
_packages_imported: set = set()  # top-level packages whose run files this worker imported


def preload(paths: list) -> dict:
    """Keeps the run's files. Before this worker extracts the first file of a package, it imports
    every file of the run that belongs to that package, in this order (``_import_package``), so
    that every worker holds the same modules of the package whatever files it takes: a module's
    import can change another module's kernels (overloads declared, factories called). Files that
    are not in a package are left alone, and a package's modules are imported only once the worker
    comes to the package (a script that compiles every loaded module, ``wp.force_load``, does not
    compile a package's)."""
    global _run_files
    _run_files = list(paths)
    _packages_imported.clear()
    return {"files": len(_run_files)}


def _import_package_file(path: str, package: tuple) -> loader.LoadedSource:
    """A package's file imported as its module; where an optional package it imports is missing
    (USD, torch, ...), again with stand-ins (a failed import leaves nothing of the module behind)."""
    loaded = loader.import_package_module(path, *package)
    if isinstance(loaded.error, ImportError) and not str(loaded.error).startswith(f"{package[1]} is already"):
        loaded = loader.import_package_module(path, *package, stub_missing=True)
    return loaded


def _import_package(top: str) -> None:
    if top in _packages_imported:
        return
    _packages_imported.add(top)
    for path in _run_files:
        package = loader.package_module_name(path)
        if package is None or package[1].split(".")[0] != top:
            continue
        config = warp_bridge.config_snapshot()
        _import_package_file(path, package)
        warp_bridge.config_restore(config)


def forget(module_name: str) -> None:
    """Drops a source's module and the modules Warp derived from it (and a stubbed twin)."""
    for name in (module_name, module_name + "_stubbed"):
        for derived in warp_bridge.derived_module_names(name):
            warp_bridge.forget_module(derived)
        warp_bridge.forget_module(name)


def _call(loaded: loader.LoadedSource, name: str) -> dict | None:
    """Runs the file's function ``name``; an error entry when it is missing or raises."""
    function = vars(loaded.module).get(name)
    if not callable(function):
        return {"stage": "call", "message": f"the file defines no function {name}()"}
    try:
        import warp as wp

        with wp.ScopedDevice("cpu"):
            function()
    except Exception as e:  # noqa: BLE001 - reported, and the kernels made so far are kept
        return _error("call", e)
    return None


def extract_loaded(
    source: str, label: str, module_name: str, real_path: str | None, call: str | None, generated: bool = False
) -> dict:
    """The reply for one source: ``extract_file`` without the configuration snapshot and the
    clean-up around it, which a caller handling several sources at once holds itself."""
    # Generated sources need none of what real files need: declared kernels, imports, launches;
    # nor their syntax tree, which costs more to build than compiling the source.
    package = None if generated or not real_path else loader.package_module_name(real_path)
    try:
        tree = None if generated else ast.parse(source, filename=label)
        reply = {"declared": [] if generated else declared_kernels(tree), "kernels": [], "errors": []}
        if package:
            _import_package(package[1].split(".")[0])
            loaded = _import_package_file(real_path, package)
        else:
            loaded = loader.load_source(source, module_name, label, real_path)
    except SyntaxError as e:
        return {"declared": [], "kernels": [], "errors": [_error("syntax", e)]}
    if not generated:
        reply["provenance"] = provenance.provenance(real_path) if real_path else None
        reply["_package_module"] = loaded.module.__name__ if package else None
    if not package and isinstance(loaded.error, ImportError):
        # Optional packages the kernels do not need (USD, torch, PIL, ...): retry with stand-ins,
        # in a module of another name so the two attempts' kernels stay apart.
        loaded = loader.load_source(source, module_name + "_stubbed", label, real_path, stub_missing=True)

    if call and loaded.error is None:
        call_error = _call(loaded, call)
        if call_error:
            reply["errors"].append(call_error)
    def_lines = _find_kernels(loaded)
    kernels = sorted(def_lines, key=lambda k: (def_lines[k], k.key))
    if loaded.error is not None:
        error = _error("import", loaded.error)
        if kernels:
            error["message"] += f" (the {len(kernels)} kernel(s) defined before the error were extracted)"
        reply["errors"].append(error)

    block_dims = {} if generated else launch_block_dims(tree, loaded.module.__dict__)
    for kernel in kernels:
        concrete = warp_bridge.concrete_kernels(kernel)
        if not concrete:
            reply["errors"].append(
                {"stage": "codegen", "kernel": kernel.key, "message": "generic kernel without concrete overloads"}
            )
            continue
        for variant in concrete:
            try:
                code = warp_bridge.codegen(variant, block_dims.get(kernel.key))
            except Exception as e:  # noqa: BLE001
                reply["errors"].append(_error("codegen", e, kernel.key))
                continue
            check = None
            if generated:
                # The record's Python is the loaded source itself: its lines are Warp's lines.
                python = None
                line_map = {"kernel_file": variant.adj.filename, "ranges": [[variant.adj.filename, 1, source.count("\n") + 1, 1]]}
            else:
                built = self_contained.build(kernel, variant)
                python = built.python
                line_map = built.warp_line_map(variant, variant.adj.filename, built.line_map)
                check = _self_contained_check(built, variant, block_dims.get(kernel.key), module_name)
            reply["kernels"].append(
                {
                    "kernel": kernel.key,
                    "line": def_lines[kernel],
                    "python": python,
                    "line_map": line_map,
                    "arg_types": warp_bridge.argument_types(variant),
                    "builtins": [] if generated else _builtins_used(python),
                    "quality": _quality(python if python is not None else source, kernel.key),
                    "stubbed_imports": loaded.stubbed_imports,
                    "enable_backward": code["enable_backward"],
                    "cuda_arch": code["cuda_arch"],
                    "cpu_blocks": code["cpu_blocks"],
                    "cpu": code["cpu"],
                    "cuda": code["cuda"],
                    **({"self_contained": check} if check is not None else {}),
                }
            )
            reply.setdefault("_kernels", []).append(variant)
    return reply
