"""Decisions applied on a platform, and the platform ids they address.

``platform_actions`` is the audit of ``modtool decisions --apply``: one row per
request a decision caused on a site, with the platform's answer (HTTP status,
the status before and after, the error it gave). Append-only like ``actions``
(triggers refuse UPDATE and DELETE); every row is committed on its own, at once,
right after the platform answered.

:meth:`PlatformRepo.id_holders` answers the question a site-wide id raises: which
stored comments could a platform id name? A WordPress comment id is unique in its
site, not in its post, and ``0007`` would be read as ``7`` by anything that
takes it for a number, so the lookup is by the number the text spells.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import sqlite_utils

from modtool.store.common import dumps, loads, utc_now, write_transaction

OUTCOMES = ("applied", "unchanged", "failed")


@dataclass(frozen=True, slots=True)
class PlatformAction:
    """One row of ``platform_actions`` (see docs/schema.md)."""

    id: int
    at: str
    actor: str
    comment_id: int
    platform: str
    site: str
    external_id: str
    decision: str
    requested: str
    decided_at: str
    content_hash: str
    policy_name: str
    policy_hashes: tuple[str, ...]
    outcome: str
    http_status: int | None
    status_before: str | None
    status_after: str | None
    answer: str | None


@dataclass(frozen=True, slots=True)
class IdHolder:
    """A stored comment whose platform id spells ``key`` (digits, no leading zeros)."""

    key: str
    comment_id: int
    external_id: str
    thread_id: int
    thread_url: str | None


_COLUMNS = (
    "id, at, actor, comment_id, platform, site, external_id, decision, requested, decided_at, "
    "content_hash, policy_name, policy_hashes, outcome, http_status, status_before, "
    "status_after, answer"
)
_INSERT_COLUMNS = _COLUMNS.removeprefix("id, ")
MAX_ID_TEXT = 40
"""Longer external ids are never a platform's number (a WordPress id has at most 19 digits)."""


class PlatformRepo:
    def __init__(self, db: sqlite_utils.Database) -> None:
        self.db = db

    # -- ids ---------------------------------------------------------------------
    def id_holders(self, platform: str, keys: Iterable[str]) -> list[IdHolder]:
        """Comments of ``platform`` threads whose id, trimmed and without leading
        zeros, is one of ``keys`` (each a string of digits not starting with 0).

        Absent comments count too: the platform may still have them.
        """
        wanted = sorted(set(keys))
        if not wanted:
            return []
        rows = self.db.execute(
            f"""SELECT k, id, external_id, thread_id, url FROM (
                    SELECT ltrim(trim(c.external_id), '0') AS k, c.id, c.external_id,
                           c.thread_id, t.url
                    FROM comments c JOIN threads t ON t.id = c.thread_id
                    WHERE t.platform = ? AND c.external_id IS NOT NULL
                      AND length(c.external_id) <= {MAX_ID_TEXT})
                WHERE k IN (SELECT value FROM json_each(?))
                ORDER BY k, id""",
            [platform, dumps(wanted)],
        ).fetchall()
        return [IdHolder(*row) for row in rows]

    # -- the audit of applied decisions -------------------------------------------
    def record(
        self,
        *,
        actor: str,
        comment_id: int,
        platform: str,
        site: str,
        external_id: str,
        decision: str,
        requested: str,
        decided_at: str,
        content_hash: str,
        policy_name: str,
        policy_hashes: Iterable[str],
        outcome: str,
        http_status: int | None,
        status_before: str | None,
        status_after: str | None,
        answer: str | None = None,
    ) -> PlatformAction:
        """Append one row and commit it."""
        if outcome not in OUTCOMES:
            raise ValueError(f"outcome {outcome!r} is not one of {OUTCOMES}")
        now = utc_now()
        hashes = tuple(policy_hashes)
        values = [
            now,
            actor,
            comment_id,
            platform,
            site,
            external_id,
            decision,
            requested,
            decided_at,
            content_hash,
            policy_name,
            dumps(list(hashes)),
            outcome,
            http_status,
            status_before,
            status_after,
            answer,
        ]
        with write_transaction(self.db):
            cursor = self.db.execute(
                f"INSERT INTO platform_actions ({_INSERT_COLUMNS}) "
                f"VALUES ({', '.join('?' * len(values))})",
                values,
            )
        return _action((int(cursor.lastrowid), *values[:11], hashes, *values[12:]))

    def done(
        self, comment_id: int, site: str, decided_at: str, requested: str
    ) -> PlatformAction | None:
        """The latest row that put this decision in effect on ``site`` (applied or
        found already so), or ``None``: then it has not been carried out there."""
        row = self.db.execute(
            f"""SELECT {_COLUMNS} FROM platform_actions
                WHERE comment_id = ? AND site = ? AND decided_at = ? AND requested = ?
                  AND outcome IN ('applied', 'unchanged')
                ORDER BY id DESC LIMIT 1""",
            [comment_id, site, decided_at, requested],
        ).fetchone()
        return None if row is None else _row(row)

    def log(
        self, *, comment_id: int | None = None, site: str | None = None
    ) -> list[PlatformAction]:
        """Rows oldest first, optionally of one comment and/or one site."""
        clauses, params = [], []
        if comment_id is not None:
            clauses.append("comment_id = ?")
            params.append(comment_id)
        if site is not None:
            clauses.append("site = ?")
            params.append(site)
        where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
        rows = self.db.execute(
            f"SELECT {_COLUMNS} FROM platform_actions {where} ORDER BY id", params
        ).fetchall()
        return [_row(row) for row in rows]


def _row(row: tuple) -> PlatformAction:
    values = list(row)
    values[12] = tuple(loads(values[12]) or ())
    return _action(tuple(values))


def _action(values: tuple) -> PlatformAction:
    return PlatformAction(*values)
