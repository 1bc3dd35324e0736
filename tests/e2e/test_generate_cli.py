"""End-to-end: `warpsynth generate`, `catalog` and `stats` on real Warp."""

import json
import os
import subprocess
from pathlib import Path

import pytest

COUNT = 240  # a few hundred generated kernels through Warp's codegen in every CI run


def run_cli(binary, *args, env=None, timeout=900):
    return subprocess.run([str(binary), *map(str, args)], capture_output=True, text=True, timeout=timeout,
                          env=env or os.environ)


@pytest.fixture(scope="module")
def generated(warpsynth_bin, tmp_path_factory):
    out = tmp_path_factory.mktemp("generated")
    result = run_cli(warpsynth_bin, "generate", "--count", COUNT, "--seed", 11, "--out", out)
    return out, result


def records(out):
    return [json.loads(line) for shard in sorted(out.glob("kernels-*.jsonl")) for line in shard.read_text().splitlines()]


def test_every_generated_kernel_passes_warp_codegen(generated):
    out, result = generated
    assert result.returncode == 0, result.stdout + result.stderr
    summary = json.loads((out / "summary.json").read_text())
    assert summary["requested"] == COUNT
    assert summary["passed"] == COUNT, summary["failures"][:3]
    assert f"passed codegen (CPU and CUDA, forward and backward): {COUNT} of {COUNT}" in result.stdout
    # Progress goes to stderr.
    assert f"[{COUNT}/{COUNT}]" in result.stderr


def test_records_carry_generator_metadata_and_code(generated):
    out, _ = generated
    recs = records(out)
    summary = json.loads((out / "summary.json").read_text())
    assert len(recs) == COUNT - summary["duplicates_dropped"] and len(recs) >= COUNT - 3
    templates = set()
    for r in recs:
        assert r["origin"] == "synthetic"
        g = r["meta"]["generator"]
        assert set(g) == {"run_seed", "index", "seed", "template", "config_hash"}
        templates.add(g["template"])
        assert r["meta"]["features"]["builtins"] and "tid" in r["meta"]["features"]["builtins"]
        assert r["meta"]["launch_dims"]
        for target in ("cpu", "cuda"):
            assert r[target]["forward"] and r[target]["backward"], r["kernel"]
        assert r["python"].startswith("import warp as wp\n")
    assert len(templates) == 20


def test_same_seed_gives_identical_output_and_any_sample_regenerates_alone(warpsynth_bin, generated, tmp_path):
    out, _ = generated
    again = tmp_path / "again"
    assert run_cli(warpsynth_bin, "generate", "--count", 40, "--seed", 11, "--out", again, "--quiet").returncode == 0
    first = [json.dumps(r) for r in records(out)[:40]]
    assert [json.dumps(r) for r in records(again)] == first
    # Sample 17 alone, with --show, is the Python of record 17.
    shown = run_cli(warpsynth_bin, "generate", "--seed", 11, "--show", 17)
    assert shown.returncode == 0
    assert shown.stdout.split("\n", 1)[1] == records(out)[17]["python"]


def test_config_file_and_its_errors(warpsynth_bin, tmp_path):
    printed = run_cli(warpsynth_bin, "generate", "--print-config")
    assert printed.returncode == 0
    defaults = json.loads(printed.stdout)
    assert defaults["templates"]["stencil"] == 1.0 and "max_expr_depth" in defaults
    only_stencils = tmp_path / "stencils.json"
    only_stencils.write_text(json.dumps({"templates": {name: 0.0 for name in defaults["templates"]} | {"stencil": 1.0}}))
    out = tmp_path / "stencils"
    assert run_cli(warpsynth_bin, "generate", "--count", 5, "--config", only_stencils, "--out", out, "-q").returncode == 0
    assert {r["meta"]["generator"]["template"] for r in records(out)} == {"stencil"}
    bad = tmp_path / "bad.json"
    bad.write_text('{"max_depth": 3}')
    result = run_cli(warpsynth_bin, "generate", "--count", 5, "--config", bad, "--out", tmp_path / "x")
    assert result.returncode == 2 and "unknown config key 'max_depth'" in result.stderr
    assert not (tmp_path / "x").exists()
    assert run_cli(warpsynth_bin, "generate", "--count", 5).returncode == 2  # no --out


def test_catalog_command(warpsynth_bin, tmp_path):
    result = run_cli(warpsynth_bin, "catalog", "--out", tmp_path / "catalog.json")
    assert result.returncode == 0, result.stderr
    table = json.loads((tmp_path / "catalog.json").read_text())
    assert table["warp_version"] and len(table["builtins"]) > 2000
    assert "usable signatures" in result.stderr


def test_stats_prints_coverage(warpsynth_bin, generated, tmp_path):
    out, _ = generated
    result = run_cli(warpsynth_bin, "stats", out, "--report", tmp_path)
    assert result.returncode == 0
    for text in ("templates (share of kernels):", "constructs (kernels using each):", "builtins:", "stencil"):
        assert text in result.stdout
    stats = json.loads((tmp_path / "stats.json").read_text())
    # builtins are drawn as often as real code calls them (config builtin_usage): fewer distinct ones
    # in a small run than a uniform draw gave; bench/realism.py counts them over 10,000 kernels
    summary = json.loads((out / "summary.json").read_text())
    assert stats["records"] == COUNT - summary["duplicates_dropped"] and stats["distinct_builtins"] > 70
    missing = run_cli(warpsynth_bin, "stats", tmp_path / "nothing")
    assert missing.returncode == 1 and "no dataset" in missing.stderr


def test_stats_names_the_file_and_line_of_what_is_not_a_record(warpsynth_bin, generated, tmp_path):
    # issue 13: `{"a": 1}` was counted as a record; a field of the wrong type gave a raw type_error.302
    out, _ = generated
    good = next(out.glob("kernels-*.jsonl")).read_text().splitlines()[0]
    wrong_field = json.loads(good)
    wrong_field["python"] = 5
    inner = json.loads(good)
    inner["meta"]["features"] = "x"
    for line, message in ((json.dumps({"a": 1}), "kernels.jsonl:2: not a warpsynth record: no field 'schema_version'"),
                          (json.dumps(wrong_field), "kernels.jsonl:2: not a warpsynth record: field 'python' is a number, not a string"),
                          (json.dumps(inner), "kernels.jsonl:2: a field of the wrong type")):
        folder = tmp_path / str(abs(hash(message)))
        folder.mkdir()
        (folder / "kernels.jsonl").write_text(good + "\n" + line + "\n")
        result = run_cli(warpsynth_bin, "stats", folder)
        assert result.returncode == 1 and message in result.stderr, result.stderr
        assert result.stdout == ""


def test_stats_against_a_reference_compares_the_quality_measures(warpsynth_bin, generated, tmp_path):
    out, _ = generated
    reference = Path(__file__).resolve().parents[1] / "data" / "realism-reference-warp-1.19.0.json"
    result = run_cli(warpsynth_bin, "stats", out, "--against", reference)
    assert result.returncode == 0, result.stderr
    assert "Jensen-Shannon divergence of wp.* call histograms" in result.stdout
    figures = json.loads(run_cli(warpsynth_bin, "stats", out, "--json", "--against", reference).stdout)
    assert 0.0 < figures["against"]["jensen_shannon_calls"] < 1.0
    assert figures["against"]["measures"]["kernels"] == 144
    quality = figures["quality"]
    assert quality["kernels"] == figures["records"]
    # every generated value reaches an output; every record was measured
    assert quality["dead_assignment_share"] <= 0.01 and quality["unused_arg_share"] == 0.0
    # a dataset compared with itself does not diverge
    same = json.loads(run_cli(warpsynth_bin, "stats", out, "--json", "--against", out).stdout)
    assert same["against"]["jensen_shannon_calls"] == 0.0
    bad = tmp_path / "bad.json"
    bad.write_text("{}")
    for reference_path in (bad, tmp_path / "missing"):
        failed = run_cli(warpsynth_bin, "stats", out, "--against", reference_path)
        assert failed.returncode == 1 and "--against" in failed.stderr, failed.stderr


@pytest.mark.parametrize("option, value, message", [
    ("--seed", "-1", "--seed: '-1' is not a non-negative integer"),
    ("--seed", "18446744073709551616", "--seed: '18446744073709551616' is above 18446744073709551615"),
    ("--seed", "1e3", "--seed: '1e3' is not a non-negative integer"),
    ("--timeout", "nan", "--timeout: 'nan' is not a finite number above 0"),
    ("--timeout", "0", "--timeout: '0' is not a finite number above 0"),
])
def test_option_values_are_parsed_strictly(warpsynth_bin, tmp_path, option, value, message):
    # issue 13: `--seed -1` and `--seed 2^64` became 2^64 - 1, `--timeout nan` timed every batch out
    result = run_cli(warpsynth_bin, "generate", "--count", 2, f"{option}={value}", "--out", tmp_path / "x")
    assert result.returncode == 2 and message in result.stderr, result.stderr
    assert not (tmp_path / "x").exists()


def test_config_values_out_of_range_are_refused_before_any_work(warpsynth_bin, tmp_path):
    config = tmp_path / "weights.json"
    config.write_text(json.dumps({"templates": {"map": -1.0}}))
    result = run_cli(warpsynth_bin, "generate", "--count", 2, "--config", config, "--out", tmp_path / "x")
    assert result.returncode == 2 and "config templates 'map' is -1: a weight must be finite" in result.stderr
    assert not (tmp_path / "x").exists()


def test_no_more_workers_start_than_there_are_batches(warpsynth_bin, tmp_path):
    # issue 13: `--count 8 --jobs 1000` started a worker per job
    out = tmp_path / "few"
    result = run_cli(warpsynth_bin, "generate", "--count", 3, "--batch", 1, "--jobs", 8, "--out", out, "-q")
    assert result.returncode == 0, result.stderr
    workers = {line.split("]")[0] for line in (out / "warpsynth.log").read_text().splitlines() if line.startswith("[worker ")}
    assert len(workers) == 3, workers


def test_a_folder_holds_one_commands_run(warpsynth_bin, generated, tmp_path):
    # issue 13: `extract` into a `generate` folder overwrote its summary, and `stats` counted both
    out, _ = generated
    summary = (out / "summary.json").read_text()
    source = tmp_path / "k.py"
    source.write_text("import warp as wp\n\n@wp.kernel\ndef k(x: wp.array(dtype=float)):\n    x[wp.tid()] = 1.0\n")
    result = run_cli(warpsynth_bin, "extract", source, "--out", out)
    assert result.returncode == 2
    assert "holds the output of `warpsynth generate`; `warpsynth extract` writes into a folder of its own" in result.stderr
    assert (out / "summary.json").read_text() == summary
    extracted = tmp_path / "extracted"
    assert run_cli(warpsynth_bin, "extract", source, "--out", extracted).returncode == 0
    result = run_cli(warpsynth_bin, "generate", "--count", 2, "--out", extracted)
    assert result.returncode == 2 and "holds the output of `warpsynth extract`" in result.stderr


def test_resume_remakes_a_shard_that_differs_from_the_manifest(warpsynth_bin, tmp_path):
    # issue 13: a shard truncated or with lines appended was accepted as complete
    out = tmp_path / "run"
    args = ("generate", "--count", 8, "--shard-size", 4, "--seed", 3, "--out", out, "-q")
    assert run_cli(warpsynth_bin, *args).returncode == 0
    shards = {p.name: p.read_bytes() for p in out.glob("kernels-*.jsonl")}
    manifest = (out / "manifest.json").read_bytes()
    (out / "kernels-00000.jsonl").write_bytes(shards["kernels-00000.jsonl"][:500])
    with open(out / "kernels-00001.jsonl", "ab") as f:
        f.write(b'{"garbage": 1}\n')
    result = run_cli(warpsynth_bin, *args)
    assert result.returncode == 0, result.stderr
    for name in shards:
        assert f"{name} differs from the manifest" in result.stderr
        assert (out / name).read_bytes() == shards[name]
    assert (out / "manifest.json").read_bytes() == manifest
    again = run_cli(warpsynth_bin, *args)
    assert "differs" not in again.stderr and "2 resumed" in again.stdout


def test_timeouts_are_retried_by_a_run_with_a_longer_timeout_only(warpsynth_bin, tmp_path):
    # issue 13: samples timed out under --timeout 0.001 stayed failed whatever the next run allowed
    out = tmp_path / "run"
    args = ("generate", "--count", 4, "--shard-size", 2, "--out", out, "-q")
    assert run_cli(warpsynth_bin, *args, "--timeout", "0.001").returncode == 1
    same = run_cli(warpsynth_bin, *args, "--timeout", "0.001")
    assert "2 resumed" in same.stdout and "made again" not in same.stderr
    longer = run_cli(warpsynth_bin, *args)
    assert longer.returncode == 0, longer.stderr
    assert "has samples that timed out at 0.001 s; this run allows 300 s: the shard is made again" in longer.stderr
    assert json.loads((out / "summary.json").read_text())["passed"] == 4


def test_a_full_disk_ends_the_run_cleanly_and_the_same_command_resumes(warpsynth_bin, tmp_path):
    # issue 13: onto a 2 MB tmpfs, generate ended with exit 134 ("terminate called ..."), a .tmp
    # shard left behind. A tmpfs of 2 MB in a mount namespace of the test's own (unshare).
    import shutil

    if shutil.which("unshare") is None:
        pytest.skip("unshare (util-linux) is not installed: no way to mount a small file system here")
    probe = subprocess.run(["unshare", "-rm", "sh", "-c", f"mount -t tmpfs -o size=2m tmpfs {tmp_path}"],
                           capture_output=True, text=True)
    if probe.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs in a mount namespace here: {probe.stderr.strip()}")
    out = tmp_path / "run"
    fresh = tmp_path / "fresh"
    args = f"generate --count 200 --shard-size 20 --seed 4 -q --out {out}"
    script = (f"mount -t tmpfs -o size=2m tmpfs {tmp_path} && {warpsynth_bin} {args}; echo \"exit=$?\"; "
              f"ls {out}; mount -o remount,size=64m {tmp_path} && {warpsynth_bin} {args} > /dev/null; echo \"again=$?\"; "
              f"{warpsynth_bin} generate --count 200 --shard-size 20 --seed 4 -q --out {fresh} > /dev/null; "
              f"cd {out} && for f in kernels-*.jsonl manifest.json; do cmp -s $f {fresh}/$f || echo \"differs=$f\"; done")
    result = subprocess.run(["unshare", "-rm", "sh", "-c", script], capture_output=True, text=True, timeout=600)
    text = result.stdout + result.stderr
    assert "exit=1" in text and "No space left on device" in text, text
    assert "warpsynth generate: cannot write" in text and "terminate called" not in text
    assert ".tmp" not in text  # the ls of the folder after the failure: no temporary shard left
    assert "again=0" in text and "differs=" not in text, text


def test_the_tests_use_a_cache_folder_of_their_own(warpsynth_bin, own_cache_folder, tmp_path):
    # issue 13: tests read and wrote the real ~/.cache/warpsynth, so a catalog test could pass from a
    # cache without the CLI exporting anything
    assert os.environ["WARPSYNTH_CACHE_DIR"] == str(own_cache_folder)
    result = run_cli(warpsynth_bin, "generate", "--count", 1, "--out", tmp_path / "one", "-q")
    assert result.returncode == 0, result.stderr
    assert list(own_cache_folder.glob("catalog-warp-*.json")), list(own_cache_folder.iterdir())


def test_a_finished_run_run_again_rewrites_no_shard(warpsynth_bin, tmp_path):
    # issue 13: a resume that ignored the manifest and made every shard again passed the suite
    # (the bytes are the same either way); a shard made again is a new file, renamed into place
    out = tmp_path / "run"
    args = ("generate", "--count", 6, "--shard-size", 2, "--out", out, "-q")
    assert run_cli(warpsynth_bin, *args).returncode == 0
    before = {p.name: (p.stat().st_ino, p.stat().st_mtime_ns) for p in out.glob("kernels-*.jsonl")}
    again = run_cli(warpsynth_bin, *args)
    assert again.returncode == 0 and "(3 resumed); 0 processed now" in again.stdout
    assert {p.name: (p.stat().st_ino, p.stat().st_mtime_ns) for p in out.glob("kernels-*.jsonl")} == before


def test_catalog_refresh_exports_again_and_a_corrupt_cache_is_replaced(warpsynth_bin, own_cache_folder, tmp_path):
    # issue 13: `catalog --refresh` and a corrupt catalog cache had no test
    first = run_cli(warpsynth_bin, "catalog", "--out", tmp_path / "a.json")
    assert first.returncode == 0, first.stderr
    cached = next(own_cache_folder.glob("catalog-warp-*.json"))
    stamp = (cached.stat().st_ino, cached.stat().st_mtime_ns)
    assert run_cli(warpsynth_bin, "catalog", "--out", tmp_path / "b.json").returncode == 0
    assert (cached.stat().st_ino, cached.stat().st_mtime_ns) == stamp  # served from the cache
    refreshed = run_cli(warpsynth_bin, "catalog", "--refresh", "--out", tmp_path / "c.json")
    assert refreshed.returncode == 0, refreshed.stderr
    assert (cached.stat().st_ino, cached.stat().st_mtime_ns) != stamp  # exported again
    assert (tmp_path / "c.json").read_bytes() == (tmp_path / "a.json").read_bytes()

    # cut short (a full disk): every run failed with "is not valid JSON" until --refresh
    cached.write_bytes(cached.read_bytes()[: cached.stat().st_size // 2])
    result = run_cli(warpsynth_bin, "generate", "--count", 2, "--out", tmp_path / "run", "-q")
    assert result.returncode == 0, result.stderr
    assert "the cached catalog does not load" in result.stderr and "exporting it again" in result.stderr
    assert cached.read_bytes() == (tmp_path / "a.json").read_bytes()


def test_recycle_replaces_workers_and_changes_no_record(warpsynth_bin, tmp_path):
    # issue 13: --recycle had no test
    args = ("generate", "--count", 12, "--batch", 2, "--jobs", 1, "--seed", 8, "-q")
    assert run_cli(warpsynth_bin, *args, "--out", tmp_path / "plain").returncode == 0
    result = run_cli(warpsynth_bin, *args, "--recycle", 2, "--out", tmp_path / "recycled")
    assert result.returncode == 0, result.stderr
    starts = (tmp_path / "recycled" / "warpsynth.log").read_text().count(" ready: warp ")
    assert starts >= 3  # 6 batches or more (they shrink at the end), 2 a worker
    assert f"; {starts - 1} worker restarts" in result.stdout, result.stdout
    assert (tmp_path / "plain" / "warpsynth.log").read_text().count(" ready: warp ") == 1
    for shard in (tmp_path / "plain").glob("kernels-*.jsonl"):
        assert (tmp_path / "recycled" / shard.name).read_bytes() == shard.read_bytes()


def test_a_shard_the_manifest_lists_but_that_is_missing_is_made_again(warpsynth_bin, tmp_path):
    # issue 13: a shard listed in the manifest but missing had no test
    out = tmp_path / "run"
    args = ("generate", "--count", 6, "--shard-size", 2, "--seed", 2, "--out", out, "-q")
    assert run_cli(warpsynth_bin, *args).returncode == 0
    shard = out / "kernels-00001.jsonl"
    kept = shard.read_bytes()
    shard.unlink()
    result = run_cli(warpsynth_bin, *args)
    assert result.returncode == 0, result.stderr
    assert "(2 resumed); 2 processed now" in result.stdout, result.stdout
    assert shard.read_bytes() == kept
