"""The one-line header every screen shows: where we are (cluster, repo) and how fresh the picture is."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import PurePath

from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget

from gitops_tui.model import HeaderInfo
from gitops_tui.ui.cells import duration, time_left


class StatusHeader(Widget):
    DEFAULT_CSS = """
    StatusHeader {
        dock: top;
        height: 1;
        background: $panel;
        color: $foreground;
    }
    """

    info: reactive[HeaderInfo | None] = reactive(None)
    last_reconcile: reactive[float] = reactive(0.0)  # time.time() of the last finished reconcile, 0: none yet
    reconciling: reactive[bool] = reactive(False)
    problem: reactive[str] = reactive("")  # the last reconcile failed: why

    def __init__(self, clock: Callable[[], float] = time.time, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.clock = clock

    def on_mount(self) -> None:
        # the age of the last reconcile ticks
        self.set_interval(1.0, self.refresh)

    def render(self) -> Text:
        width = self.size.width or 200
        line = self._line(with_server=True)
        if line.cell_len > width:  # narrow terminal: the server URL goes first, the context never
            line = self._line(with_server=False)
        line.truncate(width, overflow="ellipsis")
        return line

    def _line(self, *, with_server: bool) -> Text:
        info = self.info
        parts: list[Text] = []
        if info is None:
            parts.append(Text(" ⎈ connecting…", style="dim"))
        else:
            cluster = Text(" ⎈ ", style="bold")
            cluster.append(info.context or "(no context)", style="bold cyan")
            if info.server and with_server:
                cluster.append(f" {info.server}", style="dim")
            parts.append(cluster)
            if info.clusters:  # the repository's clusters (Flux clusters/<name>) and where each points
                mapped = Text("")
                for i, (name, context) in enumerate(info.clusters):
                    mapped.append(", " if i else "")
                    mapped.append(name, style="magenta")
                    mapped.append(f"→{context}", style="red" if context.startswith("(") else "cyan")
                parts.append(mapped)
            repo = Text("⎇ ", style="bold")
            repo.append(PurePath(info.repo).name or info.repo, style="bold")
            repo.append(f":{info.branch}" if info.branch else "", style="magenta")
            repo.append(f"@{info.head}" if info.head else "", style="dim")
            parts.append(repo)
            if info.read_only:
                parts.append(Text(" READ-ONLY ", style="bold black on yellow"))
            automation = "auto: on" if info.automation else "auto: off"
            parts.append(Text(automation, style="green" if info.automation else "dim"))
            frozen: dict[str, float] = getattr(self.app, "frozen_apps", dict)()
            if frozen:
                parts.append(
                    Text(
                        " ".join(f"❄ {a} {time_left(left)}" for a, left in sorted(frozen.items())),
                        style="blue",
                    )
                )
        parts.append(self._freshness())
        return Text(" │ ", style="dim").join(parts)

    def _freshness(self) -> Text:
        if self.problem:
            return Text(f"✗ {self.problem}", style="bold red")
        if self.reconciling and not self.last_reconcile:
            return Text("⟳ first reconcile…", style="yellow")
        if not self.last_reconcile:
            return Text("not reconciled yet", style="dim")
        age = duration(self.clock() - self.last_reconcile)
        text = Text(f"reconciled {age} ago", style="")
        if self.reconciling:
            text.append(" ⟳", style="yellow")
        return text
