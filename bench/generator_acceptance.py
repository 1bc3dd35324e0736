"""Measures the generator against the acceptance list of its issue, on this machine.

Run after `make`:  .venv/bin/python bench/generator_acceptance.py [--count 10000] [--compile 500]
Takes about 6 minutes on 2 cores at the defaults. Prints a table and writes
bench/results/generator_acceptance.json.

  1. `warpsynth generate --count N`: the share that passes Warp codegen (CPU and CUDA,
     forward and backward).
  2. A random sample of those kernels compiled for the CPU by Warp's own compiler, many
     kernels per translation unit (a failing unit is bisected to find the kernels at fault).
  3. Coverage over the N kernels (`warpsynth stats --json`): distinct builtins, each construct,
     each template.
  4. Distinct normalized Python sources.
  5. The same seed twice gives byte-identical kernels; the C++ generator's speed on one core
     (Google Benchmark, build/warpsynth_bench).
"""

import argparse
import json
import os
import platform
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / "build" / "warpsynth"
sys.path.insert(0, str(ROOT / "python"))


def run(*args, **kwargs):
    result = subprocess.run([str(a) for a in args], capture_output=True, text=True, **kwargs)
    if result.returncode not in (0, 1):
        sys.exit(f"{' '.join(map(str, args))} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")
    return result


def compile_sample(records, batch_size):
    """CPU-compiles the kernels' code with Warp, batch_size kernels per translation unit."""
    from warpsynth_worker import loader, warp_bridge

    warp_bridge.init()
    kernels = []
    for n, record in enumerate(records):
        loaded = loader.load_source(record["python"], f"bench_compile_{n}", f"bench/{n}.py")
        found = [v for v in vars(loaded.module).values() if warp_bridge.is_kernel(v)]
        kernels.append((record, found[0]))

    failed = []

    def compile_group(group, depth=0):
        with tempfile.TemporaryDirectory() as build_dir:
            try:
                warp_bridge.compile_cpu([k for _, k in group], build_dir)
                return
            except Exception as e:  # noqa: BLE001 - bisect to the kernels at fault
                if len(group) == 1:
                    failed.append((group[0][0], str(e).splitlines()[-1] if str(e) else type(e).__name__))
                    return
        half = len(group) // 2
        compile_group(group[:half], depth + 1)
        compile_group(group[half:], depth + 1)

    for start in range(0, len(kernels), batch_size):
        compile_group(kernels[start : start + batch_size])
        print(f"  compiled {min(start + batch_size, len(kernels))}/{len(kernels)}, {len(failed)} failed", flush=True)
    return failed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=10000)
    parser.add_argument("--compile", type=int, default=500, help="kernels to CPU-compile")
    parser.add_argument("--batch", type=int, default=50, help="kernels per compiled translation unit")
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    results = {"machine": {"cpu": platform.processor() or platform.machine(), "cores": os.cpu_count()}}
    checks = []

    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "gen"
        print(f"1. generating {args.count} kernels (seed {args.seed}) through Warp codegen ...", flush=True)
        start = time.perf_counter()
        gen = run(BIN, "generate", "--count", args.count, "--seed", args.seed, "--out", out, "--quiet")
        seconds = time.perf_counter() - start
        summary = json.loads((out / "summary.json").read_text())
        passed = summary["passed"] / summary["requested"]
        results["codegen"] = {"requested": summary["requested"], "passed": summary["passed"],
                              "failures_by_stage": summary["failures_by_stage"], "seconds": seconds,
                              "kernels_per_s": summary["requested"] / seconds}
        checks.append(("codegen pass rate (CPU+CUDA, fwd+bwd)", f"{100 * passed:.2f}%", passed == 1.0, "100%"))
        print(gen.stdout)

        records = [json.loads(line) for shard in sorted(out.glob("kernels-*.jsonl")) for line in shard.read_text().splitlines()]
        rng = random.Random(args.seed)
        sample = rng.sample(records, min(args.compile, len(records)))
        print(f"2. CPU-compiling {len(sample)} random kernels with Warp, {args.batch} per translation unit ...", flush=True)
        start = time.perf_counter()
        failed = compile_sample(sample, args.batch)
        compiled = (len(sample) - len(failed)) / len(sample)
        results["cpu_compile"] = {"kernels": len(sample), "failed": len(failed), "seconds": time.perf_counter() - start,
                                  "failures": [{"index": r["meta"]["generator"]["index"], "error": e} for r, e in failed]}
        checks.append(("CPU compile pass rate (Warp's clang)", f"{100 * compiled:.2f}%", compiled >= 0.99, ">= 99%"))

        print("3. coverage ...", flush=True)
        stats = json.loads(run(BIN, "stats", out, "--json").stdout)
        results["stats"] = stats
        n = stats["records"]
        checks.append(("distinct builtins used", str(stats["distinct_builtins"]), stats["distinct_builtins"] >= 150, ">= 150"))
        rarest_construct = min(stats["constructs"].items(), key=lambda kv: kv[1])
        checks.append(("rarest construct", f"{rarest_construct[0]} {100 * rarest_construct[1] / n:.2f}%",
                       rarest_construct[1] / n >= 0.01, ">= 1% each"))
        rarest_template = min(stats["templates"].items(), key=lambda kv: kv[1])
        checks.append(("rarest template", f"{rarest_template[0]} {100 * rarest_template[1] / n:.2f}%",
                       rarest_template[1] / n >= 0.03, ">= 3% each"))
        # Over all N generated kernels: distinct ids among the records (duplicates inside a shard
        # are already dropped, those across shards are counted here) out of N.
        distinct = stats["distinct_python"] / summary["requested"]
        checks.append(("distinct normalized Python (of all N)", f"{100 * distinct:.2f}%", distinct >= 0.99, ">= 99%"))

        print("4. determinism ...", flush=True)
        for name in ("a", "b"):
            run(BIN, "generate", "--count", 300, "--seed", 77, "--out", Path(tmp) / name, "--quiet")
        same = (Path(tmp) / "a" / "kernels-00000.jsonl").read_bytes() == (Path(tmp) / "b" / "kernels-00000.jsonl").read_bytes()
        checks.append(("same seed, byte-identical shards", "yes" if same else "no", same, "yes"))

    bench_bin = ROOT / "build" / "warpsynth_bench"
    if bench_bin.exists():
        print("5. generator speed (Google Benchmark, one core) ...", flush=True)
        report = json.loads(run(bench_bin, "--benchmark_filter=BM_GenerateKernel", "--benchmark_format=json").stdout)
        per_s = report["benchmarks"][0]["items_per_second"]
        results["generator_per_s"] = per_s
        checks.append(("C++ generator, one core", f"{per_s:,.0f} kernels/s", per_s >= 20000, ">= 20,000/s"))

    results["checks"] = [{"what": w, "measured": m, "ok": ok, "target": t} for w, m, ok, t in checks]
    print(f"\n{'check':<44} {'measured':<26} {'target':<12} ok")
    for what, measured, ok, target in checks:
        print(f"{what:<44} {measured:<26} {target:<12} {'yes' if ok else 'NO'}")
    path = ROOT / "bench" / "results" / "generator_acceptance.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(results, indent=2) + "\n")
    print(f"\nwritten to {path.relative_to(ROOT)}")
    return 0 if all(ok for _, _, ok, _ in checks) else 1


if __name__ == "__main__":
    sys.exit(main())
