"""The worker's state guard (issue 13): what a file changes in the interpreter is put back or seen."""

import os
import sys
import threading

import pytest

warp = pytest.importorskip("warp")

from warpsynth_worker import state_guard  # noqa: E402
from warpsynth_worker.state_guard import StateGuard  # noqa: E402


@pytest.fixture
def guard():
    import warpsynth_worker.extract  # noqa: F401 - watched like the worker's other modules

    return StateGuard()


def test_nothing_changed_is_nothing(guard):
    assert guard.changes() == []


def test_a_replaced_module_function_is_seen_and_named(guard, monkeypatch):
    monkeypatch.setattr(warp, "vec3", None)
    assert guard.changes() == ["warp.vec3"]


def test_a_replaced_method_of_a_watched_class_is_seen(guard, monkeypatch):
    from warp._src import codegen

    monkeypatch.setattr(codegen.Adjoint, "build", lambda *a: None)
    assert guard.changes() == ["warp._src.codegen.Adjoint.build"]


def test_a_replaced_module_is_seen(guard, monkeypatch):
    monkeypatch.setitem(sys.modules, "json", type(sys)("json"))
    assert "module json replaced or removed" in guard.changes()


def test_a_thread_left_running_is_seen(guard):
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait, daemon=True)
    thread.start()
    try:
        assert guard.changes() == ["1 thread(s) left running"]
    finally:
        stop.set()
        thread.join()
    assert guard.changes() == []


def test_an_attribute_gained_or_a_lazy_cache_filled_is_not_a_change(guard, monkeypatch):
    monkeypatch.setattr(warp, "gained_by_an_import", 1, raising=False)
    monkeypatch.setattr(state_guard, "some_cache", 1, raising=False)
    assert guard.changes() == []


def test_cwd_path_argv_and_environment_are_put_back(guard, tmp_path, monkeypatch):
    cwd, path, argv = os.getcwd(), list(sys.path), list(sys.argv)
    os.chdir(tmp_path)
    sys.path.insert(0, str(tmp_path))
    sys.argv.append("--injected")
    os.environ["WARPSYNTH_TEST_INJECTED"] = "1"
    guard.restore()
    assert (os.getcwd(), sys.path, sys.argv) == (cwd, path, argv)
    assert "WARPSYNTH_TEST_INJECTED" not in os.environ
    assert guard.changes() == []
