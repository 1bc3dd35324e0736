"""The examples under examples/: correct on the CPU against numpy, runnable as scripts, and
extractable by warpsynth."""

import importlib.util
import json
import subprocess
import sys

import numpy as np
import pytest

EXAMPLES = ("vector_add", "saxpy", "reduction")


def load(repo_root, name):
    spec = importlib.util.spec_from_file_location(f"example_{name}", repo_root / "examples" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_vector_add_matches_numpy(repo_root):
    result, expected = load(repo_root, "vector_add").run(10_000)
    np.testing.assert_array_equal(result, expected)


def test_saxpy_and_its_gradient_match_numpy(repo_root):
    r = load(repo_root, "saxpy").run(5_000, a=-1.75)
    np.testing.assert_allclose(r["out"], r["expected_out"], rtol=1e-6, atol=1e-6)
    np.testing.assert_array_equal(r["grad_x"], r["expected_grad_x"])
    np.testing.assert_array_equal(r["grad_y"], r["expected_grad_y"])


def test_reduction_matches_numpy(repo_root):
    result, expected, bound = load(repo_root, "reduction").run(100_000)
    assert np.all(np.abs(result - expected) <= bound)
    # The bound is a worst case; the observed error is far smaller.
    assert abs(result[1] - expected[1]) / expected[1] < 1e-4


@pytest.mark.parametrize("name", EXAMPLES)
def test_runs_as_a_script(repo_root, name):
    result = subprocess.run(
        [sys.executable, str(repo_root / "examples" / f"{name}.py"), "--n", "1000"],
        capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert name.split("_")[0] in result.stdout


def test_examples_extract_cleanly(warpsynth_bin, repo_root, tmp_path):
    files = [repo_root / "examples" / f"{name}.py" for name in EXAMPLES]
    result = subprocess.run([str(warpsynth_bin), "extract", *map(str, files), "--out", str(tmp_path)],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    kernels = [json.loads(line)["kernel"] for line in (tmp_path / "kernels.jsonl").read_text().splitlines()]
    assert kernels == ["vector_add", "saxpy", "total", "sum_and_sum_of_squares"]
