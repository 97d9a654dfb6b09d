"""Small builders for policy tests: write TOML text, load it, collect problems."""

from __future__ import annotations

import textwrap
from pathlib import Path

from modtool.policy import Policy, PolicyError, load_policy

BASE_LABELS = """
[[labels]]
key = "ok"
name = "Fine"
guidance = "Nothing wrong."
hotkey = "a"
action = "approve"
colour = "green"

[[labels]]
key = "insult"
name = "Insult"
guidance = "Attacks a person."
hotkey = "i"
action = "remove"
colour = "#d33"
"""


def policy_text(rules: str = "", labels: str = BASE_LABELS, head: str | None = None) -> str:
    head = head if head is not None else 'name = "test"\nversion = "1"\n'
    return head + textwrap.dedent(labels) + textwrap.dedent(rules)


def write_policy(tmp_path: Path, text: str, name: str = "p.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def load_text(tmp_path: Path, text: str) -> Policy:
    return load_policy(write_policy(tmp_path, text))


def problems(tmp_path: Path, text: str) -> list:
    """The problems loading ``text`` reports (fails the test if it loads)."""
    path = write_policy(tmp_path, text)
    try:
        load_policy(path)
    except PolicyError as exc:
        assert exc.problems, exc.message
        return exc.problems
    raise AssertionError("the policy loaded, but it should not have")


def line_of(text: str, needle: str) -> int:
    """1-based line of the first line containing ``needle``."""
    for number, line in enumerate(text.splitlines(), start=1):
        if needle in line:
            return number
    raise AssertionError(f"{needle!r} not in text")
