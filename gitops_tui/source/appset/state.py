"""The state of one ApplicationSet's expansion and the string templating every step shares.

Templating a structure (an Application template, a generator to interpolate) means what Argo CD's
`deeplyReplace` does: every string, and every map key, is a template of its own, executed with one
parameter set; other values are kept. Only strings holding `{{` can change, so only those are executed,
each distinct string once per parameter set, all of a step in one batch.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import gitops_tui.source.appset.fasttemplate as fasttemplate
import gitops_tui.source.appset.gotemplate as gotemplate
from gitops_tui.source.appset.gittree import Tree


class AppSetError(Exception):
    """What makes the controller generate nothing for this ApplicationSet (its ErrorOccurred condition)."""


class Offline(Exception):
    """A generator that needs a service (an SCM API, a plugin, a cluster resource) to generate anything."""

    def __init__(self, kind: str, path: str) -> None:
        super().__init__(kind)
        self.kind = kind
        self.path = path


@dataclass
class Params:
    values: dict[str, Any]
    label: str  # which element produced them, for messages: "directory apps/web", "list element 2"


@dataclass
class Failure:
    job: int
    template: str
    message: str
    action: str = ""


class TemplateFailure(Exception):
    def __init__(self, failure: Failure) -> None:
        super().__init__(failure.message)
        self.failure = failure


@dataclass
class Expansion:
    name: str
    namespace: str
    go: bool
    options: tuple[str, ...]
    strict: bool
    trees: dict[Path, Tree] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def tree(self, root: Path) -> Tree:
        if root not in self.trees:
            self.trees[root] = Tree(root)
        return self.trees[root]

    def run(
        self, jobs: Sequence[tuple[Mapping[str, Any], Sequence[str]]], *, tolerant: bool = False
    ) -> list[list[str | None]]:
        """Each job's strings executed with its parameters. `tolerant` is Argo's pre-resolution of generator
        `values` (missingkey=error forced; a missing key leaves the string as written, given as None)."""
        if not self.go:
            out: list[list[str | None]] = []
            for i, (params, strings) in enumerate(jobs):
                row: list[str | None] = []
                for s in strings:
                    try:
                        row.append(fasttemplate.replace(s, params))
                    except fasttemplate.FastTemplateError as exc:
                        raise TemplateFailure(Failure(i, s, str(exc))) from None
                out.append(row)
            return out
        index: dict[str, int] = {}
        for _, strings in jobs:
            for s in strings:
                index.setdefault(s, len(index))
        templates = list(index)
        if not templates:  # nothing to execute (a template without `{{`): no render
            return [[] for _ in jobs]
        gjobs = [gotemplate.Job(params, tuple(index[s] for s in strings)) for params, strings in jobs]
        try:
            if tolerant:
                return gotemplate.render_tolerant(templates, gjobs, strict=True)
            return [list(row) for row in gotemplate.render(templates, gjobs, strict=self.strict)]
        except gotemplate.GoTemplateError as exc:
            raise TemplateFailure(
                Failure(exc.job, templates[exc.template], exc.message, exc.action)
            ) from None


Path_ = tuple[str | int, ...]


def templated_strings(value: Any, path: Path_, out: dict[str, tuple[Path_, bool]]) -> None:
    """Every string (value or map key) of `value` that holds `{{`, with the first path it is found at and
    whether it is a key there."""
    if isinstance(value, str):
        if "{{" in value:
            out.setdefault(value, (path, False))
    elif isinstance(value, dict):
        for k, v in value.items():
            if isinstance(k, str) and "{{" in k:
                out.setdefault(k, ((*path, k), True))
            templated_strings(v, (*path, k), out)
    elif isinstance(value, list):
        for i, v in enumerate(value):
            templated_strings(v, (*path, i), out)


def dotted(base: str, path: Path_, key: bool = False) -> str:
    text = base
    for step in path:
        text += f"[{step}]" if isinstance(step, int) else f".{step}"
    return f"{text} (a key)" if key else text


def rebuild(value: Any, lookup: Mapping[str, str]) -> Any:
    """A copy of `value` with each templated string replaced by its result. A nil map value is dropped
    (deeplyReplace skips it); two keys that become one keep the later value."""
    if isinstance(value, str):
        return lookup.get(value, value)
    if isinstance(value, dict):
        out: dict[Any, Any] = {}
        for k, v in value.items():
            if v is None:
                continue
            out[lookup.get(k, k) if isinstance(k, str) else k] = rebuild(v, lookup)
        return out
    if isinstance(value, list):
        return [rebuild(v, lookup) for v in value]
    return value


def failure_text(field_name: str, label: str, f: Failure) -> str:
    at = f" (at <{f.action}>)" if f.action else ""
    return f"{field_name} for {label}: {f.message}{at}"


def append_values(exp: Expansion, params: list[Params], values: Any, field: str) -> None:
    """A generator's `values`: each templated with the parameter set it is added to (appendTemplatedValues),
    added as `values` (goTemplate) or `values.<key>` (fasttemplate)."""
    if not values:
        return
    if not isinstance(values, Mapping):
        raise AppSetError(f"{field} must be a mapping of strings")
    keys = [str(k) for k in values]
    texts = ["" if v is None else str(v) for v in values.values()]
    try:
        rendered = exp.run([(p.values, texts) for p in params])
    except TemplateFailure as exc:
        f = exc.failure
        raise AppSetError(
            failure_text(f"{field}.{keys[texts.index(f.template)]}", params[f.job].label, f)
        ) from None
    for p, row in zip(params, rendered, strict=True):
        resolved = {k: v or "" for k, v in zip(keys, row, strict=True)}
        if exp.go:
            p.values["values"] = resolved
        else:
            p.values.update({f"values.{k}": v for k, v in resolved.items()})
