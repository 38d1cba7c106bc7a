"""Planning an adopt: refusals first (Helm, Secret data, an app that does not render), then the edits of
the app's kind of source. Planning reads the repository and writes nothing."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from gitops_tui.engine import pointer
from gitops_tui.model import AppSpec, DriftField, RenderedApp, ResourceKey, SourceType
from gitops_tui.source.adopt.directory import plan_directory
from gitops_tui.source.adopt.kustomize import plan_kustomize
from gitops_tui.source.adopt.plan import AdoptPlan, AdoptRefused


def _refuse_early(
    app: AppSpec, rendered: RenderedApp, key: ResourceKey, fields: Sequence[DriftField]
) -> None:
    if not fields:
        raise AdoptRefused("nothing to adopt: no drifted fields were chosen")
    if app.source_type is SourceType.HELM:
        raise AdoptRefused(
            f"{app.name} is a Helm app: Helm values cannot be derived from rendered output; "
            "change values.yaml by hand"
        )
    rendering = [s for s in app.sources if not s.ref_only]
    if len(rendering) > 1 or (rendering and (rendering[0].checkout or rendering[0].chart)):
        raise AdoptRefused(
            f"{app.name} is built from {len(rendering)} sources or from outside this checkout: "
            "adopt edits one source in this repository; change the source by hand"
        )
    if key.group == "" and key.kind == "Secret":
        for drift in fields:
            if pointer.split(drift.path)[:1] in (["data"], ["stringData"]):
                raise AdoptRefused(
                    f"refusing to write Secret data into Git ({key.display()}): "
                    "plain secrets must never be committed"
                )
    if rendered.error:
        raise AdoptRefused(f"{app.name} does not render, so its source cannot be edited: {rendered.error}")


def plan_adopt(
    root: Path, app: AppSpec, rendered: RenderedApp, key: ResourceKey, fields: Sequence[DriftField]
) -> AdoptPlan:
    """The file edits that make `app` render the live values of `fields` for `key`. Writes nothing.

    Raises AdoptRefused: Helm apps, Secret data, fields that cannot be located, unreadable files."""
    _refuse_early(app, rendered, key, fields)
    root = Path(root)
    if not any(ResourceKey.of(obj) == key for obj in rendered.objects):
        raise AdoptRefused(f"{key.display()} is not in {app.name}'s Git source: there is nothing to edit")
    if app.source_type is SourceType.KUSTOMIZE:
        changes, summary = plan_kustomize(root, app, rendered, key, fields)
    else:
        changes, summary = plan_directory(root, rendered, key, fields)
    changes = [c for c in changes if c.after != c.before]
    if not changes:
        raise AdoptRefused(f"Git already holds these values for {key.display()}: nothing to write")
    return AdoptPlan(app.name, key, tuple(fields), tuple(changes), tuple(summary))
