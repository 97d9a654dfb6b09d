"""Two moderators' labels (and real profanity-check scores) on the sample thread.

Shared by the export and analysis tests. Comment ids are the sample thread's
(1..27, document order). Under policy ``news-comments``:

======  =================================  ==================================
comment alice                              bob
======  =================================  ==================================
1       approved                           -
4       insult (hash aaaa)                 insult (hash bbbb)
8       approved                           approved
9       insult (hash aaaa)                 approved
16      -                                  insult (hash bbbb)
17      insult (hash aaaa)                 insult, off_topic (hash bbbb)
======  =================================  ==================================

and alice labels comment 4 ``toxic`` under a second policy ``jigsaw-test``.
"""

from __future__ import annotations

from modtool.models import PolicyRef
from modtool.store import Store

POLICY = "news-comments"
KEYS = frozenset({"insult", "off_topic", "spam"})
ALICE = PolicyRef(name=POLICY, hash="aaaa", labels=KEYS)
BOB = PolicyRef(name=POLICY, hash="bbbb", labels=KEYS)
OTHER = PolicyRef(name="jigsaw-test", hash="cccc", labels=frozenset({"toxic"}))
PROFANITY_MODEL_PREFIX = "profanity-check@"


def label_sample(store: Store, *, second_policy: bool = True) -> None:
    labels = store.labels
    labels.approve(1, moderator="alice", policy=ALICE)
    labels.add(4, "insult", moderator="alice", policy=ALICE)
    labels.add(4, "insult", moderator="bob", policy=BOB)
    labels.approve(8, moderator="alice", policy=ALICE)
    labels.approve(8, moderator="bob", policy=BOB)
    labels.add(9, "insult", moderator="alice", policy=ALICE)
    labels.approve(9, moderator="bob", policy=BOB)
    labels.add(16, "insult", moderator="bob", policy=BOB)
    labels.add(17, "insult", moderator="alice", policy=ALICE)
    labels.add(17, "insult", moderator="bob", policy=BOB)
    labels.add(17, "off_topic", moderator="bob", policy=BOB)
    if second_policy:
        labels.add(4, "toxic", moderator="alice", policy=OTHER)


def score_sample(store: Store) -> str:
    """Score the sample thread with profanity-check; return the model id."""
    from modtool.scoring import make_scorer, score_store

    scorer = make_scorer("profanity-check")
    score_store(store, scorer, thread_id=1)
    return scorer.model.id
