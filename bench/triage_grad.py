"""Sorts the gradient failures of a `generate --verify grad` run by what their kernels contain, so
that docs/findings.md can say which known finding each one is an instance of, and which are left.

    .venv/bin/python bench/triage_grad.py RUN_DIR --seed S [--binary build/warpsynth] [--out FILE.json]

Each failure's Python comes from `warpsynth generate --seed S --show INDEX` (the generator that made
the run must be the one given: a later generator draws other kernels). The first rule that matches
names the failure's class:

- `break in an unrolled loop` (finding 1): a `for` over `range()` of literals with a `break` in it;
- `dynamic loop` (finding 2): a `for` over a range that is not literal, or a `while` loop (the
  check skips the loops it sees reassigning a carried value, not every use of one after the loop);
- `geometric query`: closest points, ray casts and neighbour queries (mesh, BVH, hash grid), whose
  result jumps where the closest face or the set of items changes within the finite-difference step;
- `kink`: a non-smooth builtin in the kernel (floor, round, sign, abs, min, max, clamp, mod, where,
  an int cast) the sample point may sit next to;
- `large magnitude`: relative error under 5% with absolute error above 100: fp32 finite differences
  of values in the thousands;
- `unexplained`: none of these, the candidates to reduce by hand.

This is a sorting by features, not a proof: a failure in the `kink` class may still be a wrong adjoint.
"""

from __future__ import annotations

import argparse
import collections
import json
import re
import subprocess
import sys
from pathlib import Path

KINK = re.compile(
    r"wp\.(floor|ceil|round|rint|trunc|frac|sign|abs|min|max|clamp|step|where|select|nonzero|mod)\(|"
    r"\s%\s|\bint\(|wp\.atomic_(min|max)\("
)
QUERY = re.compile(r"wp\.(mesh_query_\w+|mesh_eval_\w+|bvh_query_\w+|hash_grid_query\w*|closest_point\w*)\(")
LITERAL_RANGE = re.compile(r"^(\s*)for \w+ in range\(\s*-?\d+\s*(,\s*-?\d+\s*){0,2}\):\s*$")
ANY_LOOP = re.compile(r"^(\s*)(for \w+ in range\(.*\)|while .*):\s*$")
ERRORS = re.compile(r"max abs error ([0-9.e+-]+), rel ([0-9.e+-]+)")


def loop_bodies(lines: list[str], header: re.Pattern) -> list[list[str]]:
    """The lines of each loop whose header matches, by indentation."""
    bodies = []
    for n, line in enumerate(lines):
        m = header.match(line)
        if not m:
            continue
        indent = len(m.group(1))
        body = []
        for inner in lines[n + 1:]:
            if inner.strip() and len(inner) - len(inner.lstrip()) <= indent:
                break
            body.append(inner)
        bodies.append(body)
    return bodies


def classify(python: str, message: str) -> str:
    kernel_lines = python[python.find("@wp.kernel"):].splitlines() if "@wp.kernel" in python else python.splitlines()
    if any(any(l.strip() == "break" for l in body) for body in loop_bodies(python.splitlines(), LITERAL_RANGE)):
        return "break in an unrolled loop (finding 1)"
    if QUERY.search(python):
        return "geometric query"
    errors = ERRORS.search(message)
    if errors and float(errors.group(2)) < 0.05 and float(errors.group(1)) > 100:
        return "large magnitude"
    if any(ANY_LOOP.match(l) and not LITERAL_RANGE.match(l) for l in python.splitlines()):
        return "dynamic loop (finding 2)"
    if KINK.search("\n".join(kernel_lines)):
        return "kink"
    return "unexplained"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("run", type=Path, help="a `generate --verify grad` output folder")
    parser.add_argument("--seed", type=int, required=True, help="the run's --seed")
    parser.add_argument("--binary", default="build/warpsynth", help="the warpsynth that made the run")
    parser.add_argument("--out", type=Path, help="write every failure with its class here (JSON)")
    args = parser.parse_args()
    summary_path = args.run / "summary.json"
    if not summary_path.is_file():
        print(f"error: {summary_path} not found", file=sys.stderr)
        return 2
    failures = [f for f in json.loads(summary_path.read_text())["failures"] if f["stage"] == "grad_check"]
    rows = []
    for k, f in enumerate(failures):
        shown = subprocess.run([args.binary, "generate", "--seed", str(args.seed), "--show", str(f["index"])],
                               capture_output=True, text=True, check=True).stdout
        if f"template {f['template']}" not in shown.splitlines()[0]:
            print(f"error: sample {f['index']} is a {shown.splitlines()[0]!r} here, the run had template "
                  f"{f['template']}: not the generator that made the run", file=sys.stderr)
            return 1
        rows.append({**f, "class": classify(shown, f["message"]), "python": shown})
        if (k + 1) % 50 == 0:
            print(f"[{k + 1}/{len(failures)}]", file=sys.stderr)
    counts = collections.Counter(r["class"] for r in rows)
    print(f"{len(rows)} gradient failures in {args.run}")
    for name, n in counts.most_common():
        templates = collections.Counter(r["template"] for r in rows if r["class"] == name)
        print(f"  {n:5d}  {name}  ({', '.join(f'{t} {c}' for t, c in templates.most_common(5))})")
    if args.out:
        args.out.write_text(json.dumps({"counts": dict(counts), "failures": rows}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
