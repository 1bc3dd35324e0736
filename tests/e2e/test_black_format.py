"""Generated Python is formatted exactly as black (pinned in requirements.txt) formats it: the
printer ports black's line splitting (src/model/black_layout.h), and black itself is the judge."""

import ast
import json
import subprocess
import sys
from pathlib import Path


def black_check(folder: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "black", "--check", str(folder)], capture_output=True, text=True)


def test_black_leaves_1000_generated_kernels_unchanged(warpsynth_bin, tmp_path):
    out = tmp_path / "gen"
    result = subprocess.run(
        [str(warpsynth_bin), "generate", "--count", "1000", "--seed", "7", "--out", str(out), "--quiet"],
        capture_output=True, text=True, timeout=900,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    sources = tmp_path / "py"
    sources.mkdir()
    wrapped = None
    for shard in sorted(out.glob("kernels-*.jsonl")):
        for line in shard.read_text().splitlines():
            record = json.loads(line)
            path = sources / f"sample_{record['meta']['generator']['index']:05d}.py"
            path.write_text(record["python"])
            if wrapped is None and "(\n" in record["python"]:
                wrapped = record["python"]
    # Exact duplicates are dropped from a shard (they are few: a small kernel can come twice).
    kept = len(list(sources.iterdir()))
    summary = json.loads((out / "summary.json").read_text())
    assert kept == 1000 - summary["duplicates_dropped"] and kept >= 980
    check = black_check(sources)
    assert check.returncode == 0, check.stderr[-3000:]
    assert f"{kept} files would be left unchanged" in check.stderr

    # The check can fail: the same kernel unwrapped (ast.unparse writes each statement on one line).
    joined = tmp_path / "joined"
    joined.mkdir()
    (joined / "sample.py").write_text(ast.unparse(ast.parse(wrapped)) + "\n")
    assert black_check(joined).returncode == 1
