"""Decisions hit the right comment (issue 16.7) and a WordPress id is a 64-bit number
(16.4): real CLI runs on WXR files with colliding ids.

``colliding-ids.xml`` (https://news.example), then ``other-site.xml``
(https://other.example), imported in that order, give (counted by hand)::

    thread 1 = post 10   #1 '0007'  #2 '7'  #3 '5'  #4 4,301 nines  #5 '12'
    thread 2 = post 11   #6 '5'     #7 '13'
    thread 3 = post 40   #8 '13'    (another site)

Both moderators: #1 spam, #2 approve, #3 spam, #4 insult, #5 insult,
#6 approve, #7 approve, #8 insult.
"""

from __future__ import annotations

import json
from pathlib import Path

from modtool.ingest import import_path
from modtool.policy import load_policy
from modtool.store import Store
from tests.test_export_cli import one_error_line

FIXTURES = Path(__file__).parent / "fixtures" / "wxr"
HUGE = "9" * 4301
VERDICTS = {1: "spam", 2: None, 3: "spam", 4: "insult", 5: "insult", 6: None, 7: None, 8: "insult"}
NEWS = ("--thread", "1", "--thread", "2")
POLICY = ("--policy", "news-comments")


def setup(store: Store) -> None:
    import_path(store, FIXTURES / "colliding-ids.xml")
    import_path(store, FIXTURES / "other-site.xml")
    ids = [ext for (ext,) in store.db.execute("SELECT external_id FROM comments ORDER BY id")]
    assert ids == ["0007", "7", "5", HUGE, "12", "5", "13", "13"]
    ref = load_policy("news-comments").ref
    for cid, label in VERDICTS.items():
        for who in ("alice", "bob"):
            if label is None:
                store.labels.approve(cid, moderator=who, policy=ref)
            else:
                store.labels.add(cid, label, moderator=who, policy=ref)


def test_wp_cli_never_acts_on_an_ambiguous_or_bad_id(store: Store, run_cli, tmp_path: Path) -> None:
    setup(store)
    script = tmp_path / "apply.sh"
    result = run_cli("decisions", *NEWS, "--format", "wp-cli", "-o", script, *POLICY)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert "wrote 2 command(s): 7 decision(s), 0 tied" in result.stdout
    warning = result.stderr.strip().splitlines()
    assert warning == [
        "modtool: warning: 5 decision(s) have a WordPress id that cannot name one comment of "
        "the site (ambiguous or not an id WordPress writes): #1, #2, #3, #4, #6; not written "
        "as commands (listed apart at the end of the script)"
    ]
    text = script.read_text()
    assert [line for line in text.splitlines() if line.startswith("wp ")] == [
        "wp comment trash 12",
        "wp comment approve 13",
    ]
    tail = text.split("# not written as commands", 1)[1].splitlines()[2:]
    assert tail == [
        "# not a WordPress id: modtool #1, decision remove",
        "# ambiguous id: comment 7 (modtool #2), decision approve",
        "# ambiguous id: comment 5 (modtool #3), decision remove",
        "# not a WordPress id: modtool #4, decision remove",
        "# ambiguous id: comment 5 (modtool #6), decision approve",
    ]
    assert HUGE[:30] not in text and "0007" not in text


def test_the_reasons_are_in_the_jsonl(store: Store, run_cli, tmp_path: Path) -> None:
    setup(store)
    out = tmp_path / "d.jsonl"
    result = run_cli("decisions", "-o", out, *POLICY)
    assert result.returncode == 0, result.stderr
    rows = {r["modtool_id"]: r for r in map(json.loads, out.read_text().splitlines())}
    assert rows[4]["external_id"] == HUGE
    assert {cid: r["id_problem"] for cid, r in rows.items()} == {
        1: "id '0007' is not a WordPress comment id (leading zero)",
        2: "WordPress id 7 is ambiguous: comment(s) #1 (thread 1, id '0007') of the same "
        "site spell it too",
        3: "WordPress id 5 is ambiguous: comment(s) #6 (thread 2, id '5') of the same site "
        "spell it too",
        4: "id '99999999999999999999'… (4,301 characters) is not a WordPress comment id "
        "(larger than a 64-bit id)",
        5: None,
        6: "WordPress id 5 is ambiguous: comment(s) #3 (thread 1, id '5') of the same site "
        "spell it too",
        7: None,  # news.example's 13; other.example's 13 is another site's comment
        8: None,
    }


def test_one_script_is_for_one_site(store: Store, run_cli, tmp_path: Path) -> None:
    setup(store)
    one_error_line(
        run_cli("decisions", "--format", "wp-cli", "-o", tmp_path / "all.sh", *POLICY),
        "the decisions come from 2 sites (news.example (comment #1), other.example (comment #8))",
    )
    assert not (tmp_path / "all.sh").exists()
    script = tmp_path / "other.sh"
    result = run_cli("decisions", "--thread", "3", "--format", "wp-cli", "-o", script, *POLICY)
    assert result.returncode == 0, result.stderr
    assert [x for x in script.read_text().splitlines() if x.startswith("wp ")] == [
        "wp comment trash 13"
    ]
