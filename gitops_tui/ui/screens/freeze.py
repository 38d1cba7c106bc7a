"""Ask for how long to freeze automation for one app (`f`): `30m`, `2h`, `90s`, or minutes; `0` lifts it."""

from __future__ import annotations

import re

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from gitops_tui.ui.cells import time_left
from gitops_tui.ui.frames import PromptFrames

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
MAX_FREEZE = 7 * 86400


def parse_duration(text: str) -> float:
    """Seconds from `90s`, `30m`, `2h`, `1d` or a bare number of minutes. Raises ValueError with a reason."""
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([smhd]?)\s*", text.lower())
    if not match:
        raise ValueError(f"{text.strip() or 'nothing'!r} is not a duration (try 30m, 2h, 90s)")
    seconds = float(match.group(1)) * _UNITS[match.group(2) or "m"]
    if seconds > MAX_FREEZE:
        raise ValueError("a freeze lasts at most 7 days")
    return seconds


class FreezeScreen(PromptFrames, ModalScreen[float | None]):
    DEFAULT_CSS = """
    FreezeScreen { align: center middle; }
    FreezeScreen > Vertical { width: 60; height: auto; border: thick $accent; background: $surface; padding: 1 2; }
    FreezeScreen #freeze-error { color: $error; height: auto; }
    """
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="freeze.cancel", tooltip="Do not freeze")]

    def __init__(self, app_name: str, frozen_for: float = 0.0) -> None:
        super().__init__()
        self.app_name = app_name
        self.frozen_for = frozen_for

    def compose(self) -> ComposeResult:
        with Vertical():
            title = Text("Freeze automation for ", style="bold")
            title.append(self.app_name, style="bold cyan")
            yield Static(title)
            hint = "How long? 30m, 2h, 90s (a number alone is minutes; 0 lifts the freeze)."
            frozen = self.frozen_for > 0
            if frozen:  # the likely wish is to lift it: 0 is filled in, a new time replaces the freeze
                hint += f"\nFrozen for another {time_left(self.frozen_for)}: enter lifts it, a time sets a new one."
            yield Static(hint)
            yield Input(value="0" if frozen else "30m", id="freeze-duration")
            yield Static("", id="freeze-error")

    @on(Input.Submitted, "#freeze-duration")
    def _submitted(self, event: Input.Submitted) -> None:
        try:
            seconds = parse_duration(event.value)
        except ValueError as exc:
            self.query_one("#freeze-error", Static).update(str(exc))
            return
        self.dismiss(seconds)

    def action_cancel(self) -> None:
        self.dismiss(None)
