"""tests/mutants/mutants.toml against the code: every listed line is found exactly once, so that a
change that moves or rewrites a guarded line is told by `make test`, not first by `make test-mutants`."""

import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "tests" / "mutants"))

import run_mutants  # noqa: E402


def test_every_mutant_names_a_line_the_code_has_once_and_changes_it():
    mutants = run_mutants.load_mutants()
    assert len(mutants) >= 25
    for m in mutants:
        original = (REPO / m.file).read_text()
        mutated = run_mutants.mutated_text(original, m)
        assert mutated != original, m.name
        assert len(mutated.splitlines()) == len(original.splitlines()), m.name


def test_the_weakened_line_keeps_its_indentation_and_a_missing_line_is_an_error():
    m = run_mutants.Mutant(name="n", file="f.py", line="if x > 1:", weakened="if False:", guards="g", tests=["t"])
    assert run_mutants.mutated_text("def f(x):\n    if x > 1:\n        return 1\n", m) == (
        "def f(x):\n    if False:\n        return 1\n")
    with pytest.raises(run_mutants.ListError, match="found 0 times"):
        run_mutants.mutated_text("def f(x):\n    return 1\n", m)
    with pytest.raises(run_mutants.ListError, match="found 2 times"):
        run_mutants.mutated_text("if x > 1:\n    pass\nif x > 1:\n    pass\n", m)


def test_every_mutant_is_in_the_reliability_doc():
    doc = (REPO / "docs" / "reliability.md").read_text()
    missing = [m.name for m in run_mutants.load_mutants() if f"| {m.name} |" not in doc]
    assert missing == []
