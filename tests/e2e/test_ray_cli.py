"""End-to-end: `warpsynth generate --ray` on a local Ray cluster of two nodes (issue 14): the same
bytes as a local run, a node lost mid-run, the driver killed mid-run and resumed, bad addresses."""

import json
import os
import signal
import subprocess
import time
from pathlib import Path

import pytest

RUN = ["generate", "--count", 4000, "--shard-size", 500, "--seed", 14, "--jobs", 1, "--quiet"]


def run_cli(binary, *args, timeout=900):
    return subprocess.run([str(binary), *map(str, args)], capture_output=True, text=True, timeout=timeout)


def outputs(folder: Path) -> dict:
    return {p.name: p.read_bytes() for p in sorted(folder.glob("kernels-*"))} | {
        "manifest.json": (folder / "manifest.json").read_bytes()}


def summary_without_cluster(folder: Path) -> tuple:
    summary = json.loads((folder / "summary.json").read_text())
    return summary, summary.pop("cluster", None)


@pytest.fixture(scope="module")
def local_run(warpsynth_bin, tmp_path_factory):
    out = tmp_path_factory.mktemp("local") / "run"
    result = run_cli(warpsynth_bin, *RUN[:-3], "--jobs", 2, "--quiet", "--out", out)
    assert result.returncode == 0, result.stderr
    return out


@pytest.fixture
def cluster(monkeypatch):
    # Loopback only: with this switch off, Ray takes 127.0.0.1 as every process's node address (the
    # nodes, the launcher warpsynth starts, their workers), as it does on a laptop; otherwise it binds
    # to the machine's network address and turns a 127.0.0.1 address into it.
    monkeypatch.setenv("RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER", "0")
    ray_utils = pytest.importorskip("ray.cluster_utils")
    c = ray_utils.Cluster(initialize_head=True, head_node_args={"num_cpus": 1, "include_dashboard": False})
    second = c.add_node(num_cpus=1)
    c.wait_for_nodes()
    assert c.address.startswith("127.0.0.1:"), c.address
    assert {c.head_node.node_ip_address, second.node_ip_address} == {"127.0.0.1"}
    yield c, second
    c.shutdown()


def wait_for_shards(out: Path, count: int, process, limit=600):
    deadline = time.time() + limit
    while time.time() < deadline:
        if process.poll() is not None:
            raise AssertionError("the run ended early: " + process.stderr.read())
        try:
            if len(json.loads((out / "manifest.json").read_text())["complete_shards"]) >= count:
                return
        except (OSError, ValueError, KeyError):
            pass
        time.sleep(0.2)
    raise AssertionError("no shard in time")


def wait_for_two_tasks_running(out: Path, process, limit=600):
    """Until both nodes run a task: attempts started (DIR/.ray-attempts) exceed the shards done by 2."""
    deadline = time.time() + limit
    while time.time() < deadline:
        if process.poll() is not None:
            raise AssertionError("the run ended early: " + process.stderr.read())
        try:
            started = len(os.listdir(out / ".ray-attempts"))
            done = len(json.loads((out / "manifest.json").read_text())["complete_shards"])
            if started - done >= 2:
                return
        except (OSError, ValueError, KeyError):
            pass
        time.sleep(0.05)
    raise AssertionError("the two nodes never ran tasks at once")


def test_a_ray_run_gives_the_local_bytes_and_survives_a_lost_node(warpsynth_bin, local_run, cluster, tmp_path):
    c, second = cluster
    out = tmp_path / "run"
    process = subprocess.Popen([str(warpsynth_bin), *map(str, RUN), "--ray", c.address, "--out", str(out)],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    wait_for_shards(out, 1, process)
    wait_for_two_tasks_running(out, process)
    c.remove_node(second)  # the second node goes while its task runs: the task is retried elsewhere
    stdout, stderr = process.communicate(timeout=900)
    assert process.returncode == 0, stderr
    assert outputs(out) == outputs(local_run)
    summary, section = summary_without_cluster(out)
    assert summary == summary_without_cluster(local_run)[0]
    assert section["tasks"] == 8 and section["retries"] >= 1 and section["nodes"] >= 1, section
    assert f"8 tasks, {section['retries']} retried" in stdout
    assert not list(out.glob(".ray-*")) and not list(out.glob("*.tmp*"))


def test_the_driver_killed_mid_run_resumes_to_the_same_bytes(warpsynth_bin, local_run, cluster, tmp_path):
    c, _ = cluster
    out = tmp_path / "run"
    args = [str(warpsynth_bin), *map(str, RUN), "--ray", c.address, "--out", str(out)]
    process = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    wait_for_shards(out, 2, process)
    process.send_signal(signal.SIGKILL)
    process.wait()
    again = subprocess.run(args, capture_output=True, text=True, timeout=900)
    assert again.returncode == 0, again.stderr
    assert "resumed" in again.stdout and "(0 resumed)" not in again.stdout, again.stdout
    assert outputs(out) == outputs(local_run)


@pytest.mark.parametrize("address, code, message", [
    ("nonsense", 2, "--ray 'nonsense' is not auto or HOST:PORT"),
    ("127.0.0.1:99999", 2, "the port is not a number in 1..65535"),
    ("127.0.0.1:1", 1, "no Ray cluster answers at 127.0.0.1:1"),
])
def test_a_bad_address_is_refused_before_any_work(warpsynth_bin, tmp_path, address, code, message):
    out = tmp_path / "run"
    result = run_cli(warpsynth_bin, "generate", "--count", 10, "--ray", address, "--out", out, timeout=120)
    assert result.returncode == code and message in result.stderr, result.stderr
    assert not out.exists()  # refused before any work


def test_verify_on_the_cluster_gives_the_local_bytes(warpsynth_bin, cluster, tmp_path):
    c, _ = cluster
    source = tmp_path / "source"
    assert run_cli(warpsynth_bin, "generate", "--count", 16, "--seed", 4, "--out", source, "-q").returncode == 0
    args = ["verify", source, "--shard-size", 8, "--jobs", 1, "-q"]
    local = run_cli(warpsynth_bin, *args, "--out", tmp_path / "local")
    on_cluster = run_cli(warpsynth_bin, *args, "--ray", c.address, "--out", tmp_path / "ray")
    assert on_cluster.returncode == local.returncode, on_cluster.stderr
    assert outputs(tmp_path / "ray") == outputs(tmp_path / "local")
    ours, section = summary_without_cluster(tmp_path / "ray")
    theirs, _ = summary_without_cluster(tmp_path / "local")
    ours.pop("input"), theirs.pop("input")
    assert ours == theirs and section["tasks"] == 2, section
