"""WordPress: a post's comments through the REST API (``/wp-json/wp/v2/comments``).

* URLs: ``https://blog.example/?p=ID`` (or ``?page_id=ID``), the API's own
  ``…/wp-json/wp/v2/comments?post=ID`` or ``…/wp/v2/posts/ID`` (also through
  ``?rest_route=``), and, with ``--format wordpress``, a post's pretty permalink
  (``https://blog.example/2026/11/a-post/``): WordPress names the post in that
  page's ``Link`` header (``rel="alternate"; type="application/json"``).
* The API root is found as the REST handbook says (the ``Link: …;
  rel="https://api.w.org/"`` header; :func:`modtool.platforms.wordpress.discover_root`).
* ``GET wp/v2/posts/ID`` (``pages/ID`` if it is a page) for the title and text,
  then ``GET wp/v2/comments?post=ID&per_page=100&page=N&orderby=id&order=asc``
  until ``X-WP-TotalPages``.
* Anonymous, WordPress shows approved comments only, as rendered HTML. With
  credentials (an application password, as for ``decisions --apply``:
  ``MODTOOL_WP_USER`` and ``MODTOOL_WP_APP_PASSWORD`` or a ``[[wordpress]]``
  entry of the credentials file), ``context=edit&status=any`` brings held, spam
  and trashed comments too, and each comment's stored text (what a WXR export
  holds). Either way ``_fields`` asks only for what the ``wordpress_api`` format
  reads: no e-mail, IP, user agent or avatar hash reaches the disk (and they are
  removed from an answer that brings them anyway).
* The document is the folder of answers, read by the ``wordpress_api`` format.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import SplitResult, parse_qs, urlencode, urlsplit

from modtool.fetch.base import (
    Client,
    Document,
    Target,
    digits,
    host_of,
    not_a_thread,
    origin,
    signed_in,
)
from modtool.fetch.pages import Pages, Stopped
from modtool.platforms.http import PlatformError, safe_url
from modtool.platforms.wordpress import SECRET_ENV, USER_ENV, api_link, discover_root

NAME = "wordpress"
FORMAT = "wordpress_api"
DESCRIPTION = (
    "a WordPress post, https://blog.example/?p=ID or …/wp-json/wp/v2/comments?post=ID "
    "(a pretty permalink with --format wordpress)"
)
FIELDS = "id,post,parent,author_name,author_url,date_gmt,content,link,status,type"
POST_FIELDS = "id,date_gmt,link,title,content,type,status"
PER_PAGE = 100
NEVER_KEPT = ("author_email", "author_ip", "author_user_agent", "author_avatar_urls")
_API = re.compile(r"^(?P<site>.*?)/wp-json(?P<route>/wp/v2/(?:comments|posts|pages)(?:/\d+)?)/?$")
_ROUTE = re.compile(r"^/wp/v2/(?P<kind>comments|posts|pages)(?:/(?P<id>\d{1,19}))?/?$")
_JSON_LINK = re.compile(r"<([^>]*)>\s*;([^,]*)")


def recognises(parts: SplitResult) -> bool:
    query = parse_qs(parts.query)
    if _API.match(parts.path) or "rest_route" in query:
        return _post_of(parts) is not None
    return parts.path in ("", "/", "/index.php") and ("p" in query or "page_id" in query)


def target(url: str, parts: SplitResult, forced: bool) -> Target:
    post = _post_of(parts)
    site = _site(parts)
    if post is None and not (forced and not parts.query):
        raise not_a_thread(url, "WordPress", DESCRIPTION)
    root = None
    api = _API.match(parts.path)
    if api is not None:
        root = origin(parts) + api.group("site") + "/wp-json/"
    elif "rest_route" in parse_qs(parts.query):
        root = f"{origin(parts)}{parts.path}?rest_route=/"
    key = (
        f"{host_of(parts)}{urlsplit(site).path}/{post}" if post else f"{host_of(parts)}{parts.path}"
    )
    page = f"{site}/?p={post}" if post else safe_url(url)
    options = {"root": root, "permalink": None if post else url}
    return Target(NAME, post or "", page, site, key, options)


def _post_of(parts: SplitResult) -> str | None:
    query = parse_qs(parts.query)
    route = None
    api = _API.match(parts.path)
    if api is not None:
        route = api.group("route")
    elif len(query.get("rest_route", [])) == 1:
        route = query["rest_route"][0]
    if route is not None:
        found = _ROUTE.match(route)
        if found is None:
            return None
        if found.group("kind") == "comments":
            return _one(query.get("post"))
        return digits(found.group("id"))
    return _one(query.get("p")) or _one(query.get("page_id"))


def _one(values: list[str] | None) -> str | None:
    return digits(values[0]) if values and len(values) == 1 else None


def _site(parts: SplitResult) -> str:
    """The site's address: its origin and, for an API URL, the path before ``/wp-json``."""
    api = _API.match(parts.path)
    return origin(parts) + (api.group("site") if api else "")


def client(target: Target) -> Client:
    return signed_in(
        "wordpress",
        target,
        user_env=USER_ENV,
        secret_env=SECRET_ENV,
        secret_key="app_password",
        pause=0.2,
        use=lambda found: {"auth": (found.user, found.secret)},
    )


def fetch(target: Target, pages: Pages) -> Document:
    editing = pages.http.client.auth is not None
    root, post = _discover(target, pages)
    stopped = None
    try:
        extra = {"context": "edit"} if editing else {}
        found = None
        for kind in ("posts", "pages"):
            url = _endpoint(root, f"wp/v2/{kind}/{post}", {"_fields": POST_FIELDS, **extra})
            found = pages.get(f"{kind[:-1]}-{post}", url, missing_ok=True)
            if found is not None:
                break
        if found is None:
            pages.say(f"post {post} is not a post or page the API shows: its comments only")
        number, last = 1, None
        while last is None or number <= last:
            query = {
                "post": post,
                "per_page": str(PER_PAGE),
                "page": str(number),
                "orderby": "id",
                "order": "asc",
                "_fields": FIELDS,
            }
            if editing:
                query.update(context="edit", status="any")
            page = pages.get(
                f"comments-{number}", _endpoint(root, "wp/v2/comments", query), scrub=_scrub
            )
            assert page is not None
            if not isinstance(page.data, list):
                raise PlatformError(f"{safe_url(target.api)}: comments page {number}: not a list")
            pages.saw(len(page.data))
            total = digits(page.headers.get("x-wp-totalpages", ""), 9)
            last = int(total) if total is not None else (number if not page.data else number + 1)
            if not page.data:
                break
            number += 1
    except Stopped as why:
        stopped = why.why
    return pages.folder_document(FORMAT, stopped, target.url)


def _discover(target: Target, pages: Pages) -> tuple[str, str]:
    """The API root and the post id (from the permalink's ``Link`` header if need be)."""
    root = target.options.get("root")
    post = target.thread or None
    permalink = target.options.get("permalink")
    if post is None and permalink:
        answer = pages.http.request("HEAD", permalink)
        pages.sent += 1
        links = answer.headers.get_list("Link")
        post = _post_link(links)
        root = root or api_link(links)
        if post is None:
            raise PlatformError(
                f"{safe_url(permalink)}: HTTP {answer.status}, and no Link header names a "
                "WordPress post (is it a single post's page? give ?p=ID instead)"
            )
        target.options["root"] = root
    if root is None:
        root = discover_root(pages.http, target.api, "the URL")
        pages.sent += 1
    if urlsplit(root).hostname != urlsplit(target.api).hostname:
        raise PlatformError(f"{target.api}: the API root {safe_url(root)} is on another host")
    assert post is not None
    return root, post


def _post_link(values: list[str]) -> str | None:
    """The id in ``<…/wp/v2/posts/ID>; rel="alternate"; type="application/json"``."""
    for value in values:
        for link, params in _JSON_LINK.findall(value):
            if "application/json" not in params or "alternate" not in params:
                continue
            found = re.search(r"/wp/v2/(?:posts|pages)/(\d{1,19})(?:[/?&]|$)", link)
            if found:
                return found.group(1)
    return None


def _endpoint(root: str, route: str, query: dict[str, str]) -> str:
    encoded = urlencode(query)
    if "?" in root:  # …/index.php?rest_route=/ : the route is part of the query
        return f"{root}{route}&{encoded}"
    return f"{root.rstrip('/')}/{route}?{encoded}"


def _scrub(data: Any) -> Any:
    """What WordPress must never leave on disk, removed even if ``_fields`` was ignored."""
    if isinstance(data, list):
        for item in data:
            if isinstance(item, dict):
                for key in NEVER_KEPT:
                    item.pop(key, None)
    return data
