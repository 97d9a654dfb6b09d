"""The reply tree, built lazily: a node's children are added the first time it opens.

A 20,000-comment thread opens by adding the top-level comments and opening
nodes in document order only until a small budget of lines is shown; the rest
is built when the moderator (or ``n``, or a view switch) goes there. Labels
are drawn from the :class:`~modtool.moderation.Session` at render time and
cached per comment, so an action repaints one line, not the tree.

``Tree`` rebuilds its whole list of shown lines after any change, a pass over
every open line (tens of milliseconds once a large thread is mostly open).
Opening the way to a comment and loading a page of top-level comments here
splice their lines into the list instead, and never relayout the screen
unless the scrollbar comes or goes.
"""

from __future__ import annotations

from rich.style import Style
from rich.text import Text
from textual import events
from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.widgets import Tree
from textual.widgets._tree import _TreeLine
from textual.widgets.tree import TreeNode

from modtool.moderation import Session
from modtool.tui.messages import CommentHighlighted
from modtool.tui.text import badge, safe_line, styled
from modtool.tui.widgets.labels import label_chips
from modtool.tui.widgets.scrolling import SteadyScrollbars, set_virtual_size

OPEN_BUDGET = 400
"""Lines opened up front when the tree is first built."""
PAGE = 500
"""Top-level comments added at a time; a "more" line at the end loads the next page."""
PREVIEW = 60
ROOT = -1
MORE = -2


class CommentTree(SteadyScrollbars, Tree[int]):
    """The thread as a collapsible reply tree; node data is the comment id."""

    def __init__(self, session: Session | None = None, **kwargs: object) -> None:
        super().__init__(Text("thread"), data=ROOT, **kwargs)
        self.auto_expand = False
        self.guide_depth = 3
        self.session = session
        self._comment_nodes: dict[int, TreeNode[int]] = {}
        self._built: set[int] = set()
        self._label_cache: dict[int, tuple[Text, Text]] = {}
        self._top_index: dict[int, int] = {}
        self._top_loaded = 0
        self._more: TreeNode[int] | None = None

    # -- building ----------------------------------------------------------------
    def load(self, session: Session) -> None:
        """Show ``session``'s thread: top-level comments, opened within the budget."""
        self.session = session
        self.clear()
        self._comment_nodes.clear()
        self._built = set()
        self._label_cache.clear()
        thread = session.thread
        root_label = styled("▣ ", "bold")
        root_label.append_text(safe_line(thread.title, 200, style="bold"))
        root_label.append(f"  {len(session)} comments", style="dim")
        self.root.set_label(root_label)
        self.root.expand()
        self._built.add(ROOT)
        self._top_index = {cid: i for i, cid in enumerate(session.top_level)}
        self._top_loaded = 0
        self._more = None
        self._load_top(0)
        shown = self._top_loaded
        queue = list(session.top_level[: self._top_loaded])
        while queue and shown < OPEN_BUDGET:
            cid = queue.pop(0)
            children = session.nodes[cid].children
            if not children:
                continue
            node = self._comment_nodes[cid]
            self._ensure_built(node)
            node.expand()
            shown += len(children)
            queue.extend(children)

    def _load_top(self, index: int) -> None:
        """Make sure top-level comments up to position ``index`` are in the tree, a page
        at a time; keep a "more" line at the end while any are left."""
        assert self.session is not None
        top = self.session.top_level
        if index < self._top_loaded:
            return
        lines = self._tree_lines_cached
        root = self.root
        first = len(root._children)
        if self._more is not None:
            first -= 1
            if lines and lines[-1].path[-1] is self._more:
                lines.pop()
            else:
                lines = None
            self._more._remove()
            self._more = None
        end = min(len(top), max(index + 1, self._top_loaded + PAGE))
        end = min(len(top), -(-end // PAGE) * PAGE)  # whole pages
        self._build_children(root, top[self._top_loaded : end])
        self._top_loaded = end
        if end < len(top):
            hidden = sum(1 + self.session.nodes[cid].descendants for cid in top[end:])
            label = styled(
                f"… {len(top) - end} more top-level comments ({hidden} in all): "
                "move here to load them",
                "italic dim",
            )
            more = self._add_node(root, self.process_label(label), MORE)
            more._allow_expand = False
            root._children.append(more)
            self._more = more
        root._updates += 1
        if lines is None or not root._expanded or not self.show_root or lines[0].node is not root:
            self._invalidate()
            return
        # Append the new top-level lines (they open collapsed) after the old ones.
        children = root._children
        final = len(children) - 1
        for position in range(first, len(children)):
            self._add_lines(lines[0].path, children[position], position == final, lines)
        self._lines_changed()

    def _load_more_here(self) -> None:
        """The cursor reached the "more" line: load the next page under it."""
        node = self.cursor_node
        if node is None or node.data != MORE:
            return
        line = self.cursor_line
        self._load_top(self._top_loaded)
        _ = self._tree_lines
        self.cursor_line = -1
        self.move_cursor_to_line(min(line, self.last_line))

    def _build_children(self, parent: TreeNode[int], ids: list[int]) -> None:
        """Add ``ids`` under ``parent`` in one go; the caller updates the lines.

        ``TreeNode.add`` invalidates the whole tree on every call (a relayout per
        node); thousands of top-level comments would cost seconds.
        """
        assert self.session is not None
        nodes = self.session.nodes
        placeholder = Text("")
        for cid in ids:
            node = self._add_node(parent, placeholder, cid)
            node._allow_expand = bool(nodes[cid].children)
            parent._children.append(node)
            self._comment_nodes[cid] = node
        parent._updates += 1

    def _ensure_built(self, node: TreeNode[int]) -> None:
        cid = node.data
        if cid is None or cid in self._built or self.session is None:
            return
        self._built.add(cid)
        self._build_children(node, self.session.nodes[cid].children)
        if node._expanded:
            self._invalidate()  # shown children appeared (a collapsed node shows none)

    def on_tree_node_expanded(self, event: Tree.NodeExpanded[int]) -> None:
        self._ensure_built(event.node)

    def node_for(self, cid: int) -> TreeNode[int] | None:
        """The node of ``cid``, building and opening its ancestors first."""
        if self.session is None or cid not in self.session.nodes:
            return None
        chain = self.session.ancestors(cid)
        top = chain[0].id if chain else cid
        self._load_top(self._top_index[top])
        if cid not in self._comment_nodes:
            for ancestor in chain:
                node = self._comment_nodes[ancestor.id]
                self._ensure_built(node)
        opened = [
            self._comment_nodes[ancestor.id]
            for ancestor in chain
            if not self._comment_nodes[ancestor.id]._expanded
        ]
        for node in opened:
            # What ``TreeNode.expand`` does, without rebuilding every line each time.
            node._expanded = True
            node._updates += 1
            self.post_message(Tree.NodeExpanded(node).set_sender(self))
        if opened and not self._splice_open(opened[0]):
            self._invalidate()
        return self._comment_nodes.get(cid)

    def select_comment(self, cid: int) -> None:
        node = self.node_for(cid)
        if node is not None and self.cursor_node is not node:
            _ = self._tree_lines  # build the lines now, so the node knows its line
            self.move_cursor(node)

    @property
    def selected_comment(self) -> int | None:
        node = self.cursor_node
        return node.data if node is not None and node.data not in (ROOT, MORE) else None

    # -- drawing -------------------------------------------------------------------
    def changed(self, cids: set[int] | list[int]) -> None:
        """Repaint the lines of these comments (their labels changed)."""
        for cid in cids:
            self._label_cache.pop(cid, None)
            node = self._comment_nodes.get(cid)
            if node is not None:
                node.refresh()

    def rescored(self) -> None:
        self._label_cache.clear()
        self._invalidate()

    def notify_style_update(self) -> None:
        """A style change (focus, theme, shown again) changes how lines look, not which
        lines there are: repaint without rebuilding the line list (``Tree`` rebuilds
        it, which costs a pass over every open line of a large thread)."""
        ScrollView.notify_style_update(self)
        self._line_cache.clear()
        self._updates += 1
        self.refresh()

    def _on_resize(self, event: events.Resize) -> None:
        # ``Tree._on_resize`` (which runs next) rebuilds every line; the lines do not
        # depend on the size (drawn lines are cached per width), and showing the tree
        # again after the queue is a resize.
        self._resize_only = True

    def _invalidate(self) -> None:
        """``Tree._invalidate`` without the screen relayout: the lines are rebuilt when
        next needed, and :meth:`_build` relayouts only if the scrollbar comes or goes."""
        if getattr(self, "_resize_only", False):
            self._resize_only = False  # the layout repaints a widget whose size changed
            return
        self._line_cache.clear()
        self._updates += 1
        self._tree_lines_cached = None
        self.root._reset()
        self.refresh()

    # -- the list of shown lines ----------------------------------------------------
    def _build(self) -> None:
        """All shown lines, as ``Tree._build`` makes them, without measuring labels."""
        lines: list[_TreeLine[int]] = []
        if self.show_root:
            self._add_lines([], self.root, True, lines)
        else:
            for node in self.root._children:
                self._add_lines([], node, True, lines)
        self._tree_lines_cached = lines
        self._lines_changed(rebuilt=True)

    @staticmethod
    def _add_lines(
        path: list[TreeNode[int]], node: TreeNode[int], last: bool, lines: list[_TreeLine[int]]
    ) -> None:
        """Append the lines of ``node`` and of its shown descendants, in tree order."""
        stack = [(path, node, last)]
        pop, push, add = stack.pop, stack.append, lines.append
        while stack:
            path, node, last = pop()
            child_path = [*path, node]
            node._line = len(lines)
            add(_TreeLine(child_path, last))
            children = node._children
            if node._expanded and children:
                final = len(children) - 1
                for position in range(final, -1, -1):
                    push((child_path, children[position], position == final))

    def _splice_open(self, node: TreeNode[int]) -> bool:
        """``node`` (shown, collapsed until now) was expanded: insert its lines.

        False when the lines are not built or do not show ``node``; the caller
        then rebuilds them all.
        """
        lines = self._tree_lines_cached
        at = node._line
        if lines is None or not 0 <= at < len(lines) or lines[at].path[-1] is not node:
            return False
        below: list[_TreeLine[int]] = []
        children = node._children
        final = len(children) - 1
        for position, child in enumerate(children):
            self._add_lines(lines[at].path, child, position == final, below)
        lines[at + 1 : at + 1] = below
        for index in range(at + 1, len(lines)):
            lines[index].path[-1]._line = index
        self._lines_changed()
        return True

    def _lines_changed(self, rebuilt: bool = False) -> None:
        """After the lines changed: drop drawn lines, size, keep the cursor on its node."""
        lines = self._tree_lines_cached
        assert lines is not None
        if not rebuilt:
            self._line_cache.clear()
            self._updates += 1
            self.refresh()
        depth = max((len(line.path) for line in lines), default=1) - 1
        set_virtual_size(self, Size(depth * self.guide_depth, len(lines)))
        if self.cursor_line != -1:
            if self.cursor_node is not None:
                self.cursor_line = self.cursor_node._line
            if self.cursor_line >= len(lines):
                self.cursor_line = -1

    def get_label_width(self, node: TreeNode[int]) -> int:
        """Labels are cut to the widget's width (no horizontal scrolling), so the tree
        need not render every label to measure it: that made a rebuild O(lines)."""
        return 0

    def render_label(self, node: TreeNode[int], base_style: Style, style: Style) -> Text:
        """The node's label, cut with an ellipsis where the pane ends (never mid-word
        at the edge: issue 21.9)."""
        text = self._label(node, base_style, style)
        depth, parent = 0, node._parent
        while parent is not None:
            depth, parent = depth + 1, parent._parent
        room = self.scrollable_content_region.width - depth * self.guide_depth
        if 0 < room < text.cell_len:
            text.truncate(room, overflow="ellipsis")
        return text

    def _label(self, node: TreeNode[int], base_style: Style, style: Style) -> Text:
        cid = node.data
        if self.session is None or cid is None or cid in (ROOT, MORE):
            return super().render_label(node, base_style, style)
        parts = self._label_cache.get(cid)
        if parts is None:
            parts = self._label_cache[cid] = self._make_label(cid)
        head, tail = parts
        text = Text()
        if node.allow_expand:
            text.append(self.ICON_NODE_EXPANDED if node.is_expanded else self.ICON_NODE, base_style)
        text.append_text(head)
        info = self.session.nodes[cid]
        if node.allow_expand and not node.is_expanded:
            # Collapsed: how much is hidden and how hot it gets, before the preview.
            text.append(f"+{info.descendants}", style="bold")
            if info.hottest is not None:
                text.append(" max ", style="dim")
                text.append_text(badge(info.hottest))
            text.append(" ")
        text.append_text(tail)
        text.stylize(style)
        return text

    def _make_label(self, cid: int) -> tuple[Text, Text]:
        """(badge, flag and author; labels, suggestions and preview) of a comment."""
        assert self.session is not None
        info = self.session.nodes[cid]
        comment = info.comment
        head = badge(info.headline.value if info.headline else None)
        head.append(" ")
        if info.flags:
            head.append("⚠ ", style="bold red")
        head.append_text(safe_line(comment.author, 24, style="bold"))
        head.append(" ")
        tail = label_chips(self.session, cid)
        tail.append_text(safe_line(comment.body, PREVIEW, style="dim"))
        return head, tail

    def watch_cursor_line(self, previous_line: int, line: int) -> None:
        super().watch_cursor_line(previous_line, line)
        node = self.cursor_node
        if node is not None and node.data == MORE:
            self.call_later(self._load_more_here)
            return
        cid = self.selected_comment
        if cid is not None:
            self.post_message(CommentHighlighted(cid, "tree"))
