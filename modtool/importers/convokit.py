"""A ConvoKit corpus folder (``utterances.jsonl`` + ``conversations.json`` + …).

ConvoKit (Cornell's conversational analysis toolkit) keeps a corpus as a
folder (https://convokit.cornell.edu/documentation/data_format.html)::

    corpus/
      utterances.jsonl     one utterance per line: id, speaker, conversation_id,
                           reply_to, timestamp, text, meta
      speakers.json        {speaker id: {"meta": {…}, "vectors": []}}
      conversations.json   {conversation id: {"meta": {"title": …, …}, "vectors": []}}
      corpus.json          corpus metadata
      index.json           the metadata index (field → types), version

Read: the folder, or the path of its ``utterances.jsonl`` (or any JSON-lines
file of utterances). Older corpora write ``user`` for ``speaker``, ``root``
for ``conversation_id``, ``reply-to`` for ``reply_to`` (ConvoKit's own loader
still writes ``reply-to``), or one ``utterances.json`` list: all accepted.

Mapping (see ``docs/formats.md``):

* a conversation is a thread (its id; ``title`` from ``conversations.json``
  meta when there is one);
* the **root utterance** (``reply_to`` null and ``id`` equal to the
  conversation id, as ConvoKit builds them) is the article, not a comment;
  a reply to it is top level; other utterances with ``reply_to`` null are
  top-level comments;
* utterance ids are the comment ids, ``speaker`` the author, ``text`` the body
  (plain text already); ``timestamp`` (epoch seconds) the date;
* status: a text of ``[deleted]``/``[removed]`` (ConvoKit's Reddit corpora keep
  Reddit's markers) → deleted/removed. The text decides: a speaker
  ``[deleted]`` over a text that is still there is an account deleted after
  posting, and the comment stays visible (as Reddit shows it);
* meta: ``score``, ``permalink``, ``edited``, ``stickied`` from the
  utterance's meta when present.

modtool's own export (``modtool export --format convokit``, ``corpus.json``
says ``"generator": "modtool"``) imports back to the same tree: its article
utterance is the article (the title it was prefixed with is taken off), its
timestamps are document positions rather than times (ignored), and a comment
exported without its parent (``--labeled-only``) names that parent again from
``meta.parent_id`` (as ``modtool#<database id>``: the export knows it by no
other name), so it comes back an orphan instead of a false top-level comment.
Ids are the export's global ids (``text:<hash>:7.2``), unique across databases.

``utterances.jsonl`` is streamed line by line (``GROUPED`` false: a corpus need
not list a conversation's utterances together); ``conversations.json`` is read
whole for the titles.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from modtool.errors import ParseError
from modtool.importers import jsonread
from modtool.importers.records import CommentRecord, ProblemRecord, Record, ThreadRecord

NAME = "convokit"
PLATFORM = "convokit"
# No extension claim: .json/.jsonl are shared by the JSON formats and sniffing decides;
# a JSON document nobody recognises then gets the list of what each format expects.
EXTENSIONS: tuple[str, ...] = ()
GROUPED = False
THREAD_ID_IS_A_PARENT = True  # threads and comments share one id space (importers/base.py)
DESCRIPTION = (
    "a ConvoKit corpus folder (utterances.jsonl with id, speaker, conversation_id, reply_to, "
    "text; conversations.json) or its utterances.jsonl"
)

UTTERANCES = ("utterances.jsonl", "utterances.json")
_MARKERS = {"[deleted]": "deleted", "[removed]": "removed"}
_META_KEYS = ("score", "permalink", "edited", "stickied")
_LINE_KEYS = (
    re.compile(rb'"(?:conversation_id|root)"\s*:'),
    re.compile(rb'"(?:reply_to|reply-to)"\s*:'),
    re.compile(rb'"(?:speaker|user)"\s*:'),
)


def sniff(head: bytes, path: Path) -> bool:
    """A folder holding ``utterances.jsonl``, that file, or JSON lines of utterances."""
    if path.is_dir():
        return any((path / name).is_file() for name in UTTERANCES)
    if path.name in UTTERANCES:
        return True
    line = jsonread.first_line(head)
    return line.startswith(b"{") and all(key.search(line) for key in _LINE_KEYS)


def read(path: Path, warn: Callable[[str], None]) -> Iterator[Record]:
    folder, utterances = _locate(path)
    conversations = _conversations(folder) if folder is not None else {}
    from_modtool = folder is not None and _generator(folder) == "modtool"
    if utterances.name == "utterances.json":
        items = _listed(utterances)
    else:
        items = ((f"line {number}", value) for number, value in jsonread.iter_ndjson(utterances))
    return _records(utterances, items, conversations, from_modtool)


def _locate(path: Path) -> tuple[Path | None, Path]:
    """The corpus folder (when there is one) and the utterances file."""
    if path.is_dir():
        for name in UTTERANCES:
            if (path / name).is_file():
                return path, path / name
        raise ParseError.at(
            path, None, f"no utterances.jsonl in this folder: expected {DESCRIPTION}"
        )
    if path.name in UTTERANCES:
        return path.parent, path
    return None, path


def _conversations(folder: Path) -> dict[str, dict[str, Any]]:
    path = folder / "conversations.json"
    if not path.is_file():
        return {}
    value = jsonread.load_document(path)
    if not isinstance(value, dict):
        raise ParseError.at(path, "$", "expected an object: {conversation id: {meta: {…}}}")
    return {str(key): item for key, item in value.items() if isinstance(item, dict)}


def _generator(folder: Path) -> str | None:
    path = folder / "corpus.json"
    if not path.is_file():
        return None
    value = jsonread.load_document(path)
    if isinstance(value, dict):
        meta = value.get("meta") if isinstance(value.get("meta"), dict) else value
        generator = meta.get("generator")
        return generator if isinstance(generator, str) else None
    return None


def _listed(path: Path) -> Iterator[tuple[str, Any]]:
    """An old-style ``utterances.json``: one JSON list."""
    value = jsonread.load_document(path)
    if not isinstance(value, list):
        raise ParseError.at(path, "$", "expected a list of utterances")
    for index, item in enumerate(value):
        yield f"$[{index}]", item


def _first(item: dict[str, Any], *keys: str) -> Any:
    for key in keys:
        if key in item:
            return item[key]
    return None


def _records(
    path: Path,
    items: Iterable[tuple[str, Any]],
    conversations: dict[str, dict[str, Any]],
    from_modtool: bool,
) -> Iterator[Record]:
    declared: set[str] = set()
    for where, item in items:
        if not isinstance(item, dict):
            raise ParseError.at(path, where, f"expected an utterance object: {DESCRIPTION}")
        external_id = jsonread.id_text(item.get("id"))
        conversation = jsonread.id_text(_first(item, "conversation_id", "root"))
        if conversation is None:
            yield ProblemRecord(None, where, "an utterance without conversation_id")
            continue
        if external_id is None:
            yield ProblemRecord(conversation, where, "an utterance without an id")
            continue
        reply_to = jsonread.id_text(_first(item, "reply_to", "reply-to"))
        meta = item.get("meta") if isinstance(item.get("meta"), dict) else {}
        text = jsonread.text(item.get("text"))
        speaker = _first(item, "speaker", "user")
        if isinstance(speaker, dict):  # some old dumps embed the speaker object
            speaker = speaker.get("id", speaker.get("name"))
        created = None if from_modtool else jsonread.epoch_utc(item.get("timestamp"))
        if reply_to is None and external_id == conversation:
            declared.add(conversation)
            yield _thread(conversation, conversations.get(conversation), text, created)
            continue
        if conversation not in declared:
            declared.add(conversation)
            yield _thread(conversation, conversations.get(conversation), None, None)
        if from_modtool and reply_to == conversation and meta.get("parent_id") is not None:
            # Exported without its parent (--labeled-only): the parent is known only by
            # its database id there, so it is named by that; the comment is an orphan.
            reply_to = f"modtool#{meta['parent_id']}"
        author = jsonread.text(speaker)
        yield CommentRecord(
            thread_external_id=conversation,
            external_id=external_id,
            parent_external_id=reply_to,
            author=author,
            body=text,
            created_at=created,
            status=_MARKERS.get(text) or "visible",
            meta=_meta(meta),
            where=where,
            line=int(where[5:]) if where.startswith("line ") else None,
        )


def _meta(meta: dict[str, Any]) -> dict[str, Any] | None:
    kept: dict[str, Any] = {}
    for key in _META_KEYS:
        value = meta.get(key)
        if isinstance(value, float) and not jsonread.is_number(value):
            continue  # NaN/Infinity: not JSON the exports can write
        if value is not None:
            kept[key] = value
    return kept or None


def _thread(
    conversation: str, info: dict[str, Any] | None, article: str | None, created: str | None
) -> ThreadRecord:
    meta = info.get("meta") if isinstance(info, dict) and isinstance(info.get("meta"), dict) else {}
    title = jsonread.text(meta.get("title")).strip()
    text = article or ""
    if title and text.startswith(title):
        # modtool's export writes "title\n\narticle" as the root's text.
        text = text[len(title) :].lstrip("\n")
    kept = {
        key: meta[key]
        for key in ("subreddit", "domain", "num_comments")
        if isinstance(meta.get(key), str | int) and not isinstance(meta.get(key), bool)
    }
    return ThreadRecord(
        platform=PLATFORM,
        external_id=conversation,
        title=title,
        article=text,
        created_at=created,
        meta=kept or None,
    )
