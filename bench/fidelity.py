"""Fidelity of records to the code Warp compiles: 200 generated kernels and every kernel extracted
from warp-lang's examples, each function compared with the units Warp writes to its kernel cache
when the kernel's module is loaded on the CPU and compiled for the record's CUDA architecture
(tests/fidelity_reference.py says how). Also checks every `<L n>` tag against the record's Python.

Run after `make`:  .venv/bin/python bench/fidelity.py [--count 200] [--seed 11]
Writes bench/results/fidelity.json. Takes several minutes (it compiles every module on the CPU).
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

import warp as wp

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
import fidelity_reference  # noqa: E402


def records(path: Path) -> list[dict]:
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=200)
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args()
    binary = ROOT / "build" / "warpsynth"
    examples = Path(wp.__file__).parent / "examples"
    wp.config.quiet = True
    wp.init()
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as scratch:
        scratch = Path(scratch)
        subprocess.run([str(binary), "generate", "--count", str(args.count), "--seed", str(args.seed),
                        "--out", str(scratch / "gen"), "--quiet"], check=True)
        subprocess.run([str(binary), "extract", str(examples), "--out", str(scratch / "ex"), "--quiet"],
                       check=False)
        generated = [r for shard in sorted((scratch / "gen").glob("kernels-*.jsonl")) for r in records(shard)]
        sources = scratch / "sources"
        sources.mkdir()

        def generated_source(record):
            path = sources / f"sample_{record['meta']['generator']['index']}.py"
            path.write_text(record["python"], encoding="utf-8")
            return str(path)

        result = {
            "machine": f"{platform.machine()}, {os.cpu_count()} cores, no GPU needed",
            "warp_version": wp.config.version,
            "generated": fidelity_reference.check_records(generated, generated_source, str(scratch / "cache")),
            "examples": fidelity_reference.check_records(
                records(scratch / "ex" / "kernels.jsonl"),
                lambda r: str(examples.parent / r["meta"]["source"]["file"]),
                str(scratch / "cache"),
            ),
        }
    result["seconds"] = round(time.perf_counter() - started, 1)
    for name in ("generated", "examples"):
        part = result[name]
        print(f"{name}: {part['equal']} of {part['records']} records equal to Warp's units function by function; "
              f"line tags right in {part['line_tags_ok']}; {len(part['import_failed'])} files not importable here")
    out = ROOT / "bench" / "results" / "fidelity.json"
    out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(f"written: {out.relative_to(ROOT)}")
    ok = all(result[n]["equal"] == result[n]["records"] == result[n]["line_tags_ok"] for n in ("generated", "examples"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
