"""Writes src/generator/builtin_usage.cpp: how many kernels of newton call each builtin key.

Usage: .venv/bin/python bench/builtin_usage.py out/corpus   (after `make corpus`)
The generator's builtin choice follows these counts (config builtin_usage); operators are set by
hand below, since `a + b` is not a call and extraction does not list it.
"""

import json
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OPERATORS = {
    "add": 900, "sub": 900, "mul": 900, "div": 300, "neg": 200, "mod": 20, "floordiv": 10,
    "bit_and": 10, "bit_or": 10, "bit_xor": 5, "lshift": 5, "rshift": 5, "invert": 2, "pos": 0,
}


def main() -> int:
    corpus = Path(sys.argv[1] if len(sys.argv) > 1 else ROOT / "out" / "corpus")
    catalog = json.loads((ROOT / "tests" / "data" / "catalog-warp-1.19.0.json").read_text())
    keys = {b["key"] for b in catalog["builtins"]}
    counts: Counter = Counter()
    kernels = 0
    for line in (corpus / "kernels.jsonl").open():
        record = json.loads(line)
        package = (record["meta"]["source"] or {}).get("package") or {}
        if package.get("distribution") != "newton":
            continue
        kernels += 1
        counts.update(set(record["meta"]["builtins"]))
    used = {k: v for k, v in sorted(counts.items()) if k in keys and k not in OPERATORS}
    entries = ",\n".join(f'      {{"{k}", {v}}}' for k, v in used.items())
    operators = ", ".join(f'{{"{k}", {v}}}' for k, v in OPERATORS.items())
    version = package.get("version", "?") if kernels else "?"
    (ROOT / "src" / "generator" / "builtin_usage.cpp").write_text(
        f"""// Written by bench/builtin_usage.py: do not edit by hand.
#include "generator/builtin_usage.h"

namespace warpsynth::generator {{

// Kernels of newton {version} ({kernels} records of `make corpus`) that call each builtin key, counted
// once per kernel (meta.builtins of the extracted records), for the keys of the catalog. Operators
// are not calls in the source: their counts are set by hand to the order of the most used calls.
const std::map<std::string, double>& newton_builtin_usage() {{
  static const std::map<std::string, double> usage = {{
{entries},
      // operators, set by hand
      {operators},
  }};
  return usage;
}}

}}  // namespace warpsynth::generator
"""
    )
    print(f"{len(used)} keys from {kernels} newton kernels")
    return 0


if __name__ == "__main__":
    sys.exit(main())
