"""Mastodon (and servers speaking its API): a status, its context, and its root's.

* URLs: ``https://server/@user/ID``, ``/@user@other.server/ID``,
  ``/users/<user>/statuses/ID``, ``/web/statuses/ID``, ``/web/@user/ID``,
  ``/api/v1/statuses/ID``; Pleroma/Akkoma ``/notice/ID``. Any host (the
  fediverse is self-hosted; these paths say it).
* ``GET /api/v1/statuses/ID`` and ``GET /api/v1/statuses/ID/context``
  (``{ancestors, descendants}``). When the status is a reply, the thread is its
  root's: ``GET /api/v1/statuses/<root>/context`` brings every reply under the
  root (the root itself is the first ancestor already fetched).
* Servers cut a context short for anonymous readers (Mastodon 4 answers at most
  60 descendants then): an access token (``MODTOOL_MASTODON_USER``, any name
  for messages, and ``MODTOOL_MASTODON_TOKEN``, or a ``[[mastodon]]`` entry with
  ``url``, ``user``, ``token``) is sent as ``Authorization: Bearer``; never
  written anywhere.
* The document is the folder of answers, read by the ``mastodon`` format.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import SplitResult

from modtool.fetch.base import Client, Document, Target, host_of, not_a_thread, origin, signed_in
from modtool.fetch.pages import Pages, Stopped
from modtool.platforms.http import PlatformError

NAME = "mastodon"
FORMAT = "mastodon"
DESCRIPTION = "a Mastodon status, https://server/@user/ID (or /users/<user>/statuses/ID)"
USER_ENV = "MODTOOL_MASTODON_USER"
SECRET_ENV = "MODTOOL_MASTODON_TOKEN"
_ID = r"(?P<id>[0-9]{1,20})"
_PATHS = [
    re.compile(rf"^/@[^/]+/{_ID}/?$"),
    re.compile(rf"^/users/[^/]+/statuses/{_ID}/?$"),
    re.compile(rf"^/web/(?:@[^/]+|statuses)/{_ID}/?$"),
    re.compile(rf"^/api/v1/statuses/{_ID}(?:/context)?/?$"),
    re.compile(r"^/notice/(?P<id>[A-Za-z0-9]{1,40})/?$"),
]


def recognises(parts: SplitResult) -> bool:
    return _status(parts) is not None


def _status(parts: SplitResult) -> str | None:
    for pattern in _PATHS:
        found = pattern.match(parts.path)
        if found:
            return found.group("id")
    return None


def target(url: str, parts: SplitResult, forced: bool) -> Target:
    status = _status(parts)
    if status is None:
        raise not_a_thread(url, "Mastodon", DESCRIPTION)
    api = origin(parts)
    return Target(
        NAME, status, f"{api}/api/v1/statuses/{status}", api, f"{host_of(parts)}/{status}"
    )


def client(target: Target) -> Client:
    return signed_in(
        "mastodon",
        target,
        user_env=USER_ENV,
        secret_env=SECRET_ENV,
        secret_key="token",
        pause=0.2,
        use=lambda found: {"headers": {"Authorization": f"Bearer {found.secret}"}},
    )


def fetch(target: Target, pages: Pages) -> Document:
    base = f"{target.api}/api/v1/statuses"
    stopped = None
    try:
        status = pages.get("status", f"{base}/{target.thread}")
        assert status is not None
        _object(status.data, "status")
        context = pages.get("context", f"{base}/{target.thread}/context")
        assert context is not None
        ancestors = _object(context.data, "context").get("ancestors")
        descendants = context.data.get("descendants")
        pages.saw(len(descendants) if isinstance(descendants, list) else 0)
        if isinstance(ancestors, list) and ancestors and isinstance(ancestors[0], dict):
            root = str(ancestors[0].get("id", ""))
            if re.fullmatch(r"[A-Za-z0-9]{1,40}", root):
                pages.say(f"status {target.thread} replies to a thread: fetching its root {root}")
                whole = pages.get("root-context", f"{base}/{root}/context")
                assert whole is not None
                _object(whole.data, "context")
    except Stopped as why:
        stopped = why.why
    return pages.folder_document(FORMAT, stopped, target.url)


def _object(data: Any, what: str) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise PlatformError(f"Mastodon: the {what} answer is not a JSON object")
    return data
