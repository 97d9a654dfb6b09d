"""The detail pane: one comment in full, with its context, scores, suggestions, labels,
notes and who has it open; it scrolls (``J``/``K``), and with the context chain
open it scrolls to the comment itself.

It draws from either session (a thread's or the site's): both answer the same
questions about a comment."""

from __future__ import annotations

import re
from typing import Any

from rich.segment import Segment
from rich.text import Text
from textual.geometry import Region, Size
from textual.scroll_view import ScrollView
from textual.strip import Strip

from modtool.models import Comment, Thread
from modtool.safe_text import hidden_characters
from modtool.tui.text import bar, body_text, chip, comment_ref, safe, safe_line, styled
from modtool.tui.widgets.scrolling import SteadyScrollbars, set_virtual_size

BAR_WIDTH = 12
Block = tuple[Text, int, int]
"""A paragraph of the pane: its text, its indent, and the extra (hanging) indent of
its wrapped lines."""
ARTICLE_PREVIEW = 400


class DetailPane(SteadyScrollbars, ScrollView, can_focus=False):
    """Shows :attr:`comment_id` of :attr:`session`; ``context`` unfolds the whole chain.

    A Line API widget: the comment's ``Text`` is wrapped once per change (Rich's
    wrap) and lines are drawn as they scroll into view. A ``Static`` in a
    scrolling container re-measured and re-wrapped everything on each update,
    about 40 ms per cursor move.
    """

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self.session: Any = None
        self.comment_id: int | None = None
        self.context = False
        self.text = Text("")
        """What the pane shows now (tests and snapshots read it)."""
        self._blocks: list[Block] = []
        self._lines: list[Text] = []
        self._strips: dict[int, Strip] = {}
        self._wrapped_width = 0
        self._anchor_block = 0
        """The block where the comment itself starts (after the context)."""
        self.anchor = 0
        """The line where the comment itself starts, once wrapped."""

    def show(self, session: Any, cid: int | None, *, context: bool | None = None) -> None:
        folding = context is not None and context != self.context
        if context is not None:
            self.context = context
        moved = cid != self.comment_id or session is not self.session
        self.session, self.comment_id = session, cid
        if cid is None or not session.has(cid):
            self._set_text(styled("No comment selected.", "italic dim"))
            return
        before = self._part_context(session, cid)
        self._anchor_block = len(before) + 1
        self._set_blocks(
            [
                *before,
                (Text(""), 0, 0),
                (self._part_comment(session, cid), 0, 0),
                (self._part_scores(session, cid), 0, 0),
                *self._part_suggestions(session, cid),
                (self._part_labels(session, cid), 0, 0),
                *self._part_notes(session, cid),
            ]
        )
        if moved or folding:
            # With the chain open the comment stays in view: its line at the top (once
            # the new lines have their size: the scrollbar may only now appear).
            self.scroll_to(y=0, animate=False)
            if self.context and self.anchor:
                self.call_after_refresh(self.scroll_to, y=self.anchor, animate=False)

    def scroll_lines(self, lines: int) -> None:
        """Scroll the pane (``J``/``K``) by ``lines`` (a page when ``0``)."""
        step = lines or max(1, self.scrollable_content_region.height - 1)
        self.scroll_to(y=max(0, self.scroll_offset.y + step), animate=False)

    def refresh_labels(self) -> None:
        """The review state changed (an action, another moderator): repaint."""
        if self.session is not None:
            self.show(self.session, self.comment_id)

    def _set_text(self, text: Text) -> None:
        self._set_blocks([(text, 0, 0)])

    def _set_blocks(self, blocks: list[Block]) -> None:
        """Show ``blocks``: ``(text, indent, hang)``, each wrapped on its own so that
        its lines keep their indent (``indent`` for every line, ``hang`` more for the
        lines after the first: a hanging indent)."""
        self._blocks = blocks
        self.text = Text("\n").join(
            Text.assemble(" " * indent, text) if indent else text for text, indent, _ in blocks
        )
        self._wrap()

    def _wrap(self) -> None:
        # The scrollbar's column is kept free even while it is hidden: wrapping first
        # and then losing a column to the scrollbar cut the last character of every
        # long line ("…$5bn Troo", issue 21.9).
        width = self.scrollable_content_region.width
        if not self.show_vertical_scrollbar:
            width -= self.styles.scrollbar_size_vertical
        if width <= 0:
            return
        self._wrapped_width = width
        console = self.app.console
        lines: list[Text] = []
        for number, (text, indent, hang) in enumerate(self._blocks):
            if number == self._anchor_block:
                self.anchor = len(lines)
            if not indent and not hang:
                lines += text.wrap(console, width)
                continue
            for number, line in enumerate(text.wrap(console, max(8, width - indent - hang))):
                line.pad_left(indent + (hang if number else 0))
                lines.append(line)
        self._lines = lines
        self._strips.clear()
        set_virtual_size(self, Size(width, len(self._lines)))
        self.refresh()

    def on_resize(self) -> None:
        width = self.scrollable_content_region.width
        if not self.show_vertical_scrollbar:
            width -= self.styles.scrollbar_size_vertical
        if width != self._wrapped_width:
            self._wrap()

    def render_lines(self, crop: Region) -> list[Strip]:
        # ``rich_style`` walks the ancestors' styles: once per paint, not per line.
        self._base_style = self.rich_style
        return super().render_lines(crop)

    def render_line(self, y: int) -> Strip:
        index = y + int(self.scroll_offset.y)
        width = self.scrollable_content_region.width
        base = getattr(self, "_base_style", None) or self.rich_style
        if index >= len(self._lines):
            return Strip.blank(width, base)
        strip = self._strips.get(index)
        if strip is None:
            line = self._lines[index]
            segments = [
                Segment(s.text, base + s.style if s.style else base, s.control)
                for s in line.render(self.app.console)
            ]
            strip = self._strips[index] = Strip(segments).adjust_cell_length(width, base)
        return strip

    # -- parts ---------------------------------------------------------------------
    def _part_context(self, session: Any, cid: int) -> list[Block]:
        chain = session.ancestors(cid)
        if not self.context:
            if not chain:
                hint = "top-level comment on the article · c: show the article"
                return [(styled(hint, "dim"), 0, 0)]
            parent = chain[-1]
            text = Text()
            text.append("↳ in reply to ", style="dim")
            text.append_text(safe_line(parent.author, 30, style="bold"))
            text.append(f" {comment_ref(parent.path, parent.id)}: ", style="dim")
            text.append_text(safe_line(parent.body, 90, style="dim italic"))
            return [
                (text, 0, 2),
                (styled("c: show the whole chain up to the article", "dim"), 2, 0),
            ]
        thread = session.thread_of(cid)
        title = Text()
        title.append("ARTICLE  ", style="bold reverse")
        title.append(" ")
        title.append_text(safe(thread.title, style="bold"))
        blocks: list[Block] = [(title, 0, 0)]
        article = " ".join(thread.article.split())
        if article:
            shown = article if len(article) <= ARTICLE_PREVIEW else article[:ARTICLE_PREVIEW] + "…"
            blocks.append((safe(shown, style="dim"), 0, 0))
        for depth, ancestor in enumerate(chain, 1):
            head = styled("└ ", "dim")
            head.append_text(safe(ancestor.author, style="bold"))
            head.append(f" {comment_ref(ancestor.path, ancestor.id)}", style="dim")
            body = safe(" ".join(ancestor.body.split()))
            body.stylize("dim")
            blocks += [(head, 2 * depth, 2), (body, 2 * depth + 2, 0)]
        blocks.append((styled("c: fold the context", "dim"), 2, 0))
        return blocks

    def _part_comment(self, session: Any, cid: int) -> Text:
        comment = session.comment(cid)
        replies = session.replies(cid)
        flags = session.flags(cid)
        text = Text()
        text.append_text(safe(comment.author, style="bold underline"))
        text.append(f"  {comment_ref(comment.path, comment.id)}", style="bold")
        if comment.line is not None:
            text.append(f"  line {comment.line}", style="dim")
        if replies:
            text.append(f"  {replies} {'reply' if replies == 1 else 'replies'} below", style="dim")
        thread = session.thread_of(cid)
        if getattr(session, "site", False):
            text.append("\nin thread ", style="dim")
            text.append(f"{thread.id} ", style="dim")
            text.append_text(safe_line(thread.title, 200, style="italic"))
        origin = _origin(thread, comment)
        if origin.plain:
            text.append("\n")
            text.append_text(origin)
        hidden = sorted(
            set(hidden_characters(comment.body)) | set(hidden_characters(comment.author))
        )
        if hidden:
            text.append(
                f"\n⚠ hidden characters shown as ⟨U+…⟩: {', '.join(hidden)}", style="bold red"
            )
        markup = (comment.meta or {}).get("markup_warning")
        if markup:
            text.append("\n⚠ unusual markup on the site: ", style="bold red")
            text.append_text(safe(str(markup), style="bold red"))
        if "control" in flags:
            text.append("\n⚠ terminal control characters were removed", style="bold red")
        text.append("\n\n")
        colours = {key: getattr(d, "colour", "") for key, d in session.labels.items()}
        text.append_text(body_text(comment.body, session.highlights(cid), colours))
        return text

    def _part_scores(self, session: Any, cid: int) -> Text:
        text = styled("\nSCORES ", "bold")
        by_model = session.scores_of(cid)
        if not by_model:
            text.append("  not scored yet", style="dim")
            return text
        chosen = session.headline(cid)
        width = max(len(attribute) for scores in by_model.values() for attribute in scores)
        # Name, bar and value on one line, however narrow the pane.
        bar_width = max(4, min(BAR_WIDTH, self.size.width - width - 11))
        for model in sorted(by_model):
            text.append("\n")
            text.append(model, style="italic")
            for attribute, value in sorted(by_model[model].items(), key=lambda kv: -kv[1]):
                marker = (
                    "▶"
                    if chosen and chosen.model == model and chosen.attribute == attribute
                    else " "
                )
                text.append(f"\n {marker}{attribute:<{width}} ")
                text.append_text(bar(value, bar_width))
                text.append(f" {value:.3f}", style="bold" if marker != " " else "")
        return text

    def _part_suggestions(self, session: Any, cid: int) -> list[Block]:
        suggestions = session.suggestions_of(cid)
        if not suggestions:
            return [(Text(""), 0, 0)]
        blocks: list[Block] = [(styled("\nSUGGESTED BY THE POLICY", "bold"), 0, 0)]
        for suggestion in suggestions:
            definition = session.labels.get(suggestion.label)
            text = chip(suggestion.label, getattr(definition, "colour", None))
            text.append(f" rule {suggestion.rule}", style="dim")
            if suggestion.automatic:
                text.append(" (automatic)", style="dim")
            blocks.append((text, 1, 2))
            for reason in suggestion.reasons:
                blocks.append((Text.assemble("· ", _reason(reason)), 3, 2))
        return blocks

    def _part_labels(self, session: Any, cid: int) -> Text:
        text = styled("\nREVIEW", "bold")
        claim = session.claim_of(cid)
        if claim is not None:
            minutes = max(1, round(claim.seconds_left() / 60))
            text.append("\n ⚑ ", style="bold yellow")
            text.append_text(safe_line(claim.moderator, 20, style="bold yellow"))
            text.append(f" has it open (claim: {minutes} min left)", style="yellow")
        mine = session.mine(cid)
        text.append("\n you: ")
        text.append_text(_state(session, mine.state, mine.labels))
        if session.edited_since_review(cid):
            text.append("\n ✎ edited after your review", style="bold yellow")
            text.append(": your verdict was for an earlier text", style="yellow")
        for moderator, state in session.others(cid).items():
            text.append("\n ")
            text.append_text(safe_line(moderator, 20))
            text.append(": ")
            text.append_text(_state(session, state.state, state.labels))
            if session.edited_since_review(cid, moderator):
                text.append(" ✎ before an edit", style="yellow")
        return text

    def _part_notes(self, session: Any, cid: int) -> list[Block]:
        notes = session.notes(cid)
        if not notes:
            return []
        blocks: list[Block] = [(styled("\nNOTES", "bold"), 0, 0)]
        for note in notes:
            text = Text()
            text.append_text(safe_line(note.moderator, 20, style="bold"))
            text.append(f" {when(note.at)}: ", style="dim")
            text.append_text(safe(" ".join(note.text.split())))
            blocks.append((text, 1, 2))
        return blocks


def _origin(thread: Thread, comment: Comment) -> Text:
    """Where an imported platform comment comes from: the platform's own id, its date,
    and its status there when it is not simply visible. Plain-text threads have none
    of this beyond the path (their external id), which the header already shows."""
    text = Text()
    platform = thread.platform or "text"
    if comment.external_id and platform != "text":
        text.append(f"{platform} ", style="dim")
        text.append_text(safe_line(comment.external_id, 60))
    if comment.created_at:
        if text.plain:
            text.append(" · ", style="dim")
        text.append(when(comment.created_at), style="dim")
    if comment.status and comment.status != "visible":
        if text.plain:
            text.append(" · ", style="dim")
        text.append_text(safe_line(f"{comment.status} on the platform", 40, style="bold yellow"))
    return text


def when(iso: str) -> str:
    """An ISO 8601 UTC time as ``2024-05-01 12:03 UTC`` (anything else as it came, made safe)."""
    found = re.match(r"(\d{4}-\d\d-\d\d)[T ](\d\d:\d\d)", iso)
    if found and (iso.endswith(("Z", "+00:00")) or len(iso) <= 19):
        return f"{found.group(1)} {found.group(2)} UTC"
    return " ".join(safe_line(iso, 40).plain.split())


def _state(session: Any, state: str, labels: frozenset[str]) -> Text:
    if state == "approved":
        return styled("approved ✓", "bold green")
    if not labels:
        return styled("unreviewed", "dim")
    text = Text()
    for key in sorted(labels):
        definition = session.labels.get(key)
        name = getattr(definition, "name", key)
        text.append_text(chip(key, getattr(definition, "colour", None)))
        text.append(f" {name}  ")
    return text


def _reason(reason: dict) -> Text:
    kind = reason.get("kind")
    if kind == "score":
        return Text(
            f"{reason.get('model')} {reason.get('attribute')} = {float(reason.get('score', 0)):.3f} "
            f"{reason.get('op', '≥')} {reason.get('threshold')}"
        )
    if kind == "regex":
        spans = reason.get("spans") or []
        where = reason.get("field", "body")
        text = Text(f"{where} matched ")
        text.append_text(safe(str(reason.get("pattern", "")), style="italic"))
        note = ", highlighted above" if where == "body" else ""
        text.append(f" ({len(spans)}×{note})", style="dim")
        return text
    if kind == "author":
        text = Text("author is ")
        text.append_text(safe(str(reason.get("author", "")), style="bold"))
        return text
    if kind == "depth":
        return Text(
            f"reply depth {reason.get('depth')} {reason.get('op', '≥')} {reason.get('threshold')}"
        )
    # Anything else: show its fields literally.
    return safe(", ".join(f"{k}={v}" for k, v in reason.items()))
