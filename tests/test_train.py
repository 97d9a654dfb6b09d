"""``modtool train`` and ``--scorer site``: refusing thin labels, beating the generic
scorer on a learnable site rule, and never mixing two site models' scores.

The fixture site bans a brand its moderators remove as spam ("Zorblax", a word
neither profanity-check nor the offline model knows): 80 comments made of the
sample thread's real sentences, the brand inserted into every other one, and a
moderator labelling those spam and approving the rest.
"""

from __future__ import annotations

import json
import re
import sqlite3

import pytest
from click.testing import CliRunner

from modtool.cli import main
from modtool.ingest import import_path
from modtool.models import PolicyRef
from modtool.policy import load_policy
from modtool.scoring import make_scorer, score_store
from modtool.store import open_store
from tests.conftest import SAMPLE
from tests.scoring_helpers import write_thread

BRAND = "Zorblax"


def sentences() -> list[str]:
    text = SAMPLE.read_text(encoding="utf-8")
    found = [s.strip() for s in re.split(r"(?<=[.!?])\s+", text) if 30 <= len(s.strip()) <= 200]
    return [" ".join(s.split()) for s in found]


def site_comments(count: int) -> list[tuple[str, bool]]:
    pool = sentences()
    made = []
    for i in range(count):
        body = f"{pool[i % len(pool)]} {pool[(i * 7 + 3) % len(pool)]}"
        if i % 2 == 0:
            words = body.split()
            words.insert((i * 3) % len(words), BRAND if i % 4 else f"{BRAND.lower()}!")
            made.append((" ".join(words), True))
        else:
            made.append((body, False))
    return made


def labelled_store(tmp_path, count: int, name: str = "site.db"):
    db = tmp_path / name
    store = open_store(db)
    comments = site_comments(count)
    import_path(store, write_thread(tmp_path / f"{name}.txt", [body for body, _ in comments]))
    policy = load_policy("news-comments")
    ref = PolicyRef(policy.name, policy.hash, frozenset(label.key for label in policy.labels))
    for comment_id, (_, spam) in enumerate(comments, 1):
        if spam:
            store.labels.add(comment_id, "spam", moderator="ana", policy=ref)
        else:
            store.labels.approve(comment_id, moderator="ana", policy=ref)
    score_store(store, make_scorer("profanity-check"))
    return store, db


def cli(*args: str):
    return CliRunner().invoke(main, list(args), env={"COLUMNS": "200"})


def test_thin_labels_are_refused_in_one_line(tmp_path) -> None:
    store, db = labelled_store(tmp_path, 30)  # 15 spam, 15 not
    store.close()
    result = cli("train", "--db", str(db), "--labels", "spam")
    assert result.exit_code == 1
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert lines == [
        "modtool: error: cannot train: spam: 15 positive and 15 negative (human majority; "
        "training needs at least 20 of each)"
    ]
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT COUNT(*) FROM site_models").fetchone() == (0,)


def test_site_model_learns_the_site_rule_and_ids_never_mix(tmp_path) -> None:
    store, db = labelled_store(tmp_path, 80)
    store.close()
    result = cli("train", "--db", str(db), "--policy", "news-comments", "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.output[result.output.index("{") :])
    first = report["model"]
    assert first.startswith("site@") and report["training_size"] == 80
    spam = report["metrics"]["labels"]["spam"]
    assert (spam["positives"], spam["negatives"]) == (40, 40)
    [generic] = [g for g in spam["generic"] if g["attribute"] == "profanity"] or [None]
    assert spam["cv_roc_auc"] >= 0.95
    # profanity-check does not know the brand: near chance on the same comments
    generic_auc = generic["roc_auc"] if generic else 0.5
    assert spam["cv_roc_auc"] - generic_auc >= 0.3
    # labels below 20 positives are skipped (reported), not trained
    assert any(line.startswith("insult: 0 positive") for line in report["skipped"])

    scored = cli("score", "--db", str(db), "--scorer", "site")
    assert scored.exit_code == 0, scored.output
    assert f"model {first}: scored 80" in scored.output
    with sqlite3.connect(db) as conn:
        rows = conn.execute(
            "SELECT COUNT(*) FROM scores WHERE model = ? AND attribute = 'site:spam'", [first]
        ).fetchone()
    assert rows == (80,)
    queue = cli("queue", "--db", str(db), "--sort", "site:spam", "--json", "-m", "ana")
    assert queue.exit_code == 0, queue.output
    ranked = [json.loads(line)["id"] for line in queue.output.splitlines() if line.startswith("{")]
    assert set(ranked[:40]) == set(range(1, 81, 2))  # the brand's comments first
    evaluated = cli("evaluate", "--db", str(db), "--model", "site", "--label", "spam", "--json")
    assert evaluated.exit_code == 0, evaluated.output
    [label] = json.loads(evaluated.output)["labels"]
    [site] = label["attributes"]
    assert site["attribute"] == "site:spam" and site["roc_auc"] >= 0.95  # in-sample

    again = cli("train", "--db", str(db), "--json")
    second = json.loads(again.output[again.output.index("{") :])["model"]
    assert second != first
    rescored = cli("score", "--db", str(db), "--scorer", "site")
    assert f"model {second}: scored 80" in rescored.output
    with sqlite3.connect(db) as conn:
        site_models = conn.execute(
            "SELECT DISTINCT model FROM scores WHERE attribute LIKE 'site:%'"
        ).fetchall()
    assert site_models == [(second,)]  # the older model's scores were retired, not mixed
    listed = cli("models", "--db", str(db))
    assert first in listed.output and second in listed.output


def test_a_policy_can_read_site_scores(tmp_path) -> None:
    from modtool.policy.loader import parse_policy

    text = (
        'name = "site-rules"\nversion = "1"\n[[labels]]\nkey = "spam"\nname = "Spam"\n'
        'action = "remove"\nhotkey = "x"\ncolour = "red"\nguidance = "Ads."\n[[rules]]\nid = "site-spam"\nlabel = "spam"\n'
        'score = "site:spam"\nmodel = "site"\nmin = 0.5\n'
    )
    policy = parse_policy(text.encode())
    [rule] = policy.rules
    assert rule.score_conditions()[0].attribute == "site:spam"
    with pytest.raises(Exception, match="does not yield 'insult'"):
        parse_policy(text.replace('score = "site:spam"', 'score = "insult"').encode())


async def test_the_ui_scores_in_the_background_with_the_site_model(tmp_path) -> None:
    """``tui --scorer site``: the worker builds the site scorer on the UI's own database."""
    from tests.tui_support import SIZE, make_app

    store, db = labelled_store(tmp_path, 80)
    store.close()
    trained = cli("train", "--db", str(db), "--labels", "spam", "--json")
    assert trained.exit_code == 0, trained.output
    model = json.loads(trained.output[trained.output.index("{") :])["model"]
    app = make_app(db, scorer="site")
    async with app.run_test(size=SIZE) as pilot:
        for _ in range(400):
            await pilot.pause(0.05)
            if app.status.scoring.startswith("scored"):
                break
        assert app.status.scoring.startswith("scored 80"), app.status.scoring
        assert app.status.scorer == "site"  # the model id is in the scores below
    with sqlite3.connect(db) as conn:
        rows = conn.execute(
            "SELECT COUNT(*) FROM scores WHERE model = ? AND attribute = 'site:spam'", [model]
        ).fetchone()
    assert rows == (80,)
