"""``modtool tui``: the moderator's terminal UI."""

from __future__ import annotations

import os
import sys
from contextlib import ExitStack
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

import click
from click.core import ParameterSource

from modtool.cli import output
from modtool.cli.options import db_option, store_for, thread_option
from modtool.errors import InputError, ModtoolError
from modtool.moderator import resolve_moderator

SCORER_CHOICES = ("auto", "detoxify", "offline", "profanity-check", "site", "none")
SAMPLE = "sample-thread-korea-talks-collapse.txt"
"""The sample thread shipped inside the package (``modtool/threads`` is a symlink to
the top-level ``threads/``; package data installs it as ``modtool/threads/…``)."""


def packaged_sample() -> Traversable:
    """The installed sample thread (works after a plain ``pip install``)."""
    return resources.files("modtool").joinpath("threads", SAMPLE)


def sample_database() -> Path:
    """Where ``tui --sample`` keeps its database when no ``--db`` is given: the
    per-user data folder (``$XDG_DATA_HOME/modtool/sample.db``, by default
    ``~/.local/share/modtool/sample.db``), not whatever folder the user stands in,
    so trying the sample leaves no ``modtool.db`` behind and reopens where you were."""
    base = os.environ.get("XDG_DATA_HOME", "").strip()
    folder = Path(base) if base and Path(base).is_absolute() else Path.home() / ".local" / "share"
    return folder / "modtool" / "sample.db"


@click.command("tui")
@click.argument(
    "file", required=False, type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@db_option
@click.option(
    "--policy",
    "policy_ref",
    metavar="NAME|PATH",
    default=None,
    help="Policy name or TOML file (default: news-comments).",
)
@click.option(
    "--moderator",
    "-m",
    envvar="MODTOOL_MODERATOR",
    show_envvar=True,
    default=None,
    help="Who is labeling (default: the OS user name).",
)
@thread_option
@click.option(
    "--scorer",
    type=click.Choice(SCORER_CHOICES),
    default="auto",
    show_default=True,
    help=(
        "Score unscored comments in the background with this scorer ('site': the newest"
        " model `modtool train` made; 'none': don't)."
    ),
)
@click.option(
    "--auto-advance/--no-auto-advance",
    default=False,
    show_default=True,
    help="After a label or approval, move to the next unreviewed comment.",
)
@click.option(
    "--sample",
    is_flag=True,
    help="Open the sample thread shipped with modtool (imported first, safe to repeat) in "
    "a database of its own: $XDG_DATA_HOME/modtool/sample.db unless --db says otherwise.",
)
@click.pass_context
def tui_command(
    ctx: click.Context,
    file: Path | None,
    db_path: Path,
    policy_ref: str | None,
    moderator: str | None,
    thread_ref: str | None,
    scorer: str,
    auto_advance: bool,
    sample: bool,
) -> None:
    """Moderate a site, or one thread of it, by keyboard in a terminal UI.

    Without FILE or --thread it opens on the site queue: every thread's
    comments, highest score first (T picks a thread, A shows an author's
    comments, v opens the selected comment's thread). With FILE, the document
    is imported first (safe to repeat) and its thread opened; --thread opens one
    thread. Unscored comments are scored in the background while you work;
    every label is saved the moment the screen shows it. Press ? in the UI for
    the keys and the policy's labels.

    \b
    Examples:
      modtool tui --sample
      modtool tui --db site.db -m ana
      modtool tui threads/sample-thread-korea-talks-collapse.txt
      modtool tui --db site.db --thread 12 --policy policies/news-comments.toml
    """
    from modtool.policy import DEFAULT_POLICY, load_policy

    if sample and (file is not None or thread_ref is not None):
        raise InputError("--sample opens the sample thread: give it without FILE or --thread")
    own_database = sample and ctx.get_parameter_source("db_path") == ParameterSource.DEFAULT
    if own_database:
        db_path = sample_database()
    with ExitStack() as stack:
        if sample:
            file = stack.enter_context(resources.as_file(packaged_sample()))
            if not file.is_file():
                raise InputError(f"the sample thread is not installed ({SAMPLE})")
        _run(
            file,
            db_path,
            load_policy(policy_ref or DEFAULT_POLICY),
            moderator,
            thread_ref,
            scorer,
            auto_advance,
            own_database=own_database,
        )


def _run(
    file: Path | None,
    db_path: Path,
    policy: Any,
    moderator: str | None,
    thread_ref: str | None,
    scorer: str,
    auto_advance: bool,
    *,
    own_database: bool = False,
) -> None:
    moderator = resolve_moderator(moderator)  # the one default and check, before anything opens
    if file is None:
        # Only `tui FILE` may create a database: a mistyped --db must not leave one behind.
        with store_for(db_path, create=False) as store:
            store.threads.resolve(thread_ref)  # fail here, in one line, not inside the UI
    elif db_path.exists():
        store_for(db_path).close()  # a database that cannot be used fails here, in one line
    not_a_terminal = _not_a_terminal()
    if not_a_terminal:
        # Textual would draw into the pipe and wait for keys forever; say so before
        # anything is created (the import of FILE happens inside the app).
        raise ModtoolError(f"tui needs a terminal ({not_a_terminal} is not a TTY)")
    if own_database:
        try:
            db_path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        except OSError as exc:
            raise ModtoolError(
                f"{db_path.parent}: cannot make the sample's folder ({exc.strerror or exc}); "
                "give --db PATH"
            ) from None
        output.note(
            f"the sample thread opens in {db_path}, a database of its own kept between runs "
            "(not ./modtool.db); --db PATH puts it elsewhere"
        )

    from modtool.tui.app import create_app

    app = create_app(
        db_path,
        thread_ref,
        policy,
        moderator,
        import_file=file,
        scorer=None if scorer == "none" else scorer,
        auto_advance=auto_advance,
    )
    app.run()
    if app.error:
        raise ModtoolError(app.error)
    if app.return_code:
        # Textual printed the traceback of a crash; the exit status must say so too.
        raise SystemExit(app.return_code)


def _not_a_terminal() -> str | None:
    """The first of stdout, stdin, stderr that is not a terminal (Textual reads keys
    from stdin and draws on stderr), or ``None``."""
    for name, stream in (
        ("stdout", sys.stdout),
        ("stdin", sys.stdin),
        ("stderr", sys.__stderr__),
    ):
        try:
            if stream is None or not stream.isatty():
                return name
        except (AttributeError, ValueError):  # replaced or closed streams
            return name
    return None


COMMANDS = [tui_command]
