"""Small Rich renderables shared by the tree, the queue and the detail pane."""

from __future__ import annotations

from typing import Any

from rich.style import Style
from rich.text import Text

from modtool.tui.text import chip, label_ink, safe_line


def label_chips(session: Any, cid: int, *, compact: bool = False) -> Text:
    """This moderator's labels as solid chips, suggestions not yet applied as ``key?``,
    other moderators' labels dimmed, an approval as ``✓``; ``✎edited`` first when the
    comment was edited after this moderator's review (it counts as unreviewed again),
    and before that ``⚑name`` when another moderator has it open.

    ``compact`` names each label by its hotkey (``i``, ``i?``), as the progress line
    does, for rows too narrow for whole names (chips are never cut midway)."""
    name = _hotkey if compact else _key
    text = Text()
    mine = session.mine(cid)
    claim = session.claim_of(cid)
    if claim is not None:  # another moderator has it open
        text.append_text(safe_line(f"⚑{claim.moderator}", 10, style="bold yellow"))
        text.append(" ")
    if session.edited_since_review(cid):
        text.append("✎ " if compact else "✎edited ", style="bold yellow")
    if mine.state == "approved":
        text.append("✓ ", style="bold green")
    for key in sorted(mine.labels, key=_policy_order(session)):
        text.append_text(chip(name(session, key), _colour(session, key), pad=not compact))
        text.append(" ")
    for key in session.suggested(cid):
        if key in mine.labels:
            continue
        if getattr(session.labels.get(key), "action", "") == "approve":
            if mine.state == "unreviewed":
                text.append("✓? ", style="dim green")  # "looks fine": quiet on purpose
            continue
        text.append(
            f"{name(session, key)}? ",
            style=Style(color=label_ink(_colour(session, key)), italic=True),
        )
    others = sorted({label for state in session.others(cid).values() for label in state.labels})
    if others:
        joined = ("" if compact else " ").join(name(session, key) for key in others)
        text.append("(" + joined + ") ", style="dim")
    return text


def _key(session: Any, key: str) -> str:
    return key


def _hotkey(session: Any, key: str) -> str:
    return getattr(session.labels.get(key), "hotkey", "") or key


def _colour(session: Any, key: str) -> str | None:
    definition = session.labels.get(key)
    return getattr(definition, "colour", None) if definition is not None else None


def _policy_order(session: Any):
    rank = {key: i for i, key in enumerate(session.labels)}
    return lambda key: (rank.get(key, len(rank)), key)
