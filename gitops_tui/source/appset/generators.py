"""Generators: `Transform` (applicationset/generators/generator_spec_processor.go) and the list, clusters,
matrix and merge generators; the git generator is in gitgen.py.

Each generator entry of `spec.generators` is a mapping naming one generator kind (the controller runs each
kind an entry names), an optional `selector` over the parameters it yields, and, in the generator, an
optional `template` that overrides the ApplicationSet's field by field.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import gitops_tui.source.appset.gitgen as gitgen
import gitops_tui.source.appset.merging as merging
import gitops_tui.source.appset.selectors as selectors
from gitops_tui.source.appset.govalues import clone, flat_strings, go_json, json_data, sanitize_name
from gitops_tui.source.appset.state import (
    AppSetError,
    Expansion,
    Offline,
    Params,
    Path_,
    TemplateFailure,
    append_values,
    dotted,
    failure_text,
    rebuild,
    templated_strings,
)
from gitops_tui.source.errors import ManifestError
from gitops_tui.source.yamlload import load_documents

if TYPE_CHECKING:
    from gitops_tui.source.appset.context import AppSetContext, ClusterInfo

# ApplicationSetGenerator's fields in declaration order (the order Transform runs them in)
KINDS = (
    "list",
    "clusters",
    "git",
    "scmProvider",
    "clusterDecisionResource",
    "pullRequest",
    "matrix",
    "merge",
    "plugin",
)
OFFLINE = frozenset({"scmProvider", "clusterDecisionResource", "pullRequest", "plugin"})
# generators whose `values` Argo pre-resolves leniently when interpolating a matrix child
_WITH_VALUES = ("clusters", "git", "scmProvider", "clusterDecisionResource", "pullRequest", "plugin")
IN_CLUSTER_NAME = "in-cluster"
IN_CLUSTER_SERVER = "https://kubernetes.default.svc"
SECRET_TYPE_LABEL = "argocd.argoproj.io/secret-type"


@dataclass
class Transformed:
    template: dict[str, Any]  # the ApplicationSet template with the generator's own template merged in
    template_path: str  # where the generator's own template is, for messages
    own_template: Any
    params: list[Params]


def transform(
    exp: Expansion,
    ctx: AppSetContext,
    gen: Any,
    base_template: dict[str, Any],
    path: str,
    interpolated: Mapping[str, Any] | None = None,
    *,
    depth: int = 0,
) -> list[Transformed]:
    """Argo's Transform. `interpolated` is this generator already interpolated with a parameter set of the
    matrix's first generator: the parameters come from it, the selector and template from `gen` as written."""
    if not isinstance(gen, Mapping):
        raise AppSetError(f"{path} must be a mapping naming a generator")
    keep = None
    if gen.get("selector") is not None:
        try:
            keep = selectors.compile_selector(gen["selector"], f"{path}.selector", validate_values=False)
        except selectors.SelectorError as exc:
            raise AppSetError(f"error parsing label selector: {exc}") from None
    # a matrix or merge nested in a matrix or merge holds terminal generators only
    kinds = [k for k in KINDS if gen.get(k) is not None and not (depth >= 2 and k in ("matrix", "merge"))]
    results: list[Transformed] = []
    for kind in kinds:
        spec = gen[kind]
        if not isinstance(spec, Mapping):
            raise AppSetError(f"{path}.{kind} must be a mapping")
        own = spec.get("template")
        merged = merging.fill_template(own if isinstance(own, dict) else {}, base_template)
        if kind in OFFLINE:
            raise Offline(kind, f"{path}.{kind}")
        if interpolated is not None:
            spec = interpolated[kind]
        params = _generate(exp, ctx, kind, spec, f"{path}.{kind}", depth)
        if keep is not None:
            params = [p for p in params if keep(flat_strings(p.values))]
        results.append(Transformed(merged, f"{path}.{kind}.template", own, params))
    return results


def _generate(
    exp: Expansion, ctx: AppSetContext, kind: str, spec: Mapping[str, Any], path: str, depth: int
) -> list[Params]:
    if kind == "list":
        return list_params(exp, spec, path)
    if kind == "clusters":
        return cluster_params(exp, ctx, spec, path)
    if kind == "git":
        return gitgen.git_params(exp, ctx, spec, path)
    if kind == "matrix":
        return matrix_params(exp, ctx, spec, path, depth)
    return merge_params(exp, ctx, spec, path, depth)


def list_params(exp: Expansion, spec: Mapping[str, Any], path: str) -> list[Params]:
    elements = spec.get("elements") or []
    if not isinstance(elements, list):
        raise AppSetError(f"{path}.elements must be a list")
    out: list[Params] = []
    for i, raw in enumerate(elements):
        element = json_data(raw)
        label = f"{path}.elements[{i}]"
        if element is None:
            out.append(Params({}, label))
            continue
        if not isinstance(element, dict):
            raise AppSetError(
                f"{label}: error unmarshling list element json: cannot unmarshal {_json_kind(element)} into Go value of type map[string]interface {{}}"
            )
        if exp.go:
            out.append(Params(element, label))
            continue
        params: dict[str, Any] = {}
        for key, value in element.items():
            if key == "values":
                if not isinstance(value, dict):
                    raise AppSetError(f"{label}: error parsing values map")
                for k, v in value.items():
                    if not isinstance(v, str):
                        raise AppSetError(
                            f"{label}.values.{k}: error parsing value as string (it is {_json_kind(v)})"
                        )
                    params[f"values.{k}"] = v
            elif not isinstance(value, str):
                raise AppSetError(
                    f"{label}.{key}: error parsing value as string (it is {_json_kind(value)}; without goTemplate list elements are strings)"
                )
            else:
                params[key] = value
        out.append(Params(params, label))
    text = spec.get("elementsYaml")
    if text:
        items = _yaml_list(str(text), f"{path}.elementsYaml")
        out.extend(Params(item or {}, f"{path}.elementsYaml[{i}]") for i, item in enumerate(items))
    return out


def _yaml_list(text: str, field: str) -> list[dict[str, Any]]:
    try:
        docs = load_documents(text, field)
    except ManifestError as exc:
        raise AppSetError(f"{field}: error unmarshling decoded ElementsYaml: {exc.problem}") from None
    data = json_data(docs[0].data) if docs else None
    if data is None:
        return []
    if not isinstance(data, list) or any(item is not None and not isinstance(item, dict) for item in data):
        raise AppSetError(f"{field}: error unmarshling decoded ElementsYaml: it must be a list of mappings")
    return data


def _json_kind(value: Any) -> str:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return "null" if value is None else "string"


def cluster_params(exp: Expansion, ctx: AppSetContext, spec: Mapping[str, Any], path: str) -> list[Params]:
    selector_spec = spec.get("selector")
    try:
        keep = selectors.compile_selector(selector_spec, f"{path}.selector", validate_values=True)
    except selectors.SelectorError as exc:
        raise AppSetError(f"error converting label selector: {exc}") from None
    by_name: dict[str, ClusterInfo] = {}
    for cluster in ctx.clusters:  # Argo keys cluster Secrets by name: the last one of a name wins
        by_name[cluster.name] = cluster
    out: list[Params] = []
    for cluster in sorted(by_name.values(), key=lambda c: c.name):
        labels = {SECRET_TYPE_LABEL: "cluster", **cluster.labels}
        if keep(labels):
            out.append(Params(_cluster_values(exp, cluster, labels), f"cluster {cluster.name}"))
    has_local = any(c.server == IN_CLUSTER_SERVER for c in by_name.values())
    if selectors.is_empty(selector_spec) and not has_local:
        out.append(
            Params(
                {
                    "name": IN_CLUSTER_NAME,
                    "nameNormalized": IN_CLUSTER_NAME,
                    "server": IN_CLUSTER_SERVER,
                    "project": "",
                },
                f"cluster {IN_CLUSTER_NAME}",
            )
        )
    append_values(exp, out, spec.get("values"), f"{path}.values")
    if spec.get("flatList"):
        return [Params({"clusters": [p.values for p in out]}, f"{path} (flatList)")]
    return out


def _cluster_values(exp: Expansion, cluster: ClusterInfo, labels: Mapping[str, str]) -> dict[str, Any]:
    params: dict[str, Any] = {
        "name": cluster.name,
        "nameNormalized": sanitize_name(cluster.name),
        "server": cluster.server,
        "project": cluster.project,
    }
    annotations = dict(cluster.annotations)
    if exp.go:
        meta: dict[str, Any] = {}
        if annotations:
            meta["annotations"] = annotations
        if labels:
            meta["labels"] = dict(labels)
        params["metadata"] = meta
    else:
        params.update({f"metadata.annotations.{k}": v for k, v in annotations.items()})
        params.update({f"metadata.labels.{k}": v for k, v in labels.items()})
    return params


def matrix_params(
    exp: Expansion, ctx: AppSetContext, spec: Mapping[str, Any], path: str, depth: int
) -> list[Params]:
    children = spec.get("generators") or []
    if not isinstance(children, list) or len(children) < 2:
        raise AppSetError(f"{path}: found less than two generators, Matrix support only two")
    if len(children) > 2:
        raise AppSetError(f"{path}: found more than two generators, Matrix support only two")
    first = _child_params(exp, ctx, children[0], f"{path}.generators[0]", None, depth)
    second, second_path = children[1], f"{path}.generators[1]"
    # the second generator may use the first one's parameters: interpolate it for all of them in one batch
    with_params = [a for a in first if a.values]
    interpolated = iter(
        interpolate(exp, second, with_params, second_path) if with_params and isinstance(second, dict) else []
    )
    out: list[Params] = []
    for a in first:
        source = next(interpolated) if a.values and isinstance(second, dict) else None
        for b in _child_params(exp, ctx, second, second_path, source, depth):
            if exp.go:
                values = merging.override_params(merging.override_params({}, b.values), a.values)
            else:
                try:
                    values = merging.combine_strings(a.values, b.values)
                except ValueError as exc:
                    raise AppSetError(
                        f"{path}: failed to combine string maps with merging params for the matrix generator: {exc}"
                    ) from None
            out.append(Params(values, f"{a.label} and {b.label}"))
    return out


def merge_params(
    exp: Expansion, ctx: AppSetContext, spec: Mapping[str, Any], path: str, depth: int
) -> list[Params]:
    children = spec.get("generators") or []
    if not isinstance(children, list) or len(children) < 2:
        raise AppSetError(f"{path}: found less than two generators, Merge requires two or more")
    raw_keys = spec.get("mergeKeys") or []
    if not isinstance(raw_keys, list):
        raise AppSetError(f"{path}.mergeKeys must be a list")
    keys = [str(k) for k in raw_keys]
    if not keys:
        raise AppSetError(f"{path}: no merge keys were specified, Merge requires at least one")
    sets = [
        _child_params(exp, ctx, child, f"{path}.generators[{i}]", None, depth)
        for i, child in enumerate(children)
    ]
    base = _by_merge_key(keys, sets[0], f"{path}.generators[0]")
    for i, other in enumerate(sets[1:], start=1):
        overrides = _by_merge_key(keys, other, f"{path}.generators[{i}]")
        for key, params in base.items():
            if key in overrides:
                if exp.go:
                    merging.override_params(params.values, overrides[key].values)
                else:
                    params.values.update(clone(overrides[key].values))
    return list(base.values())


def _by_merge_key(keys: Sequence[str], params: Sequence[Params], path: str) -> dict[str, Params]:
    out: dict[str, Params] = {}
    for p in params:
        key = go_json({k: p.values.get(k) for k in dict.fromkeys(keys)})
        if key in out:
            raise AppSetError(
                f"{path}: error getting param sets by merge key: found duplicate key when using merge generator. Duplicate key was {key}"
            )
        out[key] = p
    return out


def _child_params(
    exp: Expansion,
    ctx: AppSetContext,
    child: Any,
    path: str,
    interpolated: Mapping[str, Any] | None,
    depth: int,
) -> list[Params]:
    results = transform(exp, ctx, child, {}, path, interpolated, depth=depth + 1)
    if not results:
        raise AppSetError(f"{path}: child generator generated no parameters (it names no generator)")
    if len(results) > 1:
        raise AppSetError(f"{path}: only one generator per child generator is allowed")
    return results[0].params


def interpolate(
    exp: Expansion, gen: dict[str, Any], params: Sequence[Params], path: str
) -> list[dict[str, Any]]:
    """A matrix's second generator with each parameter set of the first one (InterpolateGenerator): every
    string is a template; `values` of a generator are resolved with missingkey=error and kept as written
    where a key is missing (the generator's own parameters fill them in later)."""
    values_maps: list[tuple[tuple[str | int, ...], dict[str, Any]]] = []
    stripped = _strip_values(gen, (), values_maps)
    slots: dict[str, tuple[Path_, bool]] = {}
    templated_strings(stripped, (), slots)
    strings = list(slots)
    try:
        rows = exp.run([(p.values, strings) for p in params])
    except TemplateFailure as exc:
        f = exc.failure
        where, key = slots.get(f.template, ((), False))
        raise AppSetError(failure_text(dotted(path, where, key), params[f.job].label, f)) from None
    out = [rebuild(stripped, dict(zip(strings, (r or "" for r in row), strict=True))) for row in rows]
    for where, values in values_maps:
        texts = [str(v) for v in values.values() if isinstance(v, str)]
        try:
            resolved = exp.run([(p.values, texts) for p in params], tolerant=True)
        except TemplateFailure as exc:
            f = exc.failure
            field = dotted(path, where)
            raise AppSetError(failure_text(field, params[f.job].label, f)) from None
        for result, row in zip(out, resolved, strict=True):
            lookup = {t: r for t, r in zip(texts, row, strict=True) if r is not None}
            _put(result, where, {k: lookup.get(v, v) if isinstance(v, str) else v for k, v in values.items()})
    return out


def _strip_values(
    gen: Any, where: tuple[str | int, ...], found: list[tuple[tuple[str | int, ...], dict[str, Any]]]
) -> Any:
    """A copy of a generator mapping with the `values` of its generators taken out (recorded in `found`)."""
    if not isinstance(gen, dict):
        return clone(gen)
    out: dict[str, Any] = {}
    for kind, spec in gen.items():
        if kind in _WITH_VALUES and isinstance(spec, dict) and isinstance(spec.get("values"), dict):
            found.append(((*where, kind, "values"), spec["values"]))
            out[kind] = {k: clone(v) for k, v in spec.items() if k != "values"}
        elif (
            kind in ("matrix", "merge")
            and isinstance(spec, dict)
            and isinstance(spec.get("generators"), list)
        ):
            inner = {k: clone(v) for k, v in spec.items() if k != "generators"}
            inner["generators"] = [
                _strip_values(g, (*where, kind, "generators", i), found)
                for i, g in enumerate(spec["generators"])
            ]
            out[kind] = inner
        else:
            out[kind] = clone(spec)
    return out


def _put(target: Any, where: tuple[str | int, ...], value: Any) -> None:
    for step in where[:-1]:
        target = target[step]
    target[where[-1]] = value
