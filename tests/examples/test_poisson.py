"""The Poisson example: convergence at the expected order on every mesh type and degree, on the
CPU, and the pieces around it (plots, extraction of the kernels warp.fem makes)."""

import json
import subprocess
import sys

import numpy as np
import pytest

sys.path.insert(0, str(__import__("pathlib").Path(__file__).resolve().parents[2] / "examples" / "poisson"))

import convergence  # noqa: E402
import poisson  # noqa: E402


def test_measured_order_is_a_least_squares_slope():
    # errors exactly C h^2 -> order 2; a noisy series is fitted, not read off one pair
    assert convergence.measured_order([4, 8, 16], [1.0, 0.25, 0.0625]) == pytest.approx(2.0)
    noisy_res, noisy_err = [4, 8, 16, 32], [1.0, 0.3, 0.06, 0.016]
    reference = np.polyfit(np.log(1.0 / np.array(noisy_res)), np.log(noisy_err), 1)[0]
    assert convergence.measured_order(noisy_res, noisy_err) == pytest.approx(reference)


def test_convergence_script_checks_every_mesh_and_degree(repo_root):
    """Acceptance: the same check as the example's README table, L2 order within 0.25 of p + 1
    over 3 refinements (h = 1/4 ... 1/32) for grid, triangle and quad meshes at degrees 1 and 2."""
    result = subprocess.run([sys.executable, str(repo_root / "examples" / "poisson" / "convergence.py")],
                            capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, result.stdout + result.stderr
    rows = [line.split() for line in result.stdout.splitlines()[1:] if line.strip()]
    assert {(r[0], int(r[1])) for r in rows} == {(m, d) for m in ("grid", "tri", "quad") for d in (1, 2)}
    for row in rows:
        order, expected = float(row[-3]), int(row[-2])
        assert abs(order - expected) <= convergence.TOLERANCE, row
        assert row[-1] == "yes"


def test_a_wrong_order_fails_the_script(repo_root, monkeypatch, capsys):
    # With the tolerance at zero no measured order is exact, so the script must exit 1.
    monkeypatch.setattr(convergence, "TOLERANCE", 0.0)
    monkeypatch.setattr(sys, "argv", ["convergence.py", "--meshes", "grid", "--degrees", "1", "--resolutions", "4", "8"])
    assert convergence.main() == 1
    assert "NO" in capsys.readouterr().out


def test_plot_on_request(repo_root, tmp_path):
    png = tmp_path / "solution.png"
    result = subprocess.run(
        [sys.executable, str(repo_root / "examples" / "poisson" / "poisson.py"), "--mesh", "quad", "--degree", "1",
         "--resolution", "6", "--plot", str(png)],
        capture_output=True, text=True, timeout=600,
    )
    assert result.returncode == 0, result.stderr
    assert "L2 error" in result.stdout
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_extract_traces_the_kernels_warp_fem_generates(warpsynth_bin, repo_root, tmp_path):
    result = subprocess.run(
        [str(warpsynth_bin), "extract", str(repo_root / "examples" / "poisson" / "poisson.py"), "--call", "small_solve",
         "--out", str(tmp_path)],
        capture_output=True, text=True, timeout=600,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    records = [json.loads(line) for line in (tmp_path / "kernels.jsonl").read_text().splitlines()]
    names = {r["kernel"].rsplit("_", 1)[0] for r in records}
    assert names == {"rhs_form", "laplacian_form", "boundary_projector_form", "boundary_value_form", "squared_error_form"}
    source = (repo_root / "examples" / "poisson" / "poisson.py").read_text().splitlines()
    for r in records:
        assert "integrate_kernel_fn" in r["python"] and r["cpu"]["forward"] and r["cuda"]["forward"]
        # The record points at the integrand in the user's file, not at warp.fem's kernel template.
        integrand = r["kernel"].rsplit("_", 1)[0]
        assert r["meta"]["source"]["file"] == "poisson.py"
        assert source[r["meta"]["source"]["line"] - 1].startswith(f"def {integrand}(")


def test_extract_call_errors_are_reported(warpsynth_bin, repo_root, tmp_path):
    result = subprocess.run(
        [str(warpsynth_bin), "extract", str(repo_root / "examples" / "poisson" / "poisson.py"), "--call", "no_such",
         "--out", str(tmp_path)],
        capture_output=True, text=True, timeout=600,
    )
    assert result.returncode == 1
    assert "the file defines no function no_such()" in result.stdout
