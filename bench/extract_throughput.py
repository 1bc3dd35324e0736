"""Times `warpsynth extract --package newton` with one worker and with two, in one run.

Run after `make corpus` (it installs newton):
    .venv/bin/python bench/extract_throughput.py [--package newton] [--rounds 1]
Rounds alternate --jobs 1 and --jobs 2 (this machine's speed drifts minute to minute, so the two
are timed side by side); each run's output is compared byte for byte with the first --jobs 1
output. Prints the times and writes bench/results/extract_throughput.json with `jobs1_s` and
`jobs2_s` (the best of the rounds) and their ratio.
"""

import argparse
import filecmp
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from importlib import metadata
from pathlib import Path

import warp

ROOT = Path(__file__).resolve().parent.parent
OUTPUTS = ("kernels.jsonl", "summary.json")


def extract(package: str, jobs: int, out: Path) -> float:
    start = time.perf_counter()
    result = subprocess.run(
        [str(ROOT / "build" / "warpsynth"), "extract", "--package", package, "--jobs", str(jobs), "--out", str(out),
         "--quiet"],
        capture_output=True, text=True,
    )
    seconds = time.perf_counter() - start
    if result.returncode not in (0, 1):
        sys.exit(f"extract --jobs {jobs} failed:\n{result.stdout}\n{result.stderr}")
    return seconds


def same_output(a: Path, b: Path) -> bool:
    if not all(filecmp.cmp(a / name, b / name, shallow=False) for name in OUTPUTS):
        return False
    preambles_a, preambles_b = sorted(os.listdir(a / "preambles")), sorted(os.listdir(b / "preambles"))
    return preambles_a == preambles_b and all(
        filecmp.cmp(a / "preambles" / p, b / "preambles" / p, shallow=False) for p in preambles_a
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--package", default="newton")
    parser.add_argument("--rounds", type=int, default=1)
    args = parser.parse_args()
    times = {1: [], 2: []}
    identical = True
    with tempfile.TemporaryDirectory() as scratch:
        scratch = Path(scratch)
        reference = scratch / "reference"
        for round_ in range(args.rounds):
            for jobs in (1, 2):
                out = reference if not reference.exists() else scratch / f"r{round_}-j{jobs}"
                seconds = extract(args.package, jobs, out)
                times[jobs].append(seconds)
                if out != reference and not same_output(reference, out):
                    identical = False
                    kept = Path(tempfile.mkdtemp(prefix="extract-differs-"))
                    shutil.copytree(reference, kept / "reference")
                    shutil.copytree(out, kept / out.name)
                    print(f"outputs differ: both kept in {kept}", flush=True)
                print(f"round {round_ + 1}, --jobs {jobs}: {seconds:.1f} s", flush=True)
        summary = json.loads((reference / "summary.json").read_text())
    jobs1, jobs2 = min(times[1]), min(times[2])
    report = {
        "what": f"warpsynth extract --package {args.package}, --jobs 1 and --jobs 2, rounds alternating",
        "package": f"{args.package} {metadata.version(args.package)}",
        "warp_version": warp.config.version,
        "machine": {"cpu": platform.processor() or platform.machine(), "cores": os.cpu_count()},
        "files": summary["files"],
        "records": summary["records"],
        "jobs1_s": jobs1,
        "jobs2_s": jobs2,
        "speedup_jobs2": jobs1 / jobs2,
        "all_runs_s": {"jobs1": times[1], "jobs2": times[2]},
        "outputs_identical": identical,
    }
    out_file = ROOT / "bench" / "results" / "extract_throughput.json"
    out_file.parent.mkdir(parents=True, exist_ok=True)
    out_file.write_text(json.dumps(report, indent=2) + "\n")
    print(f"--jobs 1 {jobs1:.1f} s, --jobs 2 {jobs2:.1f} s: {jobs1 / jobs2:.2f}x; outputs identical: {identical}")
    print(f"-> {out_file.relative_to(ROOT)}")
    return 0 if identical else 1


if __name__ == "__main__":
    raise SystemExit(main())
