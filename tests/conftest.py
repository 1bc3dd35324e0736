"""Shared pytest set-up: the worker package on sys.path, and paths to the built CLI."""

import os
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT / "python"))


@pytest.fixture(scope="session", autouse=True)
def own_cache_folder(tmp_path_factory):
    """The tests' own cache folder (the catalog, MathDx's LTO-IR), never the user's
    ~/.cache/warpsynth: a catalog test cannot then pass from a cache an earlier run left, and the
    tests leave nothing there (issue 13). The CLI and its workers inherit it (WARPSYNTH_CACHE_DIR)."""
    previous = os.environ.get("WARPSYNTH_CACHE_DIR")
    folder = tmp_path_factory.mktemp("warpsynth-cache")
    os.environ["WARPSYNTH_CACHE_DIR"] = str(folder)
    yield folder
    if previous is None:
        os.environ.pop("WARPSYNTH_CACHE_DIR", None)
    else:
        os.environ["WARPSYNTH_CACHE_DIR"] = previous


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return REPO_ROOT


@pytest.fixture(scope="session")
def warpsynth_bin() -> Path:
    binary = Path(os.environ.get("WARPSYNTH_BIN", REPO_ROOT / "build" / "warpsynth"))
    if not binary.exists():
        pytest.fail(f"{binary} is missing: run `make` first (the end-to-end tests run the real CLI)")
    return binary


@pytest.fixture(scope="session")
def warp_examples_dir() -> Path:
    import warp

    return Path(warp.__file__).parent / "examples"
