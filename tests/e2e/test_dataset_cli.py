"""End-to-end: `warpsynth dataset` on real generate and extract outputs (issue 12)."""

import json
import os
import re
import subprocess
import textwrap
from itertools import combinations
from pathlib import Path

import pytest
import yaml


def run_cli(binary, *args, timeout=600):
    return subprocess.run([str(binary), *map(str, args)], capture_output=True, text=True, timeout=timeout)


KERNEL = """
import warp as wp

@wp.kernel
def {name}(x: wp.array(dtype=float), y: wp.array(dtype=float), n: int):
    i = wp.tid()
    v = x[i] * {scale} + wp.sin(x[i]) - wp.cos(x[i] * 2.0)
    w = wp.max(v, 0.0) + wp.min(v, 1.0) * wp.abs(v)
    for k in range(n):
        w = w * 0.5 + wp.sqrt(wp.abs(w) + 1.0)
    y[i] = w + wp.exp(-v * v) + float(n)
"""

OTHER = """
import warp as wp

@wp.kernel
def {name}(p: wp.array(dtype=wp.vec3), q: wp.array(dtype=float)):
    i = wp.tid()
    q[i] = wp.length(p[i]) + wp.dot(p[i], wp.vec3(1.0, 2.0, 3.0)) / {scale}
"""


@pytest.fixture(scope="module")
def inputs(warpsynth_bin, tmp_path_factory):
    root = tmp_path_factory.mktemp("dataset-inputs")
    generated = root / "generated"
    result = run_cli(warpsynth_bin, "generate", "--count", 60, "--seed", 9, "--shard-size", 20, "--out", generated, "-q")
    assert result.returncode == 0, result.stderr
    src = root / "src"
    src.mkdir()
    # one file's kernel and a near-duplicate of it in another file (another constant and name)
    (src / "a.py").write_text(KERNEL.format(name="smooth_a", scale="3.0") + OTHER.format(name="lengths", scale="4.0"))
    (src / "b.py").write_text(KERNEL.format(name="smooth_b", scale="7.5"))
    extracted = root / "extracted"
    result = run_cli(warpsynth_bin, "extract", src, "--out", extracted, "-q")
    assert result.returncode == 0, result.stderr
    holdout_src = root / "holdout_src"
    holdout_src.mkdir()
    (holdout_src / "h.py").write_text(KERNEL.format(name="smooth_a", scale="9.0"))  # near smooth_a and smooth_b
    holdout = root / "holdout"
    assert run_cli(warpsynth_bin, "extract", holdout_src, "--out", holdout, "-q").returncode == 0
    # six near-duplicates of one kernel (Jaccard about 0.92: one constant differs), in six files
    # each holding another kernel too
    variants_src = root / "variants_src"
    variants_src.mkdir()
    for n in range(6):
        (variants_src / f"v{n}.py").write_text(KERNEL.format(name="variant", scale=f"{n + 2}.25")
                                              + OTHER.format(name=f"other_{n}", scale=f"{n + 1}.5"))
    variants = root / "variants"
    assert run_cli(warpsynth_bin, "extract", variants_src, "--out", variants, "-q").returncode == 0
    return {"generated": generated, "extracted": extracted, "holdout": holdout, "variants": variants}


def card_header(folder: Path) -> dict:
    text = (folder / "README.md").read_text()
    match = re.match(r"---\n(.*?)\n---\n", text, re.S)
    assert match, text[:500]
    return yaml.safe_load(match.group(1))


def rows(folder: Path):
    import pyarrow.parquet as pq

    out = {}
    for path in sorted((folder / "data").glob("*.parquet")):
        split = path.name.split("-")[0]
        out.setdefault(split, []).extend(pq.read_table(path).to_pylist())
    return out


@pytest.fixture(scope="module")
def dataset(warpsynth_bin, inputs, tmp_path_factory):
    out = tmp_path_factory.mktemp("dataset") / "ds"
    result = run_cli(warpsynth_bin, "dataset", inputs["generated"], inputs["extracted"], inputs["generated"],
                     "--out", out, "--split", "0.6,0.2,0.2")
    assert result.returncode == 0, result.stderr
    return out, result


def test_hugging_face_datasets_loads_it_offline_with_the_cards_splits_and_features(dataset, tmp_path):
    out, _ = dataset
    from datasets import load_dataset

    header = card_header(out)
    files = {f["split"]: str(out / f["path"]) for f in header["configs"][0]["data_files"]}
    env = {"HF_HUB_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1", "HF_HOME": str(tmp_path / "hf")}
    old = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        data = load_dataset("parquet", data_files=files, cache_dir=str(tmp_path / "cache"))
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    assert set(data) == {s["name"] for s in header["dataset_info"]["splits"]} == set(files)
    for split in header["dataset_info"]["splits"]:
        assert data[split["name"]].num_rows == split["num_examples"] > 0
    declared = {f["name"]: f["dtype"] for f in header["dataset_info"]["features"]}
    for split in data.values():
        assert {name: feature.dtype for name, feature in split.features.items()} == declared
    row = data["train"][0]
    assert row["python"].startswith("import warp as wp") and row["cpu_forward"] and row["cuda_forward"]


def test_exact_duplicates_across_inputs_are_dropped_and_counted(dataset, inputs):
    out, result = dataset
    summary = json.loads((out / "summary.json").read_text())
    generated = sum(1 for p in inputs["generated"].glob("kernels-*.jsonl") for _ in p.open())
    extracted = sum(1 for _ in (inputs["extracted"] / "kernels.jsonl").open())
    assert summary["records"]["read"] == 2 * generated + extracted
    assert summary["records"]["exact_duplicates"] == generated  # the generate folder given twice
    ids = [r["id"] for split in rows(out).values() for r in split]
    assert len(ids) == len(set(ids)) == summary["records"]["written"]
    assert f"{generated} exact duplicates" in result.stdout
    card = (out / "README.md").read_text()
    assert f"| removed: exact duplicates (same normalized Python) | {generated} |" in card


def test_a_near_duplicate_is_one_cluster_and_one_row_or_all_with_keep_near(dataset, warpsynth_bin, inputs, tmp_path):
    out, _ = dataset
    kernels = {r["kernel"]: r for split in rows(out).values() for r in split}
    assert ("smooth_a" in kernels) != ("smooth_b" in kernels)  # one kept
    kept = kernels.get("smooth_a") or kernels["smooth_b"]
    assert kept["near_cluster_size"] == 2
    kept_all = tmp_path / "all"
    assert run_cli(warpsynth_bin, "dataset", inputs["extracted"], "--out", kept_all, "--keep-near", "-q").returncode == 0
    both = {r["kernel"]: r for split in rows(kept_all).values() for r in split}
    assert both["smooth_a"]["near_cluster"] == both["smooth_b"]["near_cluster"]
    assert both["smooth_a"]["near_cluster_size"] == 2 and both["lengths"]["near_cluster_size"] == 1


def test_records_near_a_holdout_are_dropped_and_counted(warpsynth_bin, inputs, tmp_path):
    out = tmp_path / "ds"
    result = run_cli(warpsynth_bin, "dataset", inputs["extracted"], "--holdout", inputs["holdout"], "--out", out, "-q")
    assert result.returncode == 0, result.stderr
    kernels = {r["kernel"] for split in rows(out).values() for r in split}
    assert kernels == {"lengths"}
    assert json.loads((out / "summary.json").read_text())["records"]["contaminated"] == 2
    assert "| removed: equal or near a holdout record (Jaccard >= 0.85) | 2 |" in (out / "README.md").read_text()


def shingles(text: str, n: int = 5) -> set:
    """Token 5-grams, computed here apart from the C++ (bench/dedup.py has the same tokenizer)."""
    tokens = re.findall(r"[A-Za-z_][A-Za-z0-9_]*|[0-9][A-Za-z0-9_.]*|\S", text)
    if len(tokens) < n:
        return {" ".join(tokens)}
    return {" ".join(tokens[i : i + n]) for i in range(len(tokens) - n + 1)}


def test_no_pair_in_different_splits_is_near_and_a_source_file_stays_in_one_split(warpsynth_bin, inputs, tmp_path):
    # brute force over every pair, independent of the MinHash code
    out = tmp_path / "ds"
    assert run_cli(warpsynth_bin, "dataset", inputs["generated"], inputs["extracted"], inputs["variants"], "--out", out,
                   "--keep-near", "--split", "0.5,0.25,0.25", "-q").returncode == 0
    labelled = [(split, r) for split, rs in rows(out).items() for r in rs]
    assert len({split for split, _ in labelled}) == 3
    sets = [shingles(r["python"]) for _, r in labelled]
    for (i, (split_a, a)), (j, (split_b, b)) in combinations(enumerate(labelled), 2):
        if split_a != split_b:
            jaccard = len(sets[i] & sets[j]) / len(sets[i] | sets[j])
            assert jaccard < 0.9, (a["kernel"], b["kernel"], jaccard)
    files = {}
    for split, r in labelled:
        if r["source_file"]:
            files.setdefault(r["source_file"], set()).add(split)
    assert files and all(len(splits) == 1 for splits in files.values()), files
    variants = {r["near_cluster"] for _, r in labelled if r["kernel"] == "variant"}
    assert len(variants) == 1  # the six are one cluster (kept whole with --keep-near)


def test_split_by_template_holds_out_whole_templates(warpsynth_bin, inputs, tmp_path):
    out = tmp_path / "ds"
    assert run_cli(warpsynth_bin, "dataset", inputs["generated"], "--out", out, "--split-by", "template",
                   "--split", "0.5,0.25,0.25", "-q").returncode == 0
    splits_of = {}
    for split, rs in rows(out).items():
        for r in rs:
            splits_of.setdefault(r["template"], set()).add(split)
    assert len(splits_of) > 3 and all(len(s) == 1 for s in splits_of.values()), splits_of


def test_the_same_inputs_give_the_same_bytes_and_jsonl_the_same_rows(warpsynth_bin, inputs, dataset, tmp_path):
    out, _ = dataset
    again = tmp_path / "again"
    assert run_cli(warpsynth_bin, "dataset", inputs["generated"], inputs["extracted"], inputs["generated"],
                   "--out", again, "--split", "0.6,0.2,0.2", "-q").returncode == 0
    files = sorted(p.relative_to(out) for p in out.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(again) for p in again.rglob("*") if p.is_file())
    for name in files:
        assert (out / name).read_bytes() == (again / name).read_bytes(), name
    assert any(str(f).startswith("preambles/") for f in files)
    as_jsonl = tmp_path / "jsonl"
    assert run_cli(warpsynth_bin, "dataset", inputs["generated"], inputs["extracted"], inputs["generated"],
                   "--out", as_jsonl, "--split", "0.6,0.2,0.2", "--format", "jsonl", "-q").returncode == 0
    jsonl_rows = {}
    for path in sorted((as_jsonl / "data").glob("*.jsonl")):
        jsonl_rows.setdefault(path.name.split("-")[0], []).extend(json.loads(l) for l in path.open())
    assert jsonl_rows == rows(out)


@pytest.mark.parametrize("args, code, message", [
    (["--split", "0.5,0.5,0.5"], 2, "summing to 1"),
    (["--split", "0.9,0.1"], 2, "three fractions"),
    (["--split", "1,0,nan"], 2, "three fractions"),
    (["--near", "1.5"], 2, "--near"),
    (["--near", "nan"], 2, "--near"),
    (["--split-by", "file"], 2, "--split-by"),
    (["--holdout", "/nonexistent/holdout"], 1, "the holdout /nonexistent/holdout does not exist"),
])
def test_bad_options_and_a_missing_holdout_are_refused_with_nothing_written(warpsynth_bin, inputs, tmp_path, args,
                                                                            code, message):
    out = tmp_path / "ds"
    result = run_cli(warpsynth_bin, "dataset", inputs["extracted"], "--out", out, *args)
    assert result.returncode == code and message in result.stderr, result.stderr
    assert not out.exists() and not list(tmp_path.glob("ds.*"))


def test_a_folder_without_a_dataset_and_a_line_that_is_not_json_are_named(warpsynth_bin, inputs, tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    out = tmp_path / "ds"
    result = run_cli(warpsynth_bin, "dataset", empty, "--out", out)
    assert result.returncode == 1 and f"the input {empty} holds no dataset" in result.stderr, result.stderr
    broken = tmp_path / "broken"
    broken.mkdir()
    lines = (inputs["extracted"] / "kernels.jsonl").read_text().splitlines()
    (broken / "kernels.jsonl").write_text(lines[0] + "\n" + '{"id": "x", "python": ' + "\n")
    result = run_cli(warpsynth_bin, "dataset", broken, "--out", out)
    assert result.returncode == 1 and f"{broken / 'kernels.jsonl'}:2: not JSON" in result.stderr, result.stderr
    (broken / "kernels.jsonl").write_text('{"a": 1}\n')
    result = run_cli(warpsynth_bin, "dataset", broken, "--out", out)
    assert result.returncode == 1 and "kernels.jsonl:1: not a warpsynth record" in result.stderr, result.stderr
    assert not out.exists() and not list(tmp_path.glob("ds.*"))


def test_stats_report_writes_markdown_with_its_plots(warpsynth_bin, inputs, repo_root, tmp_path):
    report = tmp_path / "report"
    reference = repo_root / "tests" / "data" / "realism-reference-warp-1.19.0.json"
    result = run_cli(warpsynth_bin, "stats", inputs["generated"], "--report", report, "--against", reference)
    assert result.returncode == 0, result.stderr
    text = (report / "report.md").read_text()
    images = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", text)
    assert set(images) == {"templates.png", "builtins.png", "lines.png", "verify.png", "quality.png"}, text
    for image in images:
        assert (report / image).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "against the reference" in text and "| assignments never read |" in text
    # the same figures give the same bytes
    again = tmp_path / "again"
    assert run_cli(warpsynth_bin, "stats", inputs["generated"], "--report", again, "--against", reference).returncode == 0
    for image in images:
        assert (again / image).read_bytes() == (report / image).read_bytes(), image


def test_every_shard_format_is_read_and_added_data_moves_only_the_groups_it_joins(warpsynth_bin, inputs, tmp_path):
    compressed = tmp_path / "zst"
    per_sample = tmp_path / "json"
    for folder, form in ((compressed, "jsonl.zst"), (per_sample, "json")):
        assert run_cli(warpsynth_bin, "generate", "--count", 60, "--seed", 9, "--shard-size", 20, "--format", form,
                       "--out", folder, "-q").returncode == 0
    plain, from_zst, from_json = tmp_path / "a", tmp_path / "b", tmp_path / "c"
    for source, out in ((inputs["generated"], plain), (compressed, from_zst), (per_sample, from_json)):
        assert run_cli(warpsynth_bin, "dataset", source, "--out", out, "-q").returncode == 0
    assert rows(from_zst) == rows(plain) == rows(from_json)

    # the extracted records alone, then with the variants added: a row keeps its split unless its
    # group took in a variant
    alone, more = tmp_path / "alone", tmp_path / "more"
    assert run_cli(warpsynth_bin, "dataset", inputs["generated"], "--out", alone, "-q").returncode == 0
    assert run_cli(warpsynth_bin, "dataset", inputs["generated"], inputs["variants"], "--out", more, "-q").returncode == 0
    before = {r["id"]: split for split, rs in rows(alone).items() for r in rs}
    after = {r["id"]: (split, r["near_cluster_size"]) for split, rs in rows(more).items() for r in rs}
    for id_, split in before.items():
        if after[id_][1] == 1:
            assert after[id_][0] == split, id_
