"""The views bench/distinguish.py and bench/blind_review.py read of a record, and the blind review's key
and scoring (issue 26): what they hide and what they count."""

import json
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))

import blind_review  # noqa: E402
from kernel_views import anonymous_tokens, ast_bigrams, kernel_source, sample_kernels  # noqa: E402

PYTHON = '''import warp as wp

SCALE = 2.0


@wp.func
def helper(x: float) -> float:
    return x * SCALE


@wp.kernel
def scale_all(values: wp.array[float], out: wp.array[float]):
    """Scale each value."""
    i = wp.tid()
    # twice, then once more
    out[i] = helper(values[i]) + 1.5
'''


def record(rid: str, origin: str, python: str = PYTHON, kernel: str = "scale_all", self_contained: str = "ok") -> dict:
    return {"id": rid, "origin": origin, "kernel": kernel, "python": python, "meta": {},
            "verify": {"self_contained": self_contained}}


def test_the_kernel_is_cut_with_its_decorator_and_nothing_else():
    source = kernel_source(record("a", "extracted"))
    assert source.startswith("@wp.kernel\ndef scale_all(")
    assert "helper(x: float)" not in source and source.endswith("+ 1.5\n")
    # a kernel made in a function is found by the last part of its key
    assert kernel_source(record("b", "extracted", kernel="make__locals__scale_all")) == source


def test_anonymous_tokens_hide_names_numbers_and_text_but_keep_the_shape():
    tokens = anonymous_tokens(kernel_source(record("a", "extracted")))
    assert "scale_all" not in tokens and "helper" not in tokens and "1.5" not in tokens
    assert tokens.count("STR") == 1 and tokens.count("COMMENT") == 1 and "NUM" in tokens and "+" in tokens
    body = anonymous_tokens(kernel_source(record("a", "extracted")), body_only=True)
    assert "STR" not in body and body[:3] == ["ID", "=", "ID"]  # `i = wp.tid()`, no signature, no docstring
    assert "Assign>Subscript" in ast_bigrams(kernel_source(record("a", "extracted")))


def write_folder(folder: Path, records: list[dict]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "kernels.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records))
    return folder


def test_only_self_contained_real_kernels_are_sampled(tmp_path):
    folder = write_folder(tmp_path / "real", [record("a", "extracted"), record("b", "extracted", self_contained="failed: x"),
                                              record("c", "synthetic")])
    assert [item["id"] for item in sample_kernels([folder], 10, 1, "extracted")] == ["a"]
    assert [item["id"] for item in sample_kernels([folder], 10, 1, "synthetic")] == ["c"]


def test_a_review_hides_its_key_and_scores_the_labels(tmp_path, capsys):
    generated = write_folder(tmp_path / "gen", [record(f"g{n}", "synthetic", PYTHON.replace("1.5", f"{n}.5"))
                                                for n in range(25)])
    real = write_folder(tmp_path / "real", [record(f"r{n}", "extracted", PYTHON.replace("2.0", f"{n}.0"))
                                            for n in range(25)])
    out = tmp_path / "review"
    assert blind_review.main(["--seed", "3", "--out", str(out), "--generated", str(generated), "--real", str(real)]) == 0
    files = sorted(p.name for p in out.iterdir())
    assert files == [f"kernel_{n:02d}.py" for n in range(1, 41)]  # nothing else in the folder
    key = json.loads((tmp_path / "review.key.json").read_text())
    origins = [key["files"][name]["origin"] for name in files]
    assert origins.count("generator") == 20 and origins.count("person") == 20
    # a reviewer who says "generator" for every file is right half the time
    labels = tmp_path / "labels.txt"
    labels.write_text("".join(f"{name}: generator: looks made\n" for name in files))
    results = tmp_path / "realism.json"
    results.write_text(json.dumps({"distinguish": {"generate": {"anonymous": 1.0}}}))
    assert blind_review.main(["--score", str(labels), "--key", str(tmp_path / "review.key.json"),
                              "--results", str(results), "--details", str(tmp_path / "details")]) == 0
    stored = json.loads(results.read_text())
    assert stored["blind_review"] == [{"source": "generate", "seed": 3, "correct": 20, "total": 40}]
    assert stored["distinguish"] == {"generate": {"anonymous": 1.0}}  # other figures kept
    assert "correct: 20 of 40" in capsys.readouterr().out
    details = json.loads((tmp_path / "details" / "generate-seed3.json").read_text())
    assert len(details["files"]) == 40 and details["files"][0]["reason"] == "looks made"
    # a label missing is refused, not counted as wrong
    labels.write_text("kernel_01.py: person\n")
    with pytest.raises(SystemExit, match="no label for 39 files"):
        blind_review.main(["--score", str(labels), "--key", str(tmp_path / "review.key.json"), "--results", str(results),
                           "--details", str(tmp_path / "details")])
