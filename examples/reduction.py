"""Sum reduction with wp.atomic_add: every thread adds its element into one accumulator.

Run:  .venv/bin/python examples/reduction.py [--n 1000000] [--device cpu]
Atomics make the order of additions unspecified, so the float32 sums are compared with numpy's
float64 sums within the textbook bound for float32 summation, (n - 1) * eps * sum(|term|).
"""

import argparse

import numpy as np
import warp as wp


@wp.kernel
def sum_and_sum_of_squares(values: wp.array(dtype=float), sums: wp.array(dtype=float)):
    i = wp.tid()
    v = values[i]
    wp.atomic_add(sums, 0, v)
    wp.atomic_add(sums, 1, v * v)


def run(n: int, device: str = "cpu", seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(Warp's [sum, sum of squares], numpy's in float64, the error bound) for n random values."""
    rng = np.random.default_rng(seed)
    values_np = rng.uniform(-1.0, 1.0, n).astype(np.float32)
    values = wp.array(values_np, dtype=float, device=device)
    sums = wp.zeros(2, dtype=float, device=device)
    wp.launch(sum_and_sum_of_squares, dim=n, inputs=[values], outputs=[sums], device=device)
    v64 = values_np.astype(np.float64)
    expected = np.array([v64.sum(), (v64 * v64).sum()])
    bound = max(n - 1, 0) * float(np.finfo(np.float32).eps) * np.array([np.abs(v64).sum(), (v64 * v64).sum()])
    return sums.numpy(), expected, bound


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--device", default="cpu")
    args = parser.parse_args()
    result, expected, bound = run(args.n, args.device)
    error = np.abs(result - expected)
    print(f"reduction n={args.n}: sum {result[0]:.6g} (numpy {expected[0]:.6g}), "
          f"sum of squares {result[1]:.6g} (numpy {expected[1]:.6g}), max error {error.max():.3g}")
    return 0 if bool(np.all(error <= bound)) else 1


if __name__ == "__main__":
    raise SystemExit(main())
