"""The detail pane: one comment in full, with its context, scores, suggestions and labels."""

from __future__ import annotations

from rich.segment import Segment
from rich.text import Text
from textual.geometry import Region, Size
from textual.scroll_view import ScrollView
from textual.strip import Strip

from modtool.moderation import Session
from modtool.safe_text import hidden_characters
from modtool.tui.text import bar, body_text, chip, safe, safe_line, styled
from modtool.tui.widgets.scrolling import SteadyScrollbars, set_virtual_size

BAR_WIDTH = 12
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
        self.session: Session | None = None
        self.comment_id: int | None = None
        self.context = False
        self.text = Text("")
        """What the pane shows now (tests and snapshots read it)."""
        self._lines: list[Text] = []
        self._strips: dict[int, Strip] = {}
        self._wrapped_width = 0

    def show(self, session: Session, cid: int | None, *, context: bool | None = None) -> None:
        if context is not None:
            self.context = context
        moved = cid != self.comment_id
        self.session, self.comment_id = session, cid
        if cid is None or cid not in session.nodes:
            self._set_text(styled("No comment selected.", "italic dim"))
            return
        self._set_text(
            Text("\n").join(
                [
                    self._part_context(session, cid),
                    Text(""),
                    self._part_comment(session, cid),
                    self._part_scores(session, cid),
                    self._part_suggestions(session, cid),
                    self._part_labels(session, cid),
                ]
            )
        )
        if moved:
            self.scroll_to(y=0, animate=False)

    def refresh_labels(self) -> None:
        """The review state changed (an action, another moderator): repaint."""
        if self.session is not None:
            self.show(self.session, self.comment_id)

    def _set_text(self, text: Text) -> None:
        self.text = text
        self._wrap()

    def _wrap(self) -> None:
        width = self.scrollable_content_region.width
        if width <= 0:
            return
        self._wrapped_width = width
        self._lines = list(self.text.wrap(self.app.console, width))
        self._strips.clear()
        set_virtual_size(self, Size(width, len(self._lines)))
        self.refresh()

    def on_resize(self) -> None:
        if self.scrollable_content_region.width != self._wrapped_width:
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
    def _part_context(self, session: Session, cid: int) -> Text:
        chain = session.ancestors(cid)
        text = Text()
        if not self.context:
            if chain:
                parent = chain[-1]
                text.append("↳ in reply to ", style="dim")
                text.append_text(safe_line(parent.author, 30, style="bold"))
                text.append(": ", style="dim")
                text.append_text(safe_line(parent.body, 90, style="dim italic"))
                text.append("\n  c: show the whole chain up to the article", style="dim")
            else:
                text.append("top-level comment on the article · c: show the article", style="dim")
            return text
        thread = session.thread
        text.append("ARTICLE  ", style="bold reverse")
        text.append(" ")
        text.append_text(safe(thread.title, style="bold"))
        article = " ".join(thread.article.split())
        if article:
            text.append("\n")
            text.append_text(safe_line(article, ARTICLE_PREVIEW, style="dim"))
        for depth, ancestor in enumerate(chain, 1):
            text.append("\n" + "  " * depth + "└ ", style="dim")
            text.append_text(safe(ancestor.author, style="bold"))
            text.append(f" #{ancestor.path}\n", style="dim")
            body = safe(" ".join(ancestor.body.split()))
            body.stylize("dim")
            text.append("  " * depth + "  ")
            text.append_text(body)
        text.append("\n  c: fold the context", style="dim")
        return text

    def _part_comment(self, session: Session, cid: int) -> Text:
        info = session.nodes[cid]
        comment = info.comment
        text = Text()
        text.append_text(safe(comment.author, style="bold underline"))
        text.append(f"  #{comment.path}", style="dim")
        if comment.line is not None:
            text.append(f"  line {comment.line}", style="dim")
        if info.descendants:
            text.append(f"  {info.descendants} replies below", style="dim")
        hidden = sorted(
            set(hidden_characters(comment.body)) | set(hidden_characters(comment.author))
        )
        if hidden:
            text.append(
                f"\n⚠ hidden characters shown as ⟨U+…⟩: {', '.join(hidden)}", style="bold red"
            )
        if "control" in info.flags:
            text.append("\n⚠ terminal control characters were removed", style="bold red")
        text.append("\n\n")
        colours = {key: getattr(d, "colour", "") for key, d in session.labels.items()}
        text.append_text(body_text(comment.body, session.highlights(cid), colours))
        return text

    def _part_scores(self, session: Session, cid: int) -> Text:
        text = styled("\nSCORES ", "bold")
        by_model = session.scores.get(cid)
        if not by_model:
            text.append("  not scored yet", style="dim")
            return text
        chosen = session.nodes[cid].headline
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

    def _part_suggestions(self, session: Session, cid: int) -> Text:
        suggestions = session.suggestions.get(cid, ())
        if not suggestions:
            return Text("")
        text = styled("\nSUGGESTED BY THE POLICY", "bold")
        for suggestion in suggestions:
            definition = session.labels.get(suggestion.label)
            text.append("\n ")
            text.append_text(chip(suggestion.label, getattr(definition, "colour", None)))
            text.append(f" rule {suggestion.rule}", style="dim")
            if suggestion.automatic:
                text.append(" (automatic)", style="dim")
            for reason in suggestion.reasons:
                text.append("\n   · ")
                text.append_text(_reason(reason))
        return text

    def _part_labels(self, session: Session, cid: int) -> Text:
        text = styled("\nREVIEW", "bold")
        mine = session.mine(cid)
        text.append("\n you: ")
        text.append_text(_state(session, mine.state, mine.labels))
        for moderator, state in session.others(cid).items():
            text.append("\n ")
            text.append_text(safe_line(moderator, 20))
            text.append(": ")
            text.append_text(_state(session, state.state, state.labels))
        return text


def _state(session: Session, state: str, labels: frozenset[str]) -> Text:
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
