"""End-to-end: `warpsynth generate --from DIR`, variants of real kernels (issue 26, part 4), and
`dataset` keeping each variant in its parent's split."""

import json
import os
import re
import subprocess
from pathlib import Path

import pytest

SPRINGS = '''import warp as wp


@wp.kernel
def eval_springs(
    positions: wp.array[wp.vec3],
    velocities: wp.array[wp.vec3],
    spring_indices: wp.array[int],
    rest_lengths: wp.array[float],
    stiffness: float,
    damping: float,
    forces: wp.array[wp.vec3],
):
    """Hooke's law with damping along each spring; forces accumulate atomically."""
    tid = wp.tid()
    i = spring_indices[tid * 2 + 0]
    j = spring_indices[tid * 2 + 1]
    delta = positions[i] - positions[j]
    dist = wp.length(delta)
    dir = delta / wp.max(dist, 1.0e-6)
    # relative velocity along the spring
    vel = wp.dot(velocities[i] - velocities[j], dir)
    f = dir * (stiffness * (dist - rest_lengths[tid]) + damping * vel)
    wp.atomic_sub(forces, i, f)
    wp.atomic_add(forces, j, f)


@wp.kernel
def integrate(positions: wp.array[wp.vec3], velocities: wp.array[wp.vec3], forces: wp.array[wp.vec3],
              inv_mass: wp.array[float], dt: float):
    tid = wp.tid()
    inv_m = inv_mass[tid]
    accel = forces[tid] * inv_m + wp.vec3(0.0, -9.81, 0.0)
    vel = velocities[tid] + accel * dt
    velocities[tid] = vel * 0.99
    positions[tid] = positions[tid] + vel * dt
'''

FIELDS = '''import warp as wp


@wp.func
def smooth_step(edge: float, width: float, x: float):
    t = wp.clamp((x - edge) / width, 0.0, 1.0)
    return t * t * (3.0 - 2.0 * t)


@wp.kernel
def blend_fields(values: wp.array[float], weights: wp.array[float], edge: float, result: wp.array[float]):
    tid = wp.tid()
    val = values[tid]
    weight = smooth_step(edge, 0.1, weights[tid])
    result[tid] = val * weight + (1.0 - weight) * 0.5


@wp.kernel
def normalize_rows(data: wp.array2d[float], count: int, out: wp.array2d[float]):
    row = wp.tid()
    total = float(0.0)
    for k in range(count):
        total += wp.abs(data[row, k])
    scale = 1.0 / wp.max(total, 0.001)
    for k in range(count):
        out[row, k] = data[row, k] * scale
'''


def run_cli(binary, *args, timeout=900):
    return subprocess.run([str(binary), *map(str, args)], capture_output=True, text=True, timeout=timeout, env=os.environ)


def records(out: Path) -> list[dict]:
    return [json.loads(line) for shard in sorted(out.glob("kernels*.jsonl")) for line in shard.read_text().splitlines()]


def shingles(text: str) -> set:
    tokens = re.findall(r"[A-Za-z_][A-Za-z0-9_]*|[0-9][A-Za-z0-9_.]*|\S", text)  # as src/dedup/shingles.h reads
    return {tuple(tokens[i:i + 5]) for i in range(max(1, len(tokens) - 4))}


@pytest.fixture(scope="module")
def parents(warpsynth_bin, tmp_path_factory):
    sources = tmp_path_factory.mktemp("sources")
    (sources / "springs.py").write_text(SPRINGS)
    (sources / "fields.py").write_text(FIELDS)
    out = tmp_path_factory.mktemp("parents")
    result = run_cli(warpsynth_bin, "extract", sources, "--out", out, "--quiet")
    assert result.returncode == 0, result.stdout + result.stderr
    return out


@pytest.fixture(scope="module")
def variants(warpsynth_bin, parents, tmp_path_factory):
    out = tmp_path_factory.mktemp("variants")
    result = run_cli(warpsynth_bin, "generate", "--from", parents, "--count", 16, "--seed", 3, "--verify", "run",
                     "--out", out, "--quiet")
    return out, result


def test_variants_are_verified_new_data_that_name_their_parent(variants, parents):
    out, result = variants
    assert result.returncode in (0, 1), result.stdout + result.stderr  # 1: a variant failed a check
    assert json.loads((out / "summary.json").read_text())["passed"] >= 15, result.stdout
    real = {r["id"]: r for r in records(parents)}
    made = records(out)
    assert made and all(r["origin"] == "synthetic" for r in made)
    for r in made:
        stamp = r["meta"]["generator"]
        assert stamp["template"] == "variant"
        parent = real[stamp["parent"]["id"]]
        assert stamp["parent"]["kernel"] == parent["kernel"] == r["kernel"]
        assert stamp["parent"]["file"] == parent["meta"]["source"]["file"]
        assert stamp["parent"]["package"] == parent["meta"]["source"]["package"]
        assert stamp["edits"], r["python"]
        assert r["python"] != parent["python"]
        a, b = shingles(r["python"]), shingles(parent["python"])
        assert len(a & b) / len(a | b) < 0.85  # dataset's near-dedup keeps it beside its parent
        assert r["verify"]["cpu_run"] in ("ok",) or r["verify"]["cpu_run"].startswith("skipped"), r["verify"]
        assert r["meta"]["builtins"] and "features" not in r["meta"]
    # every parent once before any twice: the four kernels each give a variant, so any four
    # consecutive samples are variants of the four
    by_index = {r["meta"]["generator"]["index"]: r["meta"]["generator"]["parent"]["id"] for r in made}
    for start in range(0, 16, 4):
        window = [by_index[i] for i in range(start, start + 4) if i in by_index]
        assert len(set(window)) == len(window), window


def test_the_same_seed_gives_the_same_bytes_and_show_remakes_a_sample(warpsynth_bin, variants, parents, tmp_path):
    out, _ = variants
    again = tmp_path / "again"
    assert run_cli(warpsynth_bin, "generate", "--from", parents, "--count", 16, "--seed", 3, "--verify", "run",
                   "--out", again, "--quiet").returncode in (0, 1)
    assert (again / "kernels-00000.jsonl").read_bytes() == (out / "kernels-00000.jsonl").read_bytes()
    first = records(out)[0]
    index = first["meta"]["generator"]["index"]
    shown = run_cli(warpsynth_bin, "generate", "--from", parents, "--seed", 3, "--show", index)
    assert shown.returncode == 0, shown.stderr
    assert f"a variant of {first['kernel']}" in shown.stdout
    assert shown.stdout.endswith(first["python"])


def test_a_folder_without_real_kernels_is_refused_with_nothing_written(warpsynth_bin, variants, tmp_path):
    out, _ = variants  # variants are synthetic records: nothing to make variants of
    result = run_cli(warpsynth_bin, "generate", "--from", out, "--count", 2, "--out", tmp_path / "never")
    assert result.returncode == 2
    assert "holds no self-contained extracted kernel" in result.stderr
    assert not (tmp_path / "never").exists()


def test_dataset_keeps_each_variant_in_its_parents_split(warpsynth_bin, variants, parents, tmp_path):
    out, _ = variants
    dataset = tmp_path / "dataset"
    result = run_cli(warpsynth_bin, "dataset", parents, out, "--out", dataset, "--format", "jsonl", "--split",
                     "0.5,0.25,0.25")
    assert result.returncode == 0, result.stdout + result.stderr
    split_of = {}
    for split_file in (dataset / "data").glob("*.jsonl"):
        for line in split_file.read_text().splitlines():
            split_of[json.loads(line)["id"]] = split_file.name.split("-")[0]
    variants_seen = 0
    for r in records(out):
        parent_id = r["meta"]["generator"]["parent"]["id"]
        if r["id"] in split_of and parent_id in split_of:
            variants_seen += 1
            assert split_of[r["id"]] == split_of[parent_id], (r["kernel"], split_of[r["id"]], split_of[parent_id])
    assert variants_seen > 0
