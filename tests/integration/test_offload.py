"""A big reconcile's compare in worker processes gives exactly what the in-process compare gives (drift,
health, extras, dry-run answers), and a small one never starts a worker."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_status_cli import make_repo

from gitops_tui.config import Settings
from gitops_tui.orchestration.offload import Offload
from gitops_tui.orchestration.reconcile import Workspace
from gitops_tui.sandbox.demo import initial_sync
from gitops_tui.sandbox.kubectl import Kubectl
from gitops_tui.source.repo import GitRepo


@pytest.fixture
def drifted(tmp_path: Path, sandbox):
    _server, kubeconfig = sandbox
    repo = make_repo(tmp_path)
    settings = Settings(repo=str(repo), kubeconfig=str(kubeconfig), context="sandbox")
    seed = Workspace(settings, GitRepo(repo))
    initial_sync(seed.client(), seed.desired_objects())
    seed.close()
    kubectl = Kubectl(str(kubeconfig), "sandbox")
    kubectl.scale("Deployment", "production", "api", 5)  # drift the dry run must show
    kubectl.delete("Service", "production", "api")  # a missing resource
    kubectl.close()
    return settings, repo


def states(snapshot):
    return [(a.app.id, a.sync, a.health, a.error, a.notes, a.resources, a.hooks) for a in snapshot.apps]


def test_the_workers_compare_as_the_process_does(drifted) -> None:
    settings, repo = drifted
    here = Workspace(settings, GitRepo(repo))
    away = Workspace(settings, GitRepo(repo))
    away.offload = Offload(threshold=1)  # every reconcile counts as big
    try:
        expected = here.reconcile_once(hard=True)
        got = away.reconcile_once(hard=True)
        assert away.offload.sent > 0  # the compare and the no-op checks ran in a worker
        assert states(got) == states(expected)
        assert any(r.drift for a in got.apps for r in a.resources)  # there was drift to agree on
        app = next(a for a in got.apps if any(r.drift for r in a.resources))
        key = next(r.key for r in app.resources if r.drift)
        assert away.resource_detail(app.app.id, key) == here.resource_detail(app.app.id, key)
    finally:
        here.close()
        away.close()
    assert away.offload._pool is None  # closed with the workspace


def test_a_small_reconcile_starts_no_worker(drifted) -> None:
    settings, repo = drifted
    ws = Workspace(settings, GitRepo(repo))
    ws.offload_big_reconciles()  # what the loop does: from 1,000 objects
    try:
        ws.reconcile_once(hard=True)
        assert ws.offload is not None and ws.offload.sent == 0
        assert ws.offload._pool is None  # no process was started for a handful of objects
    finally:
        ws.close()


def test_a_dead_worker_costs_that_round_nothing(drifted) -> None:
    settings, repo = drifted
    ws = Workspace(settings, GitRepo(repo))
    ws.offload = Offload(threshold=1)
    try:
        first = ws.reconcile_once(hard=True)
        pool = ws.offload._pool
        assert pool is not None
        for process in list(pool._processes.values()):
            process.kill()
            process.join()
        again = ws.reconcile_once(hard=True)  # compared here this time, a new pool for the next
        assert states(again) == states(first)
        third = ws.reconcile_once(hard=True)
        assert states(third) == states(first) and ws.offload._pool is not pool
    finally:
        ws.close()


def test_no_worker_runs_the_main_script_again(tmp_path: Path) -> None:
    """A spawned worker imports the parent's main script unless told it is a package's __main__; every
    worker of the pool is started so (a script without a `__main__` guard shows it: run again, it writes)."""
    import os
    import subprocess
    import sys

    ran = tmp_path / "ran"
    script = tmp_path / "unguarded.py"
    script.write_text(
        "import os, sys\n"
        f"open({str(ran)!r}, 'a').write(__name__ + '\\n')\n"
        "if __name__ == '__main__':\n"
        "    from gitops_tui.orchestration.offload import Offload\n"
        "    offload = Offload(threshold=1, workers=2)\n"
        "    print(offload.noop_checks([({}, {})] * 300, 'gitops-tui'))\n"
        "    print(len(offload._pool._processes))\n"
        "    offload.close()\n"
    )
    import gitops_tui

    env = {**os.environ, "PYTHONPATH": str(Path(gitops_tui.__file__).parent.parent)}
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=120, env=env)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split()[-1] == "2"  # both workers were started
    assert ran.read_text().split() == ["__main__"]  # and neither imported the script as __mp_main__
