"""A ConvoKit corpus folder (https://convokit.cornell.edu/documentation/data_format.html).

* ``utterances.jsonl``: one utterance per line with ``id``, ``speaker``,
  ``conversation_id``, ``reply_to``, ``timestamp``, ``text``, ``meta``.
  Each thread is one conversation whose root is the article (id: the thread's
  global id, speaker ``[article]``, ``reply_to`` null), so the tree has exactly
  one root; a comment's id is its global id (:mod:`modtool.export.ids`), so
  corpora exported from two databases merge without colliding, and it replies
  to its parent comment, or to the article when top-level. When the parent is not in the export (with
  ``--labeled-only``), the comment replies to the article so that the corpus
  stays loadable; ``meta.parent_id`` keeps the real parent. ``timestamp`` is the
  platform's time in Unix seconds where the import gave one (``created_at``);
  plain-text threads carry no times, so there it is the document order (0 for
  the article, position + 1 for a comment): ordering by it gives the page's order.
* ``meta`` holds ``thread_id``, ``comment_id``, ``parent_id``, ``depth``, ``path``,
  ``is_article``, ``global_id``, ``platform``, ``external_id``, ``scores`` (``{model: {attribute: score}}``), ``labels``,
  ``tied_labels``, ``reviewers``, ``labels_stale``, ``annotations``, ``suggestions`` and
  ``policy`` (as in JSONL).
* ``speakers.json``: ``{speaker: {"meta": {"comments": n}, "vectors": []}}``.
* ``conversations.json``: ``{"<thread global id>": {"meta": {title, source,
  thread_id, platform}, "vectors": []}}``; ``source`` is the platform URL or the
  file name, never a local path.
* ``corpus.json``: corpus metadata; ``index.json``: the metadata index
  (field → list of type names), ``version`` and ``vectors``.

Utterances stream to disk; only speaker counts and thread ids are held.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from modtool.export.base import ExportContext, Record
from modtool.export.ids import file_name, thread_global_id

EXTENSION = ""
ARTICLE_SPEAKER = "[article]"
UTTERANCE_META_TYPES = {
    "thread_id": "int",
    "comment_id": "int",
    "parent_id": "int",
    "depth": "int",
    "path": "str",
    "is_article": "bool",
    "global_id": "str",
    "platform": "str",
    "external_id": "str",
    "scores": "dict",
    "labels": "list",
    "tied_labels": "list",
    "reviewers": "int",
    "labels_stale": "bool",
    "annotations": "list",
    "suggestions": "list",
    "policy": "dict",
}


def _type(name: str) -> list[str]:
    return [f"<class '{name}'>"]


def article_id(info: dict[str, Any]) -> str:
    """The thread's global id: the conversation id, and the id of its root utterance."""
    return thread_global_id(
        str(info.get("platform") or "text"),
        info.get("external_id"),
        str(info["source"]),
        str(info.get("article_hash") or ""),
    )


def source_name(info: dict[str, Any]) -> str:
    """The platform URL, else the file name: never a local absolute path."""
    return str(info.get("url") or file_name(str(info["source"])))


def _article(info: dict[str, Any], policy: str | None) -> dict[str, Any]:
    title, article = str(info["title"]), str(info.get("article") or "")
    return {
        "id": article_id(info),
        "speaker": ARTICLE_SPEAKER,
        "conversation_id": article_id(info),
        "reply_to": None,
        "timestamp": epoch(info.get("created_at")) or 0,
        "text": f"{title}\n\n{article}".strip(),
        "meta": {
            "thread_id": int(info["id"]),
            "comment_id": None,
            "parent_id": None,
            "depth": -1,
            "path": "",
            "is_article": True,
            "global_id": article_id(info),
            "platform": str(info.get("platform") or "text"),
            "external_id": info.get("external_id"),
            "scores": {},
            "labels": [],
            "tied_labels": [],
            "reviewers": 0,
            "labels_stale": False,
            "annotations": [],
            "suggestions": [],
            "policy": {"name": policy, "hashes": []},
        },
    }


def epoch(iso: str | None) -> int | None:
    """Unix seconds of an ISO 8601 time (platform imports carry them), else ``None``."""
    if not iso:
        return None
    try:
        when = datetime.fromisoformat(iso.replace("Z", "+00:00"))
    except ValueError:
        return None
    return int((when if when.tzinfo else when.replace(tzinfo=UTC)).timestamp())


def _utterance(record: Record, written: set[int]) -> dict[str, Any]:
    scores: dict[str, dict[str, float]] = {}
    for score in record["scores"]:
        scores.setdefault(score["model"], {})[score["attribute"]] = score["score"]
    parent = record["parent_id"]
    thread = record["thread_global_id"]
    return {
        "id": record["global_id"],
        "speaker": record["author"],
        "conversation_id": thread,
        "reply_to": record["parent_global_id"] if parent in written else thread,
        "timestamp": epoch(record["created_at"]) or record["position"] + 1,
        "text": record["text"],
        "meta": {
            "thread_id": record["thread_id"],
            "comment_id": record["id"],
            "parent_id": parent,
            "depth": record["depth"],
            "path": record["path"],
            "is_article": False,
            "global_id": record["global_id"],
            "platform": record["platform"],
            "external_id": record["external_id"],
            "scores": scores,
            "labels": record["labels"],
            "tied_labels": record["tied_labels"],
            "reviewers": record["reviewers"],
            "labels_stale": record["labels_stale"],
            "annotations": record["annotations"],
            "suggestions": record["suggestions"],
            "policy": record["policy"],
        },
    }


def _dump(path: Path, value: Any) -> None:
    with open(path, "w", encoding="utf-8") as out:
        json.dump(value, out, ensure_ascii=False)


def write_convokit(folder: Path, records: Iterable[Record], context: ExportContext) -> int:
    folder.mkdir(parents=True, exist_ok=True)
    speakers: Counter[str] = Counter()
    conversations: dict[str, dict[str, Any]] = {}
    count = 0
    current: int | None = None
    written: set[int] = set()  # comment ids of the current thread written so far
    encode = json.JSONEncoder(ensure_ascii=False, allow_nan=False).encode
    with open(folder / "utterances.jsonl", "w", encoding="utf-8", newline="\n") as out:
        for record in records:
            thread_id = record["thread_id"]
            if thread_id != current:
                # A parent always precedes its replies (document order), and the
                # article precedes every comment of its thread.
                current = thread_id
                written = set()
                info = context.thread_info(thread_id)
                out.write(encode(_article(info, context.policy)) + "\n")
                speakers[ARTICLE_SPEAKER] += 0
                conversations[article_id(info)] = {
                    "meta": {
                        "title": info["title"],
                        "source": source_name(info),
                        "thread_id": thread_id,
                        "platform": str(info.get("platform") or "text"),
                    },
                    "vectors": [],
                }
            out.write(encode(_utterance(record, written)) + "\n")
            written.add(record["id"])
            speakers[record["author"]] += 1
            count += 1
    _dump(
        folder / "speakers.json",
        {name: {"meta": {"comments": n}, "vectors": []} for name, n in sorted(speakers.items())},
    )
    _dump(folder / "conversations.json", conversations)
    _dump(
        folder / "corpus.json",
        {
            "name": context.name,
            "generator": "modtool",
            "policy": context.policy,
            "num_conversations": len(conversations),
            "num_comments": count,
        },
    )
    _dump(
        folder / "index.json",
        {
            "utterances-index": {key: _type(kind) for key, kind in UTTERANCE_META_TYPES.items()},
            "speakers-index": {"comments": _type("int")},
            "conversations-index": {
                "title": _type("str"),
                "source": _type("str"),
                "thread_id": _type("int"),
                "platform": _type("str"),
            },
            "overall-index": {
                "name": _type("str"),
                "generator": _type("str"),
                "policy": _type("str"),
                "num_conversations": _type("int"),
                "num_comments": _type("int"),
            },
            "version": 1,
            "vectors": [],
        },
    )
    return count
