"""The platform formats through the real ``modtool`` command, in one subprocess per run
(tests/cli_batch.py): files of one format named together are one document, a second
import changes nothing, bad input is one line, no contact data reaches the database."""

from __future__ import annotations

import json
import re
from pathlib import Path

from tests.api_formats import FIXTURES, raw_database
from tests.cli_batch import run_batch
from tests.json_formats import dump

M = FIXTURES / "mastodon"
AP = FIXTURES / "activitypub"
LEMMY = FIXTURES / "lemmy"
BSKY = FIXTURES / "bluesky"
YT = FIXTURES / "youtube"
GH = FIXTURES / "github"
SE = FIXTURES / "stackexchange"

# (command arguments, what its output must hold)
IMPORTS: list[tuple[tuple[object, ...], tuple[str, ...]]] = [
    (
        ("import", M / "status-110000000000000003.json", M / "context-110000000000000003.json"),
        (
            "status-110000000000000003.json + /",  # one document of two files
            "'Should the town council livestream its meetings? Thread bel…' "
            "(fediverse https://social.example/users/ann/statuses/110000000000000001): "
            "6 comments (6 new, 1 orphan)",
        ),
    ),
    (
        ("import", AP / "outbox-page.json"),
        (
            "'Bike lanes on Main Street' (fediverse https://lemmy.example/post/42): 5 comments (5 new)",
        ),
    ),
]


def _bad_xml(folder: Path) -> Path:
    path = folder / "Comments.xml"
    path.write_text('<comments>\n  <row Id="1" PostId="2" Text="unclosed\n</comments>\n')
    return path


def _bad_documents(folder: Path) -> list[tuple[Path, str, str]]:
    """``(file, --format, what the one error line must say)``."""
    cases = [
        ("mastodon", {"ancestors": 3, "descendants": []}, r"\$\.ancestors: expected a list"),
        ("activitypub", "a string", r"\$: expected ActivityPub JSON"),
        ("lemmy", {"comments": {}}, r"\$\.comments: expected a list"),
        ("bluesky", {"thread": {"replies": []}}, r"\$\.thread: a thread view without a post"),
        ("youtube", {"kind": "youtube#commentThread"}, r"topLevelComment: expected a comment"),
        (
            "github",
            {"data": None, "errors": [{"message": "Bad"}]},
            r"GraphQL answer with errors: Bad",
        ),
    ]
    out = []
    for name, value, message in cases:
        path = folder / f"bad-{name}.json"
        path.write_text(json.dumps(value))
        out.append((path, name, message))
    out.append((_bad_xml(folder), "stackexchange", r"line \d+, column \d+: not well-formed XML"))
    return out


def test_imports_reimports_and_bad_input_through_the_cli(tmp_path: Path) -> None:
    db = tmp_path / "m.db"
    commands = [args for args, _ in IMPORTS]
    bad = _bad_documents(tmp_path)
    commands += [("import", "--format", name, path) for path, name, _ in bad]
    first = run_batch(commands, db=db, cwd=tmp_path)
    for ran, (_, lines) in zip(first, IMPORTS, strict=False):
        assert ran.returncode == 0, ran.stderr
        for line in lines:
            assert line in ran.stdout, ran.stdout
    before = dump(db)
    for ran, (path, _, message) in zip(first[len(IMPORTS) :], bad, strict=True):
        assert ran.returncode == 1
        lines = [line for line in ran.stderr.splitlines() if line.strip()]
        assert len(lines) == 1 and lines[0].startswith(f"modtool: error: {path}"), ran.stderr
        assert re.search(message, lines[0]), lines[0]
    again = run_batch([args for args, _ in IMPORTS], db=db, cwd=tmp_path)
    for ran in again:
        assert ran.returncode == 0 and "re-imported" in ran.stdout, ran.stdout + ran.stderr
    assert dump(db) == before
    stored = raw_database(db)
    for secret in (b"ann.reader@example.org", b"ann@users.example.org", b"9c1b2d8e4a7f0011"):
        assert secret not in stored, secret
