"""The shape of the code (docs/architecture.md, "Layers"): no include cycle between the folders of
src/, no import cycle in python/, no function in src/ over 120 lines; and the checks themselves,
each shown finding what it looks for."""

import sys
import textwrap
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "tests" / "structure"))

import check_structure  # noqa: E402


def test_the_code_keeps_its_shape():
    assert check_structure.problems() == []


def test_an_include_cycle_between_folders_is_found(tmp_path):
    (tmp_path / "low").mkdir()
    (tmp_path / "high").mkdir()
    (tmp_path / "low" / "a.h").write_text('#include "high/b.h"\n')
    (tmp_path / "high" / "b.h").write_text('#include "low/c.h"\n')
    (tmp_path / "low" / "c.h").write_text('#include "low/a.h"\n')  # within a folder: no cycle of folders
    graph = check_structure.folder_includes(tmp_path)
    assert check_structure.cycles({f: set(t) for f, t in graph.items()}) == [["high", "low"]]
    (tmp_path / "low" / "a.h").write_text("")
    graph = check_structure.folder_includes(tmp_path)
    assert check_structure.cycles({f: set(t) for f, t in graph.items()}) == []


def test_an_import_cycle_is_found_also_through_an_import_inside_a_function(tmp_path):
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "a.py").write_text("from .b import thing\n")
    (package / "b.py").write_text("thing = 1\n\ndef later():\n    from . import a\n")
    assert check_structure.cycles(check_structure.python_imports(tmp_path)) == [["pkg.a", "pkg.b"]]
    (package / "b.py").write_text("thing = 1\n")
    assert check_structure.cycles(check_structure.python_imports(tmp_path)) == []


def test_a_long_function_is_found_and_a_long_class_is_not(tmp_path):
    body = "".join(f"  x += {n};\n" for n in range(130))
    (tmp_path / "f.cpp").write_text(textwrap.dedent("""\
        namespace a {
        struct Long {
        """) + body + "};\n\nint short_one() {\n  return 1;\n}\n\nint long_one(int x)\n    {\n" + body + "  return x;\n}\n\n}  // namespace a\n")
    found = check_structure.long_functions(tmp_path, limit=120)
    assert found == [("f.cpp", 139, 134)], found  # from its signature to its closing brace
