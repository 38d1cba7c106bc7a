"""Secrets canary: Secrets whose values exist nowhere else — in Git (data and stringData), live, drifted
live, and rotated in a commit of the history — then every CLI command, the audit log, every file under the
XDG directories, the TUI's screens on this repo and the committed UI snapshots: the values (plain or base64)
never appear."""

from __future__ import annotations

import asyncio
import html
import io
import os
import re
from pathlib import Path

import pytest

from gitops_tui.cli import build_parser
from gitops_tui.sandbox.demo_manifests import SECRET_CANARY as DEMO_CANARY

from .conftest import Env, no_traceback
from .reltools import CANARY, CANARY_DRIFTED, b64, commit_all, git, tree_state, write

CANARY_STRING = "canary-stringdata-91ab7e-do-not-print"
CANARY_OLD = "canary-rotated-away-0d1e2f-do-not-print"
ALL = (CANARY, CANARY_DRIFTED, CANARY_STRING, CANARY_OLD, DEMO_CANARY)
NEEDLES = tuple(n for c in ALL for n in (c, b64(c)))

UI_TESTS = Path(__file__).resolve().parent.parent / "ui"


def leaks(text: str) -> list[str]:
    """Canary values found in text; SVG/HTML markup is removed first, since a value may be split into
    spans or written with entities (&#45; for '-')."""
    plain = html.unescape(re.sub(r"<[^>]+>", "", text)).replace("\xa0", " ")
    return [n for n in NEEDLES if n in text or n in plain]


@pytest.fixture
def secret_env(env: Env) -> Env:
    """The canary Secrets in every state: in Git and live equal (api), drifted live (web), set through
    stringData (web-string), and an older value in a commit of history."""
    write(
        env.repo,
        "web/string-secret.yaml",
        [
            {
                "apiVersion": "v1",
                "kind": "Secret",
                "metadata": {"name": "web-string"},
                "stringData": {"api-key": CANARY_OLD},
            }
        ],
    )
    commit_all(env.repo, "web: api key")
    (env.repo / "web/string-secret.yaml").write_text(
        (env.repo / "web/string-secret.yaml").read_text().replace(CANARY_OLD, CANARY_STRING)
    )
    commit_all(env.repo, "web: rotate the api key")
    from gitops_tui.sandbox.demo import initial_sync

    initial_sync(env.ws.client(), env.ws.desired_objects(["web"]))
    # Someone edits the web token by hand: a drifted Secret whose live value is another canary.
    env.kubectl.patch(
        "Secret", "web", "web-token", {"data": {"token": b64(CANARY_DRIFTED), "extra": b64(CANARY_DRIFTED)}}
    )
    return env


def commands(env: Env) -> list[list[str]]:
    rotate = git(env.repo, "log", "-1", "--format=%H", "--", "web/string-secret.yaml").strip()
    table = {
        "status": [["status"], ["status", "--json"]],
        "diff": [
            ["diff", "web"],
            ["diff", "web", "--json"],
            ["diff", "api"],
            ["diff", "api", "--json"],
            ["diff", "web", "--resource", "Secret/web/web-token"],
            ["diff", "web", "--resource", "Secret/web/web-token", "--json"],
        ],
        "history": [["history", "web"], ["history", "web", "--json"]],
        "sync": [["sync", "web", "--dry-run"], ["sync", "web", "--dry-run", "--prune"]],
        "adopt": [["adopt", "web", "--resource", "Secret/web/web-token", "--yes", "-m", "keep it"]],
        # Without --yes and without a terminal: the preview is printed, then the revert is refused.
        "revert": [["revert", rotate]],
    }
    present = set(_subcommands())
    missing = [name for name in ("status", "diff") if name not in present]
    assert not missing, missing
    return [args for name, runs in table.items() if name in present for args in runs]


def _subcommands() -> list[str]:
    parser = build_parser()
    for action in parser._subparsers._group_actions if parser._subparsers else ():  # noqa: SLF001
        return list(getattr(action, "choices", {}) or {})
    return []


def test_no_cli_command_prints_a_secret(secret_env: Env, monkeypatch: pytest.MonkeyPatch) -> None:
    env = secret_env
    monkeypatch.setattr("sys.stdin", io.StringIO())  # no terminal: nothing can be confirmed
    before = tree_state(env.repo)
    ran = []
    for args in commands(env):
        code, out, err = env.cli(*args)
        no_traceback(err)
        assert leaks(out + err) == [], (args, leaks(out + err))
        ran.append((args[0], code))
    # The drift is really there and was shown (masked), so the check above had something to hide.
    code, out, _ = env.cli("diff", "web", "--resource", "Secret/web/web-token", "--json")
    assert code == 1 and "/data/token" in out
    codes = dict(ran)
    if "adopt" in codes:
        assert codes["adopt"] == 2  # adopting Secret data is refused
    assert tree_state(env.repo) == before  # adopt and revert refused: nothing written, nothing committed
    # Whatever the commands logged or cached under the XDG directories holds no secret either.
    for var in ("XDG_STATE_HOME", "XDG_CACHE_HOME", "XDG_CONFIG_HOME"):
        for path in Path(os.environ[var]).rglob("*"):
            if path.is_file():
                assert leaks(path.read_text(errors="replace")) == [], path


def test_actions_and_audit_log_never_hold_a_secret(secret_env: Env) -> None:
    env = secret_env
    from gitops_tui.actions import AdoptRefused
    from gitops_tui.model import ResourceKey

    token = ResourceKey("", "Secret", "web", "web-token")
    with pytest.raises(AdoptRefused) as refused:
        env.actions.plan_adopt("web", token)
    assert leaks(refused.value.message) == []
    plan = env.actions.plan_sync("web")
    assert leaks(repr(plan)) == [], "the sync plan (the confirm dialog's blast radius) shows a value"
    result = env.actions.sync(plan)
    assert result.ok and leaks(repr(result)) == []
    rotate = git(env.repo, "log", "-1", "--format=%H", "--", "web/string-secret.yaml").strip()
    preview = env.actions.preview_revert(rotate)
    shown = [repr(e) for e in preview.apps]
    assert leaks("".join(shown)) == [], "the revert preview's object changes show a value"
    entries = env.audit.path.read_text()
    assert "sync" in entries and leaks(entries) == []
    # The Workspace's views for the UI: details are masked, the raw objects stay inside actions.
    env.ws.reconcile_once()
    for app in ("web", "api"):
        for res in env.ws.status_of(app).resources:
            assert leaks(repr(res)) == [], res.key
            assert leaks(repr(env.ws.resource_detail(app, res.key))) == [], res.key


def test_commit_diffs_of_a_secret_manifest_are_masked(secret_env: Env) -> None:
    env = secret_env
    rotate = git(env.repo, "log", "-1", "--format=%H", "--", "web/string-secret.yaml").strip()
    assert leaks(env.ws.commit_diff(rotate)) == []
    assert leaks(env.actions.preview_revert(rotate).patch) == []


async def _screens(env: Env) -> list[str]:
    """Screenshots of the TUI on the canary repo: Apps, the App, the Secret's diff (and the whole app's)."""
    from gitops_tui.ui.app import GitopsApp, make_app

    app = make_app(env.ws)
    shots: list[str] = []
    async with app.run_test(size=(160, 50)) as pilot:

        async def settle() -> None:
            for _ in range(300):
                await pilot.pause(0.02)
                if app.snapshot is not None and not app.reconciling:
                    break
            await pilot.pause(0.1)

        assert isinstance(app, GitopsApp)
        await settle()
        shots.append(app.export_screenshot())
        app.open_app("web")
        await settle()
        shots.append(app.export_screenshot())
        table = app.screen.query_one("#table")
        assert table.select_key("Secret/web/web-token")  # type: ignore[attr-defined]
        await pilot.press("enter")
        await settle()
        shots.append(app.export_screenshot())
        await pilot.press("u")
        await settle()
        shots.append(app.export_screenshot())
        await pilot.press("escape", "escape", "d")
        await settle()
        shots.append(app.export_screenshot())
    return shots


def test_tui_screens_on_the_canary_repo_show_no_secret(secret_env: Env) -> None:
    shots = asyncio.run(_screens(secret_env))
    assert any("web-token" in s for s in shots)
    for i, svg in enumerate(shots):
        assert leaks(svg) == [], f"screen {i}"


def test_committed_ui_snapshots_show_no_secret() -> None:
    svgs = sorted(UI_TESTS.rglob("*.svg"))
    for svg in svgs:
        assert leaks(svg.read_text()) == [], svg.name


def test_watch_logs_no_secret(secret_env: Env) -> None:
    """`watch` (the headless reconcile loop) for a few seconds, while the drifted Secret changes again."""
    import signal
    import subprocess
    import sys
    import time

    if "watch" not in _subcommands():
        pytest.skip("no `watch` command yet")
    env = secret_env
    proc = subprocess.Popen(
        [sys.executable, "-m", "gitops_tui", "watch", *env.common],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "GITOPS_TUI_INTERVAL": "1"},
    )
    try:
        time.sleep(2.5)
        env.kubectl.patch("Secret", "web", "web-token", {"data": {"token": b64(CANARY_OLD)}})
        time.sleep(2.5)
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            out, err = proc.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            out, err = proc.communicate()
    assert "Traceback" not in err, err
    assert out.strip(), (out, err)  # it logged something to check
    assert leaks(out + err) == []
    for var in ("XDG_STATE_HOME", "XDG_CACHE_HOME"):
        for path in Path(os.environ[var]).rglob("*"):
            if path.is_file():
                assert leaks(path.read_text(errors="replace")) == [], path
