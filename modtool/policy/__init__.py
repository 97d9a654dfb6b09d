"""Policies: moderation rulebooks (labels + rules) read from TOML files.

    policy = load_policy("news-comments")       # shipped name, ./policies name, or path
    policy.labels, policy.rules, policy.ref

:mod:`modtool.policy.suggest` turns the rules into stored suggestions.
"""

from __future__ import annotations

from modtool.policy.conditions import ScoreCondition
from modtool.policy.errors import PolicyError, Problem
from modtool.policy.loader import (
    DEFAULT_POLICY,
    load_policy,
    local_policies,
    parse_policy,
    resolve_policy_path,
    shipped_policies,
)
from modtool.policy.model import ACTIONS, RESERVED_HOTKEYS, LabelDef, Policy, Rule

__all__ = [
    "ACTIONS",
    "DEFAULT_POLICY",
    "RESERVED_HOTKEYS",
    "LabelDef",
    "Policy",
    "PolicyError",
    "Problem",
    "Rule",
    "ScoreCondition",
    "load_policy",
    "local_policies",
    "parse_policy",
    "resolve_policy_path",
    "shipped_policies",
]
