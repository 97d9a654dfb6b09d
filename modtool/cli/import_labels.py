"""``modtool import-labels``: annotations made in Label Studio, Argilla or Prodigy
come back as labels by their annotators."""

from __future__ import annotations

import re
from pathlib import Path

import click

from modtool.cli import output as out
from modtool.cli.options import db_option, store_for
from modtool.errors import InputError

TOOLS = ("label-studio", "argilla", "prodigy")
# no "@": an e-mail address is never a moderator name (modtool stores none)
SAFE_USER = re.compile(r"^[A-Za-z0-9_.+\-]{1,120}$")


@click.command("import-labels")
@click.argument("file", type=click.Path(path_type=Path))
@click.option(
    "--from",
    "tool",
    type=click.Choice(TOOLS),
    required=True,
    help="The tool the file comes from (its own export format).",
)
@click.option(
    "--policy",
    "policy_ref",
    metavar="NAME",
    required=True,
    help="The policy the labels belong to (a file or shipped name); labels not in it are refused.",
)
@db_option
def import_labels_command(file: Path, tool: str, policy_ref: str, db_path: Path) -> None:
    """Bring labels made in an annotation tool back as moderators' labels.

    Each annotator's verdict on a comment becomes the labels of the moderator
    `label-studio:<user id>`, `argilla:<user id>` or `prodigy:<annotator id>`,
    through the labels store and the audit log (action `import`). The whole file
    is one transaction: any bad record (a label not in the policy, a comment not
    in this database) leaves the database unchanged. Running it twice changes
    nothing. Annotators are stored by the tool's user id, never an e-mail
    address (one known only by an address is refused).

    \b
    Examples:
      modtool export --format label-studio -o tasks.json --policy news-comments
      modtool import-labels export.json --from label-studio --policy news-comments
      modtool import-labels records.json --from argilla --policy news-comments
      modtool import-labels answers.jsonl --from prodigy --policy news-comments
    """
    from modtool.annotations.argilla import read_argilla
    from modtool.annotations.label_studio import read_label_studio
    from modtool.annotations.prodigy import read_prodigy
    from modtool.export.ids import comment_global_id, thread_global_id
    from modtool.models import ReviewState
    from modtool.policy import load_policy
    from modtool.policy.suggest import register
    from modtool.store.labels import set_verdicts

    if not file.exists():
        raise InputError(f"{file}: no such file")
    policy = load_policy(policy_ref)
    approve = policy.approve_label.key if policy.approve_label is not None else "approve"
    reader = {"label-studio": read_label_studio, "argilla": read_argilla, "prodigy": read_prodigy}
    rows = list(reader[tool](file, approve))
    known = policy.ref.labels
    for row in rows:
        for label in row.labels:
            if label not in known:
                raise InputError(
                    f"{file}: record {row.record}: label {label!r} is not in policy "
                    f"{policy.name!r} (labels: {', '.join(sorted(known))})"
                )
        user = row.user.partition(":")[2]
        if "@" in user:
            raise InputError(
                f"{file}: record {row.record}: the annotator id is an e-mail address, and "
                "modtool stores none: use the tool's user or session ids"
            )
        if not SAFE_USER.match(user):
            raise InputError(
                f"{file}: record {row.record}: annotator id {user[:40]!r} is not a plain id "
                "(letters, digits and _ . + - only; never an e-mail address)"
            )
    store = store_for(db_path)
    identities = store.dataset.identities(sorted({row.comment_id for row in rows}))
    for row in rows:
        found = identities.get(row.comment_id)
        if found is None:
            raise InputError(
                f"{file}: record {row.record}: no comment #{row.comment_id} in this database"
            )
        thread = thread_global_id(
            str(found["platform"]),
            found["thread_external_id"],  # type: ignore[arg-type]
            str(found["source"]),
            str(found["article_hash"]),
        )
        here = comment_global_id(thread, found["external_id"], str(found["path"]))  # type: ignore[arg-type]
        if row.global_id is not None and row.global_id != here:
            raise InputError(
                f"{file}: record {row.record}: comment #{row.comment_id} here is {here}, "
                f"not {row.global_id}: the file was exported from another database"
            )
    verdicts = [
        (
            row.comment_id,
            row.user,
            ReviewState(frozenset(row.labels), "labeled" if row.labels else "approved"),
        )
        for row in rows
    ]
    register(store, policy)
    actions = set_verdicts(
        store.labels, verdicts, policy=policy.ref, note=f"import-labels {file.name} ({tool})"
    )
    users = sorted({row.user for row in rows})
    out.echo(
        f"imported {len(rows)} verdict(s) by {len(users)} annotator(s) from {file.name}: "
        f"{len(actions)} changed, {len(rows) - len(actions)} unchanged (policy {policy.name})"
    )


COMMANDS = [import_labels_command]
