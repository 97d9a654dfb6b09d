"""Bluesky: ``app.bsky.feed.getPostThread`` from the public AppView, no login.

* URLs: ``https://bsky.app/profile/<handle or did>/post/<rkey>`` and
  ``at://<did or handle>/app.bsky.feed.post/<rkey>``. With ``--format
  bluesky``, another host serving the same paths is taken as the AppView
  (a mirror, a recorded answer on 127.0.0.1).
* A handle is first resolved to its DID (``com.atproto.identity.resolveHandle``;
  that answer is kept aside, it is not part of the document).
* ``GET /xrpc/app.bsky.feed.getPostThread?uri=at://…&depth=1000&parentHeight=1000``.
  When the post is a reply, the thread is its root's (``record.reply.root``):
  the root's thread is fetched too, with every reply under it.
* The document is the folder of answers, read by the ``bluesky`` format.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import SplitResult, quote

from modtool.fetch.base import Client, Document, Target, host_of, not_a_thread, origin
from modtool.fetch.pages import Pages, Stopped
from modtool.platforms.http import PlatformError

NAME = "bluesky"
FORMAT = "bluesky"
DESCRIPTION = "https://bsky.app/profile/<handle>/post/<id> or at://<did>/app.bsky.feed.post/<id>"
APPVIEW = "https://public.api.bsky.app"
HOSTS = frozenset({"bsky.app", "staging.bsky.app", "main.bsky.dev"})
DEPTH = 1000
_PROFILE = re.compile(r"^/profile/(?P<actor>[^/]{1,253})/post/(?P<rkey>[A-Za-z0-9._:~-]{1,512})/?$")
_XRPC = "/xrpc/app.bsky.feed.getPostThread"
_AT = re.compile(
    r"^at://(?P<actor>[^/]{1,253})/app\.bsky\.feed\.post/(?P<rkey>[A-Za-z0-9._:~-]{1,512})$"
)
_DID = re.compile(r"^did:[a-z]+:[A-Za-z0-9._:%-]{1,2000}$")


def from_at_uri(uri: str) -> str | None:
    """``at://actor/app.bsky.feed.post/rkey`` as its bsky.app URL (``None``: not a post URI)."""
    found = _AT.match(uri.strip())
    if found is None:
        return None
    return f"https://bsky.app/profile/{found.group('actor')}/post/{found.group('rkey')}"


def recognises(parts: SplitResult) -> bool:
    return host_of(parts) in HOSTS


def target(url: str, parts: SplitResult, forced: bool) -> Target:
    found = _PROFILE.match(parts.path)
    if found is None:
        raise not_a_thread(url, "Bluesky", DESCRIPTION)
    actor, rkey = found.group("actor"), found.group("rkey")
    known = host_of(parts) in HOSTS
    api = APPVIEW if known else origin(parts)
    page = f"https://bsky.app/profile/{actor}/post/{rkey}" if known else f"{api}{parts.path}"
    return Target(NAME, rkey, page, api, f"{actor}/{rkey}", {"actor": actor})


def client(target: Target) -> Client:
    return Client(pause=0.2)


def fetch(target: Target, pages: Pages) -> Document:
    stopped = None
    try:
        did = _did(target, pages)
        uri = f"at://{did}/app.bsky.feed.post/{target.thread}"
        first = _thread(target, pages, uri, "thread")
        post = first.get("post") if isinstance(first.get("post"), dict) else {}
        record = post.get("record") if isinstance(post.get("record"), dict) else {}
        reply = record.get("reply") if isinstance(record.get("reply"), dict) else {}
        root = reply.get("root") if isinstance(reply.get("root"), dict) else {}
        root_uri = root.get("uri")
        if isinstance(root_uri, str) and root_uri != uri and _AT.match(root_uri):
            pages.say("the post replies to a thread: fetching its root's thread")
            _thread(target, pages, root_uri, "root-thread")
    except Stopped as why:
        stopped = why.why
    return pages.folder_document(FORMAT, stopped, target.url)


def _did(target: Target, pages: Pages) -> str:
    actor = target.options["actor"]
    if actor.startswith("did:"):
        if not _DID.match(actor):
            raise PlatformError(f"{target.url}: {actor[:60]!r} is not a DID")
        return actor
    url = f"{target.api}/xrpc/com.atproto.identity.resolveHandle?handle={quote(actor, safe='')}"
    page = pages.get("handle", url, aside=True)
    assert page is not None
    did = page.data.get("did") if isinstance(page.data, dict) else None
    if not isinstance(did, str) or not _DID.match(did):
        raise PlatformError(f"Bluesky: the handle {actor[:60]!r} resolves to no DID")
    return did


def _thread(target: Target, pages: Pages, uri: str, label: str) -> dict[str, Any]:
    url = f"{target.api}{_XRPC}?uri={quote(uri, safe='')}&depth={DEPTH}&parentHeight={DEPTH}"
    page = pages.get(label, url)
    assert page is not None
    thread = page.data.get("thread") if isinstance(page.data, dict) else None
    if not isinstance(thread, dict):
        raise PlatformError("Bluesky: the getPostThread answer has no thread")
    pages.saw(_count(thread))
    return thread


def _count(thread: dict[str, Any]) -> int:
    count, stack = 0, [thread]
    while stack:
        node = stack.pop()
        replies = node.get("replies")
        if isinstance(replies, list):
            for reply in replies:
                if isinstance(reply, dict):
                    count += 1
                    stack.append(reply)
    return count
