"""The confirm dialog every mutation goes through: what will happen (the blast radius), where (the kube
context, large), options (prune, dry run, push, sync afterwards), the operator's reason where one is
asked for, and an explicit yes. Escape or `n` cancels and nothing happens. Also the result dialog."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Input, Static

from gitops_tui.ui.frames import PromptFrames


@dataclass(frozen=True)
class Option:
    name: str  # key in the answer
    label: str
    value: bool = False
    key: str = ""  # a letter that ticks or unticks it (not while typing the reason)


@dataclass(frozen=True)
class Answer:
    options: dict[str, bool] = field(default_factory=dict)
    reason: str = ""


class Tickbox(Checkbox):
    """A checkbox that shows its state without colour: `X` ticked, blank not. Textual's draws an X either
    way and tells them apart by colour only, which a monochrome or NO_COLOR terminal loses — and "Prune"
    must never be ambiguous."""

    @property
    def BUTTON_INNER(self) -> str:  # type: ignore[override]  # noqa: N802 - Textual's name
        return "X" if self.value else " "


COMPACT_BELOW = 30  # terminal rows under which dialogs drop their spacing


class _FitsTheTerminal:
    """A dialog whose fixed parts (title, context, options, buttons) stay on screen in a small terminal (a
    tmux split): the scrolling body gets the rows that are left, at least three."""

    def on_mount(self) -> None:
        self._fit()

    def on_resize(self, _event: events.Resize) -> None:
        self._fit()

    def _fit(self) -> None:
        screen: ModalScreen[object] = self  # type: ignore[assignment]
        compact = screen.size.height < COMPACT_BELOW
        screen.query_one("#confirm-dialog").set_class(compact, "compact")
        screen.call_after_refresh(self._fit_body, compact)

    def _fit_body(self, compact: bool) -> None:
        screen: ModalScreen[object] = self  # type: ignore[assignment]
        dialog = screen.query_one("#confirm-dialog")
        body = screen.query_one("#confirm-body")
        fixed = sum(
            child.outer_size.height + child.styles.margin.top + child.styles.margin.bottom
            for child in dialog.children
            if child is not body and child.display
        )
        limit = screen.size.height if compact else int(screen.size.height * 0.9)
        body.styles.max_height = max(3, limit - dialog.styles.gutter.height - fixed)


class ConfirmScreen(PromptFrames, _FitsTheTerminal, ModalScreen[Answer | None]):
    """Dismissed with an Answer on confirm, None on cancel."""

    BINDINGS = [
        Binding("escape,n", "cancel", "Cancel", id="confirm.cancel", tooltip="Do nothing"),
        Binding("ctrl+y", "confirm", "Confirm", id="confirm.yes", tooltip="Go ahead"),
    ]

    def __init__(
        self,
        title: str,
        body: Sequence[Text | str],
        *,
        context: str = "",
        confirm_label: str = "Confirm",
        options: Sequence[Option] = (),
        reason_prompt: str = "",
        blocked: str = "",
        danger: bool = False,
    ) -> None:
        super().__init__(classes="confirm")
        self.title_text = title
        self.body = list(body)
        self.context = context
        self.confirm_label = confirm_label
        self.options = list(options)
        self.reason_prompt = reason_prompt
        self.blocked = blocked
        self.danger = danger

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm-dialog"):
            yield Static(Text(self.title_text, style="bold"), id="confirm-title")
            if self.context:
                where = Text("on ", style="bold")
                where.append(f" {self.context} ", style="bold reverse yellow")
                yield Static(where, id="confirm-context")
            with VerticalScroll(id="confirm-body"):
                body = Text()
                for i, line in enumerate(self.body):
                    if i:
                        body.append("\n")
                    body.append_text(line if isinstance(line, Text) else _styled(line))
                yield Static(body)
            if self.blocked:
                yield Static(Text(self.blocked, style="bold red"), id="confirm-blocked")
            for option in self.options:
                label = (
                    Text.assemble((option.key, "bold"), "  ", option.label) if option.key else option.label
                )
                yield Tickbox(label, option.value, id=f"opt-{option.name}")
            if self.reason_prompt:
                yield Input(placeholder=self.reason_prompt, id="confirm-reason")
            with Horizontal(id="confirm-buttons"):
                hint = (
                    "esc cancels"
                    if self.blocked
                    else f"ctrl+y or {self.confirm_label} goes ahead · esc cancels"
                )
                yield Static(Text(hint, style="dim"), id="confirm-hint")
                if not self.blocked:
                    yield Button(
                        self.confirm_label, variant="error" if self.danger else "primary", id="confirm-yes"
                    )
                yield Button("Cancel", id="confirm-no")

    def on_mount(self) -> None:
        super().on_mount()
        # Focus Cancel first: a stray enter must never confirm a mutation. Where a reason is asked for,
        # the reason field: typing it is what comes next (enter there moves on to the confirm button).
        # Not query_one: on a loaded machine a dialog confirmed at once can be gone before this runs.
        first = self.query("#confirm-reason" if self.reason_prompt else "#confirm-no")
        if first:
            first.first().focus()

    def on_key(self, event: events.Key) -> None:
        """An option's letter ticks or unticks it: Tab from Cancel reaches the scrolling body first, and
        space there scrolls — at 3 a.m. "Prune" must take one key, not a hunt for focus."""
        if isinstance(self.focused, Input):
            return
        for option in self.options:
            if option.key and event.key == option.key:
                box = self.query_one(f"#opt-{option.name}", Checkbox)
                box.value = not box.value
                event.stop()
                event.prevent_default()
                return

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "confirm-yes":
            self.action_confirm()
        else:
            self.action_cancel()

    def on_input_submitted(self, _event: Input.Submitted) -> None:
        if not self.blocked:
            self.query_one("#confirm-yes", Button).focus()

    def action_confirm(self) -> None:
        if self.blocked:
            return
        options = {o.name: self.query_one(f"#opt-{o.name}", Checkbox).value for o in self.options}
        reason = self.query_one("#confirm-reason", Input).value if self.reason_prompt else ""
        self.dismiss(Answer(options, reason.strip()))

    def action_cancel(self) -> None:
        self.dismiss(None)


class ResultScreen(PromptFrames, _FitsTheTerminal, ModalScreen[None]):
    """What a mutation did, line by line; any key closes it."""

    BINDINGS = [Binding("escape,enter,q", "close", "Close", id="result.close")]

    def __init__(self, title: str, lines: Sequence[str], *, ok: bool) -> None:
        super().__init__(classes="confirm")
        self.title_text = title
        self.lines = list(lines)
        self.ok = ok

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm-dialog"):
            yield Static(
                Text(self.title_text, style="bold green" if self.ok else "bold red"), id="confirm-title"
            )
            with VerticalScroll(id="confirm-body"):
                body = Text()
                for i, line in enumerate(self.lines):
                    if i:
                        body.append("\n")
                    body.append_text(_styled(line))
                yield Static(body)
            with Horizontal(id="confirm-buttons"):
                yield Button("Close", id="result-close")

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one("#result-close", Button).focus()

    def on_button_pressed(self, _event: Button.Pressed) -> None:
        self.dismiss(None)

    def action_close(self) -> None:
        self.dismiss(None)


class ProgressScreen(PromptFrames, ModalScreen[None]):
    """A running mutation, one line per resource as it finishes. It cannot be dismissed: the mutation runs
    to its end, and the result dialog replaces it (see Mutations)."""

    def __init__(self, title: str, total: int) -> None:
        super().__init__(classes="confirm")
        self.title_text = title
        self.total = total
        self.lines: list[str] = []

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm-dialog"):
            yield Static(Text(self.title_text, style="bold"), id="confirm-title")
            yield Static(self._counter(), id="progress-count")
            with VerticalScroll(id="confirm-body"):
                yield Static("", id="progress-lines")

    def _counter(self) -> Text:
        # total 0: not known up front (a revert's syncs are planned after the revert commit)
        of = f" / {self.total}" if self.total else ""
        return Text(f"{len(self.lines)}{of} done", style="dim")

    def add(self, line: str) -> None:
        self.lines.append(line)
        body = Text()
        for i, text in enumerate(self.lines):
            if i:
                body.append("\n")
            body.append_text(_styled(text))
        self.query_one("#progress-lines", Static).update(body)
        self.query_one("#progress-count", Static).update(self._counter())


def _styled(line: str) -> Text:
    """Colour the plain lines of gitops_tui.actions.describe: failures red, takeovers yellow, diffs +/-."""
    stripped = line.lstrip()
    if "WILL FAIL" in line or stripped.startswith(("FAILED", "blocked", "error")):
        return Text(line, style="bold red")
    if stripped.startswith("takes over") or stripped.startswith("prune") or stripped.startswith("skip"):
        return Text(line, style="yellow")
    if stripped.startswith("ok "):
        return Text(line, style="green")
    if line.startswith("+") and not line.startswith("+++"):
        return Text(line, style="green")
    if line.startswith("-") and not line.startswith("---"):
        return Text(line, style="red")
    if line.startswith("@@"):
        return Text(line, style="cyan")
    return Text(line)
