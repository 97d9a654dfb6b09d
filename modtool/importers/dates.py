"""Platform timestamps to one form: ISO 8601 UTC, ``YYYY-MM-DDTHH:MM:SSZ``."""

from __future__ import annotations

from datetime import UTC, datetime


def iso_utc(value: object) -> str | None:
    """Epoch seconds (int, float or numeric string) or an ISO/WXR date text, as UTC.

    ``None``, ``""``, ``0000-00-00 00:00:00`` and anything unreadable give ``None``
    (a missing date is not an error). A text without an offset is taken as UTC.
    """
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return _from_epoch(float(value))
    text = str(value).strip()
    if not text or text.startswith("0000-00-00"):
        return None
    try:
        return _from_epoch(float(text))
    except ValueError:
        pass
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _from_epoch(seconds: float) -> str | None:
    try:
        return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    except (OverflowError, OSError, ValueError):
        return None
