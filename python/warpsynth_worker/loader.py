"""Load Python source into a fresh module without writing temporary files.

The source is registered in ``linecache`` under a pseudo file name, so ``inspect`` (and
therefore ``@wp.kernel``/``@wp.func``) can read it back, then compiled and executed into a new
module object with its own ``__name__``. One module per source keeps kernels apart.

Real Warp code often imports optional packages (USD, torch, jax, PIL, ...) that have nothing to
do with its kernels. ``load_source(..., stub_missing=True)`` satisfies such imports with inert
stand-ins so the kernels can still be defined; the names stubbed are reported to the caller.
"""

from __future__ import annotations

import contextlib
import importlib
import importlib.abc
import importlib.machinery
import linecache
import os
import sys
import types


def pseudo_filename(label: str) -> str:
    return f"<warpsynth:{label}>"


class _Stub:
    """An object that absorbs any use: attribute access, calls, indexing, subclassing."""

    def __init__(self, name: str):
        self._name = name

    def __getattr__(self, attr: str):
        if attr.startswith("__") and attr.endswith("__"):
            raise AttributeError(attr)
        return _Stub(f"{self._name}.{attr}")

    def __call__(self, *args, **kwargs):
        return _Stub(f"{self._name}()")

    def __getitem__(self, key):
        return _Stub(f"{self._name}[]")

    def __iter__(self):
        return iter(())

    def __bool__(self):
        return False

    def __mro_entries__(self, bases):
        return (object,)

    def __repr__(self):
        return f"<stub {self._name}>"


class _StubModule(types.ModuleType):
    def __getattr__(self, attr: str):
        if attr.startswith("__") and attr.endswith("__"):
            raise AttributeError(attr)
        return _Stub(f"{self.__name__}.{attr}")


class _StubFinder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Last resort on ``sys.meta_path``: any module no real finder can locate becomes a stub."""

    def __init__(self):
        self.stubbed: list[str] = []

    def find_spec(self, fullname, path=None, target=None):
        for finder in sys.meta_path:
            if finder is self or not hasattr(finder, "find_spec"):
                continue
            try:
                if finder.find_spec(fullname, path, target) is not None:
                    return None
            except (ImportError, ValueError):
                continue
        return importlib.machinery.ModuleSpec(fullname, self, is_package=True)

    def create_module(self, spec):
        module = _StubModule(spec.name)
        module.__path__ = []
        return module

    def exec_module(self, module):
        top = module.__name__.split(".")[0]
        if top not in self.stubbed:
            self.stubbed.append(top)


@contextlib.contextmanager
def _stand_ins(enabled: bool):
    """While enabled, imports no finder can satisfy get inert stand-ins; yields the list of the
    top-level names stubbed. The stand-ins do not outlive the block."""
    if not enabled:
        yield []
        return
    finder = _StubFinder()
    sys.meta_path.append(finder)
    before = set(sys.modules)
    try:
        yield finder.stubbed
    finally:
        sys.meta_path.remove(finder)
        for name in set(sys.modules) - before:
            if isinstance(sys.modules[name], _StubModule):
                del sys.modules[name]


def forget_source(label: str) -> None:
    """Drops a loaded source's text from linecache once nothing needs to read it again."""
    linecache.cache.pop(pseudo_filename(label), None)


class LoadedSource:
    """A module executed from source. ``error`` is what its code raised, if anything: the module
    then holds what was defined before the error (kernels above a failing line stay usable)."""

    def __init__(self, module: types.ModuleType, filename: str, stubbed_imports: list[str], error=None):
        self.module = module
        self.filename = filename
        self.stubbed_imports = stubbed_imports
        self.error = error


def load_source(
    source: str,
    module_name: str,
    label: str,
    real_path: str | None = None,
    stub_missing: bool = False,
    builtins_dict: dict | None = None,
) -> LoadedSource:
    """Execute ``source`` as a new module named ``module_name``.

    A ``SyntaxError`` is raised; an exception raised by the code itself is returned in
    ``LoadedSource.error`` together with the partly executed module. ``builtins_dict`` replaces
    the module's builtins (a guarded ``__import__``, say).
    """
    filename = pseudo_filename(label)
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    code = compile(source, filename, "exec", dont_inherit=True)

    module = types.ModuleType(module_name)
    module.__file__ = real_path or filename
    if builtins_dict is not None:
        module.__dict__["__builtins__"] = builtins_dict
    sys.modules[module_name] = module

    error = None
    with _stand_ins(stub_missing) as stubbed:
        try:
            exec(code, module.__dict__)
        except BaseException as e:  # noqa: BLE001 - whatever user code raises is reported, not raised
            error = e
    return LoadedSource(module, filename, stubbed, error)


def package_module_name(path: str) -> tuple[str, str] | None:
    """For a file inside a package (its folder holds an ``__init__.py``): the folder to put on
    ``sys.path`` and the module's dotted name. The package's top is the highest folder above with
    an ``__init__.py`` reached through folders with identifier names, so namespace folders in
    between (``newton/_src`` has no ``__init__.py``) are part of the name. None for a file that is
    not part of a package (a script)."""
    path = os.path.realpath(path)
    folder, base = os.path.split(path)
    stem = base[:-3] if base.endswith(".py") else base
    if not os.path.isfile(os.path.join(folder, "__init__.py")) or not stem.isidentifier():
        return None
    names = [] if stem == "__init__" else [stem]
    top = None
    while True:
        parent, name = os.path.split(folder)
        if not name or not name.isidentifier():
            break
        names.insert(0, name)
        if os.path.isfile(os.path.join(folder, "__init__.py")):
            top = (parent, len(names))
        folder = parent
    if top is None:
        return None
    root, depth = top
    return root, ".".join(names[len(names) - depth :])


def import_package_module(path: str, root: str, dotted: str, stub_missing: bool = False) -> LoadedSource:
    """Imports a package's file as the package's module (relative imports and package state work,
    and other files of the package imported later share it). The module stays imported."""
    if root not in sys.path:
        sys.path.insert(0, root)
    error, module = None, None
    with _stand_ins(stub_missing) as stubbed:
        try:
            module = importlib.import_module(dotted)
        except BaseException as e:  # noqa: BLE001 - whatever user code raises is reported, not raised
            error = e
    if module is None:
        # What was executed before the error is in the module object Python made for it.
        module = sys.modules.get(dotted) or types.ModuleType(dotted)
    elif os.path.realpath(getattr(module, "__file__", "") or "") != os.path.realpath(path):
        error = ImportError(
            f"{dotted} is already imported from {module.__file__}, not from {path} (another copy of the package)"
        )
    return LoadedSource(module, path, stubbed, error)


def package_location(name: str) -> str:
    """The folder of an installed package (or the file of a single-module one), found as an
    import would find it, without importing it."""
    import importlib.util

    try:
        spec = importlib.util.find_spec(name)
    except (ImportError, ValueError) as e:
        raise ValueError(f"no installed package {name!r}: {e}") from None
    if spec is None:
        raise ValueError(f"no installed package {name!r}")
    if spec.submodule_search_locations:
        return os.path.realpath(list(spec.submodule_search_locations)[0])
    if spec.origin and spec.origin.endswith(".py"):
        return os.path.realpath(spec.origin)
    raise ValueError(f"{name!r} is not a package of Python files ({spec.origin})")
