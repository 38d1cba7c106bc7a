"""Applications from generated parameters: what GenerateApplications, RenderTemplateParams and
applyTemplatePatch do, then the checks and normalization before the controller writes them.

All template strings (and the templatePatch) of an ApplicationSet are executed in one batch.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import gitops_tui.source.appset.patch as patching
from gitops_tui.source.appset.generators import Transformed
from gitops_tui.source.appset.govalues import clone
from gitops_tui.source.appset.state import (
    AppSetError,
    Expansion,
    Path_,
    TemplateFailure,
    dotted,
    failure_text,
    rebuild,
    templated_strings,
)

FINALIZER = "resources-finalizer.argocd.argoproj.io"
_META = ("name", "namespace", "labels", "annotations", "finalizers")  # ApplicationSetTemplateMeta
_DNS_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")


@dataclass
class Built:
    applications: list[dict[str, Any]]  # those the controller would write
    invalid: list[str]  # why the others are not written (the ApplicationSet's condition)


def build(exp: Expansion, results: Sequence[Transformed], spec: Mapping[str, Any]) -> Built:
    patch_text = spec.get("templatePatch")
    patch = patch_text if isinstance(patch_text, str) else None
    preserve = (
        bool((spec.get("syncPolicy") or {}).get("preserveResourcesOnDeletion"))
        if isinstance(spec.get("syncPolicy"), dict)
        else False
    )

    templates = [_template(r.template) for r in results]
    slots: list[dict[str, tuple[Path_, bool]]] = []
    jobs: list[tuple[dict[str, Any], list[str]]] = []
    owners: list[tuple[int, int]] = []  # (result, params set) of each job
    for t, result in enumerate(results):
        found: dict[str, tuple[Path_, bool]] = {}
        templated_strings(templates[t], (), found)
        slots.append(found)
        strings = list(found) + ([patch] if patch is not None else [])
        for i, params in enumerate(result.params):
            if params.values:
                jobs.append((params.values, strings))
                owners.append((t, i))
            elif patch is not None:  # RenderTemplateParams returns the template untouched for no parameters
                jobs.append(({}, [patch]))
                owners.append((t, i))
    try:
        rows = exp.run(jobs)
    except TemplateFailure as exc:
        f = exc.failure
        t, i = owners[f.job]
        raise AppSetError(
            failure_text(_field(results[t], slots[t], f.template, patch), results[t].params[i].label, f)
        ) from None

    rendered: dict[tuple[int, int], list[str | None]] = dict(zip(owners, rows, strict=True))
    apps: list[dict[str, Any]] = []
    for t, result in enumerate(results):
        for i, params in enumerate(result.params):
            row = rendered.get((t, i))
            if not params.values or row is None:
                app = clone(templates[t])
            else:
                lookup = dict(zip(slots[t], (r or "" for r in row), strict=False))
                app = rebuild(templates[t], lookup)
                meta = app.setdefault("metadata", {})
                if not preserve and not meta.get("finalizers"):
                    meta["finalizers"] = [FINALIZER]
            if patch is not None:
                text = row[-1] if row is not None else patch
                try:
                    app = patching.apply_patch(app, patching.parse_patch(text or ""))
                except patching.PatchError as exc:
                    raise AppSetError(f"spec.templatePatch for {params.label}: {exc}") from None
            apps.append(_manifest(app, exp.namespace))
    return _validate(exp, apps)


def _template(template: Any) -> dict[str, Any]:
    """The Application template as the typed ApplicationSetTemplate holds it."""
    template = template if isinstance(template, dict) else {}
    meta = template.get("metadata") if isinstance(template.get("metadata"), dict) else {}
    out: dict[str, Any] = {"metadata": {k: clone(meta[k]) for k in _META if meta.get(k) is not None}}
    out["spec"] = clone(template["spec"]) if isinstance(template.get("spec"), dict) else {}
    return out


def _field(result: Transformed, found: dict[str, tuple[Path_, bool]], string: str, patch: str | None) -> str:
    if string not in found and string == patch:
        return "spec.templatePatch"
    path, key = found.get(string, ((), False))
    return dotted(result.template_path if _holds(result.own_template, path) else "spec.template", path, key)


def _holds(template: Any, path: Path_) -> bool:
    """Whether the generator's own template sets the field at `path` (else it comes from the ApplicationSet)."""
    node = template
    for step in path:
        node = _child(node, step)
        if node is _ABSENT:
            return False
    return node not in (None, "", [], {})


_ABSENT = object()


def _child(node: Any, step: str | int) -> Any:
    if isinstance(node, dict) and isinstance(step, str):
        return node.get(step, _ABSENT)
    if isinstance(node, list) and isinstance(step, int) and step < len(node):
        return node[step]
    return _ABSENT


def _manifest(app: dict[str, Any], namespace: str) -> dict[str, Any]:
    meta: dict[str, Any] = app["metadata"] if isinstance(app.get("metadata"), dict) else {}
    # the Application lives in the ApplicationSet's namespace, whatever the template says (appsets in any
    # namespace rely on it)
    metadata: dict[str, Any] = {"name": meta.get("name") or "", "namespace": namespace}
    for key in ("labels", "annotations", "finalizers"):
        if meta.get(key):
            metadata[key] = meta[key]
    spec: dict[str, Any] = app["spec"] if isinstance(app.get("spec"), dict) else {}
    manifest = {
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "Application",
        "metadata": metadata,
        "spec": spec,
    }
    patching.normalize(manifest)
    return manifest


def _validate(exp: Expansion, apps: list[dict[str, Any]]) -> Built:
    """validateGeneratedApplications (a name, no duplicates) and what the API server refuses (a name that is
    not a DNS-1123 subdomain). Argo still writes the other Applications."""
    problems: dict[str, str] = {}
    seen: set[str] = set()
    for app in apps:
        name = app["metadata"]["name"]
        if not isinstance(name, str) or not name:
            problems.setdefault(
                "",
                f"ApplicationSet {exp.name} contains an application with no name; a name must be set in the template's metadata.name or via a templatePatch",
            )
        elif name in seen:
            problems.setdefault(
                name, f"ApplicationSet {exp.name} contains applications with duplicate name: {name}"
            )
        elif len(name) > 253 or not _DNS_SUBDOMAIN.match(name):
            problems.setdefault(
                name,
                f'Application name "{name}" is invalid: a lowercase RFC 1123 subdomain must consist of lower case '
                "alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character "
                "(at most 253 characters); the API server refuses it",
            )
        seen.add(name if isinstance(name, str) else "")
    valid = [app for app in apps if (app["metadata"]["name"] or "") not in problems]
    return Built(valid, list(problems.values()))
