"""A blind review: can a reader tell generated kernels from real ones? (issue 26)

    .venv/bin/python bench/blind_review.py --seed 1 --out /tmp/review          # writes the files
    .venv/bin/python bench/blind_review.py --score LABELS --key /tmp/review.key.json

The first form writes 40 files to DIR, kernel_01.py ... kernel_40.py: the Python of 20 generated records
(`warpsynth generate --seed S`, or the folder `--generated` names) and of 20 self-contained real records
(`--real`, default out/corpus from `make corpus`), shuffled. Each file is the record's Python as a
trainer would see it. Nothing outside the code says where it comes from: the key (file -> origin and
record id) is written beside DIR, as DIR.key.json, not in it.

Give the folder to a reviewer who knows nothing else (a person, or a fresh agent) with the question:
"Each file holds a Warp kernel. Which were written by a person and which by a program? Label each file
`person` or `generator` and say why." Their answer, LABELS, is a JSON object {"kernel_01.py":
"person", ...} (or {"kernel_01.py": {"label": "person", "reason": "..."}}), or lines
`kernel_01.py: person: reason`. `--score` prints how many they labeled right, adds the result to
bench/results/realism.json under "blind_review" (other keys kept), and keeps every label and reason
with the file's origin in bench/results/blind_review/SOURCE-seedS.json.

With `--source from` the generated half are variants of real kernels (`generate --from` of the real
kernels of half the source files, or the records of `--generated DIR`); the real kernels shown come
from the other half: never a parent of a variant shown, nor from its parent's file.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

from kernel_views import generate, real_beside_variants, sample_kernels, write_parent_half  # noqa: E402

RESULTS = ROOT / "bench" / "results" / "realism.json"
DETAILS = ROOT / "bench" / "results" / "blind_review"
EACH = 20


def key_path(out: Path) -> Path:
    return out.with_name(out.name + ".key.json")


def write_review(args: argparse.Namespace) -> int:
    if args.out.exists() and any(args.out.iterdir()):
        raise SystemExit(f"{args.out} is not empty: give a new folder")
    with tempfile.TemporaryDirectory() as scratch:
        generated_dir = args.generated
        if generated_dir is None:
            # variants (--source from) of the real kernels of half the files
            parents = write_parent_half(args.real, args.seed, Path(scratch) / "parents") if args.source == "from" else None
            generated_dir = generate(args.seed, 200, Path(scratch) / "generated", parents)
        synthetic = sample_kernels([generated_dir], EACH, args.seed, "synthetic")
    real = sample_kernels(args.real, 4 * EACH, args.seed, "extracted")
    if args.source == "from":  # real kernels of the other half of the files: never a parent or its neighbour
        real = real_beside_variants(real, synthetic, args.seed)
    real = real[:EACH]
    if len(synthetic) < EACH or len(real) < EACH:
        raise SystemExit(f"not enough kernels: {len(synthetic)} generated, {len(real)} real (need {EACH} each)")
    shown = [("generator", item) for item in synthetic] + [("person", item) for item in real]
    random.Random(args.seed * 7919 + 1).shuffle(shown)
    args.out.mkdir(parents=True, exist_ok=True)
    key = {}
    for number, (origin, item) in enumerate(shown, start=1):
        name = f"kernel_{number:02d}.py"
        (args.out / name).write_text(item["record"]["python"])
        key[name] = {"origin": origin, "id": item["id"]}
    key_file = key_path(args.out)
    key_file.write_text(json.dumps({"seed": args.seed, "source": args.source, "files": key}, indent=1) + "\n")
    print(f"wrote {len(shown)} files to {args.out}; the key is {key_file} (keep it from the reviewer)")
    return 0


def read_labels(path: Path) -> dict[str, tuple[str, str]]:
    """file -> (label, reason) from a JSON object or `name: label: reason` lines."""
    text = path.read_text()
    labels = {}
    try:
        data = json.loads(text)
    except json.JSONDecodeError:
        data = None
    if isinstance(data, dict):
        for name, value in data.items():
            label, reason = (value.get("label", ""), value.get("reason", "")) if isinstance(value, dict) else (value, "")
            labels[name] = (str(label).strip().lower(), reason)
        return labels
    for line in text.splitlines():
        match = re.match(r"\s*(kernel_\d+\.py)\s*[:=-]+\s*(person|generator)\b[\s:,-]*(.*)", line, re.IGNORECASE)
        if match:
            labels[match.group(1)] = (match.group(2).lower(), match.group(3).strip())
    return labels


def score(args: argparse.Namespace) -> int:
    if args.key is None:
        raise SystemExit("--score needs --key (DIR.key.json, written beside the review folder)")
    key = json.loads(args.key.read_text())
    labels = read_labels(args.score)
    files = key["files"]
    missing = sorted(set(files) - set(labels))
    if missing:
        raise SystemExit(f"{args.score}: no label for {len(missing)} files: {', '.join(missing[:5])}")
    wrong_labels = sorted(name for name, (label, _) in labels.items() if label not in ("person", "generator"))
    if wrong_labels:
        raise SystemExit(f"{args.score}: labels must be person or generator: {', '.join(wrong_labels[:5])}")
    correct = sum(labels[name][0] == entry["origin"] for name, entry in files.items())
    for name in sorted(files):
        label, reason = labels[name]
        mark = "right" if label == files[name]["origin"] else "WRONG"
        print(f"{name}  {files[name]['origin']:<9} labeled {label:<9} {mark}  {reason[:160]}")
    print(f"correct: {correct} of {len(files)} ({100.0 * correct / len(files):.0f}%)")
    entry = {"source": key["source"], "seed": key["seed"], "correct": correct, "total": len(files)}
    if args.reviewer:
        entry["reviewer"] = args.reviewer
    rows = [{"file": name, "origin": files[name]["origin"], "record_id": files[name]["id"], "label": labels[name][0],
             "reason": labels[name][1]} for name in sorted(files)]
    args.details.mkdir(parents=True, exist_ok=True)
    details = args.details / f"{entry['source']}-seed{entry['seed']}.json"
    details.write_text(json.dumps({**entry, "files": rows}, indent=1) + "\n")
    stored = json.loads(args.results.read_text()) if args.results.exists() else {}
    reviews = [r for r in stored.get("blind_review", []) if (r["source"], r["seed"]) != (entry["source"], entry["seed"])]
    stored["blind_review"] = reviews + [entry]
    args.results.write_text(json.dumps(stored, indent=1) + "\n")
    print(f"written to {args.results}; every label and reason in {details}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, help="the review folder to write (must be new or empty)")
    parser.add_argument("--source", choices=["generate", "from"], default="generate")
    parser.add_argument("--generated", type=Path, help="a folder of synthetic records (default: generate --seed)")
    parser.add_argument("--real", type=Path, nargs="+", default=[ROOT / "out" / "corpus"])
    parser.add_argument("--score", type=Path, help="a reviewer's labels: score them against --key")
    parser.add_argument("--key", type=Path)
    parser.add_argument("--reviewer", help="who reviewed (kept with the score)")
    parser.add_argument("--results", type=Path, default=RESULTS)
    parser.add_argument("--details", type=Path, default=DETAILS, help="where each label and reason of a score is kept")
    args = parser.parse_args(argv)
    if args.score:
        return score(args)
    if args.out is None:
        parser.error("give --out DIR to write a review, or --score LABELS --key KEY to score one")
    return write_review(args)


if __name__ == "__main__":
    sys.exit(main())
