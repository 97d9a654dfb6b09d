"""Change a scroll view's virtual size without relaying out the whole screen.

``Widget.virtual_size`` is a layout reactive: every change (a new comment in
the detail pane, a new queue) schedules a full-screen layout for the next
frame, and the layout then refreshes the scrollbars, which costs one more
frame. When the vertical scrollbar stays as it is (shown or not), the
widget's place on the screen cannot change, so updating the scrollbar and
repainting the widget in the same frame shows the same screen, sooner.
"""

from __future__ import annotations

from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.widget import Widget


def set_virtual_size(view: ScrollView, size: Size) -> None:
    """Give ``view`` the virtual ``size``; a layout only if a scrollbar appears or goes."""
    if size == view.virtual_size:
        return
    styles = view.styles
    container = view.container_size
    if styles.overflow_x != "hidden" or styles.overflow_y != "auto" or not container:
        view.virtual_size = size  # the general (layout) path
        return
    if (size.height > container.height) != view.show_vertical_scrollbar:
        view.virtual_size = size  # the scrollbar comes or goes: the content width changes
        return
    view.set_reactive(Widget.virtual_size, size)
    view._scroll_update(size)  # the scrollbar's thumb, in this frame
    view.scroll_y = view.validate_scroll_y(view.scroll_y)
    view.refresh()


class SteadyScrollbars:
    """Mix into a scroll view: skip the scrollbar update of a relayout that changed nothing.

    ``ScrollView`` compares its own virtual size with the one the layout passes
    (the visible area, never equal), so every screen layout updates its
    scrollbars, and the scrollbars then repaint in a frame of their own: about
    30 ms more for a view switch. The scrollbars are updated when the size, the
    container or the virtual size changed since the last update.
    """

    def _size_updated(
        self, size: Size, virtual_size: Size, container_size: Size, layout: bool = True
    ) -> bool:
        view: ScrollView = self  # type: ignore[assignment]
        key = (size, container_size, view.virtual_size)
        if key == getattr(self, "_scrollbars_for", None):
            # What ScrollView returns when the size is unchanged.
            return view._container_size != container_size
        self._scrollbars_for = key
        return super()._size_updated(size, virtual_size, container_size, layout)  # type: ignore[misc]
