"""Every C++ excerpt in the docs is code Warp generates now: a ```cpp block must follow a marker
`<!-- excerpt: FILE KERNEL DEVICE.PART -->` naming a file of this repository, a kernel in it and
a piece of its record (`cpu.forward`, `cuda.module`, ...). The test extracts each named file with
the real CLI and checks the block against that piece: `...` lines stand for omitted lines, each
run of lines between them must appear in the piece as consecutive lines and the runs in order;
a trailing `//: note` is the doc's annotation; runs of white space compare as one space. A Warp
upgrade that changes the code fails here instead of leaving the docs wrong."""

import json
import re
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
BLOCK = re.compile(r"(<!-- excerpt: (\S+) (\S+) (cpu|cuda)\.(forward|backward|module) -->\n)?```cpp\n(.*?)```", re.S)


def excerpts():
    for doc in DOCS:
        for n, match in enumerate(BLOCK.finditer(doc.read_text())):
            yield pytest.param(match, id=f"{doc.relative_to(ROOT)}#{n + 1}")


def _squash(line: str) -> str:
    return re.sub(r"\s+", " ", line.split("//:")[0].strip())


def runs(block: str) -> list[list[str]]:
    """The excerpt's runs of lines, split at `...` lines."""
    out = [[]]
    for line in block.splitlines():
        if line.strip() == "...":
            out.append([])
        elif _squash(line):
            out[-1].append(_squash(line))
    return [run for run in out if run]


def find_runs(code: str, block: str) -> str | None:
    """None when every run is in `code`, in order, each as consecutive lines; else the first run
    that is not."""
    lines = [_squash(line) for line in code.splitlines()]
    lines = [line for line in lines if line]
    at = 0
    for run in runs(block):
        found = next((i for i in range(at, len(lines) - len(run) + 1) if lines[i : i + len(run)] == run), None)
        if found is None:
            return "\n".join(run)
        at = found + len(run)
    return None


@pytest.fixture(scope="module")
def records(warpsynth_bin, tmp_path_factory):
    """The records of every file an excerpt names, by (file, kernel)."""
    files = sorted({m.values[0].group(2) for m in excerpts() if m.values[0].group(1)})
    out = tmp_path_factory.mktemp("excerpts")
    result = subprocess.run(
        [str(warpsynth_bin), "extract", *[str(ROOT / f) for f in files], "--out", str(out), "--quiet"],
        capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    found = {}
    for line in (out / "kernels.jsonl").read_text().splitlines():
        record = json.loads(line)
        found[(Path(record["meta"]["source"]["file"]).name, record["kernel"])] = record
    return found


def test_the_docs_quote_generated_code():
    assert len(list(excerpts())) >= 10


@pytest.mark.parametrize("match", list(excerpts()))
def test_excerpt_is_generated_code(match, records):
    assert match.group(1), "a ```cpp block without an <!-- excerpt: FILE KERNEL DEVICE.PART --> marker"
    record = records[(Path(match.group(2)).name, match.group(3))]
    missing = find_runs(record[match.group(4)][match.group(5)] or "", match.group(6))
    assert missing is None, f"not in {match.group(3)} {match.group(4)}.{match.group(5)}:\n{missing}"


def test_the_check_finds_a_changed_line():
    code = "a = 1;\nb = 2;\nc = 3;\n"
    assert find_runs(code, "a = 1;\n...\nc = 3;   //: the last one\n") is None
    assert find_runs(code, "a = 1;\nc = 3;\n") == "a = 1;\nc = 3;"  # not consecutive
    assert find_runs(code, "c = 3;\n...\na = 1;\n") == "a = 1;"  # out of order
    assert find_runs(code, "b = 4;\n") == "b = 4;"
