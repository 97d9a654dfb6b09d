"""The footer, recomposed only when the keys it shows change.

Textual's ``Footer`` rebuilds all its key widgets whenever bindings *may* have
changed (every focus change); switching between the tree and the queue then
costs a remount of some twenty widgets although the visible keys are the same.
"""

from __future__ import annotations

from textual.screen import Screen
from textual.widgets import Footer


class QuietFooter(Footer):
    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self._shown: tuple | None = None

    def bindings_changed(self, screen: Screen) -> None:
        shown = tuple(
            (binding.key, binding.description, enabled)
            for (_, binding, enabled, _tooltip) in screen.active_bindings.values()
            if binding.show
        )
        if shown == self._shown and self._bindings_ready:
            return
        self._shown = shown
        super().bindings_changed(screen)
