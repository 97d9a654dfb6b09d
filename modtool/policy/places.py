"""Where a problem is in a policy file: line numbers found by reading the text
(tomllib keeps none), and how deep brackets nest when tomllib gives up."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import regex

TOML_TOKEN = regex.compile(
    r'''"""(?:\\.|[^\\])*?"""|\'\'\'.*?\'\'\'|"(?:\\.|[^"\\\n])*"|'[^'\n]*'|#[^\n]*|[\[\]{}\n]''',
    regex.S,
)


def deepest_bracket(text: str) -> tuple[int | None, int]:
    """``(line, depth)`` where ``[``/``{`` nesting (outside strings and comments) is deepest.

    Only run when tomllib gave up with a RecursionError, to say where.
    """
    depth = deepest = 0
    line = 1
    where: int | None = None
    for token in TOML_TOKEN.finditer(text):
        mark = token.group()
        if mark in ("[", "{"):
            depth += 1
            if depth > deepest:
                deepest, where = depth, line
        elif mark in ("]", "}"):
            depth = max(depth - 1, 0)
        else:
            line += mark.count("\n")
    return where, deepest


class Locator:
    """Line numbers for keys, found by reading the text (tomllib keeps none)."""

    HEADER = regex.compile(r"^\s*\[\[\s*(labels|rules)\s*\]\]")
    ANY_HEADER = regex.compile(r"^\s*\[")

    def __init__(self, text: str) -> None:
        self.lines = text.splitlines()
        self.blocks: dict[str, list[tuple[int, int]]] = {"labels": [], "rules": [], "": []}
        headers = [
            (number, match.group(1) if (match := self.HEADER.match(line)) else None)
            for number, line in enumerate(self.lines)
            if self.ANY_HEADER.match(line)
        ]
        first = headers[0][0] if headers else len(self.lines)
        self.blocks[""].append((0, first))
        for position, (start, section) in enumerate(headers):
            end = headers[position + 1][0] if position + 1 < len(headers) else len(self.lines)
            if section:
                self.blocks[section].append((start, end))

    def block(self, section: str, index: int) -> tuple[int, int] | None:
        blocks = self.blocks.get(section, [])
        return blocks[index] if 0 <= index < len(blocks) else None

    def header(self, section: str, index: int) -> int | None:
        found = self.block(section, index)
        return found[0] + 1 if found else None

    def find(self, section: str, index: int, key: str | None, value: Any = None) -> int | None:
        """The 1-based line of ``key`` (holding ``value`` if given) in one table."""
        found = self.block(section, index)
        if found is None:
            return None
        start, end = found
        key_re = regex.compile(rf"(?:^|[{{,\s])\"?{regex.escape(key)}\"?\s*=") if key else None
        needles = renderings(value) if value is not None else []
        fallback = None
        for number in range(start, end):
            line = self.lines[number]
            has_key = key_re is None or key_re.search(line) is not None
            has_value = any(needle in line for needle in needles)
            if has_key and (has_value or not needles):
                return number + 1
            if has_value and fallback is None:
                fallback = number + 1
            if has_key and fallback is None and not needles:
                fallback = number + 1
        return fallback


def renderings(value: Any) -> list[str]:
    if isinstance(value, bool):
        return ["true" if value else "false"]
    if isinstance(value, str):
        if not value:
            return ['""', "''"]
        escaped = json.dumps(value, ensure_ascii=False)[1:-1]
        return [value] if value == escaped else [escaped, value]
    if isinstance(value, int | float):
        return [str(value)]
    return []


@dataclass(slots=True)
class Place:
    """A table of the file: ``section`` (``labels``/``rules``/``""``), its index, and
    how problems name it (``label 'insult'``)."""

    section: str
    index: int
    where: str
