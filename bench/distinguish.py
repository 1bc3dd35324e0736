"""Can a plain classifier tell generated kernels from real ones? (issue 26)

Logistic regression, 5-fold stratified cross-validation, ROC AUC, on three views of each kernel
(bench/kernel_views.py):
  anonymous  the kernel's tokens, identifiers -> ID, numbers -> NUM, strings -> STR, comments -> COMMENT
             (1- to 3-grams)
  body       the same, of the body alone: no decorator, signature or docstring
  ast        (parent, child) node-type pairs of the body's syntax tree
AUC 0.5: the classifier cannot tell them apart; 1.0: it always can.

    .venv/bin/python bench/distinguish.py --generated OUT/gen --real out/corpus [--count 1500]
    .venv/bin/python bench/distinguish.py --seed 1 --real out/corpus          # generates 1,500 itself
    .venv/bin/python bench/distinguish.py --seed 1 --source from              # 1,500 variants of out/corpus

`--generated` takes any folder of synthetic records (`warpsynth generate`, or `generate --from` for
`--source from`). The real kernels are self-contained extracted records (`make corpus`). The figures
are printed and written under "distinguish" in bench/results/realism.json (other keys kept).
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

from kernel_views import (anonymous_tokens, ast_bigrams, generate, real_beside_variants, sample_kernels,  # noqa: E402
                          source_file_of, write_parent_half)

RESULTS = ROOT / "bench" / "results" / "realism.json"


def views(sources: list[str]) -> dict[str, list[str]]:
    return {
        "anonymous": [" ".join(anonymous_tokens(s)) for s in sources],
        "body": [" ".join(anonymous_tokens(s, body_only=True)) for s in sources],
        "ast": [" ".join(ast_bigrams(s)) for s in sources],
    }


def cross_validated_auc(texts: list[str], labels: list[int], seed: int, ngrams: tuple[int, int],
                        groups: list[str] | None = None) -> dict:
    """With `groups` (the source file of each kernel, a variant's its parent's), no file has kernels in
    two folds: the classifier is scored on files it has not seen, so that it cannot tell a variant by
    remembering its parent's file from another fold."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedGroupKFold, StratifiedKFold, cross_val_score
    from sklearn.pipeline import make_pipeline

    model = make_pipeline(
        TfidfVectorizer(tokenizer=str.split, token_pattern=None, lowercase=False, ngram_range=ngrams, min_df=2),
        LogisticRegression(max_iter=2000))
    if groups is None:
        folds = StratifiedKFold(n_splits=5, shuffle=True, random_state=seed)
        scores = cross_val_score(model, texts, labels, cv=folds, scoring="roc_auc")
    else:
        folds = StratifiedGroupKFold(n_splits=5, shuffle=True, random_state=seed)
        scores = cross_val_score(model, texts, labels, groups=groups, cv=folds, scoring="roc_auc")
    return {"auc": round(float(scores.mean()), 4), "folds": [round(float(s), 4) for s in scores]}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--generated", type=Path, help="a folder of synthetic records (default: generate --seed)")
    parser.add_argument("--real", type=Path, nargs="+", default=[ROOT / "out" / "corpus"],
                        help="folders of extracted records (default: out/corpus, made by `make corpus`)")
    parser.add_argument("--source", choices=["generate", "from"], default="generate",
                        help="what the synthetic records are: built from scratch, or variants of real kernels")
    parser.add_argument("--fold-by", choices=["file", "kernel"], default=None,
                        help="cross-validation folds: by source file (the default for --source from: a variant's "
                             "parent's file is never in two folds) or by kernel (the default for generate)")
    parser.add_argument("--count", type=int, default=1500, help="kernels of each kind")
    parser.add_argument("--seed", type=int, default=1, help="the generator's seed, the samples' and the folds'")
    parser.add_argument("--results", type=Path, default=RESULTS)
    args = parser.parse_args(argv)

    started = time.time()
    with tempfile.TemporaryDirectory() as scratch:
        parents_dir = None
        if args.source == "from" and args.generated is None:
            parents_dir = write_parent_half(args.real, args.seed, Path(scratch) / "parents")
        # 5% more than asked: a few draws are duplicates or fail codegen.
        generated_dir = args.generated or generate(args.seed, int(args.count * 1.05) + 10, Path(scratch) / "generated",
                                                   parents_dir)
        real = sample_kernels(args.real, args.count, args.seed, "extracted")
        synthetic = sample_kernels([generated_dir], args.count, args.seed, "synthetic")
        if args.source == "from":
            # Variants are compared with the real kernels of the other half of the files: never their
            # parents nor their parents' neighbours, and drawn as the parents were.
            real = real_beside_variants(real, synthetic, args.seed)
    n = min(len(real), len(synthetic))
    if n < 50:
        raise SystemExit(f"too few kernels to compare: {len(synthetic)} generated, {len(real)} real "
                         "(real kernels come from `make corpus`: out/corpus)")
    real, synthetic = real[:n], synthetic[:n]
    labels = [0] * n + [1] * n
    sources = [item["source"] for item in real] + [item["source"] for item in synthetic]
    # Variants are folded by their parents' files (cross_validated_auc); kernels from scratch have none.
    fold_by = args.fold_by or ("file" if args.source == "from" else "kernel")
    groups = [source_file_of(item["record"]) for item in real + synthetic] if fold_by == "file" else None
    figures = {}
    for name, texts in views(sources).items():
        figures[name] = cross_validated_auc(texts, labels, args.seed, (1, 3) if name != "ast" else (1, 2), groups)
        print(f"{args.source:>8} {name:<10} AUC {figures[name]['auc']:.3f}  folds {figures[name]['folds']}")
    result = {
        "kernels_each": n,
        "seed": args.seed,
        "generated": str(args.generated) if args.generated else f"warpsynth generate --seed {args.seed}"
        + (f" --from {args.real[0]}" if args.source == "from" else ""),
        "real": [str(p) for p in args.real],
        "anonymous": figures["anonymous"]["auc"],
        "body": figures["body"]["auc"],
        "ast": figures["ast"]["auc"],
        "folds": {k: v["folds"] for k, v in figures.items()},
        "folded_by": "source file (a variant: its parent's)" if groups else "kernel",
        "machine": f"{platform.machine()}, {platform.python_version()}",
        "seconds": round(time.time() - started, 1),
    }
    stored = json.loads(args.results.read_text()) if args.results.exists() else {}
    key = args.source if fold_by == ("file" if args.source == "from" else "kernel") else f"{args.source} (folded by {fold_by})"
    stored.setdefault("distinguish", {})[key] = result
    args.results.write_text(json.dumps(stored, indent=1) + "\n")
    print(f"{n} generated vs {n} real kernels; written to {args.results}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
