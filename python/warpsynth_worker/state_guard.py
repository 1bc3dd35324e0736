"""What one file's code does to the worker's interpreter must not reach the records of the files
after it (issue 13).

Two kinds of state:
- state that is cheap to put back is put back after every file: the working directory,
  ``sys.path``, ``sys.argv``, ``os.environ`` (``wp.config`` is restored by ``extract`` itself);
- the code the worker relies on (Warp's modules, the worker's own, the standard modules it calls,
  their classes) cannot be put back with certainty, so it is watched: every attribute of those
  modules and of the classes they define is held by reference when the worker is ready, and a
  file after which one of them is no longer the same object, a watched module is replaced or
  gone, an import hook, a trace function or a thread is left behind, makes the worker ask to be
  replaced (the reply's ``"restart"``). The driver then starts a fresh process for the next file.

Attributes a module gains are not checked (importing ``warp.sim`` adds one to ``warp``), and
objects are compared by identity, not content (Warp's registries are filled by every file).
"""

import os
import sys
import threading

# Modules whose attributes are watched: these names and their submodules.
WATCHED_PACKAGES = ("warp", "warpsynth_worker")
WATCHED_MODULES = (
    "builtins",
    "json",
    "json.encoder",
    "json.decoder",
    "os",
    "os.path",
    "posixpath",
    "sys",
    "ast",
    "inspect",
    "tokenize",
    "types",
    "functools",
    "hashlib",
    "importlib",
    "tempfile",
    "ctypes",
    "numpy",
)
# Module attributes that change by themselves in normal use (not code the worker calls). Found by
# extracting warp-lang's examples with the guard on: every name here made a false restart.
IGNORED_ATTRIBUTES = {
    ("sys", "last_type"),
    ("sys", "last_value"),
    ("sys", "last_traceback"),
    ("sys", "last_exc"),
    ("sys", "stdout"),  # open_channel points it at stderr once; a file replacing it only redirects its own prints
    ("sys", "stderr"),
    ("sys", "path_importer_cache"),
    ("sys", "argv"),  # restored
    ("sys", "path"),  # restored
    ("os", "environ"),  # restored by content
    ("builtins", "_"),
    ("warp._src.codegen", "options"),  # the options of the module Warp last built, set by every build
    ("tempfile", "tempdir"),  # found on first use
    ("tempfile", "_name_sequence"),
    ("warpsynth_worker.self_contained", "_ALIASES"),  # filled on first use
}
# Lazily filled caches: module attributes with a name ending so (Warp's `_cpu_feature_set_cache`,
# `_cpu_toolchain_version_cache`), and `__slotnames__`, which copyreg stores on a class the first
# time one of its objects is copied or pickled.
IGNORED_SUFFIX = "_cache"
IGNORED_CLASS_ATTRIBUTES = {"__slotnames__"}


def _watched(name: str) -> bool:
    return name in WATCHED_MODULES or any(name == p or name.startswith(p + ".") for p in WATCHED_PACKAGES)

class StateGuard:
    def __init__(self):
        self._modules = {}  # name -> module object
        self._module_attributes = {}  # name -> {attribute: object}
        self._class_attributes = {}  # (module name, class name) -> (class, {attribute: object})
        self._meta_path = list(sys.meta_path)
        self._path_hooks = list(sys.path_hooks)
        self._threads = set(threading.enumerate())
        self._cwd = os.getcwd()
        self._path = list(sys.path)
        self._argv = list(sys.argv)
        self._environ = dict(os.environ)
        for name, module in list(sys.modules.items()):
            if module is not None and _watched(name):
                self._watch(name, module)

    def _watch(self, name, module):
        self._modules[name] = module
        namespace = getattr(module, "__dict__", {})
        self._module_attributes[name] = {
            k: v
            for k, v in namespace.items()
            if (name, k) not in IGNORED_ATTRIBUTES and not k.startswith("__") and not k.endswith(IGNORED_SUFFIX)
        }
        for attribute, value in namespace.items():
            if isinstance(value, type) and getattr(value, "__module__", None) == name:
                watched = {k: v for k, v in value.__dict__.items() if k not in IGNORED_CLASS_ATTRIBUTES}
                self._class_attributes[(name, attribute)] = (value, watched)

    def restore(self) -> None:
        """Puts back what a file may change that is cheap to put back."""
        try:
            os.chdir(self._cwd)
        except OSError:
            pass
        sys.path[:] = self._path
        sys.argv[:] = self._argv
        if os.environ != self._environ:
            os.environ.clear()
            os.environ.update(self._environ)

    def changes(self, limit: int = 5) -> list:
        """What is no longer as it was when the guard was made (at most `limit` names); empty when
        the worker can go on serving files."""
        found = []

        def note(text):
            found.append(text)
            return len(found) >= limit

        for name, module in self._modules.items():
            if sys.modules.get(name) is not module:
                if note(f"module {name} replaced or removed"):
                    return found
            namespace = module.__dict__
            for attribute, value in self._module_attributes[name].items():
                if namespace.get(attribute, _MISSING) is not value:
                    if note(f"{name}.{attribute}"):
                        return found
        for (name, class_name), (cls, attributes) in self._class_attributes.items():
            current = cls.__dict__
            if all(current.get(k, _MISSING) is v for k, v in attributes.items()):
                continue
            for attribute in attributes:
                if current.get(attribute, _MISSING) is not attributes.get(attribute, _MISSING):
                    if note(f"{name}.{class_name}.{attribute}"):
                        return found
                    break
        if sys.meta_path != self._meta_path or sys.path_hooks != self._path_hooks:
            note("import hooks (sys.meta_path, sys.path_hooks)")
        if sys.gettrace() is not None or sys.getprofile() is not None:
            note("a trace or profile function")
        extra = [t for t in threading.enumerate() if t not in self._threads and t.is_alive()]
        if extra:
            note(f"{len(extra)} thread(s) left running")
        return found[:limit]

_MISSING = object()
