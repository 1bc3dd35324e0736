"""`warpsynth dataset` on 10,000 generated kernels plus the extraction of warp-lang's examples, with
another seed's 10,000 kernels as the holdout (issue 12, acceptance 2).

Prints the counts each step removed (and checks that the card says the same), then checks the
splits by brute force on a sample, independently of the MinHash code: no pair of rows in different
splits has a token 5-gram Jaccard index of 0.9 or more. Also times the whole command and
measures its peak memory (GNU time).

Run after `make`:  .venv/bin/python bench/dataset_acceptance.py [--sample 2500]
It makes (once, kept in out/bench-dedup/) `generate --count 10000` at seeds 1 and 2 and the
extraction of warp-lang's examples. Writes bench/results/dataset.json.
"""

import argparse
import json
import os
import platform
import random
import re
import subprocess
import sys
import time
from itertools import combinations
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / "build" / "warpsynth"
CACHE = ROOT / "out" / "bench-dedup"
TOKEN = re.compile(r"[A-Za-z_][A-Za-z0-9_]*|[0-9][A-Za-z0-9_.]*|\S")


def shingles(text: str, n: int = 5) -> frozenset:
    tokens = TOKEN.findall(text)
    if len(tokens) < n:
        return frozenset({" ".join(tokens)})
    return frozenset(" ".join(tokens[i : i + n]) for i in range(len(tokens) - n + 1))


def ensure(folder: Path, *args) -> Path:
    if not (folder / "summary.json").exists():
        print(f"making {folder} (once)", flush=True)
        result = subprocess.run([str(BIN), *map(str, args), "--out", str(folder), "--quiet"], capture_output=True,
                                text=True)
        if result.returncode not in (0, 1):
            sys.exit(result.stdout + result.stderr)
    return folder


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sample", type=int, default=2500, help="rows checked pairwise by brute force")
    parser.add_argument("--out", type=Path, default=CACHE / "dataset")
    args = parser.parse_args()
    import warp

    generated = ensure(CACHE / "gen-seed1", "generate", "--count", 10000, "--seed", 1)
    holdout = ensure(CACHE / "gen-seed2", "generate", "--count", 10000, "--seed", 2)
    examples = ensure(CACHE / "examples", "extract", Path(warp.__file__).parent / "examples")

    start = time.perf_counter()
    # GNU time's %M: the peak resident set of the command, or of a process it waited for (the
    # Parquet writer) when that one was larger.
    rss_file = args.out.parent / "dataset-peak-rss.txt"
    result = subprocess.run(["/usr/bin/time", "-f", "%M", "-o", str(rss_file), str(BIN), "dataset", generated,
                             examples, "--holdout", holdout, "--out", args.out], capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if result.returncode != 0:
        sys.exit(result.stdout + result.stderr)
    peak_rss_mb = int(rss_file.read_text().split()[-1]) / 1024
    print(result.stdout.strip())
    summary = json.loads((args.out / "summary.json").read_text())
    card = (args.out / "README.md").read_text()
    counts = summary["records"]
    for label, key in (("exact duplicates", "exact_duplicates"), ("holdout", "contaminated"),
                       ("near-duplicates", "near_duplicates")):
        assert re.search(rf"\| removed: [^|]*{label.split()[0]}[^|]*\| {counts[key]} \|", card), (label, counts[key])

    import pyarrow.parquet as pq

    rows = []
    for path in sorted((args.out / "data").glob("*.parquet")):
        split = path.name.split("-")[0]
        for row in pq.read_table(path, columns=["id", "python", "source_file"]).to_pylist():
            rows.append((split, row))
    random.seed(0)
    sample = random.sample(rows, min(args.sample, len(rows)))
    sets = [shingles(row["python"]) for _, row in sample]
    checked = crossing = 0
    worst = 0.0
    started = time.perf_counter()
    for (i, (split_a, _)), (j, (split_b, _)) in combinations(enumerate(sample), 2):
        if split_a == split_b:
            continue
        checked += 1
        a, b = sets[i], sets[j]
        if len(a) > len(b) * 1.2 or len(b) > len(a) * 1.2:  # |a∩b|/|a∪b| <= min/max < 0.9: cannot reach it
            continue
        jaccard = len(a & b) / len(a | b)
        worst = max(worst, jaccard)
        crossing += jaccard >= 0.9
    brute_seconds = time.perf_counter() - started
    files = {}
    for split, row in rows:
        if row["source_file"]:
            files.setdefault(row["source_file"], set()).add(split)
    split_files = sum(len(s) > 1 for s in files.values())
    report = {
        "machine": {"cpu": platform.processor() or platform.machine(), "cores": os.cpu_count()},
        "inputs": {"generated": str(generated), "extracted": str(examples), "holdout": str(holdout)},
        "records": counts,
        "splits": summary["splits"],
        "near_dedup": summary["near_dedup"],
        "dataset_seconds": seconds,
        "dataset_peak_rss_mb": round(peak_rss_mb, 1),
        "brute_force": {"sample": len(sample), "pairs_across_splits": checked, "pairs_at_0_9_or_more": crossing,
                        "highest_jaccard_across_splits": worst, "seconds": brute_seconds},
        "source_files_in_more_than_one_split": split_files,
    }
    print(f"brute force: {checked} pairs across splits in a sample of {len(sample)}: {crossing} at Jaccard >= 0.9 "
          f"(highest {worst:.3f}); source files in two splits: {split_files}; dataset built in {seconds:.1f} s, "
          f"peak resident memory {peak_rss_mb:.0f} MB")
    (ROOT / "bench" / "results" / "dataset.json").write_text(json.dumps(report, indent=2) + "\n")
    return 0 if crossing == 0 and split_files == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
