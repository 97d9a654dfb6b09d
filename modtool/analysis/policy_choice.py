"""Which policy's labels a command works on, and that policy's label keys.

``--policy`` may be a policy file, a shipped policy's name, or the name the
labels were stored under. Without it, the only policy the database has labels
under is used; with labels under several, the user must choose.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from modtool.errors import InputError, ModtoolError
from modtool.store import Store


@dataclass(frozen=True, slots=True)
class PolicyChoice:
    """``name``: as stored in ``labels.policy_name`` (``None``: no labels at all);
    ``label_keys``: from the policy file when there is one, else the labels in
    the database; ``policy``: the loaded policy, if any."""

    name: str | None
    label_keys: tuple[str, ...]
    policy: Any = None


def _load(ref: str) -> Any:
    """The policy file or shipped policy ``ref``, or ``None`` if there is none."""
    try:
        from modtool.policy import load_policy
    except ImportError:
        return None
    looks_like_file = Path(ref).exists() or ref.endswith(".toml")
    try:
        return load_policy(ref)
    except ModtoolError:
        if looks_like_file:
            raise
        return None


def choose_policy(store: Store, ref: str | None, *, need_file: bool = False) -> PolicyChoice:
    stored = store.dataset.policy_names()
    if ref is None:
        if need_file:
            raise InputError("give the policy with --policy FILE_OR_NAME")
        if not stored:
            return PolicyChoice(None, ())
        if len(stored) > 1:
            raise InputError(
                f"labels were made under several policies ({', '.join(stored)}): "
                "choose one with --policy NAME"
            )
        ref = stored[0]
    policy = _load(ref)
    if policy is not None:
        keys = tuple(label.key for label in policy.labels if label.action != "approve")
        return PolicyChoice(policy.name, keys, policy)
    if need_file:
        raise InputError(f"--policy {ref}: no such policy file or shipped policy")
    if ref not in stored:
        known = ", ".join(stored) if stored else "none yet"
        raise InputError(
            f"--policy {ref}: no such policy file, shipped policy or stored "
            f"labels (policies with labels: {known})"
        )
    return PolicyChoice(ref, tuple(store.dataset.label_keys(ref)))
