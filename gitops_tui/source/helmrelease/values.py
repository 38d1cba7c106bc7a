"""A HelmRelease's values as helm-controller computes them: fluxcd/pkg chartutil ChartValuesFromReferences.

For each `valuesFrom` entry in order: the ConfigMap or Secret (in the HelmRelease's namespace) is read once
however many entries name it; a missing object or key is skipped when `optional`, else the error; with a
`targetPath`, `values` is first merged over what was built so far and the value is set at the path with
Helm's `--set` parser (a quoted value as a string, `literal` verbatim), else the key's YAML document is
merged in. Last, `values` is merged over the result. MergeMaps merges maps key by key and lets anything
else replace (a `null` stays, for Helm to drop the chart's default).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from gitops_tui.model import GitopsError, ValuesReference
from gitops_tui.source import fluxvalues
from gitops_tui.source.errors import ManifestError
from gitops_tui.source.fluxsources import FluxSources
from gitops_tui.source.fluxvalues import FluxValuesLookup, ValuesObject
from gitops_tui.source.helmrelease.strvals import GoInt, StrvalsError, parse_into
from gitops_tui.source.yamlload import load_documents

# (kind, namespace, name) -> the object, None when it is nowhere; raises Unreadable
Reader = Callable[[str, str, str], ValuesObject | None]


class ValuesError(ValueError):
    pass


class Unreadable(GitopsError):
    """The object is there but its values cannot be had (not base64, the cluster could not be read)."""


def reader(sources: FluxSources, cluster: str, lookup: FluxValuesLookup | None) -> Reader:
    """Git first (the objects the cluster's apps render, fluxvalues.py), then the cluster through `lookup`
    when there is one; a SOPS-encrypted Secret in Git is looked up live too, as helm-controller reads the
    decrypted one kustomize-controller applied."""

    def read(kind: str, namespace: str, name: str) -> ValuesObject | None:
        try:
            found = fluxvalues.find_values(sources, kind, namespace, name, binary=True)
        except fluxvalues.ValuesError as exc:
            raise Unreadable(str(exc)) from None
        if (found is not None and not found.encrypted) or lookup is None:
            return found
        try:
            got = lookup(cluster, kind, namespace, name)
        except GitopsError as exc:
            raise Unreadable(f"{kind} {namespace}/{name} could not be read from the cluster: {exc}") from None
        return None if got is None else ValuesObject(kind, namespace, name, "the cluster", got)

    return read


@dataclass
class MergedValues:
    values: dict[str, Any]
    secrets: list[str] = field(default_factory=list, repr=False)  # every Secret-sourced string used
    from_secret: bool = False
    notes: list[str] = field(default_factory=list)


def merge_maps(a: dict[str, Any], b: dict[str, Any]) -> dict[str, Any]:
    """fluxcd/pkg chartutil.MergeMaps."""
    out = dict(a)
    for key, value in b.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = merge_maps(out[key], value)
            continue
        out[key] = value
    return out


def replace_path_value(values: dict[str, Any], path: str, value: str) -> None:
    """chartutil.ReplacePathValue: a value quoted with ' or " is set as a string (quotes trimmed as Go's
    strings.Trim trims them: every leading and trailing quote), else typed as `--set` types it."""
    quoted = (value.startswith("'") and value.endswith("'")) or (
        value.startswith('"') and value.endswith('"')
    )
    if quoted:
        parse_into(f"{path}={value.strip(chr(39) + chr(34))}", values, as_string=True)
    else:
        parse_into(f"{path}={value}", values)


def replace_path_literal_value(values: dict[str, Any], path: str, value: str) -> None:
    """chartutil.ReplacePathLiteralValue: the value verbatim (strvals syntax escaped), the path parsed."""
    escaped = value
    for char in ("\\", ",", "[", "]", "{", "}"):
        escaped = escaped.replace(char, "\\" + char)
    parse_into(f"{path}={escaped}", values, as_string=True)


def read_values(text: str, secret: bool) -> dict[str, Any]:
    """Helm's common.ReadValues (sigs.k8s.io/yaml): the first document, a mapping; empty is {}.
    A Secret's text never appears in the error."""
    try:
        docs = load_documents(text, "values")
    except ManifestError as exc:
        if secret:  # the problem may quote the offending text
            raise ValuesError("not valid YAML" + (f" (line {exc.line})" if exc.line else "")) from None
        raise ValuesError(f"line {exc.line}: {exc.problem}" if exc.line else exc.problem) from None
    data = docs[0].data if docs else None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ValuesError(f"the values are a {_go_type(data)}, not a mapping")
    converted: dict[str, Any] = _json_keys(data)
    return converted


def _go_type(value: Any) -> str:
    return "list" if isinstance(value, list) else "scalar"


def _json_keys(value: Any) -> Any:
    """Keys as sigs.k8s.io/yaml makes them (YAML to JSON): strings; true/false and numbers spelled out."""
    if isinstance(value, dict):
        return {_key(k): _json_keys(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_json_keys(v) for v in value]
    return value


def _key(key: Any) -> str:
    if isinstance(key, bool):
        return "true" if key else "false"
    return "null" if key is None else str(key)


def _label(ref: ValuesReference, namespace: str) -> str:
    """The start of helm-controller's message (ErrValuesReference.Error)."""
    optional = " optional" if ref.optional else ""
    return (
        f"could not resolve{optional} {ref.kind} chart values reference '{namespace}/{ref.name}' "
        f"with key '{ref.values_key}'"
    )


def chart_values(
    values: dict[str, Any],
    refs: Sequence[ValuesReference],
    namespace: str,
    read: Reader,
    *,
    live: bool,
) -> MergedValues:
    """The merged values; raises ValuesError with helm-controller's wording and where we looked. `live`:
    whether `read` also asks the cluster (for the message)."""
    result: dict[str, Any] = {}
    merged = MergedValues(result)
    seen: dict[tuple[str, str], ValuesObject | None] = {}
    nowhere = "not in Git" + ("" if live else ", and the cluster is not read for it")
    for ref in refs:
        label = _label(ref, namespace)
        if ref.kind not in ("ConfigMap", "Secret"):
            raise ValuesError(f"{label}: unsupported values reference kind")
        index = (ref.kind, ref.name)
        if index not in seen:
            try:
                seen[index] = read(ref.kind, namespace, ref.name)
            except Unreadable as exc:
                raise ValuesError(f"{label}: {exc.message}") from None
        data = seen[index]
        if data is None:
            if ref.optional:
                merged.notes.append(f"{label}: {ref.kind} not found ({nowhere}): skipped, as it is optional")
                continue
            raise ValuesError(f"{label}: {ref.kind} {namespace}/{ref.name} not found ({nowhere})")
        if data.encrypted:
            raise ValuesError(
                f"{label}: {ref.kind} in {data.where} is SOPS-encrypted (never decrypted here), and the "
                "cluster is not read for it"
            )
        if ref.values_key not in data.values:
            if ref.optional:
                merged.notes.append(f"{label}: key not found in {data.where}: skipped, as it is optional")
                continue
            raise ValuesError(f"{label}: key not found ({ref.kind} from {data.where})")
        text = data.values[ref.values_key]
        secret = data.kind == "Secret"
        if secret:
            merged.from_secret = True
        if ref.target_path:
            result = merge_maps(result, values)
            try:
                if ref.literal:
                    replace_path_literal_value(result, ref.target_path, text)
                else:
                    replace_path_value(result, ref.target_path, text)
            except StrvalsError as exc:
                raise ValuesError(
                    f"{label}: failed to merge value: {_scrub(str(exc), text, secret)}"
                ) from None
            if secret:
                merged.secrets.append(text)
            continue
        try:
            document = read_values(text, secret)
        except ValuesError as exc:
            raise ValuesError(f"{label}: failed to read values data: {exc}") from None
        if secret:
            merged.secrets.extend(_strings(document))
        result = merge_maps(result, document)
    merged.values = merge_maps(result, values)
    return merged


def _scrub(message: str, text: str, secret: bool) -> str:
    """A strvals error quotes the key it stopped at, which may be a piece of a Secret's value."""
    if not secret:
        return message
    return "the value does not parse as a --set value (it is a Secret's: not shown)"


def _strings(value: Any) -> list[str]:
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return [value] if isinstance(value, str) and value else []


def as_helm_input(values: dict[str, Any]) -> tuple[str, tuple[str, ...]]:
    """The values as one JSON document for Helm, and `--set` expressions that give the integers strvals
    made their int64 type back (a values document makes every number float64, as it does for Helm)."""
    sets: list[str] = []

    def walk(value: Any, path: str) -> None:
        if isinstance(value, GoInt):
            sets.append(f"{path}={int(value)}")
        elif isinstance(value, dict):
            for k, v in value.items():
                walk(v, f"{path}.{_escape(k)}" if path else _escape(k))
        elif isinstance(value, list):
            for i, v in enumerate(value):
                walk(v, f"{path}[{i}]")

    walk(values, "")
    return json.dumps(values, separators=(",", ":"), default=str), tuple(sets)


def _escape(key: str) -> str:
    out = key
    for char in ("\\", ".", "[", ",", "="):
        out = out.replace(char, "\\" + char)
    return out
