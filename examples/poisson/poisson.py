"""Poisson's equation -Δu = f on [0, 1]² with Dirichlet boundary conditions, by warp.fem.

The manufactured solution u(x, y) = sin(πx) sin(πy) + x·y makes the exact error computable:
f = 2π² sin(πx) sin(πy) (x·y is harmonic), and u = x·y on the boundary.

Run one solve:   .venv/bin/python examples/poisson/poisson.py --mesh tri --degree 2 --resolution 16
                 (add --plot out.png for a picture of the solution and its error)
Convergence:     .venv/bin/python examples/poisson/convergence.py
"""

from __future__ import annotations

import argparse
import math

import numpy as np
import warp as wp
import warp.examples.fem.utils as fem_utils
import warp.fem as fem

MESHES = ("grid", "tri", "quad")


@wp.func
def exact_solution(x: wp.vec2d):
    return wp.sin(wp.float64(wp.pi) * x[0]) * wp.sin(wp.float64(wp.pi) * x[1]) + x[0] * x[1]


@wp.func
def forcing(x: wp.vec2d):
    pi = wp.float64(wp.pi)
    return wp.float64(2.0) * pi * pi * wp.sin(pi * x[0]) * wp.sin(pi * x[1])


@fem.integrand
def rhs_form(s: fem.Sample, domain: fem.Domain, v: fem.Field):
    """∫ f v"""
    return forcing(domain(s)) * v(s)


@fem.integrand
def laplacian_form(s: fem.Sample, u: fem.Field, v: fem.Field):
    """∫ ∇u · ∇v"""
    return wp.dot(fem.grad(u, s), fem.grad(v, s))


@fem.integrand
def boundary_projector_form(s: fem.Sample, u: fem.Field, v: fem.Field):
    """Selects the boundary nodes (with nodal assembly)."""
    return u(s) * v(s)


@fem.integrand
def boundary_value_form(s: fem.Sample, domain: fem.Domain, v: fem.Field):
    """The Dirichlet value g = u_exact at each boundary node (with nodal assembly)."""
    return exact_solution(domain(s)) * v(s)


@fem.integrand
def squared_error_form(s: fem.Sample, domain: fem.Domain, u: fem.Field):
    """(u_h - u)², integrated for the L2 error."""
    e = u(s) - exact_solution(domain(s))
    return e * e


def make_geometry(mesh: str, resolution: int):
    res = wp.vec2i(resolution)
    if mesh == "grid":
        return fem.Grid2D(res=res, scalar_type=wp.float64)
    if mesh == "tri":
        positions, indices = fem_utils.gen_trimesh(res=res)
        return fem.Trimesh2D(tri_vertex_indices=indices, positions=wp.array(positions.numpy(), dtype=wp.vec2d))
    if mesh == "quad":
        positions, indices = fem_utils.gen_quadmesh(res=res)
        return fem.Quadmesh2D(quad_vertex_indices=indices, positions=wp.array(positions.numpy(), dtype=wp.vec2d))
    raise ValueError(f"unknown mesh {mesh!r}, expected one of {', '.join(MESHES)}")


class PoissonSolve:
    """One solve on one mesh: the discrete solution and its L2 error against the exact one."""

    def __init__(self, mesh: str = "grid", resolution: int = 8, degree: int = 1):
        if degree not in (1, 2):
            raise ValueError("degree must be 1 or 2")
        if resolution < 1:
            raise ValueError("resolution must be positive")
        self.mesh, self.resolution, self.degree = mesh, resolution, degree
        self.geometry = make_geometry(mesh, resolution)
        self.space = fem.make_polynomial_space(self.geometry, degree=degree, dtype=wp.float64)
        self.field = self.space.make_field()

    def solve(self, tolerance: float = 1.0e-12) -> PoissonSolve:
        cells = fem.Cells(geometry=self.geometry)
        test = fem.make_test(space=self.space, domain=cells)
        trial = fem.make_trial(space=self.space, domain=cells)
        rhs = fem.integrate(rhs_form, fields={"v": test}, output_dtype=wp.float64)
        matrix = fem.integrate(laplacian_form, fields={"u": trial, "v": test}, output_dtype=wp.float64)

        boundary = fem.BoundarySides(self.geometry)
        bd_test = fem.make_test(space=self.space, domain=boundary)
        bd_trial = fem.make_trial(space=self.space, domain=boundary)
        bd_matrix = fem.integrate(
            boundary_projector_form, fields={"u": bd_trial, "v": bd_test}, assembly="nodal", output_dtype=wp.float64
        )
        bd_rhs = fem.integrate(boundary_value_form, fields={"v": bd_test}, assembly="nodal", output_dtype=wp.float64)
        fem.project_linear_system(matrix, rhs, bd_matrix, bd_rhs)

        x = wp.zeros_like(rhs)
        fem_utils.bsr_cg(matrix, b=rhs, x=x, tol=tolerance, max_iters=10000, quiet=True)
        self.field.dof_values = x
        return self

    def l2_error(self) -> float:
        # A quadrature of higher order than the solution, so the error itself is integrated exactly enough.
        cells = fem.Cells(geometry=self.geometry)
        quadrature = fem.RegularQuadrature(cells, order=2 * self.degree + 2)
        squared = fem.integrate(squared_error_form, quadrature=quadrature, fields={"u": self.field}, output_dtype=wp.float64)
        return math.sqrt(float(squared))

    def plot(self, path: str) -> None:
        """Solution and error at the nodes of the space (Lagrange nodes carry the values), as a PNG."""
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        nodes = self.space.node_positions().numpy()
        values = self.field.dof_values.numpy()
        x, y = nodes[:, 0], nodes[:, 1]
        exact = np.sin(np.pi * x) * np.sin(np.pi * y) + x * y
        fig, axes = plt.subplots(1, 2, figsize=(10, 4.2))
        for ax, data, title in ((axes[0], values, "u_h"), (axes[1], values - exact, "u_h - u at the nodes")):
            image = ax.tricontourf(x, y, data, levels=20, cmap="viridis")
            ax.set_aspect("equal")
            ax.set_title(f"{title} ({self.mesh}, p={self.degree}, {self.resolution}x{self.resolution})")
            fig.colorbar(image, ax=ax)
        fig.tight_layout()
        fig.savefig(path, dpi=100)
        plt.close(fig)


def small_solve() -> float:
    """The smallest solve that uses every integrand here (degree 2 on a triangle mesh): what
    `warpsynth extract examples/poisson/poisson.py --call small_solve` runs to trace the kernels
    warp.fem generates from them."""
    return PoissonSolve("tri", 2, 2).solve().l2_error()


def quiet_warp() -> None:
    """No 'module loaded' lines from Warp: the example prints its own results."""
    wp.config.quiet = True
    wp.config.log_level = wp.LOG_WARNING


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mesh", choices=MESHES, default="grid")
    parser.add_argument("--resolution", type=int, default=16, help="cells per side")
    parser.add_argument("--degree", type=int, choices=(1, 2), default=1)
    parser.add_argument("--plot", metavar="PNG", help="write a picture of the solution and its error")
    args = parser.parse_args()
    quiet_warp()
    with wp.ScopedDevice("cpu"):
        solve = PoissonSolve(args.mesh, args.resolution, args.degree).solve()
        print(f"{args.mesh} degree {args.degree} resolution {args.resolution}: L2 error {solve.l2_error():.3e}")
        if args.plot:
            solve.plot(args.plot)
            print(f"plot: {args.plot}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
