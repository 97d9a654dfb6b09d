"""Hostile policies: bounded regex compile (issue 9.4), big word lists and a regex
time budget per comment (9.9), and nesting depth (9.14). Each limit is a policy
problem at FILE:LINE with the rule id, never a crash, a hang or gigabytes."""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import time
from pathlib import Path

import pytest
import regex

from modtool.policy import regex_guard
from modtool.policy.regex_guard import (
    MAX_REPEAT,
    MAX_WEIGHT,
    UnsafePattern,
    check_pattern,
    compile_in_child,
)
from tests.policy_helpers import line_of, policy_text, problems, write_policy

REPO = Path(__file__).resolve().parent.parent
FLAGS = regex.IGNORECASE | regex.ENHANCEMATCH


def regex_rule(pattern: str, rule_id: str = "bad") -> str:
    return f"""
[[rules]]
id = "{rule_id}"
label = "insult"
regex = '{pattern}'
"""


def run_check(
    path: Path, memory_mb: int = 1024, timeout: float = 60
) -> subprocess.CompletedProcess:
    """``modtool policy check`` in a subprocess whose address space is capped."""

    def cap() -> None:
        limit = memory_mb << 20
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    return subprocess.run(
        [sys.executable, "-m", "modtool", "policy", "check", str(path)],
        capture_output=True,
        text=True,
        timeout=timeout,
        preexec_fn=cap,
        env={**os.environ, "NO_COLOR": "1"},
    )


# -- 9.4: regex compile is bounded ------------------------------------------------------
def test_billion_repeat_is_a_policy_problem_through_the_cli(tmp_path: Path) -> None:
    text = policy_text(regex_rule("a{1000000000}"))
    path = write_policy(tmp_path, text)
    started = time.perf_counter()
    result = run_check(path)
    assert time.perf_counter() - started < 30
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr and "MemoryError" not in result.stderr
    line = line_of(text, "a{1000000000}")
    assert f"{path}:{line}: rule 'bad': regex 'a{{1000000000}}' repeats 1000000000 times" in (
        result.stderr
    )


@pytest.mark.parametrize(
    ("pattern", "says"),
    [
        ("(?:a{1000}){1000}", "expands to more than"),
        ("(?:a{101}){100}", "expands to more than"),
        ("a{1,1001}", "repeats 1001 times"),
        ("x{2000,}", "repeats 2000 times"),
        ("((((a+)+)+)+)+", "nests repeats 5 deep"),
        ("(?:idiot){e<=4}", "allows up to 4 errors"),
        ("(?:idiot){e}", "allows any number of errors"),
        ("(?:idiot){2i+2d+1s<=6}", "allows up to 6 errors"),
        ("(" * 1500 + "a" + ")" * 1500, "nests groups too deeply"),
        ("a" * 5000, "characters long"),
    ],
)
def test_each_limit_is_reported_at_its_line(tmp_path: Path, pattern: str, says: str) -> None:
    text = policy_text(regex_rule("ok\\w+", "fine") + regex_rule(pattern))
    found = problems(tmp_path, text)
    assert len(found) == 1, found
    assert found[0].where == "rule 'bad'"
    assert found[0].line == line_of(text, pattern[:40])
    assert says in found[0].message
    assert len(found[0].format("p.toml")) < 400  # a 5,000-char pattern is cut when shown


def test_the_largest_allowed_pattern_is_cheap() -> None:
    """At the limits, compile takes milliseconds and a few MB (measured, not assumed)."""
    largest = "(?:a{100}){100}"
    assert check_pattern(largest, FLAGS).weight == MAX_WEIGHT
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    regex.compile(largest + "b", FLAGS)
    assert time.perf_counter() - started < 1.0
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 50_000  # KB
    assert check_pattern(f"a{{{MAX_REPEAT}}}").weight == MAX_REPEAT
    assert check_pattern(r"\w{2,1000}").weight == 2  # only the minimum is copied
    assert check_pattern(r"\w{0,1000}").weight == 1  # the rest is a loop
    assert check_pattern(r"(a{1000})(?1){1000}").weight == 2000  # a call is one atom


def test_policy_wide_total_is_capped(tmp_path: Path) -> None:
    """30 patterns just under the per-pattern limit add up past the policy's total."""
    rules = "".join(regex_rule(f"(?:x{{98}}){{100}}{n:02d}", f"r{n}") for n in range(30))
    found = problems(tmp_path, policy_text(rules))
    assert found and all("in all" in p.message for p in found)
    assert found[0].where == "rule 'r20'"


def test_allowed_patterns_still_load(tmp_path: Path) -> None:
    from tests.policy_helpers import load_text

    policy = load_text(
        tmp_path, policy_text(regex_rule(r"\b(?:idiot){e<=2}\b") + regex_rule(r"\d{4}", "year"))
    )
    assert [rule.id for rule in policy.rules] == ["bad", "year"]


def test_guard_falls_back_to_a_child_when_the_parser_changes(monkeypatch) -> None:
    """If regex's private parser moves, the guard compiles in a capped child instead."""

    def broken(pattern: str, flags: int) -> object:
        raise AttributeError("no _parse_pattern")

    monkeypatch.setattr(regex_guard, "_parse", broken)
    assert check_pattern("abc").weight == 3
    monkeypatch.setattr(regex_guard, "CHILD_MEMORY", 256 << 20)
    started = time.perf_counter()
    with pytest.raises(UnsafePattern, match="MB or"):
        check_pattern("(?:a{1000}){10000}")
    assert time.perf_counter() - started < 10
    compile_in_child("[")  # a syntax error is left to the caller's own compile
