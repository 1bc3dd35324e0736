"""Measured convergence of the Poisson solver: the L2 error on meshes refined 3 times.

For a polynomial degree p the L2 error of a smooth solution falls like h^(p+1): halving h
divides it by 2^(p+1). This prints, for each mesh type and degree, the error at each resolution
and the order measured over the 3 refinements (the slope of log(error) against log(h), least
squares), and exits with 1 if any order is further than TOLERANCE from p + 1.

Run:  .venv/bin/python examples/poisson/convergence.py [--resolutions 4 8 16 32]
"""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import warp as wp  # noqa: E402
from poisson import MESHES, PoissonSolve, quiet_warp  # noqa: E402

TOLERANCE = 0.25  # |measured order - (degree + 1)| allowed
RESOLUTIONS = (4, 8, 16, 32)


def measured_order(resolutions, errors) -> float:
    """Least-squares slope of log(error) against log(h), h = 1 / resolution."""
    xs = [math.log(1.0 / r) for r in resolutions]
    ys = [math.log(e) for e in errors]
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sum((x - mx) ** 2 for x in xs)


def study(mesh: str, degree: int, resolutions=RESOLUTIONS) -> tuple[list[float], float]:
    errors = [PoissonSolve(mesh, r, degree).solve().l2_error() for r in resolutions]
    return errors, measured_order(resolutions, errors)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--resolutions", type=int, nargs="+", default=list(RESOLUTIONS))
    parser.add_argument("--meshes", nargs="+", choices=MESHES, default=list(MESHES))
    parser.add_argument("--degrees", type=int, nargs="+", choices=(1, 2), default=[1, 2])
    args = parser.parse_args()
    if len(args.resolutions) < 2:
        parser.error("at least two resolutions are needed to measure an order")
    quiet_warp()
    header = "  ".join(f"{'h=1/' + str(r):>10}" for r in args.resolutions)
    print(f"{'mesh':<5} {'degree':>6}  {header}  {'order':>6}  {'expected':>8}  ok")
    all_ok = True
    with wp.ScopedDevice("cpu"):
        for mesh in args.meshes:
            for degree in args.degrees:
                errors, order = study(mesh, degree, args.resolutions)
                ok = abs(order - (degree + 1)) <= TOLERANCE
                all_ok &= ok
                cells = "  ".join(f"{e:>10.3e}" for e in errors)
                print(f"{mesh:<5} {degree:>6}  {cells}  {order:>6.2f}  {degree + 1:>8}  {'yes' if ok else 'NO'}", flush=True)
    return 0 if all_ok else 1


if __name__ == "__main__":
    sys.exit(main())
