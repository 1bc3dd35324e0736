"""``python -m warpsynth_dataset.report REPORT_DIR --dataset DIR [--against REFERENCE]``

The plots and the Markdown of ``warpsynth stats --report``: reads REPORT_DIR/stats.json and
REPORT_DIR/lines.json (written by the driver) and, with --against, the reference (a dataset's
stats.json, or a JSON file with a "quality" object such as tests/data/realism-reference-*.json),
and writes REPORT_DIR/report.md with its PNGs beside it.
"""

import argparse
import json
import os
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

plt.rcParams.update({"figure.dpi": 110, "font.size": 9, "axes.spines.top": False, "axes.spines.right": False,
                     "svg.hashsalt": "warpsynth"})
# PNGs without a timestamp or software version: the same figures give the same bytes.
PNG_METADATA = {"Software": None}


def save(fig, folder: str, name: str) -> str:
    fig.tight_layout()
    fig.savefig(os.path.join(folder, name), metadata=PNG_METADATA)
    plt.close(fig)
    return name


def shares(counts: dict, total: int) -> dict:
    return {k: v / total for k, v in counts.items()} if total else {}


def plot_templates(stats: dict, folder: str):
    templates = stats.get("templates") or {}
    if not templates:
        return None
    items = sorted(templates.items(), key=lambda kv: (kv[1], kv[0]))
    fig, ax = plt.subplots(figsize=(7, 0.22 * len(items) + 1))
    ax.barh([k for k, _ in items], [100 * v / stats["records"] for _, v in items], color="#4c72b0")
    ax.set_xlabel("% of records")
    ax.set_title("Generator templates")
    return save(fig, folder, "templates.png")


def plot_builtins(stats: dict, reference: dict, folder: str, top: int = 30):
    ours = stats.get("quality", {}).get("calls") or {}
    theirs = (reference or {}).get("quality", {}).get("calls") or {}
    if not ours:
        return None
    our_total, their_total = sum(ours.values()), sum(theirs.values())
    def weight(name):
        return ours.get(name, 0) / our_total + (theirs.get(name, 0) / their_total if their_total else 0)

    names = sorted(set(ours) | set(theirs), key=lambda n: (-weight(n), n))  # ties by name: the same order every run
    names = names[:top][::-1]
    fig, ax = plt.subplots(figsize=(7, 0.22 * len(names) + 1.2))
    y = range(len(names))
    ax.barh([i + 0.2 for i in y], [100 * ours.get(n, 0) / our_total for n in names], height=0.4, label="this dataset",
            color="#4c72b0")
    if theirs:
        ax.barh([i - 0.2 for i in y], [100 * theirs.get(n, 0) / their_total for n in names], height=0.4,
                label="reference", color="#dd8452")
    ax.set_yticks(list(y), names)
    ax.set_xlabel("% of wp.* calls")
    ax.set_title(f"The {len(names)} most called builtins" + (" against the reference" if theirs else ""))
    ax.legend(loc="lower right")
    return save(fig, folder, "builtins.png")


def plot_lines(lines: dict, folder: str):
    keys = [k for k in ("python", "cpu_forward", "cpu_backward", "cuda_forward", "cuda_backward") if lines.get(k)]
    if not keys:
        return None
    fig, axes = plt.subplots(1, len(keys), figsize=(2.6 * len(keys), 2.6), squeeze=False)
    for ax, key in zip(axes[0], keys):
        values = sorted(lines[key])
        cut = values[min(len(values) - 1, int(0.99 * len(values)))]
        low = values[0]
        # whole lines: one bin per line where the range is short (30 bins over 40 lines alias)
        bins = [b - 0.5 for b in range(int(low), int(cut) + 2)] if cut - low <= 60 else 30
        ax.hist([v for v in values if v <= cut], bins=bins, color="#55a868")
        ax.set_title(key.replace("_", " "))
        ax.set_xlabel("lines (to the 99th percentile)")
    axes[0][0].set_ylabel("records")
    return save(fig, folder, "lines.png")


def plot_verify(stats: dict, folder: str):
    verify = stats.get("verify") or {}
    if not verify:
        return None
    levels = [l for l in ("codegen", "self_contained", "cpu_compile", "cuda_ptx", "cpu_run", "gpu_run", "grad_check")
              if l in verify] + sorted(set(verify) - {"codegen", "self_contained", "cpu_compile", "cuda_ptx",
                                                      "cpu_run", "gpu_run", "grad_check"})
    colors = {"ok": "#55a868", "failed": "#c44e52", "skipped": "#bbbbbb"}
    fig, ax = plt.subplots(figsize=(7, 0.35 * len(levels) + 1.2))
    left = [0.0] * len(levels)
    for outcome in ("ok", "failed", "skipped"):
        values = [100 * verify[l].get(outcome, 0) / max(1, sum(verify[l].values())) for l in levels]
        ax.barh(levels[::-1], values[::-1], left=left[::-1], color=colors[outcome], label=outcome)
        left = [a + b for a, b in zip(left, values)]
    ax.set_xlabel("% of records")
    ax.set_title("Verification outcomes per level")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.22), ncols=3, frameon=False)
    return save(fig, folder, "verify.png")


QUALITY = [
    ("dead_assignment_share", "assignments never read"),
    ("literal_only_call_share", "builtin calls on literals only"),
    ("literal_condition_share", "conditions on literals"),
    ("unused_arg_share", "unused kernel arguments"),
    ("unused_func_param_share", "unused func parameters"),
    ("uncalled_func_share", "funcs never called"),
    ("kernels_with_trivial_op", "kernels with trivial operations"),
]


def quality_measures(quality: dict) -> dict:
    return {k: quality[k] for k, _ in QUALITY if isinstance(quality.get(k), (int, float))}


def plot_quality(stats: dict, reference: dict, folder: str):
    ours = quality_measures(stats.get("quality") or {})
    theirs = quality_measures((reference or {}).get("quality") or {})
    if not ours:
        return None
    keys = [k for k, _ in QUALITY if k in ours][::-1]
    labels = dict(QUALITY)
    fig, ax = plt.subplots(figsize=(7, 0.4 * len(keys) + 1.2))
    y = range(len(keys))
    ax.barh([i + 0.2 for i in y], [100 * ours[k] for k in keys], height=0.4, label="this dataset", color="#4c72b0")
    if theirs:
        ax.barh([i - 0.2 for i in y], [100 * theirs.get(k, 0) for k in keys], height=0.4, label="reference",
                color="#dd8452")
    ax.set_yticks(list(y), [labels[k] for k in keys])
    ax.set_xlabel("%")
    ax.set_title("Quality measures (lower is better)")
    ax.legend(loc="lower right")
    return save(fig, folder, "quality.png")


def markdown(stats: dict, reference: dict, dataset: str, against: str, plots: dict) -> str:
    out = [f"# Report on `{os.path.basename(os.path.normpath(dataset))}`", ""]
    out.append(f"{stats['records']} records ({stats['distinct_python']} distinct Python), "
               + ", ".join(f"{n} {origin}" for origin, n in sorted(stats.get("origins", {}).items()))
               + f"; {stats.get('distinct_builtins', 0)} distinct builtins, {stats.get('distinct_types', 0)} types.")
    if against:
        out.append(f"Reference: `{against}`.")
    out.append("")
    captions = {
        "templates": "Generator templates: the share of records each made.",
        "builtins": "Builtin usage: the share of `wp.*` calls of each builtin, against the reference when one is given.",
        "lines": "Line counts of the Python and of the generated forward and backward functions.",
        "verify": "Verification outcomes at each level (docs/verification.md).",
        "quality": "Quality measures of the Python (meta.quality), against the reference when one is given.",
    }
    for key in ("templates", "builtins", "lines", "verify", "quality"):
        if plots.get(key):
            out += [f"## {key.capitalize()}", "", captions[key], "", f"![{key}]({plots[key]})", ""]
    ours = quality_measures(stats.get("quality") or {})
    if ours:
        theirs = quality_measures((reference or {}).get("quality") or {})
        out += ["| quality measure | this dataset | reference |", "|---|---:|---:|"]
        for key, label in QUALITY:
            if key in ours:
                ref = f"{100 * theirs[key]:.2f}%" if key in theirs else ""
                out.append(f"| {label} | {100 * ours[key]:.2f}% | {ref} |")
        out.append("")
    mean_lines = stats.get("mean_lines") or {}
    if mean_lines:
        out += ["| mean lines | |", "|---|---:|"] + [f"| {k} | {v:.1f} |" for k, v in sorted(mean_lines.items())] + [""]
    return "\n".join(out)


def main(argv: list) -> int:
    parser = argparse.ArgumentParser(description="plots and Markdown of warpsynth stats --report")
    parser.add_argument("report")
    parser.add_argument("--dataset", required=True)
    parser.add_argument("--against")
    args = parser.parse_args(argv)
    with open(os.path.join(args.report, "stats.json"), encoding="utf-8") as f:
        stats = json.load(f)
    with open(os.path.join(args.report, "lines.json"), encoding="utf-8") as f:
        lines = json.load(f)
    # The reference's figures, as the driver read them (a dataset folder or a JSON file).
    reference = None
    if isinstance(stats.get("against"), dict):
        against = stats["against"]
        reference = {"quality": {**against.get("measures", {}), "calls": against.get("calls", {})}}
    plots = {
        "templates": plot_templates(stats, args.report),
        "builtins": plot_builtins(stats, reference, args.report),
        "lines": plot_lines(lines, args.report),
        "verify": plot_verify(stats, args.report),
        "quality": plot_quality(stats, reference, args.report),
    }
    with open(os.path.join(args.report, "report.md"), "w", encoding="utf-8") as f:
        f.write(markdown(stats, reference, args.dataset, args.against, plots))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
