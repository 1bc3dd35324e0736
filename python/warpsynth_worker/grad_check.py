"""``--verify grad``: Warp's adjoint (``wp.Tape`` backward) against central finite differences.

Made after ``run`` passed, at the record's launch size, on the same seeded inputs. Every floating
array the kernel reads and does not write is an input; every floating array it writes is an output;
scalar, vector and struct arguments are held fixed (named in the result: a gradient with respect to
them is not checked), and so are the first contents of the outputs.

What is compared. ``K`` random adjoint vectors ``w`` over all outputs give, through the tape, ``K``
vector-Jacobian products ``J^T w`` at once, one backward pass each. For a sample of input
components ``c`` (every one when there are few), central differences of the outputs along ``c``
give ``w . J[:, c]``. Each pair is one comparison: every output enters every comparison, so an
adjoint that is wrong for any output shows, while the cost is ``K`` backward passes and two forward
launches per sampled component, not one launch per element of the Jacobian.

Tolerances by dtype, as Warp's own gradient tests set them (fp32 about 1e-2; fp64 much tighter): a
comparison passes when ``|tape - fd| <= rtol * max(|tape|, |fd|) + atol * scale``, ``scale`` the
largest value compared (at least 1). Half precision is too coarse for finite differences: skipped.

Where the tape and the differences disagree, the disagreement is explained before it is called a
failure. Finite differences at half the step that disagree with those at the full step show a kink
or a jump at the sample point (``wp.abs``, ``wp.min``, a comparison): skipped, not meaningful. The
limits Warp documents for its adjoints, found in the kernel's source: an array both written and
read in one kernel (its first contents are overwritten before the reverse pass reads them), and a
dynamic loop (one Warp does not unroll) reassigning a variable (the reverse pass replays the body
with the loop's last values): skipped, with the limit named. Anything else is a failure: a candidate
bug in Warp's adjoint (docs/findings.md).
"""

from __future__ import annotations

import ast
import re
import functools
import textwrap

import numpy as np
import warp as wp

from . import warp_bridge
from .launch_inputs import Failed, Inputs, Skip, floating_dtype
from .warp_bridge import warp_types as wpt

# Adjoint vectors per kernel (backward passes), and input components sampled (two launches each).
ADJOINTS = 2
MAX_COMPONENTS = 48
MAX_COMPONENTS_PER_ARRAY = 16
# Step, relative and absolute tolerance per floating precision.
TOLERANCES = {
    "float32": {"eps": 1e-3, "rtol": 1e-2, "atol": 1e-3},
    "float64": {"eps": 1e-6, "rtol": 1e-5, "atol": 1e-7},
}
# Warp unrolls `for i in range(n)` when n is a literal no greater than this (wp.config.max_unroll).
MAX_UNROLL = 16
# Rounding noise of the differences is bounded by this many units in the last place of the outputs.
ROUNDING_SAFETY = 4.0
# An output whose rounding unit exceeds this derivative times the step counts in the noise even
# where the step left it unmoved (fp32: outputs above about 84 at a step of 1e-3).
QUANTIZED_SLOPE = 1e-2


def _scalar_name(dtype) -> str:
    scalar = dtype if wpt.type_is_scalar(dtype) else dtype._wp_scalar_type_
    return scalar.__name__


def _holds_floats(t) -> bool:
    """Whether a non-array argument of type ``t`` holds floating values (held fixed by the check)."""
    if t is float or wpt.type_is_struct(t):
        return True
    return not wpt.is_array(t) and t not in (int, bool) and isinstance(t, type) and floating_dtype(t)


def _flat(a: wp.array) -> np.ndarray:
    """The array's values, flat (a copy where the array is a strided view)."""
    return a.numpy().reshape(-1)


def _set_flat(a: wp.array, values: np.ndarray) -> None:
    view = a.numpy()  # CPU arrays share their memory with numpy, strided views too
    view[...] = values.reshape(view.shape)


def _nudge(a: wp.array, component: int, by: float) -> None:
    view = a.numpy()
    view[np.unravel_index(component, view.shape)] += by


class _Harness:
    """Launches of one kernel on one set of inputs, each from the same first contents."""

    def __init__(self, kernel, plan: dict, dims: list[int], inputs: Inputs):
        self.kernel, self.plan, self.dims, self.inputs = kernel, plan, dims, inputs
        self.first = {name: a.numpy().copy() for name, a in inputs.arrays.items()}

    def reset(self) -> None:
        for name, a in self.inputs.arrays.items():
            a.numpy()[...] = self.first[name]

    def launch(self) -> None:
        try:
            if self.plan.get("block_dim"):
                wp.launch_tiled(self.kernel, dim=self.dims, inputs=self.inputs.values,
                                block_dim=self.plan["block_dim"], device="cpu")
            else:
                wp.launch(self.kernel, dim=self.dims, inputs=self.inputs.values, device="cpu")
            wp.synchronize_device("cpu")
        except Exception as e:  # noqa: BLE001 - the kernel's failure, reported
            raise Failed(f"the launch raised {type(e).__name__}: {e}") from None


def _weighted(outputs: dict[str, np.ndarray], weights: list[dict[str, np.ndarray]]) -> np.ndarray:
    return np.array([sum(float(np.dot(w[name], outputs[name])) for name in outputs) for w in weights])


# ---------------------------------------------------------------- Warp's documented limits


def _functions(source: str) -> list[ast.FunctionDef]:
    try:
        tree = ast.parse(textwrap.dedent(source))
    except SyntaxError:
        return []
    return [node for node in ast.walk(tree) if isinstance(node, ast.FunctionDef)]


_WRITERS = ("atomic_", "tile_store", "tile_atomic_add", "array_store")


def _call_name(node: ast.Call) -> str:
    f = node.func
    return f.attr if isinstance(f, ast.Attribute) else f.id if isinstance(f, ast.Name) else ""


def _array_read_and_written(fn: ast.FunctionDef, arrays: set[str]) -> str | None:
    """An array of ``arrays`` that ``fn`` both writes and reads (subscript loads, or any use other
    than as the target of a write)."""
    written, read = set(), set()
    write_targets = set()
    for node in ast.walk(fn):
        if isinstance(node, (ast.Assign, ast.AugAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for t in targets:
                if isinstance(t, ast.Subscript) and isinstance(t.value, ast.Name):
                    written.add(t.value.id)
                    write_targets.add(id(t.value))
                    if isinstance(node, ast.AugAssign) and not isinstance(node.op, (ast.Add, ast.Sub)):
                        read.add(t.value.id)  # x[i] *= v reads x[i]; += and -= are atomic adds
        elif isinstance(node, ast.Call) and any(w in _call_name(node) for w in _WRITERS) and node.args:
            if isinstance(node.args[0], ast.Name):
                written.add(node.args[0].id)
                write_targets.add(id(node.args[0]))
    for node in ast.walk(fn):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load) and id(node) not in write_targets:
            read.add(node.id)
    both = sorted((written & read) & arrays)
    return both[0] if both else None


def _dynamic(loop: ast.stmt) -> bool:
    if isinstance(loop, ast.While):
        return True
    if not isinstance(loop, ast.For):
        return False
    it = loop.iter
    if isinstance(it, ast.Call) and _call_name(it) == "range":
        if not all(isinstance(a, ast.Constant) and isinstance(a.value, int) for a in it.args):
            return True
        bounds = [a.value for a in it.args]
        return len(range(*bounds)) > MAX_UNROLL
    return True  # iterating over anything else (an array, a query) is a dynamic loop


# Builtins that update their last argument in place (an accumulator tile).
_UPDATES_LAST_ARGUMENT = ("tile_matmul",)


def _assigned(nodes) -> set[str]:
    names = set()
    for stmt in nodes:
        for node in ast.walk(stmt):
            if isinstance(node, ast.Call) and _call_name(node) in _UPDATES_LAST_ARGUMENT and len(node.args) == 3:
                if isinstance(node.args[2], ast.Name):
                    names.add(node.args[2].id)
            if isinstance(node, (ast.Assign, ast.AugAssign, ast.AnnAssign)):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                for t in targets:
                    for n in ast.walk(t):
                        if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store):
                            names.add(n.id)
    return names


def _loop_reassigning(fn: ast.FunctionDef) -> str | None:
    """A variable defined before a dynamic loop of ``fn`` and reassigned inside it."""
    defined = {a.arg for a in fn.args.args}

    def visit(body) -> str | None:
        for stmt in body:
            if isinstance(stmt, (ast.For, ast.While)) and _dynamic(stmt):
                mutated = sorted(_assigned(stmt.body) & defined)
                if mutated:
                    return mutated[0]
            for field in ("body", "orelse"):
                inner = getattr(stmt, field, None)
                if isinstance(inner, list):
                    found = visit(inner)
                    if found:
                        return found
            defined.update(_assigned([stmt]))
        return None

    return visit(fn.body)


_COMPONENT_SETTERS = ("transform_set_translation", "transform_set_rotation", "transform_set_translation_copy")


def _component_overwritten(fn: ast.FunctionDef, arrays: set[str]) -> str | None:
    """A local vector, matrix, quaternion or transform of ``fn`` with a component assigned in place
    (``v[1] = ...``, ``v.x = ...``, ``wp.transform_set_translation(X, p)``)."""
    for node in ast.walk(fn):
        if isinstance(node, (ast.Assign, ast.AugAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for t in targets:
                base = t
                while isinstance(base, (ast.Subscript, ast.Attribute)):
                    base = base.value
                if t is not base and isinstance(base, ast.Name) and base.id not in arrays and base.id != "wp":
                    return base.id
        elif isinstance(node, ast.Call) and _call_name(node) in _COMPONENT_SETTERS and node.args:
            if isinstance(node.args[0], ast.Name):
                return node.args[0].id
    return None


def return_in_while(source: str, kernel_name: str) -> bool:
    """Whether the kernel has a ``return`` inside a ``while`` loop: Warp 1.19's adjoint of such a
    kernel never returns (docs/findings.md, finding 3), so its backward pass is not run."""
    for fn in _functions(source):
        if fn.name != kernel_name:
            continue
        for loop in ast.walk(fn):
            if isinstance(loop, ast.While) and any(isinstance(n, ast.Return) for n in ast.walk(loop)):
                return True
    return False


@functools.cache
def _not_differentiated() -> frozenset[str]:
    """Builtins with floating results that Warp registers as not differentiable
    (``is_differentiable=False``): their adjoint passes no gradient (wp.tile_max and wp.tile_min
    give zero gradients on the CPU, measured). Tile, dense and volume lookups, and frac."""
    return frozenset(
        name for name, f in warp_bridge.builtin_functions().items()
        if not getattr(f, "is_differentiable", True)
        and (name.startswith(("tile_", "dense_")) or name in ("volume_lookup_f", "volume_lookup_v", "frac"))
    )


def _calls_not_differentiated(fn: ast.FunctionDef) -> str | None:
    names = _not_differentiated()
    for node in ast.walk(fn):
        if isinstance(node, ast.Call) and _call_name(node) in names:
            return _call_name(node)
    return None


# Builtins with overloads Warp registers as not differentiable whose true derivative is not zero:
# where the reverse pass lacks their adjoint, a gradient is lost. (Others registered so have a zero
# derivative or an integer result, wp.sign, int casts, or pass their gradient another way, wp.load
# through wp.address: a reverse pass without them loses nothing, and a mismatch is elsewhere.)
DROPS_GRADIENT = frozenset({"mod", "randf"})
_FORWARD_CALL = re.compile(r"^\s*var_(\w+) = wp::(\w+)\(")


def call_without_adjoint(kernel) -> str | None:
    """A builtin the kernel calls whose result the gradient reaches but whose adjoint Warp's code
    generator did not emit, read off the kernel's own forward and reverse code, among those whose
    missing adjoint loses a gradient (DROPS_GRADIENT and the not-differentiable tile, dense and
    volume builtins): Warp emits no reverse call for an overload registered
    ``is_differentiable=False`` (vector ``%``, ``randf`` with bounds: docs/findings.md, finding 5),
    whatever its doc string says. None where the kernel's code was not generated in this process."""
    blocks = getattr(getattr(kernel, "adj", None), "blocks", None) or []
    reverse = "\n".join(line for block in blocks for line in block.body_reverse)
    for block in blocks:
        for line in block.body_forward:
            m = _FORWARD_CALL.match(line)
            if not m:
                continue
            var, name = m.groups()
            if name not in DROPS_GRADIENT and name not in _not_differentiated():
                continue
            if re.search(rf"\badj_{var}\b", reverse) and f"wp::adj_{name}(" not in reverse:
                return name
    return None


def documented_limit(source: str, arrays: set[str]) -> str | None:
    """The first of Warp's documented adjoint limits that the source's functions reach, in words."""
    for fn in _functions(source):
        builtin = _calls_not_differentiated(fn)
        if builtin:
            return f"a builtin Warp registers as not differentiable, whose adjoint passes no gradient ({builtin} in {fn.name})"
        local = _component_overwritten(fn, arrays)
        if local:
            return ("a component of a local vector, matrix or transform assigned in place, which Warp's default "
                    f"lowering (wp.config.enable_vector_component_overwrites off) does not differentiate ({local} in {fn.name})")
        name = _array_read_and_written(fn, arrays)
        if name:
            return f"an array written and read in one kernel, whose overwritten values Warp's adjoint does not keep ({name} in {fn.name})"
        var = _loop_reassigning(fn)
        if var:
            return f"a dynamic loop reassigning a variable, which Warp's reverse pass replays with its last value ({var} in {fn.name})"
    return None


# ---------------------------------------------------------------- the check


def check(kernel, plan: dict, dims: list[int], seed: int, outputs: list[str]) -> tuple[str, dict]:
    """The ``grad_check`` verdict for a kernel that passed ``run`` (writing ``outputs`` at ``dims``)."""
    inputs = Inputs(kernel, plan, dims, seed, requires_grad=True)
    arrays = inputs.arrays
    out_names = [n for n in outputs if floating_dtype(arrays[n].dtype)]
    in_names = [n for n, a in arrays.items() if n not in outputs and floating_dtype(a.dtype)]
    held = [arg.label for arg in kernel.adj.args if _holds_floats(arg.type)]
    detail = {"inputs": in_names, "outputs": out_names, "held_fixed": held}
    if not out_names:
        return "skipped: no floating outputs", detail
    if not in_names:
        return "skipped: no floating input arrays", detail
    precisions = {_scalar_name(arrays[n].dtype) for n in in_names + out_names}
    if "float16" in precisions:
        return "skipped: half-precision values are too coarse for finite differences", detail
    precision = "float32" if "float32" in precisions else "float64"
    if return_in_while(plan.get("source", ""), kernel.key.split(".")[-1] if "." in kernel.key else kernel.key):
        return ("failed: a return inside a while loop, whose adjoint never returns in Warp 1.19 "
                "(docs/findings.md, finding 3; the backward pass is not run)"), detail
    tol = TOLERANCES[precision]
    detail.update(precision=precision, eps=tol["eps"])

    harness = _Harness(kernel, plan, dims, inputs)
    rng = np.random.default_rng(seed + 7)
    harness.reset()
    tape = wp.Tape()
    with tape:
        harness.launch()
    base = {n: _flat(arrays[n]).astype(np.float64) for n in out_names}
    weights = [{n: rng.normal(size=base[n].size) for n in out_names} for _ in range(ADJOINTS)]
    tape_rows = []  # per adjoint vector: {input: J^T w}
    for w in weights:
        tape.zero()
        for n in out_names:
            _set_flat(arrays[n].grad, w[n])
        tape.backward()
        tape_rows.append({n: _flat(arrays[n].grad).astype(np.float64).copy() for n in in_names})
    tape.reset()

    unit = float(np.finfo(np.float32 if precision == "float32" else np.float64).eps)

    def differences(name: str, component: int, eps: float) -> tuple[np.ndarray, np.ndarray]:
        """Central differences of the weighted outputs along one input component, and their
        rounding noise: the outputs that moved, each rounded to its precision, divided by the
        step (a sum into one output of 5,000 makes differences of fp32 noisy at 1e-2)."""
        launched = []
        for sign in (1.0, -1.0):
            harness.reset()
            _nudge(arrays[name], component, sign * eps)
            harness.launch()
            launched.append({n: _flat(arrays[n]).astype(np.float64) for n in out_names})
        harness.reset()
        plus, minus = launched
        fd = (_weighted(plus, weights) - _weighted(minus, weights)) / (2.0 * eps)
        noise = np.zeros(len(weights))
        for n in out_names:
            size = np.maximum(np.abs(plus[n]), np.abs(minus[n]))
            # The outputs that moved, and those so large that a derivative of QUANTIZED_SLOPE
            # would move them by less than their rounding unit: these may have stayed put where
            # they should have moved (a sum of 4e5 is blind to a step of 1e-3 in fp32).
            counted = (plus[n] != minus[n]) | (size * unit > QUANTIZED_SLOPE * eps)
            noise += np.array([float(np.dot(np.abs(w[n][counted]), size[counted])) for w in weights])
        return fd, ROUNDING_SAFETY * unit * noise / eps

    sampled = []
    for name in in_names:
        n = _flat(arrays[name]).size
        take = min(n, MAX_COMPONENTS_PER_ARRAY, max(1, MAX_COMPONENTS // len(in_names)))
        sampled += [(name, int(c)) for c in sorted(rng.choice(n, size=take, replace=False))]
    comparisons = []  # (name, component, tape values, differences, their noise)
    for name, c in sampled:
        fd, noise = differences(name, c, tol["eps"])
        comparisons.append((name, c, np.array([row[name][c] for row in tape_rows]), fd, noise))
    finite = [np.all(np.isfinite(fd)) and np.all(np.isfinite(g)) for _, _, g, fd, _ in comparisons]
    scale = max([1.0] + [float(np.max(np.abs(np.concatenate([g, fd])))) for (_, _, g, fd, _), ok in zip(comparisons, finite) if ok])

    def allowed(a: np.ndarray, b: np.ndarray, noise: np.ndarray) -> np.ndarray:
        return tol["rtol"] * np.maximum(np.abs(a), np.abs(b)) + tol["atol"] * scale + noise

    worst_abs, worst_rel, mismatches, non_smooth = 0.0, 0.0, [], 0
    for (name, c, g, fd, noise), ok in zip(comparisons, finite):
        if not ok:
            non_smooth += 1  # the step left the kernel's domain (a NaN): no derivative to compare
            continue
        err = np.abs(g - fd)
        if np.any(err > allowed(g, fd, noise)):
            half, half_noise = differences(name, c, tol["eps"] / 2)
            if not np.all(np.isfinite(half)) or np.any(np.abs(fd - half) > allowed(fd, half, noise + half_noise)):
                non_smooth += 1
                continue
            mismatches.append(f"{name}[{c}]")
        worst_abs = max(worst_abs, float(np.max(err)))
        worst_rel = max(worst_rel, float(np.max(err / np.maximum(np.maximum(np.abs(g), np.abs(fd)), tol["atol"] * scale))))
    detail.update(components=len(sampled), non_smooth=non_smooth,
                  max_abs_error=float(f"{worst_abs:.3g}"), max_rel_error=float(f"{worst_rel:.3g}"))
    if mismatches:
        detail["mismatches"] = mismatches[:8]
        limit = documented_limit(plan.get("source", ""), set(arrays))
        builtin = None if limit else call_without_adjoint(kernel)
        if builtin:
            limit = f"a builtin Warp registers as not differentiable, whose adjoint passes no gradient ({builtin}, no adjoint emitted)"
        if limit:
            return f"skipped: {limit}", detail
        return (f"failed: the tape's gradient differs from finite differences ({len(mismatches)} of "
                f"{len(sampled)} components, first {mismatches[0]}; max abs error {worst_abs:.3g}, rel {worst_rel:.3g})"), detail
    if non_smooth == len(sampled):
        return "skipped: not smooth at the sample point: finite differences at two steps disagree", detail
    return "ok", detail


def verdict(kernel, plan: dict, dims: list[int], seed: int, outputs: list[str]) -> tuple[str, dict]:
    try:
        return check(kernel, plan, dims, seed, outputs)
    except Skip as e:
        return f"skipped: {e}", {}
    except Failed as e:
        return f"failed: {e}", {}
