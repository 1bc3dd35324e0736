"""``--verify run``: a kernel launched on seeded random inputs, and what its outputs show.

Each kernel is built as Warp builds it for a CPU launch (its compiler, its default optimization, its
precompiled headers: ``wp.launch`` loads the module) and launched at three sizes, one of them odd.
It passes when, at every size:

- the launch does not raise;
- it writes something (some array differs after the launch): its outputs are the arrays it wrote;
- every floating output is finite;
- the same inputs give the same outputs (within a tolerance where atomics may reorder sums);

and, at the record's own size (a launch of 5 threads may rightly find nothing to do):

- the outputs are not all zero, and not all one constant;
- other inputs give other outputs (all inputs drawn again together).

Each failure names the check and the size. Also measured, at the first size: how much each input
array moves the outputs when it alone is drawn again (an input that moves nothing is named), and a
checksum of the outputs, so that the check can be replayed from the record (seed, sizes, shapes).

Inputs come from the kernel's argument types (``launch_inputs``).
"""

from __future__ import annotations

import hashlib
import re

import numpy as np
import warp as wp

from . import grad_check
from .launch_inputs import Failed, Inputs, Skip

# Relative and absolute tolerance of "the same outputs" where atomics may reorder floating sums.
ATOMIC_RTOL = 1e-5
ATOMIC_ATOL = 1e-6
# The smallest relative change that counts as "moved" (outputs of fp16 kernels move in steps of 1e-3).
MOVED = 1e-6


# ---------------------------------------------------------------- launches


def launch_sizes(dims: list[int], tiled: bool) -> list[list[int]]:
    """The record's launch, a smaller odd one, and a small one (a tiled launch keeps its size: its
    arrays are shaped by the tile size)."""
    if tiled:
        return [list(dims)]
    if len(dims) == 1:
        return [list(dims), [37], [5]]
    odd = [5] + [7] * (len(dims) - 1)
    return [list(dims), odd, [3] * len(dims)]


def _launch(kernel, plan: dict, dims: list[int], inputs: Inputs) -> tuple[dict[str, np.ndarray], set[str]]:
    before = inputs.snapshot()
    try:
        if plan.get("block_dim"):
            wp.launch_tiled(kernel, dim=dims, inputs=inputs.values, block_dim=plan["block_dim"], device=inputs.device)
        else:
            wp.launch(kernel, dim=dims, inputs=inputs.values, device=inputs.device)
        wp.synchronize_device(inputs.device)
    except Exception as e:  # noqa: BLE001 - the kernel's failure, reported
        raise Failed(f"the launch raised {type(e).__name__}: {e}") from None
    after = inputs.snapshot()
    # Every array after the launch; those it changed are the ones it wrote.
    return after, {name for name in after if not np.array_equal(after[name], before[name], equal_nan=True)}


def _floating(a: np.ndarray) -> bool:
    return np.issubdtype(a.dtype, np.floating)


def _same(a: dict, b: dict, atomics: bool) -> bool:
    if a.keys() != b.keys():
        return False
    for name in a:
        x, y = a[name], b[name]
        if atomics and _floating(x):
            if not np.allclose(x, y, rtol=ATOMIC_RTOL, atol=ATOMIC_ATOL * _magnitude(x), equal_nan=True):
                return False
        elif not np.array_equal(x, y, equal_nan=True):
            return False
    return True


def _magnitude(x: np.ndarray) -> float:
    """The scale of an array's values, at least 1: tolerances of sums whose order may change grow
    with the summands, and the largest output is the best bound at hand."""
    finite = np.abs(x[np.isfinite(x)]) if x.size else x
    return max(1.0, float(np.max(finite)) if finite.size else 0.0)


def _moved(a: dict, b: dict) -> float:
    """How much the outputs moved from a to b: the largest change relative to the outputs' size."""
    worst = 0.0
    for name in a:
        x = a[name].astype(np.float64)
        y = b[name].astype(np.float64)
        scale = max(float(np.max(np.abs(x))) if x.size else 0.0, 1e-12)
        worst = max(worst, float(np.max(np.abs(x - y))) / scale if x.size else 0.0)
    return worst


def _checksum(outputs: dict) -> str:
    h = hashlib.sha256()
    for name in sorted(outputs):
        h.update(name.encode())
        h.update(np.ascontiguousarray(outputs[name]).tobytes())
    return h.hexdigest()[:16]


def _check_size(kernel, plan: dict, dims: list[int], seed: int, atomics: bool, degenerate: bool = True,
                device: str = "cpu") -> tuple[dict, Inputs]:
    """The checks at one launch size. ``degenerate``: also the checks that outputs are not zero,
    constant or blind to the inputs (made at the record's own size: a launch of 5 threads may
    rightly find nothing, e.g. no box overlapping another)."""
    where = "x".join(str(d) for d in dims)
    first = Inputs(kernel, plan, dims, seed, device=device)
    after, written = _launch(kernel, plan, dims, first)
    if not written:
        if not degenerate:
            return {}, first
        raise Failed(f"writes nothing (launch {where})")
    outputs = {name: after[name] for name in sorted(written)}  # sorted: a set's order changes between processes
    outputs_of = lambda launched: {name: launched[0][name] for name in outputs}  # noqa: E731
    for name, a in outputs.items():
        if _floating(a) and not np.all(np.isfinite(a)):
            raise Failed(f"non-finite output {name} (launch {where})")
    again = outputs_of(_launch(kernel, plan, dims, Inputs(kernel, plan, dims, seed, device=device)))
    if not _same(outputs, again, atomics):
        raise Failed(f"two launches on the same inputs differ (launch {where})")
    if not degenerate:
        return outputs, first
    if all(not np.any(a) for a in outputs.values()):
        raise Failed(f"all outputs are zero (launch {where})")
    def constant(name: str) -> bool:
        elements = first.arrays[name].size  # the array's elements (a vec3 is one)
        rows = outputs[name].reshape(elements, -1)
        return elements > 1 and bool(np.all(rows == rows[0]))

    if all(constant(name) for name in outputs):
        raise Failed(f"every output holds one constant (launch {where})")
    other = outputs_of(_launch(kernel, plan, dims, Inputs(kernel, plan, dims, seed + 1, device=device)))
    if _moved(outputs, other) <= MOVED:
        raise Failed(f"outputs do not change when the inputs do (launch {where})")
    return outputs, first


def _sensitivity(kernel, plan: dict, dims: list[int], seed: int, outputs: dict, inputs: Inputs) -> dict:
    """Per input array: how much drawing it alone again moves the outputs."""
    positions = {arg.label: i for i, arg in enumerate(kernel.adj.args)}
    moved = {}
    for name in inputs.arrays:
        if name in outputs:
            continue  # an output (its first contents may be read too, but it is not an input)
        fresh = Inputs(kernel, plan, dims, seed)
        replacement = Inputs(kernel, plan, dims, seed + 1000).arrays[name]
        fresh.arrays[name] = replacement
        fresh.values[positions[name]] = replacement
        after, _ = _launch(kernel, plan, dims, fresh)
        moved[name] = round(_moved(outputs, {n: after[n] for n in outputs}), 6)
    return moved


def _launch_dims_of(source: str) -> list[int]:
    """A launch for code that does not say its own (extracted code): as many dimensions as its
    ``... = wp.tid()`` unpacks."""
    match = re.search(r"^[ \t]*([A-Za-z_][\w \t,]*?)=[ \t]*wp\.tid\(\)", source, re.MULTILINE)
    n = len(match.group(1).split(",")) if match else 1
    return {1: [64], 2: [8, 8], 3: [4, 4, 4]}.get(n, [3] * n)


# Code without its launch (extracted) gets inputs drawn from this many seeds before a failure that
# inputs can cause stands: a kernel that writes only where `iy_start < iy_end`, or only where a
# norm read from an array exceeds another, does nothing on some draws of small integers and data.
GUESSED_INPUT_DRAWS = 3
_INPUT_DEPENDENT = ("writes nothing", "all outputs are zero", "every output holds one constant",
                    "outputs do not change when the inputs do", "non-finite output")


def _launch_plan(plan: dict) -> dict:
    """The plan with its defaults, and a launch guessed where the record has none (extracted code)."""
    plan = {"array_shapes": {}, "host_objects": {}, **plan}
    if not plan.get("dims"):
        plan["dims"] = _launch_dims_of(plan.get("source", ""))
        plan["guessed_launch"] = True
    return plan


def _uses_atomics(plan: dict) -> bool:
    source = plan.get("source", "")
    return "atomic_" in source or "+=" in source


def check(kernel, plan: dict, seed: int) -> tuple[str, dict]:
    """The ``cpu_run`` verdict ("ok", "failed: ...", "skipped: ...") and what replays it."""
    plan = _launch_plan(plan)
    draws = GUESSED_INPUT_DRAWS if plan.get("guessed_launch") else 1
    for draw in range(draws):
        verdict, detail = _check_inputs(kernel, plan, seed + draw)
        if not verdict.startswith("failed: ") or not verdict[len("failed: "):].startswith(_INPUT_DEPENDENT):
            break
    if draws > 1:
        detail["input_draws"] = draw + 1
    return verdict, detail


def _check_inputs(kernel, plan: dict, seed: int) -> tuple[str, dict]:
    """``check`` on the inputs of one seed."""
    tiled = bool(plan.get("block_dim"))
    sizes = launch_sizes(plan["dims"], tiled)
    atomics = _uses_atomics(plan)
    detail = {"input_seed": seed, "sizes": sizes}
    try:
        outputs, inputs = _check_size(kernel, plan, sizes[0], seed, atomics)
        detail["shapes"] = {name: list(a.shape) for name, a in inputs.arrays.items()}
        detail["outputs"] = sorted(outputs)
        detail["checksum"] = _checksum(outputs)
        moved = _sensitivity(kernel, plan, sizes[0], seed, outputs, inputs)
        detail["moved_by"] = moved
        detail["inputs_moving_nothing"] = sorted(n for n, m in moved.items() if m <= MOVED)
        for dims in sizes[1:]:
            _check_size(kernel, plan, dims, seed, atomics, degenerate=False)
    except Skip as e:
        return f"skipped: {e}", detail
    except Failed as e:
        return f"failed: {e}", detail
    return "ok", detail


# Floating outputs on the GPU against the CPU's: fp32 transcendental functions differ by a few ulp
# between the CPU's libm and CUDA's, and fused multiply-adds change roundings. Atomics add in
# another order on the GPU (threads race for each element), so their sums get the wider tolerance.
GPU_RTOL = 1e-4
GPU_ATOL = 1e-5  # times the output's magnitude (_magnitude)
GPU_ATOMIC_RTOL = 1e-3
GPU_ATOMIC_ATOL = 1e-4


def gpu_check(kernel, plan: dict, run: dict, device: str = "cuda:0") -> tuple[str, dict]:
    """``gpu_run``: the same checks as ``cpu_run`` with the kernel built and launched on ``device``
    (its inputs, host objects included, made there from the same seed), then its outputs at the
    first size compared with the CPU's. "skipped: no GPU" where there is none. ``device`` may be
    "cpu", which tests the comparison on a machine without a GPU."""
    if device.startswith("cuda") and not wp.is_cuda_available():
        return "skipped: no GPU", {}
    plan = _launch_plan(plan)
    sizes, seed, atomics = run["sizes"], run["input_seed"], _uses_atomics(plan)
    try:
        wp.load_module(kernel.module, device=device)
    except Exception as e:  # noqa: BLE001 - the compiler's verdict
        return f"failed: the build for {device} raised: {(str(e).strip().splitlines() or [type(e).__name__])[-1][:300]}", {}
    try:
        outputs, _ = _check_size(kernel, plan, sizes[0], seed, atomics, device=device)
        for dims in sizes[1:]:
            _check_size(kernel, plan, dims, seed, atomics, degenerate=False, device=device)
        cpu_out, _ = _launch(kernel, plan, sizes[0], Inputs(kernel, plan, sizes[0], seed))
    except Skip as e:
        return f"skipped: {e}", {}
    except Failed as e:
        return f"failed: on {device}, {e}", {}
    return compare_devices(cpu_out, outputs, atomics, device)


def compare_devices(cpu_out: dict, outputs: dict, atomics: bool, device: str) -> tuple[str, dict]:
    """The ``gpu_run`` verdict of ``device``'s outputs against the CPU's, and the largest difference."""
    rtol, atol = (GPU_ATOMIC_RTOL, GPU_ATOMIC_ATOL) if atomics else (GPU_RTOL, GPU_ATOL)
    worst = 0.0
    for name in sorted(outputs):
        x, y = cpu_out[name], outputs[name]
        if _floating(x):
            difference = np.abs(x.astype(np.float64) - y.astype(np.float64))
            here = float(np.nanmax(difference)) if difference.size else 0.0
            worst = max(worst, here)
            if not np.allclose(y, x, rtol=rtol, atol=atol * _magnitude(x), equal_nan=True):
                return (f"failed: output {name} on {device} differs from the CPU's (max abs difference "
                        f"{here:.3g}, magnitude {_magnitude(x):.3g})"), {"max_abs_difference": float(f"{worst:.3g}")}
        elif not np.array_equal(x, y):
            return f"failed: output {name} on {device} differs from the CPU's ({int(np.sum(x != y))} elements)", {}
    return "ok", {"max_abs_difference": float(f"{worst:.3g}")}


def build_and_check(kernels: list, plan: dict, load_prebuilt=None) -> tuple[dict, dict]:
    """The verdicts for an item's kernel (the one ``plan["kernel"]`` names, else the only one):
    ``cpu_compile`` (Warp's own CPU build, ``wp.load_module``, as a launch makes it), ``cpu_run``,
    and with ``plan["grad"]`` ``grad_check``; and what replays them ({"run": ..., "grad": ...}).
    ``load_prebuilt(kernel)`` may load the kernel's CPU module from a build shared with other
    kernels (True when it did); otherwise the kernel's module is built as a launch builds it."""
    grad = bool(plan.get("grad"))
    wanted = plan.get("kernel")
    chosen = [k for k in kernels if wanted is None or k.key == wanted]
    if len(chosen) != 1:
        verify = {"cpu_compile": "skipped: no single kernel to run", "cpu_run": f"skipped: {len(chosen)} kernels match"}
        if grad:
            verify["grad_check"] = "skipped: no single kernel to run"
        return verify, {}
    kernel = chosen[0]
    try:
        if load_prebuilt is None or not load_prebuilt(kernel):
            wp.load_module(kernel.module, device="cpu")
    except Exception as e:  # noqa: BLE001 - the compiler's verdict
        message = (str(e).strip().splitlines() or [type(e).__name__])[-1][:500]
        verify = {"cpu_compile": f"failed: {message}", "cpu_run": "skipped: the CPU build failed"}
        if grad:
            verify["grad_check"] = "skipped: the CPU build failed"
        return verify, {}
    details = {}
    try:
        verdict, details["run"] = check(kernel, plan, int(plan.get("seed", 0)))
        verify = {"cpu_compile": "ok", "cpu_run": verdict}
        if verdict == "ok":
            verify["gpu_run"], gpu = gpu_check(kernel, plan, details["run"])
            if gpu:
                details["run"]["gpu"] = gpu
        else:
            verify["gpu_run"] = "skipped: cpu_run did not pass"
        if grad:
            if verdict != "ok":
                verify["grad_check"] = "skipped: cpu_run did not pass"
            else:
                run = details["run"]
                verify["grad_check"], details["grad"] = grad_check.verdict(
                    kernel, plan, run["sizes"][0], run["input_seed"], run["outputs"])
    finally:
        kernel.module.unload()  # its CPU code, which a long-lived worker would otherwise keep
    return verify, details
