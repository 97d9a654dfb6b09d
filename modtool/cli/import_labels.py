"""``modtool import-labels``: annotations made in Label Studio, Argilla or Prodigy
come back as labels by their annotators."""

from __future__ import annotations

from pathlib import Path

import click

from modtool.cli import output as out
from modtool.cli.options import db_option, store_for
from modtool.errors import InputError

TOOLS = ("label-studio", "argilla", "prodigy")  # modtool.label_ingest.TOOLS (not imported: light)


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
    from modtool.label_ingest import import_labels
    from modtool.policy import load_policy

    if not file.exists():
        raise InputError(f"{file}: no such file")
    policy = load_policy(policy_ref)
    store = store_for(db_path)
    done = import_labels(store, file, tool, policy)
    out.echo(
        f"imported {done.rows} verdict(s) by {done.annotators} annotator(s) from {file.name}: "
        f"{done.changed} changed, {done.rows - done.changed} unchanged (policy {policy.name})"
    )


COMMANDS = [import_labels_command]
