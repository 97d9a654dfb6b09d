"""Make untrusted comment text safe to show in a terminal.

Comment bodies and author names come from strangers. Before any of it reaches
a terminal it goes through :func:`terminal_safe`:

* control characters (C0 but newline and tab, DEL, C1, including ESC) are
  removed, so no escape sequence reaches the terminal;
* bidi overrides/isolates (U+202A–U+202E, U+2066–U+2069) and zero-width
  characters are replaced by a visible ``⟨U+XXXX⟩`` marker, so a reader sees
  that the text is not what it seems (:func:`hidden_characters` reports them).

Markup is a separate matter: show the result through ``rich.text.Text`` or
``textual.content.Content`` (never a ``str`` that gets parsed as markup).
"""

from __future__ import annotations

import regex

CONTROL = regex.compile(r"[\p{Cc}--[\n\t]]", flags=regex.V1)
BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"
ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff\u180e"
HIDDEN = regex.compile(f"[{BIDI}{ZERO_WIDTH}]")


def terminal_safe(text: str) -> str:
    """Strip control characters and make bidi/zero-width characters visible."""
    text = CONTROL.sub("", text)
    return HIDDEN.sub(lambda m: f"⟨U+{ord(m.group()):04X}⟩", text)


def hidden_characters(text: str) -> list[str]:
    """The code points (``U+202E`` …) of bidi/zero-width characters hidden in ``text``."""
    return sorted({f"U+{ord(ch):04X}" for ch in HIDDEN.findall(text)})


def has_control_characters(text: str) -> bool:
    return CONTROL.search(text) is not None


def one_line(text: str, width: int = 80) -> str:
    """A safe single-line preview of ``text``, cut to ``width`` characters."""
    flat = " ".join(terminal_safe(text).split())
    return flat if len(flat) <= width else flat[: width - 1] + "…"
