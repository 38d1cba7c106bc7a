"""One ApplicationSet, from its manifest to its Applications (the controller's reconcile, less the writes)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from helm_python import HelmError

import gitops_tui.source.appset.applications as applications
import gitops_tui.source.appset.generators as generators
import gitops_tui.source.appset.gotemplate as gotemplate
from gitops_tui.source.appset.context import AppSetContext, AppSetResult
from gitops_tui.source.appset.state import AppSetError, Expansion, Offline


def expand_application_set(doc: Mapping[str, Any], where: str, ctx: AppSetContext) -> AppSetResult:
    meta: Mapping[str, Any] = doc["metadata"] if isinstance(doc.get("metadata"), Mapping) else {}
    name = str(meta.get("name") or "?")
    namespace = str(meta.get("namespace") or ctx.default_namespace)
    spec = doc.get("spec")
    if not isinstance(spec, Mapping):
        return AppSetResult((), f"{where}: ApplicationSet {name}: spec is missing")
    go = spec.get("goTemplate") is True
    options = spec.get("goTemplateOptions") or []
    if not isinstance(options, list):
        return AppSetResult((), f"{where}: ApplicationSet {name}: goTemplateOptions must be a list")
    try:
        strict = gotemplate.strict_option(options) if go else False
    except ValueError as exc:
        return AppSetResult((), f"{where}: ApplicationSet {name}: {exc}")
    exp = Expansion(name, namespace, go, tuple(str(o) for o in options), strict)
    try:
        built = _expand(exp, ctx, spec)
    except AppSetError as exc:
        return AppSetResult((), f"{where}: ApplicationSet {name}: {exc}", _notes(exp, where))
    except (HelmError, OSError, TypeError, ValueError, KeyError, AttributeError) as exc:
        # a shape no check above foresaw: still this ApplicationSet's error, never a crash of discovery
        reason = " ".join(str(exc).split()) or type(exc).__name__
        return AppSetResult(
            (), f"{where}: ApplicationSet {name}: cannot be expanded: {reason}", _notes(exp, where)
        )
    error = ""
    if built.invalid:
        more = f" (and {len(built.invalid) - 1} more)" if len(built.invalid) > 1 else ""
        error = f"{where}: ApplicationSet {name}: {built.invalid[0]}{more}"
    return AppSetResult(tuple(built.applications), error, _notes(exp, where))


def _expand(exp: Expansion, ctx: AppSetContext, spec: Mapping[str, Any]) -> applications.Built:
    template: dict[str, Any] = spec["template"] if isinstance(spec.get("template"), dict) else {}
    gens = spec.get("generators") or []
    if not isinstance(gens, list):
        raise AppSetError("spec.generators must be a list")
    _strategy_notes(exp, spec)
    results: list[generators.Transformed] = []
    for i, gen in enumerate(gens):
        path = f"spec.generators[{i}]"
        if isinstance(gen, Mapping) and not any(gen.get(k) is not None for k in generators.KINDS):
            named = ", ".join(sorted(str(k) for k in gen if k != "selector")) or "nothing"
            exp.notes.append(f"{path} names no generator Argo CD knows ({named}): it generates nothing")
            continue
        try:
            results.extend(generators.transform(exp, ctx, gen, template, path))
        except Offline as off:
            top = next(
                (k for k in generators.KINDS if isinstance(gen, Mapping) and gen.get(k) is not None), off.kind
            )
            whose = "its" if top == off.kind else f"the {top} generator's"
            exp.notes.append(
                f"{off.path}: generator {off.kind} cannot be evaluated offline: {whose} Applications are not shown"
            )
    return applications.build(exp, results, spec)


def _strategy_notes(exp: Expansion, spec: Mapping[str, Any]) -> None:
    strategy = spec.get("strategy")
    if isinstance(strategy, Mapping) and strategy.get("type") == "RollingSync":
        exp.notes.append(
            "spec.strategy RollingSync: Argo CD syncs the generated Applications step by step; the steps are not shown"
        )


def _notes(exp: Expansion, where: str) -> tuple[str, ...]:
    return tuple(f"{where}: ApplicationSet {exp.name}: {note}" for note in dict.fromkeys(exp.notes))
