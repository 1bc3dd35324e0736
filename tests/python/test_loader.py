import inspect
import sys

import pytest

from warpsynth_worker import loader

SOURCE = """
import math

VALUE = 3

def triple(x):
    return x * VALUE
"""


def test_source_is_loaded_without_files_and_inspect_can_read_it(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    loaded = loader.load_source(SOURCE, "ws_test_loader_plain", "pkg/plain.py")
    assert loaded.error is None
    assert loaded.module.triple(2) == 6
    assert loaded.filename == "<warpsynth:pkg/plain.py>"
    assert "return x * VALUE" in inspect.getsource(loaded.module.triple)
    assert list(tmp_path.iterdir()) == []  # nothing written


def test_error_is_returned_with_what_was_defined_before_it():
    loaded = loader.load_source("A = 1\nraise RuntimeError('boom')\nB = 2\n", "ws_test_loader_err", "err.py")
    assert isinstance(loaded.error, RuntimeError)
    assert loaded.module.A == 1
    assert not hasattr(loaded.module, "B")


def test_syntax_error_is_raised():
    with pytest.raises(SyntaxError):
        loader.load_source("def (:\n", "ws_test_loader_syntax", "syntax.py")


def test_missing_imports_fail_without_stubs_and_load_with_them():
    source = "import warpsynth_no_such_pkg.sub as s\nfrom warpsynth_no_such_other import thing\nclass C(thing.Base):\n    pass\nX = s.f(1)[2]\n"
    plain = loader.load_source(source, "ws_test_loader_missing", "missing.py")
    assert isinstance(plain.error, ImportError)

    stubbed = loader.load_source(source, "ws_test_loader_stubbed", "missing.py", stub_missing=True)
    assert stubbed.error is None
    assert stubbed.stubbed_imports == ["warpsynth_no_such_pkg", "warpsynth_no_such_other"]
    assert isinstance(stubbed.module.C, type)
    # Stubs do not outlive the load: a later plain import still fails.
    assert "warpsynth_no_such_pkg" not in sys.modules
    with pytest.raises(ImportError):
        __import__("warpsynth_no_such_pkg")


def test_stubs_never_shadow_installed_packages():
    loaded = loader.load_source("import json\nX = json.dumps([1])\n", "ws_test_loader_real", "real.py", stub_missing=True)
    assert loaded.module.X == "[1]"
    assert loaded.stubbed_imports == []
