"""Batches of generated sources (``codegen_sources``, ``compile_sources``, ``run_sources``): each
item's kernels code-generated as ``extract`` does for a file, then, on request, all items' kernels
compiled in one unit per device (a unit that fails is bisected down to the items at fault), and
each item's kernel run and checked (``run_check``, ``grad_check``)."""

from __future__ import annotations

import sys

from . import extract, loader, warp_bridge


def extract_sources(items: list, module_prefix: str) -> list:
    """``extract_file`` for each ``{"label", "source"}`` item of a batch (generated kernels: the
    driver has their Python and features, so only the generated code is sent back)."""
    return [
        extract.extract_file(item["source"], item["label"], f"{module_prefix}_{n}", generated=True)
        for n, item in enumerate(items)
    ]


def _holding_entry_points(compile_fn, device: str):
    """``compile_fn``, raising when the unit it reports built lacks one of its kernels' entry points
    (warp_bridge.missing_entry_points): the verdict rests on what was built, not on the absence
    of an error."""

    def compile_and_check(kernels, build_dir):
        result = compile_fn(kernels, build_dir)
        path = result.object_path if isinstance(result, warp_bridge.LaunchUnit) else result
        missing = warp_bridge.missing_entry_points(kernels, path, device)
        if missing:
            raise RuntimeError(f"the compiler reported success, but its output lacks {missing[0]}")
        return result

    return compile_and_check


def _compile_groups(kernels_by_item: dict, compile_fn, build_root: str) -> tuple[dict, dict]:
    """Compiles all items' kernels as one unit; a failing unit is bisected down to the items at
    fault. Returns ({item index: error} for the items that do not compile, {item index: what
    ``compile_fn`` returned for the unit that holds it}). Units are built in folders under
    ``build_root``, which the caller removes."""
    import shutil
    import tempfile

    failures, built = {}, {}

    def attempt(items):
        kernels = [k for i in items for k in kernels_by_item[i]]
        build_dir = tempfile.mkdtemp(dir=build_root)
        try:
            result = compile_fn(kernels, build_dir)
            built.update((i, result) for i in items)
            return
        except Exception as e:  # noqa: BLE001 - the compiler's verdict, bisected below
            shutil.rmtree(build_dir, ignore_errors=True)
            if len(items) == 1:
                failures[items[0]] = (str(e).strip().splitlines() or [type(e).__name__])[-1][:500]
                return
        half = len(items) // 2
        attempt(items[:half])
        attempt(items[half:])

    if kernels_by_item:
        attempt(sorted(kernels_by_item))
    return failures, built


class _StageClock:
    """Seconds per stage of a batch, logged as one line (``bench/verify_throughput.py`` sums them
    to say where the time goes)."""

    def __init__(self):
        import time

        self._now = time.perf_counter
        self._last = self._now()
        self.seconds = {}

    def lap(self, stage: str) -> None:
        now = self._now()
        self.seconds[stage] = self.seconds.get(stage, 0.0) + now - self._last
        self._last = now

    def report(self, items: int) -> None:
        stages = " ".join(f"{stage}={seconds:.3f}" for stage, seconds in self.seconds.items())
        print(f"warpsynth batch: items={items} {stages}", file=sys.stderr, flush=True)


def _shipped_cpu_functions(kernel_reply: dict) -> list[str]:
    """The texts of the CPU functions a record ships (forward, and backward where there is one)."""
    cpu = kernel_reply["cpu"]
    spans = [cpu["forward"]] + ([cpu["backward"]] if cpu.get("backward") else [])
    return [cpu["module"][start:end] for start, end in spans]


def compile_sources(items: list, module_prefix: str, build_root: str, run: bool = False) -> list:
    """Like ``extract_sources``, and each item's kernels also compiled: CPU code to an object by
    Warp's compiler, CUDA code to PTX by Warp's NVRTC, all items of the batch in one translation
    unit per device. Adds ``verify`` = {"cpu_compile", "cuda_ptx"} ("ok" or "failed: ...") to each
    item that passed codegen.

    With ``run`` (``run_sources``), the CPU code is built as a launch builds it instead (Warp's own
    module build: its compiler, optimization and precompiled headers), and the item's kernel is
    run and checked (``run_check``): ``verify`` gains "cpu_run", and the item gets ``run``, what
    replays the check."""
    import shutil
    import tempfile

    config = warp_bridge.config_snapshot()
    names = [f"{module_prefix}_{n}" for n in range(len(items))]
    opt_level = next((item["run"].get("opt_level") for item in items if item.get("run")), None)
    if opt_level is not None and opt_level >= 0:
        import warp as wp

        wp.config.optimization_level = int(opt_level)  # restored with the rest of the config below
    batch_dir = tempfile.mkdtemp(dir=build_root)
    clock = _StageClock()
    try:
        replies, kernels_by_item, shipped = [], {}, {}
        for n, item in enumerate(items):
            reply = extract.extract_loaded(item["source"], item["label"], names[n], None, None, generated=True)
            kernels = reply.pop("_kernels", [])
            replies.append(reply)
            if reply["kernels"] and not reply["errors"]:
                kernels_by_item[n] = kernels
                shipped.update((id(k), (r["cpu"]["block_dim"], _shipped_cpu_functions(r))) for k, r in zip(kernels, reply["kernels"]))
        # At run, the CPU unit is the one launches load (Warp's module build settings), so the
        # compile verdict and the run share one build; a kernel whose shipped functions are not
        # byte-identical in it builds its own module instead (run_check.build_and_check).
        build_cpu = warp_bridge.build_launch_unit if run else warp_bridge.compile_cpu
        clock.lap("codegen")
        cpu, units = _compile_groups(kernels_by_item, _holding_entry_points(build_cpu, "cpu"), batch_dir)
        clock.lap("cpu_build")
        ptx, _ = _compile_groups(kernels_by_item, _holding_entry_points(warp_bridge.compile_ptx, "cuda"), batch_dir)
        clock.lap("ptx")
        for n in kernels_by_item:
            replies[n]["verify"] = {
                "cpu_compile": "ok" if n not in cpu else f"failed: {cpu[n]}",
                "cuda_ptx": "ok" if n not in ptx else f"failed: {ptx[n]}",
            }
            if run:
                from . import run_check

                def load_cpu(kernel, unit=units.get(n)):
                    block_dim, functions = shipped[id(kernel)]
                    return unit is not None and block_dim == unit.block_dim and warp_bridge.load_from_unit(kernel, unit, functions)

                plan = dict(items[n].get("run") or {}, source=items[n]["source"])
                verify, details = run_check.build_and_check(kernels_by_item[n], plan, load_cpu)
                replies[n]["verify"].update(verify)
                replies[n]["run"] = details.get("run", {})
                if "grad" in details:
                    replies[n]["grad"] = details["grad"]
        clock.lap("run" if run else "rest")
        clock.report(len(items))
        return replies
    finally:
        shutil.rmtree(batch_dir, ignore_errors=True)
        warp_bridge.config_restore(config)
        for name in names:
            extract.forget(name)
        for item in items:
            loader.forget_source(item["label"])


def run_sources(items: list, module_prefix: str, build_root: str) -> list:
    """``compile_sources`` with each item's kernel run and checked (``run_check``)."""
    return compile_sources(items, module_prefix, build_root, run=True)
