"""`templatePatch` and the last touches the controller gives an Application before it writes it.

The patch is a strategic merge patch against the Application type, which declares no merge keys: maps
merge key by key, `null` deletes, lists are replaced whole, `$patch: replace` / `$patch: delete` work on a
map. The project cannot be patched (Argo restores it, so a patch cannot escape the template's project).
"""

from __future__ import annotations

import json
from typing import Any

from gitops_tui.source.appset.govalues import clone, json_data
from gitops_tui.source.errors import ManifestError
from gitops_tui.source.yamlload import load_documents


class PatchError(ValueError):
    pass


def parse_patch(text: str) -> dict[str, Any]:
    """The rendered patch as Argo reads it: JSON when it starts with `{`, else YAML; it must fit an
    Application (a mapping, with mapping `metadata` and `spec`)."""
    try:
        if text.strip().startswith("{"):
            data: Any = json.loads(text)
        else:
            docs = load_documents(text, "templatePatch")
            data = docs[0].data if docs else None
    except json.JSONDecodeError as exc:
        raise PatchError(f"error while converting template to json: {exc}") from None
    except ManifestError as exc:
        line = f" (line {exc.line})" if exc.line else ""
        raise PatchError(f"error while converting template to json{line}: {exc.problem}") from None
    data = json_data(data)
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise PatchError("invalid templatePatch: it must be a mapping (an Application's fields)")
    out: dict[str, Any] = data
    for key in ("metadata", "spec"):
        if data.get(key) is not None and not isinstance(data[key], dict):
            raise PatchError(f"invalid templatePatch: {key} must be a mapping")
    return out


def apply_patch(app: dict[str, Any], patch: dict[str, Any]) -> dict[str, Any]:
    project = (app.get("spec") or {}).get("project")
    merged = _merge(app, patch)
    out: dict[str, Any] = merged if isinstance(merged, dict) else {}
    if not isinstance(out.get("spec"), dict):
        out["spec"] = {}
    if project is None:
        out["spec"].pop("project", None)
    else:
        out["spec"]["project"] = project
    return out


def _merge(original: Any, patch: Any) -> Any:
    if not isinstance(patch, dict):
        return clone(patch)
    directive = patch.get("$patch")
    if directive == "delete":
        return None
    base: dict[str, Any] = {} if directive == "replace" or not isinstance(original, dict) else clone(original)
    for key, value in patch.items():
        if key == "$patch":
            continue
        if value is None:
            base.pop(key, None)
            continue
        merged = _merge(base.get(key), value)
        if merged is None:
            base.pop(key, None)
        else:
            base[key] = merged
    return base


def normalize(app: dict[str, Any]) -> None:
    """argoutil.NormalizeApplicationSpec, applied before the controller writes an Application: the default
    project, and no empty `syncPolicy`, `helm`, `kustomize` or `directory` blocks."""
    spec = app.setdefault("spec", {})
    if not spec.get("project"):
        spec["project"] = "default"
    policy = spec.get("syncPolicy")
    if (
        isinstance(policy, dict)
        and all(policy.get(k) is None for k in ("automated", "retry", "managedNamespaceMetadata"))
        and not policy.get("syncOptions")
    ):
        del spec["syncPolicy"]
    sources = spec.get("sources")
    if isinstance(sources, list) and sources:
        for source in sources:
            _normalize_source(source)
    elif isinstance(spec.get("source"), dict):
        _normalize_source(spec["source"])


def _normalize_source(source: Any) -> None:
    if not isinstance(source, dict):
        return
    for key in ("kustomize", "helm"):
        if key in source and _zero(source[key]):
            del source[key]
    directory = source.get("directory")
    # ApplicationSourceDirectory.IsZero looks at recurse and jsonnet only; include/exclude are kept
    if isinstance(directory, dict) and _zero(
        {k: v for k, v in directory.items() if k not in ("include", "exclude")}
    ):
        kept = {k: directory[k] for k in ("exclude", "include") if directory.get(k)}
        if kept:
            source["directory"] = kept
        else:
            del source["directory"]


def _zero(value: Any) -> bool:
    """A Go zero value: nothing in it but empty strings, false, 0, nulls and empty lists or maps."""
    if isinstance(value, dict):
        return all(_zero(v) for v in value.values())
    if isinstance(value, list):
        return not value
    return value is None or value == "" or value is False or (isinstance(value, int | float) and value == 0)
