"""Shared builders for the TUI tests: a scored sample database, hostile threads, the app."""

from __future__ import annotations

import shutil
from pathlib import Path

from modtool.ingest import import_path
from modtool.models import ModelInfo, ScoreRow
from modtool.policy import Policy, load_policy
from modtool.policy.suggest import suggest
from modtool.store import Store, open_store
from modtool.tui.app import ModtoolApp, create_app

REPO = Path(__file__).resolve().parent.parent
SAMPLE = REPO / "threads" / "sample-thread-korea-talks-collapse.txt"
MODEL = ModelInfo(
    id="detoxify/original@test0001",
    scorer="detoxify",
    name="original",
    attributes=("toxicity", "insult", "identity_attack", "threat", "obscene"),
)
SIZE = (120, 40)
"""Terminal size for Pilot tests."""

# Known headline (toxicity) scores for a few sample comments; the rest get a low
# score derived from the id, so sorting and thresholds have known answers.
HOT = {4: 0.93, 13: 0.81, 9: 0.64, 22: 0.55}


def policy() -> Policy:
    return load_policy("news-comments")


def toxicity(comment_id: int) -> float:
    return HOT.get(comment_id, round(0.01 * (comment_id % 7), 2))


def score_sample(store: Store) -> None:
    """Give every sample comment deterministic scores from one (fake-id) Detoxify model."""
    store.scores.register_model(MODEL)
    rows = []
    for comment in store.comments.iter_thread(1):
        value = toxicity(comment.id)
        rows.append(
            ScoreRow(
                comment.id,
                MODEL.id,
                {
                    "toxicity": value,
                    "insult": value * 0.9,
                    "identity_attack": 0.01,
                    "threat": 0.02,
                    "obscene": 0.03,
                },
                comment.content_hash,
            )
        )
    store.scores.save(rows)


def build_sample(path: Path, *, scored: bool = True) -> Path:
    """The sample thread imported (thread 1, comments 1..27), scored, with suggestions."""
    with open_store(path) as store:
        import_path(store, SAMPLE)
        if scored:
            score_sample(store)
        suggest(store, policy(), 1)
    return path


def copy_db(source: Path, target: Path) -> Path:
    shutil.copyfile(source, target)
    return target


def make_app(
    db: Path, moderator: str = "ana", thread: int | None = 1, **options: object
) -> ModtoolApp:
    """The app as the CLI builds it, minus background scoring and polling (deterministic).

    ``thread`` opens that thread's view (``tui --thread``); ``None`` opens the site queue
    (``tui`` without FILE or ``--thread``)."""
    options.setdefault("scorer", None)
    options.setdefault("poll_seconds", 0)
    return create_app(db, thread, policy(), moderator, **options)


def write_thread(path: Path, comments: list[tuple[str, str]], title: str = "A test thread") -> Path:
    """A plain-text thread of top-level comments ``(author, body)``."""
    lines = [title, "", "An article.", ""]
    for number, (author, body) in enumerate(comments, 1):
        lines += [f"  {number}. {author} says", ""]
        lines += [f"    {line}" if line else "" for line in body.split("\n")]
        lines.append("")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def screen_lines(app: ModtoolApp) -> list[str]:
    """The screen as the terminal shows it now, one string per row (what the user reads)."""
    return [strip.text for strip in app.screen._compositor.render_strips()]
