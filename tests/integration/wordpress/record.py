"""Record WordPress's real answers for the unit tests' replay server.

``python -m tests.integration.wordpress.record`` starts the real WordPress of
this folder (Debian's package), asks it what ``modtool decisions --apply`` asks
(and what goes wrong: a wrong password, a subscriber, a missing comment, a
missing route, maintenance mode) and writes each answer to
``tests/fixtures/wordpress_rest/NAME.json``: ``{"request", "status", "headers",
"body"}``. ``test_recorded_answers_match_the_real_server`` checks that the kept
files still say what the server says (status and WordPress error code).

The comments recorded are the fixture's own (authors at example.invalid, IPs
from 203.0.113.0/24, the documentation range): no real person's data.
"""

from __future__ import annotations

import base64
import json
import sys
import urllib.error
import urllib.request
from pathlib import Path

from tests.integration.wordpress.server import WordPressServer

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "wordpress_rest"
KEPT_HEADERS = ("content-type", "link", "retry-after", "allow", "x-wp-total", "x-wp-totalpages")
SPEC = {
    "posts": [
        {
            "key": "p",
            "title": "Recorded post",
            "content": "A post for recorded answers.",
            "comments": [
                {
                    "key": "c",
                    "parent": None,
                    "author": "Rec",
                    "content": "A comment to moderate.",
                    "approved": "1",
                    "ip": "203.0.113.99",
                    "agent": "Mozilla/5.0 (fixture recorder)",
                }
            ],
        }
    ]
}


def record(server: WordPressServer) -> dict[str, dict]:
    """Ask the running ``server``; return ``{name: answer}``."""
    made = server.add_content(SPEC)
    cid = made["comments"]["c"]
    root = f"{server.url}/wp-json/"
    admin = (server.user, server.app_password)
    answers = {
        "discovery_head": _ask("HEAD", server.url + "/", None),
        "comment_get": _ask("GET", f"{root}wp/v2/comments/{cid}?context=edit", admin),
        "comment_post_spam": _ask(
            "POST",
            f"{root}wp/v2/comments/{cid}",
            admin,
            {
                "status": "spam",
                "author_ip": "203.0.113.99",
                "author_user_agent": "Mozilla/5.0 (fixture recorder)",
            },
        ),
        "comment_get_missing": _ask("GET", f"{root}wp/v2/comments/987654?context=edit", admin),
        "wrong_password": _ask(
            "GET",
            f"{root}wp/v2/comments/{cid}?context=edit",
            (server.user, "abcd efgh ijkl mnop qrst uvwx"),
        ),
        "subscriber_forbidden": _ask(
            "GET",
            f"{root}wp/v2/comments/{cid}?context=edit",
            (server.reader, server.reader_password),
        ),
        "no_route": _ask("GET", f"{root}wp/v2/no-such-route/1", admin),
    }
    maintenance = server.root / ".maintenance"
    maintenance.write_text("<?php $upgrading = time();\n")
    try:
        answers["maintenance_503"] = _ask("GET", f"{root}wp/v2/comments/{cid}?context=edit", admin)
    finally:
        maintenance.unlink()
    return answers


def _ask(method: str, url: str, auth: tuple[str, str] | None, body: dict | None = None) -> dict:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method)
    if body is not None:
        request.add_header("Content-Type", "application/json")
    if auth is not None:
        token = base64.b64encode(f"{auth[0]}:{auth[1]}".encode()).decode()
        request.add_header("Authorization", f"Basic {token}")
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            status, headers, raw = answer.status, answer.headers, answer.read()
    except urllib.error.HTTPError as error:
        status, headers, raw = error.code, error.headers, error.read()
    path = url.split("://", 1)[1].split("/", 1)[1]
    return {
        "request": f"{method} /{path}" + (" (JSON body)" if body is not None else ""),
        "status": status,
        "headers": {k: v for k, v in headers.items() if k.lower() in KEPT_HEADERS},
        "body": raw.decode("utf-8"),
    }


def main() -> int:
    server = WordPressServer().start()
    try:
        answers = record(server)
    finally:
        server.stop()
    save(answers, server.port, FIXTURES)
    return 0


def save(answers: dict[str, dict], port: int, folder: Path) -> None:
    """Each answer to ``folder/NAME.json``, the server's port rewritten to 8080."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, answer in answers.items():
        text = json.dumps(answer, indent=1, ensure_ascii=False) + "\n"
        text = text.replace(f"127.0.0.1:{port}", "127.0.0.1:8080")
        (folder / f"{name}.json").write_text(text)
        print(f"{name}: {answer['status']}")


if __name__ == "__main__":
    sys.exit(main())
