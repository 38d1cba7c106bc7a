"""`?`: every key binding with its description, grouped by where it applies, with the user's remaps."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from gitops_tui.ui.frames import PromptFrames

BindingGroups = Sequence[tuple[str, Sequence[Binding]]]

# Hidden in read-only mode: they would only be refused.
MUTATING = frozenset({"sync", "adopt", "revert", "toggle_automation", "freeze"})


def key_for(binding: Binding, keymap: Mapping[str, str]) -> str:
    """The keys a binding answers to, as configured: the keymap entry for its id wins."""
    return keymap.get(binding.id, binding.key) if binding.id else binding.key


class HelpScreen(PromptFrames, ModalScreen[None]):
    BINDINGS = [
        Binding("escape,q,question_mark", "dismiss", "Close", id="help.close"),
        Binding("j,down", "scroll_down", "Down", id="help.down", show=False),
        Binding("k,up", "scroll_up", "Up", id="help.up", show=False),
    ]

    def __init__(self, groups: BindingGroups, keymap: Mapping[str, str]) -> None:
        super().__init__()
        self.groups = groups
        self.keymap = keymap

    def compose(self) -> ComposeResult:
        with Vertical(id="help-dialog"):
            yield Static(
                Text("Keys  (esc closes · remap any of them by id in config.yaml `keymap:`)", style="bold")
            )
            with VerticalScroll(id="help-body"):
                yield Static(self._table())

    def entries(self) -> list[tuple[str, str, str, str]]:
        """(group, keys, description, binding id) for every binding, as shown."""
        out: list[tuple[str, str, str, str]] = []
        settings = getattr(self.app, "settings", None)
        read_only = bool(getattr(settings, "read_only", False))
        for title, bindings in self.groups:
            seen: set[str] = set()
            for binding in bindings:
                if not binding.description or binding.action in seen:
                    continue
                if read_only and binding.action in MUTATING:
                    continue
                seen.add(binding.action)
                keys = key_for(binding, self.keymap)
                shown = " ".join(self.app.get_key_display(Binding(k.strip(), "")) for k in keys.split(","))
                description = binding.description
                if binding.tooltip:
                    description = f"{description} — {binding.tooltip}"
                out.append((title, shown, description, binding.id or ""))
        return out

    def _table(self) -> Group:
        """One table per group, titled (a title in the narrow key column would be cut)."""
        entries = self.entries()
        id_width = max((len(e[3]) for e in entries), default=0)
        tables: list[Table] = []
        for title, keys, description, binding_id in entries:
            if not tables or tables[-1].title != title:
                table = Table(
                    title=title,
                    title_style="bold underline",
                    title_justify="left",
                    box=None,
                    show_header=False,
                    expand=True,
                    padding=(0, 1),
                )
                table.add_column("key", style="bold cyan", no_wrap=True, width=16)
                table.add_column("action", ratio=1)  # the same widths in every group: one aligned list
                table.add_column("id", style="dim", no_wrap=True, width=id_width)
                tables.append(table)
            tables[-1].add_row(keys, description, binding_id)
        return Group(*tables)

    def action_scroll_down(self) -> None:
        self.query_one("#help-body", VerticalScroll).scroll_down()

    def action_scroll_up(self) -> None:
        self.query_one("#help-body", VerticalScroll).scroll_up()
