"""Read a policy file, check everything, and build a :class:`~modtool.policy.model.Policy`.

Validation collects *every* problem before giving up, each with the line it is
on when that can be found in the file (else the label or rule it belongs to),
so ``modtool policy check`` can list them all in one run. The work is split by
concern: :mod:`~modtool.policy.finding` (where policies are),
:mod:`~modtool.policy.places` (line numbers in the TOML text),
:mod:`~modtool.policy.build` (top level, labels, rules) and
:mod:`~modtool.policy.conditions_build` (conditions).
"""

from __future__ import annotations

import hashlib
import tomllib
from dataclasses import replace
from importlib.resources.abc import Traversable
from pathlib import Path

import regex

from modtool.policy.build import MAX_PROBLEMS, Builder
from modtool.policy.conditions_build import MAX_NESTING
from modtool.policy.errors import PolicyError, Problem
from modtool.policy.finding import (
    DEFAULT_POLICY,
    LOCAL_DIR,
    local_policies,
    resolve_policy_path,
    shipped_dir,
    shipped_policies,
)
from modtool.policy.model import Policy
from modtool.policy.places import Locator, deepest_bracket
from modtool.policy.wordlist import MASK_CLASS, word_list_pattern, word_pattern

HASH_LENGTH = 16

__all__ = [
    "DEFAULT_POLICY",
    "HASH_LENGTH",
    "LOCAL_DIR",
    "MASK_CLASS",
    "MAX_NESTING",
    "MAX_PROBLEMS",
    "check_policy_bytes",
    "load_policy",
    "local_policies",
    "parse_policy",
    "policy_hash",
    "resolve_policy_path",
    "shipped_dir",
    "shipped_policies",
    "word_list_pattern",
    "word_pattern",
]


def load_policy(name_or_path: str | Path | Traversable = DEFAULT_POLICY) -> Policy:
    """Load and validate a policy; :class:`PolicyError` lists every problem."""
    source = resolve_policy_path(name_or_path)
    try:
        data = source.read_bytes()
    except OSError as exc:
        raise PolicyError(f"{source}: cannot read policy: {exc.strerror or exc}") from None
    return parse_policy(data, str(source))


def policy_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:HASH_LENGTH]


def parse_policy(data: bytes, path: str = "<policy>") -> Policy:
    """Build a policy from the bytes of a TOML file (``path`` is for messages)."""
    problems = check_policy_bytes(data)
    if isinstance(problems, Policy):
        return with_origin(problems, data, path)
    raise PolicyError.from_problems(path, problems)


def check_policy_bytes(data: bytes) -> Policy | list[Problem]:
    """The policy, or every problem found in it."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        return [Problem(f"not UTF-8 text (byte {exc.start})")]
    try:
        document = tomllib.loads(text)
    except RecursionError:
        line, depth = deepest_bracket(text)
        return [
            Problem(
                f"not readable TOML: brackets nest {depth} deep, deeper than the TOML "
                f"reader can follow (a policy needs a few dozen at most)",
                line=line,
            )
        ]
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        found = regex.search(r"\(at line (\d+), column (\d+)\)", message)
        line = int(found.group(1)) if found else None
        message = regex.sub(r"\s*\(at line \d+, column \d+\)", "", message)
        return [Problem(f"not valid TOML: {message}", line=line)]
    builder = Builder(Locator(text))
    policy = builder.build(document)
    if builder.hidden:
        builder.problems.append(
            Problem(f"{builder.hidden} more problems not listed (the first {MAX_PROBLEMS} are)")
        )
    return builder.problems if builder.problems or policy is None else policy


def with_origin(policy: Policy, data: bytes, path: str) -> Policy:
    return replace(policy, hash=policy_hash(data), path=path, source=data.decode("utf-8"))
