"""`gitops-tui sync` end to end: plan printed, confirmation (or its refusal), per-resource results, health
followed; prune, dry run, failures mid-sync, read-only — and `status --json` agrees with the cluster after."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from clitools import Env, FakeTerminal, synced_env
from repotools import commit_all
from test_status_cli import make_repo

TRACKING = "argocd.argoproj.io/tracking-id"


@pytest.fixture
def env(tmp_path: Path, capsys, monkeypatch) -> Iterator[Env]:
    with synced_env(tmp_path, make_repo(tmp_path), capsys, monkeypatch) as e:
        yield e


def configmap(name: str, ns: str = "production", app: str | None = "api-production") -> dict:
    meta: dict = {"name": name, "namespace": ns}
    if app:
        meta["annotations"] = {TRACKING: f"{app}:/ConfigMap:{ns}/{name}"}
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": meta, "data": {"x": "1"}}


def test_sync_prints_the_plan_applies_and_status_agrees(env: Env) -> None:
    env.kubectl.scale("Deployment", "production", "api", 5)
    env.kubectl.delete("Service", "production", "api")
    before = env.mark()
    code, out, err = env.cli("sync", "api-production", "--yes")
    assert code == 0, out + err
    assert "context sandbox" in out
    assert "sync api-production: 1 to create, 1 to update, 0 to prune" in out
    assert "takes over /spec/replicas from kubectl" in out
    assert "/spec/replicas: live 5 → git 3" in out
    assert "ok     update   Deployment.apps/production/api" in out
    assert "ok     create   Service/production/api" in out
    assert "api-production: Healthy" in out
    assert sorted(m for m, _ in env.writes(before)) == ["PATCH", "PATCH"]

    assert env.live("Deployment", "production", "api")["spec"]["replicas"] == 3
    assert env.live("Service", "production", "api")["metadata"]["annotations"][TRACKING] == (
        "api-production:/Service:production/api"
    )
    apps = env.status()
    assert apps["api-production"]["sync"] == "Synced" and apps["api-production"]["health"] == "Healthy"
    assert apps["api-staging"]["sync"] == "Synced"  # never touched
    [entry] = env.audit()
    assert (entry.action, entry.app, entry.result, entry.context) == (
        "sync",
        "api-production",
        "ok",
        "sandbox",
    )


def test_without_yes_and_without_a_terminal_nothing_is_applied(env: Env) -> None:
    env.kubectl.scale("Deployment", "production", "api", 5)
    before = env.mark()
    code, out, err = env.cli("sync", "api-production")
    assert code == 2
    assert err == "gitops-tui: refusing to go on without confirmation: stdin is not a terminal (pass --yes)\n"
    assert "1 to update" in out  # the plan was still shown
    assert env.writes(before) == [] and env.audit() == []
    assert env.status()["api-production"]["sync"] == "OutOfSync"


def test_a_terminal_is_asked_and_no_means_no(env: Env, monkeypatch: pytest.MonkeyPatch) -> None:
    env.kubectl.scale("Deployment", "production", "api", 5)
    before = env.mark()
    monkeypatch.setattr("sys.stdin", FakeTerminal("n\n"))
    code, out, err = env.cli("sync", "api-production")
    assert code == 2 and "cancelled: nothing was changed" in err
    assert "apply 1 change(s) to api-production? [y/N]" in out
    assert env.writes(before) == [] and env.audit() == []
    monkeypatch.setattr("sys.stdin", FakeTerminal("y\n"))
    code, out, err = env.cli("sync", "api-production")
    assert code == 0, err
    assert env.live("Deployment", "production", "api")["spec"]["replicas"] == 3


def test_prune_removes_exactly_the_extra_tracked_object(env: Env) -> None:
    env.kubectl.create(configmap("stray"))
    env.kubectl.create(configmap("staging-owned", app="api-staging"))  # tracked by another app
    env.kubectl.create(configmap("untracked", app=None))
    code, out, _ = env.cli("sync", "api-production", "--yes")  # no --prune: listed, kept
    assert code == 0 and "skip     ConfigMap/production/stray" in out
    assert "nothing to sync" in out
    before = env.mark()
    code, out, err = env.cli("sync", "api-production", "--prune", "--yes")
    assert code == 0, out + err
    assert "0 to create, 0 to update, 1 to prune" in out
    assert "api-production: 0 applied, 1 deleted, 0 failed" in out  # a delete is never called "applied"
    assert env.writes(before) == [("DELETE", "/api/v1/namespaces/production/configmaps/stray")]
    apps = env.status()
    assert apps["api-production"]["sync"] == "Synced"
    assert ("ConfigMap", "production", "stray") not in apps["api-production"]["by"]
    for name in ("staging-owned", "untracked", "api-config"):
        assert env.live("ConfigMap", "production", name)["metadata"]["name"] == name


def test_the_last_object_of_a_kind_taken_out_of_git_is_still_found_and_pruned(env: Env) -> None:
    """The only ConfigMap leaves the base: its live copies are still listed (the kind is remembered, in a
    file, from the last run), shown as RequiresPruning and pruned. ConfigMaps used to stop being listed
    with it, so the leftovers were invisible and the app looked Synced."""
    assert env.status()["api-production"]["sync"] == "Synced"  # a run that sees the ConfigMap
    base = env.repo / "api/base/kustomization.yaml"
    base.write_text(base.read_text().replace("  - configmap.yaml\n", ""))
    commit_all(env.repo, "api: no more config map")
    apps = env.status()  # a new process: the kinds come from the file the last one left
    for app, ns in (("api-production", "production"), ("api-staging", "staging")):
        assert apps[app]["sync"] == "OutOfSync"
        assert apps[app]["by"][("ConfigMap", ns, "api-config")]["sync"] == "RequiresPruning"
    code, out, err = env.cli("sync", "api-production", "--prune", "--yes")
    assert code == 0, out + err
    assert "0 to create, 0 to update, 1 to prune" in out
    after = env.status()
    assert after["api-production"]["sync"] == "Synced"
    assert ("ConfigMap", "production", "api-config") not in after["api-production"]["by"]
    # nothing of the kind is left for the app: the kind is forgotten, and no longer listed
    env.cli("status")
    before = env.mark()
    env.cli("status", "--json")
    listed = [path for _, path in ((r.method, r.path) for r in env.server.requests.records[before:])]
    assert not any("/namespaces/production/configmaps" in p for p in listed)


def test_no_prune_after_a_failed_listing(env: Env) -> None:
    env.kubectl.create(configmap("stray"))
    env.server.faults.add_rule(
        method="GET",
        path_regex=r"/namespaces/production/configmaps(\?|$)",
        status=500,
        message="etcdserver: request timed out",
    )
    before = env.mark()
    code, out, err = env.cli("sync", "api-production", "--prune", "--yes")
    env.server.faults.rules.clear()
    assert code == 2
    assert err.startswith("gitops-tui: refusing to prune: the cluster could not be listed completely")
    assert "etcdserver: request timed out" in err and err.count("\n") == 1
    assert env.writes(before) == [] and env.audit() == []
    assert env.live("ConfigMap", "production", "stray")


def test_dry_run_shows_the_plan_and_changes_nothing(env: Env) -> None:
    env.kubectl.scale("Deployment", "production", "api", 5)
    env.kubectl.create(configmap("stray"))
    before = env.mark()
    code, out, err = env.cli("sync", "api-production", "--prune", "--dry-run")
    assert code == 1, out + err  # drift found, as `kubectl diff` says it
    assert "would be updated" in out and "would be deleted" in out
    assert env.writes(before) == []
    assert env.audit() == []
    apps = env.status()
    assert apps["api-production"]["by"][("Deployment", "production", "api")]["sync"] == "OutOfSync"
    assert apps["api-production"]["by"][("ConfigMap", "production", "stray")]["sync"] == "RequiresPruning"


def test_only_the_chosen_resources_are_synced(env: Env) -> None:
    env.kubectl.scale("Deployment", "production", "api", 5)
    env.kubectl.delete("Service", "production", "api")
    before = env.mark()
    code, out, err = env.cli("sync", "api-production", "--resource", "Deployment/production/api", "--yes")
    assert code == 0, out + err
    [(method, path)] = env.writes(before)
    assert method == "PATCH" and path.startswith("/apis/apps/v1/namespaces/production/deployments/api?")
    by = env.status()["api-production"]["by"]
    assert by[("Deployment", "production", "api")]["sync"] == "Synced"
    assert by[("Service", "production", "api")]["sync"] == "Missing"
    code, _, err = env.cli("sync", "api-production", "--resource", "Deployment/nope", "--yes")
    assert code == 2 and "no resource of api-production matches Deployment/nope" in err


def test_a_409_mid_sync_reports_what_was_applied(env: Env) -> None:
    env.kubectl.delete("Service", "production", "api")  # applied first (Service before Deployment)
    env.kubectl.scale("Deployment", "production", "api", 5)
    env.server.faults.add_rule(
        method="PATCH",
        path_regex=r"/deployments/api\?(?!.*dryRun=All)",
        status=409,
        message='Operation cannot be fulfilled on deployments.apps "api": the object has been modified',
    )
    code, out, err = env.cli("sync", "api-production", "--yes")
    env.server.faults.rules.clear()
    assert code == 2
    assert "ok     create   Service/production/api" in out
    assert "FAILED update   Deployment.apps/production/api" in out and "object has been modified" in out
    assert "1 applied, 1 failed" in out
    assert err.startswith(
        "gitops-tui: sync of api-production failed (1 failed; Deployment.apps/production/api:"
    )
    [entry] = env.audit()
    assert entry.result == "partial" and entry.resources == (
        "Service/production/api",
        "Deployment.apps/production/api",
    )
    by = env.status()["api-production"]["by"]
    assert by[("Service", "production", "api")]["sync"] == "Synced"
    assert by[("Deployment", "production", "api")]["sync"] == "OutOfSync"
    assert env.live("Deployment", "production", "api")["spec"]["replicas"] == 5


def test_an_immutable_field_change_is_flagged_in_the_plan_and_fails_as_predicted(env: Env) -> None:
    path = env.repo / "api/base/deployment.yaml"
    path.write_text(path.read_text().replace("app: api", "app: api-v2"))  # selector and template labels
    commit_all(env.repo, "api: relabel")
    code, out, err = env.cli("sync", "api-production", "--dry-run")
    assert "WILL FAIL: /spec/selector" in out
    code, out, err = env.cli("sync", "api-production", "--yes")
    assert code == 2
    assert "FAILED update   Deployment.apps/production/api" in out and "field is immutable" in out
    assert "Deployment.apps/production/api" in err and err.count("\n") == 1
    by = env.status()["api-production"]["by"]
    assert by[("Deployment", "production", "api")]["sync"] == "OutOfSync"
    assert by[("Service", "production", "api")]["sync"] == "Synced"  # not part of the change


def test_an_app_that_does_not_render_is_never_synced(env: Env) -> None:
    path = env.repo / "api/overlays/staging/kustomization.yaml"
    path.write_text(path.read_text() + "  - missing.yaml\n".replace("  -", "resources_typo:\n  -"))
    before = env.mark()
    code, out, err = env.cli("sync", "api-staging", "--prune", "--yes")
    assert code == 2 and err.startswith("gitops-tui: api-staging: ") and err.count("\n") == 1
    assert env.writes(before) == [] and env.audit() == []
    code, out, err = env.cli("sync", "api-production", "--dry-run")
    assert code == 0 and "nothing to sync: api-production is Synced" in out  # the other app is fine


def test_a_reader_that_leaves_does_not_cut_a_sync_short(env: Env) -> None:
    """`sync --yes | head -1`: the reader goes before the plan is even printed. The sync still runs to
    the end and is audited; only its output is lost (it used to stop at the first line it printed)."""
    env.kubectl.scale("Deployment", "production", "api", 5)
    env.kubectl.delete("Service", "production", "api")
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        proc = subprocess.run(
            [sys.executable, "-m", "gitops_tui", "sync", "api-production", "--yes", *env.common],
            stdout=write_end,
            stderr=subprocess.PIPE,
            text=True,
            timeout=120,
        )
    finally:
        os.close(write_end)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
    assert env.live("Deployment", "production", "api")["spec"]["replicas"] == 3
    assert env.live("Service", "production", "api")
    [entry] = env.audit()
    assert (entry.action, entry.app, entry.result) == ("sync", "api-production", "ok")


def test_a_failed_listing_of_a_remembered_kind_does_not_make_it_forgotten(env: Env) -> None:
    """Found in review: one 500 on the LIST of a kind the app no longer has in Git dropped the kind from
    the inventory, and its leftover was never listed again."""
    assert env.status()["api-production"]["sync"] == "Synced"
    base = env.repo / "api/base/kustomization.yaml"
    base.write_text(base.read_text().replace("  - configmap.yaml\n", ""))
    commit_all(env.repo, "api: no more config map")
    assert (
        env.status()["api-production"]["by"][("ConfigMap", "production", "api-config")]["sync"]
        == "RequiresPruning"
    )
    # one transient 500 on the ConfigMap LIST
    env.server.faults.add_rule(
        method="GET",
        path_regex=r"/namespaces/production/configmaps(\?|$)",
        status=500,
        message="etcdserver: request timed out",
    )
    during = env.status()["api-production"]
    env.server.faults.rules.clear()
    assert any("could not list ConfigMap in production" in n for n in during["notes"]), during["notes"]
    after = env.status()["api-production"]
    assert after["by"].get(("ConfigMap", "production", "api-config"), {}).get("sync") == "RequiresPruning", (
        f"leftover invisible after one failed LIST: app is {after['sync']}"
    )


def test_a_remembered_group_that_cannot_be_discovered_fails_no_app(env: Env) -> None:
    """Found in review: a kind no app has in Git any more, whose API group answers discovery with 503,
    made every app of the cluster Unknown."""
    cj = env.repo / "api/base/cronjob.yaml"
    cj.write_text(
        "apiVersion: batch/v1\nkind: CronJob\nmetadata:\n  name: tick\nspec:\n  schedule: '* * * * *'\n"
        "  jobTemplate:\n    spec:\n      template:\n        spec:\n          restartPolicy: Never\n"
        "          containers:\n          - name: c\n            image: busybox\n"
    )
    base = env.repo / "api/base/kustomization.yaml"
    base.write_text(base.read_text() + "  - cronjob.yaml\n")
    commit_all(env.repo, "api: cronjob")
    env.sync_all()
    assert env.status()["api-production"]["sync"] == "Synced"
    base.write_text(base.read_text().replace("  - cronjob.yaml\n", ""))
    commit_all(env.repo, "api: no cronjob")
    # batch/v1 discovery answers 503 (as an aggregated/flaky group would); no app has a batch object in Git
    env.server.faults.add_rule(
        method="GET", path_regex=r"^/apis/batch/v1/?(\?|$)", status=503, message="service unavailable"
    )
    code, out, err = env.cli("status")
    env.server.faults.rules.clear()
    assert "api-staging" in out and code in (0, 1), "every app failed for a kind no app has in Git"
