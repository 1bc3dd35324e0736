"""Times `warpsynth extract` over the examples that ship inside warp-lang.

Run after `make`:  .venv/bin/python bench/extract_throughput.py [--runs 3]
Prints files/s and kernels/s of each run and writes bench/results/extract_throughput.json.
"""

import argparse
import json
import os
import platform
import subprocess
import tempfile
import time
from pathlib import Path

import warp

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    examples = Path(warp.__file__).parent / "examples"
    runs = []
    for i in range(args.runs):
        with tempfile.TemporaryDirectory() as out:
            start = time.perf_counter()
            result = subprocess.run(
                [str(ROOT / "build" / "warpsynth"), "extract", str(examples), "--out", out, "--quiet"],
                capture_output=True, text=True,
            )
            seconds = time.perf_counter() - start
            if result.returncode not in (0, 1):
                print(result.stdout, result.stderr)
                return 1
            summary = json.loads((Path(out) / "summary.json").read_text())
        runs.append({"seconds": seconds, "files": summary["files"], "kernels": summary["kernels_extracted"]})
        print(f"run {i + 1}: {seconds:.2f} s, {summary['files'] / seconds:.1f} files/s, "
              f"{summary['kernels_extracted'] / seconds:.1f} kernels/s")
    best = min(runs, key=lambda r: r["seconds"])
    report = {
        "what": "warpsynth extract over warp-lang's shipped examples, one worker",
        "warp_version": warp.config.version,
        "machine": {"cpu": platform.processor() or platform.machine(), "cores": os.cpu_count()},
        "runs": runs,
        "best_kernels_per_s": best["kernels"] / best["seconds"],
    }
    out_file = ROOT / "bench" / "results" / "extract_throughput.json"
    out_file.parent.mkdir(parents=True, exist_ok=True)
    out_file.write_text(json.dumps(report, indent=2) + "\n")
    print(f"best: {report['best_kernels_per_s']:.1f} kernels/s -> {out_file.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
