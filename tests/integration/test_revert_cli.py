"""`gitops-tui history` and `revert` end to end: a bad image commit found in the app's history, its revert
previewed as a Git-vs-Git diff of the rendered apps, reverted and synced back; refusals on a dirty tree and on
a conflict leave the repository exactly as it was; a push rejected by the remote is reported."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from clitools import Env, remote, synced_env
from repotools import commit_all, git, write
from test_status_cli import application, make_repo, unusable_kubeconfig

from gitops_tui.actions import Actions, RevertConflict
from gitops_tui.audit import AuditLog
from gitops_tui.cli import main
from gitops_tui.config import Settings
from gitops_tui.orchestration.reconcile import Workspace
from gitops_tui.source.repo import GitRepo

GOOD = "registry.example.com/api:1.0.0"
BAD = "registry.example.com/api:9.9.9-bad"


@pytest.fixture
def env(tmp_path: Path, capsys, monkeypatch) -> Iterator[Env]:
    with synced_env(tmp_path, make_repo(tmp_path), capsys, monkeypatch) as e:
        yield e


def image(env: Env, ns: str) -> str:
    return env.live("Deployment", ns, "api")["spec"]["template"]["spec"]["containers"][0]["image"]


def ship_bad_image(env: Env) -> str:
    path = env.repo / "api/base/deployment.yaml"
    path.write_text(path.read_text().replace(GOOD, BAD))
    commit_all(env.repo, "api: release 9.9.9")
    for app in ("api-production", "api-staging"):
        code, out, err = env.cli("sync", app, "--yes")
        assert code == 0, out + err
    assert image(env, "production") == BAD
    return env.head()


def set_replicas(env: Env, count: int, message: str) -> str:
    path = env.repo / "api/overlays/production/kustomization.yaml"
    text = path.read_text()
    start = text.index("count: ")
    path.write_text(text[:start] + f"count: {count}\n")
    commit_all(env.repo, message)
    return env.head()


def test_a_bad_image_commit_is_found_reverted_and_synced_back(env: Env) -> None:
    bad = ship_bad_image(env)
    code, out, err = env.cli("history", "api-production", "--json")
    assert code == 0, err
    commits = json.loads(out)["commits"]
    assert [c["summary"] for c in commits] == ["api: release 9.9.9", "api: initial"]  # newest first
    assert commits[0]["sha"] == bad and commits[0]["author"] == "Ops" and commits[0]["age"].endswith("ago")
    code, out, _ = env.cli("history", "api-production")
    assert out.splitlines()[0].startswith(f"{bad[:7]}  Ops") and out.splitlines()[0].endswith(
        "api: release 9.9.9"
    )

    code, out, err = env.cli("revert", bad[:7], "--sync", "--yes")
    assert code == 0, out + err
    # The preview: what the revert does to each rendered app, Git against Git.
    assert "app api-production: 0 created, 1 changed, 0 removed in Git" in out
    assert "app api-staging: 0 created, 1 changed, 0 removed in Git" in out
    assert f"-        image: {BAD}" in out and f"+        image: {GOOD}" in out
    assert f"reverted {bad[:7]} as {env.head()[:7]}" in out
    assert env.git("log", "-1", "--format=%s") == 'Revert "api: release 9.9.9"\n'
    assert env.git("status", "--porcelain") == ""

    assert image(env, "production") == GOOD and image(env, "staging") == GOOD
    apps = env.status()
    assert {a: apps[a]["sync"] for a in apps} == {"api-production": "Synced", "api-staging": "Synced"}
    assert {a: apps[a]["health"] for a in apps} == {"api-production": "Healthy", "api-staging": "Healthy"}
    revert_entry = next(e for e in env.audit() if e.action == "revert")
    assert revert_entry.result == "ok" and revert_entry.details["commit"] == bad
    assert revert_entry.app == "api-production, api-staging"


def test_a_dirty_tree_is_refused_and_left_exactly_as_it_was(env: Env) -> None:
    bad = ship_bad_image(env)
    (env.repo / "api/base/service.yaml").write_text("# half-finished edit\n")
    (env.repo / "NOTES.md").write_text("incident notes\n")
    status_before, head = env.git("status", "--porcelain"), env.head()
    code, out, err = env.cli("revert", bad, "--yes")
    assert code == 2
    assert err.startswith("gitops-tui: uncommitted changes in ") and err.count("\n") == 1
    assert "NOTES.md" in err and "api/base/service.yaml" in err and "commit or stash them first" in err
    assert f"-        image: {BAD}" in out  # the preview is still shown
    assert env.git("status", "--porcelain") == status_before and env.head() == head
    assert (env.repo / "api/base/service.yaml").read_text() == "# half-finished edit\n"
    assert [e.action for e in env.audit()] == ["sync", "sync"]  # nothing new logged


def test_a_conflicting_revert_is_refused_naming_the_file(env: Env) -> None:
    first = set_replicas(env, 4, "production: 4 replicas")
    set_replicas(env, 6, "production: 6 replicas")
    head = env.head()
    code, out, err = env.cli("revert", first, "--yes")
    assert code == 2
    assert err == (
        f"gitops-tui: reverting {first[:7]} conflicts with later changes in "
        "api/overlays/production/kustomization.yaml; it would be aborted; nothing changed\n"
    )
    assert env.head() == head and env.git("status", "--porcelain") == ""


def test_a_revert_that_conflicts_is_aborted_cleanly(env: Env) -> None:
    """The same conflict through the actions API, without the preview's warning: git itself aborts."""
    first = set_replicas(env, 4, "production: 4 replicas")
    set_replicas(env, 6, "production: 6 replicas")
    head = env.head()
    ws = Workspace(Settings(kubeconfig=str(env.kubeconfig), context="sandbox"), GitRepo(env.repo))
    try:
        with pytest.raises(RevertConflict) as caught:
            Actions(ws, AuditLog()).revert(first)
    finally:
        ws.close()
    assert caught.value.files == ["api/overlays/production/kustomization.yaml"]
    assert "the revert was aborted and nothing changed" in caught.value.message
    assert env.head() == head and env.git("status", "--porcelain") == ""
    assert not (env.repo / ".git/REVERT_HEAD").exists()
    [entry] = env.audit()
    assert (entry.action, entry.result) == ("revert", "failed")


def test_a_rejected_push_is_reported_and_the_revert_stands(env: Env, tmp_path: Path) -> None:
    bad = ship_bad_image(env)
    bare = remote(env, tmp_path, reject="main is frozen until 06:00 UTC")
    remote_before = git(bare, "rev-parse", "main").strip()
    code, out, err = env.cli("revert", bad, "--push", "--yes")
    assert code == 2
    assert err.startswith(f"gitops-tui: reverted {bad[:7]} as {env.head()[:7]}, but push to origin rejected")
    assert "main is frozen until 06:00 UTC" in err and err.count("\n") == 1
    assert git(bare, "rev-parse", "main").strip() == remote_before
    assert env.git("log", "-1", "--format=%s").startswith("Revert")
    assert [(e.action, e.result) for e in env.audit()][:2] == [("push", "failed"), ("revert", "ok")]


def test_a_push_goes_to_the_upstream_without_prompting(env: Env, tmp_path: Path) -> None:
    bad = ship_bad_image(env)
    bare = remote(env, tmp_path)
    code, out, err = env.cli("revert", bad, "--push", "--yes")
    assert code == 0, out + err
    assert "pushed" in out.splitlines()
    assert git(bare, "rev-parse", "main").strip() == env.head()
    assert image(env, "production") == BAD  # no --sync: the cluster is untouched
    assert env.status()["api-production"]["sync"] == "OutOfSync"


def test_without_yes_and_without_a_terminal_nothing_is_reverted(env: Env) -> None:
    bad = ship_bad_image(env)
    head = env.head()
    code, out, err = env.cli("revert", bad)
    assert code == 2 and "stdin is not a terminal" in err
    assert env.head() == head and env.git("status", "--porcelain") == ""


def test_a_revert_and_sync_on_an_unusable_context_commits_nothing(env: Env, tmp_path: Path) -> None:
    """`revert --sync` learns the context is unusable before it commits: a kubeconfig only the official
    loader can see is wrong (its client certificate does not exist) stops it with one line."""
    bad = ship_bad_image(env)
    head = env.head()
    kubeconfig = unusable_kubeconfig(env.kubeconfig, tmp_path / "bad-kubeconfig")
    env.capsys.readouterr()
    code = main(["revert", bad, "--sync", "--yes", "--repo", str(env.repo), "--kubeconfig", str(kubeconfig)])
    _, err = env.capsys.readouterr()
    assert code == 2 and "/nonexistent/cert.pem" in err and err.count("\n") == 1
    assert env.head() == head and env.git("status", "--porcelain") == ""


def test_a_revert_that_could_not_be_pushed_or_synced_is_not_committed(env: Env) -> None:
    """`--push` with no remote, `--sync` with the cluster down: refused before the commit, so the on-call
    operator is not left with a revert that is committed (and pushed) but never applied."""
    bad = ship_bad_image(env)
    head = env.head()
    code, _, err = env.cli("revert", bad, "--push", "--yes")
    assert code == 2 and "nothing reverted: no remote to push main to" in err
    assert env.head() == head
    env.server.stop()
    code, _, err = env.cli("revert", bad, "--sync", "--yes")
    assert code == 2 and "nothing reverted: the sync after it could not run" in err
    assert "connection refused" in err and err.count("\n") == 1
    assert env.head() == head and env.git("status", "--porcelain") == ""
    assert [(e.action, e.result) for e in env.audit()][:2] == [("revert", "refused"), ("revert", "refused")]


def test_history_at_a_revision_starts_from_that_commit(env: Env) -> None:
    bad = ship_bad_image(env)
    code, out, err = env.cli("history", "api-production", "--json", "--revision", "HEAD~1")
    assert code == 0, err
    shas = [c["sha"] for c in json.loads(out)["commits"]]
    assert bad not in shas and shas and shas[0] == env.git("rev-parse", "HEAD~1").strip()


def test_reverting_the_commit_that_added_an_app_says_the_app_goes_and_syncs_the_rest(env: Env) -> None:
    """The revert removes an Application: the preview says the app is no longer declared (not "1 removed
    in Git"), --sync leaves it out instead of failing with "unknown app", and its live objects stay."""
    write(env.repo, "apps/cache.yaml", [application("cache", "cache", "production")])
    write(
        env.repo,
        "cache/configmap.yaml",
        [
            {
                "apiVersion": "v1",
                "kind": "ConfigMap",
                "metadata": {"name": "cache-config"},
                "data": {"size": "1Gi"},
            }
        ],
    )
    commit_all(env.repo, "cache: new app")
    added = env.head()
    code, out, err = env.cli("sync", "cache", "--yes")
    assert code == 0, out + err
    code, out, err = env.cli("revert", added, "--sync", "--yes")
    assert code == 0, out + err
    assert "app cache: no longer declared in Git after the revert; not synced" in out
    assert "sync not run" not in out + err
    assert env.live("ConfigMap", "production", "cache-config")["data"] == {"size": "1Gi"}


def test_an_unknown_commit_is_one_line(env: Env) -> None:
    code, _, err = env.cli("revert", "deadbeef", "--yes")
    assert code == 2 and err.count("\n") == 1 and "deadbeef" in err and "Traceback" not in err
    code, _, err = env.cli("history", "nope")
    assert code == 2 and err.startswith("gitops-tui: unknown app 'nope'")


assert os.sep == "/"  # the hook is a shell script


def test_status_at_a_past_revision_compares_that_commit_and_names_it(env: Env) -> None:
    ship_bad_image(env)  # synced: live runs the bad image, as HEAD says
    code, out, err = env.cli("status", "--json", "--revision", "HEAD~1")  # the commit before it
    assert code == 1, err
    api = {a["name"]: a for a in json.loads(out)["apps"]}["api-production"]
    assert api["sync"] == "OutOfSync"  # HEAD~1 wants the good image back
    # the commit compared, not the name it was asked by: "HEAD~1" means another commit tomorrow
    assert api["revision"] == env.git("rev-parse", "--short=7", "HEAD~1").strip()
    code, out, err = env.cli("status", "--revision", "no-such-tag")
    assert (
        code == 2 and err.startswith("gitops-tui: revision 'no-such-tag' not found") and err.count("\n") == 1
    )
