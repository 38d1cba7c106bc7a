"""`.gitops-tui.yaml` at the repository root: explicit apps for repos with neither Argo CD nor Flux.

    # .gitops-tui.yaml
    tracking: annotation          # annotation | label | annotation+label (default: annotation);
                                  # how live objects are marked as belonging to an app (not Flux apps)
    apps:
      - name: payments            # required; unique among all apps; lowercase letters, digits, - and .
        path: deploy/payments     # required; relative to the repository root ("." for the root)
        namespace: payments       # for namespaced objects that have none
        context: prod-eu          # kube context (default: --context, else the current context)
        server: https://10.0.0.1  # or a destination server / cluster name, mapped to a context
        cluster: prod-eu          #   (like an Argo CD destination)
        type: kustomize           # directory | kustomize | helm (default: detected from the files)
        automated: true           # automation may sync this app (default false)
        prune: true               # automation may prune (default false)
        selfHeal: true            # automation reverts live drift (default false)
        syncOptions: [ServerSideApply=true]
        retry: {limit: 5, backoff: {duration: 5s, factor: 2, maxDuration: 3m}}
        ignoreDifferences:        # Argo CD's shape
          - {group: apps, kind: Deployment, jsonPointers: [/spec/replicas]}
        tracking: label           # overrides the top-level tracking for this app
        directory: {recurse: true, include: "*.yaml", exclude: "tests/*"}   # recurse defaults to true here
        helm: {releaseName: payments, valueFiles: [values-prod.yaml]}
        kustomize: {images: ["payments=registry.example.com/payments:2.1.0"], namePrefix: "", nameSuffix: ""}
    settings: {...}               # tool settings, read by gitops_tui.config
    repositories:                 # Argo CD sources in other repositories, read from local checkouts
      https://github.com/org/values: ../values    # relative to this repository's root, or absolute

Every problem is reported as "file:line: ..." and never stops discovery: an entry with a usable name is
still listed, carrying its error; other entries are unaffected.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import yaml

from gitops_tui.model import AppOrigin, AppSpec, SourceType, TrackingMethod
from gitops_tui.source import specfields as f
from gitops_tui.source.clusters import ClusterConfig, parse_clusters
from gitops_tui.source.specfields import SpecError

CONFIG_FILE = ".gitops-tui.yaml"
TOP_LEVEL = ("apps", "tracking", "settings", "repositories", "clusters")
APP_KEYS = (
    "name",
    "path",
    "namespace",
    "context",
    "server",
    "cluster",
    "type",
    "automated",
    "prune",
    "selfHeal",
    "syncOptions",
    "retry",
    "ignoreDifferences",
    "tracking",
    "directory",
    "helm",
    "kustomize",
)
TRACKING_CHOICES = (TrackingMethod.ANNOTATION, TrackingMethod.LABEL, TrackingMethod.ANNOTATION_AND_LABEL)


@dataclass
class RepoConfig:
    found: bool = False
    apps: list[AppSpec] = field(default_factory=list)
    tracking: TrackingMethod | None = None
    repositories: dict[str, str] = field(default_factory=dict)  # repoURL -> path, as written
    errors: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    clusters: list[ClusterConfig] = field(default_factory=list)


def _tracking(value: Any, where: str) -> TrackingMethod:
    raw = f.text(value, where)
    for choice in TRACKING_CHOICES:
        if raw == choice.value:
            return choice
    raise SpecError(f"{where} must be one of {', '.join(c.value for c in TRACKING_CHOICES)}, not {raw!r}")


def _keyed_lines(node: yaml.Node | None, key: str) -> list[int]:
    """1-based lines of the items of a top-level sequence, for messages."""
    if isinstance(node, yaml.MappingNode):
        for k, v in node.value:
            if getattr(k, "value", None) == key and isinstance(v, yaml.SequenceNode):
                return [item.start_mark.line + 1 for item in v.value]
    return []


def load_repo_config(tree: Path, default_tracking: TrackingMethod) -> RepoConfig:
    path = tree / CONFIG_FILE
    if not path.is_file():
        return RepoConfig()
    config = RepoConfig(found=True)
    try:
        text = path.read_text(encoding="utf-8")
        node = yaml.compose(text, Loader=yaml.CSafeLoader)
        data = yaml.load(text, Loader=yaml.CSafeLoader)
    except (OSError, UnicodeDecodeError) as exc:
        config.errors.append(f"{CONFIG_FILE}: cannot read: {exc}")
        return config
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        line = f":{mark.line + 1}" if mark else ""
        config.errors.append(f"{CONFIG_FILE}{line}: {exc.problem or 'invalid YAML'}")
        return config
    if data is None:
        return config
    if not isinstance(data, dict):
        config.errors.append(f"{CONFIG_FILE}:1: expected a mapping with 'apps' and settings")
        return config
    for key in data:
        if key not in TOP_LEVEL:
            config.notes.append(
                f"{CONFIG_FILE}: unknown top-level key {key!r} ignored (known: {', '.join(TOP_LEVEL)})"
            )
    tracking = default_tracking
    if "tracking" in data:
        try:
            tracking = config.tracking = _tracking(data["tracking"], "tracking")
        except SpecError as exc:
            config.errors.append(f"{CONFIG_FILE}: {exc}")
    config.clusters, cluster_errors = parse_clusters(data.get("clusters"), CONFIG_FILE)
    config.errors.extend(cluster_errors)
    _repositories(config, data.get("repositories"))
    raw_apps = data.get("apps")
    if raw_apps is None:
        return config
    if not isinstance(raw_apps, list):
        config.errors.append(f"{CONFIG_FILE}: 'apps' must be a list of apps")
        return config
    lines = _keyed_lines(node, "apps")
    for i, entry in enumerate(raw_apps):
        where = f"{CONFIG_FILE}:{lines[i]}" if i < len(lines) else CONFIG_FILE
        _parse_entry(config, entry, i, where, tree, tracking)
    return config


def _repositories(config: RepoConfig, raw: Any) -> None:
    if raw is None:
        return
    if not isinstance(raw, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in raw.items()
    ):
        config.errors.append(f"{CONFIG_FILE}: 'repositories' must map repository URLs to local paths")
        return
    config.repositories = dict(raw)


def _parse_entry(
    config: RepoConfig, entry: Any, index: int, where: str, tree: Path, tracking: TrackingMethod
) -> None:
    if not isinstance(entry, dict):
        config.errors.append(f"{where}: apps[{index}] must be a mapping with at least name and path")
        return
    name = entry.get("name")
    if not isinstance(name, str) or not f.app_name_ok(name):
        problem = (
            "has no name"
            if not name
            else f"has an invalid name {name!r} (lowercase letters, digits, - and .)"
        )
        config.errors.append(f"{where}: apps[{index}] {problem}, skipped")
        return
    base = AppSpec(name=name, path="", origin=AppOrigin.CONFIG, defined_in=CONFIG_FILE, tracking=tracking)
    try:
        config.apps.append(_app(base, entry, tree))
    except SpecError as exc:
        config.apps.append(replace(base, error=f"{where}: app {name}: {exc}"))


def _app(base: AppSpec, entry: dict[str, Any], tree: Path) -> AppSpec:
    unknown = [k for k in entry if k not in APP_KEYS]
    if unknown:
        raise SpecError(f"unknown key {unknown[0]!r} (known: {', '.join(APP_KEYS)})")
    if entry.get("path") is None:
        raise SpecError("path is missing")
    path = f.repo_path(entry["path"], "path")
    type_raw = f.text(entry.get("type"), "type")
    if type_raw and type_raw not in {t.value for t in SourceType}:
        raise SpecError(f"type must be one of {', '.join(t.value for t in SourceType)}, not {type_raw!r}")
    directory = f.mapping(entry.get("directory"), "directory")
    helm = f.mapping(entry.get("helm"), "helm")
    kustomize = f.mapping(entry.get("kustomize"), "kustomize")
    return replace(
        base,
        path=path,
        source_type=SourceType(type_raw) if type_raw else f.detect_source_type(tree, path),
        context=f.text(entry.get("context"), "context") or None,
        server=f.text(entry.get("server"), "server"),
        cluster_name=f.text(entry.get("cluster"), "cluster"),
        namespace=f.text(entry.get("namespace"), "namespace"),
        automated=f.flag(entry.get("automated"), "automated"),
        prune=f.flag(entry.get("prune"), "prune"),
        self_heal=f.flag(entry.get("selfHeal"), "selfHeal"),
        sync_options=f.strings(entry.get("syncOptions"), "syncOptions"),
        retry=f.retry_policy(entry.get("retry"), "retry"),
        ignore_differences=f.ignore_rules(entry.get("ignoreDifferences"), "ignoreDifferences"),
        tracking=_tracking(entry["tracking"], "tracking") if "tracking" in entry else base.tracking,
        recurse=f.flag(directory.get("recurse"), "directory.recurse", default=True),
        include=f.text(directory.get("include"), "directory.include"),
        exclude=f.text(directory.get("exclude"), "directory.exclude"),
        helm_values_files=f.strings(helm.get("valueFiles"), "helm.valueFiles"),
        helm_release_name=f.text(helm.get("releaseName"), "helm.releaseName"),
        kustomize_images=f.strings(kustomize.get("images"), "kustomize.images"),
        kustomize_name_prefix=f.text(kustomize.get("namePrefix"), "kustomize.namePrefix"),
        kustomize_name_suffix=f.text(kustomize.get("nameSuffix"), "kustomize.nameSuffix"),
    )
