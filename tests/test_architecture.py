"""The package's folders are its layers, and the import graph keeps to them."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import grimp
import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "tutor"
LAYERS = ("engine", "render", "lessons", "teaching", "store", "service", "web")


def test_the_import_contracts_hold():
    done = subprocess.run(
        [sys.executable, "-m", "importlinter.cli", "--no-cache"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    if done.returncode != 0 and "No module named" in done.stderr:
        done = subprocess.run(
            ["lint-imports", "--no-cache"], cwd=ROOT, capture_output=True, text=True, timeout=120
        )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]


def test_no_import_cycles_not_even_deferred_ones():
    graph = grimp.build_graph("tutor", cache_dir=None)
    cycles = _cycles({m: graph.find_modules_directly_imported_by(m) for m in graph.modules})
    assert cycles == [], "import cycles: " + "; ".join(" -> ".join(c) for c in cycles)


def _cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in edges.get(node, ()):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
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

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return found


def _imports_of_private_names(path: Path) -> list[str]:
    module = ".".join(path.relative_to(ROOT).with_suffix("").parts)
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("tutor"):
            for alias in node.names:
                if alias.name.startswith("_") and node.module != module:
                    found.append(f"{module} imports {node.module}.{alias.name}")
    return found


def test_no_module_imports_another_modules_private_names():
    found = [f for path in sorted(PACKAGE.rglob("*.py")) for f in _imports_of_private_names(path)]
    assert found == []


@pytest.mark.parametrize(
    ("module", "never"),
    [
        ("tutor.render.svg", ["tutor.engine"]),
        ("tutor.render.numbers", ["tutor.engine", "numpy"]),
        (
            "tutor.teaching.adaptive",
            ["yaml", "tutor.lessons.source", "tutor.lessons.checks", "tutor.render.plots"],
        ),
        ("tutor.engine.losses", ["tutor.render", "tutor.lessons", "tutor.vocabulary"]),
    ],
)
def test_importing_a_module_loads_only_what_it_needs(module: str, never: list[str]):
    probe = f"import sys, {module}; print('\\n'.join(sys.modules))"
    loaded = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    assert [m for m in loaded if any(m == n or m.startswith(n + ".") for n in never)] == []


@pytest.mark.parametrize("layer", LAYERS)
def test_each_layer_says_what_lives_there_and_what_it_may_import(layer: str):
    doc = ast.get_docstring(ast.parse((PACKAGE / layer / "__init__.py").read_text()))
    assert doc and len(doc.split()) > 30 and "import" in doc
