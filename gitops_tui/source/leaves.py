"""Apps for a repository that declares none: one per leaf Kustomize directory (an overlay: a kustomization
no other kustomization builds on) and one per Helm chart outside them; else the whole repo as one app."""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterable
from pathlib import Path

import yaml

from gitops_tui.model import AppOrigin, AppSpec, SourceType, TrackingMethod
from gitops_tui.source.walk import find_kustomization

_REFERENCE_FIELDS = ("resources", "bases", "components")
_FILLER = {"overlays", "overlay", "envs", "environments", "deploy", "k8s", "kubernetes", "manifests"}


def is_remote(entry: str) -> bool:
    return "://" in entry or entry.startswith(("github.com/", "git@", "gitlab.com/")) or "?ref=" in entry


def leaf_kustomizations(tree: Path, dirs: Iterable[str], notes: list[str]) -> list[str]:
    """The kustomization directories (repo-relative) that no other kustomization references."""
    known = set(dirs)
    referenced: set[str] = set()
    for rel in sorted(known):
        kfile = find_kustomization(tree / rel if rel != "." else tree)
        if kfile is None:
            continue
        try:
            data = yaml.load(kfile.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader) or {}
        except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
            notes.append(
                f"{kfile.relative_to(tree).as_posix()}: unreadable ({type(exc).__name__}), not an app"
            )
            referenced.add(rel)
            continue
        if not isinstance(data, dict):
            continue
        if data.get("kind") == "Component":  # only ever included by others
            referenced.add(rel)
        for key in _REFERENCE_FIELDS:
            entries = data.get(key)
            for entry in entries if isinstance(entries, list) else []:
                if isinstance(entry, str) and not is_remote(entry):
                    target = posixpath.normpath(posixpath.join(rel, entry))
                    if target in known and target != rel:
                        referenced.add(target)
    return sorted(known - referenced)


def app_name(path: str, taken: set[str], fallback: str) -> str:
    """A readable, unique name: "api/overlays/staging" → "api-staging" (the full path if that is taken)."""
    parts = [p for p in path.split("/") if p not in (".", "")]
    short = _dns([p for p in parts if p.lower() not in _FILLER] or parts) or fallback
    if short not in taken:
        return short
    full = _dns(parts) or fallback
    name, n = full, 2
    while name in taken:
        name, n = f"{full}-{n}", n + 1
    return name


def _dns(parts: list[str]) -> str:
    joined = "-".join(parts).lower()
    return re.sub(r"[^a-z0-9.-]+", "-", joined).strip("-.")[:253]


def auto_apps(
    tree: Path,
    kustomize_dirs: Iterable[str],
    chart_dirs: Iterable[str],
    tracking: TrackingMethod,
    notes: list[str],
) -> list[AppSpec]:
    leaves = leaf_kustomizations(tree, kustomize_dirs, notes)
    charts = [c for c in sorted(chart_dirs) if not any(_inside(c, k) for k in leaves)]
    found = [(p, SourceType.KUSTOMIZE) for p in leaves] + [(p, SourceType.HELM) for p in charts]
    repo_name = _dns([tree.name]) or "repo"
    if not found:
        return [AppSpec(name=repo_name, path=".", origin=AppOrigin.AUTO, tracking=tracking)]
    apps: list[AppSpec] = []
    taken: set[str] = set()
    for path, source_type in sorted(found):
        name = app_name(path, taken, repo_name)
        taken.add(name)
        apps.append(
            AppSpec(name=name, path=path, origin=AppOrigin.AUTO, source_type=source_type, tracking=tracking)
        )
    return apps


def _inside(path: str, parent: str) -> bool:
    return parent == "." or path == parent or path.startswith(parent + "/")
