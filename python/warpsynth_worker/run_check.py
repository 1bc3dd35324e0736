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

Inputs come from the kernel's argument types: scalars, vectors, matrices, quaternions (unit),
transforms (unit rotation), structs (field by field), arrays of 1-4 dimensions, and the handle of a
small ``wp.Mesh``, ``wp.Bvh``, ``wp.HashGrid`` or ``wp.Volume`` where the record says an argument is one
(``meta.launch.host_objects``). Arrays take the shapes the record gives (``meta.array_shapes``), the
others a shape from the launch; an array shaped like the launch follows it to the other sizes.
"""

from __future__ import annotations

import hashlib
import re

import numpy as np
import warp as wp
from warp._src import types as wpt

# Relative and absolute tolerance of "the same outputs" where atomics may reorder floating sums.
ATOMIC_RTOL = 1e-5
ATOMIC_ATOL = 1e-6
# Elements around each array of code launched without its caller's launch (extracted code), by
# the array's dimensions: wide enough that periodic indices into a grid of the caller's size
# (`(i - 1) % 512`) and neighbours stay in seeded memory; smaller where dimensions multiply.
MARGIN = {1: 1024, 2: 512, 3: 16}
# The smallest relative change that counts as "moved" (outputs of fp16 kernels move in steps of 1e-3).
MOVED = 1e-6


class Skip(Exception):
    """The check cannot be made for this kernel (the reason is the message)."""


class Failed(Exception):
    """The kernel failed a check (the reason is the message)."""


# ---------------------------------------------------------------- values from types


class _Draw:
    """The random source of one set of inputs. Integer and bool parameters come from the seed and
    their position, not the stream, so that two seeds never give a parameter the same value (a
    random seed of 1..7 drawn twice alike made a kernel look blind to its inputs)."""

    def __init__(self, seed: int, largest_int: int = 61, device: str = "cpu"):
        self.rng = np.random.default_rng(seed)
        self.device = device  # where arrays are made: the same values on every device
        self.seed = seed
        self.position = 0
        self.largest_int = largest_int

    def integer(self) -> int:
        self.position += 1
        return 1 + (self.seed * 50 + self.position * 17) % self.largest_int

    def boolean(self) -> bool:
        self.position += 1
        return (self.seed + self.position) % 2 == 0


def _scalar(t, draw: _Draw):
    if t is wp.bool or t is bool:
        return draw.boolean()
    if wpt.type_is_int(t) or t is int:
        return draw.integer()
    # Scalar arguments are parameters (a time step, a radius, a gain, a threshold): positive, as
    # a caller passes them. Arrays hold data of both signs.
    return float(draw.rng.uniform(0.25, 1.0))


def _unit(rng: np.random.Generator, n: int) -> np.ndarray:
    v = rng.normal(size=n)
    return v / max(np.linalg.norm(v), 1e-6)


def _value(t, draw: _Draw):
    """A random value of a Warp value type (not an array or a handle)."""
    rng = draw.rng
    if wpt.type_is_struct(t):
        s = t()
        for name, var in t.vars.items():
            if wpt.is_array(var.type):
                setattr(s, name, _array(var.type, (16,) * var.type.ndim, rng, device=draw.device))  # a field array: 16 per dimension
            else:
                setattr(s, name, _value(var.type, draw))
        return s
    if wpt.type_is_quaternion(t):
        return t(*_unit(rng, 4))
    if wpt.type_is_transformation(t):
        return t(rng.uniform(-1.0, 1.0, 3), _unit(rng, 4))
    if wpt.type_is_vector(t) or wpt.type_is_matrix(t):
        scalar = wpt.type_scalar_type(t)
        n = int(np.prod(t._shape_))  # type_length is a matrix's rows
        if wpt.type_is_int(scalar):
            return t(*rng.integers(1, 8, n).tolist())
        return t(*rng.uniform(-1.0, 1.0, n).tolist())
    if t in wpt.scalar_types or t in (int, float, bool) or t is wp.bool:
        return _scalar(t, draw)
    raise Skip(f"no inputs are made for arguments of type {wpt.type_repr(t)}")


def _array_values(dtype, shape: tuple, rng: np.random.Generator) -> np.ndarray:
    n = int(np.prod(shape)) if shape else 1
    if wpt.type_is_quaternion(dtype):
        data = np.stack([_unit(rng, 4) for _ in range(n)]).reshape(*shape, 4)
    elif wpt.type_is_transformation(dtype):
        data = np.concatenate([rng.uniform(-1, 1, (n, 3)), np.stack([_unit(rng, 4) for _ in range(n)])], axis=1)
        data = data.reshape(*shape, 7)
    else:
        scalar = wpt.type_scalar_type(dtype) if not wpt.type_is_scalar(dtype) else dtype
        extra = tuple(dtype._shape_) if (wpt.type_is_vector(dtype) or wpt.type_is_matrix(dtype)) else ()
        full = tuple(shape) + extra
        if scalar is wp.bool:
            data = rng.integers(0, 2, full).astype(bool)
        elif wpt.type_is_int(scalar):
            data = rng.integers(1, 8, full)  # indices into arrays of 16 and more; never a zero divisor
        else:
            data = rng.uniform(-1.0, 1.0, full)
    return data


def floating_dtype(dtype) -> bool:
    """Whether an array of this dtype holds floating values (scalars, vectors, matrices...)."""
    scalar = dtype if wpt.type_is_scalar(dtype) else getattr(dtype, "_wp_scalar_type_", None)
    return scalar is not None and wpt.type_is_float(scalar)


def _array(arg_type, shape: tuple, rng: np.random.Generator, requires_grad: bool = False, device: str = "cpu") -> wp.array:
    dtype = arg_type.dtype
    if wpt.type_is_struct(dtype):
        raise Skip("no inputs are made for arrays of structs")
    data = _array_values(dtype, shape, rng)
    grad = requires_grad and floating_dtype(dtype)
    return wp.array(data, dtype=dtype, shape=shape, device=device, requires_grad=grad)


# ---------------------------------------------------------------- host objects


def _mesh(rng: np.random.Generator, device: str):
    """A closed box of 12 triangles around the origin, jittered."""
    corners = np.array([[x, y, z] for x in (-1, 1) for y in (-1, 1) for z in (-1, 1)], dtype=np.float32)
    corners += rng.uniform(-0.1, 0.1, corners.shape).astype(np.float32)
    faces = [0, 1, 3, 0, 3, 2, 4, 6, 7, 4, 7, 5, 0, 4, 5, 0, 5, 1, 2, 3, 7, 2, 7, 6, 0, 2, 6, 0, 6, 4, 1, 5, 7, 1, 7, 3]
    return wp.Mesh(points=wp.array(corners, dtype=wp.vec3, device=device),
                   indices=wp.array(np.array(faces, dtype=np.int32), dtype=int, device=device))


def _host_object(what: str, arrays: dict, rng: np.random.Generator, device: str):
    """The object an id argument stands for, from the record's description of it. A BVH has as
    many items as the array its hits index (``values``); a hash grid holds the kernel's points
    (``x``), so that the ids a query returns index them."""
    if what.startswith("wp.Mesh"):
        return _mesh(rng, device)
    if what.startswith("wp.Bvh"):
        items = arrays.get("values")
        n = items.shape[0] if items is not None else 16
        lowers = rng.uniform(-1.0, 1.0, (n, 3)).astype(np.float32)
        uppers = lowers + rng.uniform(0.05, 0.5, (n, 3)).astype(np.float32)
        return wp.Bvh(wp.array(lowers, dtype=wp.vec3, device=device), wp.array(uppers, dtype=wp.vec3, device=device))
    if what.startswith("wp.HashGrid"):
        points = arrays.get("x")
        if points is None or points.dtype != wp.vec3:
            points = next((a for a in arrays.values() if a.dtype == wp.vec3 and a.ndim == 1), None)
        if points is None:
            raise Skip("the hash grid's points (a vec3 array) are not among the arguments")
        grid = wp.HashGrid(16, 16, 16, device=device)
        grid.build(points, 0.5)
        return grid
    if "wp.Volume" in what:
        return wp.Volume.load_from_numpy(rng.uniform(-1.0, 1.0, (8, 8, 8)).astype(np.float32), bg_value=1.0, device=device)
    raise Skip(f"no host object is made for {what!r}")


def _handle_by_name(name: str) -> str | None:
    """What a uint64 argument of extracted code is a handle of, by its name (``mesh_id``, ``bvh``,
    ``grid``, ``volume``): the only clue code without its caller gives."""
    lowered = name.lower()
    for part, what in (("mesh", "wp.Mesh"), ("bvh", "wp.Bvh"), ("grid", "wp.HashGrid"), ("volume", "wp.Volume"), ("vol", "wp.Volume")):
        if part in lowered:
            return what
    return None


# ---------------------------------------------------------------- inputs and launches


def launch_sizes(dims: list[int], tiled: bool) -> list[list[int]]:
    """The record's launch, a smaller odd one, and a small one (a tiled launch keeps its size: its
    arrays are shaped by the tile size)."""
    if tiled:
        return [list(dims)]
    if len(dims) == 1:
        return [list(dims), [37], [5]]
    odd = [5] + [7] * (len(dims) - 1)
    return [list(dims), odd, [3] * len(dims)]


class Inputs:
    """One set of arguments for one launch size, from one seed."""

    def __init__(self, kernel, plan: dict, dims: list[int], seed: int, requires_grad: bool = False, device: str = "cpu"):
        self.device = device
        self.values: list = []
        self.arrays: dict[str, wp.array] = {}
        self.objects: list = []  # kept alive for the launch
        # Code without its launch (extracted): integers stay small (they are often sizes, strides
        # or counts that index the arrays), and arrays are views into larger ones (``MARGIN``
        # elements on each side of each dimension): a stencil's x[i - 1] and x[i + 1] at the
        # edges read seeded values, not another allocation.
        guessed = bool(plan.get("guessed_launch"))
        draw = _Draw(seed, largest_int=4 if guessed else 61, device=device)
        rng = draw.rng
        record_dims = plan["dims"]
        for arg in kernel.adj.args:
            name, t = arg.label, arg.type
            if wpt.is_array(t):
                shape = plan["array_shapes"].get(name)
                if shape is None:
                    shape = list(dims) if t.ndim == len(dims) else [16] * t.ndim
                elif list(shape) == list(record_dims):
                    shape = list(dims)  # shaped like the launch: follows it
                if guessed:
                    self.arrays[name] = self._with_margin(t, tuple(shape), rng, requires_grad)
                else:
                    self.arrays[name] = _array(t, tuple(shape), rng, requires_grad, device)
                self.values.append(self.arrays[name])
            elif name in plan["host_objects"]:
                self.values.append(None)  # made below, from the arrays
            elif t is wp.uint64 or t is wpt.uint64:
                what = _handle_by_name(name) if guessed else None
                if what is None:
                    raise Skip(f"argument {name} is a handle (uint64) and the record does not say of what")
                plan["host_objects"] = {**plan["host_objects"], name: what}
                self.values.append(None)
            else:
                self.values.append(_value(t, draw))
        for i, arg in enumerate(kernel.adj.args):
            if arg.label in plan["host_objects"]:
                obj = _host_object(plan["host_objects"][arg.label], self.arrays, rng, device)
                self.objects.append(obj)
                self.values[i] = obj.id

    def _with_margin(self, t, shape: tuple, rng: np.random.Generator, requires_grad: bool) -> wp.array:
        margin = MARGIN.get(len(shape), 4)
        big_shape = tuple(s + 2 * margin for s in shape)
        big = _array(t, big_shape, rng, device=self.device)
        offset = sum(margin * stride for stride in big.strides)
        view = wp.array(ptr=big.ptr + offset, dtype=t.dtype, shape=shape, strides=big.strides, device=self.device)
        self.objects.append(big)
        if requires_grad and floating_dtype(t.dtype):
            grad = wp.zeros(big_shape, dtype=t.dtype, device=self.device)
            self.objects.append(grad)
            view.grad = wp.array(ptr=grad.ptr + offset, dtype=t.dtype, shape=shape, strides=grad.strides, device=self.device)
            view.requires_grad = True
        return view

    def snapshot(self) -> dict[str, np.ndarray]:
        return {name: a.numpy().copy() for name, a in self.arrays.items()}


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
                from . import grad_check

                run = details["run"]
                verify["grad_check"], details["grad"] = grad_check.verdict(
                    kernel, plan, run["sizes"][0], run["input_seed"], run["outputs"])
    finally:
        kernel.module.unload()  # its CPU code, which a long-lived worker would otherwise keep
    return verify, details
