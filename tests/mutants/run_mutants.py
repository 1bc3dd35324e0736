"""`make test-mutants`: every verdict's test must fail when the verdict is weakened.

Each entry of tests/mutants/mutants.toml names a line of the source as it is written, a weakened
form of it (a threshold loosened, a check skipped, a comparison made blind) and the tests that
guard it. For each entry, in a scratch copy of the tree (build-mutants/tree, its own build folder
beside it, objects it does not change taken from ccache), the line is replaced, the binaries the
tests need are built, and the named tests are run: the mutant is *caught* when at least one of
them fails. A mutant no test catches is a verdict that could go soft in silence; the run then
exits 1.

Before any mutant, the named tests are run on the unmutated copy and must pass: a test that fails
anyway would "catch" every mutant. A listed line that is not found exactly once in its file stops
the run (the list is kept true as the code moves), and so does a mutant that does not build.

    .venv/bin/python tests/mutants/run_mutants.py [--only NAME_PART]... [--list]
"""

from __future__ import annotations

import argparse
import dataclasses
import filecmp
import fnmatch
import json
import os
import shutil
import subprocess
import sys
import time
import tomllib
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
MUTANTS_FILE = REPO / "tests" / "mutants" / "mutants.toml"
SCRATCH = REPO / "build-mutants"
TREE = SCRATCH / "tree"
BUILD = TREE / "build"
REPORT = SCRATCH / "report.json"
# A mutant whose tests run longer than this is caught by time: a check made blind that hangs them.
TEST_TIMEOUT_S = 600
CPP_SUFFIXES = (".cpp", ".h")


@dataclasses.dataclass
class Mutant:
    name: str
    file: str
    line: str
    weakened: str
    guards: str
    tests: list[str]

    @property
    def cpp_tests(self) -> list[str]:
        return [t.removeprefix("cpp:") for t in self.tests if t.startswith("cpp:")]

    @property
    def py_tests(self) -> list[str]:
        return [t for t in self.tests if not t.startswith("cpp:")]

    @property
    def changes_cpp(self) -> bool:
        return self.file.endswith(CPP_SUFFIXES)


class ListError(Exception):
    """The mutation list does not hold for the tree as it is (the message says where)."""


def load_mutants(path: Path = MUTANTS_FILE) -> list[Mutant]:
    entries = tomllib.loads(path.read_text()).get("mutant", [])
    mutants, names = [], set()
    for i, entry in enumerate(entries, 1):
        missing = [f for f in ("name", "file", "line", "weakened", "guards", "tests") if not entry.get(f)]
        if missing:
            raise ListError(f"{path.name}: mutant {i} lacks {', '.join(missing)}")
        mutant = Mutant(**{f.name: entry[f.name] for f in dataclasses.fields(Mutant)})
        if mutant.name in names:
            raise ListError(f"{path.name}: two mutants are named {mutant.name!r}")
        if mutant.line.strip() == mutant.weakened.strip():
            raise ListError(f"{path.name}: mutant {mutant.name!r} changes nothing")
        names.add(mutant.name)
        mutants.append(mutant)
    return mutants


def mutated_text(text: str, mutant: Mutant) -> str:
    """The file's text with the mutant's line (matched without its indentation, exactly once)
    replaced by the weakened form at the same indentation."""
    lines = text.splitlines(keepends=True)
    found = [i for i, line in enumerate(lines) if line.strip() == mutant.line.strip()]
    if len(found) != 1:
        raise ListError(f"mutant {mutant.name!r}: the line is found {len(found)} times in {mutant.file} "
                        f"(it must be exactly once): {mutant.line.strip()}")
    i = found[0]
    indent = lines[i][: len(lines[i]) - len(lines[i].lstrip())]
    ending = "\n" if lines[i].endswith("\n") else ""
    lines[i] = indent + mutant.weakened.strip() + ending
    return "".join(lines)


# ------------------------------------------------------------------------------- the scratch tree


def tree_files() -> list[str]:
    """The files of the checkout as git sees them: tracked, and untracked ones not ignored."""
    out = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=REPO,
                         check=True, capture_output=True).stdout
    return sorted({name for name in out.decode().split("\0") if name and (REPO / name).is_file()})


def sync_tree() -> None:
    """The scratch tree made equal to the checkout; files already equal keep their times, so that the
    scratch build only recompiles what differs."""
    files = tree_files()
    wanted = set(files)
    for name in files:
        source, target = REPO / name, TREE / name
        if target.is_file() and filecmp.cmp(source, target, shallow=False):
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, target)
    for path in sorted(TREE.rglob("*"), reverse=True):
        relative = path.relative_to(TREE).as_posix()
        if relative.split("/")[0] in ("build", ".venv") or relative in wanted:
            continue
        if path.is_file() or path.is_symlink():
            path.unlink()
        elif path.is_dir() and not any(path.iterdir()):
            path.rmdir()
    venv = TREE / ".venv"
    if not venv.exists():
        venv.symlink_to(REPO / ".venv")


def build(targets: list[str]) -> subprocess.CompletedProcess:
    if not (BUILD / "CMakeCache.txt").exists():
        subprocess.run(["cmake", "-S", TREE, "-B", BUILD, "-DCMAKE_BUILD_TYPE=RelWithDebInfo"], check=True,
                       stdout=subprocess.DEVNULL)
    return subprocess.run(["cmake", "--build", BUILD, "-j", str(os.cpu_count() or 2), "--target", *targets],
                          capture_output=True, text=True)


def targets_for(mutants: list[Mutant]) -> list[str]:
    targets = []
    if any(m.cpp_tests for m in mutants):
        targets.append("warpsynth_tests")
    if any(m.py_tests for m in mutants):
        targets.append("warpsynth")
    return targets


# ------------------------------------------------------------------------------- running tests


def test_env() -> dict:
    """The environment of the tests, less what would point them at another binary or worker than
    the scratch copy's (the checkout's, or a user's)."""
    return {k: v for k, v in os.environ.items()
            if k not in ("WARPSYNTH_BIN", "WARPSYNTH_PYTHON", "WARPSYNTH_WORKER_PATH", "PYTHONPATH")}


def run_tests(cpp: list[str], py: list[str]) -> tuple[bool, str]:
    """(whether every named test passed, the output of the run that failed)."""
    if cpp:
        result = subprocess.run([BUILD / "warpsynth_tests", "--gtest_filter=" + ":".join(cpp), "--gtest_brief=1"],
                                cwd=BUILD, capture_output=True, text=True, env=test_env(), timeout=TEST_TIMEOUT_S)
        if result.returncode != 0:
            return False, result.stdout + result.stderr
    if py:
        result = subprocess.run([TREE / ".venv" / "bin" / "python", "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider",
                                 *py], cwd=TREE, capture_output=True, text=True, env=test_env(), timeout=TEST_TIMEOUT_S)
        if result.returncode in (2, 3, 4, 5):  # interrupted, internal error, usage error, no tests
            raise ListError(f"pytest could not run {' '.join(py)} (exit {result.returncode}):\n"
                            + (result.stdout + result.stderr)[-2000:])
        if result.returncode != 0:
            return False, result.stdout + result.stderr
    return True, ""


def check_cpp_tests_exist(mutants: list[Mutant]) -> None:
    """Each GoogleTest pattern matches a test (a filter that matches none passes in silence)."""
    listed = subprocess.run([BUILD / "warpsynth_tests", "--gtest_list_tests"], capture_output=True, text=True,
                            check=True).stdout
    names, suite = [], ""
    for line in listed.splitlines():
        if not line.startswith(" "):
            suite = line.strip()
        else:
            names.append(suite + line.strip().split()[0])
    for m in mutants:
        for pattern in m.cpp_tests:
            if not any(fnmatch.fnmatchcase(n, pattern) for n in names):
                raise ListError(f"mutant {m.name!r}: no GoogleTest matches {pattern}")


# ------------------------------------------------------------------------------- the run


def run(mutants: list[Mutant]) -> int:
    started = time.monotonic()
    for m in mutants:  # every line found once before anything is built
        mutated_text((REPO / m.file).read_text(), m)
    SCRATCH.mkdir(exist_ok=True)
    sync_tree()
    targets = targets_for(mutants)
    print(f"building the scratch copy ({', '.join(targets)}) in {BUILD.relative_to(REPO)}", flush=True)
    built = build(targets)
    if built.returncode != 0:
        raise ListError("the unmutated scratch copy does not build:\n" + built.stdout[-3000:] + built.stderr[-3000:])
    if any(m.cpp_tests for m in mutants):
        check_cpp_tests_exist(mutants)
    cpp = sorted({t for m in mutants for t in m.cpp_tests})
    py = sorted({t for m in mutants for t in m.py_tests})
    print(f"the named tests on the unmutated copy: {len(cpp)} GoogleTest pattern(s), {len(py)} pytest id(s)", flush=True)
    ok, output = run_tests(cpp, py)
    if not ok:
        raise ListError("the named tests fail without a mutation:\n" + output[-3000:])

    results = []
    for n, m in enumerate(mutants, 1):
        path = TREE / m.file
        original = path.read_text()
        path.write_text(mutated_text(original, m))
        t0 = time.monotonic()
        try:
            if m.changes_cpp:
                built = build(targets_for([m]))
                if built.returncode != 0:
                    raise ListError(f"mutant {m.name!r} does not build:\n" + (built.stdout + built.stderr)[-3000:])
            try:
                passed, output = run_tests(m.cpp_tests, m.py_tests)
                outcome = "not caught" if passed else "caught"
            except subprocess.TimeoutExpired:
                outcome, output = "caught", f"the tests ran past {TEST_TIMEOUT_S} s"
        finally:
            path.write_text(original)
        seconds = time.monotonic() - t0
        results.append({"name": m.name, "file": m.file, "outcome": outcome, "seconds": round(seconds, 1),
                        "tests": m.tests})
        failed_first = next((l.strip() for l in output.splitlines() if "FAILED" in l), output.strip()[-160:])[:160]
        print(f"[{n}/{len(mutants)}] {outcome:10s} {seconds:6.1f} s  {m.name}"
              + (f"\n      {failed_first}" if outcome == "caught" and failed_first else ""), flush=True)
    if any(m.changes_cpp for m in mutants):  # the scratch binaries as the tree has them again
        build(targets)

    missed = [r for r in results if r["outcome"] != "caught"]
    total_s = time.monotonic() - started
    REPORT.write_text(json.dumps({"caught": len(results) - len(missed), "tried": len(results),
                                  "seconds": round(total_s, 1), "mutants": results}, indent=1) + "\n")
    for r in missed:
        print(f"NOT CAUGHT: {r['name']} ({r['file']}); tests: {', '.join(r['tests'])}")
    print(f"mutants: {len(results) - len(missed)} caught, {len(missed)} not caught, of {len(results)} "
          f"in {total_s:.0f} s (report: {REPORT.relative_to(REPO)})")
    return 1 if missed else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", action="append", default=[], metavar="NAME_PART",
                        help="run only the mutants whose name contains this (repeatable)")
    parser.add_argument("--list", action="store_true", help="print the mutants and what each guards, run nothing")
    args = parser.parse_args(argv)
    try:
        mutants = load_mutants()
        if args.only:
            mutants = [m for m in mutants if any(part in m.name for part in args.only)]
            if not mutants:
                raise ListError("no mutant's name contains " + " or ".join(map(repr, args.only)))
        if args.list:
            for m in mutants:
                print(f"{m.name}\n  {m.file}: {m.line.strip()}\n  -> {m.weakened.strip()}\n  guards: {m.guards}\n"
                      f"  tests: {', '.join(m.tests)}")
            return 0
        return run(mutants)
    except ListError as e:
        print(f"test-mutants: {e}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
