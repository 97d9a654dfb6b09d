"""Who is moderating: the one default and the one check for moderator names.

Every entry point (``modtool label``, ``modtool tui``, the store's label
writes) takes the name from here, so the default is the same everywhere
(``--moderator``, else ``$MODTOOL_MODERATOR``, else the OS user) and a name
that would pass for something else is refused the same way everywhere.
"""

from __future__ import annotations

import os

from modtool.errors import InputError
from modtool.safe_text import CONTROL, HIDDEN

POLICY_PREFIX = "policy:"
"""Reserved: ``policy:NAME`` is the actor of a policy's own automatic labels."""
MAX_NAME = 100
IMPORTED_PREFIXES = ("label-studio:", "argilla:", "prodigy:")
"""``import-labels`` names each annotator ``TOOL:USER`` (the ``PREFIX`` of each
module in :mod:`modtool.annotations`): labels made elsewhere, brought back."""


def rater_kind(name: str) -> str:
    """``"policy"`` (a policy's own automatic actions), ``"imported"`` (an annotator
    of an annotation tool, see :data:`IMPORTED_PREFIXES`) or ``"moderator"``."""
    folded = name.casefold()
    if folded.startswith(POLICY_PREFIX):
        return "policy"
    if folded.startswith(IMPORTED_PREFIXES):
        return "imported"
    return "moderator"


def default_moderator() -> str:
    """``$MODTOOL_MODERATOR``, else the OS user name."""
    from getpass import getuser

    name = os.environ.get("MODTOOL_MODERATOR", "").strip()
    if name:
        return name
    try:
        return getuser()
    except (KeyError, OSError):  # no user database (containers): fall back
        return "moderator"


def resolve_moderator(given: str | None) -> str:
    """The moderator for a command: ``given`` (an option), else the default; checked."""
    name = given.strip() if given is not None else default_moderator()
    return check_moderator(name)


def check_moderator(name: str) -> str:
    """``name`` if it can be a moderator's name, else an :class:`InputError`.

    Refused: empty names, the reserved ``policy:`` prefix (it would pass for a
    policy's automatic action in the audit log), control and invisible
    characters (they would hide or fake text in others' terminals), and
    names over 100 characters.
    """
    if not name.strip():
        raise InputError("a moderator name is required (--moderator NAME or $MODTOOL_MODERATOR)")
    if name.strip().casefold().startswith(POLICY_PREFIX):
        raise InputError(
            f"moderator names cannot start with {POLICY_PREFIX!r}: it marks a policy's own "
            "automatic actions (use `modtool apply-policy` for those)"
        )
    if CONTROL.search(name) or HIDDEN.search(name) or any(ch in name for ch in "\n\t"):
        raise InputError("a moderator name cannot hold control or invisible characters")
    if len(name) > MAX_NAME:
        raise InputError(f"a moderator name has at most {MAX_NAME} characters")
    return name
