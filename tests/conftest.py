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
    folder = tmp_path_factory.mktemp("warpsynth-cache")
    # Hugging Face `datasets` (the dataset tests) keeps its cache there too, and never asks the hub.
    settings = {"WARPSYNTH_CACHE_DIR": str(folder), "HF_HOME": str(folder / "huggingface"),
                "HF_HUB_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1"}
    previous = {name: os.environ.get(name) for name in settings}
    os.environ.update(settings)
    yield folder
    for name, value in previous.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value


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
