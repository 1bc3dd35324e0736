"""Seeded inputs of one launch, from the kernel's argument types: what ``run_check`` launches a
kernel on and ``grad_check`` differentiates it at.

Scalars, vectors, matrices, quaternions (unit), transforms (unit rotation), structs (field by
field), arrays of 1-4 dimensions, and the handle of a small ``wp.Mesh``, ``wp.Bvh``,
``wp.HashGrid`` or ``wp.Volume`` where the record says an argument is one
(``meta.launch.host_objects``). Arrays take the shapes the record gives (``meta.array_shapes``),
the others a shape from the launch; an array shaped like the launch follows it to the other sizes.
"""

from __future__ import annotations

import numpy as np
import warp as wp

from .warp_bridge import warp_types as wpt

# Elements around each array of code launched without its caller's launch (extracted code), by
# the array's dimensions: wide enough that periodic indices into a grid of the caller's size
# (`(i - 1) % 512`) and neighbours stay in seeded memory; smaller where dimensions multiply.
MARGIN = {1: 1024, 2: 512, 3: 16}


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


# ---------------------------------------------------------------- inputs


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