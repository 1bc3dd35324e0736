"""What the realism benchmarks read of a record: its kernel's source, and views of it with the names
and numbers taken out (bench/distinguish.py, bench/blind_review.py).

A record's ``python`` is a whole file (imports, constants, helper funcs, structs, the kernel); the
kernel is the ``@wp.kernel`` function the record is named for, with its decorator, signature,
docstring, comments and body, as written.
"""

from __future__ import annotations

import ast
import hashlib
import io
import json
import keyword
import random
import subprocess
import textwrap
import tokenize
from pathlib import Path
from typing import Iterator

ROOT = Path(__file__).resolve().parents[1]


def records_of(folder: Path) -> Iterator[dict]:
    """Every record of a warpsynth output folder (kernels.jsonl or kernels-NNNNN.jsonl shards)."""
    files = sorted(folder.glob("kernels*.jsonl"))
    if not files:
        raise SystemExit(f"{folder}: no kernels*.jsonl (give a folder `warpsynth generate` or `extract` wrote)")
    for path in files:
        with path.open() as lines:
            for line in lines:
                yield json.loads(line)


def _is_kernel_decorator(node: ast.expr) -> bool:
    target = node.func if isinstance(node, ast.Call) else node
    return isinstance(target, ast.Attribute) and target.attr == "kernel" or (
        isinstance(target, ast.Name) and target.id == "kernel")


def kernel_source(record: dict) -> str | None:
    """The source of the record's kernel function (decorator to last line); None when not found."""
    python = record["python"]
    try:
        tree = ast.parse(python)
    except SyntaxError:
        return None
    name = record["kernel"].split("__locals__")[-1].split(".")[-1]
    lines = python.splitlines(keepends=True)
    found = None
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef) and any(_is_kernel_decorator(d) for d in node.decorator_list):
            if node.name == name or found is None:
                found = node
    if found is None:
        return None
    first = min([d.lineno for d in found.decorator_list] + [found.lineno])
    return "".join(lines[first - 1:found.end_lineno])


def anonymous_tokens(source: str, body_only: bool = False) -> list[str]:
    """The source's tokens with identifiers -> ID, numbers -> NUM, strings -> STR, comments -> COMMENT;
    keywords and operators as written. `body_only`: the function's statements after its signature
    and docstring."""
    if body_only:
        source = _body_of(source)
    out: list[str] = []
    try:
        for tok in tokenize.generate_tokens(io.StringIO(source).readline):
            if tok.type == tokenize.NAME:
                out.append(tok.string if keyword.iskeyword(tok.string) else "ID")
            elif tok.type == tokenize.NUMBER:
                out.append("NUM")
            elif tok.type == tokenize.STRING:
                out.append("STR")
            elif tok.type == tokenize.COMMENT:
                out.append("COMMENT")
            elif tok.type == tokenize.OP:
                out.append(tok.string)
            elif tok.type in (tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT):
                out.append(tokenize.tok_name[tok.type])
    except (tokenize.TokenError, IndentationError):
        pass
    return out


def _function(source: str) -> ast.FunctionDef | None:
    try:
        tree = ast.parse(textwrap.dedent(source))
    except SyntaxError:
        return None
    return next((n for n in tree.body if isinstance(n, ast.FunctionDef)), None)


def _body_of(source: str) -> str:
    function = _function(source)
    if function is None:
        return ""
    body = function.body
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) and isinstance(
            body[0].value.value, str):
        body = body[1:]
    if not body:
        return ""
    lines = textwrap.dedent(source).splitlines(keepends=True)
    return textwrap.dedent("".join(lines[body[0].lineno - 1:body[-1].end_lineno]))


def ast_bigrams(source: str) -> list[str]:
    """(parent node type, child node type) pairs of the kernel's body, e.g. ``BinOp>Call``."""
    function = _function(source)
    if function is None:
        return []
    out: list[str] = []
    for statement in function.body:
        for parent in ast.walk(statement):
            for child in ast.iter_child_nodes(parent):
                if not isinstance(child, ast.expr_context):  # Load / Store: said by the parent already
                    out.append(f"{type(parent).__name__}>{type(child).__name__}")
    return out


def sample_kernels(folders: list[Path], count: int, seed: int, origin: str,
                   exclude_ids: set[str] = frozenset()) -> list[dict]:
    """Up to `count` distinct kernels of `origin` ("synthetic" or "extracted") from the folders, drawn
    at random with `seed`. Extracted records count only when self-contained (their Python alone gives
    their code). Each item: the record's id, kernel source and the record itself."""
    pool: dict[str, dict] = {}
    for folder in folders:
        for record in records_of(folder):
            if record.get("origin") != origin or record["id"] in pool or record["id"] in exclude_ids:
                continue
            if origin == "extracted" and record["verify"].get("self_contained") != "ok":
                continue
            source = kernel_source(record)
            if source is None:
                continue
            pool[record["id"]] = {"id": record["id"], "source": source, "record": record}
    items = sorted(pool.values(), key=lambda item: item["id"])
    random.Random(seed).shuffle(items)
    return items[:count]


def source_file_of(record: dict) -> str:
    """The file a real record comes from (its distribution and path), or a variant's parent's."""
    meta = record["meta"]
    source = meta.get("source") or (meta.get("generator") or {}).get("parent") or {}
    package = source.get("package") or {}
    return f"{package.get('distribution', '')}:{source.get('file', '')}"


def in_parent_half(record: dict, seed: int) -> bool:
    """Half of the real files, by a hash of the file and the seed: variants are made from the kernels
    of this half and compared with the kernels of the other, so that the real kernels shown are never a
    variant's parent nor from its parent's file, and both halves are drawn alike."""
    digest = hashlib.sha256(f"{seed}:{source_file_of(record)}".encode()).digest()
    return digest[0] % 2 == 0


def write_parent_half(folders: list[Path], seed: int, out: Path) -> Path:
    """The self-contained real records of the parent half, as a folder `generate --from` reads."""
    out.mkdir(parents=True, exist_ok=True)
    with (out / "kernels.jsonl").open("w") as lines:
        for folder in folders:
            for record in records_of(folder):
                if record.get("origin") == "extracted" and in_parent_half(record, seed):
                    lines.write(json.dumps(record) + "\n")
    return out


def real_beside_variants(real: list[dict], variants: list[dict], seed: int) -> list[dict]:
    """The real kernels of the other half of the files than the variants' parents, and of no parent's file."""
    parent_files = {source_file_of(item["record"]) for item in variants}
    return [item for item in real
            if not in_parent_half(item["record"], seed) and source_file_of(item["record"]) not in parent_files]


def generate(seed: int, count: int, out: Path, parents: Path | None = None) -> Path:
    """`warpsynth generate --count COUNT --seed SEED` into `out` (with `--from PARENTS`: variants of
    those real kernels)."""
    command = [str(ROOT / "build" / "warpsynth"), "generate", "--count", str(count), "--seed", str(seed), "--out",
               str(out), "--jobs", "2", "--quiet"]
    if parents is not None:
        command += ["--from", str(parents)]
    if subprocess.run(command).returncode not in (0, 1):  # 1: some kernels failed, the rest were written
        raise SystemExit("warpsynth generate failed: " + " ".join(command))
    return out
