"""Worker memory over a long run: peak resident memory of the workers at 10,000 and 50,000
samples (`warpsynth generate --jobs 2`; workers are replaced every --recycle batches).

Run after `make`:  .venv/bin/python bench/memory.py [--small 10000] [--large 50000]
Takes about 12 minutes on 2 cores. Writes bench/results/memory.json.
"""

import argparse
import json
import os
import platform
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def peak_mib(count: int) -> dict:
    with tempfile.TemporaryDirectory() as out:
        start = time.perf_counter()
        result = subprocess.run([str(ROOT / "build" / "warpsynth"), "generate", "--count", str(count), "--seed", "3",
                                 "--jobs", "2", "--out", out, "--quiet"], capture_output=True, text=True)
        seconds = time.perf_counter() - start
    if result.returncode not in (0, 1):
        sys.exit(result.stdout + result.stderr)
    match = re.search(r"worker peak memory ([\d.]+) MiB; (\d+) worker restarts", result.stdout)
    return {"samples": count, "worker_peak_mib": float(match.group(1)), "restarts": int(match.group(2)),
            "seconds": seconds}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", type=int, default=10000)
    parser.add_argument("--large", type=int, default=50000)
    args = parser.parse_args()
    small, large = peak_mib(args.small), peak_mib(args.large)
    ratio = large["worker_peak_mib"] / small["worker_peak_mib"]
    report = {"machine": {"cpu": platform.processor() or platform.machine(), "cores": os.cpu_count()},
              "small": small, "large": large, "ratio": ratio, "within_20_percent": ratio <= 1.2}
    for run in (small, large):
        print(f"{run['samples']:>7} samples: worker peak {run['worker_peak_mib']:.1f} MiB, "
              f"{run['restarts']} worker restarts, {run['seconds']:.0f} s")
    print(f"ratio {ratio:.3f} (target <= 1.20): {'yes' if ratio <= 1.2 else 'NO'}")
    path = ROOT / "bench" / "results" / "memory.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(report, indent=2) + "\n")
    return 0 if ratio <= 1.2 else 1


if __name__ == "__main__":
    sys.exit(main())
