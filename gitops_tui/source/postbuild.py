"""What kustomize-controller does to the built objects before applying them (fluxcd/pkg kustomize_varsub.go,
kustomization_controller.go), exactly:

- Substitution runs only when `spec.postBuild` is set, and only when there is at least one variable
  (`substituteStrategy: Always` runs it anyway, for `${var:=default}`). Variables: each `substituteFrom`
  object's keys in order (later ones win; a ConfigMap's `data`, a Secret's decoded `data`), then
  `substitute` over them; newlines are removed from values; a name must match
  `^[_[:alpha:]][_[:alpha:][:digit:]]*$`. A missing object is an error unless `optional`.
- Each object is serialized to YAML and substituted whole (engine/envsubst.py), unless it is labelled or
  annotated `kustomize.toolkit.fluxcd.io/substitute: disabled`. Strict mode (Flux's default since v1.9,
  the StrictPostBuildSubstitutions feature gate): a variable with no value and no default fails the build.
- `commonMetadata` labels and annotations are set on every object, over the objects' own.

Values from Secrets are collected so that whatever shows an object can mask them (RenderedApp.secret_values).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any

import yaml

from gitops_tui.engine.envsubst import SubstitutionError, VariableNotSet, evaluate
from gitops_tui.model import AppSpec, FluxBuild, GitopsError, Obj
from gitops_tui.source.errors import RenderError
from gitops_tui.source.fluxvalues import FluxValuesLookup

SUBSTITUTE_KEY = "kustomize.toolkit.fluxcd.io/substitute"
_NAME = re.compile(r"^[_A-Za-z][_A-Za-z0-9]*$")
_NAME_RULE = "^[_[:alpha:]][_[:alpha:][:digit:]]*$"


class _Dumper(yaml.SafeDumper):
    """YAML as sigs.k8s.io/yaml writes an object: keys sorted, no line folding, multi-line strings as
    literal blocks (a value substituted into one then stays inside it)."""


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str)


def variables(
    app: AppSpec, build: FluxBuild, lookup: FluxValuesLookup | None
) -> tuple[dict[str, str], set[str]]:
    """(name -> value, names whose value comes from a Secret). Raises RenderError."""
    found: dict[str, str] = {}
    secret: set[str] = set()
    for ref in build.substitute_from:
        values: dict[str, str] | None
        if ref.found:
            values = dict(ref.values)
        elif lookup is None:
            if ref.optional:
                continue
            raise RenderError(
                f"substituteFrom {ref.kind} {ref.namespace}/{ref.name} is not in Git, and the cluster is not "
                "read for it here"
            )
        else:
            try:
                got = lookup(app.cluster, ref.kind, ref.namespace, ref.name)
            except GitopsError as exc:
                raise RenderError(f"substitute from '{ref.kind}/{ref.name}' error: {exc.message}") from None
            if got is None and ref.optional:
                continue
            if got is None:
                raise RenderError(
                    f"substitute from '{ref.kind}/{ref.name}' error: not found in Git nor in namespace "
                    f"{ref.namespace} of the cluster"
                )
            values = dict(got)
        for key, value in values.items():
            found[key] = value.replace("\n", "")
            (secret.add if ref.kind == "Secret" else secret.discard)(key)
    for key, value in build.substitute:
        found[key] = value.replace("\n", "")
        secret.discard(key)
    for key in found:
        if not _NAME.match(key):
            raise RenderError(f"'{key}' var name is invalid, must match '{_NAME_RULE}'")
    return found, secret


def _disabled(obj: Obj) -> bool:
    meta = obj.get("metadata") or {}
    return any(
        isinstance(m, dict) and m.get(SUBSTITUTE_KEY) == "disabled"
        for m in (meta.get("labels"), meta.get("annotations"))
    )


def substitute_all(
    objects: Sequence[Obj],
    app: AppSpec,
    build: FluxBuild,
    lookup: FluxValuesLookup | None,
    mention: Callable[[str], str],
) -> tuple[list[Obj], tuple[str, ...]]:
    """The objects substituted, and the Secret values that went into them. `mention(variable)` says where
    a variable is used ("file:line"), for its error."""
    if not build.post_build:
        return list(objects), ()
    found, secret = variables(app, build, lookup)
    if not found and not build.substitute_always:
        return list(objects), ()
    used: set[str] = set()

    def look(name: str) -> tuple[str, bool]:
        if name in found:
            used.add(name)
            return found[name], True
        return "", False

    out: list[Obj] = []
    for obj in objects:
        if _disabled(obj):
            out.append(obj)
            continue
        what = f"{obj.get('kind')}/{(obj.get('metadata') or {}).get('name')}"
        text = yaml.dump(obj, Dumper=_Dumper, sort_keys=True, width=float("inf"), allow_unicode=True)
        try:
            result = evaluate(text, look)
        except VariableNotSet as exc:
            raise RenderError(
                f"{mention(exc.name)}: post build failed for {what}: {exc} (no value in postBuild and no "
                "default, and Flux substitutes strictly)"
            ) from None
        except SubstitutionError as exc:
            raise RenderError(
                f"{app.path}: post build failed for {what}: variable substitution failed: {exc}"
            ) from None
        try:
            parsed: Any = yaml.safe_load(result)
        except yaml.YAMLError as exc:  # its message quotes the text, values and all: only the line is said
            mark = getattr(exc, "problem_mark", None)
            line = f" (line {mark.line + 1} of the object)" if mark is not None else ""
            raise RenderError(
                f"{app.path}: post build failed for {what}: the substituted YAML does not parse{line}"
            ) from None
        if not isinstance(parsed, dict):
            raise RenderError(
                f"{app.path}: post build failed for {what}: the substituted YAML is not an object"
            )
        out.append(parsed)
    secrets = tuple(sorted({found[n] for n in used & secret if found[n]}))
    return out, secrets


def common_metadata(objects: list[Obj], build: FluxBuild) -> list[Obj]:
    """`commonMetadata` over every object's labels and annotations (ssautil.SetCommonMetadata)."""
    if not build.common_labels and not build.common_annotations:
        return objects
    out = []
    for obj in objects:
        meta = dict(obj.get("metadata") or {})
        if build.common_labels:
            meta["labels"] = {**(meta.get("labels") or {}), **dict(build.common_labels)}
        if build.common_annotations:
            meta["annotations"] = {**(meta.get("annotations") or {}), **dict(build.common_annotations)}
        out.append({**obj, "metadata": meta})
    return out
