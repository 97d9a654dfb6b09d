"""``modtool decisions --format dsa-sor``: statements of reasons for the EU DSA
Transparency Database, one JSON object per line, in the field layout of its API
(``POST /api/v1/statement``; the multiple endpoint takes up to 100 of them as
``{"statements": [...]}``).

Field names and values are the API's (``app/Http/Requests/StatementStoreRequest.php``
and ``app/Models/Statement.php`` of digital-services-act/transparency-database,
and its API documentation page). A statement describes a **restriction**, so only
final decisions that restrict produce one: ``remove`` (the comment is taken down:
``DECISION_VISIBILITY_CONTENT_REMOVED``) and ``escalate`` (held, hidden until a
person decides: ``DECISION_VISIBILITY_CONTENT_DISABLED``). Approvals, flags and
ties restrict nothing and get none; neither does a decision whose comment the
platform gave no date for (``content_date`` is required), whose WordPress id
cannot name one comment of the site (modtool never carries it out), or whose text
changed after the decision. The CLI names each left out, by modtool id.

Every mapping is explicit (docs/export.md has the table): the ground is always
``DECISION_GROUND_INCOMPATIBLE_CONTENT`` (moderators judge against the site's
rules, which the policy is, not the law), with the policy's name, version and the
majority labels as ``incompatible_content_ground`` and their guidance as the
explanation; the category comes from the label key (:data:`CATEGORY_FOR_LABEL`),
unknown keys fall back to ``STATEMENT_CATEGORY_OTHER_VIOLATION_TC``. No personal
data goes in: no author, no moderator name, no comment text.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from modtool.errors import InputError
from modtool.models import Decision
from modtool.moderator import POLICY_PREFIX

VISIBILITY_FOR_ACTION = {
    "remove": "DECISION_VISIBILITY_CONTENT_REMOVED",
    "escalate": "DECISION_VISIBILITY_CONTENT_DISABLED",
}
GROUND = "DECISION_GROUND_INCOMPATIBLE_CONTENT"
APPLICATION_FROM = "2020-01-01"
OTHER = "STATEMENT_CATEGORY_OTHER_VIOLATION_TC"
CATEGORY_FOR_LABEL: dict[str, tuple[str, str | None]] = {
    "threat": ("STATEMENT_CATEGORY_VIOLENCE", "KEYWORD_INCITEMENT_VIOLENCE_HATRED"),
    "insult": ("STATEMENT_CATEGORY_CYBER_VIOLENCE", "KEYWORD_CYBER_HARASSMENT"),
    "identity_attack": ("STATEMENT_CATEGORY_ILLEGAL_OR_HARMFUL_SPEECH", "KEYWORD_DISCRIMINATION"),
    "identity_hate": ("STATEMENT_CATEGORY_ILLEGAL_OR_HARMFUL_SPEECH", "KEYWORD_DISCRIMINATION"),
    "spam": (OTHER, None),
    "profanity": (OTHER, None),
    "obscene": (OTHER, None),
    "toxic": (OTHER, None),
    "severe_toxic": (OTHER, None),
    "off_topic": (OTHER, None),
}
"""Label key -> (``category``, ``category_specification`` keyword or ``None``)."""
CATEGORY_ORDER = (
    "STATEMENT_CATEGORY_VIOLENCE",
    "STATEMENT_CATEGORY_CYBER_VIOLENCE",
    "STATEMENT_CATEGORY_ILLEGAL_OR_HARMFUL_SPEECH",
    OTHER,
)
"""When labels map to several categories, the first of these is ``category`` and
the rest ``category_addition``."""
AUTOMATED = {
    "none": "AUTOMATED_DECISION_NOT_AUTOMATED",
    "some": "AUTOMATED_DECISION_PARTIALLY",
    "all": "AUTOMATED_DECISION_FULLY",
}
PLATFORM_NAMES = {
    "wordpress": "WordPress",
    "disqus": "Disqus",
    "reddit": "Reddit",
    "hackernews": "Hacker News",
    "discourse": "Discourse",
    "convokit": "ConvoKit",
    "text": "Plain-text",
}
MAX = {
    "decision_facts": 5000,
    "incompatible_content_ground": 500,
    "incompatible_content_explanation": 2000,
    "decision_ground_reference_url": 500,
    "puid": 500,
}


@dataclass
class Statements:
    """The statements written, and the decisions that got none (with why)."""

    written: list[dict[str, Any]] = field(default_factory=list)
    skipped: dict[str, list[int]] = field(default_factory=dict)

    def skip(self, why: str, decision: Decision) -> None:
        self.skipped.setdefault(why, []).append(decision.modtool_id)

    def notes(self) -> list[str]:
        lines = []
        for why, ids in self.skipped.items():
            shown = ", ".join(f"#{i}" for i in ids[:10]) + (
                f" and {len(ids) - 10} more" if len(ids) > 10 else ""
            )
            lines.append(f"no statement for {len(ids)} decision(s): {why} ({shown})")
        return lines


def statements(rows: Iterable[Decision], policy: Any, terms_url: str | None) -> Statements:
    """One statement per final restricting decision (see the module docstring)."""
    if terms_url is not None:
        _check_url(terms_url)
    labels = {label.key: label for label in policy.labels}
    result = Statements()
    for d in rows:
        if not d.final:
            result.skip("tied, no final decision", d)
        elif d.action not in VISIBILITY_FOR_ACTION:
            result.skip(f"{d.action} restricts nothing", d)
        elif d.id_problem is not None:
            result.skip("its WordPress id cannot name one comment of the site", d)
        elif d.edited_after_decision:
            result.skip("the comment was edited after the decision (review it again)", d)
        elif _day(d.created_at) is None:
            result.skip("the platform gave no date for the comment (content_date)", d)
        elif _day(d.decided_at, APPLICATION_FROM) is None:
            result.skip("decided before 2020 or after 2037 (application_date)", d)
        else:
            result.written.append(statement(d, policy, labels, terms_url))
    return result


def statement(
    d: Decision, policy: Any, labels: dict[str, Any], terms_url: str | None
) -> dict[str, Any]:
    categories = sorted(
        {CATEGORY_FOR_LABEL.get(key, (OTHER, None))[0] for key in d.labels} or {OTHER},
        key=CATEGORY_ORDER.index,
    )
    keywords = sorted(
        {kw for key in d.labels if (kw := CATEGORY_FOR_LABEL.get(key, (OTHER, None))[1])}
    )
    named = [f"{labels[key].name} ({key})" if key in labels else key for key in d.labels] or [
        "no majority label"
    ]
    guidance = [
        f"{labels[key].name}: {' '.join(labels[key].guidance.split())}"
        for key in d.labels
        if key in labels and labels[key].guidance
    ]
    out: dict[str, Any] = {
        "decision_visibility": [VISIBILITY_FOR_ACTION[d.action or ""]],
        "decision_ground": GROUND,
        "incompatible_content_ground": _cut(
            f"Policy {policy.name} version {policy.version}: " + "; ".join(named),
            MAX["incompatible_content_ground"],
        ),
        "incompatible_content_explanation": _cut(
            " ".join(guidance) or f"The comment breaks policy {policy.name}.",
            MAX["incompatible_content_explanation"],
        ),
        "content_type": ["CONTENT_TYPE_TEXT"],
        "category": categories[0],
        "content_date": _day(d.created_at),
        "application_date": _day(d.decided_at, APPLICATION_FROM),
        "decision_facts": _cut(_facts(d, named), MAX["decision_facts"]),
        "source_type": "SOURCE_VOLUNTARY",
        "automated_detection": "Yes" if d.suggested else "No",
        "automated_decision": AUTOMATED[_automation(d)],
        "puid": puid(d),
    }
    if categories[1:]:
        out["category_addition"] = categories[1:]
    if keywords:
        out["category_specification"] = keywords
    if terms_url is not None:
        out["decision_ground_reference_url"] = terms_url
    return out


def puid(d: Decision) -> str:
    """Unique per decision and never reused (``^[a-zA-Z0-9-_]+$``, at most 500):
    platform, thread id, comment id, decision time; other characters as ``_xx``."""
    stamp = "".join(ch for ch in d.decided_at if ch.isdigit())[:20]
    parts = [d.platform, d.thread_external_id or "", d.external_id or str(d.modtool_id), stamp]
    text = "-".join(_encode(part) for part in parts)
    if len(text) > MAX["puid"]:
        text = f"{_encode(d.platform)}-modtool{d.modtool_id}-{stamp}"
    return text


def write(path: Path, rows: Iterable[dict[str, Any]]) -> int:
    count = 0
    with open(path, "w", encoding="utf-8", newline="\n") as out:
        for row in rows:
            out.write(json.dumps(row, ensure_ascii=False, separators=(",", ":")) + "\n")
            count += 1
    return count


def _facts(d: Decision, named: list[str]) -> str:
    reviewers = [m for m in d.moderators if not m.startswith(POLICY_PREFIX)]
    rules = len(d.moderators) - len(reviewers)
    who = f"{len(reviewers)} moderator(s)" + (f" and {rules} automatic rule(s)" if rules else "")
    where = (
        f"{PLATFORM_NAMES.get(d.platform, d.platform)} comment {d.external_id} in thread "
        f"{d.thread_external_id}"
    )
    detected = (
        f" A rule of the policy suggested {', '.join(d.suggested)} before review."
        if d.suggested
        else ""
    )
    outcome = "removed" if d.action == "remove" else "held for a senior moderator"
    notes = (
        " Moderators' notes: " + " / ".join(" ".join(n.split()) for n in d.notes) if d.notes else ""
    )
    return (
        f"{where} was reviewed by {who} under policy {d.policy}; the majority found: "
        f"{'; '.join(named)}.{detected} The comment was {outcome}.{notes}"
    )


def _automation(d: Decision) -> str:
    automatic = sum(m.startswith(POLICY_PREFIX) for m in d.moderators)
    if not automatic:
        return "none"
    return "all" if automatic == len(d.moderators) else "some"


def _day(text: str | None, first: str = "2000-01-01") -> str | None:
    """``YYYY-MM-DD`` of an ISO time within the API's bounds (``content_date`` from
    2000-01-01, ``application_date`` from 2020-01-01; both to 2038-01-01), else ``None``."""
    if not text:
        return None
    try:
        day = datetime.fromisoformat(text.replace("Z", "+00:00")).date().isoformat()
    except ValueError:
        return None
    return day if first <= day <= "2038-01-01" else None


def _encode(text: str) -> str:
    return "".join(
        ch if ch.isascii() and ch.isalnum() else "".join(f"_{b:02x}" for b in ch.encode())
        for ch in text
    )


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _check_url(url: str) -> None:
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(url)
    except ValueError:
        parts = None
    if parts is None or parts.scheme not in ("http", "https") or not parts.netloc:
        raise InputError(f"--terms-url {url[:60]!r}: give an http:// or https:// address")
    if len(url) > MAX["decision_ground_reference_url"]:
        raise InputError("--terms-url: longer than the 500 characters the API accepts")
