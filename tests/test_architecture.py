"""Where things live, checked from the source: import graph, who may draw, a thin CLI.

Imports are read with :mod:`ast`, function-level ones included (a lazy import still ties two
modules together), ``if TYPE_CHECKING:`` blocks excluded (annotations only).
"""

from __future__ import annotations

import ast
import pkgutil
from pathlib import Path

import pytest

import lrplot

PACKAGE = Path(lrplot.__file__).parent
# The modules that may import matplotlib (each inside functions only: ruff TID253).
DRAWING = {"lrplot.render.figures", "lrplot.render.style", "lrplot.render.layout",
           "lrplot.render.artists"}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _imported(name: str) -> set[str]:
    """Every module *name* imports at run time (absolute names, third-party included)."""
    path = MODULES[name]
    found: set[str] = set()
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, *([node.module] if node.module else [])])
            # `from lrplot import registry` imports the submodule, not the package's own code.
            submodules = {f"{base}.{alias.name}" for alias in node.names} & MODULES.keys()
            found.update(submodules or {base})
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(ast.parse(path.read_text(encoding="utf-8")))
    return found


def _internal(name: str) -> set[str]:
    """The lrplot modules *name* imports (a name inside a module counts as that module)."""
    out = set()
    for target in _imported(name):
        while target and target not in MODULES:
            target = target.rpartition(".")[0]
        if target and target != name:
            out.add(target)
    return out


GRAPH = {name: _internal(name) for name in MODULES}


def _cycle_from(start: str) -> list[str] | None:
    """A path start -> ... -> start through GRAPH, if there is one (depth-first)."""
    stack = [(start, [start])]
    seen = set()
    while stack:
        node, path = stack.pop()
        for target in GRAPH[node]:
            if target == start:
                return [*path, start]
            if target not in seen:
                seen.add(target)
                stack.append((target, [*path, target]))
    return None


def test_the_graph_is_read():
    """The walk sees real edges, lazy ones included (else the cycle test proves nothing)."""
    assert "lrplot.registry" in GRAPH["lrplot.inputs"]
    assert "lrplot.render.figures" in GRAPH["lrplot.core"]  # Schedule.plot, imported lazily
    assert "lrplot.core" not in GRAPH["lrplot.render.figures"]  # annotations only


@pytest.mark.parametrize("name", sorted(MODULES))
def test_no_import_cycle(name):
    cycle = _cycle_from(name)
    assert cycle is None, " -> ".join(cycle or [])


def _roots(name: str) -> set[str]:
    return {target.partition(".")[0] for target in _imported(name)}


def test_only_the_figure_renderer_imports_matplotlib():
    drawing = {name for name in MODULES if "matplotlib" in _roots(name)}
    assert drawing <= DRAWING, sorted(drawing - DRAWING)


def test_only_the_rendering_layer_imports_rich():
    printing = {name for name in MODULES if "rich" in _roots(name)}
    assert all(name.startswith("lrplot.render.") for name in printing), sorted(printing)


def test_the_cli_only_declares_and_calls():
    """cli.py parses options and calls the library: no arrays, no drawing, no schedule math."""
    source = MODULES["lrplot.cli"].read_text(encoding="utf-8")
    assert len(source.splitlines()) < 400
    assert not _roots("lrplot.cli") & {"numpy", "matplotlib", "rich"}
    math = {"lrplot.core", "lrplot.families", "lrplot.compose", "lrplot.anneal",
            "lrplot.plateau", "lrplot.dialects", "lrplot.render.figures", "lrplot.render.data",
            "lrplot.render.table", "lrplot.render.chart"}
    assert not GRAPH["lrplot.cli"] & math, sorted(GRAPH["lrplot.cli"] & math)


def test_no_public_name_shadows_a_submodule():
    """`lrplot.<name>` is one thing: a function named like a module would hide the module."""
    submodules = {info.name for info in pkgutil.iter_modules(lrplot.__path__)}
    assert not set(lrplot.__all__) & submodules, sorted(set(lrplot.__all__) & submodules)
