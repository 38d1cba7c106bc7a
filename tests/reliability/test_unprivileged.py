"""An unprivileged kubeconfig (RBAC forbids every verb on every resource; discovery stays open, as for any
authenticated user): every command and screen says "forbidden" with the verb and the resource, nothing
crashes, the commands exit 2, and nothing is written anywhere."""

from __future__ import annotations

import asyncio
import html
import io
import re

import pytest

from .conftest import Env, no_traceback
from .reltools import tree_state, writes

FORBIDDEN = re.compile(r"forbidden: cannot (list|get|patch|create|delete|update) [a-z.]+")


@pytest.fixture
def locked_out(env: Env, monkeypatch: pytest.MonkeyPatch) -> Env:
    env.kubectl.scale("Deployment", "web", "web", 5)  # drift to act on, made before the lock-out
    env.server.rbac.deny("*", "*")
    monkeypatch.setattr("sys.stdin", io.StringIO())
    return env


def test_every_command_says_forbidden_with_verb_and_resource(locked_out: Env) -> None:
    env = locked_out
    before_tree = tree_state(env.repo)
    before = len(env.server.requests.records)
    runs = [
        ["status"],
        ["status", "--json"],
        ["diff", "web"],
        ["diff", "web", "--json"],
        ["adopt", "web", "--resource", "Deployment/web/web", "--yes"],
    ]
    for args in runs:
        code, out, err = env.cli(*args)
        no_traceback(err)
        assert code == 2, (args, out, err)
        assert FORBIDDEN.search(out + err), (args, out, err)
    code, out, err = env.cli("history", "web")  # Git only: works without the cluster
    assert code == 0 and "initial" in out, err
    assert writes(env.server, before) == []
    assert tree_state(env.repo) == before_tree


@pytest.mark.parametrize("args", [["sync", "web", "--dry-run"], ["sync", "web", "--yes"]])
def test_sync_says_forbidden(locked_out: Env, args: list[str]) -> None:
    before = len(locked_out.server.requests.records)
    code, out, err = locked_out.cli(*args)
    no_traceback(err)
    assert writes(locked_out.server, before) == []
    assert code == 2 and FORBIDDEN.search(out + err), (out, err)


def test_status_names_each_forbidden_listing(locked_out: Env) -> None:
    code, apps, _err = locked_out.status()
    assert code == 2
    for name, app in apps.items():
        assert app["sync"] == "Unknown"
        assert f'in namespace "{name}"' in app["error"] and FORBIDDEN.search(app["error"]), app


def test_the_tui_says_forbidden_and_keeps_running(locked_out: Env) -> None:
    from gitops_tui.ui.app import GitopsApp, make_app

    async def run() -> list[str]:
        app = make_app(locked_out.ws)
        shots = []
        async with app.run_test(size=(160, 40)) as pilot:
            assert isinstance(app, GitopsApp)
            for _ in range(300):
                await pilot.pause(0.02)
                if app.snapshot is not None and not app.reconciling:
                    break
            shots.append(app.export_screenshot())
            app.open_app("web")
            await pilot.pause(0.3)
            shots.append(app.export_screenshot())
            await pilot.press("r")
            await pilot.pause(0.3)
            assert app.is_running
        return shots

    for svg in asyncio.run(run()):
        text = html.unescape(re.sub(r"<[^>]+>", "", svg)).replace("\xa0", " ")
        assert "forbidden" in text, text[-3000:]
