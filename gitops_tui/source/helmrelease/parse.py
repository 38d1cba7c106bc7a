"""Flux `HelmRelease` (helm.toolkit.fluxcd.io v2, and the v2beta1/v2beta2 shapes) manifests → AppSpec.

A HelmRelease is an app of its own, as helm-controller treats it: its chart (chart.py) rendered with its
values, its objects tracked by the labels helm-controller writes. What it renders is resolved here, where
the cluster's source objects and ConfigMaps/Secrets are known (fluxsources.py, fluxvalues.py): the chart's
source, and the values `valuesFrom` and `values` merge to (values.py). A problem with either is this
HelmRelease's error, with the file that declares it.

Exact as helm-controller (api/v2 helmrelease_types.go, internal/release/name.go): the release is named
`releaseName`, else `[<targetNamespace>-]<name>`, shortened past 53 characters to its first 40, "-" and 12
hex digits of its SHA-256; it is installed into `targetNamespace`, else the HelmRelease's namespace.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import replace
from typing import Any

from gitops_tui.model import (
    HELM_RELEASE,
    AppOrigin,
    AppSpec,
    HelmReleaseSpec,
    SourceType,
    TrackingMethod,
    ValuesReference,
)
from gitops_tui.source import specfields as f
from gitops_tui.source.argo import Parsed
from gitops_tui.source.argo_sources import SourceContext
from gitops_tui.source.fluxsources import FluxSources
from gitops_tui.source.fluxvalues import FluxValuesLookup
from gitops_tui.source.helmrelease.chart import ChartSource, from_chart_ref, from_chart_spec
from gitops_tui.source.helmrelease.values import Reader, ValuesError, as_helm_input, chart_values, reader
from gitops_tui.source.specfields import SpecError

HELM_GROUP = "helm.toolkit.fluxcd.io"
CRD_POLICIES = ("Skip", "Create", "CreateReplace")
POST_RENDER_STRATEGIES = ("nohooks", "combined", "separate")
DRIFT_MODES = ("enabled", "warn", "disabled")
MAX_RELEASE_NAME = 53
# Fields about scheduling, waiting, remediation and the controller itself: they change nothing rendered.
_IRRELEVANT = {
    "interval", "timeout", "maxHistory", "serviceAccountName", "persistentClient", "rollback",
    "uninstall", "waitStrategy", "healthCheckExprs", "kubeConfig",
}  # fmt: skip
_APPLIED = {
    "chart", "chartRef", "releaseName", "targetNamespace", "storageNamespace", "values", "valuesFrom",
    "install", "upgrade", "test", "postRenderers", "postRenderStrategy", "commonMetadata", "suspend",
    "dependsOn", "driftDetection",
}  # fmt: skip
_KUSTOMIZE_KEYS = {"patches", "images", "patchesStrategicMerge", "patchesJson6902"}


def is_helm_release(doc: Any) -> bool:
    return (
        isinstance(doc, dict)
        and str(doc.get("apiVersion", "")).startswith(f"{HELM_GROUP}/")
        and doc.get("kind") == HELM_RELEASE
    )


def shorten_name(name: str) -> str:
    """helm-controller's release.ShortenName."""
    if len(name) <= MAX_RELEASE_NAME:
        return name
    digest = hashlib.sha256(name.encode()).hexdigest()
    return name[: MAX_RELEASE_NAME - 13] + "-" + digest[:12]


def release_name(name: str, spec: dict[str, Any]) -> str:
    """GetReleaseName, then ShortenName, as install and upgrade name the release."""
    explicit = f.text(spec.get("releaseName"), "spec.releaseName")
    target = f.text(spec.get("targetNamespace"), "spec.targetNamespace")
    return shorten_name(explicit or (f"{target}-{name}" if target else name))


def parse_helm_release(
    doc: dict[str, Any],
    where: str,
    parent: AppSpec | None,
    sources: FluxSources,
    context: SourceContext | None = None,
    *,
    lookup: FluxValuesLookup | None = None,
) -> Parsed:
    """`where`: the manifest's place ("file:line", or "file (document N, rendered by APP)"); `parent`: the
    app whose output declares it (its namespace is where a HelmRelease without one is applied); `sources`:
    its cluster's source objects and ConfigMaps/Secrets so far; `lookup`: where `valuesFrom` objects Git does
    not hold are read (the cluster), else they are not found."""
    meta = doc.get("metadata")
    meta = meta if isinstance(meta, dict) else {}
    name = meta.get("name")
    if not isinstance(name, str) or not name:
        return Parsed(None, error=f"{where}: HelmRelease without metadata.name, skipped")
    namespace = str(meta.get("namespace") or (parent.namespace if parent else "") or "default")
    defined_in = f.file_of(where)
    base = AppSpec(
        name=name,
        path=defined_in,
        origin=AppOrigin.FLUX,
        kind=HELM_RELEASE,
        home=namespace,
        source_type=SourceType.HELM,
        defined_in=defined_in,
        tracking=TrackingMethod.FLUX_HELM,
        flux_namespace=namespace,
        namespace=namespace,
    )
    notes: list[str] = []
    try:
        spec = f.mapping(doc.get("spec"), "spec")
        read = reader(sources, parent.cluster if parent else "", lookup)
        app = _parse(base, spec, sources, read, lookup is not None, context or SourceContext(), notes)
    except SpecError as exc:
        return Parsed(replace(base, error=f"{where}: HelmRelease {name}: {exc}"), notes)
    except Exception as exc:  # a bug here must not take the other apps (or the tree) down
        return Parsed(replace(base, error=f"{where}: HelmRelease {name}: internal error: {exc!r}"), notes)
    ignored = sorted(k for k in spec if k not in _APPLIED and k not in _IRRELEVANT)
    if ignored:
        notes.append(f"{where}: HelmRelease {name}: not applied when rendering: {', '.join(ignored)}")
    if app.error:
        app = replace(app, error=f"{where}: HelmRelease {name}: {app.error}")
    return Parsed(app, notes)


def _parse(
    base: AppSpec,
    spec: dict[str, Any],
    sources: FluxSources,
    read: Reader,
    live: bool,
    context: SourceContext,
    notes: list[str],
) -> AppSpec:
    namespace = base.home
    target = f.text(spec.get("targetNamespace"), "spec.targetNamespace")
    install = f.mapping(spec.get("install"), "spec.install")
    upgrade = f.mapping(spec.get("upgrade"), "spec.upgrade")
    suspended = f.flag(spec.get("suspend"), "spec.suspend")
    drift = f.mapping(spec.get("driftDetection"), "spec.driftDetection")
    drift_mode = f.text(drift.get("mode"), "spec.driftDetection.mode") or "disabled"
    if drift_mode not in DRIFT_MODES:
        raise SpecError(f"spec.driftDetection.mode must be one of {', '.join(DRIFT_MODES)}, not {drift_mode}")
    strategy = f.text(spec.get("postRenderStrategy"), "spec.postRenderStrategy") or "combined"
    if strategy not in POST_RENDER_STRATEGIES:
        raise SpecError(
            f"spec.postRenderStrategy must be one of {', '.join(POST_RENDER_STRATEGIES)}, not {strategy}"
        )
    chart = _chart(spec, namespace, sources, context)
    values = _values(spec)
    refs_list = _values_from(spec.get("valuesFrom"))
    ui_notes = _shown(spec, install, upgrade, suspended, drift_mode)
    if chart.note:
        ui_notes.append(chart.note)
    release = HelmReleaseSpec(
        chart=chart.chart,
        version=chart.version,
        repo_url=chart.repo_url,
        plain_http=chart.plain_http,
        chart_path=chart.chart_path,
        checkout=chart.checkout,
        source=chart.source,
        values_files=chart.values_files,
        ignore_missing_values_files=chart.ignore_missing_values_files,
        release_name=release_name(base.name, spec),
        storage_namespace=f.text(spec.get("storageNamespace"), "spec.storageNamespace") or namespace,
        install_crds=_crds(install, "spec.install", notes, base.name),
        upgrade_crds=_crds(upgrade, "spec.upgrade", notes, base.name),
        post_renderers=_post_renderers(spec.get("postRenderers")),
        post_render_strategy=strategy,
        common_metadata=_common_metadata(spec.get("commonMetadata")),
        skip_schema_validation=f.flag(
            install.get("disableSchemaValidation"), "spec.install.disableSchemaValidation"
        ),
    )
    app = replace(
        base,
        path=chart.chart_path if chart.chart_path and not chart.checkout else base.path,
        namespace=target or namespace,
        suspended=suspended,
        # helm-controller upgrades when the spec or the chart changes, unless suspended; it corrects drift
        # in the cluster only with driftDetection.mode enabled. An upgrade removes what the chart dropped.
        automated=not suspended,
        self_heal=not suspended and drift_mode == "enabled",
        prune=True,
        helm_release_name=release.release_name,
        notes=(*base.notes, *ui_notes),
    )
    if chart.error:
        return replace(app, helm_release=release, error=chart.error)
    try:
        merged = chart_values(values, refs_list, namespace, read, live=live)
    except ValuesError as exc:
        return replace(app, helm_release=release, error=str(exc))
    text, sets = as_helm_input(merged.values)
    release = replace(
        release,
        values=text,
        values_set=sets,
        from_secret=merged.from_secret,
        secret_values=tuple(dict.fromkeys(merged.secrets)),
    )
    return replace(app, helm_release=release, notes=(*app.notes, *merged.notes))


def _chart(spec: dict[str, Any], namespace: str, sources: FluxSources, context: SourceContext) -> ChartSource:
    chart = f.mapping(spec.get("chart"), "spec.chart")
    has_ref = spec.get("chartRef") is not None
    if chart and has_ref:
        raise SpecError("spec.chart and spec.chartRef are mutually exclusive")
    if has_ref:
        return from_chart_ref(spec.get("chartRef"), "spec.chartRef", namespace, sources, context)
    if not chart:
        raise SpecError("either spec.chart or spec.chartRef must be set")
    return from_chart_spec(
        f.mapping(chart.get("spec"), "spec.chart.spec"), "spec.chart.spec", namespace, sources, context
    )


def _values(spec: dict[str, Any]) -> dict[str, Any]:
    raw = spec.get("values")
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise SpecError(f"spec.values must be a mapping, not {type(raw).__name__}")
    # As the API server stores it (JSON), then as helm-controller reads it back (GetValues).
    loaded: dict[str, Any] = json.loads(json.dumps(raw, default=str))
    return loaded


def _values_from(raw: Any) -> tuple[ValuesReference, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise SpecError("spec.valuesFrom must be a list")
    out = []
    for i, item in enumerate(raw):
        field = f"spec.valuesFrom[{i}]"
        entry = f.mapping(item, field)
        kind = f.text(entry.get("kind"), f"{field}.kind")
        if kind not in ("ConfigMap", "Secret"):
            raise SpecError(f"{field}.kind must be ConfigMap or Secret, not {kind or '(missing)'}")
        name = f.text(entry.get("name"), f"{field}.name")
        if not name:
            raise SpecError(f"{field}.name is missing")
        out.append(
            ValuesReference(
                kind=kind,
                name=name,
                values_key=f.text(entry.get("valuesKey"), f"{field}.valuesKey") or "values.yaml",
                target_path=f.text(entry.get("targetPath"), f"{field}.targetPath"),
                optional=f.flag(entry.get("optional"), f"{field}.optional"),
                literal=f.flag(entry.get("literal"), f"{field}.literal"),
            )
        )
    return tuple(out)


def _crds(block: dict[str, Any], field: str, notes: list[str], name: str) -> str:
    policy = f.text(block.get("crds"), f"{field}.crds") or "Create"  # crdPolicyOrDefault, both actions
    if policy not in CRD_POLICIES:
        raise SpecError(f"{field}.crds must be one of {', '.join(CRD_POLICIES)}, not {policy}")
    if field == "spec.install" and f.flag(block.get("skipCRDs"), f"{field}.skipCRDs"):
        notes.append(
            f"HelmRelease {name}: spec.install.skipCRDs is deprecated and ignored by helm-controller (use "
            "install.crds: Skip)"
        )
    return policy


def _post_renderers(raw: Any) -> str:
    if raw is None:
        return ""
    if not isinstance(raw, list):
        raise SpecError("spec.postRenderers must be a list")
    out = []
    for i, item in enumerate(raw):
        field = f"spec.postRenderers[{i}]"
        entry = f.mapping(item, field)
        kustomize = f.mapping(entry.get("kustomize"), f"{field}.kustomize")
        unknown = sorted(k for k in kustomize if k not in _KUSTOMIZE_KEYS)
        if unknown:
            raise SpecError(f"{field}.kustomize: unknown field {unknown[0]}")
        for key in _KUSTOMIZE_KEYS:
            if kustomize.get(key) is not None and not isinstance(kustomize[key], list):
                raise SpecError(f"{field}.kustomize.{key} must be a list")
        if kustomize:
            out.append({"kustomize": kustomize})
    return json.dumps(out, default=str) if out else ""


def _common_metadata(raw: Any) -> str:
    block = f.mapping(raw, "spec.commonMetadata")
    labels = {
        str(k): f.text(v, f"spec.commonMetadata.labels.{k}")
        for k, v in f.mapping(block.get("labels"), "spec.commonMetadata.labels").items()
    }
    annotations = {
        str(k): f.text(v, f"spec.commonMetadata.annotations.{k}")
        for k, v in f.mapping(block.get("annotations"), "spec.commonMetadata.annotations").items()
    }
    if not labels and not annotations:
        return ""
    return json.dumps({"labels": labels, "annotations": annotations})


def _shown(
    spec: dict[str, Any], install: dict[str, Any], upgrade: dict[str, Any], suspended: bool, drift: str
) -> list[str]:
    """What helm-controller does with the release that a comparison here does not show by itself."""
    out = []
    if suspended:
        out.append("suspended: helm-controller does not reconcile it")
    deps = []
    raw = spec.get("dependsOn")
    if raw is not None and not isinstance(raw, list):
        raise SpecError("spec.dependsOn must be a list")
    for i, item in enumerate(raw or []):
        entry = f.mapping(item, f"spec.dependsOn[{i}]")
        dep = f.text(entry.get("name"), f"spec.dependsOn[{i}].name")
        ns = f.text(entry.get("namespace"), f"spec.dependsOn[{i}].namespace")
        deps.append(f"{ns}/{dep}" if ns else dep)
    if deps:
        out.append(f"depends on {', '.join(deps)}")
    out.append(
        {
            "enabled": "drift detection enabled: helm-controller corrects drift in the cluster",
            "warn": "drift detection warn: helm-controller reports drift in the cluster, does not correct it",
            "disabled": "drift detection disabled: helm-controller does not correct drift until the next upgrade",
        }[drift]
    )
    for block, action in ((install, "install"), (upgrade, "upgrade")):
        if f.flag(block.get("disableHooks"), f"spec.{action}.disableHooks"):
            out.append(f"hooks are not run on {action} (spec.{action}.disableHooks)")
    test = f.mapping(spec.get("test"), "spec.test")
    if f.flag(test.get("enable"), "spec.test.enable"):
        out.append("helm-controller runs the chart's test hooks after each install and upgrade")
    return out
