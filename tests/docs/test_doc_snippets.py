"""Every ```python block in the README and the docs runs, against a small dataset made here."""

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md")), *sorted((ROOT / "examples").glob("**/README.md"))]
BLOCK = re.compile(r"```python\n(.*?)```", re.S)


def snippets():
    for doc in DOCS:
        for n, code in enumerate(BLOCK.findall(doc.read_text())):
            yield pytest.param(code, id=f"{doc.relative_to(ROOT)}#{n + 1}")


@pytest.fixture(scope="module")
def workdir(warpsynth_bin, tmp_path_factory):
    """A folder laid out as after `make demo`: out/demo/generated, out/demo/extracted, out/demo/dataset."""
    work = tmp_path_factory.mktemp("docs")
    demo = work / "out" / "demo"
    for args in (["generate", "--count", "12", "--seed", "1", "--out", demo / "generated", "-q"],
                 ["extract", ROOT / "examples" / "saxpy.py", "--out", demo / "extracted", "-q"],
                 ["dataset", demo / "generated", demo / "extracted", "--out", demo / "dataset", "-q"]):
        result = subprocess.run([str(warpsynth_bin), *map(str, args)], capture_output=True, text=True, timeout=600)
        assert result.returncode == 0, result.stderr
    return work


def test_the_docs_have_snippets():
    assert len(list(snippets())) >= 2


@pytest.mark.parametrize("code", list(snippets()))
def test_snippet_runs(code, workdir):
    result = subprocess.run([sys.executable, "-c", code], cwd=workdir, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
