"""HTML comment bodies to the plain text modtool shows and scores.

libxml2's HTML parser (through lxml, already a dependency) does all the
parsing: malformed markup is recovered the way browsers mostly do, entities
are decoded, comments and processing instructions are dropped. A small walk
over the parsed tree then lays the text out:

* ``<p>``, headings, ``<pre>``, ``<blockquote>``, lists and tables are blocks
  separated by a blank line; ``<div>`` and other blocks start a new line;
  ``<br>`` is a line break; whitespace inside text collapses as in a browser
  (kept as is in ``<pre>``);
* ``<li>`` is ``* item`` (``1. item`` in ``<ol>``), nested lists two spaces
  deeper; a ``<blockquote>``'s lines start with ``> ``;
* a link keeps its text and its target: ``[text](url)``, or just the text
  when it is the URL itself (or there is no ``href``); an image shows its
  ``alt`` text;
* ``<script>``, ``<style>``, ``<template>``, ``<head>`` and the like are dropped.

Text without ``<`` skips the parser (only entities are decoded), and so do
paragraphs of such text (``<p>…</p><p>…</p>``, the common Disqus body).
Nothing is escaped or stripped for the terminal here: ``[bold]`` and control
characters (ESC) stay in the text, and the terminal layer makes them
harmless. libxml2 keeps control characters but turns NUL into U+FFFD, so a
NUL rides through the parse as a private-use stand-in and is put back.

Why not inscriptis (used before): measured in one process on 200 Disqus-like
bodies of one or two ``<p>`` (best of 8 runs, shared 2-core CPU), inscriptis
took 45 µs per body and this parse + walk 8 µs; a plain WordPress body takes
4 µs. At inscriptis' cost the HTML alone would cap an import below the
~38,000 comments/s the issue asks for. Inscriptis also indents nested blocks
oddly (``<div>a</div><div>b</div>`` came out as ``a\n  b``).
"""

from __future__ import annotations

import html as _html
import re

from lxml import etree

from modtool.importers.records import MARKUP_WARNINGS

_PARSER = etree.HTMLParser(
    remove_comments=True,
    remove_pis=True,
    no_network=True,
    default_doctype=False,
    compact=True,
)

_DROP = frozenset(
    {
        "script",
        "style",
        "template",
        "head",
        "title",
        "noscript",
        "iframe",
        "object",
        "embed",
        "select",
        "button",
    }
)
_PARAGRAPH = frozenset(
    {"p", "pre", "blockquote", "ul", "ol", "dl", "table", "h1", "h2", "h3", "h4", "h5", "h6", "hr"}
)
_LINE_TAGS = frozenset(
    {
        "div",
        "li",
        "dt",
        "dd",
        "tr",
        "section",
        "article",
        "header",
        "footer",
        "aside",
        "nav",
        "main",
        "figure",
        "figcaption",
        "address",
        "details",
        "summary",
        "form",
        "fieldset",
        "center",
        "caption",
    }
)
_CELL = frozenset({"td", "th"})

_NUL_STAND_IN = "\U000f0000"  # Supplementary Private Use Area-A

# Layout marks in the flat output list (text pieces are str, marks are int).
_BR = 1  # <br>: end the line, even an empty one
_LINE = 2  # a block edge: end the line if it has text
_PARA = 3  # a paragraph edge: end the line, and a blank line before more text


class _Verbatim(str):
    """Text from <pre>: leading spaces kept."""

    __slots__ = ()


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
        if "\r" in markup:
            markup = markup.replace("\r\n", "\n").replace("\r", "\n")
        if _simple(markup):
            return _tidy(markup)
        if not newlines_are_breaks:
            return _tidy(_collapse(markup))
        # Whitespace collapses within each line, as the parser path does.
        return _tidy("\n".join(_collapse(line).strip(" ") for line in markup.split("\n")))
    if markup.startswith("<p>"):
        text = _bare_paragraphs(markup, newlines_are_breaks)
        if text is not None:
            return text
    nul = "\x00" in markup
    if nul:
        markup = markup.replace("\x00", _NUL_STAND_IN)
    try:
        root = etree.fromstring(markup, _PARSER)
    except (etree.ParserError, etree.XMLSyntaxError, ValueError):
        root = None
    if len(markup) >= 3 * _LIBXML2_DEPTH and _too_deep():
        # libxml2 stopped at its depth limit and dropped the rest without an
        # error: the whole text is read again by a tokenizer that keeps it all.
        text, depth, hidden = _flat_text(markup, newlines_are_breaks)
        _warn(f"nested {depth:,} deep")
        if hidden:
            _warn(f"text hidden by style ({hidden})")
    elif root is None:  # nothing but comments / whitespace, or unparseable
        return ""
    else:
        if _may_hide(markup):
            hidden = _hidden_by_style(root)
            if hidden:
                _warn(f"text hidden by style ({hidden})")
        text = _plain_paragraphs(root, newlines_are_breaks)
        if text is None:
            out: list[str | int] = []
            _Walker(out, newlines_are_breaks).walk(root, "")
            text = _layout(out)
    if nul:
        text = text.replace(_NUL_STAND_IN, "\x00")
    return text


# -- unusual markup: deeper than libxml2 goes, text hidden by style ---------------------

_LIBXML2_DEPTH = 255
"""libxml2's HTML parser drops everything nested this deep or deeper (an error
in the parser's log, nothing raised)."""


def _may_hide(markup: str) -> bool:
    """Whether the markup names ``style`` or ``hidden`` at all, in any ASCII case (the
    parser lowercases attribute names that way): two substring tests, where the
    case-insensitive regular expression used before visited every position, a
    tenth of the time of a small body with a link."""
    lowered = markup.lower()
    return "style" in lowered or "hidden" in lowered


_HIDING = re.compile(
    r"display\s*:\s*none|visibility\s*:\s*(?:hidden|collapse)"
    r"|font-size\s*:\s*0*\.?0*(?:px|em|rem|pt|%)?\s*(?:;|$|!)"
    r"|opacity\s*:\s*0*\.?0*\s*(?:;|$|!)",
    re.IGNORECASE,
)
_VOID = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}
)


def _warn(message: str) -> None:
    """Note unusual markup for the record being read (a few at most: the pipeline
    takes them after each record; a caller outside an import never does)."""
    if len(MARKUP_WARNINGS) < 8:
        MARKUP_WARNINGS.append(message)


def _too_deep() -> bool:
    return any(
        entry.type_name == "ERR_RESOURCE_LIMIT" and "depth" in entry.message
        for entry in _PARSER.error_log
    )


def _hiding(style: str | None, hidden_attribute: bool) -> str | None:
    """What hides an element (``display:none``, ``font-size:0``, …), or ``None``."""
    if hidden_attribute:
        return "hidden"
    if not style:
        return None
    found = _HIDING.search(style)
    if found is None:
        return None
    return re.sub(r"\s+", "", found.group(0)).rstrip(";!").lower()


def _hidden_by_style(root: etree._Element) -> str | None:
    """The first style that hides some text of the parsed body, or ``None``."""
    for element in root.iter():
        if type(element.tag) is not str:
            continue
        reason = _hiding(element.get("style"), element.get("hidden") is not None)
        if reason and "".join(element.itertext()).strip():
            return reason
    return None


_TOKEN = re.compile(
    r"<!--.*?(?:-->|\Z)"  # a comment
    r"|<(/?)([A-Za-z][^\s/>]*)((?:[^>\"']|\"[^\"]*\"|'[^']*')*)>"  # a tag: end?, name, attributes
    r"|<[!?][^>]*>",  # a doctype, a processing instruction
    re.DOTALL,
)
_ATTRIBUTE = re.compile(r"""([^\s=/>]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]*)))?""", re.DOTALL)
_RAW_TEXT = frozenset({"script", "style", "template", "title", "noscript", "iframe", "textarea"})


def _attributes(text: str) -> dict[str, str]:
    return {
        match.group(1).lower(): _html.unescape(
            next((g for g in match.group(2, 3, 4) if g is not None), "")
        )
        for match in _ATTRIBUTE.finditer(text)
    }


def _flat_text(markup: str, breaks: bool) -> tuple[str, int, str | None]:
    """``(text, deepest nesting, what hid text or None)`` of markup of any depth.

    Every text node, in order, with block edges as layout marks: no tree, so
    no depth limit and no recursion (the fallback for markup libxml2 will not
    nest). A flat scan with one regular expression: 100,000 nested tags take
    well under a second.
    """
    out: list[str | int] = []
    depth = deepest = dropping = 0
    hiding: list[tuple[int, str]] = []  # open elements hiding their content: (depth, why)
    hidden: str | None = None
    position = 0
    end = len(markup)
    while position < end:
        match = _TOKEN.search(markup, position)
        data = markup[position : match.start() if match else end]
        if data and not dropping:
            if hiding and hidden is None and data.strip():
                hidden = hiding[-1][1]
            data = _html.unescape(data) if "&" in data else data
            if breaks and "\n" in data:
                for number, line in enumerate(data.replace("\r\n", "\n").split("\n")):
                    if number:
                        out.append(_BR)
                    if line:
                        out.append(_collapse(line))
            else:
                out.append(data if _simple(data) else _collapse(data))
        if match is None:
            break
        position = match.end()
        name = match.group(2)
        if name is None:  # a comment, a doctype
            continue
        tag = name.lower()
        closing = bool(match.group(1))
        attributes = match.group(3)
        kind = _KIND.get(tag, 0)
        if kind in (_PARA_K, _QUOTE_K, _LIST_K, _PRE_K, _HR_K):
            out.append(_PARA)
        elif kind in (_LINE_K, _LI_K):
            out.append(_LINE)
        elif closing:
            pass
        elif kind == _BR_K:
            out.append(_BR)
        elif kind == _IMG_K and not dropping and "alt" in attributes.lower():
            alt = _attributes(attributes).get("alt")
            if alt:
                out.append(_collapse(alt))
        elif kind == _CELL_K and out and type(out[-1]) is str:
            out.append("  ")
        if tag in _VOID:
            continue
        if closing:
            if hiding and hiding[-1][0] >= depth:
                hiding.pop()
            if kind == _DROP_K and dropping:
                dropping -= 1
            depth = max(0, depth - 1)
            continue
        if attributes.rstrip().endswith("/"):
            continue
        depth += 1
        deepest = max(deepest, depth)
        lowered = attributes.lower()
        if "style" in lowered or "hidden" in lowered:
            named = _attributes(attributes)
            reason = _hiding(named.get("style"), "hidden" in named)
            if reason:
                hiding.append((depth, reason))
        if tag in _RAW_TEXT:  # its content is not markup: skipped to its end tag
            close = re.compile(rf"</{re.escape(tag)}\s*>", re.IGNORECASE).search(markup, position)
            position = close.end() if close else end
            depth -= 1
        elif kind == _DROP_K:
            dropping += 1
    return _layout(out), deepest, hidden


def _bare_paragraphs(markup: str, breaks: bool) -> str | None:
    """``<p>text</p><p>text</p>`` with no other ``<`` and no ``&`` at all: the parser
    would hand back exactly these texts, so it is skipped (a test compares).

    The same kind of shortcut as text without ``<``: nothing is parsed by hand,
    anything else (attributes, inline tags, entities) returns ``None``.
    """
    if not markup.startswith("<p>") or not markup.endswith("</p>") or "&" in markup:
        return None
    pieces = markup[3:-4].split("</p><p>")
    paragraphs = []
    for piece in pieces:
        if "<" in piece or (breaks and "\n" in piece):
            return None
        text = (piece if _simple(piece) else _collapse(piece)).lstrip(" ").rstrip()
        if text:
            paragraphs.append(text)
    return "\n\n".join(paragraphs)


def _plain_paragraphs(root: etree._Element, breaks: bool) -> str | None:
    """The text of ``<p>plain text</p><p>…</p>`` (most Disqus bodies) without the walk.

    ``None`` when the body has anything else (other tags, markup inside a
    paragraph, text between paragraphs): the walk lays that out. The result is
    the walk's, which a test checks.
    """
    body = root[-1] if len(root) else None
    if body is None or body.tag != "body":
        return None
    lead = body.text
    if lead and not lead.isspace():
        return None
    paragraphs = []
    for paragraph in body:
        if paragraph.tag != "p" or len(paragraph):
            return None
        tail = paragraph.tail
        if tail and not tail.isspace():
            return None
        text = paragraph.text
        if text:
            if breaks and "\n" in text:
                return None
            text = (text if _simple(text) else _collapse(text)).lstrip(" ").rstrip()
            if text:
                paragraphs.append(text)
    return "\n\n".join(paragraphs)


# What each tag does to the layout (anything else is inline: only its text counts).
_DROP_K, _BR_K, _IMG_K, _PARA_K, _LINE_K, _LIST_K, _LI_K, _PRE_K, _QUOTE_K, _A_K, _CELL_K, _HR_K = (
    range(1, 13)
)
_KIND: dict[str, int] = {
    **dict.fromkeys(_DROP, _DROP_K),
    **dict.fromkeys(_PARAGRAPH, _PARA_K),
    **dict.fromkeys(_LINE_TAGS, _LINE_K),
    **dict.fromkeys(_CELL, _CELL_K),
    "br": _BR_K,
    "img": _IMG_K,
    "ul": _LIST_K,
    "ol": _LIST_K,
    "li": _LI_K,
    "pre": _PRE_K,
    "blockquote": _QUOTE_K,
    "a": _A_K,
    "hr": _HR_K,
}


def _collapse(text: str) -> str:
    """Each run of HTML whitespace (space, tab, newline, CR, FF) as one space.

    Plain string methods, not a regex: Python's ``re`` visits every space of a
    long body, which made this the slowest step of the import.
    """
    for char in "\n\t\r\f":
        if char in text:
            text = text.replace(char, " ")
    if "  " not in text:
        return text
    core = " ".join(filter(None, text.split(" ")))
    lead = " " if text[0] == " " else ""
    tail = " " if core and text[-1] == " " else ""
    return lead + core + tail


def _simple(text: str) -> bool:
    """True if ``text`` has no whitespace to collapse (the common case, checked fast)."""
    return "  " not in text and "\n" not in text and "\t" not in text and "\r" not in text


class _Walker:
    __slots__ = ("breaks", "lists", "out")

    def __init__(self, out: list[str | int], breaks: bool) -> None:
        self.out = out
        self.breaks = breaks
        self.lists: list[list[int]] = []  # per open list: [is_ordered, next_number]

    def text(self, text: str, pre: bool) -> None:
        out = self.out
        if pre:
            for number, line in enumerate(text.replace("\r\n", "\n").split("\n")):
                if number:
                    out.append(_BR)
                out.append(_Verbatim(line))
        elif self.breaks and "\n" in text:
            for number, line in enumerate(text.replace("\r\n", "\n").split("\n")):
                if number:
                    out.append(_BR)
                if line:
                    out.append(line if _simple(line) else _collapse(line))
        else:
            out.append(text if _simple(text) else _collapse(text))

    def walk(self, element: etree._Element, quote: str, pre: bool = False) -> None:
        """Lay out one element's content (its tail is the caller's)."""
        out = self.out
        tag = element.tag
        kind = _KIND.get(tag, 0) if type(tag) is str else _DROP_K
        if not kind:  # inline: the hot path
            text = element.text
            if text:
                if pre or self.breaks or not _simple(text):
                    self.text(text, pre)
                else:
                    out.append(text)
            for child in element:
                self.walk(child, quote, pre)
                tail = child.tail
                if tail:
                    if pre or self.breaks or not _simple(tail):
                        self.text(tail, pre)
                    else:
                        out.append(tail)
            return
        if kind == _DROP_K:
            return
        if kind == _BR_K:
            out.append(_BR)
            return
        if kind == _IMG_K:
            alt = element.get("alt")
            if alt:
                out.append(_collapse(alt))
            return
        if kind == _HR_K:
            out.append(_PARA)
            return
        mark = 0
        if kind in (_PARA_K, _PRE_K):
            mark = _PARA
            pre = pre or kind == _PRE_K
        elif kind == _LINE_K:
            mark = _LINE
        elif kind == _QUOTE_K:
            mark = _PARA
            out.append(mark)
            quote += "> "
            out.append(_Quote(quote))
        elif kind == _LIST_K:
            mark = _LINE if self.lists else _PARA  # a list inside a list item: no blank line
            self.lists.append([tag == "ol", 1])
        elif kind == _LI_K:
            mark = _LINE
            out.append(mark)
            out.append(self._bullet())
        elif kind == _CELL_K and out and type(out[-1]) is str:
            out.append("  ")
        if mark and kind != _QUOTE_K and kind != _LI_K:
            out.append(mark)
        start = len(out)
        if element.text:
            self.text(element.text, pre)
        for child in element:
            self.walk(child, quote, pre)
            if child.tail:
                self.text(child.tail, pre)
        if kind == _A_K:
            href = element.get("href")
            if href:
                self._link(start, href.strip())
        elif kind == _LIST_K:
            self.lists.pop()
        elif kind == _QUOTE_K:
            out.append(_PARA)
            out.append(_Quote(quote[:-2]))
            return
        if mark:
            out.append(mark)

    def _bullet(self) -> str:
        depth = len(self.lists)
        if not depth:
            return _Verbatim("* ")
        state = self.lists[-1]
        indent = "  " * (depth - 1)
        if state[0]:
            number = state[1]
            state[1] += 1
            return _Verbatim(f"{indent}{number}. ")
        return _Verbatim(f"{indent}* ")

    def _link(self, start: int, href: str) -> None:
        if not href:
            return
        pieces = self.out[start:]
        label = "".join(p for p in pieces if type(p) is str).strip()
        if label == href or (label and _same_url(label, href)):
            return
        if not label:
            self.out.append(href)
            return
        self.out.insert(start, "[")
        self.out.append(f"]({href})")


def _same_url(label: str, href: str) -> bool:
    def bare(url: str) -> str:
        url = url.rstrip("/")
        for scheme in ("https://", "http://", "mailto:"):
            if url.startswith(scheme):
                return url[len(scheme) :]
        return url

    return bare(label) == bare(href)


class _Quote(str):
    """A mark: lines from here on start with this quote prefix."""

    __slots__ = ()


def _layout(out: list[str | int]) -> str:
    """Join text pieces and layout marks into lines and paragraphs."""
    lines: list[str] = []
    current: list[str] = []
    quote = ""
    last_blank = True  # the last line is blank (or there is none yet)
    blank = False  # a blank line is due before the next text
    blank_quote = ""  # its quote prefix: the shallower side's
    for piece in out:
        kind = type(piece)
        if kind is str or kind is _Verbatim:
            if not current:
                if kind is str:
                    piece = piece.lstrip(" ")  # type: ignore[union-attr]
                    if not piece:
                        continue
                if blank:
                    blank = False
                    if not last_blank:
                        lines.append(blank_quote.rstrip())
            current.append(piece)  # type: ignore[arg-type]
            continue
        if current:
            line = "".join(current).rstrip()
            lines.append(quote + line if line else quote.rstrip())
            last_blank = not line
            current = []
            if piece == _PARA:
                blank, blank_quote = True, quote
        elif piece == _BR:
            lines.append(quote.rstrip())
            last_blank = True
        elif piece == _PARA and not blank:
            blank, blank_quote = True, quote
        if kind is _Quote:
            if not blank:
                blank_quote = quote
            quote = str(piece)
            if len(quote) < len(blank_quote):
                blank_quote = quote
    if current:
        line = "".join(current).rstrip()
        lines.append(quote + line if line else quote.rstrip())
    text = "\n".join(lines)
    return _BLANKS.sub("\n\n", text).strip("\n") if "\n\n\n" in text else text.strip("\n")


_BLANKS = re.compile(r"\n{3,}")


def _tidy(text: str) -> str:
    """Trailing spaces off each line, at most one blank line in a row, no blank ends."""
    if " \n" in text or "\t\n" in text or "\r" in text:
        text = "\n".join(line.rstrip() for line in text.replace("\r\n", "\n").split("\n"))
    if "\n\n\n" in text:
        text = _BLANKS.sub("\n\n", text)
    return text.strip()
