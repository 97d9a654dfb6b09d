"""One plain dict per comment: the JSONL schema, which every format derives from.

Every key is present in every record with one type, so the file reads into a
table (pandas, Arrow, Hugging Face ``datasets``) without type conflicts (for
``datasets`` on files over 10 MiB, see docs/export.md: give it
:func:`modtool.export.parquet.schema`):

=============== ============================================================
``id``          int, the comment id in the modtool database
``thread_id``   int
``parent_id``   int or null (null for a top-level comment)
``depth``       int, 0 for a top-level comment
``path``        str, the numbering path in the thread (``"7.4.2"``)
``position``    int, document order within the thread (0-based)
``author``      str
``text``        str, the comment body
``parent_text`` str, the body it replies to (the article title if top-level)
``scores``      list of ``{model: str, attribute: str, score: float}``
``labels``      list of str, labels a majority of reviewing moderators gave
``tied_labels`` list of str, labels exactly half of them gave (not guessed)
``reviewers``   int, moderators who reviewed it (labeled or approved)
``annotations`` list of ``{moderator, state, labels: [str], updated_at,
                policy_hash}``, one per reviewing moderator
``policy``      ``{name: str or null, hashes: [str]}``: the policy the labels
                were made under and the hash(es) of its file(s)
=============== ============================================================
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from modtool.analysis.aggregate import aggregate
from modtool.store import Store
from modtool.store.dataset import DatasetRow, Selection

FIELDS = (
    "id",
    "thread_id",
    "parent_id",
    "depth",
    "path",
    "position",
    "author",
    "text",
    "parent_text",
    "scores",
    "labels",
    "tied_labels",
    "reviewers",
    "annotations",
    "policy",
)


def build_record(row: DatasetRow, policy: str | None) -> dict[str, Any]:
    record: dict[str, Any] = {
        "id": row.id,
        "thread_id": row.thread_id,
        "parent_id": row.parent_id,
        "depth": row.depth,
        "path": row.path,
        "position": row.position,
        "author": row.author,
        "text": row.text,
        "parent_text": row.parent_text,
        "scores": [
            {"model": model, "attribute": attribute, "score": float(score)}
            for model, attribute, score in row.scores
        ],
    }
    if not row.annotations:  # most comments: nobody reviewed them, nothing to aggregate
        return record | {
            "labels": [],
            "tied_labels": [],
            "reviewers": 0,
            "annotations": [],
            "policy": {"name": policy, "hashes": []},
        }
    verdict = aggregate(row.annotations)
    return record | {
        "labels": list(verdict.labels),
        "tied_labels": list(verdict.tied),
        "reviewers": verdict.reviewers,
        "annotations": [
            {
                "moderator": a.moderator,
                "state": a.state,
                "labels": list(a.labels),
                "updated_at": a.updated_at,
                "policy_hash": a.policy_hash,
            }
            for a in row.annotations
        ],
        "policy": {
            "name": policy,
            "hashes": sorted({a.policy_hash for a in row.annotations if a.policy_hash}),
        },
    }


def iter_records(store: Store, selection: Selection) -> Iterator[dict[str, Any]]:
    """The selected comments as records, streamed in thread and document order."""
    for row in store.dataset.iter_rows(selection):
        yield build_record(row, selection.policy)
