"""What a Kustomize overlay says about one object: its `images:` and `replicas:` entries, the patch files
of the overlay that target it, and resource files of its own that define it.

Only files inside the overlay directory are ever candidates for editing: a base (or a patch kept next to a
base) is shared by other overlays, and changing it would change environments nobody asked to change.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from gitops_tui.model import ResourceKey
from gitops_tui.source.adopt.plan import AdoptRefused, read_text
from gitops_tui.source.adopt.yamltext import load_all
from gitops_tui.source.leaves import is_remote
from gitops_tui.source.walk import find_kustomization


def split_image(ref: str) -> tuple[str, str, str]:
    """`registry:5000/app:1.2@sha256:…` -> ("registry:5000/app", "1.2", "sha256:…")."""
    rest, _, digest = ref.partition("@")
    name, colon, tag = rest.rpartition(":")
    if not colon or "/" in tag:
        return rest, "", digest
    return name, tag, digest


@dataclass(frozen=True)
class PatchDoc:
    """One document of a patch file of the overlay: a strategic-merge patch, or JSON 6902 operations."""

    rel: str  # repo-relative file
    index: int  # document index in the file
    data: Any
    target: dict[str, Any] | None  # the `patches:` entry's target, if any


@dataclass
class Overlay:
    rel: str  # the overlay directory, repo-relative
    kfile: str  # its kustomization file, repo-relative
    data: dict[str, Any]
    patches: list[PatchDoc] = field(default_factory=list)
    registered: set[str] = field(default_factory=set)  # patch paths as written in `patches:`
    resources: list[str] = field(default_factory=list)  # own resource files, repo-relative

    def inside(self, rel: str) -> bool:
        return self.rel in ("", ".") or rel.startswith(self.rel.rstrip("/") + "/")

    def base_name(self, name: str) -> str:
        """The object's name before this overlay's namePrefix/nameSuffix (how its patches name it)."""
        prefix, suffix = str(self.data.get("namePrefix") or ""), str(self.data.get("nameSuffix") or "")
        if prefix and name.startswith(prefix):
            name = name[len(prefix) :]
        if suffix and name.endswith(suffix):
            name = name[: -len(suffix)]
        return name

    def names(self, key: ResourceKey) -> set[str]:
        return {key.name, self.base_name(key.name)}


def _docs(root: Path, rel: str) -> list[Any]:
    try:
        return load_all(read_text(root, rel).lstrip("\ufeff"))
    except yaml.YAMLError as exc:
        raise AdoptRefused(f"{rel}: not valid YAML: {' '.join(str(exc).split())}") from None


def load_overlay(root: Path, rel: str) -> Overlay:
    directory = root / rel if rel not in ("", ".") else root
    kfile = find_kustomization(directory)
    if kfile is None:
        raise AdoptRefused(f"{rel} has no kustomization file")
    krel = kfile.relative_to(root).as_posix()
    docs = _docs(root, krel)
    data = docs[0] if docs and isinstance(docs[0], dict) else {}
    overlay = Overlay(rel=rel, kfile=krel, data=data)

    def local(ref: Any) -> str | None:
        if not isinstance(ref, str) or "\n" in ref or is_remote(ref):
            return None
        target = posixpath.normpath(posixpath.join(rel, ref))
        return target if overlay.inside(target) and (root / target).is_file() else None

    for ref in data.get("patchesStrategicMerge") or []:
        if (target := local(ref)) is not None:
            overlay.patches += [PatchDoc(target, i, d, None) for i, d in enumerate(_docs(root, target))]
    for entry in data.get("patches") or []:
        if not isinstance(entry, dict):
            continue
        if isinstance(entry.get("path"), str):
            overlay.registered.add(posixpath.normpath(entry["path"]))
        if (target := local(entry.get("path"))) is not None:
            sel = entry.get("target") if isinstance(entry.get("target"), dict) else None
            overlay.patches += [PatchDoc(target, i, d, sel) for i, d in enumerate(_docs(root, target))]
    for ref in data.get("resources") or []:
        if (target := local(ref)) is not None:
            overlay.resources.append(target)
    return overlay


def targets(overlay: Overlay, patch: PatchDoc, key: ResourceKey, api_version: str) -> bool:
    """Whether the patch document applies to the object (by its `target`, else by its own identity)."""
    group = api_version.rpartition("/")[0] if "/" in api_version else ""
    if patch.target is not None:
        t = patch.target
        if t.get("kind") not in (None, key.kind) or t.get("group") not in (None, group):
            return False
        if t.get("name") not in (None, *overlay.names(key)):
            return False
        return not t.get("labelSelector") and not t.get("annotationSelector")
    doc = patch.data
    if not isinstance(doc, dict):
        return False
    found = ResourceKey.of(doc)
    return (found.group, found.kind) == (group, key.kind) and found.name in overlay.names(key)
