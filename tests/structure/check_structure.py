"""The shape rules of the code (docs/architecture.md), checked by `make test`:

- no include cycle between the folders of ``src/`` (a folder's files may include each other);
- no import cycle between the modules of ``python/`` (imports inside functions count too: a lazy
  import is still a dependency);
- no function in ``src/`` longer than MAX_FUNCTION_LINES lines.

    .venv/bin/python tests/structure/check_structure.py     # prints what breaks a rule, exit 1 if any
"""

from __future__ import annotations

import ast
import re
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
MAX_FUNCTION_LINES = 120
_INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.MULTILINE)


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one node (Tarjan), each sorted; a node's arrow
    to itself is no cycle here."""
    index, low, on_stack, stack, found = {}, {}, set(), [], []
    counter = [0]

    def visit(node: str) -> None:
        index[node] = low[node] = counter[0]
        counter[0] += 1
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph.get(node, ())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return sorted(found)


def shortest_cycle(graph: dict[str, set[str]], members: list[str]) -> list[str]:
    """The shortest closed path through ``members`` (a cycle of ``cycles``): [a, b, ..., a]."""
    best = members + members[:1]
    for start in members:
        previous, frontier, found = {start: None}, [start], None
        while frontier and found is None:
            following = []
            for node in frontier:
                for target in sorted(graph.get(node, ())):
                    if target == start and found is None:
                        path = [node]
                        while previous[path[-1]] is not None:
                            path.append(previous[path[-1]])
                        found = list(reversed(path)) + [start]
                    elif target in members and target not in previous:
                        previous[target] = node
                        following.append(target)
            frontier = following
        if found is not None and len(found) < len(best):
            best = found
    return best


def folder_includes(src: Path) -> dict[str, dict[str, list[str]]]:
    """{folder: {included folder: [the files that include it]}} for the quoted includes of ``src``."""
    graph: dict[str, dict[str, list[str]]] = {}
    for path in sorted(src.rglob("*")):
        if path.suffix not in (".h", ".cpp"):
            continue
        folder = path.parent.relative_to(src).as_posix()
        for included in _INCLUDE.findall(path.read_text(errors="replace")):
            target = Path(included).parent.as_posix()
            if target != folder and (src / included).exists():
                graph.setdefault(folder, {}).setdefault(target, []).append(path.relative_to(src).as_posix())
    return graph


def python_imports(root: Path) -> dict[str, set[str]]:
    """{module: {modules of ``root``'s packages it imports}}, relative imports resolved, imports
    inside functions included."""
    modules = {}
    for path in sorted(root.rglob("*.py")):
        parts = path.relative_to(root).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        modules[name] = path
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        targets = set()
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                targets.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    anchor = package.split(".")
                    anchor = anchor[: len(anchor) - (node.level - 1)]
                    base = ".".join(anchor + ([base] if base else []))
                targets.add(base)
                targets.update(f"{base}.{alias.name}" for alias in node.names)
        graph[name] = {t for t in targets if t in modules and t != name and not name.startswith(t + ".")
                       and modules[t].name != "__init__.py"}
    return graph


def long_functions(src: Path, limit: int = MAX_FUNCTION_LINES) -> list[tuple[str, int, int]]:
    """(file, first line, lines) of each function longer than ``limit``. The code is clang-formatted:
    a function defined at namespace level starts at column 0 and ends at a line that is ``}`` alone;
    nothing inside it reaches column 0."""
    found = []
    for path in sorted(src.rglob("*.cpp")):
        start = None
        for number, line in enumerate(path.read_text(errors="replace").splitlines(), 1):
            if line == "}" and start is not None:
                if number - start + 1 > limit:
                    found.append((path.relative_to(src).as_posix(), start, number - start + 1))
                start = None
            elif line.startswith("}"):  # the end of a class, a struct, an initializer or a namespace
                start = None
            elif line and not line[0].isspace() and not line.startswith(("//", "#", "}", "namespace", "using ")):
                if start is None or line.endswith(";"):
                    start = None if line.endswith(";") else number
    return found


def problems() -> list[str]:
    out = []
    includes = folder_includes(REPO / "src")
    folders = {f: set(t) for f, t in includes.items()}
    for cycle in cycles(folders):
        path = shortest_cycle(folders, cycle)
        ties = [f"{a} -> {b} ({', '.join(includes[a][b][:3])})" for a, b in zip(path, path[1:])]
        out.append(f"include cycle between folders of src/ ({len(cycle)} folders in it), e.g. " + "; ".join(ties))
    imports = python_imports(REPO / "python")
    for cycle in cycles(imports):
        path = shortest_cycle(imports, cycle)
        out.append("import cycle in python/: " + " -> ".join(path))
    for file, line, count in long_functions(REPO / "src"):
        out.append(f"src/{file}:{line}: a function of {count} lines (at most {MAX_FUNCTION_LINES})")
    return out


if __name__ == "__main__":
    found = problems()
    for problem in found:
        print(problem)
    print("structure: " + ("ok" if not found else f"{len(found)} problem(s)"))
    sys.exit(1 if found else 0)
