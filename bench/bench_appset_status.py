"""`gitops-tui status --json` on an ApplicationSet that generates N apps over N directories (issue 12).

    python3 bench/bench_appset_status.py [--apps 500] [--latency-ms 2] [--runs 3] [--namespaces per-app|shared]

Builds a checkout in many-appsets-demo's shape: a root Application `all-apps` whose path holds one
ApplicationSet (goTemplate, a git directory generator over `apps/*/envs/prod`), and N directories of plain
YAML (a Deployment and a ConfigMap each). Every generated app is synced into the sandbox API server (its own
process would only add noise: in-process, on another thread), one in ten is drifted with `kubectl scale`,
LATENCY ms is added to every request, then `status --json` runs as a subprocess, cold (empty caches) and
again (a second process on the same caches). With `--namespaces per-app` (the default) each app deploys to
a namespace of its own, as many-appsets-demo's do: the LISTs grow with N.

Targets: cold under 5 s, the second under 2 s, at 500 apps and 2 ms.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_status import CONTEXT, Run, measure, requests_since  # noqa: E402

from gitops_tui.config import Settings  # noqa: E402
from gitops_tui.orchestration.reconcile import Workspace  # noqa: E402
from gitops_tui.sandbox.demo import initial_sync  # noqa: E402
from gitops_tui.sandbox.kubectl import Kubectl  # noqa: E402
from gitops_tui.sandbox.server import SandboxServer  # noqa: E402
from gitops_tui.source.repo import GitRepo  # noqa: E402

REPO_URL = "https://git.example.com/fleet.git"


def write(repo: Path, rel: str, doc: dict) -> None:
    path = repo / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(doc, sort_keys=False))


def git(repo: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-C", str(repo), "-c", "user.name=Bench", "-c", "user.email=bench@example.com", *args],
        check=True,
    )


def appset(shared: bool) -> dict:
    namespace = "apps" if shared else "{{index .path.segments 1}}"
    return {
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "ApplicationSet",
        "metadata": {"name": "prod", "namespace": "argocd"},
        "spec": {
            "goTemplate": True,
            "goTemplateOptions": ["missingkey=error"],
            "generators": [
                {
                    "git": {
                        "repoURL": REPO_URL,
                        "revision": "HEAD",
                        "directories": [{"path": "apps/*/envs/prod"}],
                    }
                }
            ],
            "template": {
                "metadata": {"name": "{{index .path.segments 1}}-prod"},
                "spec": {
                    "project": "default",
                    "source": {"repoURL": REPO_URL, "targetRevision": "HEAD", "path": "{{.path.path}}"},
                    "destination": {"server": "https://kubernetes.default.svc", "namespace": namespace},
                },
            },
        },
    }


def generate(root: Path, apps: int, shared: bool) -> Path:
    repo = root / "fleet"
    repo.mkdir(parents=True)
    git(repo, "init", "-q", "-b", "main")
    write(
        repo,
        "root.yaml",
        {
            "apiVersion": "argoproj.io/v1alpha1",
            "kind": "Application",
            "metadata": {"name": "all-apps", "namespace": "argocd"},
            "spec": {
                "project": "default",
                "source": {"repoURL": REPO_URL, "targetRevision": "HEAD", "path": "appsets"},
                "destination": {"server": "https://kubernetes.default.svc", "namespace": "argocd"},
            },
        },
    )
    write(repo, "appsets/prod.yaml", appset(shared))
    for n in range(apps):
        name = f"svc-{n:03d}"
        labels = {"app": name}
        write(
            repo,
            f"apps/{name}/envs/prod/deployment.yaml",
            {
                "apiVersion": "apps/v1",
                "kind": "Deployment",
                "metadata": {"name": name, "labels": labels},
                "spec": {
                    "replicas": 2,
                    "selector": {"matchLabels": labels},
                    "template": {
                        "metadata": {"labels": labels},
                        "spec": {
                            "containers": [{"name": name, "image": f"registry.example.com/{name}:1.0.{n}"}]
                        },
                    },
                },
            },
        )
        write(
            repo,
            f"apps/{name}/envs/prod/config.yaml",
            {
                "apiVersion": "v1",
                "kind": "ConfigMap",
                "metadata": {"name": f"{name}-config"},
                "data": {"LOG_LEVEL": "info"},
            },
        )
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "fleet")
    git(repo, "remote", "add", "origin", REPO_URL)
    return repo


def populate(repo: Path, kubeconfig: Path, apps: int, shared: bool) -> None:
    ws = Workspace(Settings(repo=str(repo), kubeconfig=str(kubeconfig), context=CONTEXT), GitRepo(repo))
    names = ["apps"] if shared else [f"svc-{n:03d}" for n in range(apps)]
    namespaces = [{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": n}} for n in names]
    generated = [f"svc-{n:03d}-prod" for n in range(apps)]
    initial_sync(ws.client(), namespaces + ws.desired_objects(generated))
    ws.close()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--apps", type=int, default=500)
    parser.add_argument("--latency-ms", type=float, default=2.0)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--namespaces", choices=("per-app", "shared"), default="per-app")
    args = parser.parse_args()
    shared = args.namespaces == "shared"
    tmp = Path(tempfile.mkdtemp(prefix="gitops-tui-bench-appset-"))
    server = SandboxServer(controllers=False).start()
    try:
        kubeconfig = server.write_kubeconfig(tmp / "kubeconfig", context=CONTEXT)
        repo = generate(tmp, args.apps, shared)
        t = time.perf_counter()
        populate(repo, kubeconfig, args.apps, shared)
        print(f"populated {args.apps} apps in {time.perf_counter() - t:.1f} s", file=sys.stderr)
        kubectl = Kubectl(str(kubeconfig), CONTEXT)
        for n in range(0, args.apps, 10):
            kubectl.scale("Deployment", "apps" if shared else f"svc-{n:03d}", f"svc-{n:03d}", 5)
        kubectl.close()
        server.faults.latency_ms = args.latency_ms
        env = {**os.environ, "KUBECONFIG": str(kubeconfig), "XDG_STATE_HOME": str(tmp / "state")}
        status = [
            sys.executable,
            "-m",
            "gitops_tui",
            "status",
            "--json",
            "--repo",
            str(repo),
            "--context",
            CONTEXT,
        ]
        cold: list[Run] = []
        warm: list[Run] = []
        reqs: dict[str, dict[str, int]] = {}
        for i in range(args.runs):
            run_env = {**env, "XDG_CACHE_HOME": str(tmp / f"cache-{i}")}
            for label, runs in (("cold", cold), ("second", warm)):
                since = len(server.requests.records)
                runs.append(measure(status, run_env))
                reqs[label] = requests_since(server, since)
        doc = json.loads(cold[-1].output[: cold[-1].output.rindex("}") + 1])
        found = len(doc["apps"])
        drifted = sum(1 for a in doc["apps"] if a["sync"] == "OutOfSync")
        errors = [a["id"] for a in doc["apps"] if a["error"]]
    finally:
        server.stop()
        shutil.rmtree(tmp, ignore_errors=True)
    print(
        f"\nApplicationSet status benchmark: {args.apps} generated apps ({args.namespaces} namespaces), "
        f"{args.latency_ms:g} ms latency, {args.runs} runs, {os.cpu_count()} CPUs"
    )
    print(
        f"  apps listed: {found} ({drifted} out of sync, {len(errors)} with errors{': ' + ', '.join(errors[:3]) if errors else ''})"
    )
    print("  | run | wall best / median | peak RSS | CPU | requests |")
    print("  |---|---|---|---|---|")
    for label, runs in (("cold status --json", cold), ("second status", warm)):
        walls = sorted(r.wall for r in runs)
        req = reqs["cold" if runs is cold else "second"]
        print(
            f"  | {label} | {walls[0]:.2f} / {statistics.median(walls):.2f} s | {max(r.rss_mb for r in runs):.0f} MB "
            f"| {statistics.median(r.cpu_s for r in runs):.1f} s | {req['dry runs']} dry runs, {req['LISTs']} LISTs, "
            f"{req['all']} in all |"
        )


if __name__ == "__main__":
    main()
