"""Tables that stay readable at any terminal width (80 columns included).

A :class:`Grid` knows what each column needs: its priority (0 is never
dropped; higher numbers go first when space runs out), the width below which
it is unreadable, and whether its text may fold onto more lines. Laid out for
a width, it

1. shows every column when they fit, folding long text (notes, guidance) down
   to each column's minimum readable width at most;
2. otherwise drops columns, least important first, until the rest fit,
   and says which (``--wide`` shows them all);
3. when even the essential columns (priority 0) do not fit, prints each row as a record
   (``name value`` lines), which fits any width.

A column is never squeezed below its minimum, so no column is ever zero
characters wide, names stay whole and numbers are never cut to ``0.…``.
Cells are plain strings or :class:`rich.text.Text`; plain strings are made
terminal-safe here (untrusted text never reaches Rich as markup).

Every table of the command line is a Grid, so they share one look (light
square borders, a bold title on the left; :data:`BOX`) and one set of options
(``--wide``/``--json``: :func:`modtool.cli.options.table_options`). Grids with
the same columns shown together (``progress``: one per thread) are laid out as
one, so a column is never shown for one and dropped for the next. A grid made
with ``stream=True`` (the audit log: one row per event) prints one plain line
per row when its output goes to a pipe, instead of a layout for a terminal
nobody looks at.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

from rich import box
from rich.cells import cell_len
from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from modtool.safe_text import terminal_safe

Cell = str | Text
Justify = Literal["left", "right", "center"]

BOX = box.SQUARE
"""The one border style of every table (light lines: ``┌─┐│└┘``)."""
TITLE_STYLE = "bold"
LONGEST_WORD = 24
"""A word up to this long is never folded inside (a longer one, a URL, may be)."""
GAP = "  "
"""Between the columns of a grid printed as plain lines (:meth:`Grid.lines`)."""


@dataclass(frozen=True, slots=True)
class Column:
    header: str
    priority: int = 0
    """0: always shown; higher: dropped earlier when the terminal is narrow."""
    justify: Justify = "left"
    fold: bool = False
    """The text may wrap onto more lines (long free text: notes, guidance)."""
    min_width: int = 0
    """Fewest characters this column is readable in (foldable columns only;
    others always get their widest cell)."""


@dataclass(slots=True)
class Grid:
    """Columns and rows, laid out by :meth:`render` for a width."""

    title: str
    columns: Sequence[Column]
    rows: list[list[Cell]] = field(default_factory=list)
    show_lines: bool = False
    more: str = "--wide shows all"
    """How the user gets the hidden columns."""
    stream: bool = False
    """One row per event (the log): piped, each row is printed as one line."""

    def add_row(self, *cells: Cell) -> None:
        if len(cells) != len(self.columns):
            raise ValueError(f"{len(cells)} cells for {len(self.columns)} columns")
        self.rows.append([_cell(c) for c in cells])

    # -- layout ----------------------------------------------------------------
    def natural_widths(self) -> list[int]:
        """Each column's widest line (header included)."""
        widths = []
        for index, column in enumerate(self.columns):
            widest = max((_width(row[index]) for row in self.rows), default=0)
            widths.append(max(widest, _width(Text(column.header)), 1))
        return widths

    def minimum_widths(self) -> list[int]:
        """A foldable column's minimum holds its longest word (up to :data:`LONGEST_WORD`),
        so text wraps between words, never inside one (``off_topic`` is never ``off_to``
        + ``pic``); other columns always get their widest cell."""
        natural = self.natural_widths()
        widest_word = [
            max((_longest_word(row[index].plain) for row in self.rows), default=1)
            for index in range(len(self.columns))
        ]
        return [
            min(
                n,
                max(
                    c.min_width or 12,
                    _longest_word(c.header),
                    min(widest_word[index], LONGEST_WORD),
                ),
            )
            if c.fold
            else n
            for index, (c, n) in enumerate(zip(self.columns, natural, strict=True))
        ]

    def choose(self, width: int, *, wide: bool = False) -> tuple[list[int], list[int]]:
        """``(shown, hidden)`` column indexes for ``width`` (empty ``shown``: records)."""
        every = [
            i
            for i in range(len(self.columns))
            if not self.rows or any(row[i].plain.strip() for row in self.rows)
        ]  # a column with nothing in it (no notes at all) is left out, not squeezed
        if wide:
            return every, []
        minimum = self.minimum_widths()
        cuts = sorted({self.columns[i].priority for i in every}, reverse=True)
        # The most columns that fit with their long text folded down to its minimum
        # (a column's minimum is what keeps it readable); failing that, records.
        for cut in cuts:
            shown = [i for i in every if self.columns[i].priority <= cut]
            if shown and _table_width([minimum[i] for i in shown]) <= width:
                return shown, [i for i in every if i not in shown]
        return [], []

    def plan(self, width: int, *, wide: bool = False) -> Plan:
        """Which columns show, how wide, and which are left out, for ``width``."""
        shown, hidden = self.choose(width, wide=wide)
        return Plan(shown, hidden, self._fit(shown, width, wide) if shown else [])

    def render(
        self, width: int, *, wide: bool = False, plan: Plan | None = None, note: bool = True
    ) -> RenderableType:
        """The table laid out for ``width`` (or by a ``plan`` shared with grids of the
        same columns); ``note``: say below it which columns were left out."""
        plan = plan or self.plan(width, wide=wide)
        shown, hidden, widths = plan.shown, plan.hidden, plan.widths
        if not shown:
            return self.records()
        table = Table(
            title=self.title or None,
            title_justify="left",
            title_style=TITLE_STYLE,
            show_lines=self.show_lines,
            box=BOX,
        )
        for index, column_width in zip(shown, widths, strict=True):
            column = self.columns[index]
            table.add_column(
                column.header,
                justify=column.justify,
                no_wrap=not column.fold,
                overflow="fold",
                width=column_width,
            )
        for row in self.rows:
            table.add_row(*(row[i] for i in shown))
        if not hidden or not note:
            return table
        return Group(table, self.hidden_note(hidden))

    def hidden_note(self, hidden: Sequence[int]) -> Text:
        names = ", ".join(self.columns[i].header or "bar" for i in hidden)
        return Text(f"(not shown at this width: {names}; {self.more})", style="dim")

    def lines(self) -> list[str]:
        """The header and each row as one plain line, every value whole, columns
        aligned (for a pipe: ``grep`` and ``less`` see one line per row)."""
        every = [i for i in range(len(self.columns)) if any(r[i].plain.strip() for r in self.rows)]
        cells = [
            [" ".join(self.columns[i].header.split()) or "-" for i in every],
            *([" ".join(row[i].plain.split()) for i in every] for row in self.rows),
        ]
        widths = [max(cell_len(line[k]) for line in cells) for k in range(len(every))]
        out = []
        for line in cells:
            padded = [
                _pad(text, widths[k], self.columns[i].justify)
                for k, (i, text) in enumerate(zip(every, line, strict=True))
            ]
            out.append(GAP.join(padded).rstrip())
        return out

    def _fit(self, shown: list[int], width: int, wide: bool) -> list[int]:
        """Column widths: natural when they fit, else the foldable columns share
        what is left (water-filling, never below their minimum)."""
        every = self.natural_widths()
        natural = [every[i] for i in shown]
        if wide or _table_width(natural) <= width:
            return natural
        least = self.minimum_widths()
        widths = [least[i] if self.columns[i].fold else every[i] for i in shown]
        spare = width - _table_width(widths)
        growing = [k for k, i in enumerate(shown) if self.columns[i].fold]
        while spare > 0 and growing:
            growing = [k for k in growing if widths[k] < natural[k]]
            share = max(spare // max(len(growing), 1), 1)
            for k in growing:
                step = min(share, natural[k] - widths[k], spare)
                widths[k] += step
                spare -= step
                if spare <= 0:
                    break
        return widths

    def records(self) -> RenderableType:
        """Each row as ``header: value`` lines (any width)."""
        parts: list[RenderableType] = []
        if self.title:
            parts.append(Text(self.title, style="bold"))
        label_width = max((len(c.header) for c in self.columns), default=0)
        for number, row in enumerate(self.rows):
            grid = Table.grid(padding=(0, 1))
            grid.add_column(no_wrap=True, min_width=label_width, style="dim")
            grid.add_column(overflow="fold")
            for column, cell in zip(self.columns, row, strict=True):
                if not column.header or not cell.plain.strip():
                    continue  # bars and empty cells say nothing in a record
                grid.add_row(column.header, cell)
            if number:
                parts.append(Text(""))
            parts.append(grid)
        return Group(*parts)


@dataclass(frozen=True, slots=True)
class Plan:
    """A layout: the column indexes shown (empty: records), their widths, the hidden."""

    shown: list[int]
    hidden: list[int]
    widths: list[int]


def show(*items: Grid | RenderableType | None, wide: bool = False) -> None:
    """Print grids (laid out for the terminal's width) and other renderables in order.

    Piped, ``stream`` grids are printed as plain lines (a header line, then one
    line per row; no title). Otherwise see :func:`layout`; with ``wide`` the
    console is made as wide as the widest grid, so every column shows whole (the
    terminal may wrap the lines; a pager will not). ``None`` items are skipped.
    """
    from modtool.cli import output

    present = [item for item in items if item is not None]
    grids = [item for item in present if isinstance(item, Grid)]
    if grids and output.is_piped() and all(grid.stream for grid in grids):
        for item in present:
            if isinstance(item, Grid):
                for line in item.lines():
                    output.echo(line)
            else:
                output.show(item)
        return
    width = output.terminal_width()
    needed = max((_table_width(grid.natural_widths()) for grid in grids), default=0)
    options = {"width": max(width, needed)} if wide else {}
    output.show(layout(present, width, wide=wide), **options)


def layout(
    items: Sequence[Grid | RenderableType], width: int, *, wide: bool = False
) -> RenderableType:
    """Grids laid out for ``width`` among the other renderables, in order.

    Grids with the same columns are laid out together (one plan from all their
    rows), and the note on left-out columns comes once, after the last of them.
    """
    grids = [item for item in items if isinstance(item, Grid)]
    last = {_shape(grid): index for index, grid in enumerate(items) if isinstance(grid, Grid)}
    plans: dict[tuple[object, ...], Plan] = {}
    for shape in last:
        alike = [grid for grid in grids if _shape(grid) == shape]
        joint = Grid("", alike[0].columns, [row for grid in alike for row in grid.rows])
        plans[shape] = joint.plan(width, wide=wide)
    rendered: list[RenderableType] = []
    for index, item in enumerate(items):
        if not isinstance(item, Grid):
            rendered.append(item)
            continue
        plan = plans[_shape(item)]
        rendered.append(item.render(width, wide=wide, plan=plan, note=False))
        if plan.hidden and plan.shown and last[_shape(item)] == index:
            rendered.append(item.hidden_note(plan.hidden))
    return Group(*rendered)


def _shape(grid: Grid) -> tuple[object, ...]:
    return tuple(grid.columns)


def _pad(text: str, width: int, justify: Justify) -> str:
    space = " " * (width - cell_len(text))
    return space + text if justify == "right" else text + space


def _cell(value: Cell) -> Text:
    if isinstance(value, Text):
        return value
    return Text(terminal_safe(str(value)))


def _width(text: Text) -> int:
    return max((line.cell_len for line in text.split("\n")), default=0)


def _longest_word(text: str) -> int:
    return max((len(word) for word in text.split()), default=1)


def _table_width(widths: Sequence[int]) -> int:
    """Width of a boxed table with one space of padding on each side of a cell."""
    return sum(widths) + 3 * len(widths) + 1
