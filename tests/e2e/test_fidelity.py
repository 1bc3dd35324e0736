"""End-to-end: records hold the code Warp compiles for a launch, their units rebuild and compile
from the shipped preambles, and their `<L n>` tags point at the record's own Python lines.
bench/fidelity.py runs the first check over 200 generated kernels and all of warp-lang's examples."""

import json
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import fidelity_reference  # noqa: E402

HAND_WRITTEN = '''\
"""A file whose kernel uses a struct and a helper, with lines around them that its record leaves out."""

import numpy as np
import warp as wp

SCALE = 2.0


def host_only():
    return np.zeros(3)


@wp.struct
class Params:
    scale: float
    offset: float


@wp.func
def square(x: float):
    return x * x


@wp.kernel
def scaled_square(p: Params, x: wp.array(dtype=float), y: wp.array(dtype=float)):
    i = wp.tid()
    v = square(x[i])
    y[i] = p.scale * v + p.offset
'''


def run_cli(binary, *args):
    result = subprocess.run([str(binary), *map(str, args)], capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, result.stderr
    return result


def jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()]


@pytest.fixture(scope="module")
def outputs(warpsynth_bin, warp_examples_dir, repo_root, tmp_path_factory):
    root = tmp_path_factory.mktemp("fidelity")
    (root / "src").mkdir()
    hand = root / "src" / "hand_written.py"
    hand.write_text(HAND_WRITTEN)
    run_cli(warpsynth_bin, "generate", "--count", 60, "--seed", 3, "--out", root / "gen", "--quiet")
    run_cli(
        warpsynth_bin, "extract", hand, repo_root / "examples" / "saxpy.py",
        warp_examples_dir / "core" / "example_work_queue.py",  # a @wp.struct
        warp_examples_dir / "tile" / "example_tile_mlp.py",  # tiles that build on the CPU only with CPU blocks
        "--out", root / "ex", "--quiet",
    )  # fmt: skip
    generated = [r for shard in sorted((root / "gen").glob("kernels-*.jsonl")) for r in jsonl(shard)]
    return {"root": root, "generated": generated, "extracted": jsonl(root / "ex" / "kernels.jsonl"), "hand": hand}


def _extracted_source(outputs, warp_examples_dir, repo_root):
    def source_of(record):
        name = Path(record["meta"]["source"]["file"]).name
        for candidate in (outputs["hand"], repo_root / "examples" / name, warp_examples_dir / "core" / name,
                          warp_examples_dir / "tile" / name):  # fmt: skip
            if candidate.name == name and candidate.exists():
                return str(candidate)
        raise AssertionError(f"no source for {record['meta']['source']['file']}")

    return source_of


def test_records_equal_the_units_warp_compiles(outputs, warp_examples_dir, repo_root, tmp_path):
    sources = tmp_path / "sources"
    sources.mkdir()

    def generated_source(record):
        path = sources / f"sample_{record['meta']['generator']['index']}.py"
        path.write_text(record["python"])
        return str(path)

    generated = fidelity_reference.check_records(outputs["generated"][:8], generated_source, str(tmp_path / "cache"))
    extracted = fidelity_reference.check_records(
        outputs["extracted"], _extracted_source(outputs, warp_examples_dir, repo_root), str(tmp_path / "cache")
    )
    for result in (generated, extracted):
        assert result["import_failed"] == []
        assert result["records"] > 0 and result["equal"] == result["records"], result["mismatches"]
    assert {r["meta"]["block_dim"]["cpu"] for r in outputs["generated"]} == {1}
    mlp = [r for r in outputs["extracted"] if r["meta"]["source"]["file"].endswith("example_tile_mlp.py")]
    assert mlp and all(r["meta"]["cpu_blocks"] and r["meta"]["block_dim"] == {"cpu": 32, "cuda": 32} for r in mlp)


def test_the_check_finds_a_changed_function(outputs, tmp_path):
    record = json.loads(json.dumps(outputs["generated"][0]))
    path = tmp_path / "sample.py"
    path.write_text(record["python"])
    record["cpu"]["forward"] = record["cpu"]["forward"].replace("wp::", "wp ::", 1)
    result = fidelity_reference.check_records([record], lambda r: str(path), str(tmp_path / "cache"))
    assert result["equal"] == 0 and result["mismatches"][0]["functions"]


def test_every_record_has_a_schema_version_and_line_tags_point_at_its_python(outputs):
    records = outputs["generated"][:20] + outputs["extracted"]
    assert all(r["schema_version"] == 5 for r in records)
    tagged = 0
    for record in records:
        assert fidelity_reference.line_tag_mismatches(record) == [], record["kernel"]
        tagged += record["cpu"]["forward"].count("<L ")
    assert tagged > 100
    broken = json.loads(json.dumps(outputs["generated"][0]))
    broken["cpu"]["forward"] = re.sub(r"<L (\d+)>", lambda m: f"<L {int(m.group(1)) + 1}>", broken["cpu"]["forward"], 1)
    assert fidelity_reference.line_tag_mismatches(broken)


def _line_of(python: str, text: str) -> int:
    return python.splitlines().index(text) + 1


def test_hand_written_kernel_maps_to_its_record_lines(outputs):
    (record,) = [r for r in outputs["extracted"] if r["kernel"] == "scaled_square"]
    python = record["python"]
    assert "class Params:" in python and "def square(x: float):" in python and "host_only" not in python
    assert record["meta"]["source"]["line"] == HAND_WRITTEN.splitlines().index(
        "def scaled_square(p: Params, x: wp.array(dtype=float), y: wp.array(dtype=float)):") + 1
    store = _line_of(python, "    y[i] = p.scale * v + p.offset")
    forward = record["cpu"]["forward"].splitlines()
    tag = next(n for n, line in enumerate(forward) if line.endswith(f"<L {store}>") and "y[i] =" in line)
    following = forward[tag + 1 : next((n for n in range(tag + 1, len(forward)) if "<L " in forward[n]), len(forward))]
    assert any("wp::array_store(var_y" in line for line in following)
    # The helper's body, in the module, points at the helper's line in the record.
    ret = _line_of(python, "    return x * x")
    assert any(line.endswith(f"<L {ret}>") and "return x * x" in line for line in record["cpu"]["module"].splitlines())


def test_units_rebuilt_from_the_shipped_preamble_compile(outputs, tmp_path):
    from warpsynth_worker import warp_bridge

    warp_bridge.init(str(tmp_path / "kernel-cache"))
    extracted = [("ex", r) for r in outputs["extracted"]]
    records = extracted + [("gen", r) for r in outputs["generated"][: 50 - len(extracted)]]
    assert len(records) == 50
    for n, (folder, record) in enumerate(records):
        preambles = outputs["root"] / folder / "preambles"
        for device in ("cpu", "cuda"):
            preamble = (preambles / f"{record['meta']['preamble'][device]}.h").read_text()
            unit = preamble + record[device]["module"]
            build = str(tmp_path / f"{n}-{device}")
            if device == "cpu":
                path = warp_bridge.compile_unit_cpu(unit, build, record["meta"]["block_dim"]["cpu"])
            else:
                path = warp_bridge.compile_unit_ptx(unit, build, record["meta"]["cuda_arch"])
            assert os.path.getsize(path) > 0, (record["kernel"], device)


def test_a_unit_without_its_preamble_does_not_compile(outputs, tmp_path):
    from warpsynth_worker import warp_bridge

    warp_bridge.init(str(tmp_path / "kernel-cache"))
    with pytest.raises(Exception):
        warp_bridge.compile_unit_cpu(outputs["generated"][0]["cpu"]["module"], str(tmp_path / "bare"))
