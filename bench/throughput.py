"""Throughput of `warpsynth generate` against the straightforward way, on the same kernels.

Run after `make`:  .venv/bin/python bench/throughput.py [--count 1000]
Writes bench/results/throughput.json. Measured in one run, on this machine:

  (a) warpsynth generate --verify codegen --jobs 2 (driver, 2 warm workers, batches)
  (b) the baseline: one temporary .py file per kernel, imported with importlib, Warp's codegen
      for CPU and CUDA per kernel, in a Python multiprocessing pool of 2
  (c) the floor: Warp's codegen calls alone (build, CPU and CUDA source) for the same kernels in
      one warm process, times 2 cores
  and warpsynth generate --verify compile --jobs 2 (CPU object and CUDA PTX) in kernels/s.

When a target is missed, a profile of the codegen calls shows where the time goes.
"""

import argparse
import cProfile
import importlib.util
import io
import json
import multiprocessing
import os
import platform
import pstats
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / "build" / "warpsynth"
sys.path.insert(0, str(ROOT / "python"))


def run_generate(count, out, verify):
    start = time.perf_counter()
    result = subprocess.run([str(BIN), "generate", "--count", str(count), "--seed", "1", "--jobs", "2",
                             "--verify", verify, "--out", str(out), "--quiet"], capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if result.returncode not in (0, 1):
        sys.exit(result.stdout + result.stderr)
    return seconds


# ---------------------------------------------------------------- (b) the baseline, as one would write it

def _baseline_init():
    import warp as wp

    wp.config.quiet = True
    wp.init()


def _baseline_one(task):
    """One kernel: a temporary file, importlib, Warp's codegen for CPU and CUDA."""
    n, source, tmp = task
    import warp as wp
    from warp._src import context

    path = os.path.join(tmp, f"kernel_{n}.py")
    with open(path, "w") as f:
        f.write(source)
    spec = importlib.util.spec_from_file_location(f"baseline_kernel_{n}", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    kernel = next(v for v in vars(module).values() if isinstance(v, wp.Kernel))
    options = kernel.module.resolve_options(wp.config) | {"output_arch": None}
    builder = context.ModuleBuilder(kernel.module, options, hasher=context.ModuleHasher([kernel], options))
    return len(builder.codegen("cpu")) + len(builder.codegen("cuda"))


def baseline(sources):
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        with multiprocessing.get_context("spawn").Pool(2, initializer=_baseline_init) as pool:
            sizes = pool.map(_baseline_one, [(n, s, tmp) for n, s in enumerate(sources)], chunksize=8)
        seconds = time.perf_counter() - start
    assert all(sizes)
    return seconds


# ---------------------------------------------------------------- (c) the floor

def floor(sources, profile=False):
    from warpsynth_worker import loader, warp_bridge
    from warp._src import context
    import warp as wp

    warp_bridge.init()
    kernels = []
    for n, source in enumerate(sources):
        loaded = loader.load_source(source, f"floor_{n}", f"floor/{n}.py")
        kernels.append(next(v for v in vars(loaded.module).values() if warp_bridge.is_kernel(v)))
    profiler = cProfile.Profile() if profile else None
    start = time.perf_counter()
    if profiler:
        profiler.enable()
    for kernel in kernels:
        options = kernel.module.resolve_options(wp.config) | {"output_arch": None}
        builder = context.ModuleBuilder(kernel.module, options, hasher=context.ModuleHasher([kernel], options))
        builder.codegen("cpu")
        builder.codegen("cuda")
    if profiler:
        profiler.disable()
    seconds = time.perf_counter() - start
    text = None
    if profiler:
        stream = io.StringIO()
        pstats.Stats(profiler, stream=stream).sort_stats("cumulative").print_stats(25)
        text = stream.getvalue()
    return seconds, text


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--compile-count", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        print(f"(a) warpsynth generate --count {args.count} --verify codegen --jobs 2 ...", flush=True)
        a_seconds = run_generate(args.count, Path(tmp) / "a", "codegen")
        sources = [json.loads(line)["python"] for shard in sorted((Path(tmp) / "a").glob("kernels-*.jsonl"))
                   for line in shard.read_text().splitlines()]
        n = len(sources)
        print(f"(b) baseline on the same {n} kernels ...", flush=True)
        b_seconds = baseline(sources)
        print("(c) Warp's codegen calls alone, one warm process ...", flush=True)
        c_seconds, _ = floor(sources)
        print(f"    --verify compile --count {args.compile_count} --jobs 2 ...", flush=True)
        compile_seconds = run_generate(args.compile_count, Path(tmp) / "compile", "compile")

    a, b, c = args.count / a_seconds, n / b_seconds, 2 * n / c_seconds
    results = {
        "machine": {"cpu": platform.processor() or platform.machine(), "cores": os.cpu_count()},
        "kernels": {"a": args.count, "b": n, "c": n},
        "a_per_s": a, "b_per_s": b, "c_per_s": c,
        "compile_per_s": args.compile_count / compile_seconds,
        "speedup_vs_baseline": a / b, "fraction_of_floor": a / c,
    }
    print(f"\n(a) warpsynth generate, 2 workers   {a:8.1f} kernels/s")
    print(f"(b) baseline, pool of 2              {b:8.1f} kernels/s")
    print(f"(c) floor, codegen calls x 2 cores   {c:8.1f} kernels/s")
    print(f"    --verify compile, 2 workers      {results['compile_per_s']:8.1f} kernels/s")
    print(f"a/b = {a / b:.2f} (target >= 5)   a/c = {a / c:.2f} (target >= 0.8)")
    if a / b < 5 or a / c < 0.8:
        _, profile = floor(sources[:200], profile=True)
        results["profile_of_codegen_calls"] = profile
        print("\nwhere a codegen call's time goes (cProfile, 200 kernels, cumulative):")
        print("\n".join(profile.splitlines()[:40]))
    path = ROOT / "bench" / "results" / "throughput.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(results, indent=2) + "\n")
    print(f"\nwritten to {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
