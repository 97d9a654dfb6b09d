"""Shared by the ``modtool fetch`` tests: recorded answers (``tests/fixtures/fetch``,
credited in its README) served by :mod:`tests.replay_server` on 127.0.0.1, a fake
clock (no test really waits), and one fetch-then-import run."""

from __future__ import annotations

import gzip
import json
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from modtool.fetch import runner
from modtool.platforms.http import Limits
from modtool.store import open_store
from tests.replay_server import Reply

FIXTURES = Path(__file__).parent / "fixtures"
FETCH = FIXTURES / "fetch"
QUICK = Limits(read_timeout=0.3, connect_timeout=0.5, attempts=3, backoff=1.0, max_pause=120)
JSON = {"Content-Type": "application/json; charset=UTF-8"}


def text(path: Path) -> str:
    """A fixture's text (``.gz`` unpacked)."""
    data = path.read_bytes()
    return (gzip.decompress(data) if path.suffix == ".gz" else data).decode("utf-8")


def served(path: Path, status: int = 200, **headers: str) -> Reply:
    """A fixture file served as the body of a JSON answer."""
    return Reply(status, {**JSON, **headers}, text(path))


def payload(value: Any, status: int = 200, **headers: str) -> Reply:
    return Reply(status, {**JSON, **headers}, json.dumps(value))


def recorded_wordpress(name: str) -> Reply:
    """A real WordPress 6.1 answer (``fixtures/fetch/wordpress``, see its README)."""
    data = json.loads((FETCH / "wordpress" / f"{name}.json").read_text())
    return Reply(data["status"], dict(data["headers"]), data["body"])


@dataclass
class Clock:
    """A monotonic clock that moves only when something sleeps."""

    now: float = 1000.0
    slept: list[float] = field(default_factory=list)

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(round(seconds, 3))
        self.now += seconds


@dataclass
class Run:
    outcome: runner.Outcome
    said: list[str]
    clock: Clock
    db: Path


def fetch_and_import(
    url: str,
    tmp_path: Path,
    *,
    format: str | None = None,
    budget: int = 1000,
    refresh: bool = False,
    limits: Limits = QUICK,
    clock: Clock | None = None,
) -> Run:
    """One ``modtool fetch`` through the library: fetch into ``tmp_path/cache``, import
    into ``tmp_path/m.db``."""
    clock = clock or Clock()
    said: list[str] = []
    outcome = runner.fetch(
        url,
        cache_root=tmp_path / "cache",
        format=format,
        budget=budget,
        refresh=refresh,
        limits=limits,
        clock=clock,
        sleep=clock.sleep,
        say=said.append,
    )
    db = tmp_path / "m.db"
    store = open_store(db)
    try:
        runner.import_fetched(store, outcome)
    finally:
        store.close()
    return Run(outcome, said, clock, db)


def comments(db: Path) -> dict[str, tuple[str | None, str, str, bool]]:
    """``comment external id → (parent external id, author, status, orphan)``."""
    with sqlite3.connect(db) as conn:
        rows = conn.execute(
            "SELECT c.external_id, p.external_id, c.author, c.status, c.orphan FROM comments c "
            "LEFT JOIN comments p ON p.id = c.parent_id WHERE c.present = 1"
        ).fetchall()
    return {row[0]: (row[1], row[2], row[3], bool(row[4])) for row in rows}


def threads(db: Path) -> list[tuple[str, str, str, int, str]]:
    """``(platform, external id, title, missing, source)`` of every thread."""
    with sqlite3.connect(db) as conn:
        return conn.execute(
            "SELECT platform, external_id, title, missing, source FROM threads ORDER BY id"
        ).fetchall()
