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


def styled(value: str, style: str | Style = "") -> Text:
    """``value`` with ``style`` as a span, not as the Text's base style.

    A base style would spread to everything appended later (a badge colour
    across a whole tree line), so every building block here uses spans.
    """
    return Text.assemble((value, style)) if style else Text(value)


def safe(value: str, style: str | Style = "") -> Text:
    """Untrusted text as a literal ``Text`` (never parsed as markup)."""
    return styled(terminal_safe(value), style)


def safe_line(value: str, width: int, style: str | Style = "") -> Text:
    """One line of untrusted text, whitespace collapsed, cut to ``width`` cells."""
    flat = " ".join(terminal_safe(value).split())
    if len(flat) > width:
        flat = flat[: max(0, width - 1)] + "…"
    text = styled(flat, style)
    text.no_wrap, text.overflow = True, "ellipsis"
    return text


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


def body_text(
    body: str, highlights: Iterable[Highlight] = (), colours: dict[str, str] | None = None
) -> Text:
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
    """A policy's label colour as ``#rrggbb`` (``#rgb`` and names accepted).

    Named colours are turned into their RGB value so a theme's ANSI palette
    does not change them; anything Rich cannot read becomes a default.
    """
    value = (colour or "").strip()
    if len(value) == 4 and value.startswith("#"):
        value = "#" + "".join(ch * 2 for ch in value[1:])
    try:
        return Color.parse(value or DEFAULT_LABEL_COLOUR).get_truecolor().hex
    except ColorParseError:
        return Color.parse(DEFAULT_LABEL_COLOUR).get_truecolor().hex


def label_ink(colour: str | None) -> str:
    """A label colour for text (not background): very dark ones are lightened so the
    text stays readable on a dark theme (``blue`` is navy in RGB)."""
    red, green, blue = Color.parse(label_colour(colour)).get_truecolor()
    if 0.299 * red + 0.587 * green + 0.114 * blue < 90:
        red, green, blue = ((channel + 255) // 2 for channel in (red, green, blue))
    return f"#{red:02x}{green:02x}{blue:02x}"


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


def badge(value: float | None, *, compact: bool = False) -> Text:
    """The toxicity badge: the headline score on a background coloured by it
    (``compact``: without the padding, for narrow rows)."""
    pad = "" if compact else " "
    if value is None:
        return styled(f"{pad} -- {pad}", "dim")
    return styled(f"{pad}{value:.2f}{pad}", f"bold white on {score_colour(value)}")


def comment_ref(path: str, comment_id: int) -> str:
    """How a comment is named on screen: its reply path, then ``#`` and its database id
    (``7.4.2 #22``). ``#N`` is always the id that ``modtool label N`` takes; the path
    never carries a ``#`` (issue 11.1)."""
    return f"{path} #{comment_id}"


def elide_path(path: str, width: int) -> str:
    """``path`` in at most ``width`` cells: whole when it fits, else its first and last
    steps around a ``…`` (``7.4…1.1.1``), so the top-level comment and the position
    near the end both stay visible; the plain cut ``….2.1.1`` made siblings of
    different branches look alike."""
    if len(path) <= width:
        return path
    steps = path.split(".")
    head: list[str] = []
    tail: list[str] = []
    left, right = 0, len(steps) - 1

    def length(a: list[str], b: list[str]) -> int:
        return len(".".join(a)) + 1 + len(".".join(b))

    while left <= right:
        # Alternate: the end first (the position among siblings), then the start;
        # when one side does not fit, the other may still.
        end_first = len(tail) <= len(head)
        grown = False
        for end in (end_first, not end_first):
            if end and length(head, [steps[right], *tail]) <= width:
                tail.insert(0, steps[right])
                right -= 1
                grown = True
                break
            if not end and length([*head, steps[left]], tail) <= width:
                head.append(steps[left])
                left += 1
                grown = True
                break
        if not grown:
            break
    if not tail:
        return "…" + path[-(width - 1) :] if width > 1 else "…"
    return ".".join(head) + "…" + ".".join(tail)


def bar(value: float, width: int) -> Text:
    """A horizontal bar of ``width`` cells filled to ``value`` (0..1), with eighths."""
    value = min(max(value, 0.0), 1.0)
    eighths = round(value * width * 8)
    full, rest = divmod(eighths, 8)
    cells = "█" * full + (BAR_CELLS[rest - 1] if rest else "")
    text = Text(cells, style=score_colour(value))
    text.append(" " * (width - len(cells)), style="on #5f5f5f")
    return text


def chip(key: str, colour: str | None, *, pad: bool = True) -> Text:
    """`` key `` on the label's colour, with black or white text for contrast
    (``pad=False``: no spaces around it, for a one-letter chip in a narrow row)."""
    background = label_colour(colour)
    red, green, blue = Color.parse(background).get_truecolor()
    light = (0.299 * red + 0.587 * green + 0.114 * blue) > 150
    shown = f" {key} " if pad else key
    return styled(shown, Style(color="black" if light else "white", bgcolor=background, bold=True))
