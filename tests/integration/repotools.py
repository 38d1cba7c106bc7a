"""Temp Git repo helpers for integration tests."""

from __future__ import annotations

import subprocess
from pathlib import Path

import yaml


def git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-C", str(repo), "-c", "user.name=Ops", "-c", "user.email=ops@example.com", *args],
        check=True,
        capture_output=True,
        text=True,
    ).stdout


def write(repo: Path, rel: str, docs: list[dict] | str) -> None:
    path = repo / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(docs if isinstance(docs, str) else yaml.safe_dump_all(docs, sort_keys=False))


def commit_all(repo: Path, message: str) -> None:
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", message)
