"""Helpers for the reliability suite: a two-app GitOps repo, Git snapshots, the sandbox's write requests."""

from __future__ import annotations

import base64
import subprocess
from pathlib import Path
from typing import Any

import yaml

_DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)  # libyaml: writing a 10 MB manifest takes 0.3 s
WRITES = ("POST", "PUT", "PATCH", "DELETE")

# A value that exists nowhere else: if it shows up in any output, a secret leaked.
CANARY = "canary-7f3e9b21-do-not-print"
CANARY_DRIFTED = "canary-live-5c0d44aa-do-not-print"


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def git(repo: Path, *args: str, check: bool = True) -> str:
    proc = subprocess.run(
        ["git", "-C", str(repo), "-c", "user.name=Ops", "-c", "user.email=ops@example.com", *args],
        capture_output=True,
        text=True,
    )
    if check and proc.returncode != 0:
        raise AssertionError(f"git {' '.join(args)} failed: {proc.stderr}")
    return proc.stdout


def write(repo: Path, rel: str, docs: list[dict[str, Any]] | str) -> Path:
    path = repo / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    text = docs if isinstance(docs, str) else yaml.dump_all(docs, Dumper=_DUMPER, sort_keys=False)
    path.write_text(text)
    return path


def commit_all(repo: Path, message: str) -> str:
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", message)
    return git(repo, "rev-parse", "HEAD").strip()


def porcelain(repo: Path) -> str:
    return git(repo, "status", "--porcelain", "--untracked-files=all")


def tree_state(repo: Path) -> tuple[str, str, dict[str, bytes]]:
    """HEAD, `git status --porcelain` and the bytes of every file outside .git: what must never change
    behind the operator's back."""
    files = {
        str(p.relative_to(repo)): p.read_bytes()
        for p in sorted(repo.rglob("*"))
        if p.is_file() and ".git" not in p.relative_to(repo).parts
    }
    head = git(repo, "rev-parse", "--verify", "-q", "HEAD", check=False).strip()
    return head, porcelain(repo), files


def application(name: str, path: str, namespace: str, **spec: Any) -> dict[str, Any]:
    return {
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "Application",
        "metadata": {"name": name, "namespace": "argocd"},
        "spec": {
            "project": "default",
            "source": {"repoURL": "https://git.example.com/platform.git", "path": path},
            "destination": {"server": "https://kubernetes.default.svc", "namespace": namespace},
            **spec,
        },
    }


def deployment(name: str, image: str = "registry.example.com/app:1.0.0", replicas: int = 2) -> dict:
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": name, "labels": {"app": name}},
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": {"app": name}},
            "template": {
                "metadata": {"labels": {"app": name}},
                "spec": {"containers": [{"name": name, "image": image}]},
            },
        },
    }


def configmap(name: str, **data: str) -> dict:
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name}, "data": dict(data)}


def secret(name: str, **data: str) -> dict:
    return {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {"name": name},
        "type": "Opaque",
        "data": {k: b64(v) for k, v in data.items()},
    }


def namespace(name: str) -> dict:
    return {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}}


def make_repo(root: Path) -> Path:
    """Two apps: `api` (Kustomize, namespace api) and `web` (plain YAML, namespace web), each with a
    Deployment, a ConfigMap and a Secret carrying the canary."""
    repo = root / "platform"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    write(repo, "apps/api.yaml", [application("api", "api", "api")])
    write(repo, "apps/web.yaml", [application("web", "web", "web")])
    write(repo, "api/namespace.yaml", [namespace("api")])
    write(repo, "api/deployment.yaml", [deployment("api")])
    write(repo, "api/config.yaml", [configmap("api-config", MODE="prod")])
    write(repo, "api/secret.yaml", [secret("api-credentials", password=CANARY)])
    write(
        repo,
        "api/kustomization.yaml",
        "resources:\n  - namespace.yaml\n  - deployment.yaml\n  - config.yaml\n  - secret.yaml\n",
    )
    write(repo, "web/namespace.yaml", [namespace("web")])
    write(repo, "web/deployment.yaml", [deployment("web")])
    write(repo, "web/config.yaml", [configmap("web-config", GREETING="hello")])
    write(repo, "web/secret.yaml", [secret("web-token", token=CANARY)])
    commit_all(repo, "initial")
    return repo


def writes(server: Any, since: int = 0) -> list[tuple[str, str]]:
    """(method, path) of every mutating request the server received after `since`, dry runs excluded."""
    return [
        (r.method, r.path) for r in server.requests.records[since:] if r.method in WRITES and not r.dry_run
    ]
