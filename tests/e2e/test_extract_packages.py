"""End-to-end: `warpsynth extract` on a package (relative imports, helpers from other modules),
self-contained records and their check, provenance, --package and --jobs."""

import json
import shutil
import subprocess
import textwrap
from pathlib import Path

import pytest

from test_extract_cli import records, run_cli, summary, write

# A small package: the kernels use a helper, a struct, constants and an enum of other modules,
# through relative imports, a module alias and a renamed import.
PACKAGE = {
    "simpkg/__init__.py": "",
    "simpkg/core/__init__.py": "",
    "simpkg/core/types.py": """
        import enum

        import warp as wp

        GRAVITY = -9.81
        vec6 = wp.types.vector(length=6, dtype=wp.float32)


        class Axis(enum.IntEnum):
            X = 0
            Y = 1


        @wp.struct
        class Params:
            scale: float
            offset: wp.vec3
        """,
    "simpkg/core/mathutil.py": """
        import warp as wp

        from .types import GRAVITY, Axis

        _HALF = wp.constant(0.5)


        @wp.func
        def fall(v: wp.vec3, dt: float) -> wp.vec3:
            return v + wp.vec3(0.0, GRAVITY * dt * _HALF, 0.0)


        @wp.func
        def pick(v: wp.vec3, axis: int = int(Axis.Y)) -> float:
            return v[axis]
        """,
    "simpkg/sim/__init__.py": "",
    "simpkg/sim/kernels.py": """
        import warp as wp

        from ..core import mathutil
        from ..core.mathutil import fall as _fall
        from ..core.types import Params, vec6

        wp.set_module_options({"enable_backward": False})

        STEPS = 3


        @wp.kernel
        def integrate(x: wp.array(dtype=wp.vec3), params: Params, dt: float):
            i = wp.tid()
            v = x[i] * params.scale + params.offset
            for _ in range(STEPS):
                v = _fall(v, dt)
            x[i] = v


        @wp.kernel
        def heights(x: wp.array(dtype=wp.vec3), out: wp.array(dtype=float), w: wp.array(dtype=vec6)):
            i = wp.tid()
            out[i] = mathutil.pick(x[i]) * w[i][0]
        """,
}


@pytest.fixture(scope="module")
def package_dir(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("pkgsrc")
    for name, text in PACKAGE.items():
        write(root, name, text)
    return root / "simpkg"


@pytest.fixture(scope="module")
def extracted(warpsynth_bin, package_dir, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("pkgout")
    result = run_cli(warpsynth_bin, "extract", package_dir, "--out", out, "--jobs", "1")
    assert result.returncode == 0, result.stdout + result.stderr
    return out


def by_kernel(out: Path) -> dict:
    return {r["kernel"]: r for r in records(out)}


def test_a_package_file_is_imported_as_its_module(extracted):
    # Relative imports work: both kernels extracted, nothing failed.
    s = summary(extracted)
    assert s["declared_module_level_extracted"] == s["declared_module_level_kernels"] == 2
    assert s["failures"] == []
    assert set(by_kernel(extracted)) == {"integrate", "heights"}


def test_records_hold_what_their_kernel_uses_from_other_modules(extracted):
    integrate = by_kernel(extracted)["integrate"]["python"]
    assert "wp.set_module_options({'enable_backward': False})" in integrate  # the module's option
    assert "STEPS = 3" in integrate and "GRAVITY = -9.81" in integrate  # as the modules write them
    assert "_HALF = wp.constant(0.5)" in integrate
    assert "class Params:" in integrate and "def fall(" in integrate
    assert "_fall = fall" in integrate  # the name the kernel calls it by
    assert "import simpkg" not in integrate and "from ." not in integrate
    heights = by_kernel(extracted)["heights"]["python"]
    assert "vec6 = wp.types.vector(length=6, dtype=wp.float32)" in heights
    assert "class Axis:\n    Y = 1" in heights  # the enum member a default reads
    assert "mathutil.pick = pick" in heights  # the module the kernel reads through
    for record in by_kernel(extracted).values():
        assert record["verify"]["self_contained"] == "ok", record["verify"]
        assert record["meta"]["source"]["package"] is None  # not an installed distribution


def test_a_records_python_alone_gives_its_code(extracted, warpsynth_bin, tmp_path):
    # The check, done by hand: the record's Python as a file of its own, extracted again.
    record = by_kernel(extracted)["integrate"]
    alone = write(tmp_path / "alone", "integrate_alone.py", record["python"])
    out = tmp_path / "out"
    result = run_cli(warpsynth_bin, "extract", alone, "--out", out)
    assert result.returncode == 0, result.stdout + result.stderr
    (again,) = records(out)
    for device in ("cpu", "cuda"):
        for part in ("forward", "backward"):
            assert again[device][part] == record[device][part]


@pytest.mark.parametrize(
    "left_out, expected",
    [
        ("@wp.func\ndef fall(", "fall"),  # a helper
        ("@wp.struct\nclass Params:", "Params"),  # a struct
        ("STEPS = 3\n", "STEPS"),  # a constant
    ],
)
def test_the_check_fails_for_a_record_with_something_left_out(extracted, left_out, expected):
    from warpsynth_worker import extract, self_contained, warp_bridge

    warp_bridge.init(None)
    python = by_kernel(extracted)["integrate"]["python"]
    start = python.index(left_out)
    # A definition up to the blank lines after it; a constant, its line.
    end = python.index("\n\n\n", start) + 3 if left_out.startswith("@") else start + len(left_out)
    broken = python[:start] + python[end:]
    # The check the worker runs on every record, on the Python with the part left out, for the
    # kernel as the whole Python defines it.
    reference = self_contained.load_alone(python, f"reference_{expected}", f"reference_{expected}.py")
    assert reference.error is None
    built = self_contained.SelfContained(broken, [], [], [1, 1])
    verdict = extract._self_contained_check(built, reference.module.integrate, None, f"left_out_{expected}")
    assert "error" in verdict, verdict
    assert expected in verdict["error"], verdict["error"]
    # and with nothing left out, it gives the code
    whole = self_contained.SelfContained(python, [], [], [1, 1])
    assert "error" not in extract._self_contained_check(whole, reference.module.integrate, None, f"whole_{expected}")


def test_the_check_refuses_imports_other_than_warp_numpy_math():
    from warpsynth_worker import self_contained, warp_bridge

    warp_bridge.init(None)
    ok = self_contained.load_alone("import math\nimport numpy as np\nimport warp as wp\n", "guard_ok", "guard_ok.py")
    assert ok.error is None
    refused = self_contained.load_alone("import os\n", "guard_os", "guard_os.py")
    assert isinstance(refused.error, ImportError) and "refused" in str(refused.error)
    relative = self_contained.load_alone("from . import sibling\n", "guard_rel", "guard_rel.py")
    assert isinstance(relative.error, ImportError)


def test_jobs_2_gives_the_same_bytes_as_jobs_1(warpsynth_bin, package_dir, warp_examples_dir, tmp_path):
    outputs = []
    for jobs in (1, 2):
        out = tmp_path / f"j{jobs}"
        inputs = [package_dir, warp_examples_dir / "core" / "example_sph.py", warp_examples_dir / "core" / "example_wave.py"]
        result = run_cli(warpsynth_bin, "extract", *inputs, "--out", out, "--jobs", jobs)
        assert result.returncode == 0, result.stdout + result.stderr
        outputs.append(out)
    for name in ("kernels.jsonl", "summary.json"):
        assert (outputs[0] / name).read_bytes() == (outputs[1] / name).read_bytes(), name
    assert sorted(p.name for p in (outputs[0] / "preambles").iterdir()) == sorted(
        p.name for p in (outputs[1] / "preambles").iterdir()
    )


def test_an_installed_distributions_file_carries_its_provenance(warpsynth_bin, warp_examples_dir, tmp_path):
    import warp

    result = run_cli(warpsynth_bin, "extract", warp_examples_dir / "core" / "example_sph.py", "--out", tmp_path / "o")
    assert result.returncode == 0, result.stderr
    for record in records(tmp_path / "o"):
        assert record["meta"]["source"]["package"] == {
            "distribution": "warp-lang",
            "version": warp.config.version,
            "license": "Apache-2.0",
            "file": "warp/examples/core/example_sph.py",
        }


def test_package_by_name(warpsynth_bin, package_dir, tmp_path):
    # --package finds a package the way an import does (here: on PYTHONPATH).
    import os

    env = dict(os.environ, PYTHONPATH=str(package_dir.parent))
    out = tmp_path / "by_name"
    result = run_cli(warpsynth_bin, "extract", "--package", "simpkg", "--out", out, env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert {r["kernel"] for r in records(out)} == {"integrate", "heights"}
    assert summary(out)["by_input"] == [
        {"input": "--package simpkg", "files": 6, "declared_module_level_kernels": 2, "declared_module_level_extracted": 2}
    ]


def test_package_that_is_not_installed_is_an_input_failure(warpsynth_bin, tmp_path):
    result = run_cli(warpsynth_bin, "extract", "--package", "no_such_package_xyz", "--out", tmp_path / "o")
    assert result.returncode == 1
    (failure,) = summary(tmp_path / "o")["failures"]
    assert failure["stage"] == "input" and "no_such_package_xyz" in failure["message"]


def test_no_input_at_all_is_a_usage_error(warpsynth_bin, tmp_path):
    result = run_cli(warpsynth_bin, "extract", "--out", tmp_path / "o")
    assert result.returncode == 2 and "PATH or --package" in result.stderr


def test_a_crashing_file_counts_its_kernels_as_missed(warpsynth_bin, tmp_path):
    src = write(
        tmp_path / "src",
        "crash.py",
        """
        import os
        import warp as wp

        @wp.kernel
        def lost(a: wp.array(dtype=float)):
            a[wp.tid()] = 1.0

        os.abort()
        """,
    )
    result = run_cli(warpsynth_bin, "extract", src, "--out", tmp_path / "o")
    assert result.returncode == 1
    s = summary(tmp_path / "o")
    assert s["declared_module_level_kernels"] == 1 and s["declared_module_level_extracted"] == 0
    assert "(0.0%); a kernel of a file that failed counts as missed" in result.stdout


@pytest.mark.parametrize("signal_name", ["SIGKILL", "SIGTERM", "SIGINT"])
def test_no_worker_outlives_the_driver(warpsynth_bin, tmp_path, signal_name):
    import os
    import re
    import signal
    import time

    src = write(tmp_path / "src", "slow.py", "import time\ntime.sleep(60)\n")
    out = tmp_path / "o"
    driver = subprocess.Popen([str(warpsynth_bin), "extract", str(src), "--out", str(out), "--quiet"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    pids = []
    deadline = time.time() + 60
    while not pids and time.time() < deadline:  # the worker is ready and importing the file
        time.sleep(0.2)
        log = out / "warpsynth.log"
        pids = [int(p) for p in re.findall(r"\[driver\] worker (\d+) ready", log.read_text())] if log.exists() else []
    assert pids, "the worker never got ready"
    time.sleep(0.5)
    driver.send_signal(getattr(signal, signal_name))
    driver.wait(timeout=30)
    time.sleep(1.0)
    alive = []
    for pid in pids:
        try:
            os.kill(pid, 0)
            with open(f"/proc/{pid}/stat") as f:
                if f.read().split()[2] != "Z":  # a zombie has ended
                    alive.append(pid)
        except (ProcessLookupError, FileNotFoundError):
            pass
    assert alive == [], f"workers {alive} outlived the driver ({signal_name}) by 1 s"
