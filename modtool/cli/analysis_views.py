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

from modtool.safe_text import one_line

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
                Text(" → ").join(
                    Text.assemble((path, "dim"), " ", one_line(author, 30))
                    for path, author in zip(chain["paths"], chain["authors"], strict=True)
                ),
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
    for row in rows:
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
            Text(" → ".join(ex["paths"])),
            num(ex["peak_score"]),
            rising,
        )
    if not stats["heated_exchanges"]:
        heated.add_row("", Text("none", style="dim"), "", "", "", "")
    parts.append(heated)

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
    table = _table(
        f"Agreement under {one_line(report.policy, 40)}: {method}, "
        f"{len(report.moderators)} moderators ({one_line(', '.join(report.moderators), 60)})"
    )
    for column, justify in (
        ("label", "left"),
        (method, "right"),
        ("", "left"),
        ("items", "right"),
        ("observed agreement", "right"),
        ("label given", "right"),
        ("note", "left"),
    ):
        table.add_column(column, justify=justify, no_wrap=not column)  # type: ignore[arg-type]
    for row in report.labels:
        table.add_row(
            safe(row.label, 30),
            num(row.value, 3),
            bar(max(row.value, 0.0) if row.value is not None else None, 1.0, width=12),
            str(row.items),
            num(row.observed, 3),
            str(row.positives),
            Text(row.note or "", style="dim"),
        )
    return table


def calibration_view(
    policy_name: str, results: Sequence[Any], untested: Sequence[str]
) -> RenderableType:
    parts: list[RenderableType] = []
    summary = _table(
        f"Calibration of {one_line(policy_name, 40)} against moderators' majority labels"
    )
    for column in ("rule → label", "model", "test"):
        summary.add_column(column, overflow="fold")
    for column in ("items", "+", "P", "R", "F1", "best t", "P", "R", "F1"):
        summary.add_column(column, justify="right", no_wrap=True)
    for c in results:
        best = c.best
        summary.add_row(
            Text.assemble(one_line(c.rule, 30), " → ", one_line(c.label, 24)),
            safe(c.model, 60),
            Text(f"{c.attribute} {c.op} {c.threshold:g}"),
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
    for c in results:
        sweep = _table(f"{one_line(c.rule, 30)}: {c.attribute} {c.op} t on {one_line(c.model, 40)}")
        for column, justify in (
            ("t", "right"),
            ("TP", "right"),
            ("FP", "right"),
            ("FN", "right"),
            ("TN", "right"),
            ("P", "right"),
            ("R", "right"),
            ("F1", "right"),
            ("", "left"),
            ("", "left"),
        ):
            sweep.add_column(column, justify=justify, no_wrap=True)  # type: ignore[arg-type]
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
                Text.assemble(*[(text + " ", style) for text, style in marks]),
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
            Text("no labeled, scored comment to test: " + ", ".join(untested), style="dim")
        )
    return Group(*parts)
