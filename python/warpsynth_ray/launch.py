"""``python -m warpsynth_ray.launch --address A --binary BIN --out DIR --shards 0,3,7 -- generate ARGS...``

Started by ``warpsynth generate --ray`` (src/run/cluster_run.cpp), which keeps the manifest.
Connects to the Ray cluster at A, checks that every node sees the output folder DIR, and runs one
task per shard: ``BIN ARGS... --cluster-task-shards ID`` on a node, which writes the shard whole
into DIR and prints its outcome. Each finished shard is reported on stdout as one JSON line,
``{"event": "shard", "shard": ID, "outcome": {...}}``, then ``{"event": "done", "nodes", "tasks",
"retries"}``; a failure as ``{"event": "error", "message"}`` (exit 1). A task lost with its node is
retried by Ray (``max_retries``); every attempt leaves a marker in DIR/.ray-attempts, which counts
the retries and is removed at the end.
"""

import argparse
import json
import os
import signal
import socket
import subprocess
import sys
import uuid

ATTEMPTS = ".ray-attempts"


def emit(message: dict) -> None:
    sys.stdout.write(json.dumps(message) + "\n")
    sys.stdout.flush()


def fail(message: str) -> int:
    emit({"event": "error", "message": message})
    return 1


def reachable(address: str) -> bool:
    if address == "auto":
        return True
    host, _, port = address.rpartition(":")
    try:
        socket.create_connection((host, int(port)), timeout=5).close()
        return True
    except OSError:
        return False


def _die_with_parent() -> None:
    """The shard's process ends with the Ray worker that started it (a node removed, a task cancelled)."""
    import ctypes

    ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


def main(argv: list) -> int:
    if "--" not in argv:
        print(__doc__, file=sys.stderr)
        return 2
    split = argv.index("--")
    parser = argparse.ArgumentParser(description="the Ray launcher of warpsynth generate --ray")
    parser.add_argument("--address", required=True)
    parser.add_argument("--binary", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--shards", required=True)
    args = parser.parse_args(argv[:split])
    task_args = argv[split + 1 :]
    shards = [int(s) for s in args.shards.split(",") if s]

    if not reachable(args.address):
        return fail(f"no Ray cluster answers at {args.address}")
    import ray

    try:
        ray.init(address=args.address, logging_level="ERROR", log_to_driver=False, configure_logging=False)
    except Exception as e:  # noqa: BLE001 - reported to the driver
        return fail(f"cannot connect to the Ray cluster at {args.address}: {e}")

    # Every node must see the output folder: a marker written here is looked for on each node.
    probe = f".ray-probe-{uuid.uuid4().hex}"
    with open(os.path.join(args.out, probe), "w") as f:
        f.write("probe\n")

    @ray.remote(num_cpus=0)
    def sees(path: str) -> str:
        return ray.get_runtime_context().get_node_id() if os.path.exists(path) else ""

    from ray.util.scheduling_strategies import NodeAffinitySchedulingStrategy

    nodes = [n["NodeID"] for n in ray.nodes() if n.get("Alive")]
    checks = [sees.options(scheduling_strategy=NodeAffinitySchedulingStrategy(n, soft=False)).remote(
        os.path.join(args.out, probe)) for n in nodes]
    blind = [n for n, seen in zip(nodes, ray.get(checks)) if not seen]
    os.remove(os.path.join(args.out, probe))
    if blind:
        return fail(f"{len(blind)} of {len(nodes)} Ray nodes do not see the output folder {args.out} "
                    f"(it must be on a file system every node shares): node {blind[0]}")

    attempts = os.path.join(args.out, ATTEMPTS)
    import shutil

    shutil.rmtree(attempts, ignore_errors=True)  # left by a run whose driver was killed: not this run's retries
    os.makedirs(attempts)

    @ray.remote(num_cpus=1, max_retries=5)
    def make_shard(shard: int) -> dict:
        open(os.path.join(attempts, f"{shard}-{uuid.uuid4().hex}"), "w").close()
        result = subprocess.run([args.binary, *task_args, "--cluster-task-shards", str(shard)], capture_output=True,
                                text=True, preexec_fn=_die_with_parent)
        if result.returncode != 0:
            raise RuntimeError(f"shard {shard}: {args.binary} exited with {result.returncode}: {result.stderr[-2000:]}")
        lines = [json.loads(l) for l in result.stdout.splitlines() if l.startswith("{")]
        return {"shard": shard, "outcome": lines[-1]["outcome"], "node": ray.get_runtime_context().get_node_id()}

    pending = {make_shard.remote(s): s for s in shards}
    used_nodes = set()
    try:
        while pending:
            done, _ = ray.wait(list(pending), num_returns=1)
            for ref in done:
                shard = pending.pop(ref)
                try:
                    result = ray.get(ref)
                except Exception as e:  # noqa: BLE001 - the shard's own failure, after Ray's retries
                    return fail(f"shard {shard} failed on the cluster: {e}")
                used_nodes.add(result["node"])
                emit({"event": "shard", "shard": shard, "outcome": result["outcome"]})
        markers = os.listdir(attempts)
        emit({"event": "done", "nodes": len(used_nodes), "tasks": len(shards), "retries": max(0, len(markers) - len(shards))})
    finally:
        shutil.rmtree(attempts, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
