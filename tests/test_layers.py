"""The import contract: command line -> dashboard -> metrics -> database <- ingest, no cycle.

Every import counts, also one inside a function (a lazy import is still an arrow).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# What each package may import, besides itself (the dashboard's Data page loads files).
ALLOWED: dict[str, set[str]] = {
    "database": set(),
    "ingest": {"database"},
    "metrics": {"database"},
    "dashboard": {"metrics", "ingest", "database"},
    "cli": {"dashboard", "metrics", "ingest", "database"},
}


def modules(root: Path) -> dict[str, Path]:
    """Dotted module name -> file, for every module of the layered packages under root."""
    found = {}
    for package in ALLOWED:
        for path in sorted((root / package).rglob("*.py")):
            parts = path.relative_to(root).with_suffix("").parts
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            found[name] = path
    return found


def imports_of(path: Path, name: str) -> Iterator[str]:
    """The modules of ours a file imports (absolute names), wherever the import stands."""
    is_package = path.name == "__init__.py"
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: resolve against this module's package
                base = name.split(".")
                base = base if is_package else base[:-1]
                base = base[: len(base) - node.level + 1]
                module = ".".join([*base, node.module] if node.module else base)
            else:
                module = node.module or ""
            yield module
            yield from (f"{module}.{alias.name}" for alias in node.names)


def graph(root: Path) -> dict[str, set[str]]:
    """Module -> the modules of ours it imports."""
    known = modules(root)
    return {
        name: {m for m in imports_of(path, name) if m in known and m != name}
        for name, path in known.items()
    }


def upward_imports(edges: dict[str, set[str]]) -> list[str]:
    """Every import that points up or sideways across layers."""
    wrong = []
    for source, targets in sorted(edges.items()):
        layer = source.split(".")[0]
        for target in sorted(targets):
            other = target.split(".")[0]
            if other != layer and other not in ALLOWED[layer]:
                wrong.append(f"{source} imports {target}")
    return wrong


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Import cycles between modules (each as the path around it)."""
    found, state, stack = [], {}, []

    def visit(node: str) -> None:
        state[node] = "open"
        stack.append(node)
        for nxt in sorted(edges.get(node, ())):
            if state.get(nxt) == "open":
                found.append([*stack[stack.index(nxt) :], nxt])
            elif nxt not in state:
                visit(nxt)
        stack.pop()
        state[node] = "done"

    for node in sorted(edges):
        if node not in state:
            visit(node)
    return found


def test_imports_run_one_way() -> None:
    edges = graph(ROOT)
    assert len(edges) > 40  # the packages were really found
    assert upward_imports(edges) == []


def test_no_module_imports_itself_back() -> None:
    # A package importing its own __init__ for a name is a cycle only if the __init__ imports
    # back; package __init__ files here hold docstrings only.
    assert cycles(graph(ROOT)) == []


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """A small made-up project with the same layers."""
    for package in ALLOWED:
        (tmp_path / package).mkdir()
        (tmp_path / package / "__init__.py").write_text("")
    (tmp_path / "database" / "db.py").write_text("X = 1\n")
    (tmp_path / "metrics" / "a.py").write_text("from database.db import X\n")
    (tmp_path / "metrics" / "b.py").write_text("def f():\n    from metrics import a\n")
    return tmp_path


def test_the_contract_catches_an_upward_import_even_a_lazy_one(tree: Path) -> None:
    (tree / "database" / "up.py").write_text("def f():\n    from metrics.a import X\n")
    (tree / "ingest" / "side.py").write_text("import metrics.b\n")
    assert upward_imports(graph(tree)) == [
        "database.up imports metrics.a",
        "ingest.side imports metrics.b",
    ]


def test_the_contract_catches_a_cycle(tree: Path) -> None:
    (tree / "metrics" / "a.py").write_text("from database.db import X\nfrom . import b\n")
    assert cycles(graph(tree)) == [["metrics.a", "metrics.b", "metrics.a"]]
