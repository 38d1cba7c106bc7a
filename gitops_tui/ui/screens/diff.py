"""The Diff screen: one resource, several (a whole app's drift, with a jump list), or a commit's patch."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.message import Message
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from gitops_tui.model import Commit, GitopsError, ResourceKey
from gitops_tui.ui.backend import Backend
from gitops_tui.ui.diff_documents import error_document, resource_document
from gitops_tui.ui.patch import patch_documents
from gitops_tui.ui.screens.base import BaseScreen
from gitops_tui.ui.widgets.diff_layout import DiffDocument
from gitops_tui.ui.widgets.diff_view import DiffView

Labelled = list[tuple[str, DiffDocument]]  # (jump-list label, document)


class DiffSource(Protocol):
    """What a Diff screen shows and how to fetch it (blocking: called in a thread worker)."""

    @property
    def title(self) -> str: ...

    @property
    def left_label(self) -> str: ...

    @property
    def right_label(self) -> str: ...

    @property
    def follows_snapshots(self) -> bool: ...  # reload when a reconcile finishes

    def load(self, backend: Backend, now: float) -> Labelled: ...


@dataclass(frozen=True)
class ResourceSource:
    targets: Sequence[tuple[str, ResourceKey]]  # (app, resource)
    left_label: str = "Git"
    right_label: str = "Live"
    follows_snapshots: bool = True

    @property
    def title(self) -> str:
        apps = sorted({app for app, _ in self.targets})
        if len(self.targets) == 1:
            return f"{apps[0]} · {self.targets[0][1].display()}"
        return f"{', '.join(apps)} · {len(self.targets)} resources"

    def load(self, backend: Backend, now: float) -> Labelled:
        several_apps = len({app for app, _ in self.targets}) > 1
        out: Labelled = []
        for app, key in self.targets:
            label = f"{app}: {key.display()}" if several_apps else key.display()
            try:
                document = resource_document(backend.resource_detail(app, key), now)
            except GitopsError as exc:
                document = error_document(key.display(), exc.message)
            if several_apps:
                document = DiffDocument(**{**document.__dict__, "title": f"{app} · {document.title}"})
            out.append((label, document))
        return out


@dataclass(frozen=True)
class CommitSource:
    commit: Commit
    follows_snapshots: bool = False

    @property
    def title(self) -> str:
        return f"{self.commit.short} {self.commit.summary} — {self.commit.author}"

    @property
    def left_label(self) -> str:
        return f"before {self.commit.short}"

    @property
    def right_label(self) -> str:
        return f"after {self.commit.short}"

    def load(self, backend: Backend, now: float) -> Labelled:
        documents = patch_documents(backend.commit_diff(self.commit.sha))
        if not documents:
            return [
                (
                    "(empty)",
                    DiffDocument(title=self.title, left="", right="", note="no changes in this commit"),
                )
            ]
        return [(doc.title.split("  @@")[0], doc) for doc in documents]


class DiffScreen(BaseScreen):
    BINDINGS = [
        Binding("right_square_bracket", "next_document", "Next file", id="diff.next_document", show=False),
        Binding(
            "left_square_bracket", "previous_document", "Prev file", id="diff.previous_document", show=False
        ),
        Binding(
            "a",
            "adopt",
            "Adopt",
            id="diff.adopt",
            tooltip="Write the live values of the change under the cursor (or the whole resource) into Git",
        ),
    ]

    @dataclass
    class DocumentsLoaded(Message):
        documents: Labelled

    def __init__(self, source: DiffSource) -> None:
        super().__init__()
        self.source = source
        self._loaded = False

    def compose_body(self) -> ComposeResult:
        yield Static(Text(self.source.title, style="bold"), id="title", classes="screen-title")
        with Horizontal(id="diff-body"):
            yield OptionList(id="jump")
            yield DiffView(id="diff", left_label=self.source.left_label, right_label=self.source.right_label)

    @property
    def diff(self) -> DiffView:
        return self.query_one(DiffView)

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one("#jump").display = False
        self.diff.loading = True
        self.diff.focus()
        self.load()

    def snapshot_changed(self, snapshot: Any) -> None:
        if self._loaded and self.source.follows_snapshots:
            self.load()

    @work(thread=True, exclusive=True, group="diff", exit_on_error=False, description="load the diff")
    def load(self) -> None:
        try:
            documents = self.source.load(self.gitops.backend, self.gitops.clock())
        except GitopsError as exc:
            documents = [(self.source.title, error_document(self.source.title, exc.message))]
        self.post_message(self.DocumentsLoaded(documents))

    @on(DocumentsLoaded)
    def _show(self, message: DocumentsLoaded) -> None:
        first = not self._loaded
        self._loaded = True
        diff = self.diff
        diff.set_documents([doc for _, doc in message.documents])
        diff.loading = False
        if first:
            # Focused in on_mount while loading, the diff may have lost it to the screen's auto-focus on
            # a busy machine; the first keys (n, u, e) must reach it. Later reloads leave focus alone.
            diff.focus()
        jump = self.query_one("#jump", OptionList)
        jump.display = len(message.documents) > 1
        highlighted = jump.highlighted
        jump.clear_options()
        jump.add_options(Option(label) for label, _ in message.documents)
        if message.documents:
            jump.highlighted = min(highlighted or 0, len(message.documents) - 1)

    @on(OptionList.OptionSelected, "#jump")
    def _jump(self, event: OptionList.OptionSelected) -> None:
        self.diff.goto_document(event.option_index)
        self.diff.focus()

    @on(DiffView.DocumentEntered)
    def _entered(self, event: DiffView.DocumentEntered) -> None:
        jump = self.query_one("#jump", OptionList)
        if jump.option_count > event.index:
            jump.highlighted = event.index

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "adopt":
            return isinstance(self.source, ResourceSource) and self.gitops.mutation_allowed()
        return super().check_action(action, parameters)

    def action_adopt(self) -> None:
        """Adopt the drifted fields of the change under the cursor; before the first change, the whole
        resource. The fields are found again from the lines in the worker (see Mutations.adopt_lines)."""
        if not isinstance(self.source, ResourceSource) or not self._loaded:
            return
        diff = self.diff
        document = diff._layout.document_at(diff.cursor)
        if not 0 <= document < len(self.source.targets):
            return
        app_name, key = self.source.targets[document]
        change = diff.current_change
        rows = [r for r in diff.rows if r.doc == document and r.change == change] if change >= 0 else []
        left = {r.left for r in rows if r.left is not None}
        right = {r.right for r in rows if r.right is not None}
        self.gitops.mutations.adopt_lines(app_name, key, left, right)

    def action_next_document(self) -> None:
        diff = self.diff
        diff.goto_document(diff._layout.document_at(diff.cursor) + 1)

    def action_previous_document(self) -> None:
        diff = self.diff
        diff.goto_document(max(0, diff._layout.document_at(diff.cursor) - 1))
