"""Record WordPress's real answers to what ``modtool fetch`` asks, for the fetch tests.

``python -m tests.integration.wordpress.record_fetch`` starts the real WordPress
of this folder (Debian's package 6.1), makes a post with nested comments through
WordPress itself (approved, held, spam; ``&``, quotes, ``--``, a line break,
HTML), asks what ``modtool fetch --format wordpress`` asks, and writes each answer
to ``tests/fixtures/fetch/wordpress/NAME.json`` (``{"request", "status",
"headers", "body"}``, the port rewritten to 8080 as in ``wordpress_rest``).
Repeated headers (``Link``) are joined with ``, `` as HTTP allows.

Anonymous pages are recorded with ``per_page=2`` so that a five-comment post
gives several pages. The comments are the recorder's own (authors at
example.invalid, IPs from 203.0.113.0/24): no real person's data; the fields
``modtool fetch`` asks for (``_fields``) leave e-mails and IPs out of every answer.
"""

from __future__ import annotations

import base64
import json
import sys
import urllib.error
import urllib.request
from pathlib import Path

from tests.integration.wordpress.record import save
from tests.integration.wordpress.server import WordPressServer

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "fetch" / "wordpress"
KEPT = ("content-type", "link", "x-wp-total", "x-wp-totalpages", "allow")
FIELDS = "id,post,parent,author_name,author_url,date_gmt,content,link,status,type"
POST_FIELDS = "id,date_gmt,link,title,content,type,status"
SPEC = {
    "posts": [
        {
            "key": "p",
            "title": 'Fetch & "quotes" -- a post',
            "content": "First line.\n\nSecond -- paragraph.",
            "comments": [
                {
                    "key": "a",
                    "parent": None,
                    "author": "Ann",
                    "content": 'Top comment & "quoted" -- dash.\nSecond line.',
                    "approved": "1",
                    "ip": "203.0.113.1",
                    "agent": "UA1",
                },
                {
                    "key": "b",
                    "parent": "a",
                    "author": "Bob",
                    "content": "A reply to Ann.",
                    "approved": "1",
                    "ip": "203.0.113.2",
                    "agent": "UA2",
                },
                {
                    "key": "c",
                    "parent": None,
                    "author": "Cy",
                    "content": "Held for moderation.",
                    "approved": "0",
                    "ip": "203.0.113.3",
                    "agent": "UA3",
                },
                {
                    "key": "d",
                    "parent": "b",
                    "author": "Di",
                    "content": "Buy pills",
                    "approved": "spam",
                    "ip": "203.0.113.4",
                    "agent": "UA4",
                },
                {
                    "key": "e",
                    "parent": None,
                    "author": "Eve & Co",
                    "content": 'Bold <b>words</b> and a <a href="http://example.invalid">link</a>',
                    "approved": "1",
                    "ip": "203.0.113.5",
                    "agent": "UA5",
                },
            ],
        }
    ]
}


def record(server: WordPressServer) -> dict[str, dict]:
    made = server.add_content(SPEC)
    post = made["posts"]["p"]
    api = f"{server.url}/wp-json/wp/v2"
    admin = (server.user, server.app_password)
    page_url = json.loads(_ask("GET", f"{api}/posts/{post}", None)["body"])["link"]
    listing = f"{api}/comments?post={post}&orderby=id&order=asc&_fields={FIELDS}"
    return {
        "front_head": _ask("HEAD", server.url + "/", None),
        "post_page_head": _ask("HEAD", page_url, None),
        "post": _ask("GET", f"{api}/posts/{post}?_fields={POST_FIELDS}", None),
        "post_edit": _ask("GET", f"{api}/posts/{post}?_fields={POST_FIELDS}&context=edit", admin),
        "post_missing": _ask("GET", f"{api}/posts/987654?_fields={POST_FIELDS}", None),
        "comments_page_1": _ask("GET", f"{listing}&per_page=2&page=1", None),
        "comments_page_2": _ask("GET", f"{listing}&per_page=2&page=2", None),
        "comments_edit_any": _ask(
            "GET", f"{listing}&per_page=100&page=1&context=edit&status=any", admin
        ),
        "comments_edit_anonymous": _ask(
            "GET", f"{listing}&per_page=100&page=1&context=edit&status=any", None
        ),
    }


def _ask(method: str, url: str, auth: tuple[str, str] | None) -> dict:
    request = urllib.request.Request(url, method=method)
    if auth is not None:
        token = base64.b64encode(f"{auth[0]}:{auth[1]}".encode()).decode()
        request.add_header("Authorization", f"Basic {token}")
    opener = urllib.request.build_opener(_NoRedirect)
    try:
        with opener.open(request, timeout=30) as answer:
            status, headers, raw = answer.status, answer.headers, answer.read()
    except urllib.error.HTTPError as error:
        status, headers, raw = error.code, error.headers, error.read()
    kept: dict[str, str] = {}
    for name, value in headers.items():
        if name.lower() in KEPT:
            key = name.title() if name.lower() != "x-wp-totalpages" else "X-WP-TotalPages"
            key = "X-WP-Total" if name.lower() == "x-wp-total" else key
            kept[key] = f"{kept[key]}, {value}" if key in kept else value
    path = url.split("://", 1)[1].split("/", 1)[1]
    return {
        "request": f"{method} /{path}" + (" (as the administrator)" if auth else ""),
        "status": status,
        "headers": kept,
        "body": raw.decode("utf-8"),
    }


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


def main() -> int:
    server = WordPressServer().start()
    try:
        answers = record(server)
    finally:
        server.stop()
    save(answers, server.port, FIXTURES)
    return 0


if __name__ == "__main__":
    sys.exit(main())
