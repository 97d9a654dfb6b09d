"""Authors across the site: who a name is, and everything they wrote.

A commenter is matched by platform and account where the platform has accounts
and the export carries them, else by name within a platform:

* ``reddit``, ``hackernews``, ``discourse``, ``convokit``: the author field *is*
  the account (user name, speaker id): matched by account.
* ``disqus``: a registered commenter by their ``username`` (kept in ``meta``;
  the display name can change and two people can share one); a guest by name.
* anything else (``wordpress``: the WXR export names guests and users alike by
  display name; ``text``: a plain-text thread has only names): by name within
  the platform.

A name never matches across platforms: ``ana`` on Reddit and ``ana`` on a
WordPress site are two authors.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlite_utils

ACCOUNT_IS_NAME = frozenset({"reddit", "hackernews", "discourse", "convokit"})
"""Platforms whose author field is the account itself."""
ACCOUNT_FIELD = "username"
"""The ``meta`` key holding the account where it differs from the name (Disqus)."""
_ACCOUNT_SQL = "(CASE WHEN json_valid({c}.meta) THEN json_extract({c}.meta, '$.username') END)"
"""The expression index ``comments_account`` (m005) is on exactly this."""


@dataclass(frozen=True, slots=True)
class AuthorRef:
    """One commenter: ``value`` is an account (``by_account``) or a name, on ``platform``."""

    platform: str
    value: str
    by_account: bool
    in_meta: bool = False
    """The account is ``meta.username`` (Disqus), not the author field."""

    def describe(self) -> str:
        if self.in_meta:
            return f"{self.platform} account {self.value!r} (matched by its username)"
        if self.by_account:
            return f"{self.platform} account {self.value!r} (the name is the account there)"
        return f"{self.value!r} on {self.platform} (matched by name: no account ids there)"

    def sql(self, alias: str) -> tuple[str, dict[str, Any]]:
        """A WHERE clause for this author's comments (alias of ``comments``)."""
        column = _ACCOUNT_SQL.format(c=alias) if self.in_meta else f"{alias}.author"
        # Checked per comment (a primary-key lookup): the author's few comments come
        # from the author index, and a list of every thread of a platform (50,000)
        # would be built for each query.
        platform = (
            f"EXISTS (SELECT 1 FROM threads pt WHERE pt.id = {alias}.thread_id "
            "AND pt.platform = :a_platform)"
        )
        return f"({column} = :a_value AND {platform})", {
            "a_value": self.value,
            "a_platform": self.platform,
        }


def author_of(comment: Any, platform: str) -> AuthorRef:
    """Who wrote ``comment`` (a :class:`~modtool.models.Comment` of a thread on
    ``platform``), by the rule of this module."""
    if platform in ACCOUNT_IS_NAME:
        return AuthorRef(platform, comment.author, True)
    account = (comment.meta or {}).get(ACCOUNT_FIELD) if isinstance(comment.meta, dict) else None
    if isinstance(account, str) and account:
        return AuthorRef(platform, account, True, in_meta=True)
    return AuthorRef(platform, comment.author, False)


@dataclass(frozen=True, slots=True)
class AuthorMatch:
    """A commenter a name was found for, and how many present comments they have."""

    ref: AuthorRef
    comments: int
    names: tuple[str, ...]
    """Display names seen (several for an account whose name changed)."""


class AuthorRepo:
    def __init__(self, db: sqlite_utils.Database) -> None:
        self.db = db

    def find(self, name: str, platform: str | None = None) -> list[AuthorMatch]:
        """Commenters called ``name`` (a display name, or a Disqus username), by
        platform; most comments first."""
        refs: set[AuthorRef] = set()
        for found_platform, account in self.db.execute(
            f"""SELECT DISTINCT t.platform, {_ACCOUNT_SQL.format(c="c")}
                FROM comments c JOIN threads t ON t.id = c.thread_id
                WHERE c.author = ? AND c.present = 1""",
            [name],
        ):
            if found_platform in ACCOUNT_IS_NAME:
                refs.add(AuthorRef(found_platform, name, True))
            elif account:
                refs.add(AuthorRef(found_platform, str(account), True, in_meta=True))
            else:
                refs.add(AuthorRef(found_platform, name, False))
        for (found_platform,) in self.db.execute(
            f"""SELECT DISTINCT t.platform FROM comments c JOIN threads t ON t.id = c.thread_id
                WHERE {_ACCOUNT_SQL.format(c="c")} = ? AND c.present = 1""",
            [name],
        ):
            refs.add(AuthorRef(found_platform, name, True, in_meta=True))
        if platform is not None:
            refs = {ref for ref in refs if ref.platform == platform}
        matches = [self._match(ref) for ref in refs]
        return sorted(matches, key=lambda m: (-m.comments, m.ref.platform, m.ref.value))

    def _match(self, ref: AuthorRef) -> AuthorMatch:
        where, params = ref.sql("c")
        names = [
            author
            for (author,) in self.db.execute(
                f"SELECT DISTINCT author FROM comments c WHERE c.present = 1 AND {where}",
                params,
            )
        ]
        count = self.db.execute(
            f"SELECT COUNT(*) FROM comments c WHERE c.present = 1 AND {where}", params
        ).fetchone()[0]
        return AuthorMatch(ref, int(count), tuple(sorted(names)))

    def label_counts(self, ref: AuthorRef, policy_name: str) -> tuple[int, dict[str, int]]:
        """``(comments labelled by anyone, {label: comments with it})`` under a policy."""
        where, params = ref.sql("c")
        params["policy"] = policy_name
        labelled = self.db.execute(
            f"""SELECT COUNT(DISTINCT l.comment_id) FROM labels l JOIN comments c
                ON c.id = l.comment_id WHERE l.policy_name = :policy AND c.present = 1
                AND {where}""",
            params,
        ).fetchone()[0]
        by_label = {
            label: int(count)
            for label, count in self.db.execute(
                f"""SELECT l.label, COUNT(DISTINCT l.comment_id) FROM labels l JOIN comments c
                    ON c.id = l.comment_id WHERE l.policy_name = :policy AND c.present = 1
                    AND {where} GROUP BY l.label ORDER BY 2 DESC, 1""",
                params,
            )
        }
        return int(labelled), by_label
