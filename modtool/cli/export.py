"""``modtool export``, ``modtool stats``, ``modtool agreement``, ``modtool calibrate``."""

from __future__ import annotations

import json
from pathlib import Path

import click
from rich.text import Text

from modtool.cli import output as out
from modtool.cli import tables
from modtool.cli.options import db_option, store_for, table_options, thread_ids, threads_option
from modtool.errors import InputError
from modtool.safe_text import terminal_safe

policy_option = click.option(
    "--policy",
    "policy_ref",
    metavar="NAME",
    help="Whose labels: a policy file, a shipped policy name, or the name labels were "
    "stored under (default: the only policy with labels).",
)


@click.command("export")
@click.option(
    "--format",
    "format_name",
    metavar="FORMAT",
    help="jsonl, csv, parquet, convokit; annotations, annotations-csv (one row per "
    "moderator's label), jigsaw (Detoxify training CSV); label-studio, argilla, prodigy; "
    "datasette-metadata (default: from the output's extension).",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path),
    required=True,
    help="File to write (a folder for convokit or --split).",
)
@threads_option
@click.option(
    "--labeled-only",
    is_flag=True,
    help="Only comments at least one moderator reviewed (labeled or approved).",
)
@click.option(
    "--unreviewed",
    "unreviewed_only",
    is_flag=True,
    help="Only comments no moderator reviewed yet under the policy (what is left to do).",
)
@policy_option
@click.option(
    "--split",
    "split_spec",
    metavar="NAME=SHARE,…",
    help="Split by thread into parts, e.g. train=0.8,test=0.2 (OUTPUT is a folder).",
)
@click.option(
    "--seed",
    type=int,
    default=0,
    show_default=True,
    help="Seed for --split: the same seed gives the same split.",
)
@click.option("--force", is_flag=True, help="Replace an existing non-empty output folder.")
@click.option(
    "--pseudonymize",
    is_flag=True,
    help="Replace moderators' names by pseudonymous ids (moderator-1a2b3c4d) in the "
    "data and the card.",
)
@click.option(
    "--no-card",
    is_flag=True,
    help="Do not write the dataset card (README.md, or NAME.EXT.card.md beside a file).",
)
@click.option(
    "--prediction",
    metavar="policy|MODERATOR",
    default="policy",
    show_default=True,
    help="label-studio: the tasks' predictions (the pre-annotation annotators see): the "
    "policy's suggestions, or one moderator's verdicts.",
)
@db_option
def export_command(
    format_name: str | None,
    output: Path,
    thread_refs: tuple[str, ...],
    labeled_only: bool,
    unreviewed_only: bool,
    policy_ref: str | None,
    split_spec: str | None,
    seed: int,
    force: bool,
    pseudonymize: bool,
    no_card: bool,
    prediction: str,
    db_path: Path,
) -> None:
    """Export comments with scores and moderators' labels as a dataset.

    One record per comment with the text it replies to, every score, the
    majority labels (ties marked) and each moderator's labels. Written to a
    temporary file and renamed, so OUTPUT is never half-written; `-o -` writes
    to standard output. A dataset card (README.md in a folder, NAME.EXT.card.md
    beside a file) says what is in it and types every column for `datasets`.

    \b
    Examples:
      modtool export --format jsonl -o labeled.jsonl --labeled-only
      modtool export -o labeled.csv --policy news-comments
      modtool export --format convokit -o corpus_dir/
      modtool export --format jsonl --split train=0.8,test=0.2 --seed 7 -o out_dir/
      modtool export --format label-studio -o tasks.json --prediction alice
    """
    from modtool.analysis.policy_choice import PolicyChoice, choose_policy
    from modtool.export import Selection, export, format_for, parse_split

    if labeled_only and unreviewed_only:
        raise InputError("--labeled-only and --unreviewed exclude each other: choose one")
    if split_spec is not None and format_name is None:
        raise InputError("--split writes a folder: give --format (jsonl, csv, parquet, convokit)")
    fmt = format_for(format_name, output)
    parts = parse_split(split_spec) if split_spec is not None else None
    store = store_for(db_path)
    if fmt == "datasette-metadata":  # describes the database: no labels chosen
        choice = PolicyChoice(None, ())
    else:
        choice = choose_policy(store, policy_ref)
    if choice.name is not None and choice.name not in store.dataset.policy_names():
        out.warning(
            f"no labels under policy {choice.name} yet: the export has scores but no labels"
        )
    selection = Selection(
        thread_ids=thread_ids(store, thread_refs),
        labeled_only=labeled_only,
        unreviewed_only=unreviewed_only,
        policy=choice.name,
    )
    result = export(
        store,
        fmt=fmt,
        output=output,
        selection=selection,
        label_keys=choice.label_keys,
        split=parts,
        seed=seed,
        force=force,
        policy_def=choice.policy,
        pseudonymize=pseudonymize,
        command=_command_line(),
        card=not no_card,
        prediction=prediction,
    )
    for warning in result.warnings:
        out.warning(warning)
    policy = f" under policy {choice.name}" if choice.name else " (no labels)"
    to_stdout = str(output) == "-"  # the data is on stdout: the summary goes to stderr
    where = "standard output" if to_stdout else str(output)
    if not result.unit:
        out.echo(f"wrote {fmt} to {where}", err=to_stdout)
    else:
        out.echo(
            f"exported {result.comments} {result.unit} from {result.threads} thread(s)"
            f"{policy} as {fmt} to {where}",
            err=to_stdout,
        )
    for extra in [*result.extra, *([result.card] if result.card else [])]:
        out.echo(f"  and {extra}", err=to_stdout)
    for name, part in result.parts.items():
        out.echo(f"  {name}: {part['comments']} comments, {part['threads']} thread(s)")
    if fmt == "jigsaw" and not to_stdout:
        from modtool.export.jigsaw import detoxify_config

        written = [name for name, part in result.parts.items() if part["threads"]]
        config = detoxify_config(choice.label_keys, str(output), written)
        out.echo(f"  Detoxify's training config needs: {config}")


def cut_paths(word: str) -> str:
    """``/home/me/x.db`` → ``x.db``, ``--db=/a/x.db`` → ``--db=x.db``, ``-o/a/x`` → ``-ox``:
    an export's card records the command without any folder."""
    if "/" not in word:
        return word
    head = ""
    if word.startswith("--") and "=" in word:
        head, _, word = word.partition("=")
        head += "="
    elif word.startswith("-") and not word.startswith("--") and len(word) > 2:
        head, word = word[:2], word[2:]
    return head + (word.rstrip("/").rsplit("/", 1)[-1] or word)


def _command_line() -> str:
    """The command as typed, for the dataset card, with every path cut to its last
    part: an export holds no local absolute path."""
    import shlex
    import sys

    return shlex.join(["modtool", *(cut_paths(word) for word in sys.argv[1:])])


def _json(value: object) -> None:
    out.echo(json.dumps(value, ensure_ascii=False, indent=2, allow_nan=False))


@click.command("stats")
@threads_option
@policy_option
@table_options()
@click.option(
    "--min-replies",
    type=click.IntRange(2),
    default=3,
    show_default=True,
    help="Answers in a row that make an exchange heated.",
)
@click.option(
    "--no-depth-cap",
    is_flag=True,
    help="Take replies at the deepest level literally (see docs/export.md).",
)
@db_option
def stats_command(
    thread_refs: tuple[str, ...],
    policy_ref: str | None,
    wide: bool,
    as_json: bool,
    min_replies: int,
    no_depth_cap: bool,
    db_path: Path,
) -> None:
    """Discourse statistics: thread shape, toxicity by depth, authors, who replies to
    whom, heated exchanges and mentions of other commenters by name.

    \b
    Examples:
      modtool stats
      modtool stats --thread 1 --json > stats.json
    """
    from modtool.analysis.policy_choice import PolicyChoice, choose_policy
    from modtool.analysis.stats import pick_score, thread_stats
    from modtool.cli.analysis_views import stats_view
    from modtool.store.dataset import Selection

    store = store_for(db_path)
    try:
        choice = choose_policy(store, policy_ref)
    except InputError:
        if policy_ref is not None:
            raise
        out.note(
            "labels under several policies; labels received are left out (choose one with --policy)"
        )
        choice = PolicyChoice(None, ())
    selection = Selection(thread_ids=thread_ids(store, thread_refs), policy=choice.name)
    if not store.dataset.count(selection):
        raise InputError(
            "no comments to describe: run `modtool import FILE` first"
            if thread_refs == ()
            else "the selected threads have no comments"
        )
    score = pick_score(
        store.dataset.score_columns(selection), [model.id for model in store.scores.models()]
    )
    stats = thread_stats(
        store.dataset.iter_rows(selection),
        score=score,
        depth_cap=not no_depth_cap,
        min_replies=min_replies,
    )
    stats["policy"] = choice.name
    if as_json:
        _json(stats)
    else:
        tables.show(*stats_view(stats), wide=wide)


@click.command("agreement")
@policy_option
@threads_option
@click.option(
    "--moderators",
    metavar="A,B,…",
    help="Only these raters (two gives Cohen's kappa; more, Krippendorff's alpha).",
)
@click.option(
    "--include-imported",
    is_flag=True,
    help="Also count annotators whose labels came in with `import-labels` (label-studio:…, "
    "argilla:…, prodigy:…).",
)
@table_options()
@db_option
def agreement_command(
    policy_ref: str | None,
    thread_refs: tuple[str, ...],
    moderators: str | None,
    include_imported: bool,
    wide: bool,
    as_json: bool,
    db_path: Path,
) -> None:
    """Agreement between raters per label: Cohen's kappa for two, Krippendorff's
    alpha for more, with the number of comments each rests on.

    The raters are the moderators who reviewed under the policy. A policy's own
    automatic actions (policy:NAME) never count; annotators brought in with
    `import-labels` count with --include-imported (or when named in --moderators).
    The output names who was counted and who was not.

    \b
    Examples:
      modtool agreement
      modtool agreement --policy news-comments --moderators alice,bob
    """
    from dataclasses import asdict

    from modtool.analysis.agreement import agreement
    from modtool.analysis.policy_choice import choose_policy
    from modtool.cli.analysis_views import agreement_view
    from modtool.store.dataset import Selection

    store = store_for(db_path)
    choice = choose_policy(store, policy_ref)
    if choice.name is None:
        raise InputError(
            "no labels yet: moderators label comments in `modtool tui` or with `modtool label`"
        )
    known = store.dataset.moderators(choice.name)
    chosen, left_out = choose_raters(known, moderators, include_imported, choice.name)
    if len(chosen) < 2:
        aside = f" (not counted: {_left_out_text(left_out)})" if left_out else ""
        raise InputError(
            f"agreement needs two or more raters; under {choice.name}: "
            f"{', '.join(chosen) or 'none'}{aside}"
        )
    selection = Selection(
        thread_ids=thread_ids(store, thread_refs), labeled_only=True, policy=choice.name
    )
    report = agreement(store.dataset.iter_rows(selection), choice.name, choice.label_keys, chosen)
    if as_json:
        not_counted = [{"name": name, "why": why} for name, why in left_out.items()]
        _json(asdict(report) | {"not_counted": not_counted})
        return
    aside = None
    if left_out:
        aside = Text(terminal_safe(f"not counted: {_left_out_text(left_out)}"), style="dim")
    title, *rest = agreement_view(report)
    tables.show(title, aside, *rest, wide=wide)
    if not report.reviewed:
        out.note("no comment was reviewed by two of these raters")


WHY_NOT_COUNTED = {
    "policy": "a policy's automatic actions",
    "imported": "imported; --include-imported counts them",
    "moderator": "not in --moderators",
}


def choose_raters(
    known: list[str], named: str | None, include_imported: bool, policy: str
) -> tuple[list[str], dict[str, str]]:
    """``(raters, {name: why not counted})`` among those who reviewed under ``policy``."""
    from modtool.moderator import rater_kind

    kinds = {name: rater_kind(name) for name in known}
    if named:
        chosen = list(dict.fromkeys(m.strip() for m in named.split(",") if m.strip()))
        unknown = [m for m in chosen if m not in kinds]
        if unknown:
            raise InputError(
                f"--moderators: {', '.join(unknown)} reviewed nothing under "
                f"{policy} (raters: {', '.join(known) or 'none'})"
            )
        policies = [m for m in chosen if kinds[m] == "policy"]
        if policies:
            raise InputError(
                f"--moderators: {', '.join(policies)} is a policy's automatic actions, "
                "never a rater"
            )
    else:
        wanted = {"moderator", "imported"} if include_imported else {"moderator"}
        chosen = [name for name in known if kinds[name] in wanted]
    left_out = {name: WHY_NOT_COUNTED[kinds[name]] for name in known if name not in chosen}
    return sorted(chosen), left_out


def _left_out_text(left_out: dict[str, str]) -> str:
    by_reason: dict[str, list[str]] = {}
    for name, why in left_out.items():
        by_reason.setdefault(why, []).append(name)
    return "; ".join(f"{', '.join(names)} ({why})" for why, names in by_reason.items())


@click.command("calibrate")
@click.option(
    "--policy",
    "policy_ref",
    metavar="FILE_OR_NAME",
    required=True,
    help="The policy whose score rules to calibrate (a file or shipped name).",
)
@threads_option
@table_options()
@db_option
def calibrate_command(
    policy_ref: str, thread_refs: tuple[str, ...], wide: bool, as_json: bool, db_path: Path
) -> None:
    """How each score threshold of a policy agrees with the moderators' labels:
    precision, recall and F1 at the current threshold and at a sweep, best marked.

    \b
    Example:
      modtool calibrate --policy policies/news-comments.toml
    """
    from modtool.analysis.calibrate import calibrate, rules_without_data
    from modtool.analysis.policy_choice import choose_policy
    from modtool.cli.analysis_views import calibration_view
    from modtool.store.dataset import Selection

    store = store_for(db_path)
    choice = choose_policy(store, policy_ref, need_file=True)
    policy = choice.policy
    selection = Selection(
        thread_ids=thread_ids(store, thread_refs), labeled_only=True, policy=policy.name
    )
    if not store.dataset.count(selection):
        raise InputError(
            f"no comments reviewed under policy {policy.name} yet: "
            "label some in `modtool tui` or with `modtool label` first"
        )
    results = calibrate(store.dataset.iter_rows(selection), policy)
    untested = rules_without_data(policy, results)
    if as_json:
        _json(
            {
                "policy": policy.name,
                "hash": policy.hash,
                "calibrations": [c.as_json() for c in results],
                "untested_rules": untested,
            }
        )
    else:
        tables.show(*calibration_view(policy.name, results, untested), wide=wide)


COMMANDS = [export_command, stats_command, agreement_command, calibrate_command]
