"""End-to-end: `warpsynth verify` on hand-written kernels run through `extract` first. Each
check can fail with its own reason; a good kernel passes run and grad; verification resumes."""

import json
import os
import subprocess
import textwrap

import pytest


def run_cli(binary, *args, timeout=900):
    return subprocess.run([str(binary), *map(str, args)], capture_output=True, text=True, timeout=timeout, env=os.environ)


KERNELS = {
    "constant.py": """
        @wp.kernel
        def constant(x: wp.array(dtype=float), y: wp.array(dtype=float)):
            i = wp.tid()
            y[i] = 1.5
        """,
    "ignores_input.py": """
        @wp.kernel
        def ignores_input(x: wp.array(dtype=float), y: wp.array(dtype=float)):
            i = wp.tid()
            y[i] = float(i) * 0.5
        """,
    "nan.py": """
        @wp.kernel
        def not_a_number(x: wp.array(dtype=float), y: wp.array(dtype=float)):
            i = wp.tid()
            y[i] = wp.log(-1.0 - x[i] * x[i])
        """,
    "zero.py": """
        @wp.kernel
        def all_zero(x: wp.array(dtype=float), y: wp.array(dtype=float)):
            i = wp.tid()
            y[i] = x[i] * 0.0
        """,
    "wrong_grad.py": """
        @wp.func
        def square(x: float):
            return x * x

        @wp.func_grad(square)
        def adj_square(x: float, adj_ret: float):
            wp.adjoint[x] += adj_ret * 3.0

        @wp.kernel
        def wrong_grad(x: wp.array(dtype=float), y: wp.array(dtype=float)):
            i = wp.tid()
            y[i] = square(x[i]) + x[i]
        """,
    "good.py": """
        @wp.kernel
        def scaled_sine(x: wp.array(dtype=float), y: wp.array(dtype=float)):
            i = wp.tid()
            y[i] = wp.sin(x[i]) * 2.0
        """,
}


@pytest.fixture(scope="module")
def extracted(warpsynth_bin, tmp_path_factory):
    src = tmp_path_factory.mktemp("src")
    for name, body in KERNELS.items():
        (src / name).write_text("import warp as wp\n" + textwrap.dedent(body))
    out = tmp_path_factory.mktemp("extracted")
    result = run_cli(warpsynth_bin, "extract", src, "--out", out, "--jobs", 2, "--quiet")
    assert result.returncode == 0, result.stdout + result.stderr
    assert len((out / "kernels.jsonl").read_text().splitlines()) == len(KERNELS)
    return out


def verdicts(folder):
    summary = json.loads((folder / "summary.json").read_text())
    return {f["template"]: (f["stage"], f["message"]) for f in summary["failures"]}, summary


def test_each_check_fails_with_its_reason_and_a_good_kernel_passes_run_and_grad(warpsynth_bin, extracted, tmp_path):
    out = tmp_path / "verified"
    result = run_cli(warpsynth_bin, "verify", extracted, "--out", out, "--level", "grad", "--jobs", 2, "--quiet")
    assert result.returncode == 1, result.stdout + result.stderr  # some records failed, by design
    failed, summary = verdicts(out)
    assert failed["constant"][0] == "cpu_run" and failed["constant"][1].startswith("every output holds one constant")
    assert failed["ignores_input"][1].startswith("outputs do not change when the inputs do")
    assert failed["not_a_number"][1].startswith("non-finite output y")
    assert failed["all_zero"][1].startswith("all outputs are zero")
    assert failed["wrong_grad"][0] == "grad_check"
    assert failed["wrong_grad"][1].startswith("the tape's gradient differs from finite differences")
    assert "scaled_sine" not in failed
    [line] = (out / "kernels-00000.jsonl").read_text().splitlines()
    record = json.loads(line)
    assert record["kernel"] == "scaled_sine"
    assert record["verify"]["cpu_run"] == "ok" and record["verify"]["grad_check"] == "ok"
    assert record["verify"]["run"]["outputs"] == ["y"] and record["verify"]["grad"]["inputs"] == ["x"]
    levels = summary["verify_levels"]
    assert levels["cpu_run"]["failed"] == 4 and levels["grad_check"]["failed"] == 1 and levels["grad_check"]["ok"] == 1
    assert summary["command"] == "verify" and summary["records"] == 1
    assert "grad_check" in result.stdout and "verified 6" in result.stdout

    # The same command again: every shard is done, nothing is redone, the bytes stay.
    before = (out / "kernels-00000.jsonl").read_bytes()
    again = run_cli(warpsynth_bin, "verify", extracted, "--out", out, "--level", "grad", "--jobs", 1, "--quiet")
    assert again.returncode == 1 and "(1 resumed); 0 processed now" in again.stdout
    assert (out / "kernels-00000.jsonl").read_bytes() == before


def test_bad_uses_are_refused(warpsynth_bin, extracted, tmp_path):
    same = run_cli(warpsynth_bin, "verify", extracted, "--out", extracted)
    assert same.returncode == 2 and "another folder" in same.stderr
    empty = tmp_path / "empty"
    empty.mkdir()
    none = run_cli(warpsynth_bin, "verify", empty, "--out", tmp_path / "o")
    assert none.returncode == 2 and "holds no records" in none.stderr
    level = run_cli(warpsynth_bin, "verify", extracted, "--out", tmp_path / "o2", "--level", "fast")
    assert level.returncode == 2
    out = tmp_path / "o3"
    assert run_cli(warpsynth_bin, "verify", extracted, "--out", out, "--level", "run", "--quiet").returncode == 1
    other = run_cli(warpsynth_bin, "verify", extracted, "--out", out, "--level", "grad", "--quiet")
    assert other.returncode == 2 and "holds another verification" in other.stderr


def test_opt_level_is_recorded_and_only_for_levels_that_build(warpsynth_bin, tmp_path):
    out = tmp_path / "fast"
    result = run_cli(warpsynth_bin, "generate", "--count", 3, "--seed", 5, "--verify", "run", "--opt-level", 0,
                     "--jobs", 1, "--out", out, "--quiet")
    assert result.returncode in (0, 1), result.stdout + result.stderr
    records = [json.loads(line) for line in (out / "kernels-00000.jsonl").read_text().splitlines()]
    assert records and all(r["meta"]["opt_level"] == 0 for r in records)
    assert json.loads((out / "manifest.json").read_text())["run"]["opt_level"] == 0
    # The same folder at Warp's default level is another run.
    again = run_cli(warpsynth_bin, "generate", "--count", 3, "--seed", 5, "--verify", "run", "--jobs", 1,
                    "--out", out, "--quiet")
    assert again.returncode == 2 and "opt_level" in again.stderr
    refused = run_cli(warpsynth_bin, "generate", "--count", 3, "--opt-level", 0, "--out", tmp_path / "c")
    assert refused.returncode == 2 and "--opt-level applies to --verify run and grad" in refused.stderr
