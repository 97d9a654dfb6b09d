"""One plain dict per comment: the JSONL schema, which every format derives from.

Every key is present in every record with one type, so the file reads into a
table (pandas, Arrow, Hugging Face ``datasets``) without type conflicts (for
``datasets`` on files over 10 MiB, see docs/export.md: give it
:func:`modtool.export.parquet.schema`):

=============== ============================================================
``id``          int, the comment id in the modtool database
``global_id``   str, the id that survives a merge (:mod:`modtool.export.ids`)
``thread_id``   int
``thread_global_id`` str
``platform``    str (``text``, ``wordpress``, …)
``thread_external_id`` str or null, the platform's id of the thread
``external_id`` str or null, the platform's id of the comment
``parent_id``   int or null (null for a top-level comment)
``parent_global_id`` str or null
``depth``       int, 0 for a top-level comment
``path``        str, the numbering path in the thread (``"7.4.2"``)
``position``    int, document order within the thread (0-based)
``author``      str
``created_at``  str or null, ISO 8601 UTC when the platform gave a time
``text``        str, the comment body
``parent_text`` str, the body it replies to (the article title if top-level)
``scores``      list of ``{model: str, attribute: str, score: float}``
``labels``      list of str, labels a majority of reviewing moderators gave
``tied_labels`` list of str, labels exactly half of them gave (not guessed)
``reviewers``   int, moderators who reviewed it (labeled or approved)
``labels_stale`` bool, some reviewing moderator's verdict (labels or approval)
                was given for an earlier text: the comment was edited after it
``annotations`` list of ``{moderator, state, labels: [str], updated_at,
                policy_hash, stale: bool, notes: [str]}``, one per reviewing
                moderator (``stale``: given for an earlier text; ``notes``:
                the moderator's notes on the comment)
``suggestions`` list of ``{rule, label, automatic, reason, spans: [{field,
                start, end}], reasons_json, policy_hash}``: what the selected
                policy's rules suggested (never labels)
``policy``      ``{name: str or null, hashes: [str]}``: the policy the labels
                were made under and the hash(es) of its file(s)
=============== ============================================================
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from modtool.analysis.aggregate import aggregate
from modtool.export.ids import comment_global_id, thread_global_id
from modtool.export.schema import RECORD
from modtool.store import Store
from modtool.store.dataset import DatasetRow, Selection, StoredSuggestion

FIELDS = tuple(name for name, _ in RECORD)


def reason_text(reasons: list[dict[str, Any]]) -> str:
    """A rule's reasons in one line a person reads (``reasons_json`` keeps them all)."""
    parts = []
    for reason in reasons:
        kind = reason.get("kind")
        if kind == "score":
            parts.append(
                f"{reason.get('model')} {reason.get('attribute')} "
                f"{float(reason.get('score', 0)):.3f} {reason.get('op')} {reason.get('threshold')}"
            )
        elif kind == "regex":
            matched = ", ".join(map(str, reason.get("matched", [])))
            parts.append(
                f"{reason.get('field', 'body')} matches {reason.get('pattern')!r}: {matched}"
            )
        elif kind == "author":
            parts.append(f"author {reason.get('author')} is listed")
        elif kind == "depth":
            parts.append(
                f"depth {reason.get('depth')} {reason.get('op')} {reason.get('threshold')}"
            )
        else:
            parts.append(json.dumps(reason, ensure_ascii=False, sort_keys=True))
    return "; ".join(parts)


def _suggestion(s: StoredSuggestion) -> dict[str, Any]:
    return {
        "rule": s.rule,
        "label": s.label,
        "automatic": s.automatic,
        "reason": reason_text(s.reasons),
        "spans": [
            {"field": str(r.get("field", "body")), "start": int(start), "end": int(end)}
            for r in s.reasons
            if r.get("kind") == "regex"
            for start, end in r.get("spans", [])
        ],
        "reasons_json": json.dumps(s.reasons, ensure_ascii=False, sort_keys=True),
        "policy_hash": s.policy_hash,
    }


def build_record(row: DatasetRow, policy: str | None) -> dict[str, Any]:
    thread_gid = thread_global_id(
        row.platform, row.thread_external_id, row.source, row.article_hash
    )
    record: dict[str, Any] = {
        "id": row.id,
        "global_id": comment_global_id(thread_gid, row.external_id, row.path),
        "thread_id": row.thread_id,
        "thread_global_id": thread_gid,
        "platform": row.platform,
        "thread_external_id": row.thread_external_id,
        "external_id": row.external_id,
        "parent_id": row.parent_id,
        "parent_global_id": None
        if row.parent_id is None
        else comment_global_id(thread_gid, row.parent_external_id, row.parent_path or ""),
        "depth": row.depth,
        "path": row.path,
        "position": row.position,
        "author": row.author,
        "created_at": row.created_at,
        "text": row.text,
        "parent_text": row.parent_text,
        "scores": [
            {"model": model, "attribute": attribute, "score": float(score)}
            for model, attribute, score in row.scores
        ],
    }
    suggestions = [_suggestion(s) for s in row.suggestions]
    if not row.annotations:  # most comments: nobody reviewed them, nothing to aggregate
        return record | {
            "labels": [],
            "tied_labels": [],
            "reviewers": 0,
            "labels_stale": False,
            "annotations": [],
            "suggestions": suggestions,
            "policy": {"name": policy, "hashes": []},
        }
    verdict = aggregate(row.annotations)
    return record | {
        "labels": list(verdict.labels),
        "tied_labels": list(verdict.tied),
        "reviewers": verdict.reviewers,
        "labels_stale": any(a.stale for a in row.annotations),
        "annotations": [
            {
                "moderator": a.moderator,
                "state": a.state,
                "labels": list(a.labels),
                "updated_at": a.updated_at,
                "policy_hash": a.policy_hash,
                "stale": a.stale,
                "notes": list(a.notes),
            }
            for a in row.annotations
        ],
        "suggestions": suggestions,
        "policy": {
            "name": policy,
            "hashes": sorted({a.policy_hash for a in row.annotations if a.policy_hash}),
        },
    }


def iter_records(store: Store, selection: Selection) -> Iterator[dict[str, Any]]:
    """The selected comments as records, streamed in thread and document order."""
    for row in store.dataset.iter_rows(selection):
        yield build_record(row, selection.policy)
