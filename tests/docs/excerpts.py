"""Kernels whose generated code docs/ir-format.md quotes; tests/docs/test_doc_excerpts.py extracts
this file and checks every quoted excerpt against the code generated now."""

import warp as wp

GRAVITY = wp.constant(-9.81)


@wp.struct
class Particle:
    pos: wp.vec3
    mass: float


@wp.func
def clamp_speed(v: wp.vec3, limit: float):
    speed = wp.length(v)
    if speed > limit:
        return v * (limit / speed)
    return v


@wp.func
def soft_sign(x: float):
    return x / (1.0 + wp.abs(x))


@wp.func_grad(soft_sign)
def adj_soft_sign(x: float, adj_ret: float):
    d = 1.0 + wp.abs(x)
    wp.adjoint[x] += adj_ret / (d * d)


@wp.kernel
def integrate(particles: wp.array(dtype=Particle), vel: wp.array(dtype=wp.vec3), dt: float):
    i = wp.tid()
    p = particles[i]
    v = clamp_speed(vel[i] + wp.vec3(0.0, GRAVITY, 0.0) * dt, 10.0)
    p.pos = p.pos + v * dt
    particles[i] = p


@wp.kernel
def running_sum(x: wp.array(dtype=float), n: int, y: wp.array(dtype=float)):
    i = wp.tid()
    total = float(0.0)
    for k in range(n):
        total += x[(i + k) % x.shape[0]]
    y[i] = soft_sign(total)


@wp.kernel
def halve_until_small(x: wp.array(dtype=float)):
    i = wp.tid()
    v = x[i]
    while v > 1.0:
        v = v * 0.5
    if v < 0.0:
        v = 0.0
    else:
        v = v * 2.0
    x[i] = v


@wp.kernel(grid_stride=False, enable_backward=False)
def fill(x: wp.array(dtype=float), value: float):
    x[wp.tid()] = value


TILE = 64


@wp.kernel
def tile_sum(x: wp.array(dtype=float), out: wp.array(dtype=float)):
    t = wp.tile_load(x, shape=TILE)
    s = wp.tile_sum(t)
    wp.tile_atomic_add(out, s)


def launch():
    x = wp.zeros(TILE, dtype=float)
    out = wp.zeros(1, dtype=float)
    wp.launch_tiled(tile_sum, dim=[1], inputs=[x, out], block_dim=TILE)


@wp.kernel(launch_bounds=128, enable_backward=False)
def scale_bounded(x: wp.array(dtype=float), s: float):
    i = wp.tid()
    x[i] = x[i] * s


@wp.kernel(cuda_max_registers=32, enable_backward=False)
def scale_few_registers(x: wp.array(dtype=float), s: float):
    i = wp.tid()
    x[i] = x[i] * s


FMA_ONE = """
    return a * b + 1.0f;
"""
ADJ_FMA_ONE = """
    adj_a += b * adj_ret;
    adj_b += a * adj_ret;
"""


@wp.func_native(FMA_ONE, ADJ_FMA_ONE)
def fma_one(a: float, b: float) -> float: ...


@wp.kernel
def use_native(x: wp.array(dtype=float)):
    i = wp.tid()
    x[i] = fma_one(x[i], 2.0)
