"""Worker entry point: ``python -m warpsynth_worker``.

Protocol (version in ``protocol.PROTOCOL_VERSION``), one JSON object per line:
  worker -> driver, once at start: {"protocol", "op": "ready", "warp_version", "worker_version", ...}
  driver -> worker: {"protocol", "id", "op": "extract", "path", "label"}
                  | {"protocol", "id", "op": "codegen_sources" | "compile_sources" | "run_sources",
                     "items": [{"label", "source", "run" (run_sources: how to launch)}, ...]}
                  | {"protocol", "id", "op": "catalog"} | {"protocol", "id", "op": "locate_package", "name"}
                  | {"protocol", "id", "op": "declared", "path"} | {"protocol", "id", "op": "preload", "paths"}
                  | {"op": "shutdown"}
  worker -> driver: {"protocol", "id", "ok": true, "result": {...}} | {"protocol", "id", "ok": false, "error"}
                   with "restart": [what changed] when the file of an "extract" left the worker's
                   interpreter changed (state_guard): the driver then replaces the worker
Anything the worker or imported code prints goes to stderr, which the driver logs.
"""

import os
import re
import sys
import traceback

from . import __version__, faults, loader, protocol, state_guard


def _module_name(request_id, label: str) -> str:
    return f"warpsynth_src_{request_id}_" + re.sub(r"[^A-Za-z0-9_]", "_", label)


def _request_path(request: dict) -> str:
    """The file a request names: "path", or "path_hex" (the bytes of a name that is not UTF-8) as
    the file system's name (os.fsdecode)."""
    if "path_hex" in request:
        return os.fsdecode(bytes.fromhex(request["path_hex"]))
    return request["path"]


def _read_source(path: str) -> str:
    """A file's Python as the interpreter reads it: the encoding its byte-order mark or coding
    line declares (PEP 263), UTF-8 otherwise; the mark itself is not part of the text."""
    import tokenize

    with tokenize.open(path) as f:
        return f.read()


def handle(request: dict) -> dict:
    if request.get("protocol") != protocol.PROTOCOL_VERSION:
        raise ValueError(f"protocol version {request.get('protocol')!r} is not {protocol.PROTOCOL_VERSION}")
    op = request.get("op")
    if op == "extract":
        from .extract import extract_file

        path = _request_path(request)
        label = request.get("label", os.path.basename(path))
        source = _read_source(path)
        return extract_file(
            source, label, _module_name(request.get("id"), label), real_path=path, call=request.get("call")
        )
    if op in ("codegen_sources", "compile_sources", "run_sources"):
        from . import faults, generated_sources

        faults.check(request["items"])
        prefix = f"warpsynth_gen_{request.get('id')}"
        if op == "codegen_sources":
            return {"items": generated_sources.extract_sources(request["items"], prefix)}
        import tempfile

        with tempfile.TemporaryDirectory(prefix="warpsynth-build-") as build_root:
            return {"items": generated_sources.compile_sources(request["items"], prefix, build_root, run=op == "run_sources")}
    if op == "preload":
        from .extract import preload

        return preload(request["paths"])
    if op == "declared":
        import ast

        from .extract import declared_kernels

        try:
            return {"declared": declared_kernels(ast.parse(_read_source(_request_path(request))))}
        except (SyntaxError, UnicodeDecodeError):
            return {"declared": []}
    if op == "locate_package":
        return {"path": loader.package_location(request["name"])}
    if op == "catalog":
        from . import catalog

        return catalog.export()
    raise ValueError(f"unknown op {op!r}")


def _limit_cpu_time(seconds: float) -> None:
    """The process may use `seconds` more of CPU time (all threads) before the kernel stops it with
    SIGXCPU: set before each request that runs a user's file (WARPSYNTH_CPU_LIMIT_S; the driver
    names the limit when the worker dies of it). The hard limit stays where it was."""
    import resource

    usage = resource.getrusage(resource.RUSAGE_SELF)
    soft = int(usage.ru_utime + usage.ru_stime + seconds) + 1
    _, hard = resource.getrlimit(resource.RLIMIT_CPU)
    if hard != resource.RLIM_INFINITY:
        soft = min(soft, hard)
    resource.setrlimit(resource.RLIMIT_CPU, (soft, hard))


def _import_worker_modules() -> None:
    """Every module of the worker, imported before the state guard is made, so that the guard
    watches them all (a file replacing a function of a module imported later would go unseen)."""
    import importlib
    import pkgutil

    for module in pkgutil.iter_modules([os.path.dirname(__file__)]):
        if module.name != "__main__":
            importlib.import_module(f"{__package__}.{module.name}")


def _tune_process() -> None:
    """Settings for a process that only runs codegen, one request after another.

    numpy's BLAS threads serve no purpose here and compete with the other workers for cores.
    Warp's modules, imported once, are moved out of the garbage collector's sight (``freeze``),
    and the collector runs less often: codegen makes many short-lived objects, and collecting them
    every 700 allocations cost about a tenth of a worker's time. Memory stays bounded: the garbage
    is still collected, and the driver replaces workers every ``--recycle`` batches."""
    import gc

    gc.collect()
    gc.freeze()
    gc.set_threshold(10_000, 50, 100)


def main() -> int:
    for variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(variable, "1")  # before numpy is imported (by Warp)
    channel = protocol.open_channel()
    # The channel's methods, taken before any user code runs: a file that replaces
    # protocol.Channel.send (or json.dumps) cannot change the replies about later files (issue 13).
    send, send_raw, requests = channel.send, channel.send_raw, channel.requests()
    from . import warp_bridge

    warp_bridge.init(os.environ.get("WARPSYNTH_KERNEL_CACHE"), warp_bridge.default_lto_cache())
    _import_worker_modules()
    _tune_process()
    guard = state_guard.StateGuard()
    cpu_limit_s = float(os.environ.get("WARPSYNTH_CPU_LIMIT_S", "0") or 0)
    send(
        {
            "op": "ready",
            "worker_version": __version__,
            "warp_version": warp_bridge.warp_version(),
            "pinned_warp_version": warp_bridge.PINNED_WARP_VERSION,
            "pid": os.getpid(),
        }
    )
    for request in requests:
        if isinstance(request, Exception):
            send({"id": None, "ok": False, "error": str(request)})
            continue
        if request.get("op") == "shutdown":
            break
        op = request.get("op")
        if cpu_limit_s > 0 and op in ("extract", "preload"):
            _limit_cpu_time(cpu_limit_s)
        try:
            reply = {"id": request.get("id"), "ok": True, "result": handle(request)}
        except faults.GarbageFault:
            send_raw("Module sample load on device 'cpu' took 1.0 ms (garbage on the protocol channel)\n")
            continue
        except Exception as e:  # noqa: BLE001 - a bad request is answered, never fatal
            print(traceback.format_exc(), file=sys.stderr)
            reply = {"id": request.get("id"), "ok": False, "error": f"{type(e).__name__}: {e}"}
        if op == "preload":
            guard = state_guard.StateGuard()  # the run's package, imported on purpose in every worker
        elif op == "extract":
            guard.restore()
            changed = guard.changes()
            if changed:
                reply["restart"] = changed
        send(reply)
    return 0


if __name__ == "__main__":
    sys.exit(main())
