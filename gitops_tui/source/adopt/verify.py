"""After an adopt is written: does the app now render the live values?"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from gitops_tui.engine import pointer
from gitops_tui.engine.fielddiff import subset
from gitops_tui.engine.normalize import is_empty, scalar_equal
from gitops_tui.model import AppSpec, DriftField, ResourceKey
from gitops_tui.source.adopt.fieldpath import get, resolve, steps_of
from gitops_tui.source.adopt.plan import AdoptRefused, field_name
from gitops_tui.source.render import render_app


def _equal(rendered: Any, live: Any, tokens: list[str]) -> bool:
    if isinstance(rendered, dict | list) or isinstance(live, dict | list):
        return not subset(rendered, live) and not subset(live, rendered)
    return scalar_equal(rendered, live, tokens)


def verify_adopt(root: Path, app: AppSpec, key: ResourceKey, fields: Sequence[DriftField]) -> list[str]:
    """The fields (as `field_name` writes them) the re-rendered app still does not set to the live value;
    empty when the adopt is verified. Raises AdoptRefused when the app no longer renders at all."""
    rendered = render_app(Path(root), app)
    if rendered.error:
        raise AdoptRefused(f"after the edit, {app.name} does not render: {rendered.error}")
    obj = next((o for o in rendered.objects if ResourceKey.of(o) == key), None)
    if obj is None:
        return [field_name(f) for f in fields]
    differing: list[str] = []
    for drift in fields:
        path, rest = resolve(obj, steps_of(drift))
        value = None if rest else get(obj, path)
        if drift.live is None:
            ok = is_empty(value) and value is not False
        else:
            ok = not rest and _equal(value, drift.live, pointer.split(drift.path))
        if not ok:
            differing.append(field_name(drift))
    return differing
