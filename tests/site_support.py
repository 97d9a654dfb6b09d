"""A small site, counted by hand: three threads on two platforms, eight comments.

Imported with the real importers: a Pushshift (Reddit) dump of two threads and a
plain-text thread. Ids follow the import (document order per thread):

== ======== ========= ================== ================= ===== ======
id thread   author    text               created (UTC)     tox   insult
== ======== ========= ================== ================= ===== ======
1  1 Budget troll42   you are all idiots 2024-05-01 10:00  0.90  0.81
2  1 Budget calm_carl please be civil    2024-05-01 10:05  0.10  0.09
3  1 Budget troll42   idiots everywhere  2024-05-01 10:10  0.80  0.72
4  1 Budget dana      budget looks fine  2024-05-01 11:00  0.05  0.045
5  2 Harbour troll42  harbour stupid     2024-05-02 09:00  0.70  0.63
6  2 Harbour eve      I like the harbour 2024-05-02 09:30  0.02  0.018
7  3 Town   troll42   town hall          (none)            0.30  0.27
8  3 Town   Ann       thanks             (none)            0.01  0.009
== ======== ========= ================== ================= ===== ======

#2 replies to #1, #3 to #2. ``troll42`` on Reddit (an account: 1, 3, 5) and
``troll42`` in the plain-text thread (a name: 7) are two commenters. bo has
labeled #1 insult; ana has approved #4.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from modtool.ingest import import_path
from modtool.models import ModelInfo, ScoreRow
from modtool.policy import load_policy
from modtool.store import open_store
from tests.thread_docs import Node, render

POLICY = load_policy("news-comments")
REF = POLICY.ref
MODEL = ModelInfo(
    id="detoxify/original@site0001",
    scorer="detoxify",
    name="original",
    attributes=("toxicity", "insult"),
)
TOXICITY = {1: 0.9, 2: 0.1, 3: 0.8, 4: 0.05, 5: 0.7, 6: 0.02, 7: 0.3, 8: 0.01}
BY_SCORE = [1, 3, 5, 7, 2, 4, 6, 8]


def _epoch(text: str) -> int:
    return int(datetime.fromisoformat(text).replace(tzinfo=UTC).timestamp())


def _line(**fields: object) -> str:
    return json.dumps(fields)


def dump_text() -> str:
    lines = [
        _line(id="aaa", title="Budget vote tonight", selftext="", created_utc=_epoch("2024-05-01T09:00")),
        _line(id="r1", link_id="t3_aaa", parent_id="t3_aaa", author="troll42",
              body="you are all idiots", created_utc=_epoch("2024-05-01T10:00")),
        _line(id="r2", link_id="t3_aaa", parent_id="t1_r1", author="calm_carl",
              body="please be civil", created_utc=_epoch("2024-05-01T10:05")),
        _line(id="r3", link_id="t3_aaa", parent_id="t1_r2", author="troll42",
              body="idiots everywhere, idiots", created_utc=_epoch("2024-05-01T10:10")),
        _line(id="r4", link_id="t3_aaa", parent_id="t3_aaa", author="dana",
              body="the budget looks fine", created_utc=_epoch("2024-05-01T11:00")),
        _line(id="bbb", title="Harbour plans", selftext="", created_utc=_epoch("2024-05-02T08:00")),
        _line(id="r5", link_id="t3_bbb", parent_id="t3_bbb", author="troll42",
              body="harbour plans are stupid", created_utc=_epoch("2024-05-02T09:00")),
        _line(id="r6", link_id="t3_bbb", parent_id="t3_bbb", author="eve",
              body="I like the harbour", created_utc=_epoch("2024-05-02T09:30")),
    ]  # fmt: skip
    return "\n".join(lines) + "\n"


def build_site(folder: Path, db_path: Path) -> Path:
    dump = folder / "RC_site.ndjson"
    dump.write_text(dump_text(), encoding="utf-8")
    town = folder / "town.txt"
    town.write_text(
        render(
            "Town hall meeting",
            "An article.",
            [Node("troll42", "see you at the town hall"), Node("Ann", "Thanks for organising")],
        ),
        encoding="utf-8",
    )
    with open_store(db_path) as store:
        import_path(store, dump)
        import_path(store, town)
        bodies = {c.id: c for t in (1, 2, 3) for c in store.comments.iter_thread(t)}
        assert [bodies[i].author for i in range(1, 9)] == [
            "troll42", "calm_carl", "troll42", "dana", "troll42", "eve", "troll42", "Ann",
        ]  # fmt: skip
        store.scores.register_model(MODEL)
        store.scores.save(
            ScoreRow(
                cid,
                MODEL.id,
                {"toxicity": v, "insult": round(v * 0.9, 3)},
                bodies[cid].content_hash,
            )
            for cid, v in TOXICITY.items()
        )
        from modtool.policy.suggest import register

        register(store, POLICY)
        store.labels.add(1, "insult", moderator="bo", policy=REF)
        store.labels.approve(4, moderator="ana", policy=REF)
    return db_path
