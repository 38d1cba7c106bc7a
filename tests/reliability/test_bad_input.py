"""Bad input in the repo: each one is that app's error (one clear line, naming the file), the other apps
are compared as usual, and nothing is written to the cluster or the working tree because of it."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

import pytest

from .conftest import Env, no_traceback
from .reltools import application, commit_all, configmap, tree_state, write, writes


def broken(env: Env, expect_in_error: str | tuple[str, ...], app: str = "web") -> dict[str, Any]:
    """status --json: `app` failed with a reason containing the text, every other app is Synced, the
    cluster received no write, the working tree is as it was. Returns the failed app's JSON."""
    before_tree = tree_state(env.repo)
    before_requests = len(env.server.requests.records)
    code, apps, err = env.status()
    no_traceback(err)
    assert code == 2
    bad = apps[app]
    assert bad["sync"] == "Unknown", bad
    wanted = (expect_in_error,) if isinstance(expect_in_error, str) else expect_in_error
    for text in wanted:
        assert text in bad["error"], bad
    assert "\n" not in bad["error"]
    for name, other in apps.items():
        if name != app:
            assert other["sync"] == "Synced" and not other["error"], other
    assert writes(env.server, before_requests) == []
    assert tree_state(env.repo) == before_tree
    # The diff command says the same in one line on stderr.
    code, _out, err = env.cli("diff", app)
    no_traceback(err)
    assert code == 2 and err.count("\n") == 1 and all(t in err for t in wanted), err
    return bad


def test_malformed_yaml(env: Env) -> None:
    (env.repo / "web/config.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: [oops\n")
    broken(env, "web/config.yaml")


def test_malformed_yaml_never_prunes(env: Env) -> None:
    """A render error must not look like 'everything was deleted from Git'."""
    (env.repo / "web/config.yaml").write_text("data: {unclosed\n")
    before = len(env.server.requests.records)
    with pytest.raises(Exception) as info:
        env.actions.sync(env.actions.plan_sync("web", prune=True))
    assert "web/config.yaml" in str(info.value)
    assert writes(env.server, before) == []


def test_duplicate_resource_across_files(env: Env) -> None:
    write(env.repo, "web/config-copy.yaml", [configmap("web-config", GREETING="other")])
    broken(env, ("duplicate", "web-config", "web/config.yaml", "web/config-copy.yaml"))


def test_unknown_kind(env: Env) -> None:
    write(
        env.repo,
        "web/gizmo.yaml",
        [{"apiVersion": "gizmos.example.com/v1", "kind": "Gizmo", "metadata": {"name": "g"}}],
    )
    code, apps, err = env.status()
    no_traceback(err)
    web = apps["web"]
    assert web["sync"] != "Synced"
    text = web["error"] + " ".join(str(r) for r in web["resources"])
    assert "Gizmo" in text and ("not served" in text or "unknown" in text.lower()), web
    assert apps["api"]["sync"] == "Synced"


def test_failing_kustomization(env: Env) -> None:
    kust = env.repo / "api/kustomization.yaml"
    kust.write_text(kust.read_text() + "  - does-not-exist.yaml\n")
    broken(env, ("does-not-exist.yaml",), app="api")


def test_kustomize_and_kubectl_missing_from_path(
    env: Env, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    git = shutil.which("git")
    assert git is not None
    (bin_dir / "git").symlink_to(git)
    monkeypatch.setenv("PATH", str(bin_dir))
    assert shutil.which("kubectl") is None and shutil.which("kustomize") is None
    bad = broken(env, "kustomize", app="api")
    assert "PATH" in bad["error"] or "not found" in bad["error"] or "install" in bad["error"], bad


def test_application_pointing_at_a_missing_path(env: Env) -> None:
    write(env.repo, "apps/ghost.yaml", [application("ghost", "ghost/overlays/prod", "ghost")])
    commit_all(env.repo, "ghost app")
    before = len(env.server.requests.records)
    code, apps, err = env.status()
    no_traceback(err)
    assert code == 2
    assert apps["ghost"]["sync"] == "Unknown" and "ghost/overlays/prod" in apps["ghost"]["error"]
    assert apps["api"]["sync"] == apps["web"]["sync"] == "Synced"
    assert writes(env.server, before) == []


def test_binary_files_in_the_app_path(env: Env) -> None:
    # An image next to the manifests is not a manifest: ignored.
    (env.repo / "web/logo.png").write_bytes(b"\x89PNG\r\n\x1a\n" + os.urandom(2048))
    code, apps, err = env.status()
    assert code == 0, (err, apps["web"])
    # A .yaml that is not text fails the app (a partial render could prune what it failed to read).
    (env.repo / "web/blob.yaml").write_bytes(b"\x00\xff\xfe" + os.urandom(4096))
    broken(env, "web/blob.yaml")


def test_a_10_mb_manifest(env: Env) -> None:
    big = {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": "huge"},
        "data": {f"k{i:05d}": "x" * 1000 for i in range(10_000)},
    }
    path = write(env.repo, "web/huge.yaml", [big])
    assert path.stat().st_size >= 10_000_000
    code, apps, err = env.status()
    no_traceback(err)
    assert code == 1
    by = {r["name"]: r["sync"] for r in apps["web"]["resources"]}
    assert by["huge"] == "Missing" and by["web-config"] == "Synced"
    assert apps["api"]["sync"] == "Synced"
    code, out, err = env.cli("diff", "web", "--resource", "ConfigMap/huge")
    no_traceback(err)
    assert code == 1 and "huge" in out
