"""Refuse policy regexes whose compilation would take unbounded memory or time.

The ``regex`` engine expands a repeat's *minimum* count into copies of its body
when it compiles: ``a{1000000000}`` grew ``policy check`` to 24 GB. Measured on
regex 2026.11 (x86-64), compiled size grows by about 270 bytes and 1 µs per
expanded atom: ``(?:a{1000}){1000}`` (10^6 atoms) costs 275 MB and 1 s, while
``a{1,100000}`` (a loop) costs nothing. So before compiling, the pattern is
parsed (by ``regex``'s own parser, which does not expand anything) and its
*weight* is computed: the number of atoms after expansion, each atom counted
once per copy its enclosing minimum counts make. The checks are exact, not a
guess at the syntax: they walk the very tree ``regex`` would compile.

Limits (each a policy problem at the pattern's line, never a crash):

* pattern length <= :data:`MAX_PATTERN_CHARS`;
* every ``{n}``, ``{n,m}``, ``{n,}`` bound <= :data:`MAX_REPEAT`;
* repeats nested in repeats at most :data:`MAX_REPEAT_NESTING` deep;
* fuzzy constraints (``{e<=N}``) allow at most :data:`MAX_FUZZY_EDITS` errors;
* weight <= :data:`MAX_WEIGHT` per pattern (about 3 MB, 10 ms to compile);
  the loader also caps a policy's total at :data:`MAX_POLICY_WEIGHT`.

Should ``regex``'s private parser ever change shape, :func:`check_pattern`
falls back to compiling the pattern in a forked child under ``RLIMIT_AS`` and
a time limit (:func:`compile_in_child`), so the guard never silently opens.
"""

from __future__ import annotations

import contextlib
import os
import resource
import select
import signal
from dataclasses import dataclass

import regex

MAX_PATTERN_CHARS = 4096
MAX_REPEAT = 1000
MAX_REPEAT_NESTING = 4
MAX_FUZZY_EDITS = 3
MAX_WEIGHT = 10_000
MAX_POLICY_WEIGHT = 200_000
CHILD_MEMORY = 512 << 20
CHILD_SECONDS = 5.0


class UnsafePattern(ValueError):
    """A pattern over a limit; the message says which, for a policy problem."""


@dataclass(frozen=True, slots=True)
class PatternCost:
    """What compiling a pattern will cost, in expanded atoms (``weight``)."""

    weight: int
    repeat_nesting: int


def check_pattern(pattern: str, flags: int = 0) -> PatternCost:
    """The cost of ``pattern``; :class:`UnsafePattern` if it is over a limit.

    ``regex.error`` (a pattern that does not parse) propagates as is, so the
    caller reports it as "does not compile".
    """
    if len(pattern) > MAX_PATTERN_CHARS:
        raise UnsafePattern(
            f"is {len(pattern)} characters long (at most {MAX_PATTERN_CHARS}); "
            "split it into several patterns"
        )
    try:
        tree = _parse(pattern, flags)
    except regex.error:
        raise
    except RecursionError:
        raise UnsafePattern("nests groups too deeply") from None
    except (AttributeError, TypeError, ImportError):  # regex's private parser changed
        compile_in_child(pattern, flags)
        return PatternCost(weight=len(pattern), repeat_nesting=0)
    return _measure(tree)


def _parse(pattern: str, flags: int) -> object:
    from regex import _main
    from regex import _regex_core as core

    core.DEFAULT_VERSION = _main.DEFAULT_VERSION  # as regex.compile does before parsing
    while True:
        source = core.Source(pattern)
        info = core.Info(flags, source.char_type, {})
        source.ignore_space = bool(info.flags & regex.VERBOSE)
        try:
            return core._parse_pattern(source, info)
        except core._UnscopedFlagSet:
            flags = info.global_flags  # a global flag met late: parse again, as regex does
        except core.error as exc:
            raise regex.error(exc.msg, pattern, exc.pos) from None


def _children(node: object) -> list[object]:
    from regex._regex_core import RegexBase

    found: list[object] = []
    for value in vars(node).values():
        if isinstance(value, RegexBase):
            found.append(value)
        elif isinstance(value, list | tuple):
            found.extend(item for item in value if isinstance(item, RegexBase))
    return found


def _measure(tree: object) -> PatternCost:
    """Weight and repeat nesting of a parsed pattern, without recursion.

    Post-order over an explicit stack: a node's weight is its children's sum
    (1 for a leaf), times ``max(1, min_count)`` for a repeat.
    """
    from regex._regex_core import Fuzzy, GreedyRepeat

    weights: dict[int, int] = {}
    nesting = 0
    stack: list[tuple[object, int, bool]] = [(tree, 0, False)]
    while stack:
        node, depth, done = stack.pop()
        is_repeat = isinstance(node, GreedyRepeat)  # also lazy and possessive repeats
        if not done:
            if is_repeat:
                _check_repeat(node.min_count, node.max_count)
                depth += 1
                nesting = max(nesting, depth)
                if depth > MAX_REPEAT_NESTING:
                    raise UnsafePattern(
                        f"nests repeats {depth} deep (at most {MAX_REPEAT_NESTING})"
                    )
            if isinstance(node, Fuzzy):
                _check_fuzzy(node.constraints)
            stack.append((node, depth, True))
            stack.extend((child, depth, False) for child in _children(node))
            continue
        children = _children(node)
        weight = sum(weights.pop(id(child), 1) for child in children) if children else 1
        characters = getattr(node, "characters", None)  # a literal string node
        if isinstance(characters, list | tuple):
            weight = max(weight, len(characters))
        if is_repeat:
            weight *= max(1, node.min_count)
        if weight > MAX_WEIGHT:
            raise UnsafePattern(
                f"expands to more than {MAX_WEIGHT} atoms when compiled (repeat counts "
                "multiply: (?:a{100}){100} is 10000); use smaller counts or {0,n} ranges"
            )
        weights[id(node)] = weight
    return PatternCost(weight=weights.get(id(tree), 1), repeat_nesting=nesting)


def _check_repeat(low: int, high: int | None) -> None:
    for bound in (low, high):
        if bound is not None and bound > MAX_REPEAT:
            raise UnsafePattern(
                f"repeats {bound} times (a repeat count may be at most {MAX_REPEAT})"
            )


def _check_fuzzy(constraints: dict[str, object]) -> None:
    """Refuse a fuzzy constraint that allows more than :data:`MAX_FUZZY_EDITS` errors."""
    cost = constraints.get("cost", {})
    assert isinstance(cost, dict)
    limit_by_cost = cost.get("max")
    per_kind: list[float] = []
    for kind in ("i", "d", "s"):
        span = constraints.get(kind, (0, None))
        high = span[1] if isinstance(span, tuple) else None
        weight = cost.get(kind, 1)
        by_cost = limit_by_cost // weight if limit_by_cost is not None and weight else float("inf")
        per_kind.append(min(float("inf") if high is None else high, by_cost))
    span = constraints.get("e", (0, None))
    total = float("inf") if not isinstance(span, tuple) or span[1] is None else span[1]
    weights = [cost.get(kind, 1) for kind in ("i", "d", "s")]
    cheapest = min((w for w in weights if isinstance(w, int) and w > 0), default=0)
    by_cost_total = (
        limit_by_cost // cheapest if limit_by_cost is not None and cheapest else float("inf")
    )
    edits = min(total, sum(per_kind), by_cost_total)
    if edits > MAX_FUZZY_EDITS:
        shown = "any number of" if edits == float("inf") else f"up to {int(edits)}"
        raise UnsafePattern(
            f"fuzzy matching allows {shown} errors (at most {MAX_FUZZY_EDITS}: e.g. {{e<=2}})"
        )


def compile_in_child(pattern: str, flags: int = 0) -> None:
    """Compile ``pattern`` in a forked child with bounded memory and time.

    :class:`UnsafePattern` if the child runs out of either. Only the verdict
    comes back; the caller compiles again, now known to be affordable.
    """
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never returns
        code = 1
        try:
            os.close(read_end)
            resource.setrlimit(resource.RLIMIT_AS, (CHILD_MEMORY, CHILD_MEMORY))
            try:
                regex.compile(pattern, flags)
                os.write(write_end, b"ok")
            except regex.error:
                os.write(write_end, b"er")  # the caller's own compile reports it
            code = 0
        except BaseException:
            pass
        os._exit(code)
    os.close(write_end)
    verdict = b""
    try:
        ready, _, _ = select.select([read_end], [], [], CHILD_SECONDS)
        verdict = os.read(read_end, 2) if ready else b""
    finally:
        os.close(read_end)
        if not verdict:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
    if verdict not in (b"ok", b"er"):
        raise UnsafePattern(
            f"needs more than {CHILD_MEMORY >> 20} MB or {CHILD_SECONDS:g} s to compile"
        )
