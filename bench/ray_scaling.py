"""`warpsynth generate --ray` on a Ray cluster of one node and of two, each node pinned to its own
core (taskset) and each task running one worker (--jobs 1), in one run (issue 14, acceptance 4).

The nodes are started with `ray start`, pinned with `taskset -c CORE` (every process a node starts,
its tasks and their warpsynth and workers included, inherits the pin); the driver runs unpinned.
Each cluster makes the same run (--count, --shard-size), timed from the command's start to its
end; both outputs are compared with a local run's bytes.

Run after `make`:  .venv/bin/python bench/ray_scaling.py [--count 2000] [--shard-size 100]
Writes bench/results/ray.json.
"""

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / "build" / "warpsynth"
RAY = ROOT / ".venv" / "bin" / "ray"


def start_cluster(nodes: int, port: int, temp: str) -> str:
    address = None
    for n in range(nodes):
        args = ["taskset", "-c", str(n), str(RAY), "start", "--num-cpus", "1", "--disable-usage-stats"]
        if n == 0:
            args += ["--head", "--port", str(port), "--include-dashboard", "false", "--temp-dir", temp]
        else:
            args += ["--address", address]
        result = subprocess.run(args, capture_output=True, text=True)
        if result.returncode != 0:
            sys.exit(result.stdout + result.stderr)
        if n == 0:
            import ray

            ray.init(address=f"127.0.0.1:{port}", logging_level="ERROR")
            address = ray.get_runtime_context().gcs_address
            ray.shutdown()
    deadline = time.time() + 60
    import ray

    while time.time() < deadline:
        ray.init(address=address, logging_level="ERROR")
        alive = len([n for n in ray.nodes() if n.get("Alive")])
        ray.shutdown()
        if alive == nodes:
            return address
        time.sleep(1)
    sys.exit(f"only {alive} of {nodes} nodes came up")


def stop_cluster():
    subprocess.run([str(RAY), "stop", "--force"], capture_output=True, text=True)


def timed_run(args: list, out: Path) -> float:
    start = time.perf_counter()
    result = subprocess.run([str(BIN), *map(str, args), "--out", str(out)], capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if result.returncode != 0:
        sys.exit(result.stdout + result.stderr)
    return seconds


def shards(folder: Path) -> dict:
    return {p.name: p.read_bytes() for p in sorted(folder.glob("kernels-*"))} | {
        "manifest.json": (folder / "manifest.json").read_bytes()}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=2000)
    parser.add_argument("--shard-size", type=int, default=100)
    args = parser.parse_args()
    run = ["generate", "--count", args.count, "--shard-size", args.shard_size, "--seed", 3, "--jobs", 1, "--quiet"]
    report = {"machine": {"cpu": platform.processor() or platform.machine(), "cores": os.cpu_count()},
              "count": args.count, "shard_size": args.shard_size, "runs": {}}
    with tempfile.TemporaryDirectory() as work:
        work = Path(work)
        timed_run(run, work / "local")
        for nodes in (1, 2):
            stop_cluster()
            address = start_cluster(nodes, 6380 + nodes, str(work / f"ray{nodes}"))
            try:
                seconds = timed_run([*run, "--ray", address], work / f"nodes{nodes}")
            finally:
                stop_cluster()
            same = shards(work / f"nodes{nodes}") == shards(work / "local")
            report["runs"][f"{nodes}_nodes"] = {"seconds": seconds, "kernels_per_s": args.count / seconds,
                                                "same_bytes_as_local": same}
            print(f"{nodes} node(s): {seconds:.1f} s ({args.count / seconds:.1f} kernels/s), "
                  f"same bytes as a local run: {same}", flush=True)
    scaling = report["runs"]["1_nodes"]["seconds"] / report["runs"]["2_nodes"]["seconds"]
    report["scaling_2_nodes"] = scaling
    print(f"scaling_2_nodes {scaling:.2f} (target >= 1.5)")
    (ROOT / "bench" / "results" / "ray.json").write_text(json.dumps(report, indent=2) + "\n")
    return 0 if scaling >= 1.5 and all(r["same_bytes_as_local"] for r in report["runs"].values()) else 1


if __name__ == "__main__":
    sys.exit(main())
