"""WordPress rules without the network: comment ids, sites, and the status a
decision asks for.

A WordPress comment id (``comment_ID``) is a positive integer, unique in its
**site** (not in its post), written in decimal without leading zeros. WordPress
stores it as ``bigint(20) unsigned`` and PHP reads it as a signed 64-bit
integer, so the largest id that works end to end is 2**63 - 1 (19 digits).
Anything else an export may carry (``0007``, `` 7``, ``7.0``, a 5,000-digit
number) is not an id WordPress wrote: it is refused by name, never normalised,
because normalising is how ``0007`` and ``7`` both became ``wp comment … 7``.
"""

from __future__ import annotations

from urllib.parse import urlsplit

MAX_ID = 2**63 - 1
MAX_DIGITS = len(str(MAX_ID))
SPAM_LABEL = "spam"

STATUS_FOR_ACTION = {"approve": "approve", "remove": "trash", "escalate": "hold", "flag": None}
"""What each policy action asks of WordPress (the REST API's ``status`` values and
WP-CLI's verbs): approve shows the comment, remove trashes it (``spam`` when the
majority labels include the ``spam`` label), escalate holds it for moderation
(hidden until a person decides), flag changes nothing (a person looks)."""

REST_STATUS = {"approve": "approved", "hold": "hold", "spam": "spam", "trash": "trash"}
"""The status the REST API reports once a requested status is in effect."""


def wordpress_status(action: str | None, labels: tuple[str, ...]) -> str | None:
    """``approve``, ``hold``, ``spam``, ``trash``, or ``None`` (nothing to do on the site)."""
    if action is None:
        return None
    status = STATUS_FOR_ACTION.get(action)
    if status == "trash" and SPAM_LABEL in labels:
        return "spam"
    return status


def id_problem(text: str | None) -> str | None:
    """``None`` when ``text`` is a comment id as WordPress writes it, else why not."""
    if text is None or text == "":
        return "has no WordPress comment id"
    shown = _shown(text)
    if not (text.isascii() and text.isdigit()):
        return f"id {shown} is not a WordPress comment id (a positive whole number)"
    if len(text) > MAX_DIGITS or int(text) > MAX_ID:
        return f"id {shown} is not a WordPress comment id (larger than a 64-bit id)"
    if text == "0" * len(text):
        return f"id {shown} is not a WordPress comment id (zero)"
    if text[0] == "0":
        return f"id {shown} is not a WordPress comment id (leading zero)"
    return None


def loose_key(text: str | None) -> str | None:
    """The number a careless reader would take ``text`` for (``" 007"`` -> ``"7"``):
    what two ids must not share. ``None`` when no reader would take it for a number."""
    if text is None:
        return None
    digits = text.strip()
    if not digits or len(digits) > 40 or not (digits.isascii() and digits.isdigit()):
        return None
    return digits.lstrip("0") or None


def site_of(url: str | None) -> str | None:
    """The site a link belongs to: lower-case host, with the port if one is given
    (``https://News.example:8443/x`` -> ``news.example:8443``). ``None`` if unknown."""
    if not url:
        return None
    try:
        parts = urlsplit(url.strip())
        host = (parts.hostname or "").lower()
        port = parts.port
    except ValueError:
        return None
    if not host:
        return None
    default = {"http": 80, "https": 443}.get(parts.scheme.lower())
    return host if port is None or port == default else f"{host}:{port}"


def _shown(text: str) -> str:
    """An id for a message: quoted, cut after 24 characters, its length said."""
    if len(text) <= 24:
        return repr(text)
    return f"{text[:20]!r}… ({len(text):,} characters)"
