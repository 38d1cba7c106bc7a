"""The footer: Textual's, redrawn only when the keys it shows change.

Textual's Footer rebuilds all its key widgets (and restyles them) on every bindings update — and those come
with every focus move, every table refresh and every screen switch. Rebuilding it when nothing it shows has
changed cost most of the time of opening a Diff screen and the worst key-press latencies while reconciles
land; this one compares what it would show first.
"""

from __future__ import annotations

from typing import Any

from textual.screen import Screen
from textual.widgets import Footer


class KeyFooter(Footer):
    _shown: tuple[Any, ...] | None = None

    def _what_it_shows(self, screen: Screen[Any]) -> tuple[Any, ...]:
        return tuple(
            (key, binding.action, binding.description, enabled, tooltip, self.app.get_key_display(binding))
            for key, (_node, binding, enabled, tooltip) in screen.active_bindings.items()
            if binding.show or key == self.app.COMMAND_PALETTE_BINDING
        )

    def bindings_changed(self, screen: Screen[Any]) -> None:
        if self.is_attached and screen is self.screen and screen.app.app_focus:
            shows = self._what_it_shows(screen)
            if shows == self._shown:
                return
            self._shown = shows
        super().bindings_changed(screen)
