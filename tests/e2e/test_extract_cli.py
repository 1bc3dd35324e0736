"""End-to-end: the real `warpsynth extract` CLI on real Warp, for good input and every bad input."""

import json
import os
import subprocess
import textwrap
from pathlib import Path

import pytest

GOOD = """
import warp as wp

@wp.func
def scaled(x: float, s: float):
    return x * s

@wp.kernel
def scale(a: wp.array(dtype=float), s: float):
    i = wp.tid()
    a[i] = scaled(a[i], s)
"""

KERNEL_TEMPLATE = """
import warp as wp

@wp.kernel
def {name}(a: wp.array(dtype=float)):
    a[wp.tid()] = 1.0
"""


def run_cli(binary, *args, env=None, timeout=300):
    return subprocess.run(
        [str(binary), *map(str, args)], capture_output=True, text=True, timeout=timeout, env=env or os.environ
    )


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text))
    return path


def records(out: Path) -> list[dict]:
    return [json.loads(line) for line in (out / "kernels.jsonl").read_text().splitlines()]


def summary(out: Path) -> dict:
    return json.loads((out / "summary.json").read_text())


def assert_nothing_half_written(out: Path):
    assert sorted(p.name for p in out.iterdir()) == ["kernels.jsonl", "preambles", "summary.json", "warpsynth.log"]
    # Each preamble the records name is there, whole; nothing else is.
    named = {r["meta"]["preamble"][device] + ".h" for r in records(out) for device in ("cpu", "cuda")}
    assert sorted(p.name for p in (out / "preambles").iterdir()) == sorted(named)
    assert all((out / "preambles" / name).read_text().endswith("#define adj_int(x, adj_x, adj_ret) adj_cast_int(x, adj_x, adj_ret)\n\n") for name in named)


def test_good_file_gives_a_full_record_and_exit_0(warpsynth_bin, tmp_path):
    src = write(tmp_path / "src", "good.py", GOOD)
    result = run_cli(warpsynth_bin, "extract", src, "--out", tmp_path / "out")
    assert result.returncode == 0, result.stderr
    assert "module-level @wp.kernel: 1 of 1 extracted (100.0%)" in result.stdout
    (record,) = records(tmp_path / "out")
    assert list(record) == ["schema_version", "id", "origin", "kernel", "python", "cpu", "cuda", "meta", "verify"]
    assert record["origin"] == "extracted" and record["kernel"] == "scale"
    for target in ("cpu", "cuda"):
        assert "scale_" + target + "_kernel_forward" in record[target]["forward"]
        assert "scale_" + target + "_kernel_backward" in record[target]["backward"]
        assert "scaled_0(" in record[target]["module"]  # @wp.func normalized to {key}_0
    assert record["meta"]["source"] == {"file": "good.py", "line": 9, "package": None}  # the kernel's `def`
    assert record["meta"]["arg_types"] == [
        {"name": "a", "type": "array(ndim=1, dtype=float32)"},
        {"name": "s", "type": "float32"},
    ]
    assert record["verify"]["codegen"] == "ok"
    assert_nothing_half_written(tmp_path / "out")


def test_every_bad_input_is_named_and_the_rest_is_processed(warpsynth_bin, tmp_path):
    src = tmp_path / "src"
    write(src, "a_good.py", GOOD)
    write(src, "b_syntax.py", "import warp as wp\ndef broken(:\n")
    write(src, "c_raises.py", "import warp as wp\nraise RuntimeError('needs a config file')\n")
    write(src, "d_hangs.py", "import time\nwhile True:\n    time.sleep(1)\n")
    write(src, "e_codegen.py", "import warp as wp\n\n@wp.kernel\ndef bad_kernel(a: wp.array(dtype=float)):\n    a[0] = nowhere\n")
    write(src, "f_crashes.py", "import os, signal\nos.kill(os.getpid(), signal.SIGSEGV)\n")
    write(src, "g_last.py", KERNEL_TEMPLATE.format(name="last_one"))
    no_kernels = write(tmp_path / "other", "no_kernels.py", "X = 1\n")
    missing = tmp_path / "missing.py"

    out = tmp_path / "out"
    result = run_cli(warpsynth_bin, "extract", src, no_kernels, missing, "--out", out, "--timeout", 10)
    assert result.returncode == 1, result.stdout + result.stderr

    failures = {(f["file"], f["kernel"]): f for f in summary(out)["failures"]}
    assert failures[(str(missing), "")]["stage"] == "input"
    assert failures[("src/b_syntax.py", "")]["stage"] == "syntax"
    assert failures[("src/c_raises.py", "")]["stage"] == "import"
    assert "needs a config file" in failures[("src/c_raises.py", "")]["message"]
    assert failures[("src/d_hangs.py", "")]["stage"] == "timeout"
    assert failures[("src/e_codegen.py", "bad_kernel")]["stage"] == "codegen"
    assert "nowhere" in failures[("src/e_codegen.py", "bad_kernel")]["message"]
    assert failures[("src/f_crashes.py", "")]["stage"] == "crash"
    assert "SIGSEGV" in failures[("src/f_crashes.py", "")]["message"]
    assert failures[("no_kernels.py", "")]["stage"] == "no-kernels"
    assert len(failures) == 7

    # The files after the hang and the crash were still processed by a restarted worker.
    assert [r["kernel"] for r in records(out)] == ["scale", "last_one"]
    # The printed summary names each file (and the kernel) at fault.
    for name in ("b_syntax.py", "c_raises.py", "d_hangs.py", "bad_kernel", "f_crashes.py", "no_kernels.py", "missing.py"):
        assert name in result.stdout
    assert_nothing_half_written(out)


def test_two_runs_are_byte_identical(warpsynth_bin, tmp_path):
    src = tmp_path / "src"
    write(src, "one.py", GOOD)
    write(src, "two.py", KERNEL_TEMPLATE.format(name="other"))
    for run in ("a", "b"):
        assert run_cli(warpsynth_bin, "extract", src, "--out", tmp_path / run).returncode == 0
    for name in ("kernels.jsonl", "summary.json"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()


def test_usage_errors_exit_2(warpsynth_bin, tmp_path):
    assert run_cli(warpsynth_bin, "extract", tmp_path).returncode == 2  # no --out
    assert run_cli(warpsynth_bin).returncode == 2  # no subcommand
    assert run_cli(warpsynth_bin, "extract", tmp_path, "--out", tmp_path / "o", "--timeout", "-1").returncode == 2
    a_file = write(tmp_path, "file.txt", "x")
    result = run_cli(warpsynth_bin, "extract", tmp_path, "--out", a_file)
    assert result.returncode == 2 and "not a folder" in result.stderr


def test_help_documents_outputs_and_exit_codes(warpsynth_bin):
    result = run_cli(warpsynth_bin, "extract", "--help")
    assert result.returncode == 0
    for text in ("--out", "--timeout", "kernels.jsonl", "summary.json", "Exit code"):
        assert text in result.stdout


def test_missing_python_is_a_clear_error_with_nothing_written(warpsynth_bin, tmp_path):
    src = write(tmp_path / "src", "good.py", GOOD)
    env = dict(os.environ, WARPSYNTH_PYTHON=str(tmp_path / "no-python"))
    result = run_cli(warpsynth_bin, "extract", src, "--out", tmp_path / "out", env=env)
    assert result.returncode == 1
    assert "no-python" in result.stderr
    assert not (tmp_path / "out" / "kernels.jsonl").exists()


def test_warp_examples_at_least_95_percent(warpsynth_bin, warp_examples_dir, tmp_path):
    """Acceptance: the examples shipped inside warp-lang, code that no one here wrote."""
    out = tmp_path / "out"
    result = run_cli(warpsynth_bin, "extract", warp_examples_dir, "--out", out, "--quiet", timeout=900)
    assert result.returncode in (0, 1), result.stderr
    counts = summary(out)
    fraction = counts["declared_module_level_extracted"] / counts["declared_module_level_kernels"]
    assert counts["declared_module_level_kernels"] >= 150
    assert fraction >= 0.95, result.stdout
    assert f"({100 * fraction:.1f}%)" in result.stdout
    for record in records(out):
        assert record["cpu"]["forward"] and record["cuda"]["forward"], record["kernel"]
        if record["meta"]["enable_backward"]:
            assert record["cpu"]["backward"] and record["cuda"]["backward"], record["kernel"]
        else:
            assert record["cpu"]["backward"] is None and record["cuda"]["backward"] is None


def test_files_in_any_encoding_python_reads_are_extracted(warpsynth_bin, tmp_path):
    # issue 13: a UTF-8 byte-order mark and a `# -*- coding: latin-1 -*-` line (both import fine)
    # were rejected
    src = tmp_path / "src"
    src.mkdir()
    kernel = "import warp as wp\n\n@wp.kernel\ndef {0}(x: wp.array(dtype=float)):\n    x[wp.tid()] = 1.0\n"
    (src / "bom.py").write_bytes(b"\xef\xbb\xbf" + kernel.format("with_bom").encode())
    (src / "latin.py").write_bytes(b"# -*- coding: latin-1 -*-\n# caf\xe9\n" + kernel.format("in_latin_1").encode())
    out = tmp_path / "out"
    result = subprocess.run([str(warpsynth_bin), "extract", str(src), "--out", str(out), "--jobs", "1"],
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
    kernels = {json.loads(line)["kernel"] for line in (out / "kernels.jsonl").read_text().splitlines()}
    assert kernels == {"with_bom", "in_latin_1"}


def test_a_file_name_that_is_not_utf8_is_extracted_and_shown_escaped(warpsynth_bin, tmp_path):
    # issue 13: such a name aborted the whole run with json type_error.316, the good files lost
    src = tmp_path / "src"
    src.mkdir()
    kernel = "import warp as wp\n\n@wp.kernel\ndef {0}(x: wp.array(dtype=float)):\n    x[wp.tid()] = 1.0\n"
    with open(os.path.join(os.fsencode(src), b"bad\xffname.py"), "w") as f:
        f.write(kernel.format("odd_name"))
    (src / "good.py").write_text(kernel.format("good_name"))
    out = tmp_path / "out"
    result = subprocess.run([str(warpsynth_bin), "extract", str(src), "--out", str(out), "--jobs", "1"],
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
    files = {json.loads(line)["kernel"]: json.loads(line)["meta"]["source"]["file"]
             for line in (out / "kernels.jsonl").read_text().splitlines()}
    assert files == {"odd_name": "src/bad\\xffname.py", "good_name": "src/good.py"}


def test_a_file_that_ends_the_worker_at_import_is_reported_for_what_it_did(warpsynth_bin, tmp_path):
    # issue 13: the message was Warp's start-up banner line, printed before the file ran
    src = tmp_path / "src"
    src.mkdir()
    (src / "quits.py").write_text("import os\nos._exit(1)\n")
    (src / "good.py").write_text("import warp as wp\n\n@wp.kernel\ndef k(x: wp.array(dtype=float)):\n    x[wp.tid()] = 1.0\n")
    out = tmp_path / "out"
    subprocess.run([str(warpsynth_bin), "extract", str(src), "--out", str(out), "--jobs", "1"],
                   capture_output=True, text=True, timeout=600)
    summary = json.loads((out / "summary.json").read_text())
    [failure] = summary["failures"]
    assert failure["file"] == "src/quits.py" and failure["stage"] == "crash"
    assert failure["message"] == "worker died (exit code 1), printing nothing while on this request"
    assert [json.loads(line)["kernel"] for line in (out / "kernels.jsonl").read_text().splitlines()] == ["k"]


def test_what_a_file_prints_is_capped_in_the_log(warpsynth_bin, tmp_path):
    # issue 13: a file printing 64 MB at import grew warpsynth.log by 67 MB
    src = tmp_path / "src"
    src.mkdir()
    (src / "loud.py").write_text('for i in range(60000):\n    print("x" * 150)\nimport warp as wp\n\n'
                                 "@wp.kernel\ndef k(x: wp.array(dtype=float)):\n    x[wp.tid()] = 1.0\n")
    out = tmp_path / "out"
    result = subprocess.run([str(warpsynth_bin), "extract", str(src), "--out", str(out), "--jobs", "1"],
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
    log = (out / "warpsynth.log").read_text()
    assert len(log) < 1.5 * 2**20 and "(more output on this request left out of the log: over 1 MiB)" in log
    assert len((out / "kernels.jsonl").read_text().splitlines()) == 1


def test_workers_see_only_the_environment_warp_needs(warpsynth_bin, tmp_path):
    # issue 13: a secret in an environment variable appeared in warpsynth.log
    src = tmp_path / "src"
    src.mkdir()
    (src / "env.py").write_text("import os, sys\nprint('ENV', sorted(os.environ), os.environ.get('SECRET_TOKEN'), file=sys.stderr)\n"
                                "import warp as wp\n\n@wp.kernel\ndef k(x: wp.array(dtype=float)):\n    x[wp.tid()] = 1.0\n")
    out = tmp_path / "out"
    env = dict(os.environ, SECRET_TOKEN="hunter2", WARP_CACHE_PATH_HINT="kept")
    result = run_cli(warpsynth_bin, "extract", src, "--out", out, "--jobs", "1", env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    [line] = [l for l in (out / "warpsynth.log").read_text().splitlines() if "] ENV [" in l]
    assert "SECRET_TOKEN" not in line and "hunter2" not in line
    assert "'PATH'" in line and "'WARP_CACHE_PATH_HINT'" in line


def test_a_file_cannot_change_the_replies_about_later_files(warpsynth_bin, tmp_path):
    # issue 13: a file replacing a method of the worker's protocol class put a header into the next
    # file's record, exit 0
    src = tmp_path / "src"
    src.mkdir()
    kernel = "import warp as wp\n\n@wp.kernel\ndef {0}(x: wp.array(dtype=float)):\n    x[wp.tid()] = 1.0\n"
    (src / "a_patch.py").write_text(textwrap.dedent("""
        import json
        import warpsynth_worker.protocol as protocol

        original = protocol.Channel.send

        def send(self, message):
            if isinstance(message.get("result"), dict):
                message["result"]["injected"] = "header"
            return original(self, message)

        protocol.Channel.send = send
        json.dumps = lambda *args, **kwargs: '{"protocol": 1, "id": 0, "ok": false, "error": "hijacked"}'
        """) + kernel.format("patcher"))
    (src / "b_good.py").write_text(kernel.format("victim"))
    out = tmp_path / "out"
    result = run_cli(warpsynth_bin, "extract", src, "--out", out, "--jobs", "1")
    assert result.returncode == 0, result.stdout + result.stderr
    text = (out / "kernels.jsonl").read_text()
    assert "injected" not in text and "hijacked" not in text
    assert {json.loads(line)["kernel"] for line in text.splitlines()} == {"patcher", "victim"}


POISONS = {
    # Warp's code generator, wrapped: every later kernel's C++ would carry the comment
    "codegen": """
        from warp._src import codegen

        original = codegen.codegen_kernel
        codegen.codegen_kernel = lambda *args, **kwargs: "// injected\\n" + original(*args, **kwargs)
        """,
    # the worker's own code: every later record would carry a field
    "worker": """
        from warpsynth_worker import extract

        original = extract.extract_file

        def extract_file(*args, **kwargs):
            result = original(*args, **kwargs)
            for kernel in result.get("kernels", []):
                if isinstance(kernel.get("python"), str):
                    kernel["python"] += "# injected\\n"
            return result

        extract.extract_file = extract_file
        """,
    # the process's cheap state: put back, the worker goes on
    "cwd_path_env": """
        import os, sys
        os.chdir("/")
        sys.path.insert(0, "/nonexistent")
        os.environ["WARP_INJECTED"] = "1"
        """,
}


@pytest.mark.parametrize("poison", sorted(POISONS))
def test_what_a_file_does_to_the_interpreter_does_not_reach_later_records(warpsynth_bin, tmp_path, poison):
    # issue 13: a file changes the worker's interpreter (Warp's code generator, the worker's own
    # functions, its working folder); the files after it, in the same worker, get the records they
    # get alone
    kernel = "import warp as wp\n\n@wp.kernel\ndef {0}(x: wp.array(dtype=float)):\n    x[wp.tid()] = 1.0 + float(wp.tid())\n"
    alone = tmp_path / "alone"
    alone.mkdir()
    (alone / "b_good.py").write_text(kernel.format("victim"))
    src = tmp_path / "src"
    src.mkdir()
    (src / "a_poison.py").write_text(textwrap.dedent(POISONS[poison]) + kernel.format("poisoner"))
    (src / "b_good.py").write_text(kernel.format("victim"))
    (src / "c_env.py").write_text("import os\nassert 'WARP_INJECTED' not in os.environ and os.getcwd() != '/'\n" + kernel.format("later"))

    run_cli(warpsynth_bin, "extract", alone, "--out", tmp_path / "out-alone", "--jobs", "1")
    result = run_cli(warpsynth_bin, "extract", src, "--out", tmp_path / "out", "--jobs", "1")
    assert result.returncode == 0, result.stdout + result.stderr
    records = {r["kernel"]: r for r in map(json.loads, (tmp_path / "out" / "kernels.jsonl").read_text().splitlines())}
    assert set(records) == {"poisoner", "victim", "later"}
    expected = json.loads((tmp_path / "out-alone" / "kernels.jsonl").read_text())
    for field in ("id", "python", "cpu", "cuda", "verify"):
        assert records["victim"][field] == expected[field], field
    assert "injected" not in json.dumps(records["victim"]) and "injected" not in json.dumps(records["later"])
    log = (tmp_path / "out" / "warpsynth.log").read_text()
    replaced = "changed its interpreter" in log
    assert replaced == (poison != "cwd_path_env"), log[-2000:]


def test_a_file_past_its_cpu_or_memory_limit_loses_only_its_own_records(warpsynth_bin, tmp_path):
    # issue 13: workers had no memory or CPU limit; a file spinning or allocating without end is
    # stopped by the limit (before the wall-clock timeout), named, and the other files go on
    src = tmp_path / "src"
    src.mkdir()
    (src / "a_spin.py").write_text("import warp as wp\nwhile True:\n    pass\n")
    (src / "b_hog.py").write_text("import warp as wp\nblocks = [bytearray(256 << 20) for _ in range(64)]\n")
    write(src, "c_good.py", KERNEL_TEMPLATE.format(name="good"))
    out = tmp_path / "out"
    result = run_cli(warpsynth_bin, "extract", src, "--out", out, "--jobs", "1", "--cpu-limit", "2",
                     "--memory-limit", "1", "--timeout", "100")
    assert result.returncode == 1, result.stdout + result.stderr
    summary = json.loads((out / "summary.json").read_text())
    reasons = {f["file"].split("/")[-1]: f["message"] for f in summary["failures"]}
    assert "SIGXCPU" in reasons["a_spin.py"] and "2 s of CPU time" in reasons["a_spin.py"], reasons
    assert reasons["b_hog.py"].startswith("MemoryError") and "--memory-limit" in reasons["b_hog.py"], reasons
    assert [json.loads(line)["kernel"] for line in (out / "kernels.jsonl").read_text().splitlines()] == ["good"]


@pytest.mark.parametrize("option,value", [("--cpu-limit", "-1"), ("--cpu-limit", "nan"), ("--memory-limit", "inf"),
                                          ("--memory-limit", "lots")])
def test_bad_limits_are_usage_errors(warpsynth_bin, tmp_path, option, value):
    write(tmp_path, "k.py", KERNEL_TEMPLATE.format(name="k"))
    result = run_cli(warpsynth_bin, "extract", tmp_path / "k.py", "--out", tmp_path / "out", option, value)
    assert result.returncode == 2 and option in result.stderr, result.stderr
    assert not (tmp_path / "out").exists()
