"""Adopting into a Kustomize app: the overlay entry or patch that sets the field, else a new patch.

For each field, in the order Kustomize lets them win: an `images:` entry (for container images) or a
`replicas:` entry (for spec.replicas) of the overlay; a patch file of the overlay that already sets the
field; the overlay's own resource file that defines the object; else a strategic-merge patch written for
the purpose (`adopt-<kind>-<name>.yaml`) and registered under `patches:`. The base is never edited.
"""

from __future__ import annotations

import posixpath
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml

from gitops_tui.engine import pointer
from gitops_tui.model import AppSpec, DriftField, Obj, RenderedApp, ResourceKey
from gitops_tui.source.adopt.directory import list_item
from gitops_tui.source.adopt.fieldpath import (
    Change,
    EditError,
    Step,
    concrete_steps,
    key_value,
    resolve,
    steps_of,
)
from gitops_tui.source.adopt.fieldpath import Path as FieldPath
from gitops_tui.source.adopt.overlay import Overlay, load_overlay, split_image, targets
from gitops_tui.source.adopt.plan import AdoptRefused, FileChange, field_name, read_text, summary_line
from gitops_tui.source.adopt.yamledit import apply_to_data, edit_document, plan_edits
from gitops_tui.source.adopt.yamltext import block_lines, compose_documents, detect_layout, load_all

_HEADER = "# Live values adopted into Git by gitops-tui; the commit message says why.\n"


class _Edits:
    """Changes collected per (file, document, object path in the document), made together at the end."""

    def __init__(self) -> None:
        self.by_doc: dict[tuple[str, int, FieldPath], list[Change]] = defaultdict(list)

    def add(self, rel: str, index: int, base: FieldPath, change: Change) -> None:
        self.by_doc[(rel, index, base)].append(change)

    def files(self, root: Path) -> list[FileChange]:
        out: list[FileChange] = []
        for rel in dict.fromkeys(rel for rel, _, _ in self.by_doc):
            before = text = read_text(root, rel)
            for (file, index, base), changes in self.by_doc.items():
                if file == rel:
                    try:
                        text = edit_document(text, index, changes, base)
                    except EditError as exc:
                        raise AdoptRefused(f"{rel}: {exc}") from None
            out.append(FileChange(rel, before, text))
        return out


def _is_image(tokens: list[str]) -> bool:
    return len(tokens) >= 3 and tokens[-1] == "image" and tokens[-3] in ("containers", "initContainers")


def _images(obj: Any, path: str = "") -> list[tuple[str, str, str]]:
    """(pointer, image, container name) of every container and init container in an object, wherever its pod spec is."""
    out: list[tuple[str, str, str]] = []
    if isinstance(obj, dict):
        for k, v in obj.items():
            here = f"{path}/{pointer.escape(k)}"
            if k in ("containers", "initContainers") and isinstance(v, list):
                for i, c in enumerate(v):
                    if isinstance(c, dict) and isinstance(c.get("image"), str):
                        out.append((f"{here}/{i}/image", c["image"], str(c.get("name") or i)))
            else:
                out.extend(_images(v, here))
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            out.extend(_images(v, f"{path}/{i}"))
    return out


def _image_entry(overlay: Overlay, drift: DriftField) -> tuple[int, list[Change]] | None:
    """The `images:` entry that produced the Git image, and the edits that make it produce the live one."""
    if not isinstance(drift.git, str) or not isinstance(drift.live, str):
        return None
    git_name = split_image(drift.git)[0]
    entries = overlay.data.get("images")
    for i, entry in enumerate(entries if isinstance(entries, list) else []):
        if not isinstance(entry, dict) or (entry.get("newName") or entry.get("name")) != git_name:
            continue
        name, tag, digest = split_image(drift.live)
        wanted = {"newName": name if name != entry.get("name") else None, "newTag": tag or None}
        wanted["digest"] = digest or None
        changes = []
        for field, value in wanted.items():
            steps = concrete_steps(("images", i, field))
            if value is not None and entry.get(field) != value:
                changes.append(Change(steps, value))
            elif value is None and field in entry:
                changes.append(Change(steps, None, delete=True))
        return i, changes
    return None


def _new_image_entry(drift: DriftField) -> dict[str, str] | None:
    """An `images:` entry turning the Git image into the live one, or None when they are not image refs."""
    if not isinstance(drift.git, str) or not isinstance(drift.live, str):
        return None
    git_name = split_image(drift.git)[0]
    name, tag, digest = split_image(drift.live)
    if not git_name or not name or (not tag and not digest):
        return None
    entry = {"name": git_name}
    if name != git_name:
        entry["newName"] = name
    if tag:
        entry["newTag"] = tag
    if digest:
        entry["digest"] = digest
    return entry


def _application_image(root: Path, app: AppSpec, drift: DriftField) -> tuple[int, Change] | None:
    """The Argo CD Application's own image override (`spec.source.kustomize.images`): it is applied on
    top of the overlay, so an overlay edit would not change what renders."""
    if not (app.kustomize_images and app.defined_in) or not isinstance(drift.git, str):
        return None
    if not isinstance(drift.live, str):
        return None
    git_name = split_image(drift.git)[0]
    for index, doc in enumerate(_safe_docs(root, app.defined_in)):
        if not isinstance(doc, dict) or doc.get("kind") != "Application":
            continue
        if (doc.get("metadata") or {}).get("name") != app.name:
            continue
        images = ((doc.get("spec") or {}).get("source") or {}).get("kustomize", {}).get("images")
        for i, spec in enumerate(images if isinstance(images, list) else []):
            name, eq, ref = str(spec).partition("=")
            if not eq:
                name, ref = split_image(spec)[0], spec
            if split_image(ref)[0] != git_name:
                continue
            live_name = split_image(drift.live)[0]
            new = f"{name}={drift.live}" if eq or live_name != name else drift.live
            return index, Change(concrete_steps(("spec", "source", "kustomize", "images", i)), new)
    return None


def _safe_docs(root: Path, rel: str) -> list[Any]:
    try:
        return load_all(read_text(root, rel).lstrip("\ufeff"))
    except yaml.YAMLError as exc:
        raise AdoptRefused(f"{rel}: not valid YAML: {' '.join(str(exc).split())}") from None


def _replicas_entry(overlay: Overlay, key: ResourceKey, drift: DriftField) -> int | None:
    if pointer.split(drift.path) != ["spec", "replicas"] or not isinstance(drift.live, int):
        return None
    entries = overlay.data.get("replicas")
    for i, entry in enumerate(entries if isinstance(entries, list) else []):
        if isinstance(entry, dict) and entry.get("name") in overlay.names(key):
            return i
    return None


def _patch_removal(steps: tuple[Step, ...]) -> Change:
    """Removing a field through a strategic-merge patch: `null` for a key, `$patch: delete` for an item."""
    last = steps[-1]
    if last.keys:
        item = {f: key_value(f, v) for f, v in last.keys}
        return Change(steps, {**item, "$patch": "delete"})
    return Change(steps, None)


def _patch_setting(overlay: Overlay, key: ResourceKey, obj: Obj, drift: DriftField) -> tuple[str, int] | None:
    """A patch document of the overlay, targeting the object, that already sets the field."""
    steps = steps_of(drift)
    for patch in overlay.patches:
        if not targets(overlay, patch, key, str(obj.get("apiVersion") or "")) or not isinstance(
            patch.data, dict
        ):
            continue
        path, rest = resolve(patch.data, steps)
        # a list step without a key would name an item by its position in the patch: not the same item
        by_position = any(not s.keys and isinstance(p, int) for s, p in zip(steps, path, strict=False))
        if not rest and not by_position:
            return patch.rel, patch.index
    return None


def _own_resource(root: Path, overlay: Overlay, key: ResourceKey) -> tuple[str, int, FieldPath] | None:
    """The overlay's own resource file and document that define the object (not patched in from a base)."""
    wanted = ResourceKey(key.group, key.kind, key.namespace, overlay.base_name(key.name))
    for rel in overlay.resources:
        for index, doc in enumerate(_safe_docs(root, rel)):
            for candidate in (key, wanted):
                try:
                    return rel, index, list_item(doc, candidate)
                except EditError:
                    continue
    return None


def _patch_name(overlay: Overlay, key: ResourceKey, root: Path) -> tuple[str, bool]:
    """Our patch file for the object and whether it exists already (registered: add to it)."""
    stem = f"adopt-{key.kind}-{overlay.base_name(key.name)}".lower()
    n = 1
    while True:
        name = f"{stem}.yaml" if n == 1 else f"{stem}-{n}.yaml"
        rel = posixpath.join(overlay.rel, name) if overlay.rel not in ("", ".") else name
        if not (root / rel).exists():
            return name, False
        if name in overlay.registered:
            return name, True
        n += 1


def _new_patch(overlay: Overlay, rendered: RenderedApp, key: ResourceKey, obj: Obj) -> dict[str, Any]:
    meta: dict[str, Any] = {"name": overlay.base_name(key.name)}
    # The namespace only where the name alone is ambiguous; where the overlay sets the namespace, the
    # base's objects have another one (or none) when the patch is matched.
    twins = [
        o
        for o in rendered.objects
        if (ResourceKey.of(o).kind, ResourceKey.of(o).name) == (key.kind, key.name)
    ]
    if len(twins) > 1 and not overlay.data.get("namespace") and key.namespace:
        meta["namespace"] = key.namespace
    return {"apiVersion": obj.get("apiVersion"), "kind": key.kind, "metadata": meta}


class _Planner:
    """Routes each field to the file that sets it, in the order Kustomize lets them win."""

    def __init__(self, root: Path, app: AppSpec, rendered: RenderedApp, key: ResourceKey) -> None:
        self.root, self.app, self.rendered, self.key = root, app, rendered, key
        self.overlay = load_overlay(root, posixpath.normpath(app.path or "."))
        self.obj = next(o for o in rendered.objects if ResourceKey.of(o) == key)
        self.edits = _Edits()
        self.summary: list[str] = []
        self.new_patch: dict[str, Any] | None = None
        self.patch_name, self.patch_exists = _patch_name(self.overlay, key, root)
        self.patch_rel = posixpath.normpath(posixpath.join(self.overlay.rel, self.patch_name))
        self._own: tuple[str, int, FieldPath] | None | bool = False  # looked up when first needed

    def note(self, rel: str, what: str, drift: DriftField) -> None:
        self.summary.append(summary_line(rel, what, drift.git, drift.live))

    def image_users(self, drift: DriftField) -> str:
        """Other containers of the app whose image the same `images:` entry sets: the blast radius."""
        git_name = split_image(str(drift.git))[0]
        users: list[str] = []
        for obj in self.rendered.objects:
            found = ResourceKey.of(obj)
            for path, image, container in _images(obj):
                if split_image(image)[0] == git_name and (found, path) != (self.key, drift.path):
                    users.append(f"{found.kind}/{found.name} ({container})")
        return ", ".join(sorted(set(users)))

    def route(self, drift: DriftField) -> None:
        kfile, what = self.overlay.kfile, field_name(drift)
        if drift.live is not None and _is_image(pointer.split(drift.path)):
            if found_app := _application_image(self.root, self.app, drift):
                self.edits.add(self.app.defined_in, found_app[0], (), found_app[1])
                return self.note(self.app.defined_in, f"{what} (kustomize.images)", drift)
            if (found := _image_entry(self.overlay, drift)) is not None:
                for change in found[1]:
                    self.edits.add(kfile, 0, (), change)
                name = self.overlay.data["images"][found[0]].get("name")
                self.note(kfile, f"{what} (images entry {name})", drift)
                if others := self.image_users(drift):
                    self.summary.append(f"{kfile}: the images entry {name} also sets the image of {others}")
                return None
            if (entry := _new_image_entry(drift)) is not None and not self.image_users(drift):
                # what `kustomize edit set image` writes: one entry in the overlay, one hunk in Git
                items = self.overlay.data.get("images")
                at = ("images", len(items)) if isinstance(items, list) else ("images",)
                self.edits.add(
                    kfile, 0, (), Change(concrete_steps(at), entry if isinstance(items, list) else [entry])
                )
                return self.note(kfile, f"{what} (new images entry {entry['name']})", drift)
        if drift.live is not None and (index := _replicas_entry(self.overlay, self.key, drift)) is not None:
            self.edits.add(kfile, 0, (), Change(concrete_steps(("replicas", index, "count")), drift.live))
            return self.note(kfile, f"{what} (replicas entry)", drift)
        steps = steps_of(drift)
        as_patch = _patch_removal(steps) if drift.live is None else Change(steps, drift.live)
        if (patch := _patch_setting(self.overlay, self.key, self.obj, drift)) is not None:
            self.edits.add(patch[0], patch[1], (), as_patch)
            return self.note(patch[0], f"{what} (patch)", drift)
        if self._own is False:
            self._own = _own_resource(self.root, self.overlay, self.key)
        if self._own and not isinstance(self._own, bool):
            rel, index, base = self._own
            self.edits.add(rel, index, base, Change(steps, drift.live, drift.live is None))
            return self.note(rel, what, drift)
        if self.patch_exists:
            self.edits.add(self.patch_rel, 0, (), as_patch)
        else:
            self.new_patch = self.new_patch or _new_patch(self.overlay, self.rendered, self.key, self.obj)
            try:
                for edit in plan_edits(self.new_patch, as_patch):
                    apply_to_data(self.new_patch, edit)
            except EditError as exc:
                raise AdoptRefused(f"cannot write {what} as a patch: {exc}") from None
        return self.note(self.patch_rel, f"{what} (patch)", drift)

    def files(self) -> list[FileChange]:
        overlay = self.overlay
        if self.new_patch is not None:
            items = overlay.data.get("patches")
            entry = {"path": self.patch_name}
            if isinstance(items, list):
                register = Change(concrete_steps(("patches", len(items))), entry)
            else:
                register = Change(concrete_steps(("patches",)), [entry])
            self.edits.add(overlay.kfile, 0, (), register)
            self.summary.append(
                f"{overlay.kfile}: patches += {self.patch_name} (new patch for {self.key.kind}/{self.key.name})"
            )
        changes = self.edits.files(self.root)
        if self.new_patch is not None:
            # written the way the overlay's kustomization indents, so the overlay reads as one hand
            layout = detect_layout(compose_documents(read_text(self.root, overlay.kfile).lstrip("\ufeff")))
            text = _HEADER + "\n".join(block_lines(self.new_patch, 0, layout)) + "\n"
            changes.append(FileChange(self.patch_rel, "", text))
        for change in changes:
            if not overlay.inside(change.path) and change.path != self.app.defined_in:
                raise AdoptRefused(
                    f"{change.path} is outside the overlay {overlay.rel}: refusing to edit a shared base"
                )
        return changes


def plan_kustomize(
    root: Path, app: AppSpec, rendered: RenderedApp, key: ResourceKey, fields: Sequence[DriftField]
) -> tuple[list[FileChange], list[str]]:
    planner = _Planner(root, app, rendered, key)
    for drift in fields:
        planner.route(drift)
    return planner.files(), planner.summary
