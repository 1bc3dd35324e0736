"""Vector addition, the smallest useful Warp kernel: c[i] = a[i] + b[i].

Run:  .venv/bin/python examples/vector_add.py [--n 1000000] [--device cpu]
Then see what Warp generates for it:  ./build/warpsynth extract examples/vector_add.py --out out/vector_add
"""

import argparse

import numpy as np
import warp as wp


@wp.kernel
def vector_add(a: wp.array(dtype=float), b: wp.array(dtype=float), c: wp.array(dtype=float)):
    i = wp.tid()
    c[i] = a[i] + b[i]


def run(n: int, device: str = "cpu", seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Returns (Warp's result, numpy's result) for random inputs of length n."""
    rng = np.random.default_rng(seed)
    a_np = rng.standard_normal(n, dtype=np.float32)
    b_np = rng.standard_normal(n, dtype=np.float32)
    a = wp.array(a_np, dtype=float, device=device)
    b = wp.array(b_np, dtype=float, device=device)
    c = wp.empty(n, dtype=float, device=device)
    wp.launch(vector_add, dim=n, inputs=[a, b], outputs=[c], device=device)
    return c.numpy(), a_np + b_np


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1_000_000, help="vector length")
    parser.add_argument("--device", default="cpu", help="Warp device, e.g. cpu or cuda:0")
    args = parser.parse_args()
    result, expected = run(args.n, args.device)
    error = float(np.max(np.abs(result - expected))) if args.n else 0.0
    print(f"vector_add n={args.n} device={args.device}: max |warp - numpy| = {error:.3g}")
    return 0 if error == 0.0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
