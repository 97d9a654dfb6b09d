"""Imports flow one way (STYLE: the folder tree is the architecture). The packages
of ``modtool`` form no cycle: no package imports, at module level or inside a
function, a package that imports it back (directly or through others). Issue 17.16
named three such back-arrows; this keeps every one from coming back."""

from __future__ import annotations

import ast
import itertools
from collections import defaultdict
from pathlib import Path

import modtool

ROOT = Path(modtool.__file__).parent


def package_of(module: str) -> str:
    """``modtool.scoring.offline.scorer`` -> ``modtool.scoring``; a top-level module
    (``modtool.models``) is its own unit."""
    return ".".join(module.split(".")[:2])


def import_graph() -> dict[str, dict[str, str]]:
    """package -> {imported package: one file that imports it}."""
    graph: dict[str, dict[str, str]] = defaultdict(dict)
    for path in sorted(ROOT.rglob("*.py")):
        module = ".".join(("modtool", *path.relative_to(ROOT).with_suffix("").parts))
        source = package_of(module.removesuffix(".__init__"))
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                names = [node.module]
            else:
                continue
            for name in names:
                target = package_of(name)
                if name.startswith("modtool.") and target != source:
                    graph[source].setdefault(target, str(path.relative_to(ROOT.parent)))
    return graph


def cycle_in(graph: dict[str, dict[str, str]]) -> list[str] | None:
    """One cycle of the graph as a path ``[a, b, …, a]``, or None."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for target in sorted(graph.get(node, {})):
            if state.get(target) == 1:
                return [*path[path.index(target) :], target]
            if target not in state and (found := visit(target)):
                return found
        state[node] = 2
        path.pop()
        return None

    for node in sorted(graph):
        if node not in state and (found := visit(node)):
            return found
    return None


def test_the_packages_import_each_other_one_way() -> None:
    graph = import_graph()
    assert len(graph) > 15  # the walk found the packages
    cycle = cycle_in(graph)
    where = [f"{a} -> {b} ({graph[a][b]})" for a, b in itertools.pairwise(cycle)] if cycle else []
    assert cycle is None, "import cycle: " + "; ".join(where)


def test_the_cycle_finder_finds_one() -> None:
    graph = {"a": {"b": "a.py"}, "b": {"c": "b.py"}, "c": {"a": "c.py"}, "d": {"a": "d.py"}}
    assert cycle_in(graph) == ["a", "b", "c", "a"]
    assert cycle_in({"a": {"b": "a.py"}, "b": {}}) is None
