"""Temporary Git repositories for the source tests: write files, commit with fixed identities and dates."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path
from typing import Any

import yaml

_ENV = {
    "GIT_AUTHOR_NAME": "Ops",
    "GIT_AUTHOR_EMAIL": "ops@example.com",
    "GIT_COMMITTER_NAME": "Ops",
    "GIT_COMMITTER_EMAIL": "ops@example.com",
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_CONFIG_NOSYSTEM": "1",
}


def git(repo: Path, *args: str, **env: str) -> str:
    return subprocess.run(
        ["git", "-C", str(repo), *args],
        check=True,
        capture_output=True,
        text=True,
        env={**os.environ, **_ENV, **env},
    ).stdout


def init(repo: Path) -> Path:
    repo.mkdir(parents=True, exist_ok=True)
    git(repo, "init", "-q", "-b", "main")
    return repo


def write(repo: Path, rel: str, content: str | list[dict[str, Any]] | dict[str, Any]) -> Path:
    path = repo / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, dict):
        content = [content]
    path.write_text(content if isinstance(content, str) else yaml.safe_dump_all(content, sort_keys=False))
    return path


def commit(repo: Path, message: str, *, author: str = "Ops", when: str = "2024-05-01T10:00:00+00:00") -> str:
    git(repo, "add", "-A")
    git(
        repo,
        "commit",
        "-q",
        "-m",
        message,
        GIT_AUTHOR_NAME=author,
        GIT_AUTHOR_DATE=when,
        GIT_COMMITTER_DATE=when,
    )
    return git(repo, "rev-parse", "HEAD").strip()


def deployment(name: str, image: str = "registry.example.com/app:1.0.0", replicas: int = 1) -> dict[str, Any]:
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": name},
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": {"app": name}},
            "template": {
                "metadata": {"labels": {"app": name}},
                "spec": {"containers": [{"name": name, "image": image}]},
            },
        },
    }


def service(name: str) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": name},
        "spec": {"selector": {"app": name}, "ports": [{"port": 80, "targetPort": 8080}]},
    }


def configmap(name: str, **data: str) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name}, "data": data}


def application(name: str, path: str, namespace: str = "", **spec: Any) -> dict[str, Any]:
    return {
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "Application",
        "metadata": {"name": name, "namespace": "argocd"},
        "spec": {
            "project": "default",
            "source": {
                "repoURL": "https://git.example.com/platform.git",
                "targetRevision": "main",
                "path": path,
            },
            "destination": {"server": "https://kubernetes.default.svc", "namespace": namespace},
            **spec,
        },
    }


def kustomize_tree(repo: Path) -> None:
    """A base and two overlays, as the seeds lay them out."""
    write(repo, "api/base/deployment.yaml", deployment("api", "registry.example.com/api:1.0.0", 2))
    write(repo, "api/base/service.yaml", service("api"))
    write(repo, "api/base/kustomization.yaml", "resources:\n  - deployment.yaml\n  - service.yaml\n")
    for env, replicas in (("staging", 1), ("production", 3)):
        write(
            repo,
            f"api/overlays/{env}/kustomization.yaml",
            f"namespace: {env}\nresources:\n  - ../../base\n"
            f"replicas:\n  - name: api\n    count: {replicas}\n",
        )
