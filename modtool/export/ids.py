"""Ids that survive a merge: the same comment has the same ``global_id`` in every
database that imported it, and two databases' comments never share one.

* A platform thread (WordPress, Reddit, …): ``<platform>:<thread external id>``;
  its comments ``<platform>:<thread external id>:<comment external id>``.
* A plain-text thread has no platform id: ``text:<hash>``, where the hash is a
  stable sha256 prefix of the source's file name (never its folder, which is
  local) and the thread's content identity (its external id, else the hash of
  title and article); its comments add their numbering path, ``text:<hash>:7.4.2``.
* A comment without an external id falls back to its numbering path the same way.

The database ids (``id``, ``thread_id``) stay beside them: they are what
``modtool label`` and the UI use.
"""

from __future__ import annotations

import hashlib
from pathlib import PurePath

TEXT = "text"


def file_name(source: str) -> str:
    """The last part of a source path or URL: what an export may say about it."""
    if "://" in source:
        return source
    return PurePath(source.replace("\\", "/")).name


def thread_global_id(platform: str, external_id: str | None, source: str, article_hash: str) -> str:
    if platform != TEXT and external_id:
        return f"{platform}:{external_id}"
    identity = f"{file_name(source)}\n{external_id or article_hash}"
    return f"{platform or TEXT}:{hashlib.sha256(identity.encode()).hexdigest()[:16]}"


def comment_global_id(thread_gid: str, external_id: str | None, path: str) -> str:
    return f"{thread_gid}:{external_id or path}"
