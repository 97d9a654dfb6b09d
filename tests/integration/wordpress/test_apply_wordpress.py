"""Decisions applied on a real WordPress (Debian 6.1, PHP's server, MariaDB) and read back.

The site is made by WordPress itself; its WXR comes from WordPress's own
``export_wp()``; ``modtool import`` reads it; moderators label; ``modtool
decisions --apply wordpress`` sets statuses through the REST API with an
application password from the environment; the statuses are read back from
WordPress (``get_comments``) and from its REST API.

Post "Talks collapse" (P1) and "Second post" (P2), comments in this order::

    P1  ann   top        approved   both approve            -> approve: already so
        bob   re ann     approved   both insult (remove)    -> trash
        ann2  re bob     approved   both approve            -> already so
        spam  top        approved   both spam (remove)      -> spam
        cy    top        approved   both threat (escalate)  -> hold
        di    top        approved   both off_topic (flag)   -> left for a person
        eve   top        held       both approve            -> refused: a second import
                                                               holds another comment with
                                                               eve's id on the same site
        tie   top        approved   insult / approve        -> tied, nothing
    P2  fay   top        approved   both approve            -> already so
        gus   re fay     approved   both insult (remove)    -> refused: Gus edits it on the
                                                               site after the decision and
                                                               the site is imported again

So the first real run: applied 3 (bob, spam, cy), already so 3 (ann, ann2,
fay), refused 2 (eve, gus), left for a person 1 (di), tied 1 (tie).
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from modtool.policy import load_policy
from modtool.store import open_store
from tests.integration.wordpress.server import WordPressServer

pytestmark = [pytest.mark.integration, pytest.mark.wordpress]

AGENT = "Mozilla/5.0 (X11; fixture) Firefox/120.0"


def _comment(
    key: str, parent: str | None, author: str, text: str, approved: str = "1", n: int = 0
) -> dict[str, object]:
    return {
        "key": key,
        "parent": parent,
        "author": author,
        "content": text,
        "approved": approved,
        "ip": f"203.0.113.{10 + n}",
        "agent": f"{AGENT} #{n}",
    }


SPEC = {
    "posts": [
        {
            "key": "p1",
            "title": "Talks collapse",
            "content": "The talks collapsed on Friday.",
            "comments": [
                _comment("ann", None, "Ann", "Thanks for the report.", n=1),
                _comment("bob", "ann", "Bob", "You are an idiot, Ann.", n=2),
                _comment("ann2", "bob", "Ann", "No need for that.", n=3),
                _comment("spam", None, "Cheap", "Buy cheap watches at shop.example.invalid", n=4),
                _comment("cy", None, "Cy", "I know where you live. Watch out.", n=5),
                _comment("di", None, "Di", "Unrelated: has anyone seen my cat?", n=6),
                _comment("eve", None, "Eve", "A fair point, though the filter held it.", "0", 7),
                _comment("tie", None, "Tia", "Maybe rude, maybe not.", n=8),
            ],
        },
        {
            "key": "p2",
            "title": "Second post",
            "content": "Another story.",
            "comments": [
                _comment("fay", None, "Fay", "First on this one.", n=9),
                _comment("gus", "fay", "Gus", "Agreed, Fay, you fool.", n=10),
            ],
        },
    ]
}
VERDICTS = {
    "ann": ("approve", "approve"),
    "bob": ("insult", "insult"),
    "ann2": ("approve", "approve"),
    "spam": ("spam", "spam"),
    "cy": ("threat", "threat"),
    "di": ("off_topic", "off_topic"),
    "eve": ("approve", "approve"),
    "tie": ("insult", "approve"),
    "fay": ("approve", "approve"),
    "gus": ("insult", "insult"),
}

OTHER_EXPORT = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"
     xmlns:wp="http://wordpress.org/export/1.2/">
<channel><title>modtool test site</title><link>{url}</link>
<item><title>An old post from another export</title><link>{url}/?p=99999</link>
<content:encoded><![CDATA[Old.]]></content:encoded><wp:post_id>99999</wp:post_id>
<wp:comment><wp:comment_id>{eve}</wp:comment_id><wp:comment_parent>0</wp:comment_parent>
<wp:comment_author><![CDATA[Someone]]></wp:comment_author>
<wp:comment_date_gmt>2020-01-01 10:00:00</wp:comment_date_gmt>
<wp:comment_content><![CDATA[Same id, other post.]]></wp:comment_content>
<wp:comment_approved>1</wp:comment_approved></wp:comment>
</item></channel></rss>
"""


@pytest.fixture(scope="module")
def site(wordpress: WordPressServer) -> dict:
    return wordpress.add_content(SPEC)


def env_for(
    wordpress: WordPressServer, password: str | None = None, user: str | None = None
) -> dict:
    return {
        "MODTOOL_WP_USER": user or wordpress.user,
        "MODTOOL_WP_APP_PASSWORD": password or wordpress.app_password,
        "MODTOOL_CREDENTIALS": "/nonexistent/credentials.toml",
    }


def label_all(db_path: Path, site: dict) -> None:
    ref = load_policy("news-comments").ref
    with open_store(db_path) as store:
        by_external = {
            ext: cid
            for cid, ext in store.db.execute(
                "SELECT c.id, c.external_id FROM comments c JOIN threads t ON t.id = c.thread_id "
                "WHERE t.external_id IN (?, ?)",
                [str(site["posts"]["p1"]), str(site["posts"]["p2"])],
            )
        }
        for key, verdicts in VERDICTS.items():
            cid = by_external[str(site["comments"][key])]
            for moderator, verdict in zip(("alice", "bob"), verdicts, strict=True):
                if verdict == "approve":
                    store.labels.approve(cid, moderator=moderator, policy=ref)
                else:
                    store.labels.add(cid, verdict, moderator=moderator, policy=ref)


def audit_rows(db_path: Path) -> list[tuple]:
    with sqlite3.connect(db_path) as db:
        return db.execute(
            "SELECT external_id, requested, outcome, http_status, status_before, status_after "
            "FROM platform_actions ORDER BY id"
        ).fetchall()


def test_decisions_applied_on_a_real_wordpress(
    wordpress: WordPressServer, site: dict, run_cli, db_path: Path, tmp_path: Path
) -> None:
    ids = site["comments"]
    export = wordpress.export_wxr(tmp_path / "site.xml")
    assert "<wp:comment_id>" in export.read_text()
    result = run_cli("import", export)
    assert result.returncode == 0, result.stderr
    other = tmp_path / "other.xml"
    other.write_text(OTHER_EXPORT.format(url=wordpress.url, eve=ids["eve"]))
    result = run_cli("import", other)
    assert result.returncode == 0, result.stderr
    label_all(db_path, site)
    # Gus edits his comment after the decision; the site's new export is imported
    wordpress.php("edit.php", str(ids["gus"]), "Agreed, Fay. (Edited: sorry for the word.)")
    result = run_cli("import", wordpress.export_wxr(tmp_path / "site-later.xml"))
    assert result.returncode == 0, result.stderr
    before = wordpress.comments()
    apply = (
        "decisions",
        "--apply",
        "wordpress",
        "--url",
        wordpress.url,
        "--policy",
        "news-comments",
    )

    # a wrong application password: one line, nothing changed, nothing recorded
    result = run_cli(
        *apply, "-m", "carol", env=env_for(wordpress, password="abcd efgh ijkl mnop qrst uvwx")
    )
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "HTTP 401" in lines[0] and "Traceback" not in result.stderr
    assert wordpress.app_password not in result.stderr + result.stdout

    # a subscriber may not moderate: 403, one line
    result = run_cli(
        *apply, "-m", "carol", env=env_for(wordpress, wordpress.reader_password, wordpress.reader)
    )
    assert result.returncode == 1
    assert len(result.stderr.strip().splitlines()) == 1 and "HTTP 403" in result.stderr

    # dry run: reads, says, changes and records nothing
    result = run_cli(*apply, "--dry-run", "-m", "carol", env=env_for(wordpress))
    assert result.returncode == 0, result.stderr
    assert f"comment {ids['bob']} (modtool #" in result.stdout
    assert "would set approved -> trash" in result.stdout
    assert "would set approved -> spam" in result.stdout
    assert "would set approved -> hold" in result.stdout
    assert (
        result.stdout.strip()
        .splitlines()[-1]
        .startswith(
            "dry run, nothing changed: 3 would change, 3 already so, 2 refused, "
            "1 left for a person, 1 tied"
        )
    )
    assert wordpress.comments() == before
    assert audit_rows(db_path) == []

    # the real run
    result = run_cli(*apply, "-m", "carol", env=env_for(wordpress))
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == (
        f"3 applied, 3 already so, 2 refused, 1 left for a person, 1 tied; site {wordpress.url}"
    )
    assert f"comment {ids['eve']} (modtool #" in result.stdout and "ambiguous" in result.stdout
    assert f"comment {ids['gus']} (modtool #" in result.stdout
    assert "refused: edited after the decision; review it again" in result.stdout
    after = wordpress.comments()
    expected = {
        "ann": "approved",
        "bob": "trash",
        "ann2": "approved",
        "spam": "spam",
        "cy": "unapproved",
        "di": "approved",
        "eve": "unapproved",
        "tie": "approved",
        "fay": "approved",
        "gus": "approved",
    }
    assert {key: after[ids[key]]["status"] for key in expected} == expected
    # WordPress's REST update would have put our IP and agent on the comment: they stayed
    assert after[ids["gus"]]["content"].startswith("Agreed, Fay. (Edited")
    for key in ("bob", "spam", "cy"):
        assert after[ids[key]]["ip"] == before[ids[key]]["ip"]
        assert after[ids[key]]["agent"] == before[ids[key]]["agent"]
    rows = audit_rows(db_path)
    assert sorted(rows) == sorted(
        [
            (str(ids["ann"]), "approve", "unchanged", 200, "approved", "approved"),
            (str(ids["bob"]), "trash", "applied", 200, "approved", "trash"),
            (str(ids["ann2"]), "approve", "unchanged", 200, "approved", "approved"),
            (str(ids["spam"]), "spam", "applied", 200, "approved", "spam"),
            (str(ids["cy"]), "hold", "applied", 200, "approved", "hold"),
            (str(ids["fay"]), "approve", "unchanged", 200, "approved", "approved"),
        ]
    )

    # a re-run changes nothing and sends nothing
    requests_before = len(wordpress.requests_logged())
    result = run_cli(*apply, "-m", "carol", env=env_for(wordpress))
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == (
        f"6 applied before (nothing sent), 2 refused, 1 left for a person, 1 tied; "
        f"site {wordpress.url}"
    )
    assert len(wordpress.requests_logged()) == requests_before
    assert audit_rows(db_path) == rows
    assert wordpress.comments() == after

    # the same database as a WP-CLI script: eve is listed apart, not a command
    script = tmp_path / "apply.sh"
    result = run_cli("decisions", "--format", "wp-cli", "-o", script, "--policy", "news-comments")
    assert result.returncode == 0, result.stderr
    text = script.read_text()
    assert f"wp comment trash {ids['bob']}\n" in text
    assert f"wp comment unapprove {ids['cy']}\n" in text
    assert f"wp comment approve {ids['eve']}" not in text
    assert f"# ambiguous id: comment {ids['eve']} (modtool #" in text
    assert f"wp comment trash {ids['gus']}" not in text
    assert f"# comment {ids['gus']} (modtool #" in text and "for an earlier text" in text


def test_recorded_answers_match_the_real_server(wordpress: WordPressServer, tmp_path: Path) -> None:
    """The answers the unit tests replay are what this WordPress says today."""
    from tests.integration.wordpress.record import FIXTURES, record

    fresh = record(wordpress)
    for name, answer in fresh.items():
        kept = json.loads((FIXTURES / f"{name}.json").read_text())
        assert (kept["status"], _code(kept)) == (answer["status"], _code(answer)), name


def _code(answer: dict) -> str | None:
    try:
        body = json.loads(answer["body"])
    except ValueError:
        return None
    return body.get("code") if isinstance(body, dict) else None
