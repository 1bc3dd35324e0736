"""The worker as the driver sees it: a process speaking line-delimited JSON."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from warpsynth_worker.protocol import PROTOCOL_VERSION

PYTHON_DIR = Path(__file__).resolve().parents[2] / "python"


@pytest.fixture()
def worker():
    env = dict(os.environ, PYTHONPATH=str(PYTHON_DIR))
    process = subprocess.Popen(
        [sys.executable, "-m", "warpsynth_worker"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    ready = json.loads(process.stdout.readline())
    assert ready["op"] == "ready" and ready["protocol"] == PROTOCOL_VERSION
    yield process
    process.kill()
    process.wait()


def ask(process, message) -> dict:
    line = message if isinstance(message, str) else json.dumps(message)
    process.stdin.write(line + "\n")
    process.stdin.flush()
    return json.loads(process.stdout.readline())


def test_stray_prints_go_to_stderr_not_to_the_protocol(worker, tmp_path):
    source = tmp_path / "noisy.py"
    source.write_text(
        "import warp as wp\nprint('hello from user code')\n"
        "@wp.kernel\ndef k(a: wp.array(dtype=float)):\n    a[wp.tid()] = 1.0\n"
    )
    reply = ask(worker, {"protocol": PROTOCOL_VERSION, "id": 5, "op": "extract", "path": str(source), "label": "noisy.py"})
    assert reply["id"] == 5 and reply["ok"] is True
    assert [k["kernel"] for k in reply["result"]["kernels"]] == ["k"]
    worker.stdin.close()
    worker.wait(timeout=30)
    assert "hello from user code" in worker.stderr.read()


def test_bad_requests_are_answered_not_fatal(worker, tmp_path):
    assert ask(worker, "this is not json")["ok"] is False
    wrong_version = ask(worker, {"protocol": 999, "id": 1, "op": "extract"})
    assert wrong_version["ok"] is False and "protocol" in wrong_version["error"]
    unknown = ask(worker, {"protocol": PROTOCOL_VERSION, "id": 2, "op": "dance"})
    assert unknown == {"protocol": PROTOCOL_VERSION, "id": 2, "ok": False, "error": "ValueError: unknown op 'dance'"}
    missing = ask(worker, {"protocol": PROTOCOL_VERSION, "id": 3, "op": "extract", "path": str(tmp_path / "nope.py")})
    assert missing["ok"] is False and "FileNotFoundError" in missing["error"]
    # Still alive and useful afterwards.
    ok = tmp_path / "ok.py"
    ok.write_text("import warp as wp\n")
    assert ask(worker, {"protocol": PROTOCOL_VERSION, "id": 4, "op": "extract", "path": str(ok)})["ok"] is True


def test_shutdown_ends_the_worker(worker):
    worker.stdin.write(json.dumps({"protocol": PROTOCOL_VERSION, "op": "shutdown"}) + "\n")
    worker.stdin.flush()
    assert worker.wait(timeout=30) == 0
