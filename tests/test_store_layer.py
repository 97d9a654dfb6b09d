"""The store is the bottom layer (STYLE: imports flow one way): nothing under
``modtool/store`` imports the policy, export, annotation, CLI or UI layers, at
module level or inside a function (issue 17.16: ``store/suggestions.py`` imported
``policy.model.Suggestion``)."""

from __future__ import annotations

import ast
from pathlib import Path

import modtool

ABOVE = ("modtool.policy", "modtool.export", "modtool.annotations", "modtool.cli", "modtool.tui")


def imported_modules(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.add(node.module)
    return found


def test_the_store_imports_no_layer_above_it() -> None:
    store = Path(modtool.__file__).parent / "store"
    files = sorted(store.glob("*.py"))
    assert len(files) > 10
    wrong = {
        f"{path.name}: {module}"
        for path in files
        for module in imported_modules(path)
        if module.startswith(ABOVE)
    }
    assert not wrong, wrong
