"""The demo repository: a Git repo shaped like a real GitOps repo, with a history worth browsing.

Five apps (DESIGN §6): `api-staging` and `api-production` (Argo CD, Kustomize overlays of `api/base`), `web`
(Argo CD, plain YAML, a Secret holding SECRET_CANARY), `database` (Argo CD, a StatefulSet) and `monitoring`
(a Flux Kustomization). Every commit has a fixed author, message and date, and Git runs without the user's
configuration, so the same call always produces the same commits (stable snapshots, stable shas).
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

from gitops_tui.sandbox import demo_manifests as m

BRANCH = "main"


@dataclass(frozen=True)
class DemoCommit:
    author: str
    email: str
    date: str  # ISO 8601 with offset
    message: str
    files: dict[str, str]


def history() -> list[DemoCommit]:
    """The repo's commits, oldest first; later commits overwrite files of earlier ones."""
    return [
        DemoCommit(
            "Alice Moreau",
            "alice@example.com",
            "2024-03-04T09:12:00+01:00",
            "api: Kustomize base with staging and production overlays\n\n"
            "Staging syncs automatically; production is synced by hand after review.",
            {
                "README.md": m.README,
                **m.api_base("1.4.0"),
                **m.api_overlay("staging", "1.4.0", 1, "patch-log-level.yaml"),
                **m.API_STAGING_PATCH,
                **m.api_overlay("production", "1.4.0", 2, None),
                **m.api_applications(),
            },
        ),
        DemoCommit(
            "Bob Nguyen",
            "bob@example.com",
            "2024-03-05T14:40:00+01:00",
            "web: storefront deployment, service, config and credentials",
            m.web("warn"),
        ),
        DemoCommit(
            "Carol Diaz",
            "carol@example.com",
            "2024-03-07T11:05:00+01:00",
            "database: postgres StatefulSet with a headless service",
            m.database(),
        ),
        DemoCommit(
            "Dave Okafor",
            "dave@example.com",
            "2024-03-08T16:20:00+01:00",
            "monitoring: Prometheus, reconciled by Flux",
            m.monitoring(),
        ),
        DemoCommit(
            "Alice Moreau",
            "alice@example.com",
            "2024-03-11T10:02:00+01:00",
            "api: bump to 1.4.2\n\nFixes the checkout timeout (SHOP-1234).",
            {
                **m.api_base("1.4.2"),
                **m.api_overlay("staging", "1.4.2", 1, "patch-log-level.yaml"),
                **m.api_overlay("production", "1.4.2", 2, None),
            },
        ),
        DemoCommit(
            "Erin Walsh",
            "erin@example.com",
            "2024-03-12T09:30:00+01:00",
            "api(production): 3 replicas and more memory ahead of the spring sale",
            {**m.api_overlay("production", "1.4.2", 3, "patch-resources.yaml"), **m.API_PRODUCTION_PATCH},
        ),
        DemoCommit(
            "Bob Nguyen",
            "bob@example.com",
            "2024-03-13T15:45:00+01:00",
            "web: log at info level again",
            {"web/configmap.yaml": m.web("info")["web/configmap.yaml"]},
        ),
    ]


def _git(repo: Path, *args: str, env: dict[str, str] | None = None) -> None:
    # No user or system configuration: hooks, templates, signing or a default branch there must not change
    # what the demo looks like.
    base = {
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_TERMINAL_PROMPT": "0",
        "LC_ALL": "C",
    }
    subprocess.run(
        ["git", "-C", str(repo), *args],
        check=True,
        capture_output=True,
        text=True,
        env={**os.environ, **base, **(env or {})},
    )


def build_demo_repo(dest: Path) -> Path:
    """Create the demo repository at `dest` (which must not exist or be empty) and return its path."""
    dest = Path(dest)
    dest.mkdir(parents=True, exist_ok=True)
    if any(dest.iterdir()):
        raise FileExistsError(f"{dest} is not empty")
    _git(dest, "init", "-q", "-b", BRANCH)
    for commit in history():
        for rel, text in commit.files.items():
            path = dest / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        _git(dest, "add", "--all")
        identity = {
            "GIT_AUTHOR_NAME": commit.author,
            "GIT_AUTHOR_EMAIL": commit.email,
            "GIT_AUTHOR_DATE": commit.date,
            "GIT_COMMITTER_NAME": commit.author,
            "GIT_COMMITTER_EMAIL": commit.email,
            "GIT_COMMITTER_DATE": commit.date,
        }
        _git(dest, "commit", "-q", "--no-verify", "-m", commit.message, env=identity)
    return dest
