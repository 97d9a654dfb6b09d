"""The WordPress REST API (``wp/v2/comments``), as WordPress 6.1 answers it.

* The API root is discovered the way the REST handbook says: the site's
  ``Link: <…>; rel="https://api.w.org/"`` header (``…/wp-json/`` with pretty
  permalinks, ``…/index.php?rest_route=/`` without), else ``URL/wp-json/``. A
  root on another host than ``--url`` is refused: the password goes to that host
  only (redirects are never followed, for the same reason).
* Authentication is an application password (HTTP Basic). WordPress offers
  them over HTTPS, or over HTTP when ``WP_ENVIRONMENT_TYPE`` is ``local``.
* ``GET comments/<id>?context=edit`` reads a comment whatever its status
  (``approved``, ``hold``, ``spam``, ``trash``); ``POST comments/<id>`` with
  ``{"status": "approve"|"hold"|"spam"|"trash"}`` changes it.
* WordPress quirk (6.1, unchanged since 4.7): every update through the REST
  API, even one that only sets ``status``, also rewrites the comment's author IP
  with the caller's address and its user agent with the caller's, unless the
  request gives ``author_ip`` and ``author_user_agent``. So the update sends the
  comment's own values back, read just before, and omits the ``User-Agent``
  header when the comment has none; a comment stored with no IP at all still
  gets the caller's (WordPress gives no way to keep it empty). These values are
  held in memory for that one request and never stored or printed.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import httpx

from modtool.errors import InputError
from modtool.platforms import credentials as creds
from modtool.platforms.http import (
    Answer,
    AuthError,
    Http,
    Limits,
    PlatformError,
    raise_for_status,
    safe_url,
)
from modtool.platforms.wordpress_rules import REST_STATUS

USER_ENV = "MODTOOL_WP_USER"
SECRET_ENV = "MODTOOL_WP_APP_PASSWORD"
API_REL = "https://api.w.org/"
_LINK = re.compile(r"<([^>]*)>\s*;([^,]*)")


@dataclass(frozen=True, slots=True)
class RemoteComment:
    """A comment as the site has it now (only what applying a decision needs)."""

    id: int
    post: int | None
    status: str
    author_ip: str = field(default="", repr=False)
    author_user_agent: str = field(default="", repr=False)


def site_url(url: str) -> str:
    """``--url`` checked: http(s), a host, no credentials, query or fragment."""
    try:
        parts = urlsplit(url.strip())
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError:
        raise InputError(f"--url {safe_url(url)}: not a valid URL") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InputError(f"--url {safe_url(url)}: give the site's http:// or https:// address")
    if parts.username is not None or parts.password is not None:
        raise InputError(
            "--url: holds a user name or password; put credentials in "
            f"{USER_ENV}/{SECRET_ENV} or the credentials file, never on the command line"
        )
    if parts.query or parts.fragment:
        raise InputError(f"--url {safe_url(url)}: give the site's address without ? or #")
    return safe_url(url).rstrip("/")


def credentials_for(url: str) -> creds.Credentials:
    return creds.lookup(
        "wordpress", url, user_env=USER_ENV, secret_env=SECRET_ENV, secret_key="app_password"
    )


class WordPressSite:
    """One site's comments API. ``http`` defaults to a new :class:`Http` with the
    credentials as Basic auth; tests pass ``transport``/``sleep``/``limits``."""

    def __init__(
        self,
        url: str,
        credentials: creds.Credentials,
        *,
        limits: Limits | None = None,
        sleep: Callable[[float], None] | None = None,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.url = site_url(url)
        self.credentials = credentials
        options: dict[str, Any] = {"limits": limits, "transport": transport}
        if sleep is not None:
            options["sleep"] = sleep
        self.http = Http(auth=(credentials.user, credentials.secret), **options)
        self._root: str | None = None

    def close(self) -> None:
        self.http.close()

    def __enter__(self) -> WordPressSite:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- the API root -------------------------------------------------------------
    def api_root(self) -> str:
        if self._root is None:
            self._root = self._discover()
        return self._root

    def _discover(self) -> str:
        return discover_root(self.http, self.url)

    def _endpoint(self, route: str) -> str:
        root = self.api_root()
        if "?" in root:  # …/index.php?rest_route=/ : the route is part of the query
            return root + route
        return root.rstrip("/") + "/" + route

    # -- comments -------------------------------------------------------------------
    def comment(self, comment_id: int) -> RemoteComment:
        """The comment as the site has it; :class:`~modtool.platforms.http.NotFoundOnSite`
        if there is none with that id, :class:`~modtool.platforms.http.AuthError` on 401/403."""
        answer = self.http.request(
            "GET", self._endpoint(f"wp/v2/comments/{int(comment_id)}"), params={"context": "edit"}
        )
        self._check(answer, f"reading comment {comment_id}")
        return remote_comment(answer)

    def set_status(self, current: RemoteComment, status: str) -> RemoteComment:
        """Ask for ``status`` (``approve``, ``hold``, ``spam``, ``trash``); the comment after."""
        if status not in REST_STATUS:
            raise ValueError(f"not a WordPress comment status: {status!r}")
        body: dict[str, str] = {"status": status}
        if current.author_ip:
            body["author_ip"] = current.author_ip
        if current.author_user_agent:
            body["author_user_agent"] = current.author_user_agent
        answer = self.http.request(
            "POST",
            self._endpoint(f"wp/v2/comments/{int(current.id)}"),
            json_body=body,
            without_headers=() if current.author_user_agent else ("User-Agent",),
        )
        self._check(answer, f"setting comment {current.id} to {status}")
        return remote_comment(answer)

    def _check(self, answer: Answer, what: str) -> None:
        try:
            raise_for_status(answer, f"{self.url}: {what}")
        except AuthError as exc:
            raise AuthError(
                f"{exc.message}; {self._auth_hint(exc.status)}", exc.status, exc.code
            ) from None
        if not answer.headers.get("content-type", "").startswith("application/json"):
            raise PlatformError(
                f"{self.url}: {what}: HTTP {answer.status} but not a JSON answer "
                f"({answer.headers.get('content-type', 'no content type')}); is this the "
                "WordPress REST API?",
                answer.status,
            )

    def _auth_hint(self, status: int | None) -> str:
        if status == 403:
            return "this user may not moderate comments (an editor or administrator can)"
        where = (
            f"check {USER_ENV} and {SECRET_ENV}"
            if self.credentials.source == "the environment"
            else f"check the entry in {self.credentials.source}"
        )
        return f"the user name or application password is wrong ({where})"


def discover_root(http: Http, url: str, option: str = "--url") -> str:
    """The site's REST API root (``…/wp-json/`` or ``…/index.php?rest_route=/``), from
    the ``Link`` header of its front page, else ``URL/wp-json/``; a root on another
    host is refused (``option`` names where the user gave the site)."""
    answer = http.request("HEAD", url + "/")
    root = api_link(answer.headers.get_list("Link"))
    if root is None and answer.status == 405:
        root = api_link(http.request("GET", url + "/").headers.get_list("Link"))
    if root is None:
        return url + "/wp-json/"
    if (urlsplit(root).hostname or "").lower() != (urlsplit(url).hostname or "").lower():
        raise PlatformError(
            f"{url}: the site names its REST API at {safe_url(root)}, another host; "
            f"give that site's address as {option}"
        )
    return root


def api_link(values: list[str]) -> str | None:
    """The URL of ``rel="https://api.w.org/"`` in ``Link`` header values, if any."""
    for value in values:
        for target, params in _LINK.findall(value):
            for param in params.split(";"):
                name, _, given = param.partition("=")
                if name.strip().lower() == "rel" and API_REL in given.strip().strip('"').split():
                    return target.strip()
    return None


def remote_comment(answer: Answer) -> RemoteComment:
    data = answer.json()
    if not isinstance(data, dict):
        raise PlatformError(f"{answer.url}: HTTP {answer.status}: not a comment object")
    comment_id, status, post = data.get("id"), data.get("status"), data.get("post")
    if (
        not isinstance(comment_id, int)
        or isinstance(comment_id, bool)
        or not isinstance(status, str)
    ):
        raise PlatformError(
            f"{answer.url}: HTTP {answer.status}: the answer has no comment id and status"
        )
    ip, agent = data.get("author_ip"), data.get("author_user_agent")
    return RemoteComment(
        id=comment_id,
        post=post if isinstance(post, int) and not isinstance(post, bool) else None,
        status=status[:40],
        author_ip=ip if isinstance(ip, str) else "",
        author_user_agent=agent if isinstance(agent, str) else "",
    )
