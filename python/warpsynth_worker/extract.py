"""The ``extract`` request: every kernel a Python source file defines, with its generated code."""

from __future__ import annotations

import ast
import inspect
import textwrap
import traceback

from . import loader, warp_bridge


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


def _module_imports(tree: ast.Module, source: str) -> list[str]:
    lines = []
    for node in tree.body:
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            lines.append(ast.get_source_segment(source, node))
    return lines


def _source_lines(obj) -> tuple[str, int] | None:
    """An object's source as written (dedented) and the line of its file it starts on (its first
    decorator's, as ``inspect.getsourcelines`` and Warp's ``<L n>`` comments count)."""
    try:
        lines, first = inspect.getsourcelines(obj)
    except (OSError, TypeError):
        return None
    return textwrap.dedent("".join(lines)).rstrip() + "\n", max(first, 1)


def _defined_here(obj, module_name: str) -> bool:
    """Whether a struct class or ``@wp.func`` was defined by the source loaded as ``module_name``
    (each source is executed as a module of its own name, so the name says where it came from)."""
    return getattr(obj, "__module__", None) == module_name


def _self_contained_python(kernel, code, imports: list[str], module_name: str) -> tuple[str, list]:
    """Imports of the file, then the structs and ``@wp.func``s of this file that the kernel uses,
    then the kernel, each as written. Module-level constants are not included.

    Also the line map: for each part, ``[file, first, last, to]`` says that lines ``first..last``
    of ``file`` (as Warp names it in its ``// file:line`` comments) are lines ``to..`` of the
    returned Python, so the driver can renumber Warp's ``<L n>`` comments in the record's terms."""
    parts = ["\n".join(imports) + "\n"] if imports else []
    spans = []
    objects = [o for o in (*code["user_structs"], *code["user_functions"]) if _defined_here(o, module_name)]
    for obj in (*objects, kernel.func):
        found = _source_lines(obj)
        if found is None:
            if obj is kernel.func:
                parts.append(kernel.adj.source)
            continue
        text, first = found
        spans.append((len(parts), obj, text, first))
        parts.append(text)
    python = "\n\n".join(parts)
    line_map, line = [], 1
    offsets = []
    for part in parts:
        offsets.append(line)
        line += part.count("\n") + 2  # the part, then the blank line of the separator
    for index, obj, text, first in spans:
        try:
            filename = inspect.getsourcefile(obj)
        except TypeError:
            continue
        line_map.append([filename, first, first + text.count("\n") - 1, offsets[index]])
    return python, line_map


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
        if warp_bridge.is_kernel(obj) and getattr(obj.func, "__module__", None) == name and obj not in found:
            found[obj] = _def_line(obj)
    for derived in warp_bridge.derived_module_names(name):
        origin = vars(loaded.module).get(derived[len(name) + 1 :].rpartition("_")[0])
        line = _function_def_line(getattr(origin, "func", origin))
        for obj in warp_bridge.live_kernels(derived):
            found.setdefault(obj, line)
    return found


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


def _error(stage: str, exc: BaseException, kernel: str | None = None) -> dict:
    message = "".join(traceback.format_exception_only(type(exc), exc)).strip()
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
        reply = _extract_file(source, label, module_name, real_path, call, generated)
        reply.pop("_kernels", None)
        return reply
    finally:
        warp_bridge.config_restore(config)
        _forget(module_name)
        loader.forget_source(label)


def _forget(module_name: str) -> None:
    for name in (module_name, module_name + "_stubbed"):
        for derived in warp_bridge.derived_module_names(name):
            warp_bridge.forget_module(derived)
        warp_bridge.forget_module(name)


def extract_sources(items: list, module_prefix: str) -> list:
    """``extract_file`` for each ``{"label", "source"}`` item of a batch (generated kernels: the
    driver has their Python and features, so only the generated code is sent back)."""
    return [
        extract_file(item["source"], item["label"], f"{module_prefix}_{n}", generated=True)
        for n, item in enumerate(items)
    ]


def _compile_groups(kernels_by_item: dict, compile_fn, build_root: str) -> dict:
    """Compiles all items' kernels as one unit; a failing unit is bisected down to the items at
    fault. Returns {item index: error} for the items that do not compile."""
    import tempfile

    failures = {}

    def attempt(items):
        kernels = [k for i in items for k in kernels_by_item[i]]
        with tempfile.TemporaryDirectory(dir=build_root) as build_dir:
            try:
                compile_fn(kernels, build_dir)
                return
            except Exception as e:  # noqa: BLE001 - the compiler's verdict, bisected below
                if len(items) == 1:
                    failures[items[0]] = (str(e).strip().splitlines() or [type(e).__name__])[-1][:500]
                    return
        half = len(items) // 2
        attempt(items[:half])
        attempt(items[half:])

    if kernels_by_item:
        attempt(sorted(kernels_by_item))
    return failures


def compile_sources(items: list, module_prefix: str, build_root: str) -> list:
    """Like ``extract_sources``, and each item's kernels also compiled: CPU code to an object by
    Warp's compiler, CUDA code to PTX by Warp's NVRTC, all items of the batch in one translation
    unit per device. Adds ``verify`` = {"cpu_compile", "cuda_ptx"} ("ok" or "failed: ...") to each
    item that passed codegen."""
    config = warp_bridge.config_snapshot()
    names = [f"{module_prefix}_{n}" for n in range(len(items))]
    try:
        replies, kernels_by_item = [], {}
        for n, item in enumerate(items):
            reply = _extract_file(item["source"], item["label"], names[n], None, None, generated=True)
            kernels = reply.pop("_kernels", [])
            replies.append(reply)
            if reply["kernels"] and not reply["errors"]:
                kernels_by_item[n] = kernels
        cpu = _compile_groups(kernels_by_item, warp_bridge.compile_cpu, build_root)
        ptx = _compile_groups(kernels_by_item, warp_bridge.compile_ptx, build_root)
        for n in kernels_by_item:
            replies[n]["verify"] = {
                "cpu_compile": "ok" if n not in cpu else f"failed: {cpu[n]}",
                "cuda_ptx": "ok" if n not in ptx else f"failed: {ptx[n]}",
            }
        return replies
    finally:
        warp_bridge.config_restore(config)
        for name in names:
            _forget(name)
        for item in items:
            loader.forget_source(item["label"])


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


def _extract_file(
    source: str, label: str, module_name: str, real_path: str | None, call: str | None, generated: bool = False
) -> dict:
    # Generated sources need none of what real files need: declared kernels, imports, launches;
    # nor their syntax tree, which costs more to build than compiling the source.
    try:
        tree = None if generated else ast.parse(source, filename=label)
        reply = {"declared": [] if generated else declared_kernels(tree), "kernels": [], "errors": []}
        loaded = loader.load_source(source, module_name, label, real_path)
    except SyntaxError as e:
        return {"declared": [], "kernels": [], "errors": [_error("syntax", e)]}
    if isinstance(loaded.error, ImportError):
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

    imports = [] if generated else _module_imports(tree, source)
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
            if generated:
                # The record's Python is the loaded source itself: its lines are Warp's lines.
                python, line_map = None, [[variant.adj.filename, 1, source.count("\n") + 1, 1]]
            else:
                python, line_map = _self_contained_python(kernel, code, imports, loaded.module.__name__)
            reply["kernels"].append(
                {
                    "kernel": kernel.key,
                    "line": def_lines[kernel],
                    "python": python,
                    "line_map": {"kernel_file": variant.adj.filename, "ranges": line_map},
                    "arg_types": warp_bridge.argument_types(variant),
                    "builtins": [] if generated else _builtins_used(python),
                    "stubbed_imports": loaded.stubbed_imports,
                    "enable_backward": code["enable_backward"],
                    "cuda_arch": code["cuda_arch"],
                    "cpu_blocks": code["cpu_blocks"],
                    "cpu": code["cpu"],
                    "cuda": code["cuda"],
                }
            )
            reply.setdefault("_kernels", []).append(variant)
    return reply
