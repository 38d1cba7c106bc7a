"""Label selectors as the applicationset-controller evaluates them.

- A generator's `selector` (the post-selector) runs over its flattened parameters with Argo's own copy of
  LabelSelectorAsSelector, which validates keys but not values, so `https://kubernetes.default.svc` can be
  matched. A `selector: {}` keeps everything; no selector keeps everything too.
- The clusters generator's `selector` is the API server's label selector over the cluster Secrets' labels
  (values validated as label values).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

_NAME = re.compile(r"^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$")
_DNS_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
_OPERATORS = {"In": "in", "NotIn": "notin", "Exists": "exists", "DoesNotExist": "!"}


class SelectorError(ValueError):
    pass


@dataclass(frozen=True)
class _Requirement:
    key: str
    op: str  # "in", "notin", "exists", "!"
    values: tuple[str, ...]

    def matches(self, labels: Mapping[str, str]) -> bool:
        if self.op == "in":
            return self.key in labels and labels[self.key] in self.values
        if self.op == "notin":
            return self.key not in labels or labels[self.key] not in self.values
        if self.op == "exists":
            return self.key in labels
        return self.key not in labels


Selector = Callable[[Mapping[str, str]], bool]


def compile_selector(spec: Any, field: str, *, validate_values: bool) -> Selector:
    """A `metav1.LabelSelector` (`matchLabels`, `matchExpressions`) as a predicate over a label map."""
    if spec is None:
        return lambda labels: True
    if not isinstance(spec, Mapping):
        raise SelectorError(f"{field} must be a mapping (matchLabels, matchExpressions)")
    reqs: list[_Requirement] = []
    match_labels = spec.get("matchLabels") or {}
    if not isinstance(match_labels, Mapping):
        raise SelectorError(f"{field}.matchLabels must be a mapping")
    for key, value in match_labels.items():
        text = "" if value is None else str(value)
        _check_key(str(key), f"{field}.matchLabels")
        if validate_values:
            _check_value(text, f"{field}.matchLabels[{key}]")
        reqs.append(_Requirement(str(key), "in", (text,)))
    expressions = spec.get("matchExpressions") or []
    if not isinstance(expressions, list):
        raise SelectorError(f"{field}.matchExpressions must be a list")
    for i, expr in enumerate(expressions):
        where = f"{field}.matchExpressions[{i}]"
        if not isinstance(expr, Mapping):
            raise SelectorError(f"{where} must be a mapping (key, operator, values)")
        key, operator = str(expr.get("key") or ""), str(expr.get("operator") or "")
        values = tuple("" if v is None else str(v) for v in (expr.get("values") or []))
        if operator not in _OPERATORS:
            raise SelectorError(f'{where}: "{operator}" is not a valid label selector operator')
        _check_key(key, where)
        op = _OPERATORS[operator]
        if op in ("in", "notin") and not values:
            raise SelectorError(f"{where}: for 'in', 'notin' operators, values set can't be empty")
        if op in ("exists", "!") and values:
            raise SelectorError(f"{where}: values set must be empty for exists and does not exist")
        if validate_values:
            for value in values:
                _check_value(value, where)
        reqs.append(_Requirement(key, op, values))
    return lambda labels: all(r.matches(labels) for r in reqs)


def is_empty(spec: Any) -> bool:
    return not isinstance(spec, Mapping) or not (spec.get("matchLabels") or spec.get("matchExpressions"))


def _check_key(key: str, where: str) -> None:
    """validation.IsQualifiedName: an optional DNS-subdomain prefix and `/`, then a name of at most 63."""
    prefix, slash, name = key.rpartition("/")
    if not slash:
        prefix, name = "", key
    ok = bool(name) and len(name) <= 63 and _NAME.match(name) is not None
    if slash:
        ok = ok and bool(prefix) and len(prefix) <= 253 and _DNS_SUBDOMAIN.match(prefix) is not None
    if not ok:
        raise SelectorError(
            f"{where}: key {key!r} is not a valid label key (a qualified name: [prefix/]name)"
        )


def _check_value(value: str, where: str) -> None:
    if value and (len(value) > 63 or _NAME.match(value) is None):
        raise SelectorError(f"{where}: {value!r} is not a valid label value")
