"""Plain data shared by every layer.

Nothing here does I/O or knows about Textual, the kubernetes client or Git. Objects (manifests, live
objects) travel between layers as plain ``dict`` trees decoded from YAML/JSON; everything else is a frozen
dataclass defined here.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

# A Kubernetes object as decoded JSON/YAML.
Obj = dict[str, Any]


class SyncStatus(enum.StrEnum):
    SYNCED = "Synced"
    OUT_OF_SYNC = "OutOfSync"
    MISSING = "Missing"  # in Git, not live
    REQUIRES_PRUNING = "RequiresPruning"  # tracked live object, not in Git
    UNKNOWN = "Unknown"  # the comparison could not be made


class HealthStatus(enum.StrEnum):
    HEALTHY = "Healthy"
    SUSPENDED = "Suspended"
    PROGRESSING = "Progressing"
    MISSING = "Missing"
    DEGRADED = "Degraded"
    UNKNOWN = "Unknown"
    # Not a state: the kind has no health check (ConfigMap, Secret, unknown CRDs). Argo CD leaves such
    # resources out of the app's health, and so do we.
    NONE = "NONE"


# Worst wins when an app's health is aggregated from its resources (DESIGN §2 Health).
HEALTH_ORDER: tuple[HealthStatus, ...] = (
    HealthStatus.HEALTHY,
    HealthStatus.SUSPENDED,
    HealthStatus.PROGRESSING,
    HealthStatus.MISSING,
    HealthStatus.DEGRADED,
    HealthStatus.UNKNOWN,
)


@dataclass(frozen=True)
class HealthResult:
    status: HealthStatus
    message: str = ""


@dataclass(frozen=True, order=True)
class ResourceKey:
    """Identity of an object: the API version is not part of it (apps/v1 and apps/v1beta1 are one object)."""

    group: str
    kind: str
    namespace: str
    name: str

    @classmethod
    def of(cls, obj: Obj) -> ResourceKey:
        api_version = str(obj.get("apiVersion") or "")
        group = api_version.rpartition("/")[0] if "/" in api_version else ""
        meta = obj.get("metadata") or {}
        return cls(
            group, str(obj.get("kind") or ""), str(meta.get("namespace") or ""), str(meta.get("name") or "")
        )

    def display(self) -> str:
        kind = f"{self.kind}.{self.group}" if self.group else self.kind
        return f"{kind}/{self.namespace}/{self.name}" if self.namespace else f"{kind}/{self.name}"


class DiffMode(enum.StrEnum):
    SERVER_SIDE = "server-side"
    CLIENT_SIDE = "client-side"


@dataclass(frozen=True)
class IgnoreRule:
    """One `ignoreDifferences` entry (Argo CD shape). Empty group/kind/name/namespace match everything."""

    group: str = ""
    kind: str = ""
    name: str = ""
    namespace: str = ""
    json_pointers: tuple[str, ...] = ()
    jq_path_expressions: tuple[str, ...] = ()
    managed_fields_managers: tuple[str, ...] = ()


@dataclass(frozen=True)
class DriftField:
    """One drifted field: a JSON pointer (RFC 6901, resolving in the live object; keyed list items that
    exist only on the Git side use their index there) with both values and who last set the live value."""

    path: str
    git: Any
    live: Any
    manager: str | None = None
    time: str | None = None  # RFC 3339 as found in managedFields; may be absent
    keyed_path: str = ""  # same path with list items by key, e.g. /spec/.../containers/[name=web]/image


@dataclass(frozen=True)
class TakenOverField:
    """A field an SSA apply with force would take from another manager."""

    path: str
    manager: str


@dataclass(frozen=True)
class ResourceDiff:
    """Outcome of comparing one desired object with its live counterpart."""

    key: ResourceKey
    sync: SyncStatus
    drift: tuple[DriftField, ...] = ()
    mode: DiffMode = DiffMode.CLIENT_SIDE
    taken_over: tuple[TakenOverField, ...] = ()
    needs_replace: bool = False  # e.g. a list-key change the server refuses to merge (422 on dry run)
    note: str = ""  # why a fallback happened, etc.
    error: str = ""


@dataclass(frozen=True)
class RetryPolicy:
    limit: int = 5
    backoff_seconds: float = 5.0
    factor: float = 2.0
    max_backoff_seconds: float = 180.0


class AppOrigin(enum.StrEnum):
    ARGO = "argocd"
    FLUX = "flux"
    CONFIG = "config"
    AUTO = "auto"


class SourceType(enum.StrEnum):
    DIRECTORY = "directory"
    KUSTOMIZE = "kustomize"
    HELM = "helm"


class TrackingMethod(enum.StrEnum):
    ANNOTATION = "annotation"  # argocd.argoproj.io/tracking-id
    LABEL = "label"  # app.kubernetes.io/instance
    ANNOTATION_AND_LABEL = "annotation+label"
    FLUX = "flux"  # kustomize.toolkit.fluxcd.io/name + /namespace
    # A Flux HelmRelease's objects: helm.toolkit.fluxcd.io/name + /namespace, and Helm's release metadata
    FLUX_HELM = "flux-helm"


# The namespace an Application / Kustomization lives in when its manifest does not say: left out of ids.
DEFAULT_HOME = {AppOrigin.ARGO: "argocd", AppOrigin.FLUX: "flux-system"}
HELM_RELEASE = "HelmRelease"


@dataclass(frozen=True)
class HelmParameter:
    """An Argo CD `helm.parameters` entry: `--set name=value`, or `--set-string` when forced."""

    name: str
    value: str
    force_string: bool = False


@dataclass(frozen=True)
class HelmSpec:
    """Argo CD's `source.helm`, as written. Value file paths are relative to the chart directory (or
    `$ref/...` into a `ref:` source)."""

    release_name: str = ""
    namespace: str = ""
    value_files: tuple[str, ...] = ()
    ignore_missing_value_files: bool = False
    values: str = ""  # `values` (YAML) or `valuesObject` (as JSON, which wins over `values`)
    parameters: tuple[HelmParameter, ...] = ()
    file_parameters: tuple[tuple[str, str], ...] = ()  # (name, path), as `--set-file`
    skip_crds: bool = False
    skip_tests: bool = False
    skip_schema_validation: bool = False
    kube_version: str = ""
    api_versions: tuple[str, ...] = ()


@dataclass(frozen=True)
class KustomizeSpec:
    """Argo CD's `source.kustomize` options that change what is built."""

    images: tuple[str, ...] = ()
    name_prefix: str = ""
    name_suffix: str = ""
    namespace: str = ""
    common_labels: tuple[tuple[str, str], ...] = ()
    common_annotations: tuple[tuple[str, str], ...] = ()
    common_annotations_envsubst: bool = False
    label_without_selector: bool = False
    label_include_templates: bool = False
    replicas: tuple[tuple[str, int], ...] = ()
    patches: str = ""  # the `patches` list as JSON (it is free-form)
    components: tuple[str, ...] = ()
    ignore_missing_components: bool = False


@dataclass(frozen=True)
class JsonnetSpec:
    """Argo CD's `directory.jsonnet`: top-level arguments and external variables as (name, value, is
    code), and library directories relative to the repository root."""

    tlas: tuple[tuple[str, str, bool], ...] = ()
    ext_vars: tuple[tuple[str, str, bool], ...] = ()
    libs: tuple[str, ...] = ()


@dataclass(frozen=True)
class AppSource:
    """One source of an Argo CD Application (`spec.source`, or one of `spec.sources`).

    `checkout` is where it is read from: "" for the tree being rendered (this checkout, or its
    `--revision`), else the absolute path of another local checkout mapped in `.gitops-tui.yaml`. A source
    that cannot be read here carries `error`; a `ref:`-only source is rendered by nobody, its files are
    what `$ref/...` value files of the other sources read.
    """

    repo_url: str = ""
    path: str = ""  # relative to the checkout's root, posix ("" for a Helm repository chart)
    chart: str = ""  # a chart in a Helm repository (https or OCI) instead of a path
    target_revision: str = ""
    ref: str = ""
    source_type: SourceType = SourceType.DIRECTORY
    plugin: str = ""  # a config management plugin's name ("(unnamed)" when it is discovered)
    checkout: str = ""
    helm: HelmSpec = field(default_factory=HelmSpec)
    kustomize: KustomizeSpec = field(default_factory=KustomizeSpec)
    recurse: bool = False  # directory.recurse
    include: str = ""
    exclude: str = ""
    jsonnet: JsonnetSpec = field(default_factory=JsonnetSpec)
    error: str = ""

    @property
    def ref_only(self) -> bool:
        return bool(self.ref) and not self.path and not self.chart


@dataclass(frozen=True)
class ValuesReference:
    """A HelmRelease `valuesFrom` entry (Flux's meta.ValuesReference), defaults filled in."""

    kind: str  # ConfigMap or Secret
    name: str
    values_key: str = "values.yaml"
    target_path: str = ""
    optional: bool = False
    literal: bool = False


@dataclass(frozen=True)
class HelmReleaseSpec:
    """A Flux HelmRelease as helm-controller renders it, resolved at discovery: the source its chart comes
    from looked up (HelmRepository, OCIRepository, GitRepository, HelmChart) and `valuesFrom` read, so that
    rendering needs nothing but the chart.

    `values` is the merged result of `valuesFrom` and `values`, in helm-controller's order, as JSON; when a
    Secret contributed (`from_secret`) it holds that Secret's values and is never shown (not in repr)."""

    chart: str  # the chart's name in its repository, or its path (GitRepository)
    version: str = "*"  # a semver range, or an exact version or tag
    repo_url: str = ""  # https Helm repository, or an oci:// base the chart name is appended to
    plain_http: bool = False  # an OCI registry over plain HTTP (the source's `insecure: true`)
    chart_path: str = ""  # for a chart in a checkout: its directory, relative to the checkout's root
    checkout: str = ""  # absolute path of another local checkout holding it ("" is this one)
    source: str = ""  # what the chart comes from, for messages: "HelmRepository podinfo/podinfo"
    values_files: tuple[str, ...] = ()  # chart.spec.valuesFiles (replace the chart's values.yaml)
    ignore_missing_values_files: bool = False
    values: str = field(default="", repr=False)
    # `--set` expressions for the integers `targetPath` values parse to: Helm keeps those int64, a values
    # document would make them float64 (1e+06 in a template)
    values_set: tuple[str, ...] = field(default=(), repr=False)
    from_secret: bool = False
    secret_values: tuple[str, ...] = field(default=(), repr=False)  # every Secret-sourced string in `values`
    release_name: str = ""  # as helm-controller names the release (default and shortening applied)
    storage_namespace: str = ""
    install_crds: str = "Create"  # Skip, Create, CreateReplace
    upgrade_crds: str = "Create"
    post_renderers: str = ""  # spec.postRenderers as JSON
    post_render_strategy: str = "combined"  # nohooks, combined, separate
    common_metadata: str = ""  # spec.commonMetadata as JSON
    skip_schema_validation: bool = False  # install.disableSchemaValidation


@dataclass(frozen=True)
class GitTree:
    """Where a Flux source's files are read: `checkout` "" is the tree being rendered (this checkout, or its
    `--revision`), else the absolute path of another local checkout (`.gitops-tui.yaml` `repositories:`);
    `revision` "" is that tree as it is, else a Git revision (`origin/dev-team`, a tag, a commit) of `git`."""

    checkout: str = ""
    revision: str = ""
    commit: str = ""  # the revision resolved (its files never change: a tree read from it can be reused)
    git: str = ""  # the Git checkout `revision` is read from (this one or a mapped one)


@dataclass(frozen=True)
class ArtifactCopy:
    """One `copy` operation of a source-watcher ArtifactGenerator: `source` is `from`'s glob or path after
    its `@alias/`, `to` the path after `@artifact/` (a trailing "/" kept: it means a directory)."""

    tree: GitTree
    source: str
    to: str
    exclude: tuple[str, ...] = ()
    strategy: str = "Overwrite"  # Overwrite, Merge (Extract is said as the app's error)
    alias: str = ""  # as written, for messages


@dataclass(frozen=True)
class FluxSourceRef:
    """What a Flux Kustomization's `sourceRef` resolves to: `spec.path` is relative to this tree's root, or,
    for an ExternalArtifact, to the root of the artifact its ArtifactGenerator's `copies` build."""

    kind: str  # GitRepository, ExternalArtifact
    namespace: str
    name: str
    tree: GitTree = field(default_factory=GitTree)
    copies: tuple[ArtifactCopy, ...] = ()  # ExternalArtifact: its generator's copy operations, in order
    generator: str = ""  # ExternalArtifact: "namespace/name" of the ArtifactGenerator

    def display(self) -> str:
        return f"{self.kind} {self.namespace}/{self.name}"


@dataclass(frozen=True)
class SubstituteFrom:
    """A `postBuild.substituteFrom` entry, with its values when Git holds the object (`found`); otherwise
    they are read from the cluster when rendering is given a lookup (`FluxValuesLookup`)."""

    kind: str  # ConfigMap, Secret
    name: str
    namespace: str  # the Kustomization's
    optional: bool = False
    found: bool = False
    where: str = ""  # the file that declares it in Git
    values: tuple[tuple[str, str], ...] = field(default=(), repr=False)  # decoded (a Secret's too)


@dataclass(frozen=True)
class FluxBuild:
    """What kustomize-controller does to a Kustomization's path besides `kustomize build`: the options it
    writes into the (found or generated) kustomization.yaml, then post-build substitution and common
    metadata. Values substituted from Secrets are never shown (`repr=False`)."""

    source: FluxSourceRef | None = None  # None: the tree being rendered (the bootstrap source)
    patches: str = ""  # `spec.patches` as JSON (a list of {patch, target})
    components: tuple[str, ...] = ()
    ignore_missing_components: bool = False
    common_labels: tuple[tuple[str, str], ...] = ()
    common_annotations: tuple[tuple[str, str], ...] = ()
    post_build: bool = False  # `spec.postBuild` is set: substitution runs (when it has variables)
    substitute: tuple[tuple[str, str], ...] = field(default=(), repr=False)
    substitute_from: tuple[SubstituteFrom, ...] = ()
    substitute_always: bool = False  # postBuild.substituteStrategy: Always
    decryption: str = ""  # `spec.decryption.provider` (sops)
    wait: bool = False
    force: bool = False


@dataclass(frozen=True)
class AppSpec:
    """An application as discovered in the repository.

    Identity is cluster + namespace + name (+ kind, for a Flux HelmRelease, which may share its name with a
    Kustomization in one namespace): `id`. Two clusters' `apps` Kustomizations are two apps.
    """

    name: str
    path: str  # relative to the repo root, posix
    origin: AppOrigin = AppOrigin.AUTO
    kind: str = ""  # "Application", "Kustomization", "HelmRelease"; "" for config and inferred apps
    cluster: str = ""  # Flux `clusters/<name>/` (or a config-mapped cluster); "" when the repo has none
    home: str = ""  # namespace of the declaring object (Application / Kustomization / HelmRelease)
    parent: str = ""  # id of the app whose rendered output declares this one (app-of-apps, Flux tree)
    appset: str = ""  # the ApplicationSet that generated this Application
    source_type: SourceType = SourceType.DIRECTORY
    defined_in: str = ""  # file that declared the app (Application / Kustomization / config)
    context: str | None = None  # kube context; None means current / --context
    server: str = ""  # destination.server as written
    cluster_name: str = ""  # destination.name as written
    namespace: str = ""  # default namespace for namespaced objects without one
    automated: bool = False
    prune: bool = False
    self_heal: bool = False
    suspended: bool = False  # Flux spec.suspend
    sync_options: tuple[str, ...] = ()
    retry: RetryPolicy | None = None
    ignore_differences: tuple[IgnoreRule, ...] = ()
    tracking: TrackingMethod = TrackingMethod.ANNOTATION
    flux_namespace: str = ""  # namespace of the Flux Kustomization (for its tracking labels)
    recurse: bool = True  # directory.recurse
    include: str = ""  # directory.include glob
    exclude: str = ""  # directory.exclude glob
    helm_values_files: tuple[str, ...] = ()
    helm_release_name: str = ""
    kustomize_images: tuple[str, ...] = ()
    kustomize_name_prefix: str = ""
    kustomize_name_suffix: str = ""
    # Argo CD: every source as written (the primary one, whose path and type are above, among them);
    # empty for apps with one source described by the fields above.
    sources: tuple[AppSource, ...] = ()
    target_revision: str = ""  # the primary source's targetRevision, as written
    notes: tuple[str, ...] = ()  # found at discovery, shown with the app's render notes
    # Why the app cannot be rendered, found at discovery (a duplicate name, an Application whose source is
    # not a path in this repo, an invalid field); rendering returns it as the app's error.
    error: str = ""
    # The Application's `argocd.argoproj.io/compare-options` annotation (ServerSideDiff=false,
    # IncludeMutationWebhook=true), comma-separated items.
    compare_options: tuple[str, ...] = ()
    helm_release: HelmReleaseSpec | None = None  # a Flux HelmRelease (kind HelmRelease)
    # Flux Kustomization: where its files are and what kustomize-controller does to them; `depends_on`
    # holds the ids (same cluster) of the Kustomizations it waits for (`spec.dependsOn`).
    flux: FluxBuild | None = None
    depends_on: tuple[str, ...] = ()

    @property
    def id(self) -> str:
        """`[cluster/]namespace/name`, the parts that are defaults left out: `guestbook` (an Application in
        argocd), `team-a/guestbook`, `staging/flux-system/apps`, `staging/podinfo/hr:podinfo`. Names never
        hold "/" or ":", so an id reads back unambiguously (`parse_app_id`)."""
        name = f"hr:{self.name}" if self.kind == HELM_RELEASE else self.name
        if self.cluster:
            return f"{self.cluster}/{self.home or DEFAULT_HOME.get(self.origin, '')}/{name}"
        if self.home and self.home != DEFAULT_HOME.get(self.origin):
            return f"{self.home}/{name}"
        return name


def parse_app_id(ref: str) -> tuple[str | None, str | None, str, bool]:
    """(cluster, namespace, name, helm release) of an id or a shorter reference; None: not given.

    `name`, `namespace/name` and `cluster/namespace/name`, the name optionally `hr:name`."""
    parts = ref.split("/")
    last = parts[-1]
    helm = last.startswith("hr:")
    name = last.removeprefix("hr:")
    if len(parts) >= 3:
        return "/".join(parts[:-2]), parts[-2], name, helm
    if len(parts) == 2:
        return None, parts[0], name, helm
    return None, None, name, helm


def match_ref(ref: str, apps: Iterable[AppSpec]) -> list[AppSpec]:
    """The apps a reference names: the app with that id, else every app it fits — `name`, `hr:name`,
    `namespace/name` or `cluster/name`, `cluster/namespace/name` — one per id, in the given order."""
    apps = list(apps)
    exact = [a for a in apps if a.id == ref]
    if exact:
        return exact[:1]
    cluster, namespace, name, helm = parse_app_id(ref)
    found: dict[str, AppSpec] = {}
    for app in apps:
        if app.name != name or (helm and app.kind != HELM_RELEASE):
            continue
        home = app.home or DEFAULT_HOME.get(app.origin, "")
        if cluster is not None and (app.cluster != cluster or home != namespace):
            continue
        if cluster is None and namespace is not None and namespace not in (home, app.cluster):
            continue
        found.setdefault(app.id, app)
    return list(found.values())


@dataclass(frozen=True)
class RenderedApp:
    """Desired objects of one app, or the error that stopped rendering."""

    app: AppSpec
    objects: tuple[Obj, ...] = ()
    notes: tuple[str, ...] = ()  # skipped files and similar remarks
    error: str = ""
    # where each object came from, parallel to `objects`: (file relative to repo root, document index)
    origins: tuple[tuple[str, int], ...] = ()
    # Values from Secrets substituted into `objects` (Flux postBuild): any object may now hold one, so
    # wherever an object is shown these are masked (engine/secrets.py `mask_values`). Never printed.
    secret_values: tuple[str, ...] = field(default=(), repr=False, compare=False)


@dataclass(frozen=True)
class ResourceStatus:
    key: ResourceKey
    version: str
    sync: SyncStatus
    health: HealthStatus  # NONE: no health check for this kind (not counted in app health)
    health_message: str = ""
    drift: tuple[DriftField, ...] = ()
    mode: DiffMode = DiffMode.CLIENT_SIDE
    needs_replace: bool = False
    note: str = ""
    error: str = ""
    # The object's argocd.argoproj.io/sync-options and compare-options (from Git, else from live).
    sync_options: tuple[str, ...] = ()
    compare_options: tuple[str, ...] = ()

    @property
    def last_manager(self) -> tuple[str | None, str | None]:
        """The manager and time of the most recent drifted-field change (time may be unknown)."""
        best: tuple[str | None, str | None] = (None, None)
        for d in self.drift:
            if d.manager and (best[0] is None or (d.time or "") > (best[1] or "")):
                best = (d.manager, d.time)
        return best


@dataclass(frozen=True)
class AppStatus:
    app: AppSpec
    sync: SyncStatus
    health: HealthStatus
    resources: tuple[ResourceStatus, ...] = ()
    error: str = ""
    revision: str = ""  # short commit the desired state came from ("" for a dirty tree: see `dirty`)
    dirty: bool = False
    context: str = ""
    reconciled_at: float = 0.0  # time.time() when computed
    notes: tuple[str, ...] = ()
    hooks: tuple[HookStatus, ...] = ()  # hooks, Skip and ignored hook objects: listed apart, never drift

    @property
    def drifted(self) -> int:
        return sum(1 for r in self.resources if r.sync is not SyncStatus.SYNCED)


@dataclass(frozen=True)
class Commit:
    sha: str
    short: str
    author: str
    email: str
    timestamp: float
    summary: str
    message: str = ""
    files: tuple[str, ...] = field(default_factory=tuple)
    made_by: str = ""  # "Flux image automation", "Renovate", or "" (source/imageauto.py)
    image_policies: tuple[str, ...] = ()  # ImagePolicy setter markers on the lines it changed ("ns:name")


@dataclass(frozen=True)
class HeaderInfo:
    """What the TUI header and `status` show about where we are."""

    context: str
    server: str
    repo: str
    branch: str
    head: str
    read_only: bool = False
    automation: bool = False
    clusters: tuple[tuple[str, str], ...] = ()  # (repository cluster, its kube context or why none)


@dataclass(frozen=True)
class ResourceDetail:
    """Everything the Diff screen needs for one resource. Secret values are already masked."""

    app: str
    key: ResourceKey
    status: ResourceStatus
    git: Obj | None  # desired object as it would be applied (tracking marker injected); None if not in Git
    live: Obj | None  # live object, noise stripped; None if missing
    predicted: Obj | None = None  # server-side-apply dry run result, noise stripped


class GitopsError(Exception):
    """Base of every error that carries a human message meant to be shown as is."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


@dataclass(frozen=True)
class HookStatus:
    """A hook resource (`argocd.argoproj.io/hook`, `helm.sh/hook`), a `Skip` resource or a hook Argo CD
    ignores: never compared as drift, never part of the app's sync or health, never pruned. Listed apart, as
    Argo CD lists them, with the state of its live object when there is one."""

    key: ResourceKey  # the name is "" for a `generateName` hook
    version: str
    phases: tuple[
        str, ...
    ]  # PreSync / Sync / PostSync / SyncFail, then PreDelete / PostDelete; Skip; () ignored
    generate_name: str = ""
    wave: int = 0
    delete_policies: tuple[str, ...] = ()
    in_git: bool = True  # False: a live hook left by an earlier sync, no longer in Git
    live_name: str = ""  # the live object shown (a generateName hook's newest run); "" when none
    health: HealthStatus = HealthStatus.NONE  # of the live object (NONE: none, or no health check)
    health_message: str = ""
    note: str = ""

    @property
    def name(self) -> str:
        """The name as Git gives it: `generateName` ends in "…" (a new name each run)."""
        return self.key.name or (f"{self.generate_name}…" if self.generate_name else "")

    def display(self) -> str:
        kind = f"{self.key.kind}.{self.key.group}" if self.key.group else self.key.kind
        return f"{kind}/{self.key.namespace}/{self.name}" if self.key.namespace else f"{kind}/{self.name}"
