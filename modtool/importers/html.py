"""HTML comment bodies to the plain text modtool shows and scores.

One function over a well-kept library (inscriptis, on lxml): paragraphs and
line breaks kept, link text kept with its URL (``text (url)`` as
``[text](url)``), entities decoded, scripts and styles dropped.
"""

from __future__ import annotations

import html as _html

from inscriptis import get_text
from inscriptis.model.config import ParserConfig

_CONFIG = ParserConfig(display_links=True)


def html_to_text(markup: str, *, newlines_are_breaks: bool = False) -> str:
    """Plain text of an HTML fragment.

    ``newlines_are_breaks``: the source treats a newline as a line break and a
    blank line as a paragraph (WordPress comments, which are shown through
    ``wpautop``); in real HTML a newline is just a space.
    """
    if not markup:
        return ""
    if "<" not in markup:
        if "&" in markup:
            markup = _html.unescape(markup)
        if newlines_are_breaks or "\n" not in markup:
            return _tidy(markup)
        return " ".join(markup.split())
    if newlines_are_breaks:
        markup = markup.replace("\r\n", "\n").replace("\n", "<br>\n")
    return _tidy(get_text(markup, _CONFIG))


def _tidy(text: str) -> str:
    lines = [line.rstrip() for line in text.replace("\r\n", "\n").split("\n")]
    return "\n".join(lines).strip("\n").strip()
