"""Rich renderables for ``modtool stats``, ``agreement`` and ``calibrate``.

Author names and labels come from strangers or policy files: they go through
:func:`~modtool.safe_text.one_line` into :class:`rich.text.Text`, never markup.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rich.console import RenderableType
from rich.text import Text

from modtool.cli.tables import Column, Grid
from modtool.safe_text import one_line, terminal_safe

BAR = 16


def bar(value: float | None, top: float | None, width: int = BAR, style: str = "cyan") -> Text:
    """A small horizontal bar, ``value`` out of ``top``, in eighth-blocks."""
    if value is None or not top or top <= 0:
        return Text("")
    eighths = round(max(0.0, min(1.0, value / top)) * width * 8)
    full, rest = divmod(eighths, 8)
    return Text("█" * full + ("" if not rest else " ▏▎▍▌▋▊▉"[rest]), style=style)


def num(value: float | None, digits: int = 2) -> str:
    return "–" if value is None else f"{value:.{digits}f}"


def safe(text: object, width: int = 40) -> Text:
    return Text(one_line(str(text), width))


CHAIN_ENDS = 3
"""Comments shown at each end of a long chain (the middle is counted, not listed)."""
DEPTH_ROWS = 30
"""Depth levels listed in the depth table (a 5,000-deep chain has 5,000)."""
AUTHOR_ROWS = 20
"""Authors listed in the authors table (most comments first; ``--json`` has all)."""
MENTION_ROWS = 30
"""Mentions listed (``--json`` has all)."""
PATH_ENDS = 3
"""Path components kept at each end of a deep reply path."""
BESIDE = " ⤳ "
"""Joins a comment to the sibling it answers under the depth-cap reading."""


def short_path(path: str) -> str:
    """``7.4.2.1.1.1`` stays; a 5,000-level path becomes ``1.1.1.….1.1.1 (5,000 levels)``."""
    steps = path.split(".")
    if len(steps) <= 2 * PATH_ENDS + 1:
        return path
    ends = ".".join(steps[:PATH_ENDS]), ".".join(steps[-PATH_ENDS:])
    return f"{ends[0]}.….{ends[1]} ({len(steps):,} levels)"


def chain_text(paths: Sequence[str], authors: Sequence[str], omitted: int = 0) -> Text:
    """``7 A → 7.4 B → …`` with at most 2 × :data:`CHAIN_ENDS` comments listed, so the
    line grows with the chain's ends only (it was quadratic in the depth). ``paths``
    may already be cut in the middle (``omitted`` left out, see ``listed_paths``);
    ``authors`` is the whole chain's."""
    half = len(paths) // 2 if omitted else len(paths)
    named = list(zip(paths[:half], authors[:half], strict=True))
    if omitted:
        named += list(zip(paths[half:], authors[half + omitted :], strict=True))
    steps = [
        Text.assemble((short_path(path), "dim"), " ", who(author, 30)) for path, author in named
    ]
    total = len(steps) + omitted
    if total > 2 * CHAIN_ENDS + 1:
        hidden = total - 2 * CHAIN_ENDS
        middle = Text(f"… ({hidden:,} more comments) …", style="dim")
        steps = [*steps[:CHAIN_ENDS], middle, *steps[-CHAIN_ENDS:]]
    return Text(" → ").join(steps)


def exchange_text(paths: Sequence[str], links: Sequence[str] | None, omitted: int = 0) -> Text:
    """An exchange's paths, ``→`` for a reply and ``⤳`` for an answer placed beside its
    target (so siblings never read as one reply chain); long ones shortened."""
    links = list(links) if links else ["reply"] * (len(paths) + omitted - 1)
    if omitted:  # the links of the paths listed after the cut
        half = len(paths) // 2
        links = [*links[: half - 1], "reply", *links[half + omitted :]]
    pieces: list[tuple[str, str]] = []  # (joiner before, path)
    for index, path in enumerate(paths):
        joiner = "" if index == 0 else (BESIDE if links[index - 1] == "beside" else " → ")
        pieces.append((joiner, short_path(path)))
    if len(pieces) + omitted > 2 * CHAIN_ENDS + 1:
        hidden = len(pieces) + omitted - 2 * CHAIN_ENDS
        pieces = [*pieces[:CHAIN_ENDS], (" → ", f"… ({hidden:,} more) …"), *pieces[-CHAIN_ENDS:]]
    return Text("".join(joiner + path for joiner, path in pieces))


NO_AUTHOR = "(no author)"
"""Shown for an empty author (a deleted comment, an anonymous one); JSON keeps ``""``."""


def who(name: str, width: int = 40) -> Text:
    """An author's name for a table cell: whole up to ``width``, never blank."""
    if not name.strip():
        return Text(NO_AUTHOR, style="dim")
    return Text(one_line(name, width))


def stats_view(stats: dict[str, Any]) -> list[Grid | RenderableType]:
    """``modtool stats`` as items for :func:`modtool.cli.tables.show`."""
    shape = stats["shape"]
    score = stats["score"]
    parts: list[Grid | RenderableType] = []
    scored_with = f"{score['model']}:{score['attribute']}" if score else "no scores"
    parts.append(
        Text.assemble(
            (f"{stats['comments']} comments in {stats['threads']} thread(s)", "bold"),
            "   toxicity = ",
            terminal_safe(scored_with),
        )
    )

    table = Grid("Thread shape", [Column("measure"), Column("value", 0, "right")])
    branching = shape["branching"]
    chain = shape["longest_chain"]
    for name, value in (
        ("top-level comments", str(shape["top_level"])),
        ("comments without replies", str(shape["leaves"])),
        ("maximum depth", "–" if shape["max_depth"] is None else str(shape["max_depth"])),
        ("replies per comment", num(branching["mean_replies"])),
        ("replies per replied-to comment", num(branching["mean_replies_when_replied"])),
        (
            "most replies to one comment",
            f"{branching['max_replies']} (#{branching['max_replies_comment']})"
            if branching["max_replies_comment"]
            else "0",
        ),
        ("longest chain", f"{chain['length']} comments"),
    ):
        table.add_row(name, value)
    parts.append(table)
    if chain["length"]:
        parts.append(
            Text.assemble(
                ("longest chain: ", "bold"),
                chain_text(chain["paths"], chain["authors"], chain.get("paths_omitted", 0)),
            )
        )

    depth = Grid(
        "Depth: comments and toxicity",
        [
            Column("depth", 0, "right"),
            Column("comments", 0, "right"),
            Column("share", 3),
            Column("scored", 2, "right"),
            Column("mean", 0, "right"),
            Column("max", 1, "right"),
            Column("mean toxicity", 3),
        ],
    )
    rows = stats["toxicity_by_depth"]
    most = max((r["comments"] for r in rows), default=0)
    for row in rows[:DEPTH_ROWS]:
        depth.add_row(
            str(row["depth"]),
            str(row["comments"]),
            bar(row["comments"], most),
            str(row["scored"]),
            num(row["mean"]),
            num(row["max"]),
            bar(row["mean"], 1.0, style="red"),
        )
    parts.append(depth)
    if len(rows) > DEPTH_ROWS:
        deeper = rows[DEPTH_ROWS:]
        parts.append(
            Text(
                f"… {len(deeper):,} deeper levels (depth {deeper[0]['depth']} to "
                f"{deeper[-1]['depth']}: {sum(r['comments'] for r in deeper):,} comments); "
                "--json lists every level",
                style="dim",
            )
        )

    authors = Grid(
        "Authors",
        [
            Column("author", 0),
            Column("comments", 0, "right"),
            Column("share", 4),
            Column("replies received", 1, "right"),
            Column("mean tox", 2, "right"),
            Column("max tox", 1, "right"),
            Column("labels received", 3, fold=True, min_width=16),
        ],
    )
    top = max((a["comments"] for a in stats["authors"]), default=0)
    for author in stats["authors"][:AUTHOR_ROWS]:
        labels = ", ".join(f"{k}:{v}" for k, v in author["labels"].items())
        authors.add_row(
            who(author["author"]),
            str(author["comments"]),
            bar(author["comments"], top, width=12),
            str(author["replies_received"]),
            num(author["mean_score"]),
            num(author["max_score"]),
            safe(labels, 200),
        )
    parts.append(authors)
    if len(stats["authors"]) > AUTHOR_ROWS:
        parts.append(
            Text(
                f"… {len(stats['authors']) - AUTHOR_ROWS:,} more authors; --json lists all",
                style="dim",
            )
        )

    pairs = Grid(
        "Who replies to whom",
        [
            Column("reply by", 0),
            Column("to", 0),
            Column("replies", 0, "right"),
            Column("share", 2),
        ],
    )
    top = max((p["replies"] for p in stats["reply_pairs"]), default=0)
    for pair in stats["reply_pairs"]:
        pairs.add_row(
            who(pair["from"]),
            who(pair["to"]),
            str(pair["replies"]),
            bar(pair["replies"], top, width=12),
        )
    parts.append(pairs if pairs.rows else Text("Who replies to whom: no replies", style="bold"))

    heated = Grid(
        "Heated exchanges (two authors answering each other 3+ times in a row)",
        [
            Column("thread", 1, "right"),
            Column("between", 0, fold=True, min_width=16),
            Column("answers", 0, "right"),
            Column("chain", 2, fold=True, min_width=16),
            Column("peak", 0, "right"),
            Column("rising", 1),
        ],
    )
    for ex in stats["heated_exchanges"]:
        rising = {True: "rising", False: "not rising", None: "–"}[ex["rising"]]
        heated.add_row(
            str(ex["thread_id"]),
            Text(" ↔ ").join(who(name) for name in ex["authors"]),
            str(ex["replies"]),
            exchange_text(ex["paths"], ex.get("links"), ex.get("paths_omitted", 0)),
            num(ex["peak_score"]),
            rising,
        )
    parts.append(heated if heated.rows else Text(f"{heated.title}: none", style="bold"))
    if any("beside" in (ex.get("links") or ()) for ex in stats["heated_exchanges"]):
        parts.append(
            Text(
                f"{BESIDE.strip()} a reply placed beside the comment it answers, not under it "
                "(the site's nesting cap; --no-depth-cap reads the tree literally)",
                style="dim",
            )
        )

    mentions = Grid(
        "Mentions of other commenters by name",
        [
            Column("thread", 1, "right"),
            Column("comment", 0),
            Column("by", 0),
            Column("mentions", 0, fold=True, min_width=16),
        ],
    )
    for mention in stats["mentions"][:MENTION_ROWS]:
        mentions.add_row(
            str(mention["thread_id"]),
            f"{mention['path']} #{mention['comment_id']}",
            who(mention["author"]),
            safe(mention["mentions"], 200),
        )
    parts.append(mentions if mentions.rows else Text(f"{mentions.title}: none", style="bold"))
    if len(stats["mentions"]) > MENTION_ROWS:
        parts.append(
            Text(
                f"… {len(stats['mentions']) - MENTION_ROWS:,} more mentions; --json lists all",
                style="dim",
            )
        )
    return parts


def agreement_view(report: Any) -> list[Grid | RenderableType]:
    """``modtool agreement`` as items for :func:`modtool.cli.tables.show`."""
    method = "Cohen's kappa" if report.method == "cohen_kappa" else "Krippendorff's alpha"
    short = "kappa" if report.method == "cohen_kappa" else "alpha"
    title = Text.assemble(
        (f"Agreement under {one_line(report.policy, 40)}: {method}", "bold"),
        f", {len(report.moderators)} raters: ",
        one_line(", ".join(report.moderators), 200),
    )
    grid = Grid(
        "",
        [
            Column("label"),
            Column(short, 0, "right"),
            Column("0 ─── 1", 3),
            Column("items", 0, "right"),
            Column("observed", 1, "right"),
            Column("given", 1, "right"),
            Column("note", 2, fold=True, min_width=20),
        ],
    )
    for row in report.labels:
        grid.add_row(
            safe(row.label, 30),
            num(row.value, 3),
            bar(max(row.value, 0.0) if row.value is not None else None, 1.0, width=12),
            str(row.items),
            num(row.observed, 3),
            str(row.positives),
            Text(terminal_safe(row.note or ""), style="dim"),
        )
    legend = Text(
        f"{short}: chance-corrected agreement (1 perfect, 0 chance); items: comments "
        "reviewed by enough raters; observed: raw agreement; given: how often the "
        "label was given",
        style="dim",
    )
    return [title, grid, legend]


def calibration_view(
    policy_name: str, results: Sequence[Any], untested: Sequence[str]
) -> list[Grid | RenderableType]:
    """``modtool calibrate`` as items for :func:`modtool.cli.tables.show`."""
    parts: list[Grid | RenderableType] = [
        Text(
            f"Calibration of {one_line(policy_name, 40)} against moderators' majority labels",
            style="bold",
        )
    ]
    summary = Grid(
        "",
        [
            Column("rule → label", 0, fold=True, min_width=14),
            Column("model", 3, fold=True, min_width=12),
            Column("test", 0, fold=True, min_width=12),
            Column("items", 0, "right"),
            Column("pos", 1, "right"),
            Column("P", 2, "right"),
            Column("R", 2, "right"),
            Column("F1", 0, "right"),
            Column("best t", 0, "right"),
            Column("best P", 2, "right"),
            Column("best R", 2, "right"),
            Column("best F1", 0, "right"),
        ],
    )
    for c in results:
        best = c.best
        summary.add_row(
            Text.assemble(one_line(c.rule, 30), " → ", one_line(c.label, 24)),
            safe(c.model, 60),
            Text(f"{terminal_safe(c.attribute)} {c.op} {c.threshold:g}"),
            str(c.items),
            str(c.positives),
            num(c.current.precision),
            num(c.current.recall),
            num(c.current.f1),
            "–" if best is None else f"{best.threshold:g}",
            num(best.precision if best else None),
            num(best.recall if best else None),
            num(best.f1 if best else None),
        )
    parts.append(summary)
    parts.append(
        Text(
            "P precision, R recall, F1 their balance, at the current threshold and at the best "
            "one (pos: comments the majority gave the label)",
            style="dim",
        )
    )
    for c in results:
        sweep = Grid(
            f"{one_line(c.rule, 30)}: {terminal_safe(c.attribute)} {c.op} t "
            f"on {one_line(c.model, 40)}",
            [
                Column("t", 0, "right"),
                Column("TP", 0, "right"),
                Column("FP", 0, "right"),
                Column("FN", 0, "right"),
                Column("TN", 0, "right"),
                Column("P", 1, "right"),
                Column("R", 1, "right"),
                Column("F1", 0, "right"),
                Column("F1 bar", 2),
                Column("mark", 0),
            ],
        )
        for p in c.sweep:
            marks = []
            if c.best is not None and p.threshold == c.best.threshold:
                marks.append(("★ best", "bold green"))
            if p.threshold == c.threshold:
                marks.append(("← current", "yellow"))
            sweep.add_row(
                f"{p.threshold:g}",
                str(p.tp),
                str(p.fp),
                str(p.fn),
                str(p.tn),
                num(p.precision),
                num(p.recall),
                num(p.f1),
                bar(p.f1, 1.0, width=16),
                Text(" ").join(Text(text, style=style) for text, style in marks),
            )
        parts.append(sweep)
    if any(c.positives == 0 for c in results):
        parts.append(
            Text(
                "a threshold whose label no majority gave cannot be calibrated "
                "(no best): label some comments with it first",
                style="dim",
            )
        )
    if untested:
        parts.append(
            Text(
                "no labeled, scored comment to test: " + terminal_safe(", ".join(untested)),
                style="dim",
            )
        )
    return parts
