"""``modtool decisions --apply wordpress`` as real CLI runs against a stand-in
WordPress on 127.0.0.1 that keeps comment statuses and answers in the shape
WordPress 6.1 does (the recorded answers in tests/fixtures/wordpress_rest; the
real server is the ``wordpress`` integration stage).

The export, written here with the stand-in's address as the site (counted by hand)::

    thread 1 = post 10   #1 id 1   #2 id 2   #3 id 3   #4 id 4   #5 id 5   #6 id 8
    thread 2 = post 11   #7 id 5   #8 id 6
    thread 3 = post 40 on elsewhere.example   #9 id 7

On the stand-in: 1 approved, 2 approved, 3 held, 4 approved but on post 99,
6 approved; 8 does not exist. Both moderators: #1 approve, #2 insult, #3 approve,
#4 spam, #5 spam, #6 insult, #7 approve, #8 threat, #9 insult.
"""

from __future__ import annotations

import base64
import json
import re
import sqlite3
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from modtool.ingest import import_path
from modtool.policy import load_policy
from modtool.store import Store
from tests.cli_batch import run_batch
from tests.replay_server import recorded
from tests.test_export_cli import one_error_line

SECRET = "abcd efgh ijkl mnop qrst uvwx"
TEMPLATE = json.loads(recorded("comment_get").body)
REST = {"approve": "approved", "hold": "hold", "spam": "spam", "trash": "trash"}
ROUTE = re.compile(r"^/wp-json/wp/v2/comments/(\d+)(\?context=edit)?$")


class StandIn:
    """Comments by id: (post, status); answers like WordPress, logs every request."""

    def __init__(self) -> None:
        self.comments = {
            1: [10, "approved"],
            2: [10, "approved"],
            3: [10, "hold"],
            4: [99, "approved"],
            6: [11, "approved"],
        }
        self.requests: list[tuple[str, str, dict]] = []
        self.password = SECRET
        owner = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                pass

            def do_HEAD(self) -> None:
                owner.requests.append(("HEAD", self.path, {}))
                self.send_response(200)
                self.send_header("Link", f'<{owner.url}/wp-json/>; rel="https://api.w.org/"')
                self.send_header("Content-Length", "0")
                self.end_headers()

            def do_GET(self) -> None:
                self._comment(None)

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                self._comment(json.loads(self.rfile.read(length)))

            def _comment(self, body: dict | None) -> None:
                owner.requests.append((self.command, self.path, body or {}))
                auth = self.headers.get("Authorization", "")
                expected = "Basic " + base64.b64encode(f"admin:{owner.password}".encode()).decode()
                match = ROUTE.match(self.path)
                if auth != expected:
                    self._json(401, json.loads(recorded("wrong_password").body))
                elif match is None:
                    self._json(404, json.loads(recorded("no_route").body))
                elif int(match[1]) not in owner.comments:
                    self._json(404, json.loads(recorded("comment_get_missing").body))
                else:
                    cid = int(match[1])
                    if body is not None:
                        owner.comments[cid][1] = REST[body["status"]]
                    post, status = owner.comments[cid]
                    self._json(200, {**TEMPLATE, "id": cid, "post": post, "status": status})

            def _json(self, status: int, payload: object) -> None:
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=UTF-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"


@pytest.fixture
def stand_in() -> Iterator[StandIn]:
    server = StandIn()
    thread = threading.Thread(target=server.httpd.serve_forever, kwargs={"poll_interval": 0.02})
    thread.start()
    yield server
    server.httpd.shutdown()
    server.httpd.server_close()
    thread.join()


def wxr(site: str) -> str:
    def item(post: int, link: str, ids: list[int]) -> str:
        comments = "".join(
            f"<wp:comment><wp:comment_id>{cid}</wp:comment_id><wp:comment_parent>0"
            f"</wp:comment_parent><wp:comment_author><![CDATA[A{cid}]]></wp:comment_author>"
            f"<wp:comment_date_gmt>2024-05-01 09:0{n}:00</wp:comment_date_gmt>"
            f"<wp:comment_content><![CDATA[Comment {cid} on {post}.]]></wp:comment_content>"
            f"<wp:comment_approved>1</wp:comment_approved></wp:comment>"
            for n, cid in enumerate(ids)
        )
        return (
            f"<item><title>Post {post}</title><link>{link}</link><wp:post_id>{post}</wp:post_id>"
            f"<content:encoded><![CDATA[Post.]]></content:encoded>{comments}</item>"
        )

    return (
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0" '
        'xmlns:content="http://purl.org/rss/1.0/modules/content/" '
        'xmlns:wp="http://wordpress.org/export/1.2/"><channel><title>S</title>'
        f"<link>{site}</link>"
        + item(10, f"{site}/2024/05/ten/", [1, 2, 3, 4, 5, 8])
        + item(11, f"{site}/2024/05/eleven/", [5, 6])
        + item(40, "https://elsewhere.example/2024/05/forty/", [7])
        + "</channel></rss>"
    )


VERDICTS = {
    1: None,
    2: "insult",
    3: None,
    4: "spam",
    5: "spam",
    6: "insult",
    7: None,
    8: "threat",
    9: "insult",
}


def prepare(store: Store, stand_in: StandIn, tmp_path: Path) -> None:
    export = tmp_path / "site.xml"
    export.write_text(wxr(stand_in.url))
    import_path(store, export)
    ids = [ext for (ext,) in store.db.execute("SELECT external_id FROM comments ORDER BY id")]
    assert ids == ["1", "2", "3", "4", "5", "8", "5", "6", "7"]
    ref = load_policy("news-comments").ref
    for cid, label in VERDICTS.items():
        for who in ("alice", "bob"):
            if label is None:
                store.labels.approve(cid, moderator=who, policy=ref)
            else:
                store.labels.add(cid, label, moderator=who, policy=ref)


def audit(db_path: Path) -> list[tuple]:
    with sqlite3.connect(db_path) as db:
        return db.execute(
            "SELECT comment_id, external_id, decision, requested, outcome, http_status, "
            "status_before, status_after, actor FROM platform_actions ORDER BY id"
        ).fetchall()


ENV = {
    "MODTOOL_WP_USER": "admin",
    "MODTOOL_WP_APP_PASSWORD": SECRET,
    "MODTOOL_CREDENTIALS": "/nonexistent",
}


def test_apply_checks_sends_records_and_never_twice(
    store: Store, stand_in: StandIn, run_cli, db_path: Path, tmp_path: Path
) -> None:
    prepare(store, stand_in, tmp_path)
    args = (
        "decisions",
        "--apply",
        "wordpress",
        "--url",
        stand_in.url,
        "--policy",
        "news-comments",
        "-m",
        "carol",
    )
    result = run_cli(*args, env=ENV)
    assert result.returncode == 1
    out = result.stdout.splitlines()
    assert out == [
        "comment 1 (modtool #1): already approved, nothing sent",
        "comment 2 (modtool #2): approved -> trash",
        "comment 3 (modtool #3): hold -> approved",
        "comment 4 (modtool #4): failed: on the site comment 4 is on post 99, here on post 10: "
        "not the same comment",
        "comment 5 (modtool #5): refused: WordPress id 5 is ambiguous: comment(s) #7 (thread 2, "
        "id '5') of the same site spell it too",
        "comment 8 (modtool #6): failed: not on the site (rest_comment_invalid_id)",
        "comment 5 (modtool #7): refused: WordPress id 5 is ambiguous: comment(s) #5 (thread 1, "
        "id '5') of the same site spell it too",
        "comment 6 (modtool #8): approved -> hold",
        "comment 7 (modtool #9): refused: its post is on elsewhere.example, not "
        f"{stand_in.url.removeprefix('http://')}",
        f"3 applied, 1 already so, 2 failed, 3 refused; site {stand_in.url}",
    ]
    assert result.stderr == f"modtool: error: 2 decision(s) failed on {stand_in.url} (see above)\n"
    assert {cid: v[1] for cid, v in stand_in.comments.items()} == {
        1: "approved",
        2: "trash",
        3: "approved",
        4: "approved",
        6: "hold",
    }
    posts = [body for method, _, body in stand_in.requests if method == "POST"]
    assert posts == [
        {
            "status": s,
            "author_ip": "203.0.113.99",
            "author_user_agent": "Mozilla/5.0 (fixture recorder)",
        }
        for s in ("trash", "approve", "hold")
    ]
    rows = audit(db_path)
    assert rows == [
        (1, "1", "approve", "approve", "unchanged", 200, "approved", "approved", "carol"),
        (2, "2", "remove", "trash", "applied", 200, "approved", "trash", "carol"),
        (3, "3", "approve", "approve", "applied", 200, "hold", "approved", "carol"),
        (4, "4", "remove", "spam", "failed", 200, "approved", "approved", "carol"),
        (6, "8", "remove", "trash", "failed", 404, None, None, "carol"),
        (8, "6", "escalate", "hold", "applied", 200, "approved", "hold", "carol"),
    ]
    with sqlite3.connect(db_path) as db:  # the audit log is append-only
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            db.execute("DELETE FROM platform_actions")
        stored = "\n".join(str(row) for row in db.execute("SELECT * FROM platform_actions"))
    assert SECRET not in stored and "203.0.113" not in stored

    # a re-run sends nothing for what is done; the failures are tried again
    stand_in.requests.clear()
    result = run_cli(*args, env=ENV)
    assert result.returncode == 1
    assert result.stdout.splitlines()[-1] == (
        f"4 applied before (nothing sent), 2 failed, 3 refused; site {stand_in.url}"
    )
    assert [(m, p) for m, p, _ in stand_in.requests] == [
        ("HEAD", "/"),
        ("GET", "/wp-json/wp/v2/comments/4?context=edit"),
        ("GET", "/wp-json/wp/v2/comments/8?context=edit"),
    ]
    assert len(audit(db_path)) == 8


def test_dry_run_and_credential_errors(
    store: Store, stand_in: StandIn, run_cli, db_path: Path, tmp_path: Path
) -> None:
    prepare(store, stand_in, tmp_path)
    args = ("decisions", "--apply", "wordpress", "--url", stand_in.url, "--policy", "news-comments")
    dry, with_password, no_url, with_output, lone_dry = run_batch(
        [
            (*args, "--dry-run"),
            (*args[:4], "http://admin:pw@127.0.0.1:9/"),
            ("decisions", "--apply", "wordpress"),
            (*args, "-o", tmp_path / "x.jsonl"),
            ("decisions", "-o", tmp_path / "x.jsonl", "--dry-run"),
        ],
        db=db_path,
        cwd=tmp_path,
        env=ENV,
    )
    assert dry.returncode == 1  # the two failures are known without changing anything
    assert "comment 2 (modtool #2): would set approved -> trash" in dry.stdout
    assert dry.stdout.splitlines()[-1] == (
        f"dry run, nothing changed: 3 would change, 1 already so, 2 failed, 3 refused; "
        f"site {stand_in.url}"
    )
    assert [m for m, _, _ in stand_in.requests].count("POST") == 0 and audit(db_path) == []
    one_error_line(with_password, "never on the command line")
    one_error_line(no_url, "needs --url")
    one_error_line(with_output, "writes no file")
    one_error_line(lone_dry, "--dry-run goes with --apply")

    one_error_line(
        run_cli(*args, env={**ENV, "MODTOOL_WP_APP_PASSWORD": "wrong password"}),
        f"{stand_in.url}: reading comment 1: HTTP 401 Unauthorized",
        "check MODTOOL_WP_USER and MODTOOL_WP_APP_PASSWORD",
    )
    one_error_line(
        run_cli(*args, env={"MODTOOL_CREDENTIALS": "/nonexistent"}),
        "no wordpress credentials for",
        "never on the command line",
    )
    assert audit(db_path) == [] and not (tmp_path / "x.jsonl").exists()


def test_a_decision_for_an_earlier_text_is_refused(
    store: Store, stand_in: StandIn, run_cli, db_path: Path, tmp_path: Path
) -> None:
    """16.2: comment 6 (#8) is edited on the site after the decision; the re-import
    brings the new text; --apply refuses it (hold was never sent)."""
    prepare(store, stand_in, tmp_path)
    changed = tmp_path / "edited.xml"
    text = wxr(stand_in.url)
    assert text.count("Comment 6 on 11.") == 1
    changed.write_text(text.replace("Comment 6 on 11.", "Comment 6 on 11, edited later."))
    import_path(store, changed)
    args = ("decisions", "--apply", "wordpress", "--url", stand_in.url, "--policy", "news-comments")
    result = run_cli(*args, env=ENV)
    assert "comment 6 (modtool #8): refused: edited after the decision; review it again" in (
        result.stdout.splitlines()
    )
    assert result.stdout.splitlines()[-1] == (
        f"2 applied, 1 already so, 2 failed, 4 refused; site {stand_in.url}"
    )
    assert stand_in.comments[6][1] == "approved"
    assert ("GET", "/wp-json/wp/v2/comments/6?context=edit") not in [
        (m, p) for m, p, _ in stand_in.requests
    ]
