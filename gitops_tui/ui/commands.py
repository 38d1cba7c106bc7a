"""Command palette (`:` / ctrl+p): every action that applies where it was opened, and "go to app"."""

from __future__ import annotations

from functools import partial
from typing import cast

from textual.command import DiscoveryHit, Hit, Hits, Provider

from gitops_tui.ui.host import GitopsHost


class AppsProvider(Provider):
    """`api-production` → open that app's screen."""

    async def search(self, query: str) -> Hits:
        app = cast(GitopsHost, self.app)
        snapshot = app.snapshot
        if snapshot is None:
            return
        matcher = self.matcher(query)
        for status in snapshot.apps:
            name = status.app.id
            title = f"Open app {name}"
            score = matcher.match(title)
            if score > 0:
                help_text = f"{status.sync} · {status.health} · {status.app.path}"
                yield Hit(score, matcher.highlight(title), partial(app.open_app, name), help=help_text)

    async def discover(self) -> Hits:
        app = cast(GitopsHost, self.app)
        snapshot = app.snapshot
        if snapshot is None:
            return
        for status in snapshot.apps:
            if status.drifted or status.error:
                name = status.app.id
                yield DiscoveryHit(f"Open app {name}", partial(app.open_app, name), help=f"{status.sync}")
