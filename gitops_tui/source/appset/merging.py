"""The three ways the controller combines maps, each with its own rules.

- `fill_template`: a generator's own `template` completed from the ApplicationSet's (mergo.Merge without
  override): a field the generator's template leaves empty (absent, "", 0, false, empty list) takes the
  ApplicationSet's; maps (and objects) merge key by key; a non-empty list is kept whole.
- `override_params`: goTemplate parameters of two generators (mergo.Merge WithOverride, used by matrix and
  merge): the second wins key by key, nested maps merge, lists and scalars are replaced, an explicit null
  overrides too.
- `combine_strings`: fasttemplate parameters of a matrix (utils.CombineStringMaps): both sides printed
  with `%v`, a key present in both with different values is an error.
"""

from __future__ import annotations

from typing import Any

from gitops_tui.source.appset.govalues import clone, go_sprint


def _empty(value: Any) -> bool:
    return (
        value is None
        or value == ""
        or value is False
        or (isinstance(value, int | float) and not isinstance(value, bool) and value == 0)
        or (isinstance(value, list | dict) and not value)
    )


def fill_template(own: Any, base: Any) -> Any:
    if not isinstance(own, dict):
        return clone(base) if _empty(own) else clone(own)
    if not isinstance(base, dict):
        return clone(own)
    out = clone(own)
    for key, value in base.items():
        mine = out.get(key)
        if isinstance(mine, dict) and isinstance(value, dict):
            out[key] = fill_template(mine, value)
        elif _empty(mine) and not _empty(value):
            out[key] = clone(value)
    return out


def override_params(dst: dict[str, Any], src: dict[str, Any]) -> dict[str, Any]:
    """`dst` with `src` merged into it (mutated and returned)."""
    for key, value in src.items():
        mine = dst.get(key)
        if isinstance(value, dict) and isinstance(mine, dict) and mine:
            override_params(mine, value)
        else:
            dst[key] = clone(value)
    return dst


def combine_strings(a: dict[str, Any], b: dict[str, Any]) -> dict[str, Any]:
    """Raises ValueError for a key both sides set differently."""
    out = {k: go_sprint(v) for k, v in a.items()}
    for k, v in b.items():
        text = go_sprint(v)
        if k in out and out[k] != text:
            raise ValueError(f"found duplicate key {k} with different value, a: {out[k]} ,b: {text}")
        out[k] = text
    return out
