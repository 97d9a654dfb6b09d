"""Fixtures shared by the whole suite: real SQLite files, the sample thread, the real CLI."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import settings

from modtool.ingest import import_path
from modtool.store import Store, open_store

REPO = Path(__file__).resolve().parent.parent
SAMPLE = REPO / "threads" / "sample-thread-korea-talks-collapse.txt"

# Property tests draw new examples on every developer run (that is how they find
# bugs); CI (.ci/run sets HYPOTHESIS_PROFILE=ci) draws the same ones every run, so
# a landing is never decided by a lucky draw. A failure prints how to replay it.
settings.register_profile("ci", derandomize=True, print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))


@pytest.fixture(autouse=True)
def _own_model_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch):
    """modtool's model cache (the converted offline model) is the test's own, so what a
    developer fetched never changes which scorer ``auto`` picks in a test."""
    monkeypatch.setenv("MODTOOL_CACHE", str(tmp_path_factory.mktemp("modtool-cache")))


@pytest.fixture
def sample_path() -> Path:
    return SAMPLE


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "modtool.db"


@pytest.fixture
def store(db_path: Path) -> Store:
    """A fresh, migrated database in a real file."""
    opened = open_store(db_path)
    yield opened
    opened.close()


@pytest.fixture
def sample_store(store: Store) -> Store:
    """The store with the sample thread imported (thread id 1, comments 1..27)."""
    import_path(store, SAMPLE)
    return store


CliResult = subprocess.CompletedProcess


@pytest.fixture
def run_cli(tmp_path: Path, db_path: Path) -> Callable[..., CliResult]:
    """Run the real ``modtool`` command in a subprocess against ``db_path``.

    ``run_cli("import", path)`` returns the CompletedProcess (text stdout/stderr).
    ``input=`` feeds stdin; ``env=`` adds variables; ``cwd`` defaults to tmp_path.
    """

    def run(
        *args: object,
        input: str | None = None,
        env: dict[str, str] | None = None,
        cwd: Path | None = None,
        db: bool = True,
    ) -> CliResult:
        full_env = {
            **os.environ,
            "MODTOOL_DB": str(db_path),
            "NO_COLOR": "1",
            "COLUMNS": "120",
            "HF_HUB_OFFLINE": "1",
        }
        if not db:
            full_env.pop("MODTOOL_DB")
        full_env.update(env or {})
        return subprocess.run(
            [sys.executable, "-m", "modtool", *map(str, args)],
            input=input,
            capture_output=True,
            text=True,
            env=full_env,
            cwd=cwd or tmp_path,
            timeout=300,
        )

    return run


pytest_plugins = ["tests.tiny_detoxify"]


@pytest.fixture(scope="session")
def ray_cluster(tmp_path_factory: pytest.TempPathFactory):
    """One local Ray cluster for the whole run (actor start-up dominates on 2 cores);
    yields its address. Scoring-at-scale tests only (tests/ray_support.py)."""
    pytest.importorskip("ray")
    from tests.ray_support import start_cluster

    yield from start_cluster(tmp_path_factory.mktemp("ray"))


@pytest.fixture(autouse=True)
def _fetch_tests_start_without_credentials(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The ``modtool fetch`` tests never read the developer's own platform credentials
    (environment or ``~/.config/modtool/credentials.toml``); a test sets what it needs."""
    if not request.module.__name__.rpartition(".")[2].startswith("test_fetch"):
        return
    for name in (
        "MODTOOL_WP_USER",
        "MODTOOL_WP_APP_PASSWORD",
        "MODTOOL_DISCOURSE_USER",
        "MODTOOL_DISCOURSE_API_KEY",
        "MODTOOL_MASTODON_USER",
        "MODTOOL_MASTODON_TOKEN",
        "MODTOOL_REDDIT_CLIENT_ID",
        "MODTOOL_REDDIT_CLIENT_SECRET",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("MODTOOL_CREDENTIALS", str(tmp_path / "no-credentials-file.toml"))
