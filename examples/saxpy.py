"""SAXPY, y = a * x + y, with a gradient through Warp's Tape.

Run:  .venv/bin/python examples/saxpy.py [--n 100000] [--a 2.5] [--device cpu]
The backward kernel Warp generates gives d(sum y)/dx = a for every element, checked here.
"""

import argparse

import numpy as np
import warp as wp


@wp.kernel
def saxpy(a: float, x: wp.array(dtype=float), y: wp.array(dtype=float), out: wp.array(dtype=float)):
    i = wp.tid()
    out[i] = a * x[i] + y[i]


@wp.kernel
def total(values: wp.array(dtype=float), result: wp.array(dtype=float)):
    wp.atomic_add(result, 0, values[wp.tid()])


def run(n: int, a: float, device: str = "cpu", seed: int = 0) -> dict:
    """Warp's SAXPY and its gradient next to numpy's, for random inputs of length n."""
    rng = np.random.default_rng(seed)
    x_np = rng.standard_normal(n, dtype=np.float32)
    y_np = rng.standard_normal(n, dtype=np.float32)
    x = wp.array(x_np, dtype=float, device=device, requires_grad=True)
    y = wp.array(y_np, dtype=float, device=device, requires_grad=True)
    out = wp.zeros(n, dtype=float, device=device, requires_grad=True)
    loss = wp.zeros(1, dtype=float, device=device, requires_grad=True)

    tape = wp.Tape()
    with tape:
        wp.launch(saxpy, dim=n, inputs=[a, x, y], outputs=[out], device=device)
        wp.launch(total, dim=n, inputs=[out], outputs=[loss], device=device)
    tape.backward(loss=loss)

    return {
        "out": out.numpy(),
        "expected_out": np.float32(a) * x_np + y_np,
        "grad_x": x.grad.numpy(),
        "expected_grad_x": np.full(n, a, dtype=np.float32),
        "grad_y": y.grad.numpy(),
        "expected_grad_y": np.ones(n, dtype=np.float32),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--a", type=float, default=2.5)
    parser.add_argument("--device", default="cpu")
    args = parser.parse_args()
    r = run(args.n, args.a, args.device)
    ok = True
    for name in ("out", "grad_x", "grad_y"):
        error = float(np.max(np.abs(r[name] - r["expected_" + name])))
        ok &= bool(np.allclose(r[name], r["expected_" + name], rtol=1e-6, atol=1e-6))
        print(f"saxpy {name}: max |warp - numpy| = {error:.3g}")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
