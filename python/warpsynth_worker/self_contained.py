"""A record's Python: everything its kernel uses, from any module, as one file that loads alone.

Warp generates a kernel's code from the kernel, the ``@wp.func``s it calls (transitively, with
their overloads and custom gradients), the ``@wp.struct``s it reads, and the values of the
module-level names it reads (constants, types, ``wp.constant``s, closure variables of a factory),
resolved in whichever module each of them lives. ``build`` writes all of that as one file:

    imports of warp / numpy / math, as the code names them
    wp.set_module_options(...)        where the kernel's module sets codegen options
    NAME = <value>                    each constant or type, written from its value
    @wp.struct ... / @wp.func ...     each as written in its own file (all overloads)
    class mod: name = name            for references through a module (``utils.quat_twist``)
    @wp.kernel ...                    the kernel as written
    wp.overload(kernel, {...})        for the concrete variant of a generic kernel

Statements are copied verbatim because Warp puts each source line into the generated code as a
comment. ``check`` loads such a file in a fresh module that may import only warp, numpy and math,
and code-generates its kernel again; the driver compares that code with the record's.
"""

from __future__ import annotations

import ast
import builtins
import enum
import functools
import inspect
import re
import sys
import textwrap
import types
import typing

import warp as wp

from . import loader, warp_bridge

ALLOWED_IMPORTS = ("warp", "numpy", "math")

_codegen = warp_bridge.warp_codegen
_context = warp_bridge.warp_context
_wtypes = warp_bridge.warp_types


class Unresolved(Exception):
    """A name the kernel uses whose value cannot be written as Python (reported, not fatal)."""


def _is_allowed_module(module: types.ModuleType) -> bool:
    return module.__name__.split(".")[0] in ALLOWED_IMPORTS


def _is_library(obj) -> bool:
    """Functions and structs of Warp itself (``warp.fem``, ``warp.utils``): imported, not copied."""
    module = getattr(obj, "__module__", None) or ""
    return module.split(".")[0] == "warp"


# ---------------------------------------------------------------------------------------------
# Values written as Python


def _type_aliases() -> dict:
    """Warp's named vector/matrix types (the class itself -> ``wp.<name>``). Only the class
    itself: ``wp.types.vector(length=3, dtype=float)`` makes another class, which Warp names
    differently (``vector(length=3, dtype=float32)``, not ``vec3f``)."""
    aliases = {}
    for name in sorted(dir(wp), key=len):
        value = getattr(wp, name)
        if isinstance(value, type) and hasattr(value, "_wp_generic_type_str_") and hasattr(value, "_shape_"):
            aliases.setdefault(value, f"wp.{name}")
    return aliases


_ALIASES = None
_NUMPY = object()  # asked of ``include`` by a value written with ``np.``


def _scalar_name(t) -> str | None:
    if t in (float, int, bool):
        return t.__name__
    if t in _wtypes.scalar_types or t is wp.bool:
        return f"wp.{t.__name__}"
    return None


def render_value(value, include) -> str:
    """A Python expression for ``value`` (raises Unresolved). ``include`` is called for the structs
    and functions a value refers to, which the file then defines."""
    global _ALIASES
    if value is None or isinstance(value, (bool, str)):
        return repr(value)
    if isinstance(value, enum.Enum):
        cls = type(value)
        if (cls.__module__ or "").split(".")[0] == "warp" and getattr(wp, cls.__name__, None) is cls:
            return f"wp.{cls.__name__}.{value.name}"
        return render_value(value.value, include)
    if isinstance(value, int):
        return repr(int(value))
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            return f'float("{value}")'
        return repr(float(value))
    if isinstance(value, dict):
        return "{" + ", ".join(f"{render_value(k, include)}: {render_value(v, include)}" for k, v in value.items()) + "}"
    if isinstance(value, _context.Module):
        return f"wp.get_module({value.name!r})"
    if isinstance(value, (tuple, list)):
        items = [render_value(v, include) for v in value]
        if isinstance(value, tuple):
            return "(" + ", ".join(items) + ("," if len(items) == 1 else "") + ")"
        return "[" + ", ".join(items) + "]"
    scalar = _scalar_name(value)
    if scalar:
        return scalar
    if isinstance(value, type) and hasattr(value, "_wp_generic_type_str_") and hasattr(value, "_shape_"):
        if _ALIASES is None:
            _ALIASES = _type_aliases()
        if value in _ALIASES:
            return _ALIASES[value]
        dtype = _scalar_name(value._wp_scalar_type_)
        kind = value._wp_generic_type_str_
        if kind == "vec_t":
            return f"wp.types.vector(length={value._shape_[0]}, dtype={dtype})"
        if kind == "mat_t":
            return f"wp.types.matrix(shape={tuple(value._shape_)}, dtype={dtype})"
        if kind == "quat_t":
            return f"wp.types.quaternion(dtype={dtype})"
        if kind == "transform_t":
            return f"wp.types.transformation(dtype={dtype})"
        raise Unresolved(f"type {value!r}")
    if isinstance(type(value), type) and hasattr(type(value), "_wp_generic_type_str_") and hasattr(value, "_shape_"):
        flat = list(value) if len(value._shape_) == 1 else [x for row in value for x in row]
        return f"{render_value(type(value), include)}({', '.join(render_value(float(x) if isinstance(x, float) else x, include) for x in flat)})"
    if type(value) in _wtypes.scalar_types:
        plain = value.value.item() if hasattr(value.value, "item") else value.value
        return f"{_scalar_name(type(value))}({render_value(plain, include)})"
    if isinstance(value, _wtypes._ArrayAnnotation):
        return f"wp.array(dtype={render_value(value.dtype, include)}, ndim={value.ndim})"
    if isinstance(value, _wtypes._IndexedArrayAnnotation):
        return f"wp.indexedarray(dtype={render_value(value.dtype, include)}, ndim={value.ndim})"
    if isinstance(value, _codegen.Struct):
        if _is_library(value.cls):
            raise Unresolved(f"Warp's own struct {value.key}")
        include(value)
        return value.cls.__name__
    if isinstance(value, _context.Function):
        if value.is_builtin() or _is_library(value.func):
            raise Unresolved(f"Warp's own function {value.key}")
        include(value)
        return value.func.__name__
    if isinstance(value, _wtypes.array):
        return f"wp.array(dtype={render_value(value.dtype, include)}, ndim={value.ndim})"
    module = type(value).__module__
    if module == "numpy" and hasattr(value, "dtype") and getattr(value, "shape", None) == ():
        include(_NUMPY)
        return f"np.{value.dtype.name}({render_value(value.item(), include)})"
    raise Unresolved(f"a value of type {type(value).__name__}")


# ---------------------------------------------------------------------------------------------
# Names a piece of code reads


def _chains(node: ast.AST) -> tuple[set, list]:
    """Free-variable candidates of a function or class: the root names it loads (minus what it
    binds itself) and the attribute chains rooted at them (``utils.math.quat_twist``)."""
    bound, loads, chains = set(), set(), []
    inner_attributes = {id(n.value) for n in ast.walk(node) if isinstance(n, ast.Attribute)}
    for inner in ast.walk(node):
        if isinstance(inner, ast.arg):
            bound.add(inner.arg)
        elif isinstance(inner, ast.Name):
            if isinstance(inner.ctx, ast.Load):
                loads.add(inner.id)
            else:
                bound.add(inner.id)
        if isinstance(inner, ast.Attribute) and id(inner) not in inner_attributes:
            path, value = [inner.attr], inner.value
            while isinstance(value, ast.Attribute):
                path.insert(0, value.attr)
                value = value.value
            if isinstance(value, ast.Name):
                chains.append([value.id, *path])
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
        bound.discard(node.name)  # a recursive call reads the function's own global name
    return loads - bound, [c for c in chains if c[0] not in bound]


@functools.lru_cache(maxsize=256)
def _module_tree(module_name: str):
    try:
        source = inspect.getsource(sys.modules[module_name])
    except (OSError, TypeError, KeyError):
        return None, None
    return source, ast.parse(source)


def _module_assignment(module: types.ModuleType, name: str) -> str | None:
    """The last top-level ``name = ...`` statement of a module, as written (one target)."""
    source, tree = _module_tree(module.__name__)
    if tree is None:
        return None
    found = None
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target = node.targets[0]
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            target = node.target
        else:
            continue
        if isinstance(target, ast.Name) and target.id == name:
            found = f"{name} = {ast.get_source_segment(source, node.value)}"
    return found


def _literal_as_written(name: str, value, module_name: str | None) -> str | None:
    """A module-level constant's literal as its module writes it (``EPS = 1.0e-6`` stays
    ``1.0e-6``, not ``1e-06``), when the module binds the name to exactly that value."""
    module = sys.modules.get(module_name or "")
    if module is None or type(value) not in (int, float, bool, str) or vars(module).get(name) is not value:
        return None
    statement = _module_assignment(module, name)
    if statement is None:
        return None
    text = statement.split("=", 1)[1].strip()
    literal = text
    node = ast.parse(text, mode="eval").body
    if isinstance(node, ast.Call) and ast.unparse(node.func) == "wp.constant" and len(node.args) == 1 and not node.keywords:
        literal = ast.get_source_segment(text, node.args[0])  # ``wp.constant(1.0e12)``, as written
    try:
        written = ast.literal_eval(literal)
    except (ValueError, SyntaxError, TypeError):
        return None
    return text if type(written) is type(value) and written == value else None


class _Part:
    def __init__(self, kind: str, obj, text: str, filename: str | None, first: int):
        self.kind, self.obj, self.text, self.filename, self.first = kind, obj, text, filename, first


def _source(obj) -> tuple[str, str | None, int]:
    lines, first = inspect.getsourcelines(obj)
    try:
        filename = inspect.getsourcefile(obj)
    except TypeError:
        filename = None
    return textwrap.dedent("".join(lines)).rstrip() + "\n", filename, max(first, 1)


class _Builder:
    def __init__(self):
        self.imports: dict[str, str] = {}  # bound name -> import statement
        self.values: dict[str, str] = {}  # bound name -> expression (constants and types)
        self.structs: list[_Part] = []
        self.functions: list[_Part] = []
        self.python_functions: list[_Part] = []  # plain Python Warp runs while generating code
        # Other names the code gives a struct or function (``from .x import f as _f``): bound
        # once the definition is there (structs before the functions whose annotations read them).
        self.struct_aliases: dict[str, str] = {}
        self.function_aliases: dict[str, str] = {}
        self.late_values: dict[str, str] = {}  # copied statements that call the file's functions
        self.namespaces: dict[str, dict] = {}
        self.bound: dict[str, object] = {}  # top-level name -> what it stands for
        self.seen: set[int] = set()
        self.problems: list[str] = []

    # -- what a name stands for

    def _bind(self, name: str, identity) -> bool:
        """Claims a top-level name for what it stands for: True when it is new; False when it
        already stands for the same (nothing to add) or, noted as a problem, for another thing."""
        if name in self.bound:
            if self.bound[name] is not identity and self.bound[name] != identity:
                self.problems.append(f"two things are named {name}")
            return False
        self.bound[name] = identity
        return True

    def _import(self, name: str, module: types.ModuleType) -> None:
        if not self._bind(name, module):
            return
        full = module.__name__
        if name == full:
            self.imports[name] = f"import {full}"
        elif "." in full and full.rpartition(".")[2] == name:
            self.imports[name] = f"from {full.rpartition('.')[0]} import {name}"
        else:
            self.imports[name] = f"import {full} as {name}"

    def _import_member(self, name: str, value) -> bool:
        """A name bound to something Warp, numpy or math export (``from warp import vec3``)."""
        if value is typing.Any:
            # Warp's generic annotation; typing itself may not be imported, Warp re-exports it.
            if self._bind(name, value):
                self.imports[name] = "from warp._src.types import Any" + (f" as {name}" if name != "Any" else "")
            return True
        module = getattr(value, "__module__", None) or ""
        if module.split(".")[0] not in ALLOWED_IMPORTS:
            return False
        for host in ("warp", "numpy", "math", "warp.fem", "warp.sparse", "warp.utils"):
            try:
                mod = __import__(host, fromlist=["_"])
            except ImportError:
                continue
            for attr in (name, getattr(value, "__name__", None)):
                if attr and getattr(mod, attr, None) is value:
                    if self._bind(name, value):
                        self.imports[name] = f"from {host} import {attr}" + (f" as {name}" if attr != name else "")
                    return True
        return False

    def resolve(self, name: str, value, chains: list[list[str]], env_module: str | None = None) -> None:
        """Makes ``name`` (read by copied code in module ``env_module``) mean ``value`` in the file."""
        if isinstance(value, types.ModuleType):
            if _is_allowed_module(value):
                self._import(name, value)
            else:
                for chain in chains:
                    self._namespace_path(chain, value)
            return
        if isinstance(value, _codegen.Struct) and not _is_library(value.cls):
            self.include(value)
            if value.cls.__name__ != name and self._bind(name, ("alias", value.cls.__name__)):
                self.struct_aliases[name] = value.cls.__name__
            return
        if isinstance(value, _context.Function) and not value.is_builtin() and not _is_library(value.func):
            if "<locals>" in value.func.__qualname__ and id(value) not in self.seen:
                # Made by a factory (``intersect = make_intersect(...)``): the assignment that made
                # it, and the factory, keep the function's name, which Warp's C name comes from.
                self.seen.add(id(value))
                if self._copy_assignment(name, value, env_module):
                    return
                self.seen.discard(id(value))
            self.include(value)
            if value.func.__name__ != name and self._bind(name, ("alias", value.func.__name__)):
                self.function_aliases[name] = value.func.__name__
            return
        if self._import_member(name, value):
            return
        if isinstance(value, types.FunctionType) and value.__module__.split(".")[0] not in ALLOWED_IMPORTS:
            # Plain Python that Warp runs while it generates code (``wp.static(make_op())``, a
            # factory of ``@wp.func``s): copied too, and what it reads.
            if id(value) not in self.seen:
                self.seen.add(id(value))
                self._copy("python", value, self.python_functions, self._function_env(value), value)
            if value.__name__ != name and self._bind(name, ("alias", value.__name__)):
                self.function_aliases[name] = value.__name__
            return
        if isinstance(value, type) and not hasattr(value, "_wp_generic_type_str_") and _scalar_name(value) is None:
            # A plain class used as a namespace of constants (an IntEnum, say).
            for chain in chains:
                self._namespace_path(chain, value)
            return
        try:
            text = _literal_as_written(name, value, env_module) or render_value(value, self.include)
        except Unresolved as e:
            if not self._copy_assignment(name, value, env_module):
                self.problems.append(f"{name}: {e}")
            return
        if self._bind(name, ("value", text)):
            self.values[name] = text

    def _copy_assignment(self, name: str, value, module_name: str | None) -> bool:
        """A module-level ``name = ...`` of the module the name was read in, copied as written
        (a decorator made by ``wp.func(inline=False)``, say), with what it reads."""
        module = sys.modules.get(module_name or "")
        statement = _module_assignment(module, name) if module else None
        if statement is None:
            return False
        if self._bind(name, ("statement", statement)):
            value_text = statement[len(name) :].split("=", 1)[1].strip()
            self.read_names(ast.parse(statement), dict(vars(builtins)) | vars(module), module_name)
            # One that calls a function the file defines runs after the definitions.
            defined = {p.obj.__name__ for p in (*self.functions, *self.python_functions)}
            loads, _ = _chains(ast.parse(statement))
            (self.late_values if loads & defined else self.values)[name] = value_text
        return True

    def _namespace_path(self, chain: list[str], root) -> None:
        """``root.a.b`` read by the code: a class ``root`` with nested classes down to the value."""
        node = self.namespaces.setdefault(chain[0], {})
        self._bind(chain[0], ("namespace", id(node)))
        value = root
        for depth, attr in enumerate(chain[1:], start=1):
            try:
                value = getattr(value, attr)
            except AttributeError:
                self.problems.append(f"{'.'.join(chain[: depth + 1])} does not exist")
                return
            descend = isinstance(value, types.ModuleType) or (
                isinstance(value, type)
                and not hasattr(value, "_wp_generic_type_str_")
                and _scalar_name(value) is None
                and depth < len(chain) - 1
            )
            if descend and depth < len(chain) - 1:
                node = node.setdefault(attr, {})
                continue
            try:
                text = render_value(value, self.include)
                # A function or struct is defined further down than the class: bound after it.
                is_definition = isinstance(value, (_codegen.Struct, _context.Function))
                node[attr] = ("ref", text) if is_definition else text
            except Unresolved as e:
                self.problems.append(f"{'.'.join(chain[: depth + 1])}: {e}")
            return

    # -- objects copied as written

    def include(self, obj) -> None:
        """A struct or ``@wp.func`` (all its overloads and custom gradients) and what it reads."""
        if obj is _NUMPY:
            import numpy

            self._import("np", numpy)
            return
        if id(obj) in self.seen:
            return
        self.seen.add(id(obj))
        if isinstance(obj, _codegen.Struct):
            self._copy("struct", obj.cls, self.structs, self._class_env(obj.cls), obj)
            return
        functions = [obj, *getattr(obj, "user_overloads", {}).values()]
        for f in functions:
            for extra in (f, getattr(f, "custom_grad_func", None), getattr(f, "custom_replay_func", None)):
                if extra is None or getattr(extra, "func", None) is None or id(extra.func) in self.seen:
                    continue
                self.seen.add(id(extra.func))
                self.seen.add(id(extra))
                # Overloads share their name: that is how Warp declares them.
                group = obj if extra is f else extra
                self._copy("function", extra.func, self.functions, self._function_env(extra.func), group)

    @staticmethod
    def _function_env(function) -> dict:
        env = dict(vars(builtins))
        env.update(function.__globals__)
        env.update(_codegen.get_closure_vars(function))
        return env

    @staticmethod
    def _class_env(cls) -> dict:
        import sys

        env = dict(vars(builtins))
        env.update(vars(sys.modules[cls.__module__]))
        return env

    def _copy(self, kind: str, obj, into: list, env: dict, identity) -> None:
        try:
            text, filename, first = _source(obj)
        except (OSError, TypeError) as e:
            self.problems.append(f"no source for {getattr(obj, '__qualname__', obj)}: {e}")
            return
        self._bind(obj.__name__, ("def", id(identity)))
        into.append(_Part(kind, obj, text, filename, first))
        self.read_names(ast.parse(text).body[0], env, getattr(obj, "__module__", None))

    def read_names(self, node: ast.AST, env: dict, module_name: str | None = None) -> None:
        loads, chains = _chains(node)
        module_name = module_name or env.get("__name__")
        for name in sorted(loads):
            if name not in env:
                continue  # a name Warp resolves itself, or a genuine NameError the check reports
            value = env[name]
            if name in vars(builtins) and value is vars(builtins)[name]:
                continue  # range, int, float, ...: there in every module
            self.resolve(name, value, [c for c in chains if c[0] == name], module_name)


def _module_options(kernel) -> dict:
    """Codegen options the kernel's module sets (``wp.set_module_options``) that differ from a
    fresh module's; the file sets them again."""
    if kernel.module.name != kernel.func.__module__:
        return {}  # a module of the kernel's own: its decorator sets the options
    fresh = _context.Module(None).options
    changed = {}
    for key, value in kernel.module.options.items():
        if value != fresh.get(key) and (value is None or isinstance(value, (bool, int, float, str))):
            changed[key] = value
    return changed


def build(kernel, variant) -> "SelfContained":
    """The self-contained Python of ``kernel`` (the concrete ``variant`` it was generated as)."""
    builder = _Builder()
    try:
        text, filename, first = _source(kernel.func)
    except (OSError, TypeError):
        text, filename, first = textwrap.dedent(kernel.adj.source).rstrip() + "\n", None, 1
    kernel_part = _Part("kernel", kernel.func, text, filename, first)
    builder._bind(kernel.func.__name__, ("def", id(kernel)))
    builder.read_names(ast.parse(text).body[0], _Builder._function_env(kernel.func))

    options = _module_options(kernel)
    if options:
        builder.resolve("wp", wp, [])
    overload = None
    if kernel.is_generic:
        builder.resolve("wp", wp, [])
        try:
            types_text = ", ".join(
                f"{arg!r}: {render_value(t, builder.include)}" for arg, t in variant.adj.arg_types.items()
            )
            overload = f"wp.overload({kernel.func.__name__}, {{{types_text}}})\n"
        except Unresolved as e:
            builder.problems.append(f"overload: {e}")

    uses_wp = any("wp." in v for v in builder.values.values()) or "wp." in _namespace_text(builder.namespaces)
    if (uses_wp or overload) and "wp" not in builder.bound:
        builder.resolve("wp", wp, [])
    header = []
    if builder.imports:
        header.append("\n".join(builder.imports[n] for n in sorted(builder.imports, key=_import_order(builder))) + "\n")
    if options:
        header.append(f"wp.set_module_options({options!r})\n")
    if builder.values:
        header.append("".join(f"{n} = {builder.values[n]}\n" for n in _value_order(builder.values)))
    namespaces = _namespace_text(builder.namespaces)
    # Plain Python functions come after the Warp functions their defaults may name (Warp calls
    # them only when it generates code, by when everything is defined).
    def assignments(aliases: dict) -> list:
        return ["".join(f"{n} = {aliases[n]}\n" for n in sorted(aliases))] if aliases else []

    parts: list = (
        header
        + ([namespaces] if namespaces else [])
        + _ordered_structs(builder.structs)
        + assignments(builder.struct_aliases)
        + builder.functions
        + builder.python_functions
        + assignments(builder.function_aliases)
        + (["".join(f"{n} = {builder.late_values[n]}\n" for n in _value_order(builder.late_values))] if builder.late_values else [])
    )
    refs = _namespace_refs(builder.namespaces)
    if refs:
        parts.append(refs)
    parts.append(kernel_part)
    if overload:
        parts.append(overload)

    texts, line_map, line = [], [], 1
    for part in parts:
        text = part.text if isinstance(part, _Part) else part
        if part is kernel_part:
            kernel_lines = [line, line + text.count("\n") - 1]
        if isinstance(part, _Part) and part.filename:
            line_map.append([part.filename, part.first, part.first + text.count("\n") - 1, line])
        texts.append(text)
        line += text.count("\n") + 2
    return SelfContained("\n\n".join(texts), line_map, builder.problems, kernel_lines)


class SelfContained:
    """A record's Python; its line map ``[[file, first, last, to], ...]``; the names it could not
    write (problems); and the lines [first, last] of the kernel in it."""

    def __init__(self, python: str, line_map: list, problems: list, kernel_lines: list):
        self.python, self.line_map, self.problems, self.kernel_lines = python, line_map, problems, kernel_lines

    def warp_line_map(self, variant, filename: str, ranges: list) -> dict:
        """The line map object for code Warp generated from ``variant``: Warp numbers a kernel's
        lines in its file, except an overload of a generic kernel's, which it numbers from the
        kernel's own first line; those get a file name of their own (``<kernel>``)."""
        if variant.adj.fun_lineno:
            return {"kernel_file": filename, "ranges": ranges}
        first, last = self.kernel_lines
        return {"kernel_file": "<kernel>", "ranges": [*ranges, ["<kernel>", 1, last - first + 1, first]]}


def _import_order(builder):
    return lambda name: (0 if builder.imports[name].startswith("import ") else 1, builder.imports[name])


def _dependency_order(items: list, name_of, reads_of) -> list:
    """``items`` with each after the items whose names it reads (in their first order otherwise;
    a cycle keeps the rest as it is)."""
    names = {name_of(item) for item in items}
    order, placed, pending = [], set(), list(items)
    while pending:
        progress = False
        for item in list(pending):
            if (reads_of(item) & names) - placed - {name_of(item)}:
                continue
            order.append(item)
            placed.add(name_of(item))
            pending.remove(item)
            progress = True
        if not progress:
            return order + pending
    return order


def _value_order(values: dict) -> list:
    """Values that name other values come after them."""
    return _dependency_order(
        sorted(values), lambda name: name, lambda name: {n.id for n in ast.walk(ast.parse(values[name])) if isinstance(n, ast.Name)}
    )


def _ordered_structs(structs: list) -> list:
    """Structs after the structs their fields name (a class body is evaluated when defined)."""
    return _dependency_order(structs, lambda part: part.obj.__name__, lambda part: _chains(ast.parse(part.text))[0])


def _namespace_refs(namespaces: dict) -> str:
    """``utils.quat_twist = quat_twist``: the functions and structs the namespaces hold, bound
    once they are defined."""
    lines = []

    def walk(node: dict, path: str) -> None:
        for key in sorted(node):
            value = node[key]
            if isinstance(value, dict):
                walk(value, f"{path}.{key}")
            elif isinstance(value, tuple):
                lines.append(f"{path}.{key} = {value[1]}")

    for root in sorted(namespaces):
        walk(namespaces[root], root)
    return "".join(line + "\n" for line in lines)


def _namespace_text(namespaces: dict) -> str:
    """Classes standing for the modules and namespaces the code reads through (``Axis.Y``),
    with the values it reads; defined before the functions, whose defaults may read them."""

    def body(node: dict, indent: str) -> list:
        lines = []
        for key in sorted(node):
            value = node[key]
            if isinstance(value, dict):
                lines.append(f"{indent}class {key}:")
                lines.extend(body(value, indent + "    ") or [f"{indent}    pass"])
            elif not isinstance(value, tuple):
                lines.append(f"{indent}{key} = {value}")
        return lines

    blocks = []
    for root in sorted(namespaces):
        blocks.append("\n".join([f"class {root}:", *(body(namespaces[root], "    ") or ["    pass"])]) + "\n")
    return "\n\n".join(blocks)


# ---------------------------------------------------------------------------------------------
# The check: the file alone, in a fresh module, generates the same code


class RefusedImport(ImportError):
    pass


def _guarded_import(name, globals=None, locals=None, fromlist=(), level=0):
    if level != 0 or name.split(".")[0] not in ALLOWED_IMPORTS:
        raise RefusedImport(f"import of {name!r} refused: a record may import only {', '.join(ALLOWED_IMPORTS)}")
    return builtins.__import__(name, globals, locals, fromlist, level)


def load_alone(python: str, module_name: str, label: str):
    """Executes ``python`` as a new module whose code may import only warp, numpy and math."""
    guarded = dict(vars(builtins))
    guarded["__import__"] = _guarded_import
    return loader.load_source(python, module_name, label, builtins_dict=guarded)


def find_variant(module, kernel_key: str, arg_types: list):
    """The kernel named ``kernel_key`` in the loaded module, as the concrete variant whose argument
    types are ``arg_types`` (the record's)."""
    def unqualified(types: list) -> list:
        # A struct is named by its module (``pkg.mod.State``), which differs once copied.
        return [(a["name"], re.sub(r"[A-Za-z_][\w]*(?:\.[A-Za-z_]\w*)+\.(\w+)", r"\1", a["type"])) for a in types]

    wanted = unqualified(arg_types)
    for obj in list(vars(module).values()):
        if warp_bridge.is_kernel(obj) and obj.key == kernel_key:
            for variant in warp_bridge.concrete_kernels(obj):
                if unqualified(warp_bridge.argument_types(variant)) == wanted:
                    return variant
            raise LookupError(f"kernel {kernel_key} has no overload with the record's argument types")
    raise LookupError(f"the Python defines no kernel {kernel_key}")
