"""``--format datasette-metadata``: a ``metadata.json`` for ``datasette modtool.db -m
metadata.json`` (https://docs.datasette.io/en/stable/metadata.html).

It describes every table and column, says which TEXT columns hold JSON
(``suggestions.reasons``, ``actions.before``/``after``, ``models.attributes``/
``details``, ``comments.meta``), sets facets (``labels.label`` by policy, the
JSON arrays as array facets), label columns for foreign-key display
(``threads.title``, ``policies.name``), and adds canned queries: each comment
with its labels in one column (``comment_labels``), and the audit log with
before/after unpacked. Datasette 0.65 has no JSON column type of its own: it
shows JSON as text (the ``datasette-pretty-json`` plugin renders it); the
descriptions say what each holds. Foreign keys from the policy-hash columns to
``policies`` are schema, not metadata: the canned queries join on them.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from modtool import __version__
from modtool.export.base import ExportContext, Record

JSON = "JSON, stored as TEXT: "

TABLES: dict[str, dict[str, Any]] = {
    "threads": {
        "description": "One imported document or platform thread.",
        "label_column": "title",
        "facets": ["format"],
        "columns": {
            "source": "the file it was imported from, as named (a relative path or a file name)",
            "article_hash": "hash of title + article: the plain-text thread identity",
        },
    },
    "comments": {
        "description": "One comment; parent_id is the comment it replies to.",
        "label_column": "author",
        "facets": ["depth", "present"],
        "columns": {
            "path": "numbering path in the thread (7.4.2), shown without '#'",
            "content_hash": "hash of the current text: scores made at another hash are stale",
            "present": "0 when the comment vanished from a re-imported document",
            "meta": JSON + "platform details (score/points, permalink, …)",
        },
    },
    "models": {
        "description": "Scoring models used.",
        "columns": {
            "attributes": JSON + "list of attribute names",
            "details": JSON + "model details",
        },
    },
    "scores": {
        "description": "One score per comment, model and attribute.",
        "facets": ["model", "attribute"],
    },
    "policies": {
        "description": "Every policy version seen, by content hash.",
        "label_column": "name",
        "columns": {"content": "the policy file's full text (TOML)"},
    },
    "suggestions": {
        "description": "Labels the policy's rules suggest (never labels themselves).",
        "facets": ["label", "rule", {"array": "reasons"}],
        "columns": {
            "reasons": JSON + 'list of {"kind": "score"|"regex"|"author"|"depth", …}; '
            "regex reasons carry spans [[start, end], …] into the body",
            "policy_hash": "policies.hash of the version that suggested it",
        },
    },
    "labels": {
        "description": "Each moderator's labels, per policy.",
        "facets": ["policy_name", "label", "moderator"],
        "columns": {"policy_hash": "policies.hash of the version the label was made under"},
    },
    "reviews": {
        "description": "Each moderator's review state of a comment, per policy.",
        "facets": ["policy_name", "state", "moderator"],
    },
    "actions": {
        "description": "The append-only audit log.",
        "facets": ["kind", "actor", "actor_kind"],
        "sort_desc": "id",
        "columns": {
            "before": JSON + '{"labels": [...], "state": ...} before the action',
            "after": JSON + '{"labels": [...], "state": ...} after the action',
            "policy_hash": "policies.hash of the version in use",
            "reverts": "the action an undo or redo reverts",
        },
    },
}

QUERIES: dict[str, dict[str, str]] = {
    "comment_labels": {
        "title": "Comments with their labels",
        "description": "Each reviewed comment with every moderator's labels in one column.",
        "sql": """SELECT c.id, c.thread_id, c.path, c.author, c.body,
       group_concat(DISTINCT l.moderator || ': ' || l.label) AS labels,
       group_concat(DISTINCT r.moderator || ': ' || r.state) AS reviews
FROM comments c
JOIN reviews r ON r.comment_id = c.id AND r.state != 'unreviewed'
LEFT JOIN labels l ON l.comment_id = c.id AND l.moderator = r.moderator
     AND l.policy_name = r.policy_name
GROUP BY c.id ORDER BY c.thread_id, c.position""",
    },
    "audit_log": {
        "title": "Audit log, unpacked",
        "sql": """SELECT a.id, a.at, a.actor, a.kind, a.label, a.comment_id,
       json_extract(a.before, '$.state') AS state_before,
       json_extract(a.after, '$.state') AS state_after,
       (SELECT group_concat(value) FROM json_each(a.after, '$.labels')) AS labels_after,
       p.name AS policy, p.version AS policy_version
FROM actions a LEFT JOIN policies p ON p.hash = a.policy_hash
ORDER BY a.id DESC""",
    },
}


def metadata(database: str) -> dict[str, Any]:
    return {
        "title": "modtool moderation database",
        "description": f"Comments, scores, labels and the audit log (modtool {__version__}).",
        "databases": {database: {"tables": TABLES, "queries": QUERIES}},
    }


def write_datasette(path: Path, records: Iterable[Record], context: ExportContext) -> int:
    """Writes the metadata (the records are not needed: it describes the database)."""
    with open(path, "w", encoding="utf-8") as out:
        json.dump(metadata(context.database or "modtool"), out, ensure_ascii=False, indent=2)
        out.write("\n")
    return 0
