"""Turn untrusted comment text into Rich ``Text`` that shows literally.

Every string that came from a thread document (bodies, author names, titles)
reaches the screen through :func:`safe` or :func:`body_text`: control
characters are stripped and bidi/zero-width characters made visible by
:func:`modtool.safe_text.terminal_safe`, and the result is a ``Text`` object,
so ``[bold]`` or ``[@click=app.quit]`` in a comment is just characters.
"""

from __future__ import annotations

from collections.abc import Iterable

from rich.color import Color, ColorParseError
from rich.style import Style
from rich.text import Text

from modtool.moderation import Highlight
from modtool.safe_text import terminal_safe

DEFAULT_LABEL_COLOUR = "magenta"
BAR_CELLS = "▏▎▍▌▋▊▉█"


def safe(value: str, style: str | Style = "") -> Text:
    """Untrusted text as a literal ``Text`` (never parsed as markup)."""
    return Text(terminal_safe(value), style=style)


def safe_line(value: str, width: int, style: str | Style = "") -> Text:
    """One line of untrusted text, whitespace collapsed, cut to ``width`` cells."""
    flat = " ".join(terminal_safe(value).split())
    if len(flat) > width:
        flat = flat[: max(0, width - 1)] + "…"
    return Text(flat, style=style, no_wrap=True, overflow="ellipsis")


def safe_with_offsets(value: str) -> tuple[str, list[int]]:
    """``terminal_safe(value)`` plus where each raw character offset lands in it.

    ``offsets[i]`` is the position in the safe string of raw character ``i``
    (``offsets[len(value)]`` is the safe string's length), so character spans
    found in the raw body can be highlighted in the text that is shown.
    """
    pieces: list[str] = []
    offsets: list[int] = []
    length = 0
    for char in value:
        offsets.append(length)
        shown = terminal_safe(char) if not char.isprintable() or ord(char) > 0x2000 else char
        pieces.append(shown)
        length += len(shown)
    offsets.append(length)
    return "".join(pieces), offsets


def body_text(body: str, highlights: Iterable[Highlight] = (),
              colours: dict[str, str] | None = None) -> Text:
    """The full comment body, literal, with matched spans highlighted."""
    shown, offsets = safe_with_offsets(body)
    text = Text(shown)
    for span in highlights:
        start = offsets[min(max(span.start, 0), len(body))]
        end = offsets[min(max(span.end, 0), len(body))]
        if end > start:
            colour = label_colour((colours or {}).get(span.label))
            text.stylize(Style(color=colour, reverse=True, bold=True), start, end)
    return text


def label_colour(colour: str | None) -> str:
    """A policy's label colour if Rich understands it, else a default."""
    if colour:
        try:
            Color.parse(colour)
        except ColorParseError:
            return DEFAULT_LABEL_COLOUR
        return colour
    return DEFAULT_LABEL_COLOUR


def score_colour(value: float | None) -> str:
    if value is None:
        return "grey50"
    if value >= 0.8:
        return "red3"
    if value >= 0.5:
        return "dark_orange3"
    if value >= 0.2:
        return "yellow4"
    return "green4"


def badge(value: float | None) -> Text:
    """The toxicity badge: the headline score on a background coloured by it."""
    if value is None:
        return Text("  --  ", style="dim")
    return Text(f" {value:.2f} ", style=f"bold white on {score_colour(value)}")


def bar(value: float, width: int) -> Text:
    """A horizontal bar of ``width`` cells filled to ``value`` (0..1), with eighths."""
    value = min(max(value, 0.0), 1.0)
    eighths = round(value * width * 8)
    full, rest = divmod(eighths, 8)
    cells = "█" * full + (BAR_CELLS[rest - 1] if rest else "")
    text = Text(cells, style=score_colour(value))
    text.append(" " * (width - len(cells)), style="on grey23")
    return text


def chip(key: str, colour: str | None) -> Text:
    """`` key `` on the label's colour, with black or white text for contrast."""
    background = label_colour(colour)
    try:
        red, green, blue = Color.parse(background).get_truecolor()
        light = (0.299 * red + 0.587 * green + 0.114 * blue) > 150
    except ColorParseError:
        light = False
    return Text(f" {key} ", style=Style(color="black" if light else "white", bgcolor=background,
                                        bold=True))
