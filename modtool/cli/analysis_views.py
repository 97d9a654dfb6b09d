"""Rich renderables for ``modtool stats``, ``agreement`` and ``calibrate``.

Author names and labels come from strangers or policy files: they go through
:func:`~modtool.safe_text.one_line` into :class:`rich.text.Text`, never markup.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from modtool.cli.output import terminal_width
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
PATH_ENDS = 3
"""Path components kept at each end of a deep reply path."""
WIDER = "a wider terminal (COLUMNS=N) shows all"
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
        Text.assemble((short_path(path), "dim"), " ", one_line(author, 30))
        for path, author in named
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


def _table(title: str) -> Table:
    return Table(title=title, title_justify="left", title_style="bold")


def stats_view(stats: dict[str, Any]) -> RenderableType:
    shape = stats["shape"]
    score = stats["score"]
    parts: list[RenderableType] = []
    scored_with = f"{score['model']}:{score['attribute']}" if score else "no scores"
    parts.append(
        Text.assemble(
            (f"{stats['comments']} comments in {stats['threads']} thread(s)", "bold"),
            f"   toxicity = {scored_with}",
        )
    )

    table = _table("Thread shape")
    table.add_column("measure")
    table.add_column("value", justify="right")
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

    depth = _table("Depth: comments and toxicity")
    depth.add_column("depth", justify="right")
    depth.add_column("comments", justify="right")
    depth.add_column("", no_wrap=True, overflow="crop", min_width=BAR)
    depth.add_column("scored", justify="right")
    depth.add_column("mean", justify="right")
    depth.add_column("max", justify="right")
    depth.add_column("mean toxicity", no_wrap=True, overflow="crop", min_width=BAR)
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

    authors = _table("Authors")
    for column, justify in (
        ("author", "left"),
        ("comments", "right"),
        ("", "left"),
        ("replies received", "right"),
        ("mean tox", "right"),
        ("max tox", "right"),
        ("labels received", "left"),
    ):
        authors.add_column(column, justify=justify, no_wrap=not column)  # type: ignore[arg-type]
    top = max((a["comments"] for a in stats["authors"]), default=0)
    for author in stats["authors"][:20]:
        labels = ", ".join(f"{k} {v}" for k, v in author["labels"].items())
        authors.add_row(
            safe(author["author"], 30),
            str(author["comments"]),
            bar(author["comments"], top, width=12),
            str(author["replies_received"]),
            num(author["mean_score"]),
            num(author["max_score"]),
            safe(labels, 40),
        )
    parts.append(authors)

    pairs = _table("Who replies to whom")
    pairs.add_column("reply by")
    pairs.add_column("to")
    pairs.add_column("replies", justify="right")
    pairs.add_column("", no_wrap=True)
    top = max((p["replies"] for p in stats["reply_pairs"]), default=0)
    for pair in stats["reply_pairs"]:
        pairs.add_row(
            safe(pair["from"], 30),
            safe(pair["to"], 30),
            str(pair["replies"]),
            bar(pair["replies"], top, width=12),
        )
    parts.append(pairs)

    heated = _table("Heated exchanges (two authors answering each other 3+ times in a row)")
    for column in ("thread", "between", "answers", "chain", "peak", "rising"):
        heated.add_column(column)
    for ex in stats["heated_exchanges"]:
        rising = {True: "rising", False: "not rising", None: "–"}[ex["rising"]]
        heated.add_row(
            str(ex["thread_id"]),
            safe(" ↔ ".join(ex["authors"]), 40),
            str(ex["replies"]),
            exchange_text(ex["paths"], ex.get("links"), ex.get("paths_omitted", 0)),
            num(ex["peak_score"]),
            rising,
        )
    if not stats["heated_exchanges"]:
        heated.add_row("", Text("none", style="dim"), "", "", "", "")
    parts.append(heated)
    if any("beside" in (ex.get("links") or ()) for ex in stats["heated_exchanges"]):
        parts.append(
            Text(
                f"{BESIDE.strip()} a reply placed beside the comment it answers, not under it "
                "(the site's nesting cap; --no-depth-cap reads the tree literally)",
                style="dim",
            )
        )

    mentions = _table("Mentions of other commenters by name")
    for column in ("thread", "comment", "by", "mentions"):
        mentions.add_column(column)
    for mention in stats["mentions"][:30]:
        mentions.add_row(
            str(mention["thread_id"]),
            f"{mention['path']} #{mention['comment_id']}",
            safe(mention["author"], 30),
            safe(mention["mentions"], 30),
        )
    if not stats["mentions"]:
        mentions.add_row("", "", Text("none", style="dim"), "")
    parts.append(mentions)
    return Group(*parts)


def agreement_view(report: Any) -> RenderableType:
    method = "Cohen's kappa" if report.method == "cohen_kappa" else "Krippendorff's alpha"
    short = "kappa" if report.method == "cohen_kappa" else "alpha"
    title = Text.assemble(
        (f"Agreement under {one_line(report.policy, 40)}: {method}", "bold"),
        f", {len(report.moderators)} moderators: ",
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
        more=WIDER,
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
        "reviewed by enough moderators; observed: raw agreement; given: how often the "
        "label was given",
        style="dim",
    )
    return Group(title, grid.render(terminal_width()), legend)


def calibration_view(
    policy_name: str, results: Sequence[Any], untested: Sequence[str]
) -> RenderableType:
    width = terminal_width()
    parts: list[RenderableType] = [
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
        more=WIDER,
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
    parts.append(summary.render(width))
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
            more=WIDER,
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
        parts.append(sweep.render(width))
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
    return Group(*parts)
