"""Adopting into a plain-YAML app: the object's own file and document, edited in place."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml

from gitops_tui.model import DriftField, RenderedApp, ResourceKey
from gitops_tui.source.adopt.fieldpath import Change, EditError, steps_of
from gitops_tui.source.adopt.fieldpath import Path as FieldPath
from gitops_tui.source.adopt.plan import AdoptRefused, FileChange, field_name, read_text, summary_line
from gitops_tui.source.adopt.yamledit import edit_document
from gitops_tui.source.adopt.yamltext import load_all


def changes_for(fields: Sequence[DriftField]) -> list[Change]:
    """A DriftField whose live value is absent (None) was removed live: remove it in Git too."""
    return [Change(steps_of(f), f.live, f.live is None) for f in fields]


def same_object(doc: Any, key: ResourceKey) -> bool:
    """The document is the object: kind and name (the namespace may come from the app, not the file)."""
    if not isinstance(doc, dict):
        return False
    found = ResourceKey.of(doc)
    same = (found.group, found.kind, found.name) == (key.group, key.kind, key.name)
    return same and found.namespace in ("", key.namespace)


def list_item(doc: Any, key: ResourceKey) -> FieldPath:
    """Where the object sits in its document: the document itself, or an item of a `kind: List`."""
    if same_object(doc, key):
        return ()
    items = doc.get("items") if isinstance(doc, dict) else None
    for i, item in enumerate(items if isinstance(items, list) else []):
        if same_object(item, key):
            return ("items", i)
    raise EditError(f"no longer holds {key.display()}")


def edit_object(
    root: Path, rel: str, index: int, key: ResourceKey, fields: Sequence[DriftField]
) -> FileChange:
    before = read_text(root, rel)
    try:
        docs = load_all(before.lstrip("\ufeff"))
        if index >= len(docs):
            raise EditError(f"no longer holds {key.display()}")
        after = edit_document(before, index, changes_for(fields), list_item(docs[index], key))
    except EditError as exc:
        raise AdoptRefused(f"{rel}: {exc}") from None
    except yaml.YAMLError as exc:  # the file is no longer what was rendered
        raise AdoptRefused(f"{rel}: cannot be read back: {' '.join(str(exc).split())}") from None
    return FileChange(rel, before, after)


def plan_directory(
    root: Path, rendered: RenderedApp, key: ResourceKey, fields: Sequence[DriftField]
) -> tuple[list[FileChange], list[str]]:
    found = [
        o for obj, o in zip(rendered.objects, rendered.origins, strict=True) if ResourceKey.of(obj) == key
    ]
    if not found:
        raise AdoptRefused(f"{key.display()} is not in {rendered.app.name}'s files")
    rel, index = found[0]
    change = edit_object(root, rel, index, key, fields)
    return [change], [summary_line(rel, field_name(f), f.git, f.live) for f in fields]
